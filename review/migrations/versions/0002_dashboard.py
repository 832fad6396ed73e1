"""The reviewer dashboard: sign-in sessions, the claims index, and events by time.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02

``claims`` holds each stored version's assertions as rows (the report JSON
stays the record), so the queue can filter by target and section and the
corpus view can count roots per target in SQL. Existing versions are indexed
here from their stored reports, so an upgraded store shows its whole corpus.
"""

import sqlalchemy as sa
from alembic import op

from review.models import PK, UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BATCH = 500


def upgrade() -> None:
    op.create_table(
        "web_sessions", sa.Column("id", PK, primary_key=True),
        sa.Column("session_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("token_id", PK, sa.ForeignKey("tokens.id"), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_web_sessions_expires", "web_sessions", ["expires_at"])
    claims = op.create_table(
        "claims", sa.Column("id", PK, primary_key=True),
        sa.Column("version_id", PK, sa.ForeignKey("versions.id"), nullable=False),
        sa.Column("aid", sa.String(16), nullable=False),
        sa.Column("root", sa.String(8), nullable=False),
        sa.Column("target", sa.String(64), nullable=False),
        sa.Column("target_kind", sa.String(16), nullable=False),
        sa.Column("polarity", sa.String(16), nullable=False),
        sa.Column("is_primary", sa.Boolean, nullable=False),
        sa.Column("section", sa.String(500), nullable=False),
        sa.Column("subsection", sa.String(500), nullable=False),
    )
    op.create_index("ix_claims_target_version", "claims", ["target", "version_id"])
    op.create_index("ix_claims_version", "claims", ["version_id"])
    op.create_index("ix_events_created", "events", ["created_at", "kind", "from_status", "to_status"])
    _index_stored_reports(claims)


def _index_stored_reports(claims: sa.Table) -> None:
    """Claims of every version already in the store, read from its report, a batch at a time."""
    conn = op.get_bind()
    versions = sa.table("versions", sa.column("id", PK), sa.column("report", sa.JSON))
    last = 0
    while True:
        rows = conn.execute(sa.select(versions.c.id, versions.c.report).where(versions.c.id > last)
                            .order_by(versions.c.id).limit(BATCH)).all()
        if not rows:
            return
        out = []
        for vid, report in rows:
            for a in (report or {}).get("assertions", ()):
                out.append({"version_id": vid, "aid": a["id"], "root": a["root"], "target": a["target"],
                            "target_kind": a["target_kind"], "polarity": a["polarity"],
                            "is_primary": bool(a["primary"]), "section": (a.get("section") or "")[:500],
                            "subsection": (a.get("subsection") or "")[:500]})
        if out:
            conn.execute(claims.insert(), out)
        last = rows[-1][0]


def downgrade() -> None:
    op.drop_index("ix_events_created", "events")
    op.drop_table("claims")
    op.drop_table("web_sessions")

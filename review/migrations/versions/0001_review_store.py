"""The review store: tokens, articles, versions, findings, waivers, events, webhooks, deliveries.

Revision ID: 0001
Revises:
Create Date: 2026-12-01

The history is append-only in the database itself: a trigger on each
dialect refuses UPDATE and DELETE on ``events``.
"""

import sqlalchemy as sa
from alembic import op

from review.models import PK, UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _pk() -> sa.Column:
    return sa.Column("id", PK, primary_key=True)


def upgrade() -> None:
    op.create_table(
        "tokens", _pk(),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
    )
    op.create_table(
        "articles", _pk(),
        sa.Column("external_id", sa.String(200), nullable=False, unique=True),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("current_version", sa.Integer, nullable=False),
        sa.Column("verdict", sa.String(10), nullable=False),
        sa.Column("n_blocker", sa.Integer, nullable=False),
        sa.Column("n_warning", sa.Integer, nullable=False),
        sa.Column("n_info", sa.Integer, nullable=False),
        sa.Column("ruleset", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_articles_status_verdict_updated", "articles", ["status", "verdict", "updated_at", "id"])
    op.create_index("ix_articles_verdict_updated", "articles", ["verdict", "updated_at", "id"])
    op.create_index("ix_articles_updated", "articles", ["updated_at", "id"])
    op.create_table(
        "versions", _pk(),
        sa.Column("article_id", PK, sa.ForeignKey("articles.id"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("submitted_by_id", PK, sa.ForeignKey("tokens.id"), nullable=True),
        sa.Column("submitted_by", sa.String(100), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=False),
        sa.Column("ruleset", sa.String(64), nullable=False),
        sa.Column("checked_at", UTCDateTime(), nullable=False),
        sa.Column("report", sa.JSON, nullable=False),
        sa.Column("verdict", sa.String(10), nullable=False),
        sa.Column("n_blocker", sa.Integer, nullable=False),
        sa.Column("n_warning", sa.Integer, nullable=False),
        sa.Column("n_info", sa.Integer, nullable=False),
        sa.UniqueConstraint("article_id", "sha256", name="uq_versions_article_sha"),
        sa.UniqueConstraint("article_id", "number", name="uq_versions_article_number"),
    )
    op.create_index("ix_versions_ruleset", "versions", ["ruleset"])
    op.create_table(
        "findings", _pk(),
        sa.Column("version_id", PK, sa.ForeignKey("versions.id"), nullable=False),
        sa.Column("fid", sa.String(16), nullable=False),
        sa.Column("rule", sa.String(120), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("evidence_key", sa.String(64), nullable=False),
        sa.Column("ordinal", sa.Integer, nullable=False),
        sa.Column("suppressed", sa.Boolean, nullable=False),
        sa.Column("waived", sa.Boolean, nullable=False),
        sa.UniqueConstraint("version_id", "fid", name="uq_findings_version_fid"),
    )
    op.create_index("ix_findings_rule_version", "findings", ["rule", "version_id"])
    op.create_index("ix_findings_severity_version", "findings", ["severity", "version_id"])
    op.create_table(
        "waivers", _pk(),
        sa.Column("version_id", PK, sa.ForeignKey("versions.id"), nullable=False),
        sa.Column("fid", sa.String(16), nullable=True),
        sa.Column("rule", sa.String(120), nullable=False),
        sa.Column("evidence_key", sa.String(64), nullable=False),
        sa.Column("ordinal", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("reviewer_id", PK, sa.ForeignKey("tokens.id"), nullable=True),
        sa.Column("reviewer", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("carried_from_id", PK, sa.ForeignKey("waivers.id"), nullable=True),
        sa.UniqueConstraint("version_id", "fid", name="uq_waivers_version_fid"),
    )
    op.create_table(
        "events", _pk(),
        sa.Column("article_id", PK, sa.ForeignKey("articles.id"), nullable=False),
        sa.Column("version", sa.Integer, nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("from_status", sa.String(20), nullable=True),
        sa.Column("to_status", sa.String(20), nullable=True),
        sa.Column("actor_id", PK, sa.ForeignKey("tokens.id"), nullable=True),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_events_article", "events", ["article_id", "id"])
    op.create_table(
        "webhooks", _pk(),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("secret", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "deliveries", _pk(),
        sa.Column("webhook_id", PK, sa.ForeignKey("webhooks.id"), nullable=False),
        sa.Column("event_id", PK, sa.ForeignKey("events.id"), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("last_status", sa.Integer, nullable=True),
        sa.Column("last_error", sa.Text, nullable=False),
        sa.Column("delivered_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_deliveries_due", "deliveries", ["status", "next_attempt_at"])
    op.create_index("ix_deliveries_webhook", "deliveries", ["webhook_id", "id"])
    _append_only_events()


def _append_only_events() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION artgate_events_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'the events table is append-only';
            END;
            $$ LANGUAGE plpgsql
        """)
        op.execute("CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events "
                   "FOR EACH ROW EXECUTE FUNCTION artgate_events_append_only()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER events_no_{verb.lower()} BEFORE {verb} ON events "
                       "BEGIN SELECT RAISE(ABORT, 'the events table is append-only'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER events_append_only ON events")
        op.execute("DROP FUNCTION artgate_events_append_only()")
    for name in ("deliveries", "webhooks", "events", "waivers", "findings", "versions", "articles", "tokens"):
        op.drop_table(name)

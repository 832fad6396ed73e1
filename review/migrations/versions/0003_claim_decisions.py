"""Reviewers' decisions about claims: marked wrong, corrected, confirmed, added, retracted.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03

``claim_decisions`` is append-only in the database itself, like ``events``: a
trigger on each dialect refuses UPDATE and DELETE, so a decision that no
longer holds is answered by a later one, never rewritten.
"""

import sqlalchemy as sa
from alembic import op

from review.models import PK, UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "claim_decisions", sa.Column("id", PK, primary_key=True),
        sa.Column("version_id", PK, sa.ForeignKey("versions.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("aid", sa.String(16), nullable=False),
        sa.Column("subject_id", PK, sa.ForeignKey("claim_decisions.id"), nullable=True),
        sa.Column("sentence", sa.Text, nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("root", sa.String(8), nullable=False),
        sa.Column("target", sa.String(64), nullable=False),
        sa.Column("polarity", sa.String(16), nullable=False),
        sa.Column("ordinal", sa.Integer, nullable=False),
        sa.Column("new_root", sa.String(8), nullable=True),
        sa.Column("new_target", sa.String(64), nullable=True),
        sa.Column("new_polarity", sa.String(16), nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("reviewer_id", PK, sa.ForeignKey("tokens.id"), nullable=True),
        sa.Column("reviewer", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("carried_from_id", PK, sa.ForeignKey("claim_decisions.id"), nullable=True),
    )
    op.create_index("ix_claim_decisions_version", "claim_decisions", ["version_id", "id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION artgate_claim_decisions_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'the claim_decisions table is append-only';
            END;
            $$ LANGUAGE plpgsql
        """)
        op.execute("CREATE TRIGGER claim_decisions_append_only BEFORE UPDATE OR DELETE ON claim_decisions "
                   "FOR EACH ROW EXECUTE FUNCTION artgate_claim_decisions_append_only()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER claim_decisions_no_{verb.lower()} BEFORE {verb} ON claim_decisions "
                       "BEGIN SELECT RAISE(ABORT, 'the claim_decisions table is append-only'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER claim_decisions_append_only ON claim_decisions")
        op.execute("DROP FUNCTION artgate_claim_decisions_append_only()")
    op.drop_table("claim_decisions")

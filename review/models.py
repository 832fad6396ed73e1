"""The review store's tables, as SQLAlchemy 2 models.

One model set serves SQLite and PostgreSQL; the Alembic revisions in
``review/migrations`` create exactly these tables (a test compares them).

Some article columns are a cache, kept in the same transaction as what they
summarise, so the dashboard's list is one indexed query: ``status`` is the
``to_status`` of the article's last status event, and ``verdict``/``n_*``
summarise the current version's open findings (neither suppressed in the
text nor waived).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp on both databases (SQLite hands back naive values otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        return value.astimezone(UTC).replace(tzinfo=None) if value is not None and dialect.name == "sqlite" \
            else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


# Integer primary keys: BIGINT on PostgreSQL, INTEGER (the rowid alias) on SQLite.
PK = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    pass


class Token(Base):
    """An API token: only its SHA-256 is kept; ``prefix`` lets a person tell tokens apart in lists."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(PK, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Article(Base):
    __tablename__ = "articles"
    __table_args__ = (
        Index("ix_articles_status_verdict_updated", "status", "verdict", "updated_at", "id"),
        Index("ix_articles_verdict_updated", "verdict", "updated_at", "id"),
        Index("ix_articles_updated", "updated_at", "id"),
    )

    id: Mapped[int] = mapped_column(PK, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(20))
    current_version: Mapped[int] = mapped_column(Integer, default=0)
    verdict: Mapped[str] = mapped_column(String(10), default="pass")
    n_blocker: Mapped[int] = mapped_column(Integer, default=0)
    n_warning: Mapped[int] = mapped_column(Integer, default=0)
    n_info: Mapped[int] = mapped_column(Integer, default=0)
    ruleset: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Version(Base):
    """One distinct content of an article (by SHA-256 of title, format and body) and its report."""

    __tablename__ = "versions"
    __table_args__ = (
        UniqueConstraint("article_id", "sha256", name="uq_versions_article_sha"),
        UniqueConstraint("article_id", "number", name="uq_versions_article_number"),
        Index("ix_versions_ruleset", "ruleset"),
    )

    id: Mapped[int] = mapped_column(PK, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"))
    number: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(500), default="")
    format: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("tokens.id"), nullable=True)
    submitted_by: Mapped[str] = mapped_column(String(100), default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ruleset: Mapped[str] = mapped_column(String(64))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    report: Mapped[dict] = mapped_column(JSON)
    verdict: Mapped[str] = mapped_column(String(10))
    n_blocker: Mapped[int] = mapped_column(Integer, default=0)
    n_warning: Mapped[int] = mapped_column(Integer, default=0)
    n_info: Mapped[int] = mapped_column(Integer, default=0)


class Finding(Base):
    """One finding of one version, as rows so the list can filter by rule and severity.

    ``evidence_key`` is a digest of the rule and the quoted evidence texts and
    ``ordinal`` numbers findings sharing it (the n-th identical finding), which
    is how a waiver finds "the same finding" in another version or check.
    """

    __tablename__ = "findings"
    __table_args__ = (
        UniqueConstraint("version_id", "fid", name="uq_findings_version_fid"),
        Index("ix_findings_rule_version", "rule", "version_id"),
        Index("ix_findings_severity_version", "severity", "version_id"),
    )

    id: Mapped[int] = mapped_column(PK, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"))
    fid: Mapped[str] = mapped_column(String(16))
    rule: Mapped[str] = mapped_column(String(120))
    severity: Mapped[str] = mapped_column(String(10))
    evidence_key: Mapped[str] = mapped_column(String(64))
    ordinal: Mapped[int] = mapped_column(Integer, default=0)
    suppressed: Mapped[bool] = mapped_column(Boolean, default=False)
    waived: Mapped[bool] = mapped_column(Boolean, default=False)


class Claim(Base):
    """One assertion of one version's report, as a row, so the dashboard can filter and count by target.

    The report JSON stays the record; these rows are its index (written with
    the findings, replaced with them on a re-check). ``aid`` is the
    assertion's id in the report (``a3``).
    """

    __tablename__ = "claims"
    __table_args__ = (
        Index("ix_claims_target_version", "target", "version_id"),
        Index("ix_claims_version", "version_id"),
    )

    id: Mapped[int] = mapped_column(PK, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"))
    aid: Mapped[str] = mapped_column(String(16))
    root: Mapped[str] = mapped_column(String(8))
    target: Mapped[str] = mapped_column(String(64))
    target_kind: Mapped[str] = mapped_column(String(16))
    polarity: Mapped[str] = mapped_column(String(16))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    section: Mapped[str] = mapped_column(String(500), default="")
    subsection: Mapped[str] = mapped_column(String(500), default="")


class Waiver(Base):
    """A reviewer's decision that one finding of one version does not block, with the reason.

    ``fid`` is the finding it silences now; it is cleared (the waiver lapses)
    when a re-check no longer finds that finding.
    """

    __tablename__ = "waivers"
    __table_args__ = (UniqueConstraint("version_id", "fid", name="uq_waivers_version_fid"),)

    id: Mapped[int] = mapped_column(PK, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"))
    fid: Mapped[str | None] = mapped_column(String(16), nullable=True)
    rule: Mapped[str] = mapped_column(String(120))
    evidence_key: Mapped[str] = mapped_column(String(64))
    ordinal: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str] = mapped_column(Text)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("tokens.id"), nullable=True)
    reviewer: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("waivers.id"), nullable=True)


class ClaimDecision(Base):
    """A reviewer's decision about one claim of one version. Inserted, never updated (triggers refuse it).

    ``kind`` is ``wrong`` (the page does not say this), ``corrected`` (it says it
    with another root, target or polarity: ``new_*``), ``confirmed`` (it does
    say this: the claim gates whatever its confidence), ``added`` (a claim the
    extractor missed, in the text ``start``–``end``) or ``retracted`` (the
    earlier decision on this claim no longer holds). An extracted claim is
    named by its sentence, root, target and polarity and ``ordinal`` (the n-th
    such claim of the version), not by its id, so the decision finds "the same
    claim" again after a re-check or in a new version; a decision about an
    added claim names the ``added`` decision in ``subject_id``. The latest
    decision about a claim is the one that holds.
    """

    __tablename__ = "claim_decisions"
    __table_args__ = (Index("ix_claim_decisions_version", "version_id", "id"),)

    id: Mapped[int] = mapped_column(PK, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"))
    kind: Mapped[str] = mapped_column(String(16))
    aid: Mapped[str] = mapped_column(String(16))  # the claim's id on the page the reviewer decided on
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("claim_decisions.id"), nullable=True)
    sentence: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    root: Mapped[str] = mapped_column(String(8))
    target: Mapped[str] = mapped_column(String(64))
    polarity: Mapped[str] = mapped_column(String(16))
    ordinal: Mapped[int] = mapped_column(Integer, default=0)
    new_root: Mapped[str | None] = mapped_column(String(8), nullable=True)
    new_target: Mapped[str | None] = mapped_column(String(64), nullable=True)
    new_polarity: Mapped[str | None] = mapped_column(String(16), nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("tokens.id"), nullable=True)
    reviewer: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("claim_decisions.id"), nullable=True)


class Event(Base):
    """One entry of an article's history. Inserted, never updated: triggers refuse UPDATE and DELETE."""

    __tablename__ = "events"
    # ix_events_created covers the dashboard's "since yesterday" counts (an index-only scan of the window)
    __table_args__ = (Index("ix_events_article", "article_id", "id"),
                      Index("ix_events_created", "created_at", "kind", "from_status", "to_status"))

    id: Mapped[int] = mapped_column(PK, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"))
    version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    kind: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("tokens.id"), nullable=True)
    actor: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WebSession(Base):
    """A dashboard sign-in: the cookie holds a random secret, the store only its SHA-256.

    A session belongs to the API token it was opened with, so revoking the
    token ends its sessions; ``csrf`` is the value every form of the session
    must send back.
    """

    __tablename__ = "web_sessions"
    __table_args__ = (Index("ix_web_sessions_expires", "expires_at"),)

    id: Mapped[int] = mapped_column(PK, primary_key=True)
    session_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("tokens.id"))
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Webhook(Base):
    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(PK, primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(200))  # kept in clear: it is needed to sign every delivery
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Delivery(Base):
    """The outbox: one row per (event, webhook), written in the event's transaction.

    The delivery worker claims a due row by setting ``lease_until``, sends it,
    and records the outcome; a failure schedules ``next_attempt_at`` with
    exponential back-off, so nothing is lost if the receiver or the service dies.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        Index("ix_deliveries_due", "status", "next_attempt_at"),
        Index("ix_deliveries_webhook", "webhook_id", "id"),
    )

    id: Mapped[int] = mapped_column(PK, primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id"))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

"""The claims index: each stored version's assertions as rows, kept with its report, and built for old stores."""

from __future__ import annotations

from alembic import command
from sqlalchemy import insert, select

from review import workflow as wf
from review.checking import Content, check_content
from review.db import Database, alembic_config
from review.models import Article, Claim, Token, Version, utcnow
from review.tokens import Actor, create_token

from .conftest import CORRECTED, ORACLE


def claims_of(db, version_number: int, external_id: str) -> list[tuple]:
    with db.session() as s:
        return sorted(s.execute(
            select(Claim.aid, Claim.root, Claim.target, Claim.polarity, Claim.is_primary, Claim.section)
            .join(Version, Version.id == Claim.version_id).join(Article, Article.id == Version.article_id)
            .where(Article.external_id == external_id, Version.number == version_number)).all())


def as_rows(report: dict) -> list[tuple]:
    return sorted((a["id"], a["root"], a["target"], a["polarity"], a["primary"], a["section"])
                  for a in report["assertions"])


def test_a_submission_stores_its_assertions_as_claims(db):
    t = create_token(db, "alice", "author")
    a = wf.submit(db, Actor(t.id, t.name, t.role), Content("oracle", "Which nerve root?", ORACLE)).article
    stored = claims_of(db, 1, "oracle")
    assert stored and stored == as_rows(wf.report(db, a["id"]))
    assert any(target == "ankle_dorsiflexion" for _, _, target, *_ in stored)


def test_a_recheck_replaces_the_claims_with_the_new_reports(db):
    from reports.contract import report_dict

    t = create_token(db, "alice", "author")
    wf.submit(db, Actor(t.id, t.name, t.role), Content("x", "Which nerve root?", ORACLE))
    before = claims_of(db, 1, "x")
    with db.transaction() as s:
        s.execute(Version.__table__.update().values(ruleset="older"))
    corrected = check_content(Content("x", "Which nerve root?", CORRECTED))
    wf.recheck(db, check=lambda _content: corrected)
    after = claims_of(db, 1, "x")
    assert after == as_rows(report_dict(corrected)) and after != before


def test_upgrading_a_store_indexes_the_claims_of_its_stored_versions(tmp_path):
    from reports.contract import report_dict

    db = Database(str(tmp_path / "old.db"))
    with db.engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    rd = report_dict(check_content(Content("old", "Which nerve root?", ORACLE)))
    now = utcnow()
    with db.engine.begin() as conn:
        tid = conn.execute(insert(Token).values(name="a", role="author", token_hash="h" * 64, prefix="ag_x",
                                                created_at=now).returning(Token.id)).scalar()
        aid = conn.execute(insert(Article).values(
            external_id="old", title="t", status="submitted", current_version=1, verdict=rd["verdict"], n_blocker=1,
            n_warning=0, n_info=0, ruleset="r", created_at=now, updated_at=now).returning(Article.id)).scalar()
        conn.execute(insert(Version).values(
            article_id=aid, number=1, sha256="s" * 64, title="t", format="text", body=ORACLE, submitted_by_id=tid,
            submitted_by="a", submitted_at=now, ruleset="r", checked_at=now, report=rd, verdict=rd["verdict"],
            n_blocker=1, n_warning=0, n_info=0))
    db.migrate()
    assert claims_of(db, 1, "old") == as_rows(rd) and rd["assertions"]
    db.dispose()

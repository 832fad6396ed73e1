"""The Alembic revisions are the schema: up from empty on both databases, equal to the models, and back down."""

from __future__ import annotations

import secrets

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, make_url, text

from review.db import Database, alembic_config, normalize_url
from review.models import Base

from .conftest import PG_ADMIN_URL


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_url(request, tmp_path, pg_url):
    """The URL of a database with nothing in it."""
    if request.param == "sqlite":
        yield normalize_url(str(tmp_path / "empty.db"))
        return
    if pg_url[0] is None:
        pytest.skip(pg_url[1])
    name = f"artgate_mig_{secrets.token_hex(4)}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_migrations_from_empty_match_the_models(empty_url):
    db = Database(empty_url)
    db.migrate()
    db.migrate()  # a second start-up finds nothing to do
    with db.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
        tables = set(inspect(conn).get_table_names())
        assert tables == set(Base.metadata.tables) | {"alembic_version"}
        assert conn.scalar(text("SELECT version_num FROM alembic_version")) == "0003"
    db.dispose()


def test_downgrade_to_base_removes_everything(empty_url):
    db = Database(empty_url)
    db.migrate()
    with db.engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    with db.engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
    db.dispose()

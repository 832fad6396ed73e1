"""--database-url names a store artgate knows or is refused in one line; tokens can be listed and revoked."""

from __future__ import annotations

import os

import pytest

from review.db import Database
from review.tokens import authenticate
from tests.conftest import ROOT, run_cli


@pytest.mark.parametrize("url", ["notaurl", "postgresql:/postgres@127.0.0.1:5432/test", "sqlite:/x.db",
                                 "sqlite://", "postgresql://"])
@pytest.mark.parametrize("command", [("token", "create", "--role", "admin", "--name", "ada"), ("token", "list"),
                                     ("recheck",), ("audit", "--no-prefect")])
def test_a_mistyped_database_url_is_refused_in_one_line_and_creates_nothing(url, command, tmp_path):
    before = set(os.listdir(ROOT))
    r = run_cli(*command, "--database-url", url, "--runs-dir", str(tmp_path / "runs")) if command[0] == "audit" \
        else run_cli(*command, "--database-url", url)
    assert r.returncode == 2
    err = r.stderr.decode().strip()
    assert len(err.splitlines()) == 1 and "is not a database URL" in err and "sqlite:///" in err
    assert set(os.listdir(ROOT)) == before  # no new SQLite file beside the project


def test_the_environment_variable_is_checked_too():
    r = run_cli("token", "list", env={**os.environ, "ARTGATE_DATABASE_URL": "notaurl"})
    assert r.returncode == 2 and b"$ARTGATE_DATABASE_URL 'notaurl'" in r.stderr


def test_a_password_in_a_refused_url_is_not_printed():
    r = run_cli("token", "list", "--database-url", "postgresql:/ada:s3cret@db/x")
    assert r.returncode == 2 and b"s3cret" not in r.stderr


def test_token_list_and_revoke(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    made = run_cli("token", "create", "--role", "reviewer", "--name", "rob", "--database-url", url)
    assert made.returncode == 0
    secret = made.stdout.decode().strip()
    listed = run_cli("token", "list", "--database-url", url)
    assert listed.returncode == 0 and str(tmp_path / "store.db") in listed.stderr.decode()
    lines = listed.stdout.decode().splitlines()
    assert lines[0].split() == ["id", "role", "created", "revoked", "name"]
    row = lines[1].split()
    assert row[0] == "1" and row[1] == "reviewer" and row[-1] == "rob" and "-" in row
    assert secret not in listed.stdout.decode()
    revoked = run_cli("token", "revoke", "1", "--database-url", url)
    assert revoked.returncode == 0 and b"token 1 for rob (reviewer) revoked" in revoked.stderr
    db = Database(url)
    try:
        assert authenticate(db, secret) is None
    finally:
        db.dispose()
    assert "-" not in run_cli("token", "list", "--database-url", url).stdout.decode().splitlines()[1].split()
    missing = run_cli("token", "revoke", "9", "--database-url", url)
    assert missing.returncode == 2 and b"no token with id 9" in missing.stderr

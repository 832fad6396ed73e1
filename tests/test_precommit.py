"""The pre-commit hook, end to end: real ``pre-commit`` and real ``git commit`` in a throw-away repository.

The hook is this repository's ``.pre-commit-hooks.yaml``. A team adds it with
``repo:`` and ``id:``, and pre-commit then installs artgate into an environment
of its own, which needs the network; so here the same hook definition is used
as a ``repo: local`` hook running the artgate already installed (the offline
set-up docs/pre-commit.md gives). Everything else is as a user has it:
``pre-commit install`` writes the git hook, and ``git commit`` runs it on the
staged files.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

SEEDS = ROOT / "seeds"
ARTGATE = Path(sys.executable).with_name("artgate")
PRE_COMMIT = Path(sys.executable).with_name("pre-commit")

pytestmark = pytest.mark.skipif(not (ARTGATE.exists() and PRE_COMMIT.exists()),
                                reason="needs the artgate and pre-commit commands beside this Python "
                                       "(pip install -e '.[dev]')")


def manifest_hook() -> dict:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return next(h for h in hooks if h["id"] == "artgate")


class Repo:
    """A git repository in a temporary folder with the artgate hook installed by ``pre-commit install``."""

    def __init__(self, folder: Path, **overrides):
        self.path = folder / "articles-repo"
        self.path.mkdir()
        self.env = {**os.environ, "PRE_COMMIT_HOME": str(folder / "pre-commit-cache"), "HOME": str(folder),
                    "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "Ada", "GIT_AUTHOR_EMAIL": "ada@example.invalid",
                    "GIT_COMMITTER_NAME": "Ada", "GIT_COMMITTER_EMAIL": "ada@example.invalid",
                    "PATH": f"{ARTGATE.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
        hook = {**manifest_hook(), "language": "system", **overrides}
        hook["entry"] = hook["entry"].replace("artgate", str(ARTGATE), 1)  # the artgate installed here
        hook.pop("minimum_pre_commit_version", None)
        config = {"repos": [{"repo": "local", "hooks": [hook]}]}
        (self.path / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        self.git("init", "-q", "-b", "main")
        installed = self.run(str(PRE_COMMIT), "install")
        assert installed.returncode == 0 and (self.path / ".git" / "hooks" / "pre-commit").exists(), installed.stderr
        self.git("add", ".pre-commit-config.yaml")
        self.git("commit", "-q", "-m", "pre-commit configuration")

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(args, cwd=self.path, env=self.env, capture_output=True, text=True, timeout=300)

    def git(self, *args: str) -> subprocess.CompletedProcess:
        r = self.run("git", *args)
        assert r.returncode == 0, r.stdout + r.stderr
        return r

    def add(self, name: str, source: Path | str) -> None:
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(source, Path):
            shutil.copy(source, target)
        else:
            target.write_text(source, encoding="utf-8")
        self.git("add", name)

    def commit(self, message: str) -> subprocess.CompletedProcess:
        return self.run("git", "commit", "-m", message)

    def committed(self) -> list[str]:
        return self.git("ls-tree", "-r", "--name-only", "HEAD").stdout.split()


def test_the_manifest_is_valid_for_pre_commit():
    r = subprocess.run([str(PRE_COMMIT), "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    hook = manifest_hook()
    assert hook["entry"].split()[:2] == ["artgate", "check"]
    assert hook["language"] == "python"


@pytest.fixture
def repo(tmp_path) -> Repo:
    return Repo(tmp_path)


def test_a_blocked_article_stops_the_commit_with_the_text_report(repo):
    repo.add("content/oracle.txt", SEEDS / "dorsiflexion-dr-oracle.txt")
    r = repo.commit("add the oracle's answer")
    out = r.stdout + r.stderr
    assert r.returncode != 0, out
    assert "artgate (medical article gate)" in out and "Failed" in out
    assert "content/oracle.txt  BLOCKED" in out
    assert "blocker  consistency.conflicting-roots" in out
    assert "content/oracle.txt" not in repo.committed()


def test_a_clean_article_passes_and_is_committed(repo):
    repo.add("content/corrected.md", SEEDS / "dorsiflexion-corrected.txt")
    r = repo.commit("add the corrected answer")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Passed" in r.stdout + r.stderr
    assert "content/corrected.md" in repo.committed()


def test_only_staged_article_files_are_checked(repo):
    """A blocked article that is not staged, or not an article file, never stops the commit."""
    (repo.path / "draft.txt").write_text((SEEDS / "dorsiflexion-dr-oracle.txt").read_text(encoding="utf-8"))
    repo.add("notes/oracle.rst", SEEDS / "dorsiflexion-dr-oracle.txt")
    repo.add("content/corrected.txt", SEEDS / "dorsiflexion-corrected.txt")
    r = repo.commit("a clean article and notes")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "draft.txt" not in repo.committed()


def test_which_files_are_articles_is_configurable(tmp_path):
    repo = Repo(tmp_path, files=r"^content/.*\.md$")
    repo.add("elsewhere/oracle.md", SEEDS / "dorsiflexion-dr-oracle.txt")
    r = repo.commit("outside the content folder")
    assert r.returncode == 0, r.stdout + r.stderr
    repo.add("content/oracle.md", SEEDS / "dorsiflexion-dr-oracle.txt")
    r = repo.commit("inside it")
    assert r.returncode != 0 and "content/oracle.md  BLOCKED" in r.stdout + r.stderr, r.stdout + r.stderr


def test_a_suppressed_blocker_with_a_reason_lets_the_commit_through(repo):
    text = ("Which root lifts the foot?\n\n"
            "[artgate-disable terminology.contradictory-direction: quoting the title of the cited study]\n"
            "The study 'Plantar dorsiflexion after surgery' reports that L4 and L5 supply ankle dorsiflexion.\n")
    repo.add("content/quoted.txt", text)
    r = repo.commit("a quoted title")
    assert r.returncode == 0, r.stdout + r.stderr

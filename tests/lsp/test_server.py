"""``artgate lsp`` end to end: the installed command spawned as an editor spawns it, driven over stdio.

The client (``tests/lsp/client.py``) speaks the protocol from the
specification; nothing of the server is imported into the exchanges. Expected
ranges are computed here from the report's offsets, independently of the
server's own conversion.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

from extractors.ingest import parse
from flows.check import check_article
from tests.conftest import ROOT

from .client import LspClient

ARTGATE = Path(sys.executable).with_name("artgate")
ORACLE = (ROOT / "seeds" / "dorsiflexion-dr-oracle.txt").read_text(encoding="utf-8")
SEVERITY = {"blocker": 1, "warning": 2, "info": 3}

pytestmark = pytest.mark.skipif(not ARTGATE.exists(), reason="needs the installed artgate command (pip install -e .)")


def position(text: str, offset: int) -> dict:
    """LSP position of a character offset: zero-based line, UTF-16 code units into it."""
    line_start = text.rfind("\n", 0, offset) + 1
    return {"line": text.count("\n", 0, offset), "character": len(text[line_start:offset].encode("utf-16-le")) // 2}


def span(text: str, start: int, end: int) -> dict:
    return {"start": position(text, start), "end": position(text, end)}


def apply(text: str, edits: list[dict]) -> str:
    """Apply LSP text edits to a text (positions in UTF-16 units), last first."""
    lines = text.split("\n")

    def offset(pos: dict) -> int:
        before = sum(len(ln) + 1 for ln in lines[:pos["line"]])
        line, units, i = lines[pos["line"]], 0, 0
        while units < pos["character"]:
            units += 2 if ord(line[i]) > 0xFFFF else 1
            i += 1
        return before + i

    for e in sorted(edits, key=lambda e: (e["range"]["start"]["line"], e["range"]["start"]["character"]),
                    reverse=True):
        text = text[:offset(e["range"]["start"])] + e["newText"] + text[offset(e["range"]["end"]):]
        lines = text.split("\n")
    return text


class Session:
    """An initialised server with helpers for one document at a time."""

    def __init__(self, folder: Path, *args: str):
        self.folder = folder
        self.client = LspClient([str(ARTGATE), "lsp", *args], cwd=folder)
        self.result = self.client.request("initialize", {
            "processId": None, "rootUri": folder.as_uri(), "workspaceFolders": None,
            "capabilities": {"general": {"positionEncodings": ["utf-16"]},
                             "textDocument": {"publishDiagnostics": {"relatedInformation": True},
                                              "hover": {"contentFormat": ["markdown", "plaintext"]},
                                              "codeAction": {"codeActionLiteralSupport": {
                                                  "codeActionKind": {"valueSet": ["quickfix"]}}}}}}, timeout=180)
        self.client.notify("initialized", {})
        self.versions: dict[str, int] = {}

    def uri(self, name: str) -> str:
        return (self.folder / name).as_uri()

    def open(self, name: str, text: str, language: str) -> dict:
        uri = self.uri(name)
        self.versions[uri] = 1
        self.client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": language,
                                                                     "version": 1, "text": text}})
        return self.diagnostics(uri, 1)

    def change(self, name: str, text: str) -> int:
        uri = self.uri(name)
        self.versions[uri] += 1
        self.client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": self.versions[uri]},
                                                      "contentChanges": [{"text": text}]})
        return self.versions[uri]

    def diagnostics(self, uri: str, version: int | None = None, timeout: float = 60) -> dict:
        return self.client.wait_for("textDocument/publishDiagnostics",
                                    lambda p: p["uri"] == uri and (version is None or p.get("version") == version),
                                    timeout=timeout)

    def close(self) -> None:
        self.client.close()


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    s = Session(tmp_path_factory.mktemp("lsp"), "--debounce-ms", "200")
    yield s
    s.close()


def test_initialize_announces_full_sync_hover_and_quick_fixes(session):
    caps = session.result["capabilities"]
    assert session.result["serverInfo"]["name"] == "artgate"
    assert caps["textDocumentSync"]["change"] == 1 and caps["textDocumentSync"]["openClose"] is True
    assert caps["textDocumentSync"]["save"] in (True, {"includeText": True})
    assert caps["hoverProvider"] and caps["codeActionProvider"]
    assert caps.get("positionEncoding", "utf-16") == "utf-16"


def test_open_publishes_one_diagnostic_per_finding_at_its_exact_evidence(session):
    published = session.open("oracle.txt", ORACLE, "plaintext")
    report = check_article(parse(ORACLE, "oracle.txt", "text"))
    expected = sorted(((f.rule, SEVERITY[f.severity], json.dumps(span(ORACLE, f.evidence[0].start, f.evidence[0].end),
                                                                 sort_keys=True))
                       for f in report.findings if not f.suppressed), key=str)
    got = sorted(((d["code"], d["severity"], json.dumps(d["range"], sort_keys=True))
                  for d in published["diagnostics"]), key=str)
    assert got == expected
    assert all(d["source"] == "artgate" for d in published["diagnostics"])
    first = next(d for d in published["diagnostics"] if d["code"] == "terminology.contradictory-direction")
    r = first["range"]
    line = ORACLE.split("\n")[r["start"]["line"]]
    assert line[r["start"]["character"]:r["end"]["character"]].lower() == "plantar dorsiflexion"
    conflict = next(d for d in published["diagnostics"] if d["code"] == "consistency.conflicting-roots")
    assert conflict["severity"] == 1 and len(conflict["relatedInformation"]) >= 1
    assert "suggestion: Make the sections agree" in conflict["message"]


def test_hover_on_a_claim_shows_it_and_the_reference_tables_answer_with_sources(session):
    uri = session.uri("oracle.txt")
    at = ORACLE.index("plantar dorsiflexion is L5") + len("plantar dorsiflexion is ")
    hover = session.client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                          "position": position(ORACLE, at)})
    text = hover["contents"]["value"]
    assert hover["contents"]["kind"] == "markdown"
    assert "**L5 → ankle dorsiflexion**" in text and "main root" in text
    assert "is L4, L5 (primary L4)" in text and "L5 is in its standard set" in text
    assert "Sources giving L5: Gray's Anatomy (Standring)" in text
    assert "Sources consulted: ISNCSCI key muscles" in text
    assert hover["range"] == span(ORACLE, at, at + 2)
    nothing = session.client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                            "position": position(ORACLE, 5)})
    assert nothing is None


def _actions(session, uri: str, diagnostic: dict) -> list[dict]:
    return session.client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": diagnostic["range"], "context": {"diagnostics": [diagnostic]}})


def test_a_code_action_applies_the_suggestion_and_the_change_is_rechecked(session):
    uri = session.uri("oracle.txt")
    session.change("oracle.txt", ORACLE)
    before = session.diagnostics(uri, session.versions[uri])["diagnostics"]
    term = [d for d in before if d["code"] == "terminology.contradictory-direction"]
    actions = _actions(session, uri, term[0])
    fix = next(a for a in actions if a["title"].startswith("Replace"))
    assert fix["title"] == "Replace 'plantar dorsiflexion' with 'dorsiflexion' (terminology.contradictory-direction)"
    assert fix["kind"] == "quickfix" and fix["isPreferred"] is True
    (edit,) = fix["edit"]["changes"][uri]
    assert edit == {"range": term[0]["range"], "newText": "dorsiflexion"}
    fixed = apply(ORACLE, [edit])
    version = session.change("oracle.txt", fixed)
    after = session.diagnostics(uri, version)["diagnostics"]
    assert len([d for d in after if d["code"] == "terminology.contradictory-direction"]) == len(term) - 1

    capital = next(d for d in after if d["code"] == "terminology.contradictory-direction"
                   and fixed.split("\n")[d["range"]["start"]["line"]][d["range"]["start"]["character"]] == "P")
    edit = next(a for a in _actions(session, uri, capital) if a["title"].startswith("Replace"))
    assert edit["edit"]["changes"][uri][0]["newText"][0] == "D"  # "Plantar dorsiflexion" → "Dorsiflexion"


def test_a_code_action_adds_a_suppression_directive_whose_reason_the_writer_gives(session):
    text = ("Which root lifts the foot?\n\n"
            "Intro line.\n\n"
            "The study 'Plantar dorsiflexion after surgery' found that L4 and L5 supply ankle dorsiflexion.\n")
    uri = session.uri("quoted.txt")
    diags = session.open("quoted.txt", text, "plaintext")["diagnostics"]
    term = next(d for d in diags if d["code"] == "terminology.contradictory-direction")
    suppress = next(a for a in _actions(session, uri, term) if a["title"].startswith("Suppress"))
    assert suppress["title"].startswith("Suppress terminology.contradictory-direction for this paragraph")
    (edit,) = suppress["edit"]["changes"][uri]
    assert edit["newText"] == "[artgate-disable terminology.contradictory-direction: ]\n"
    assert edit["range"]["start"] == {"line": 4, "character": 0}
    with_directive = apply(text, [edit])
    version = session.change("quoted.txt", with_directive)
    diags = session.diagnostics(uri, version)["diagnostics"]
    codes = [d["code"] for d in diags]
    assert "suppression.missing-reason" in codes and "terminology.contradictory-direction" in codes
    reasoned = with_directive.replace("direction: ]", "direction: quoting the study's own title]")
    version = session.change("quoted.txt", reasoned)
    codes = [d["code"] for d in session.diagnostics(uri, version)["diagnostics"]]
    assert "terminology.contradictory-direction" not in codes and "suppression.missing-reason" not in codes


def test_changes_are_debounced_into_one_check_of_the_last_text(session):
    uri = session.uri("burst.md")
    session.open("burst.md", "# Which root lifts the foot?\n\nThe L4 root supplies ankle dorsiflexion.\n", "markdown")
    words = "# Which root lifts the foot?\n\nThe L4 root supplies plantar dorsiflexion"
    versions = [session.change("burst.md", words[:n] + ".\n") for n in range(len(words) - 4, len(words) + 1)]
    last = session.diagnostics(uri, versions[-1])
    assert "terminology.contradictory-direction" in [d["code"] for d in last["diagnostics"]]
    session.client.drain(0.6)
    stale = [p for p in session.client.taken("textDocument/publishDiagnostics") if p["uri"] == uri]
    assert stale == [], f"{len(stale)} checks of intermediate texts were published"


def test_positions_count_utf16_units_and_markdown_gets_comment_directives(session):
    foot = "\U0001F9B6"  # outside the Basic Multilingual Plane: two UTF-16 units
    text = f"# Which root lifts the foot? {foot}\n\n{foot}{foot} The L5 root supplies plantar dorsiflexion.\n"
    uri = session.uri("emoji.md")
    diags = session.open("emoji.md", text, "markdown")["diagnostics"]
    term = next(d for d in diags if d["code"] == "terminology.contradictory-direction")
    start = text.index("plantar dorsiflexion")
    assert term["range"] == span(text, start, start + len("plantar dorsiflexion"))
    assert term["range"]["start"]["character"] == len("\U0001F9B6\U0001F9B6 The L5 root supplies ") + 2
    suppress = next(a for a in _actions(session, uri, term) if a["title"].startswith("Suppress"))
    assert suppress["edit"]["changes"][uri][0]["newText"] == \
        "<!-- artgate-disable terminology.contradictory-direction: -->\n"


def test_a_json_record_is_checked_on_its_body_with_ranges_in_the_file(session):
    body = "Which root lifts the foot?\n\nThe L5 root supplies plantar dorsiflexion (caf\u00e9).\n"
    text = json.dumps({"id": "cms-1", "title": "Which root lifts the foot?", "body": body}, indent=2,
                      ensure_ascii=True)
    uri = session.uri("record.json")
    diags = session.open("record.json", text, "json")["diagnostics"]
    term = next(d for d in diags if d["code"] == "terminology.contradictory-direction")
    start = text.index("plantar dorsiflexion")
    assert term["range"] == span(text, start, start + len("plantar dorsiflexion"))
    fix = next(a for a in _actions(session, uri, term) if a["title"].startswith("Replace"))
    fixed = apply(text, fix["edit"]["changes"][uri])
    assert json.loads(fixed)["body"] == body.replace("plantar dorsiflexion", "dorsiflexion")
    broken = session.open("broken.json", '{"body": ', "json")["diagnostics"]
    assert [d["code"] for d in broken] == ["ingest.malformed"]


def test_close_clears_the_documents_diagnostics(session):
    uri = session.uri("emoji.md")
    session.client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    assert session.diagnostics(uri)["diagnostics"] == []


def test_save_checks_at_once_while_typing_waits_for_the_pause(tmp_path):
    s = Session(tmp_path, "--debounce-ms", "60000")
    try:
        uri = s.uri("a.txt")
        s.open("a.txt", "Which root lifts the foot?\n\nThe L4 root supplies ankle dorsiflexion.\n", "plaintext")
        text = "Which root lifts the foot?\n\nThe L4 root supplies plantar dorsiflexion.\n"
        version = s.change("a.txt", text)
        s.client.drain(1.5)
        assert not s.client.taken("textDocument/publishDiagnostics"), "a change was checked before the pause"
        t0 = time.monotonic()
        s.client.notify("textDocument/didSave", {"textDocument": {"uri": uri}, "text": text})
        saved = s.diagnostics(uri, version, timeout=20)
        assert time.monotonic() - t0 < 20
        assert "terminology.contradictory-direction" in [d["code"] for d in saved["diagnostics"]]

        assert s.client.request("shutdown") is None
        s.client.notify("exit")
        assert s.client.proc.wait(timeout=20) == 0
    finally:
        s.close()


def test_a_bad_configuration_is_one_line_on_stderr_before_the_editor_connects(tmp_path):
    (tmp_path / "artgate.toml").write_text("levle = 1\n")
    client = LspClient([str(ARTGATE), "lsp", "--config", str(tmp_path / "artgate.toml")], cwd=tmp_path)
    try:
        assert client.proc.wait(timeout=120) == 2
        client.reader.join(timeout=5)
        err = b"".join(client.stderr).decode()
        assert err.startswith("artgate: error:") and "artgate.toml" in err and "Traceback" not in err
    finally:
        client.close()

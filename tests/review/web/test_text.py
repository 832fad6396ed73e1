"""Evidence marking in windows of the text, and the diff of two versions, against plain references."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from review.web.text import line_diff, marked_text, text_windows

from ..conftest import ORACLE

lines = st.lists(st.sampled_from(["", "L5", "L4 supplies ankle dorsiflexion.", "x", "y", "From the Research"]),
                 max_size=40)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(lines, lines, lines)
def test_the_diff_is_an_edit_script_from_one_version_to_the_other(head, middle, tail):
    old = "\n".join(head + middle + tail)
    new = "\n".join(head + list(reversed(middle)) + ["changed"] + tail)
    a, b = old.splitlines(), new.splitlines()
    rows = line_diff(old, new)
    for r in rows:
        assert r["op"] == "skip" or ((r["old"] is None or a[r["old"] - 1] == r["text"]) and (
            r["new"] is None or b[r["new"] - 1] == r["text"]))
    deleted = {r["old"] for r in rows if r["op"] == "delete"}
    inserted = {r["new"] for r in rows if r["op"] == "insert"}
    assert [x for i, x in enumerate(a, 1) if i not in deleted] == [x for j, x in enumerate(b, 1) if j not in inserted]
    assert line_diff(old, old) == []


def test_a_long_article_is_diffed_on_its_changed_part_with_recurring_lines_skipped(monkeypatch):
    import difflib

    seen = []
    matcher = difflib.SequenceMatcher

    def recording(isjunk, a, b, autojunk=True):
        seen.append((len(a), len(b), autojunk))
        return matcher(isjunk, a, b, autojunk=autojunk)

    monkeypatch.setattr(difflib, "SequenceMatcher", recording)
    old = ORACLE * 200  # 900 KB of recurring lines: the whole-text matcher took about 6 s on it
    new = old.replace("Disclaimer", "Disclaimer!", 1) + "\nA closing line.\n"
    rows = line_diff(old, new)
    assert [r["text"] for r in rows if r["op"] == "insert"][-1] == "A closing line."
    assert sum(r["op"] == "delete" for r in rows) == 1
    [(a, _b, autojunk)] = seen
    assert a < len(old.splitlines()) and autojunk  # the lines both versions begin with are not matched again
    small = ORACLE.replace("Disclaimer", "Disclaimer!", 1)
    line_diff(ORACLE, small)
    assert seen[-1] == (5, 5, False)  # a short change: its lines and the context around them, exact matching


def test_a_window_is_marked_exactly_as_the_whole_text():
    findings = [{"id": "f1", "severity": "blocker", "evidence": [{"start": 5, "end": 40}], "assertions": ["a1"]},
                {"id": "f2", "severity": "warning", "evidence": [{"start": 30, "end": 36}], "assertions": []}]
    text = "0123456789" * 10
    whole = str(marked_text(text, findings))
    windows = text_windows(text, 25)
    assert windows[0][0] == 0 and windows[-1][1] == len(text)
    parts = "".join(str(marked_text(text, findings, a, b)) for a, b in windows)
    strip = lambda html: __import__("re").sub(r"<[^>]+>", "", html)  # noqa: E731
    assert strip(parts) == strip(whole) == text
    assert whole.count('id="ev-f1-0"') == parts.count('id="ev-f1-0"') == 1
    assert 'class="sev-warning word"' in whole or 'class="sev-blocker word nested"' in whole

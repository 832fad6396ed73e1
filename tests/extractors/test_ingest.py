import json

import pytest

from extractors.errors import InputError
from extractors.ingest import parse, read_bytes, read_jsonl, read_path
from tests.conftest import CORRECTED, ORACLE


def test_seed_structure():
    a = read_path(ORACLE)[0]
    assert a.title == "Which nerve root is responsible for dorsal extension of the foot?"
    assert a.status == "submitted"
    assert a.metadata["last_updated"] == "April 24, 2025"
    assert a.content_sections == ["From the Guidelines", "From the Research"]
    subs = [s.heading for s in a.sections if s.level == 2]
    assert subs == ["Nerve Root Responsible for Plantar Dorsiflexion", "Associated Movements and Nerve Roots",
                    "Clinical Implications"]
    assert all(s.top == "From the Research" for s in a.sections if s.level == 2)
    assert len(a.content_sha256) == 64


def test_seed_references_numbered_in_order():
    refs = read_path(ORACLE)[0].references
    assert [r.number for r in refs] == [1, 2, 3]
    assert [r.label for r in refs] == ["Guideline", "Research", "Research"]
    assert refs[1].title == "Foot dystonia and lumbar canal stenosis."
    assert refs[2].title.startswith("Recovery of ankle dorsiflexion weakness")


def test_boilerplate_is_not_content():
    a = read_path(ORACLE)[0]
    for phrase in ("Medical Advisory Board", "Under Review", "Personalize", "Professional Medical Disclaimer",
                   "Have a follow-up question", "Dr.Oracle assumes no liability", "Foot dystonia and lumbar"):
        i = a.text.index(phrase)
        assert a.plain[i:i + len(phrase)].strip() == "", phrase
    kinds = {s.heading: s.kind for s in a.sections}
    assert kinds["References"] == "references"
    assert kinds["Professional Medical Disclaimer"] == "boilerplate"


def test_plain_keeps_offsets():
    a = read_path(CORRECTED)[0]
    assert len(a.plain) == len(a.text)
    i = a.text.index("tibialis anterior")
    assert a.plain[i:i + 17] == "tibialis anterior"


MARKDOWN = """---
id: md-article
status: under review
---
# Which root serves ankle dorsiflexion?

## From the Guidelines

Ankle dorsiflexion is served by the **L4** and L5 roots [1].

- Great toe extension tests the *L5* root.
* The Achilles reflex tests S1.

| Root | Movement | Reflex |
|------|----------|--------|
| L4 | ankle dorsiflexion | patellar reflex |

## References

1. Example reference one.
2. Example reference two.
"""


def test_markdown():
    a = parse(MARKDOWN, "a.md", "markdown")
    assert a.id == "md-article"
    assert a.status == "under_review"
    assert a.title == "Which root serves ankle dorsiflexion?"
    assert a.content_sections == ["From the Guidelines"]
    assert [b.kind for b in a.blocks] == ["heading", "paragraph", "bullet", "bullet", "table_row", "table_row"]
    assert [r.number for r in a.references] == [1, 2]
    assert a.references[1].title == "Example reference two."
    i = a.text.index("**L4**")
    assert a.plain[i:i + 6] == "  L4  "
    assert "---" not in a.plain


HTML = """<!doctype html><html><head><title>Which root serves dorsiflexion?</title>
<meta name="status" content="Approved">
<style>p { color: red }</style><script>var L5 = "ankle dorsiflexion";</script></head>
<body><h1>Which root serves dorsiflexion?</h1>
<h2>From the Guidelines</h2>
<p>Dorsiflexion is served by the L4 &amp; L5 roots.</p>
<ul><li>Great toe extension tests L5.</li><li>The ankle jerk tests S1.</li></ul>
<table><tr><td>L3</td><td>knee extension</td></tr></table>
<h2>References</h2><ol><li>One reference.</li></ol>
</body></html>"""


def test_html_drops_markup_and_scripts_but_keeps_offsets():
    a = parse(HTML, "a.html", "html")
    assert a.title == "Which root serves dorsiflexion?"
    assert a.status == "approved"
    assert len(a.plain) == len(a.text)
    assert "var L5" not in a.plain and "color" not in a.plain and "<" not in a.plain
    i = a.text.index("L4 &amp; L5")
    assert a.plain[i:i + 11].split() == ["L4", "&", "L5"]
    kinds = [b.kind for b in a.blocks]
    assert kinds.count("bullet") == 2 and "table_row" in kinds
    assert [r.title for r in a.references] == ["One reference."]


def test_json_record():
    rec = {"id": "cms-42", "title": "Which root?", "status": "Under Review",
           "body": "From the Guidelines\n\nThe L5 root controls great toe extension.\n"}
    a = read_bytes(json.dumps(rec).encode(), "cms.json", "json")
    assert (a.id, a.title, a.status) == ("cms-42", "Which root?", "under_review")
    assert a.content_sections == ["From the Guidelines"]
    assert a.text == rec["body"]


def test_jsonl_bad_line_is_reported_and_others_read():
    raw = b'{"id": "a", "title": "t", "status": "submitted", "body": "Body\\n\\nL5 controls dorsiflexion."}\n'
    raw += b"{not json\n"
    raw += b'{"id": "c", "title": "t", "body": "L4 controls knee extension."}\n'
    arts = read_jsonl(raw, "export.jsonl")
    assert [a.id for a in arts] == ["a", "export-line2", "c"]
    assert arts[1].problems[0].rule == "ingest.malformed"
    assert not arts[0].problems and not arts[2].problems


def test_missing_file_raises_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_path(tmp_path / "nope.txt")


@pytest.mark.parametrize(("content", "rule"), [
    (b"", "ingest.empty"),
    (b"   \n\n  ", "ingest.empty"),
    (b"\x00\x01\x02binary\x00junk" * 50, "ingest.binary"),
    (b"Just a title\n\nMedical Advisory Board\n", "ingest.no-content"),
])
def test_malformed_inputs_become_problems(tmp_path, content, rule):
    f = tmp_path / "bad.txt"
    f.write_bytes(content)
    (a,) = read_path(f)
    assert [p.rule for p in a.problems] == [rule]


def test_too_large(tmp_path):
    f = tmp_path / "big.txt"
    f.write_text("L5 controls dorsiflexion. " * 100)
    (a,) = read_path(f, max_bytes=100)
    assert a.problems[0].rule == "ingest.too-large"


def test_non_utf8_is_read_with_a_warning(tmp_path):
    f = tmp_path / "latin.txt"
    f.write_bytes("Title\n\nFrom the Guidelines\n\nThe L5 root \xe2\x80\x94 caf\xe9.\n".encode("latin-1",
                                                                                           errors="ignore"))
    (a,) = read_path(f)
    assert a.problems[0].rule == "ingest.encoding"
    assert "caf" in a.text


def test_a_page_stored_as_one_long_line_is_content_not_a_title():
    """A table or paragraph flattened onto one line has no title line: it is read, not blocked as empty."""
    from extractors.ingest import MAX_TITLE_CHARS, parse

    line = "Myotome | Function | L2 | Hip flexion | L3 | Knee extension | L4 | Ankle dorsiflexion | " * 5
    assert len(line) > MAX_TITLE_CHARS
    article = parse(line, "one-line.md", "markdown")
    assert not article.problems and article.title == "" and article.blocks
    short = parse("Which root serves the ankle jerk?", "q.txt", "text")
    assert [p.rule for p in short.problems] == ["ingest.no-content"]  # a question alone is still no content

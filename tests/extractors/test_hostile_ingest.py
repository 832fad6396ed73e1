"""Hostile inputs end in bounded time, and files that are not text are named, never read as prose.

Each input below once took from half a minute to hours of CPU (a pattern that
searched from every opener to the end of the text, or a list copied per
heading). They run in one child process under a CPU limit, so a regression
fails the test instead of hanging the suite.
"""

import json
import subprocess
import sys
import textwrap

import pytest

from extractors.ingest import container_format, parse, read_bytes, read_jsonl
from flows.check import check_article
from flows.cli import main
from tests.conftest import ROOT

HOSTILE = {
    "markdown links": ("'[' * 50000 + '](' * 50000", "markdown"),
    "markdown images": ("'![' * 50000 + '](' * 50000", "markdown"),
    "markdown emphasis": ("'*' * 20000 + ' L5 dorsiflexion'", "markdown"),
    "text emphasis": ("'*' * 20000 + ' L5 dorsiflexion'", "text"),
    "markdown headings": ("'# L5\\n' * 100000", "markdown"),
    "text headings": ("'# L5\\n' * 100000", "text"),
    "table pipes": ("'| a |' + '|' * 100000", "markdown"),
    "unclosed comments": ("'<p>L5 dorsiflexion</p>' + '<!--' * 50000", "html"),
    "unclosed scripts": ("'<p>L5 dorsiflexion</p>' + '<script>' * 50000", "html"),
    "title tags": ("'<title>' * 50000 + '</title><p>L5</p>'", "html"),
    "open tags": ("'<p>L5</p>' + '<p' * 50000", "html"),
    "directives": ("'L5\\n' + '<!-- artgate-disable a.b: x' * 50000", "markdown"),
}

CPU_LIMIT_S = 10  # the bound every hostile input must meet, parse and check together


def test_hostile_inputs_are_checked_within_the_cpu_bound():
    script = textwrap.dedent("""
        import json, resource, sys, time
        from extractors.ingest import parse
        from flows.check import check_article
        check_article(parse("L5 supplies ankle dorsiflexion.", "warm", "text"))
        out = {}
        for name, (expr, fmt) in json.loads(sys.argv[1]).items():
            text = eval(expr)
            t0 = time.process_time()
            report = check_article(parse(text, name, fmt))
            out[name] = [time.process_time() - t0, report.verdict]
            print(json.dumps({name: out[name]}), flush=True)
    """)
    proc = subprocess.run([sys.executable, "-c", script, json.dumps(HOSTILE)], cwd=ROOT, capture_output=True,
                          text=True, timeout=CPU_LIMIT_S * len(HOSTILE) + 60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    seen = {}
    for line in proc.stdout.splitlines():
        seen.update(json.loads(line))
    assert set(seen) == set(HOSTILE)
    slow = {name: round(cpu, 1) for name, (cpu, _) in seen.items() if cpu > CPU_LIMIT_S}
    assert not slow


def test_link_text_and_targets_are_still_blanked():
    a = parse("Title\n\nSee [the L5 table](https://x.org/a_b) and ![L4](img.png) for **S1**.", "x", "markdown")
    assert "the L5 table" in a.plain and "https" not in a.plain and "img.png" not in a.plain
    assert "**" not in a.plain and "S1" in a.plain


def test_a_long_run_of_marks_is_text_not_emphasis():
    a = parse("Title\n\n" + "*" * 10 + " L5 dorsiflexion and **S1** plantarflexion", "x", "markdown")
    assert "*" * 10 in a.plain and "**" not in a.plain.replace("*" * 10, "")


def test_sections_end_where_the_next_one_at_their_level_starts():
    text = "# T\n\n## A\n\nx\n\n### A1\n\ny\n\n## B\n\nz\n"
    a = parse(text, "x", "markdown")
    by = {s.heading: s for s in a.sections}
    assert by["A"].end == by["B"].start == text.index("## B")
    assert by["A1"].end == by["B"].start
    assert by["B"].end == len(text)


PDF = (b"%PDF-1.4\n1 0 obj << /Length 60 >> stream\nBT /F1 12 Tf (The L5 root supplies plantar dorsiflexion) "
       b"Tj ET\nendstream\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")


@pytest.mark.parametrize(("raw", "name"), [
    (PDF, "a PDF document"),
    (b"PK\x03\x04\x14\x00[Content_Types].xml word/document.xml", "a Word document (.docx)"),
    (b"PK\x03\x04\x14\x00[Content_Types].xml xl/workbook.xml", "an Excel workbook (.xlsx)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "a Microsoft Office 97-2003 document (.doc, .xls, .ppt)"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "a PNG image"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 20, "a JPEG image"),
    (b"\x1f\x8b\x08\x00" + b"\x00" * 20, "a gzip archive"),
    (b"PK\x03\x04\x14\x00notes.txt", "a ZIP archive"),
])
def test_documents_images_and_archives_are_refused_by_content(raw, name):
    assert container_format(raw) == name
    article = read_bytes(raw, "article.txt")  # the name says text; the content does not
    (problem,) = article.problems
    assert problem.rule == "ingest.unsupported-format" and problem.severity == "blocker"
    assert name in problem.message
    report = check_article(article)
    assert report.verdict == "blocked"
    assert not [f for f in report.findings if f.rule.startswith("terminology.")]  # 'BT', 'ET' are not terms


def test_a_pdf_sent_as_text_is_refused_too():
    article = parse(PDF.decode("latin-1"), "review:cms-1", "text")
    assert [p.rule for p in article.problems] == ["ingest.unsupported-format"]
    assert check_article(article).verdict == "blocked"


def test_prose_that_merely_starts_like_a_signature_is_text():
    for text in ("BZh is a bzip2 marker. L5 supplies ankle dorsiflexion.", "ID3 tags. L5 dorsiflexion.",
                 "GIF images. L5"):
        assert "ingest.unsupported-format" not in [p.rule for p in read_bytes(text.encode(), "a.txt").problems]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-32-be"])
def test_utf16_and_utf32_with_a_byte_order_mark_are_text(encoding):
    body = "Dorsiflexion\n\nThe L5 root supplies ankle dorsiflexion."
    raw = body.encode(encoding)
    if encoding.endswith("-be"):
        raw = ("\ufeff" + body).encode(encoding)
    article = read_bytes(raw, "a.txt")
    assert article.problems == ()
    assert article.text == body
    assert any(a.root == "L5" for a in check_article(article).assertions)


def test_a_utf16_export_is_read_line_by_line():
    lines = [json.dumps({"id": f"a{i}", "title": "T", "body": "L5 supplies ankle dorsiflexion."}) for i in range(3)]
    articles = read_jsonl("\n".join(lines).encode("utf-16"), "x.jsonl")
    assert [a.id for a in articles] == ["a0", "a1", "a2"]
    assert all(a.problems == () for a in articles)


def test_max_bytes_past_the_checkers_limit_is_refused_in_one_line(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["check", "--max-bytes", "30000000", str(ROOT / "seeds")])
    assert exit_.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert "30,000,000" in err and "20,000,000" in err and "E088" not in err


def test_an_article_longer_than_the_checker_reads_is_blocked_not_a_crash(monkeypatch):
    import flows.check

    monkeypatch.setattr(flows.check, "MAX_ARTICLE_CHARS", 1000)
    report = check_article(parse("Title\n\n" + "L5 supplies ankle dorsiflexion. " * 100, "x", "text"))
    assert report.verdict == "blocked"
    (f,) = [f for f in report.findings if f.rule == "ingest.unprocessable"]
    assert "over the 1,000 the checker reads" in f.message

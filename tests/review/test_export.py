"""``artgate corrections export``: the claim decisions as labelled pages that ``extractors.evaluate`` reads."""

from __future__ import annotations

import json

from extractors.evaluate import evaluate, load_gold
from review import decisions as dc
from review import workflow as wf
from review.checking import Content
from review.export import export_corrections, file_name, site_of
from review.tokens import Actor, create_token

from .conftest import CORRECTED, ORACLE

TITLE = "Which nerve root is responsible for dorsal extension of the foot?"


def actors(db):
    made = {n: create_token(db, n, r) for n, r in (("alice", "author"), ("rob", "reviewer"), ("rita", "reviewer"))}
    return {n: Actor(t.id, t.name, t.role) for n, t in made.items()}


def triples(rows):
    return sorted((a["root"], a["target"], a["polarity"], a["sentence"]) for a in rows)


def test_the_export_round_trips_through_load_gold(db, tmp_path):
    cast = actors(db)
    a = wf.submit(db, cast["alice"], Content("cms-4711", TITLE, ORACLE)).article["id"]
    wf.submit(db, cast["alice"], Content("cms-untouched", TITLE, CORRECTED))  # no decision: not exported
    wf.transition(db, cast["rob"], a, "in_review")
    rep = wf.report(db, a)
    wrong = next(x for x in rep["assertions"] if (x["root"], x["target"]) == ("L5", "ankle_plantarflexion")
                 and "primarily associated" in x["sentence"])
    dc.decide(db, cast["rob"], a, wrong["id"], "wrong", reason="denied in the text")
    dc.decide(db, cast["rob"], a, "a1", "correct", root="L4", reason="misread")
    added = dc.add_claim(db, cast["rita"], a, root="L2", target="ankle_dorsiflexion",
                         sentence="The L3 and L4 nerve roots are associated with dorsiflexion torque")
    decided = wf.report(db, a)
    wf.submit(db, cast["alice"], Content("cms-4711", TITLE, ORACLE + "\nA closing line.\n"))  # carries them

    out = tmp_path / "corrections"
    summary = export_corrections(db, out)
    assert (summary.pages, summary.decisions) == (1, {"wrong": 1, "corrected": 1, "added": 1})
    [row] = [json.loads(line) for line in (out / "gold.jsonl").read_text(encoding="utf-8").splitlines()]
    assert row["file"] == file_name(a, "cms-4711", 1, "text") == f"{a}-cms-4711-v1.txt"
    assert row["site"] == "corrections" and row["inconsistencies"] is None and row["source"]["version"] == 1
    assert "rita" in row["notes"] and "denied in the text" in row["notes"]
    assert (out / row["file"]).read_text(encoding="utf-8") == ORACLE

    [gold] = load_gold(out / "gold.jsonl")
    assert gold.file == out / row["file"] and gold.inconsistencies is None
    labelled = sorted((t.root, t.target, t.polarity, t.sentence) for t in gold.assertions)
    assert labelled == triples(decided["assertions"])
    assert ("L5", "ankle_plantarflexion", "affirmed", wrong["sentence"]) not in labelled
    assert any(t[:2] == ("L4", "ankle_dorsiflexion") and "primarily responsible" in t[3] for t in labelled)
    assert any(t[:2] == ("L2", "ankle_dorsiflexion") and t[3] == added["decision"]["sentence"] for t in labelled)

    score = evaluate(out / "gold.jsonl")  # the extractor against the reviewers: it still reads what they fixed
    assert score.overall.tp + score.overall.fn == len(labelled)
    assert {(t.root, t.target) for t in score.false_negatives} >= {("L4", "ankle_dorsiflexion"),
                                                                   ("L2", "ankle_dorsiflexion")}
    assert ("L5", "ankle_plantarflexion", wrong["sentence"]) in {(t.root, t.target, t.sentence)
                                                                for t in score.false_positives}

    dc.decide(db, cast["rita"], a, "a2", "confirm")  # a decision made on version 2 exports version 2 as well
    assert export_corrections(db, out).pages == 2
    assert len(load_gold(out / "gold.jsonl")) == 2


def test_the_site_comes_from_the_page_s_metadata_or_url(db, tmp_path):
    cast = actors(db)
    body = "---\nurl: https://www.Spine-Example.org/roots/l5\n---\n# Roots\n\nL5 supplies ankle dorsiflexion.\n"
    a = wf.submit(db, cast["alice"], Content("md-1", "Roots", body, "markdown")).article["id"]
    wf.transition(db, cast["rob"], a, "in_review")
    dc.decide(db, cast["rob"], a, "a1", "confirm")
    export_corrections(db, tmp_path)
    [row] = [json.loads(line) for line in (tmp_path / "gold.jsonl").read_text().splitlines()]
    assert row["site"] == "spine-example.org" and row["file"].endswith("-md-1-v1.md")
    assert site_of({"og:site_name": "Spine Example"}) == "spine example"
    assert site_of({}, "https://cms.example.net/a/1") == "cms.example.net"
    assert file_name(7, "../../etc/passwd\n", 2, "html") == "7-etc_passwd-v2.html"


def test_the_command_writes_the_export_and_says_what_it_wrote(db, tmp_path, capsys):
    from flows.cli import main

    url = db.url
    out = tmp_path / "out"
    assert main(["corrections", "export", str(out), "--database-url", url]) == 0
    assert "no version has a reviewer's claim decision yet" in capsys.readouterr().out
    assert (out / "gold.jsonl").read_text() == ""
    cast = actors(db)
    a = wf.submit(db, cast["alice"], Content("cms-1", TITLE, ORACLE)).article["id"]
    wf.transition(db, cast["rob"], a, "in_review")
    dc.decide(db, cast["rob"], a, "a1", "wrong", reason="not said")
    assert main(["corrections", "export", str(out), "--database-url", url]) == 0
    said = capsys.readouterr().out
    assert "1 labelled pages" in said and "1 wrong" in said and "gold.jsonl" in said
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    assert main(["corrections", "export", str(blocker), "--database-url", url]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not a folder" in err

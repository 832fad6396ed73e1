"""Assertion extraction: the seed acceptance table, then one test per phenomenon."""

import pytest

from extractors.types import ASSERTION_COLUMNS
from tests.conftest import ROOT, check_text, triples

G, R = "From the Guidelines", "From the Research"


def rows(report, section=None):
    return {(a.section, a.root, a.target, a.polarity) for a in report.assertions
            if section is None or a.section == section}


# --- seed-acceptance.md: dorsiflexion-dr-oracle.txt --------------------------------------------------------


@pytest.mark.parametrize(("section", "root", "target"), [
    (G, "L5", "ankle_dorsiflexion"),
    (G, "L5", "great_toe_extension"),
    (G, "L4", "knee_extension"),
    (G, "L4", "patellar_reflex"),
    (G, "S1", "ankle_plantarflexion"),
    (G, "S1", "achilles_reflex"),
    (R, "L3", "ankle_dorsiflexion"),
    (R, "L4", "ankle_dorsiflexion"),
    (R, "L5", "ankle_plantarflexion"),
    (R, "S1", "ankle_plantarflexion"),
    (R, "S1", "foot_inversion"),
])
def test_oracle_required_affirmed_rows(oracle_report, section, root, target):
    assert (section, root, target, "affirmed") in rows(oracle_report)


def test_oracle_primary_rows(oracle_report):
    primary = {(a.section, a.root, a.target) for a in oracle_report.assertions
               if a.primary and a.polarity == "affirmed"}
    assert (G, "L5", "ankle_dorsiflexion") in primary
    assert (R, "L5", "ankle_plantarflexion") in primary


def test_oracle_l3_l4_dorsiflexion_stated_twice(oracle_report):
    sentences = {a.start for a in oracle_report.assertions
                 if a.root == "L3" and a.target == "ankle_dorsiflexion" and a.polarity == "affirmed"}
    assert len(sentences) == 2


def test_oracle_s1_dorsiflexion_is_never_affirmed(oracle_report):
    s1_dorsi = [a for a in oracle_report.assertions if a.root == "S1" and a.target == "ankle_dorsiflexion"]
    assert {a.polarity for a in s1_dorsi} == {"negated", "uncertain"}
    assert any("but not with dorsiflexion" in a.sentence and a.polarity == "negated" for a in s1_dorsi)
    assert any("no direct evidence" in a.sentence and a.polarity == "uncertain" for a in s1_dorsi)


def test_oracle_must_not_rows(oracle_report):
    text = oracle_report.article.text
    levels = text.index("L4/L5 and L5/S1 levels")
    dystonia = text.index("Foot dystonia can be caused")
    for a in oracle_report.assertions:
        assert not (a.start <= levels < a.end and a.root in ("L4", "S1")), a
        assert not (a.start <= dystonia < a.end), a


def test_assertion_spans_are_sentences(oracle_report):
    text = oracle_report.article.text
    for a in oracle_report.assertions:
        assert " ".join(text[a.start:a.end].split()) == a.sentence
        assert text[a.root_start:a.root_end] in a.sentence or a.root_start >= a.start
        assert a.start <= a.target_start < a.target_end <= a.end


def test_citations_attach_to_sentences(oracle_report):
    def cites(prefix):
        return {a.citations for a in oracle_report.assertions if a.sentence.startswith(prefix)}

    assert cites("According to the evidence provided by 1 and 1") == {("1",)}
    assert cites("There is no direct evidence") == {("2", "3")}
    assert cites("The nerve root primarily responsible") == {()}


# --- dorsiflexion-corrected.txt ---------------------------------------------------------------------------


def test_corrected_rows(corrected_report):
    got = triples(corrected_report)
    assert {("L4", "ankle_dorsiflexion"), ("L5", "ankle_dorsiflexion"), ("L5", "great_toe_extension"),
            ("L4", "knee_extension"), ("L4", "patellar_reflex"), ("S1", "ankle_plantarflexion"),
            ("S1", "achilles_reflex")} <= got
    assert ("S1", "ankle_dorsiflexion") in triples(corrected_report, "negated")
    assert ("S1", "ankle_dorsiflexion") not in got


# --- phenomena ------------------------------------------------------------------------------------------


def body(*sentences: str) -> str:
    return "Title\n\nFrom the Guidelines\n\n" + "\n\n".join(sentences) + "\n"


def test_clauses_do_not_cross_link():
    r = check_text(body("L3 and L4 are associated with dorsiflexion, while L5 is associated with plantar flexion."))
    assert triples(r) == {("L3", "ankle_dorsiflexion"), ("L4", "ankle_dorsiflexion"), ("L5", "ankle_plantarflexion")}


def test_elliptical_clause_joins_its_neighbour():
    r = check_text(body("Foot drop is most often caused by an L5 radiculopathy, and less often by an L4 root lesion."))
    assert triples(r) == {("L5", "ankle_dorsiflexion"), ("L4", "ankle_dorsiflexion")}


def test_negation_with_but_not():
    r = check_text(body("The S1 roots are associated with plantar flexion, but not with dorsiflexion."))
    assert triples(r) == {("S1", "ankle_plantarflexion")}
    assert triples(r, "negated") == {("S1", "ankle_dorsiflexion")}


def test_negation_scope_ends_at_semicolon():
    r = check_text(body("The S1 root is not responsible for dorsiflexion; it supplies the gastrocnemius."))
    assert triples(r, "negated") == {("S1", "ankle_dorsiflexion")}
    assert triples(r) == {("S1", "ankle_plantarflexion")}


@pytest.mark.parametrize("sentence", [
    "L5 may contribute to hip abduction.",
    "It is thought that S1 could also serve knee flexion.",
    "There is no evidence that C4 supplies shoulder abduction.",
])
def test_hedging_is_uncertain(sentence):
    r = check_text(body(sentence))
    assert r.assertions and {a.polarity for a in r.assertions} == {"uncertain"}


def test_coordination_ellipsis_names_both_targets():
    r = check_text(body("Assess great toe and foot dorsiflexion strength for L5.", "Test knee strength and "
                        "reflexes for L4."))
    assert triples(r) == {("L5", "great_toe_extension"), ("L5", "ankle_dorsiflexion"),
                          ("L4", "knee_extension"), ("L4", "patellar_reflex")}


def test_abbreviation_defined_once_then_used():
    r = check_text(body("The extensor hallucis longus (EHL) is tested first. EHL weakness points to the L5 root."))
    assert ("L5", "great_toe_extension") in triples(r)


def test_questions_are_not_assertions():
    r = check_text(body("Which of the following is NOT supplied by L5: dorsiflexion or eversion?"))
    assert r.assertions == ()


def test_disc_level_alone_gives_no_assertion():
    r = check_text(body("An L4-L5 herniation compressing the L5 root weakens great toe extension."))
    assert triples(r) == {("L5", "great_toe_extension")}


def test_range_expands_to_every_root():
    r = check_text(body("Hip abduction is served by L4–S1."))
    assert triples(r) == {("L4", "hip_abduction"), ("L5", "hip_abduction"), ("S1", "hip_abduction")}


def test_muscle_names_its_action():
    r = check_text(body("The tibialis anterior is supplied by the L4 root."))
    assert triples(r) == {("L4", "ankle_dorsiflexion")}


def test_frame_has_exactly_the_assertion_columns(oracle_report):
    from extractors.relations import assertions_frame

    df = assertions_frame(list(oracle_report.assertions))
    assert tuple(df.columns) == ASSERTION_COLUMNS
    assert len(df) == len(oracle_report.assertions)
    assert df["primary"].dtype == bool


def test_a_run_of_megabytes_without_a_sentence_end_is_read_in_pieces():
    """A flattened table or a generated page: pieces of at most 4,000 characters, cut at '; ' or ', '."""
    from extractors.ingest import parse
    from extractors.pipeline import MAX_SENTENCE_CHARS, get_nlp
    from extractors.relations import extract

    text = "Roots\n" + "L5 supplies ankle dorsiflexion and S1 plantar flexion; " * 2_000
    doc = get_nlp()(parse(text, "run.txt", "text").plain)
    spans = doc._.sentences
    assert len(spans) > 25 and all(e - s <= MAX_SENTENCE_CHARS for s, e in spans)
    assert all(text[e - 1] == ";" for s, e in spans[1:-1])  # cut after a clause, never inside a mention
    found = {(a.root, a.target) for a in extract(parse(text, "run.txt", "text"))}
    assert found == {("L5", "ankle_dorsiflexion"), ("S1", "ankle_plantarflexion")}


def test_abbreviation_candidates_found_by_regex_match_scispacys_matcher():
    """The linear-time candidate search finds exactly the abbreviations scispaCy's own detector finds."""
    from scispacy.abbreviation import AbbreviationDetector

    from extractors.ingest import read_path
    from extractors.pipeline import ParenthesisAbbreviations, get_nlp

    nlp = get_nlp()
    ours, theirs = ParenthesisAbbreviations(nlp, "ours"), AbbreviationDetector(nlp)
    gold = ROOT / "tests" / "gold"
    files = sorted([*(gold / "articles").iterdir(), *(gold / "real" / "dev").glob("*.txt"),
                    *(gold / "real" / "team-dev").glob("*.txt"), *(ROOT / "seeds").glob("*.txt")])
    total = 0
    for f in files:
        for article in read_path(f):
            found = []
            for detector in (theirs, ours):
                doc = nlp.make_doc(article.plain)
                doc._.text, doc._.abbreviations = None, []
                detector(doc)
                found.append(sorted((s.start_char, s.end_char, s._.long_form.start_char) for s in doc._.abbreviations))
            assert found[0] == found[1], f.name
            total += len(found[0])
    assert total > 20  # the files define abbreviations ('extensor hallucis longus (EHL)'), so this compares something


def test_a_line_opening_with_thousands_of_blanks_is_read_at_once():
    """Body labels ('Hip: flexion is L2') are found without backtracking over leading blanks (2,000 took 44 s)."""
    from extractors.ingest import parse
    from extractors.relations import extract

    text = "Myotomes\n\n" + " " * 2_000 + "Hip: flexion is L2\n"
    assert [(a.root, a.target) for a in extract(parse(text, "blanks.txt", "text"))] == [("L2", "hip_flexion")]

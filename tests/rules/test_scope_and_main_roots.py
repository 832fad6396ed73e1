"""Where a claimed root came from (a nerve's range, an injury level), main roots said of ranges and of the
opposite movement, denials of a main root, and reflex grades glossed by their opposite."""

from dataclasses import replace

import pytest

from extractors.ingest import parse
from extractors.relations import analyze
from rules.engine import load_ruleset
from rules.scope import nerve_range_at
from tests.conftest import check_text


def by_rule(report, rule):
    return [f for f in report.findings if f.rule == rule]


def rules_of(text: str) -> set[str]:
    return {f.rule for f in check_text("Title\n\n" + text + "\n").findings}


# --- a nerve's root range ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, root, nerve", [
    ("Tibial (L4-S3): plantar flexion, inversion.", "S3", "Tibial"),
    ("The adductor magnus is also supplied by the sciatic nerve (L4, L5, S1).", "S1", "sciatic nerve"),
    ("Femoral N (L2,3,4) supplies the quadriceps.", "L2", "Femoral N"),
    ("The femoral nerve arises from the lumbar plexus (primarily L2-L4 nerve roots).", "L4", "lumbar plexus"),
    ("The radial nerve is a branch of the brachial plexus, originating from the C5-C8 nerve roots and T1 nerve "
     "root.", "T1", "radial nerve"),
    ("Key points:\n- Originates from roots C5, C6, C7.", "C7", ""),
    ("The musculocutaneous nerve supplies the arm.\nFeature | Details |\nNerve Roots | C5-C7 |", "C7", ""),
])
def test_a_root_written_in_a_nerves_range_is_found_with_its_nerve(text, root, nerve):
    at = text.index(root)
    found = nerve_range_at(text, at, at + len(root))
    assert found is not None and found.nerve == nerve and root in found.roots


@pytest.mark.parametrize("text, root", [
    ("The S1 nerve root, which arises from the L5 and S1 nerve roots, serves the ankle jerk.", "L5"),
    ("Hip flexion is primarily innervated by the femoral nerve (L2-L4 myotome).", "L4"),
    ("Plantar flexion (S1, S2) is tested on tiptoe.", "S2"),
    ("The extensor carpi radialis (C6, C7) extends the wrist.", "C7"),
    ("ROOT: C6\nMYOTOME: wrist extension", "C6"),
])
def test_a_root_the_page_gives_in_its_own_words_is_no_nerves_range(text, root):
    at = text.index(root)
    assert nerve_range_at(text, at, at + len(root)) is None


def test_a_root_from_a_nerves_range_is_judged_like_any_claim_and_the_finding_names_the_nerve():
    r = check_text("Nerves\n\nTibial nerve (L4-S3): plantar flexion.\n")
    found = by_rule(r, "reference.contradicts-table")
    assert sorted(f.message.split(" ")[0] for f in found) == ["L4", "L5", "S3"]
    assert all("comes from the root range the page gives the Tibial nerve ('L4-S3')" in f.message for f in found)
    assert all(f.suggestion.startswith("A nerve's range spans every muscle it supplies") for f in found)


# --- a movement kept at an injury level -------------------------------------------------------------------------


@pytest.mark.parametrize("text, warned", [
    ("After a complete C8 spinal cord injury, elbow flexion by the biceps is preserved.", False),
    ("With a C7 tetraplegia the biceps remain intact, so elbow flexion is kept.", False),
    ("The C8 root serves elbow flexion.", True),
    ("After a C4 spinal cord injury, ankle dorsiflexion is preserved.", True),  # C4 is above its roots: checked
])
def test_a_movement_kept_below_its_roots_is_no_claim_against_the_table(text, warned):
    assert ("reference.contradicts-table" in rules_of(text)) == warned


# --- main roots: a range holding every primary, the opposite movement's main root ---------------------------------


@pytest.mark.parametrize("text, warned", [
    ("The knee jerk is primarily mediated by the L2-L4 roots.", False),  # holds L3 and L4, the primaries
    ("Knee extension is mainly served by the L2, L3 and L4 roots.", False),
    ("Hip flexion is primarily served by the L2-L4 roots.", True),  # leaves out L1, adds L4
    ("Knee flexion is mainly served by the L4 root.", True),
])
def test_a_range_called_main_that_holds_every_primary_root_is_judged_as_plain_claims(text, warned):
    assert ("reference.variant-as-main" in rules_of(text)) == warned


@pytest.mark.parametrize("text, rule", [
    ("Wrist flexion is mainly a C6 function.", "reference.opposite-main-root"),
    ("Finger extension is mainly a C8 movement.", "reference.opposite-main-root"),
    ("The C8 root mainly serves finger extension and finger flexion.", "reference.main-root"),
    ("Wrist flexion is primarily a C7 function, with some C6.", None),
    ("Ankle dorsiflexion is mainly controlled by the L5 root.", "reference.main-root"),  # L5 is no opposite's main
])
def test_the_opposite_movements_main_root_called_main_is_a_warning(text, rule):
    got = rules_of(text) & {"reference.opposite-main-root", "reference.main-root"}
    assert got == ({rule} if rule else set())


# --- a denied main root ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, warned", [
    ("Option B is wrong: the S1 root plays no part in the ankle jerk.", True),
    ("Option C is wrong: the L4 root does not serve ankle dorsiflexion.", True),
    ("Option C is wrong: elbow extension is a C7 movement, not a C6 one.", False),  # C6 contributes only
    ("Option D is wrong: plantar flexion is not mainly an S2 movement.", False),
    ("Option B is wrong: the S1 root does not serve ankle dorsiflexion.", False),
])
def test_a_plain_denial_of_a_main_root_is_a_warning(text, warned):
    assert ("reference.denied-main-root" in rules_of(text)) == warned


def test_a_denial_the_page_contradicts_itself_is_the_denied_claim_rule():
    got = rules_of("The L4 root serves ankle dorsiflexion.\n\nOption C is wrong: the L4 root does not serve "
                   "ankle dorsiflexion.")
    assert "consistency.denied-claim" in got and "reference.denied-main-root" not in got


def _check_with(text: str, negated_at: str, root: str, target: str):
    """Check ``text`` with its own claims plus one negated claim of ``root`` → ``target`` on the line holding
    ``negated_at`` whose root is carried from the first root the text writes (as extraction carries roots)."""
    article = parse(text, "passage.txt")
    extraction = analyze(article)
    plain = article.plain
    s = plain.index(negated_at)
    e = plain.find("\n", s)
    r = plain.index(root)
    template = next(a for a in extraction.assertions if a.target == target)
    extraction.assertions.append(replace(template, id="x1", root=root, polarity="negated", start=s, end=e,
                                         sentence=plain[s:e], root_start=r, root_end=r + len(root),
                                         target_start=s, target_end=s + 1))
    return load_ruleset().check(article, extraction)


def test_a_denial_that_names_no_root_is_about_something_else():
    text = ("Grading\n\nIliopsoas: L2, L3; hip flexion.\n\n3: can consider full strength if the hip flexes "
            "against gravity, not against resistance.\n")
    report = _check_with(text, "3: can consider", "L2", "hip_flexion")
    assert not by_rule(report, "consistency.denied-claim")
    text = ("Which root serves hip flexion?\n\nIliopsoas: L2, L3; hip flexion.\n\nThe other options involve "
            "different roots, so hip flexion is not the answer.\n")
    report = _check_with(text, "The other options", "L2", "hip_flexion")
    assert by_rule(report, "consistency.denied-claim")


# --- reflex grades glossed by their opposite ----------------------------------------------------------------------


@pytest.mark.parametrize("text, flagged", [
    ("- Hyperreflexia (absent or diminished reflex): a root lesion.", True),
    ("- Areflexia (exaggerated response): a stroke.", True),
    ("- Hyperreflexia (exaggerated reflex): an upper motor neuron lesion.", False),
    ("- Hyporeflexia or Areflexia (Diminished or Absent Response): a root lesion.", False),
    ("Hyperreflexia, clonus or pathological reflexes suggest an upper motor neuron lesion.", False),
])
def test_a_reflex_grade_glossed_by_its_opposite_is_a_warning(text, flagged):
    assert ("terminology.opposite-reflex-gloss" in rules_of(text)) == flagged

import pytest

from extractors.roots import expand, find_root_groups


def roots_of(text: str) -> list[str]:
    return [r for g in find_root_groups(text) for r in g.roots]


def levels_of(text: str) -> list[tuple[str, ...]]:
    return [a.roots for g in find_root_groups(text) for a in g.atoms if a.is_level]


@pytest.mark.parametrize(("text", "roots"), [
    ("L5", ["L5"]),
    ("L 5", ["L5"]),
    ("the fifth lumbar root", ["L5"]),
    ("the first sacral nerve root", ["S1"]),
    ("L5 nerve root", ["L5"]),
    ("the L5 roots", ["L5"]),
    ("L4/L5 roots", ["L4", "L5"]),
    ("L4-5 roots", ["L4", "L5"]),
    ("roots L3 and L4", ["L3", "L4"]),
    ("C5, C6", ["C5", "C6"]),
    ("C5 and C6", ["C5", "C6"]),
    ("C5, C6, and C7", ["C5", "C6", "C7"]),
    ("L4–S1", ["L4", "L5", "S1"]),
    ("L4—S1", ["L4", "L5", "S1"]),
    ("C5-C7", ["C5", "C6", "C7"]),
    ("C7–T1 roots", ["C7", "C8", "T1"]),
    ("S1-S2", ["S1", "S2"]),
    ("L5 or S1 radiculopathy", ["L5", "S1"]),
])
def test_root_notations(text, roots):
    assert roots_of(text) == roots


@pytest.mark.parametrize(("text", "levels", "roots"), [
    ("herniation at the L4/L5 level", [("L4", "L5")], []),
    ("an L5-S1 disc prolapse", [("L5", "S1")], []),
    ("a disc bulge at L4-5", [("L4", "L5")], []),
    ("an L4-L5 herniation compressing the L5 root", [("L4", "L5")], ["L5"]),
    ("occur at the L4/L5 and L5/S1 levels", [("L4", "L5"), ("L5", "S1")], []),
    ("the L5 vertebral body", [], []),
])
def test_disc_levels_are_not_roots(text, levels, roots):
    assert levels_of(text) == levels
    assert roots_of(text) == roots


@pytest.mark.parametrize("text", ["T2-weighted MRI", "S1 and S2 heart sounds", "L9", "C0", "CL5", "XL5 jacket"])
def test_not_roots(text):
    assert roots_of(text) == []


def test_expand_crosses_regions():
    assert expand("C7", "T1") == ("C7", "C8", "T1")
    assert expand("L4", "S1") == ("L4", "L5", "S1")


def test_offsets_point_at_the_notation():
    text = "Weakness from the L4-5 roots"
    (g,) = find_root_groups(text)
    assert text[g.start:g.end] == "L4-5"


@pytest.mark.parametrize(("text", "roots"), [
    ("pain at L5-L4", ["L5", "L4"]),    # a descending pair: each root on its own
    ("L5-1 weakness", ["L5"]),           # 'L5-1' keeps only its first root
    ("S1–L5 and C7/C6", ["S1", "L5", "C7", "C6"]),
])
def test_descending_pairs_keep_their_first_root_and_never_fail(text, roots):
    assert roots_of(text) == roots


@pytest.mark.parametrize(("text", "roots"), [
    ("Elbow flexionC5/6", ["C5", "C6"]),           # table cells flattened without a space
    ("Knee JerkL3/4", ["L3", "L4"]),
    ("HbA1c, MRIC5 and DL5X", []),                 # after a capital or inside a code: no root
    ("the cervical 6 root", ["C6"]),
    ("Cervical 4 and cervical 5", ["C4", "C5"]),
    ("a lumbar 4-5 disc and the lumbar 5 vertebra", []),
])
def test_glued_roots_and_region_numbers(text, roots):
    assert roots_of(text) == roots

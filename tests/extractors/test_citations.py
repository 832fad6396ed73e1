from extractors.citations import find_markers


def nums(text):
    return [m.numbers for m in find_markers(text)]


def test_trailing_markers():
    assert nums("associated with plantar flexion 2.") == [("2",)]
    assert nums("and other movements 2, 3.") == [("2", "3")]


def test_repeated_marker_keeps_repeats():
    assert nums("as mentioned in 1 and 1.") == [("1", "1")]


def test_bracketed_and_ranges():
    assert nums("shown before [4] and since [1-3].") == [("4",), ("1", "2", "3")]


def test_quantities_and_years_are_not_markers():
    assert nums("improvements at 6 weeks, in 90% of cases, published in 2009.") == []
    assert nums("The L5 root.") == []


def test_offsets():
    text = "weakness 4."
    (m,) = find_markers(text)
    assert text[m.start:m.end] == "4"

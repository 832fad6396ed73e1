"""The spaCy pipeline: built once per process, reused for every article.

(No ``from __future__ import annotations`` here: spaCy validates factory
signatures at run time.)

    blank English + scispaCy tokenizer
    -> artgate_sentences     (line/bullet/heading boundaries, then . ! ?)
    -> artgate_abbreviations (scispaCy's detector: 'extensor hallucis longus (EHL)')
    -> artgate_mentions      (roots, disc levels, movements, reflexes, muscles, signs, nerves)

Negation and hedging are read per sentence by ``extractors.context`` (the
ConText algorithm with the project's rules), so no statistical model and no
medspaCy import is needed: everything here works offline from the installed
packages and the data files beside this module, and starts in about the time
``import spacy`` takes.
"""


import re
import warnings
from bisect import bisect_left, bisect_right
from functools import lru_cache
from itertools import pairwise
from types import SimpleNamespace

import spacy
from scispacy.abbreviation import AbbreviationDetector, filter_matches
from scispacy.custom_tokenizer import combined_rule_tokenizer
from spacy.language import Language
from spacy.tokens import Doc

from .limits import MAX_ROOT_MENTIONS
from .mentions import TargetMatcher, get_matcher, words_of
from .roots import find_root_groups, root_starts

# Abbreviations after which a full stop does not end a sentence ('Fig. 8-38', 'femoral n.', 'e.g.')
_NO_BREAK_AFTER = {"fig", "figs", "e.g", "i.e", "vs", "approx", "n", "nn", "m", "mm", "no", "dr", "st", "cf", "al",
                   "etc", "ca", "resp", "ref", "p", "pp", "vol", "ed"}

# scispaCy's internal Matchers legitimately hold no token patterns; spaCy warns about that on every doc.
warnings.filterwarnings("ignore", message=r"\[W036\]")

for _name in ("root_groups", "targets", "reflex_names", "nerves", "words", "anchors", "sentences", "text",
              "misnamed_reflexes", "truncated_at", "layout"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


@Language.component("artgate_sentences")
def artgate_sentences(doc: Doc) -> Doc:
    """Sentence spans (``doc._.sentences``, character offsets): a line break always ends one
    (blocks never share a sentence), and so does . ! ? followed by a space.

    Boundaries are found in the text with regular expressions; setting spaCy's own
    sentence starts (``from_array``) cost more than the whole search, and nothing
    downstream reads them. A full stop does not end a sentence inside
    parentheses ('(C6/7?), D.'), after an abbreviation ('Fig. 8-38', 'femoral n.'), after a figure label
    ('Figure 8-38. Triceps reflex (C7).'), after a list number opening its line ('5. Patients …') or
    between a number and a lower-case word ('3. extension'); a bare citation number
    does ('patellar reflex 1 The L5 nerve root …'), as does a bracketed one after a full stop ('wrist.[1] It',
    'from C7.[5] C7 assists', 'jerk.[2,3] S1'). A run longer than ``MAX_SENTENCE_CHARS`` is read in
    pieces (see ``_pieces``).
    """
    text = doc._.text = doc.text  # read once: Doc.text is rebuilt from the tokens on every access
    cut = doc._.truncated_at = mention_cut(text)
    if cut is not None:
        text = text[:cut]
    if not text:
        doc._.sentences = []
        return doc
    cuts = [m.end() for m in _LINE_START.finditer(text)]
    # '… (extensor carpi radialis) 3. **Finger extension** — C7 …': a list flattened onto one line; each
    # number opens its item
    items = _inline_items(text)
    cuts += items
    cuts += _card_fields(text)
    parens = _paren_spans(text)
    for m in _FULL_STOP.finditer(text):
        stop, nxt = m.start(), m.end()
        if parens and _inside(parens, stop):
            continue
        if text[stop] == ".":
            word = _WORD_BEFORE.search(text, max(0, stop - 12), stop)
            before = word.group().lower() if word else ""
            if before.isdigit() and stop - len(before) in items:
                continue  # the number of an item flattened onto its line opens that item
            if before in _NO_BREAK_AFTER or (before.isdigit() and text[nxt].islower()):
                continue
            if before.isdigit() and _FIGURE_LABEL.search(text, max(0, stop - 30), stop):
                continue  # 'Figure 8-38. Brachioradialis reflex (C6).': a caption's label opens its sentence
            if before.isdigit() and _LIST_NUMBER.search(text, max(0, stop - 12), stop):
                continue  # '5. Patients with L5 radiculopathy …': a list number at the start of its line
            if len(before) == 1 and before.isalpha() and not _ARTICLE_BEFORE.search(text, max(0, stop - 6), stop - 1):
                continue  # 'A. Biceps brachii, B. Triceps …': option letters and initials
        cuts.append(nxt)
    cuts += [m.start(1) if m.group(1) else m.end() for m in _CITATION_END.finditer(text)]
    bounds = sorted({0, *cuts, len(text)})
    doc._.sentences = [piece for a, b in pairwise(bounds) if text[a:b].strip() for piece in _pieces(text, a, b)]
    return doc


def _card_fields(text: str) -> list[int]:
    """Where the fields of flash cards run together on one line start: 'C5 myotomesupraspinatus, deltoidC5
    reflexesbiceps, brachioradialisC6 dermatome…' is one card field per root and label."""
    by_line: dict[int, list[int]] = {}
    for m in _CARD_FIELD.finditer(text):
        by_line.setdefault(text.rfind("\n", 0, m.start()) + 1, []).append(m.start())
    return [p for line, found in by_line.items() if len(found) >= 2 for p in found if text[line:p].strip()]


def _inline_items(text: str) -> set[int]:
    """Where the items of a numbered list flattened onto one line start: a number and a full stop before a
    capital or bold, in a run of consecutive numbers on the line ('… 2. **Wrist extension** — C6 … 3.
    **Finger …'), so a citation ('… a C6 function 1. The triceps …') is not taken for one."""
    found: dict[int, dict[int, int]] = {}  # line start -> number -> where the number starts
    for m in _INLINE_ITEM.finditer(text):
        if _NOT_ITEM.search(text, max(0, m.start() - 12), m.start()):
            continue
        line = text.rfind("\n", 0, m.start()) + 1
        number = int(text[m.end():text.index(".", m.end())])
        found.setdefault(line, {})[number] = m.end()
    return {at for numbers in found.values() for n, at in numbers.items() if n - 1 in numbers or n + 1 in numbers}


# No sentence a person writes runs to 4,000 characters (the longest on the real pages is about 1,000);
# a flattened table or a generated page can run to megabytes without a full stop, and linking within a
# sentence compares its mentions pairwise. Such a run is read in pieces, cut at its last ';', ',' or
# space before each 4,000 characters.
MAX_SENTENCE_CHARS = 4_000


def _pieces(text: str, a: int, b: int) -> list[tuple[int, int]]:
    if b - a <= MAX_SENTENCE_CHARS:
        return [(a, b)]
    out = []
    while b - a > MAX_SENTENCE_CHARS:
        limit = a + MAX_SENTENCE_CHARS
        cut = max(text.rfind("; ", a, limit), text.rfind(", ", a, limit))
        if cut <= a:
            cut = text.rfind(" ", a, limit)
        cut = cut + 1 if cut > a else limit
        out.append((a, cut))
        a = cut
    out.append((a, b))
    return [(s, e) for s, e in out if text[s:e].strip()]


_LINE_START = re.compile(r"\n\s*(?=\S)")
_CARD_FIELD = re.compile(r"(?<![A-Z0-9_])[CTLS](?:[1-9]|1[0-2])(?:\s*[-–]\s*[CTLS]?\d{1,2})?[ \t]+(?i:myotomes?|"
                         r"reflex(?:es)?|dermatomes?|par(?:a|ae|e)sthesias?)(?=[a-z]{2})")
_INLINE_ITEM = re.compile(r"(?<=[^\s\d.])[ \t]+(?=(?:[1-9]|[1-2]\d)\.[ \t]+(?:\*\*|#+\s|[A-Z][a-z]))")
# numbers that belong to the word before them: 'Figure 3. The …', 'grade 4. Normal …'
_NOT_ITEM = re.compile(r"(?i)\b(?:fig(?:ure)?s?|tables?|chapters?|steps?|grades?|levels?|types?|stages?|options?|"
                       r"no|vol|pages?|p|parts?|sections?|class|ref|versions?|phases?|[CTLS])$")
_FULL_STOP = re.compile(r"[.!?][\"”’')\]]*+\s++(?=\S)")  # possessive: blanked markup leaves long runs of spaces
_WORD_BEFORE = re.compile(r"[A-Za-z0-9]+(?:\.[A-Za-z])*$")
# a caption's label at the start of its line; 'absent, figure 6. The S1 root …' ends a sentence
_FIGURE_LABEL = re.compile(r"(?:^|\n)[ \t]*(?:fig\w*|table|tab|plate)\.?\s*\d+(?:[-–.]\d+)*$", re.IGNORECASE)
_LIST_NUMBER = re.compile(r"(?:^|\n)[ \t]*\d{1,3}$")
_ARTICLE_BEFORE = re.compile(r"\b(?:a|an|the)\s*$", re.IGNORECASE)
_CITATION_END = re.compile(r"(?<=[a-z])\s\d{1,2}\s+(" + "|".join(
    ["The", "These", "This", "In", "It", "A", "An", "Some", "However", "Other", "Several", "Both", "Each",
     "Understanding", "Clinical", "Evaluation", "Patients", "Studies", "Research", "There"]) + r")\b"
                            r"|\.(?:\[\d{1,3}(?:\s*[,–-]\s*\d{1,3})*\])+\s*()(?=[A-Z])")


def _paren_spans(text: str) -> list[tuple[int, int]]:
    """Spans inside parentheses, never across a line break."""
    out: list[tuple[int, int]] = []
    depth, opened = 0, 0
    for m in re.finditer(r"[()\n]", text):
        ch = m.group()
        if ch == "(":
            if depth == 0:
                opened = m.start()
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
            if depth == 0:
                out.append((opened, m.start()))
        elif ch == "\n":
            if depth:
                out.append((opened, m.start()))
            depth = 0
    return out


def _inside(spans: list[tuple[int, int]], pos: int) -> bool:
    i = bisect_right(spans, (pos, len_max)) - 1
    return i >= 0 and spans[i][0] < pos < spans[i][1]


len_max = 1 << 62


@Language.factory("artgate_abbreviations")
def make_abbreviations(nlp: Language, name: str) -> "ParenthesisAbbreviations":
    return ParenthesisAbbreviations(nlp, name)


class ParenthesisAbbreviations(AbbreviationDetector):
    """scispaCy's abbreviation detector (Schwartz & Hearst) with its candidates found in linear time.

    scispaCy looks for candidates with a Matcher pattern '(' + any tokens + ')', which keeps a
    partial match open from every '(' to the next ')' or the end of the text: quadratic on a long
    article with unclosed parentheses (a third of a 1 MB check). It then keeps only candidates of at
    most 8 tokens inside the parentheses; those are found here by a regular expression over the
    text, on one line, and handed to scispaCy's own filter and long-form search.
    """

    def __call__(self, doc: Doc) -> Doc:
        text = doc._.text if doc._.text is not None else doc.text
        idx = [t.idx for t in doc]
        matches = []
        for m in _PAREN_CANDIDATE.finditer(text):
            i, j = bisect_left(idx, m.start()), bisect_left(idx, m.end() - 1)
            if i < len(idx) and j < len(idx) and idx[i] == m.start() and idx[j] == m.end() - 1 and \
                    doc[i].text == "(" and doc[j].text == ")" and 1 <= j - i - 1 <= 8:
                matches.append((0, i + 1, j))  # the tokens inside the parentheses
        for long_form, short_forms in self.find_matches_for(filter_matches(matches, doc), doc):
            for short in short_forms:
                short._.long_form = long_form
                doc._.abbreviations.append(short)
        return doc


_PAREN_CANDIDATE = re.compile(r"\([^()\n]{1,120}\)")


@Language.factory("artgate_mentions", default_config={"lexicon_path": None})
def make_mentions(nlp: Language, name: str, lexicon_path: str | None) -> "MentionFinder":
    return MentionFinder(get_matcher(lexicon_path))


def mention_cut(text: str, limit: int = MAX_ROOT_MENTIONS) -> int | None:
    """Where to stop reading an article that names more than ``limit`` roots (None: read it all).

    A page of 100,000 lines of 'L5' is not prose a reviewer reads; checking the first
    ``limit`` root mentions bounds the time of any input, and the report says where
    the check stopped.
    """
    if len(text) < 2 * limit:  # a root mention takes at least two characters ('L5'): too short to reach the cap
        return None
    for k, m in enumerate(root_starts(text)):
        if k == limit:
            return m.start()
    return None


class MentionFinder:
    """Finds root groups (with disc levels marked) and target mentions, as character-offset objects.

    Abbreviations defined in the text ('extensor hallucis longus (EHL)') whose long
    form names a target also name it where the short form stands alone.
    """

    def __init__(self, matcher: TargetMatcher):
        self.matcher = matcher

    def __call__(self, doc: Doc) -> Doc:
        text = doc._.text if doc._.text is not None else doc.text  # Doc.text is rebuilt on every access
        cut = doc._.truncated_at
        if cut is not None:
            text = text[:cut]
        ws = words_of(text)
        doc._.words = ws
        doc._.root_groups = find_root_groups(text)
        found = self.matcher.find_all(text, ws)
        doc._.targets = self._abbreviations(doc, text, found.targets)
        doc._.reflex_names = found.candidates
        doc._.nerves = found.nerves
        doc._.anchors = found.anchors
        return doc

    def _abbreviations(self, doc: Doc, text: str, targets: list) -> list:
        from .mentions import Intervals, Target

        abbrevs = getattr(doc._, "abbreviations", None) or ()
        if not abbrevs:
            return targets
        by_span = {(t.start, t.end): t for t in targets}
        out = list(targets)
        taken = Intervals([(t.start, t.end) for t in targets])  # overlap tests in O(log n), not a scan of all
        for short in abbrevs:
            long_form = short._.long_form
            t = by_span.get((long_form.start_char, long_form.end_char))
            if t is None:
                found, _, _ = self.matcher.find(long_form.text)
                t = found[0] if len(found) == 1 and found[0].end - found[0].start == len(long_form.text) else None
            s, e = short.start_char, short.end_char
            if t is not None and not taken.overlaps(s, e):
                out.append(Target(s, e, t.target, t.kind, t.source, t.reflex, t.body))
                taken.add(s, e)
        return sorted(out, key=lambda t: t.start)


_LONG_RUN = re.compile(r"\S{80,}")


class BoundedTokenizer:
    """scispaCy's tokenizer, kept linear on text without spaces.

    Its prefix/suffix/infix loop is quadratic in the length of a whitespace-free run
    ('&#' × 50,000 took minutes). Runs of 80 or more non-space characters are not
    words; a space every 40 characters inside them keeps each piece short. The text
    keeps its length, so every offset stays valid.
    """

    def __init__(self, inner):
        self.inner = inner

    def __call__(self, text: str) -> Doc:
        if _LONG_RUN.search(text):
            chars = list(text)
            for m in _LONG_RUN.finditer(text):
                for k in range(m.start() + 40, m.end(), 40):
                    chars[k] = " "
            text = "".join(chars)
        return self.inner(text)

    def pipe(self, texts, batch_size: int = 1000):
        for text in texts:
            yield self(text)


@spacy.registry.tokenizers("artgate.bounded_scispacy")
def make_tokenizer():
    def create(nlp: Language) -> BoundedTokenizer:
        # scispaCy reads the default tokenizer's URL matcher; hand it the language default instead
        nlp.tokenizer = SimpleNamespace(token_match=nlp.Defaults.token_match)
        return BoundedTokenizer(combined_rule_tokenizer(nlp))

    return create


@lru_cache(maxsize=4)
def get_nlp(lexicon_path: str | None = None) -> Language:
    """The pipeline, built on first call and cached for the life of the process."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # spaCy's own regex in scispaCy's tokenizer
        # the tokenizer is built once, by its factory: building spaCy's default English one first and
        # replacing it cost half a second of every cold start
        nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "artgate.bounded_scispacy"}}})
    # spaCy's 1,000,000-character guard protects parser/NER memory; this pipeline has
    # neither, and the file-size limit (ingest.DEFAULT_MAX_BYTES) bounds input instead.
    nlp.max_length = 20_000_000
    nlp.add_pipe("artgate_sentences")
    nlp.add_pipe("artgate_abbreviations")
    nlp.add_pipe("artgate_mentions", config={"lexicon_path": lexicon_path})
    return nlp


def lexicon():
    """The lexicon the pipeline matches with."""
    return get_nlp().get_pipe("artgate_mentions").matcher.lexicon

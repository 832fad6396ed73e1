"""Features of a proposed claim: how it was proposed and what stands around it, never which page it is.

Every feature is a number, in the fixed order of ``NAMES``, so a tree's split names a column. The
groups:

- *how*: the reader's pairing shape, where carried roots or targets came from, a retraction, the
  claim's polarity;
- *geometry*: same sentence or line, lines apart, characters and mentions between the root and the
  target, whether another root or target stands nearer, how many roots the notation names, whether
  the root belongs to the target's limb;
- *cues*: punctuation and words between the root and the target (a comma, a contrast, a relative
  pronoun, a link verb, a negation, sensory words);
- *layout*: the line's kind and size, the structure it belongs to (table, row list, line pairs), its
  encoding, the column roles of the root's and the target's cells, an option line of a question;
- *page kind*: how much of the page is tables, options, questions or trace — never its identity.

Cues of the whole sentence (hedges, conditions, disc levels …) and the layout shapes that could also
carry a pair were features too; on held-out sites they changed little (leave-one-site-out over 271
pages, ``tests/gold/scorer-cv.json`` as ``artgate train-scorer`` wrote it at each commit: P 0.856 /
R 0.729 with them at f85c98d, 0.850 / 0.730 without at b0756c6) and cost scoring time, so they went.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from typing import TYPE_CHECKING

from .cues import SENSORY

if TYPE_CHECKING:
    from .claims import Proposal
    from .layout import PageLayout
    from .types import Article

HOW = ("attach", "open-paren", "label", "paren", "items", "in-order", "clause", "carried", "row", "topic",
       "nerve-clause")
VIA = ("lead", "heading", "item-label", "continuation", "nerve-anaphor", "anaphor", "subject", "heading-subject",
       "title", "nerve", "row-continuation", "also")
TARGET_VIA = ("anaphor", "reflex-anaphor", "announce")
POLARITY = ("affirmed", "negated", "uncertain")
LINE_KIND = ("paragraph", "bullet", "heading", "table_row")
STRUCTURE = ("table", "row-list", "pairs")
ENCODING = ("pipe", "spaces", "semicolon", "glued", "root-target", "target-root")
ROLES = ("root", "motor", "reflex", "sensory", "disc", "other")
TARGET_KIND = ("MOVEMENT", "REFLEX", "MUSCLE", "TERM")

_BETWEEN = {
    "comma": r",", "semicolon": r";", "colon": r":", "paren": r"[()]", "dash": r"\s[-–—]\s|[–—]",
    "pipe": r"\||\t|\s{3,}", "stop": r"[.!?](?:\s|$)",
    "coord": r"(?i:\b(?:and|or)\b)",
    "contrast": r"(?i:\b(?:but|while|whereas|however|although|though|unlike|rather|versus|vs)\b)",
    "link": r"(?i:\b(?:innervat\w*|suppl\w+|control\w*|responsib\w*|test\w*|mediat\w*|serv\w+|driv\w+|involv\w*|"
            r"assess\w*|evaluat\w*|associated|correspond\w*|root|myotome|=|→|->))",
    "relative": r"(?i:\b(?:which|that|who|whose)\b)",
    "negation": r"(?i:\b(?:not|no|never|neither|nor|without|spared|normal|intact|isn'?t|aren'?t|doesn'?t|incorrect|"
                r"wrong|excludes?)\b)",
    "sensory": f"(?i:{SENSORY.pattern})",
}
# every between-cue as a named group of one pattern: the text between a root and its target is read once
_BETWEEN_ANY = re.compile("|".join(f"(?P<{name}>{rx})" for name, rx in _BETWEEN.items()))
_OPTION = re.compile(r"\s*(?:\(?[A-Ea-e][.)]|option\s+[A-Ea-e]\b|[A-E]\s*[:–-])\s", re.IGNORECASE)
_ROOT_START = re.compile(r"\W*(?:[CTLS]\s?\d|(?i:the\s+)?(?i:cervical|thoracic|lumbar|sacral)\b)")
_TRACE_WORDS = re.compile(r"\b(?:wait|hmm+|let\s+me|let's|i\s+think|i\s+recall|actually|hold\s+on|okay|so\s+the|"
                          r"i\s+need|i\s+remember)\b", re.IGNORECASE)


def _names() -> tuple[str, ...]:
    out = ["retracted"]
    out += [f"how={x}" for x in HOW] + [f"via={x}" for x in VIA] + [f"target_via={x}" for x in TARGET_VIA]
    out += [f"polarity={x}" for x in POLARITY]
    out += [f"line={x}" for x in LINE_KIND] + [f"structure={x}" for x in STRUCTURE]
    out += [f"encoding={x}" for x in ENCODING]
    out += [f"t_role={x}" for x in ROLES] + [f"r_role={x}" for x in ROLES]
    out += [f"t_kind={x}" for x in TARGET_KIND] + ["reflex_target"]
    out += ["span_roots", "region_fit"]
    out += ["same_sentence", "same_line", "line_gap", "blank_gap", "root_before", "char_gap", "words_gap",
            "atoms_between", "targets_between", "root_rank", "target_rank", "atoms_sentence", "targets_sentence",
            "atoms_line", "targets_line", "atom_size", "root_in_parens", "root_at_line_start", "line_words",
            "line_colon_end", "line_question", "sentence_words", "option_line", "root_in_title"]
    out += [f"between={x}" for x in _BETWEEN]
    out += ["page_atoms", "page_table_share", "page_options", "page_trace", "page_questions"]
    return tuple(out)


NAMES: tuple[str, ...] = _names()
INDEX = {n: i for i, n in enumerate(NAMES)}
_ON = {name: i for name, i in INDEX.items() if "=" in name}  # the one-hot columns
_BETWEEN_AT = {name: INDEX[f"between={name}"] for name in _BETWEEN}
_LINE_COLS = [INDEX[n] for n in ("line_words", "line_colon_end", "line_question", "option_line")]
(_RETRACTED, _REFLEX_TARGET, _SAME_SENTENCE, _SAME_LINE, _LINE_GAP, _BLANK_GAP, _ROOT_BEFORE, _CHAR_GAP,
 _WORDS_GAP, _ATOMS_BETWEEN, _TARGETS_BETWEEN, _ROOT_RANK, _TARGET_RANK, _ATOM_SIZE, _SPAN_ROOTS, _REGION_FIT,
 _ROOT_IN_PARENS, _ROOT_AT_LINE_START, _ROOT_IN_TITLE, _ATOMS_SENTENCE, _TARGETS_SENTENCE, _SENTENCE_WORDS,
 _ATOMS_LINE, _TARGETS_LINE, _PAGE) = (INDEX[n] for n in (
    "retracted", "reflex_target", "same_sentence", "same_line", "line_gap", "blank_gap", "root_before", "char_gap",
    "words_gap", "atoms_between", "targets_between", "root_rank", "target_rank", "atom_size", "span_roots",
    "region_fit", "root_in_parens", "root_at_line_start", "root_in_title", "atoms_sentence", "targets_sentence",
    "sentence_words", "atoms_line", "targets_line", "page_atoms"))


def _log(x: float) -> float:
    return math.log1p(max(0.0, x))


class PageFacts:
    """What the features of every claim of one page share: mention positions, line facts, page kind."""

    def __init__(self, article: Article, text: str, layout: PageLayout, atom_starts: list[int],
                 target_starts: list[int], sentences: list[tuple[int, int]]):
        self.article, self.text, self.layout = article, text, layout
        self.atom_starts, self.target_starts = atom_starts, target_starts
        self.sentences = sentences
        self.sent_starts = [s for s, _ in sentences]
        lines = layout.lines
        nonblank = [i for i, ln in enumerate(lines) if ln.words]
        self.rank = {li: k for k, li in enumerate(nonblank)}  # position among non-blank lines
        n = max(1, len(nonblank))
        options = sum(1 for i in nonblank if _OPTION.match(text, lines[i].start, lines[i].end))
        tabled = sum(1 for i in nonblank if layout.structure_of[i] >= 0)
        self.page = [_log(len(atom_starts)), tabled / n, min(1.0, options / 4),
                     min(1.0, len(_TRACE_WORDS.findall(text)) / 4), min(1.0, text.count("?") / 4)]
        self._bases: dict[tuple[int, int], list[float]] = {}

    def sentence_of(self, pos: int) -> tuple[int, int, int]:
        k = bisect_right(self.sent_starts, pos) - 1
        s, e = self.sentences[k] if k >= 0 else (pos, pos)
        return k, s, e

    def count(self, starts: list[int], a: int, b: int) -> int:
        return bisect_left(starts, b) - bisect_left(starts, a) if b > a else 0

    def line_mentions(self, li: int) -> tuple[int, int, int, int]:
        """Where line ``li``'s root and target mentions are in ``atom_starts`` and ``target_starts``."""
        ln = self.layout.lines[li]
        return (bisect_left(self.atom_starts, ln.start), bisect_left(self.atom_starts, ln.end),
                bisect_left(self.target_starts, ln.start), bisect_left(self.target_starts, ln.end))

    def base(self, li: int, k: int, s: int, e: int) -> list[float]:
        """The features every claim whose target is on line ``li``, in sentence ``k``, shares (found once)."""
        key = (li, k)
        if key not in self._bases:
            v = [0.0] * len(NAMES)
            ln = self.layout.lines[li]
            names = ["line=" + ln.kind]
            si = self.layout.structure_of[li]
            if si >= 0:
                st = self.layout.structures[si]
                names += ["structure=" + st.kind, "encoding=" + st.encoding]
            for name in names:
                if name in _ON:
                    v[_ON[name]] = 1.0
            tail = self.text[max(ln.start, ln.end - 3):ln.end].rstrip()
            line = (_log(ln.words), 1.0 if tail.endswith(":") else 0.0, 1.0 if tail.endswith("?") else 0.0,
                    1.0 if _OPTION.match(self.text, ln.start, ln.end) else 0.0)
            for col, value in zip(_LINE_COLS, line, strict=True):
                v[col] = value
            a0, a1, t0, t1 = self.line_mentions(li)
            v[_ATOMS_LINE] = _log(a1 - a0)
            v[_TARGETS_LINE] = _log(t1 - t0)
            v[_ATOMS_SENTENCE] = _log(self.count(self.atom_starts, s, e))
            v[_TARGETS_SENTENCE] = _log(self.count(self.target_starts, s, e))
            v[_SENTENCE_WORDS] = _log(min(400, (e - s) / 6))
            v[_PAGE:_PAGE + len(self.page)] = self.page
            self._bases[key] = v
        return self._bases[key]


def featurize(p: Proposal, facts: PageFacts) -> list[float]:
    """The feature vector of one claim, in the order of ``NAMES``: what its line, sentence and page give
    (found once for them), then what is the claim's own."""
    a = p.assertion
    text, layout = facts.text, facts.layout
    ts, te, rs, re_ = a.target_start, a.target_end, a.root_start, a.root_end
    n = len(text) - 1
    tl = layout.line_at(max(0, min(ts, n)))
    ln = layout.lines[tl]
    rl = tl if ln.start <= rs < ln.end else layout.line_at(max(0, min(rs, n)))
    k, s, e = facts.sentence_of(ts)
    v = list(facts.base(tl, k, s, e))
    names = ["how=" + p.shape, "via=" + p.via, "target_via=" + p.target_via, "polarity=" + a.polarity,
             "t_kind=" + _target_kind(p)]
    if layout.structure_of[tl] >= 0:
        names += ["t_role=" + (layout.role_at(tl, ts) or "none"), "r_role=" + (layout.role_at(rl, rs) or "none")]
    for name in names:
        i = _ON.get(name)
        if i is not None:
            v[i] = 1.0
    v[_RETRACTED] = 1.0 if p.retracted else 0.0
    v[_REFLEX_TARGET] = 1.0 if a.target_kind == "reflex" else 0.0
    same_line = tl == rl
    v[_SAME_SENTENCE] = 1.0 if s <= rs < e else 0.0
    v[_SAME_LINE] = 1.0 if same_line else 0.0
    rank = facts.rank
    gap = abs(rank.get(tl, 0) - rank.get(rl, 0))
    v[_LINE_GAP] = float(min(gap, 5))
    if not same_line:
        v[_BLANK_GAP] = float(min(text.count("\n", *sorted((rs, ts))) - gap, 5))
    v[_ROOT_BEFORE] = 1.0 if rs < ts else 0.0
    lo, hi = (re_, ts) if rs < ts else (te, rs)
    if same_line and hi >= lo:
        v[_CHAR_GAP] = _log(hi - lo)
        v[_ATOMS_BETWEEN] = float(facts.count(facts.atom_starts, lo, hi))
        v[_TARGETS_BETWEEN] = float(facts.count(facts.target_starts, lo, hi))
        if hi - lo < 400:
            between = text[lo:hi]
            v[_WORDS_GAP] = _log(len(between.split()))
            for m in _BETWEEN_ANY.finditer(between):
                v[_BETWEEN_AT[m.lastgroup]] = 1.0
        else:
            v[_WORDS_GAP] = _log(60)
        d = abs(rs - ts)
        a0, a1, t0, t1 = facts.line_mentions(tl)
        atoms, targets = facts.atom_starts, facts.target_starts
        v[_ROOT_RANK] = float(min(5, sum(1 for x in atoms[a0:min(a1, a0 + 50)] if abs(x - ts) < d)))
        v[_TARGET_RANK] = float(min(5, sum(1 for x in targets[t0:min(t1, t0 + 50)] if abs(x - rs) < d)))
    v[_ATOM_SIZE] = float(min(4, _atom_size(text, rs, re_)))
    v[_SPAN_ROOTS] = float(min(12, p.span_roots))
    v[_REGION_FIT] = _region_fit(a.root, a.target)
    v[_ROOT_IN_PARENS] = 1.0 if "(" in text[max(0, rs - 2):rs] else 0.0
    rstart = layout.lines[rl].start
    v[_ROOT_AT_LINE_START] = 1.0 if rs - rstart <= 6 and _ROOT_START.match(text, rstart, rs + 1) else 0.0
    t_0, t_1 = facts.article.title_span
    v[_ROOT_IN_TITLE] = 1.0 if t_0 <= rs < t_1 else 0.0
    return v


# Where a limb's roots are: the segments that serve the arm (C5–T1) and the leg (L2–S2). A root far from its
# target's limb is more often a misread pair ('T2–T12' read into the next row's hip flexion) than a claim;
# this says nothing of which root of the limb is right, which is the reference table's business.
_UPPER = ("shoulder", "elbow", "wrist", "finger", "thumb", "biceps", "brachioradialis", "triceps")
_ORDER = {r: i for i, r in enumerate([f"C{i}" for i in range(1, 9)] + [f"T{i}" for i in range(1, 13)] +
                                     [f"L{i}" for i in range(1, 6)] + [f"S{i}" for i in range(1, 6)])}
_BANDS = {"upper": (_ORDER["C5"], _ORDER["T1"]), "lower": (_ORDER["L2"], _ORDER["S2"])}


def _region_fit(root: str, target: str) -> float:
    """1 inside the target's limb band, falling by a quarter per segment outside it (never below 0)."""
    lo, hi = _BANDS["upper" if target.startswith(_UPPER) else "lower"]
    i = _ORDER.get(root)
    if i is None:
        return 0.0
    away = lo - i if i < lo else i - hi if i > hi else 0
    return max(0.0, 1.0 - 0.25 * away)


def _target_kind(p: Proposal) -> str:
    return p.mention or ("REFLEX" if p.assertion.target_kind == "reflex" else "MOVEMENT")


def _atom_size(text: str, start: int, end: int) -> int:
    span = text[start:end]
    return 1 + span.count("-") + span.count("–") + span.count("/") + span.count(",")

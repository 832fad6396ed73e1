"""Features of a proposed claim: how it was proposed and what stands around it, never which page it is.

Every feature is a number, in the fixed order of ``NAMES``, so the scorer's weights are a plain
vector and a tree's split names a column. The groups:

- *how*: the reader's pairing shape, where carried roots or targets came from, the layout shapes
  that also offer the pair, and the claim's polarity;
- *geometry*: same sentence or line, lines apart, characters and mentions between the root and the
  target, whether another root stands nearer;
- *cues*: punctuation and words between the pair, and in its sentence (questions, conditions,
  hedges, sensory talk, disc levels, multiple-choice options, reasoning-trace words);
- *layout*: the line's kind, the structure it belongs to (table, row list, line pairs), its
  encoding and the column roles of the root's and the target's cells;
- *page kind*: how much of the page is tables, options or trace, never the page's identity.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from typing import TYPE_CHECKING

from .cues import CLAUSE_BREAK, SENSORY, STEM

if TYPE_CHECKING:
    from .claims import Proposal
    from .layout import PageLayout
    from .types import Article

HOW = ("attach", "open-paren", "label", "paren", "items", "in-order", "clause", "carried", "row", "topic",
       "nerve-clause", "shape")
VIA = ("lead", "heading", "item-label", "continuation", "nerve-anaphor", "anaphor", "subject", "heading-subject",
       "title", "nerve", "row-continuation", "also")
TARGET_VIA = ("anaphor", "reflex-anaphor", "announce")
SHAPES = ("same-sentence", "same-line", "row", "row-continuation", "row-list", "pair", "adjacent-before",
          "adjacent-after", "lead", "heading", "title", "paragraph")
POLARITY = ("affirmed", "negated", "uncertain")
LINE_KIND = ("paragraph", "bullet", "heading", "table_row")
STRUCTURE = ("table", "row-list", "pairs")
ENCODING = ("pipe", "spaces", "semicolon", "glued", "root-target", "target-root")
ROLES = ("root", "motor", "reflex", "sensory", "disc", "other")
TARGET_KIND = ("MOVEMENT", "REFLEX", "MUSCLE", "TERM")

_BETWEEN = {
    "comma": re.compile(r","), "semicolon": re.compile(r";"), "colon": re.compile(r":"),
    "paren": re.compile(r"[()]"), "dash": re.compile(r"\s[-–—]\s|[–—]"), "pipe": re.compile(r"\||\t|\s{3,}"),
    "stop": re.compile(r"[.!?](?:\s|$)"),
    "coord": re.compile(r"\b(?:and|or)\b", re.IGNORECASE),
    "contrast": re.compile(r"\b(?:but|while|whereas|however|although|though|unlike|rather|versus|vs)\b",
                           re.IGNORECASE),
    "link": re.compile(r"\b(?:innervat\w*|suppl\w+|control\w*|responsib\w*|test\w*|mediat\w*|serv\w+|driv\w+|"
                       r"involv\w*|assess\w*|evaluat\w*|associated|correspond\w*|root|myotome|=|→|->)", re.IGNORECASE),
    "relative": re.compile(r"\b(?:which|that|who|whose)\b", re.IGNORECASE),
    "negation": re.compile(r"\b(?:not|no|never|neither|nor|without|spared|normal|intact|isn'?t|aren'?t|doesn'?t|"
                           r"incorrect|wrong|excludes?)\b", re.IGNORECASE),
    "sensory": SENSORY,
}
# Cues of a claim's sentence. Most are words (a word's cues are found once and remembered), a few are
# phrases looked for in the lower-cased sentence, and three are patterns.
_SENTENCE_WORDS = {
    "condition": r"if|when|whether|suppose|assuming|unless",
    "hedge": r"may|might|could|possibl\w*|perhaps|maybe|likely|probabl\w*|variab\w*|sometimes|occasionally|minor|"
             r"partial\w*|contribut\w*|assist\w*",
    "negation": r"not|no|never|neither|nor|without|spared|normal|intact|isn'?t|aren'?t|doesn'?t|incorrect|wrong|"
                r"excludes?",
    "sensory": r"numb\w*|sensation\w*|sensory|paraesthesi\w*|paresthesi\w*|tingling|dermatom\w*|hypoaesthesi\w*|"
               r"hypoesthesi\w*|anaesthesi\w*|anesthesi\w*",
    "disc": r"dis[ck]s?|herniat\w*|prolaps\w*|bulg\w*|protrusion|level|interspace|foram\w*|vertebra\w*",
    "answer": r"correct|incorrect|answer|options?|explanation|choice|distractor|wrong",
    "trace": r"wait|hmm+|actually|okay|ok|oh|let's|i'm",
    "lesion": r"weak\w*|loss|lesion|injur\w*|damage\w*|compress\w*|radiculopath\w*|palsy|impair\w*|deficit\w*|"
              r"affect\w*|absent|diminish\w*|reduc\w*|drop",
    "compare": r"versus|vs|unlike|compared",
    "primary": r"primar\w*|main\w*|predominant\w*|chief\w*|key|mostly|dominant|principal\w*",
    "sensory_only": r"dermatom\w*|sensation|numb\w*|tingl\w*|skin",
}
_SENTENCE_PHRASES = {
    "hedge": ("some sources",),
    "sensory": ("pain distribution", "radicular pain", "pain radiat", "pain travel", "pain spread"),
    "trace": ("let me", "i think", "i recall", "hold on", "so the", "i need", "i remember"),
    "compare": ("rather than", "instead of", "as opposed"),
}
_SENTENCE_PATTERNS = {"question": re.compile(r"\?"), "stem": STEM, "clause_break": CLAUSE_BREAK}
_SENTENCE = ("question", "stem", "condition", "hedge", "negation", "sensory", "disc", "answer", "trace", "lesion",
             "compare", "primary", "sensory_only", "clause_break")
_SENTENCE_AT = {name: k for k, name in enumerate(_SENTENCE)}
_WORD_CUE = {name: re.compile(rx) for name, rx in _SENTENCE_WORDS.items()}
_LOWER_WORD = re.compile(r"[a-z']+")
_word_cues: dict[str, tuple[int, ...]] = {}


def _cues_of_word(word: str) -> tuple[int, ...]:
    found = _word_cues.get(word)
    if found is None:
        if len(_word_cues) > 100_000:  # a bound on what is remembered, whatever the pages hold
            _word_cues.clear()
        found = _word_cues[word] = tuple(_SENTENCE_AT[n] for n, rx in _WORD_CUE.items() if rx.fullmatch(word))
    return found


def sentence_cue_values(sentence: str) -> list[float]:
    """Which of the sentence cues ``sentence`` holds, as 0/1 in the order of ``_SENTENCE``."""
    out = [0.0] * len(_SENTENCE)
    low = sentence.lower()
    for word in set(_LOWER_WORD.findall(low)):
        for k in _cues_of_word(word):
            out[k] = 1.0
    for name, phrases in _SENTENCE_PHRASES.items():
        if any(ph in low for ph in phrases):
            out[_SENTENCE_AT[name]] = 1.0
    for name, rx in _SENTENCE_PATTERNS.items():
        if rx.search(sentence):
            out[_SENTENCE_AT[name]] = 1.0
    return out


_OPTION = re.compile(r"\s*(?:\(?[A-Ea-e][.)]|option\s+[A-Ea-e]\b|[A-E]\s*[:–-])\s", re.IGNORECASE)
_ROOT_START = re.compile(r"\W*(?:[CTLS]\s?\d|(?i:the\s+)?(?i:cervical|thoracic|lumbar|sacral)\b)")


def _names() -> tuple[str, ...]:
    out = ["reader", "retracted", "n_shapes"]
    out += [f"how={x}" for x in HOW] + [f"via={x}" for x in VIA] + [f"target_via={x}" for x in TARGET_VIA]
    out += [f"shape={x}" for x in SHAPES] + [f"polarity={x}" for x in POLARITY]
    out += [f"line={x}" for x in LINE_KIND] + [f"structure={x}" for x in STRUCTURE]
    out += [f"encoding={x}" for x in ENCODING]
    out += [f"t_role={x}" for x in ROLES] + [f"r_role={x}" for x in ROLES]
    out += [f"t_kind={x}" for x in TARGET_KIND] + ["reflex_target"]
    out += ["span_roots", "region_fit"]
    out += ["same_sentence", "same_line", "line_gap", "blank_gap", "root_before", "char_gap", "words_gap",
            "atoms_between", "targets_between", "root_rank", "target_rank", "atoms_sentence", "targets_sentence",
            "atoms_line", "targets_line", "atom_size", "root_in_parens", "root_at_line_start", "line_words",
            "line_colon_end", "line_question", "sentence_words", "option_line", "root_in_title"]
    out += [f"between={x}" for x in _BETWEEN] + [f"sentence={x}" for x in _SENTENCE]
    out += ["page_atoms", "page_table_share", "page_options", "page_trace", "page_questions"]
    return tuple(out)


NAMES: tuple[str, ...] = _names()
INDEX = {n: i for i, n in enumerate(NAMES)}


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
                     min(1.0, len(_TRACE_WORDS.findall(text)) / 4),
                     min(1.0, text.count("?") / 4)]
        self._sentence_cache: dict[int, list[float]] = {}
        self._lines: dict[int, tuple[float, float, float, float]] = {}
        self._bases: dict[tuple[int, int], list[float]] = {}

    def line_mentions(self, li: int) -> tuple[int, int, int, int]:
        """Where line ``li``'s root and target mentions are in ``atom_starts`` and ``target_starts``."""
        ln = self.layout.lines[li]
        return (bisect_left(self.atom_starts, ln.start), bisect_left(self.atom_starts, ln.end),
                bisect_left(self.target_starts, ln.start), bisect_left(self.target_starts, ln.end))

    def base(self, li: int, k: int, s: int, e: int) -> list[float]:
        """The features every claim whose target is on line ``li``, in sentence ``k``, shares."""
        key = (li, k)
        if key not in self._bases:
            v = [0.0] * len(NAMES)
            ln = self.layout.lines[li]
            for name in ("line=" + ln.kind,):
                if name in _I:
                    v[_I[name]] = 1.0
            si = self.layout.structure_of[li]
            if si >= 0:
                st = self.layout.structures[si]
                for name in ("structure=" + st.kind, "encoding=" + st.encoding):
                    if name in _I:
                        v[_I[name]] = 1.0
            for col, value in zip(_LINE_COLS, self.line_facts(li), strict=True):
                v[col] = value
            a0, a1, t0, t1 = self.line_mentions(li)
            v[_I["atoms_line"]] = _log(a1 - a0)
            v[_I["targets_line"]] = _log(t1 - t0)
            v[_I["atoms_sentence"]] = _log(self.count(self.atom_starts, s, e))
            v[_I["targets_sentence"]] = _log(self.count(self.target_starts, s, e))
            v[_I["sentence_words"]] = _log(min(400, (e - s) / 6))
            cues = self.sentence_cues(k, s, e)
            at = _I["sentence=question"]
            v[at:at + len(cues)] = cues
            at = _I["page_atoms"]
            v[at:at + len(self.page)] = self.page
            self._bases[key] = v
        return self._bases[key]

    def line_facts(self, li: int) -> tuple[float, float, float, float]:
        """(words, ends with ':', ends with '?', is a multiple-choice option) of line ``li``, found once."""
        if li not in self._lines:
            ln = self.layout.lines[li]
            tail = self.text[max(ln.start, ln.end - 3):ln.end].rstrip()
            self._lines[li] = (_log(ln.words), 1.0 if tail.endswith(":") else 0.0, 1.0 if tail.endswith("?") else 0.0,
                               1.0 if _OPTION.match(self.text, ln.start, ln.end) else 0.0)
        return self._lines[li]

    def sentence_of(self, pos: int) -> tuple[int, int, int]:
        k = bisect_right(self.sent_starts, pos) - 1
        s, e = self.sentences[k] if k >= 0 else (pos, pos)
        return k, s, e

    def count(self, starts: list[int], a: int, b: int) -> int:
        return bisect_left(starts, b) - bisect_left(starts, a) if b > a else 0

    def sentence_cues(self, k: int, s: int, e: int) -> list[float]:
        if k not in self._sentence_cache:
            self._sentence_cache[k] = sentence_cue_values(self.text[s:min(e, s + 20_000)])
        return self._sentence_cache[k]


_I = INDEX
_TRACE_WORDS = re.compile(r"\b(?:wait|hmm+|let\s+me|let's|i\s+think|i\s+recall|actually|hold\s+on|okay|ok|so\s+the|"
                          r"i'm|i\s+need|i\s+remember|oh)\b", re.IGNORECASE)


def _any_of(cues: dict[str, re.Pattern]) -> re.Pattern:
    """One pattern matching any of ``cues``, each a named group (with its own flags), so a span is read once."""
    return re.compile("|".join(
        f"(?P<{name.replace('-', '_')}>{'(?i:' + rx.pattern + ')' if rx.flags & re.IGNORECASE else rx.pattern})"
        for name, rx in cues.items()))


_BETWEEN_ANY = _any_of(_BETWEEN)
_BETWEEN_AT = {name.replace("-", "_"): _I[f"between={name}"] for name in _BETWEEN}


_ON = {name: i for name, i in _I.items() if "=" in name}  # the one-hot columns
_LINE_COLS = [_I[n] for n in ("line_words", "line_colon_end", "line_question", "option_line")]
(_READER, _RETRACTED, _N_SHAPES, _REFLEX_TARGET, _SAME_SENTENCE, _SAME_LINE, _LINE_GAP, _BLANK_GAP, _ROOT_BEFORE,
 _CHAR_GAP, _WORDS_GAP, _ATOMS_BETWEEN, _TARGETS_BETWEEN, _ROOT_RANK, _TARGET_RANK, _ATOM_SIZE, _SPAN_ROOTS,
 _REGION_FIT, _ROOT_IN_PARENS, _ROOT_AT_LINE_START, _ROOT_IN_TITLE) = (_I[n] for n in (
    "reader", "retracted", "n_shapes", "reflex_target", "same_sentence", "same_line", "line_gap", "blank_gap",
    "root_before", "char_gap", "words_gap", "atoms_between", "targets_between", "root_rank", "target_rank",
    "atom_size", "span_roots", "region_fit", "root_in_parens", "root_at_line_start", "root_in_title"))


def featurize(p: Proposal, facts: PageFacts) -> list[float]:
    """The feature vector of one claim, in the order of ``NAMES``: what its line, sentence and page give
    (computed once for them), then what is the claim's own."""
    a = p.assertion
    text, layout = facts.text, facts.layout
    ts, te, rs, re_ = a.target_start, a.target_end, a.root_start, a.root_end
    n = len(text) - 1
    tl = layout.line_at(max(0, min(ts, n)))
    ln = layout.lines[tl]
    rl = tl if ln.start <= rs < ln.end else layout.line_at(max(0, min(rs, n)))
    k, s, e = facts.sentence_of(ts)
    v = list(facts.base(tl, k, s, e))
    on = _ON.get
    for name in ("how=" + p.shape, "via=" + p.via, "target_via=" + p.target_via, "polarity=" + a.polarity,
                 "t_kind=" + _target_kind(p), *("shape=" + x for x in p.shapes)):
        i = on(name)
        if i is not None:
            v[i] = 1.0
    if layout.structure_of[tl] >= 0:
        for name in ("t_role=" + (layout.role_at(tl, ts) or "none"), "r_role=" + (layout.role_at(rl, rs) or "none")):
            i = on(name)
            if i is not None:
                v[i] = 1.0
    v[_READER] = 1.0 if p.reader else 0.0
    v[_RETRACTED] = 1.0 if p.retracted else 0.0
    v[_N_SHAPES] = float(len(p.shapes))
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

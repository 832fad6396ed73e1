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
_SENTENCE = {
    "question": re.compile(r"\?"),
    "stem": STEM,
    "condition": re.compile(r"\b(?:if|when|whether|suppose|assuming|unless)\b", re.IGNORECASE),
    "hedge": re.compile(r"\b(?:may|might|could|possibl\w*|perhaps|maybe|likely|probabl\w*|some\s+sources|"
                        r"variab\w*|sometimes|occasionally|minor|partial\w*|contribut\w*|assist\w*)\b", re.IGNORECASE),
    "negation": _BETWEEN["negation"],
    "sensory": SENSORY,
    "disc": re.compile(r"\b(?:dis[ck]s?|herniat\w*|prolaps\w*|bulg\w*|protrusion|level|interspace|foram\w*|"
                       r"vertebra\w*)\b", re.IGNORECASE),
    "answer": re.compile(r"\b(?:correct|incorrect|answer|options?|explanation|choice|distractor|wrong)\b",
                         re.IGNORECASE),
    "trace": re.compile(r"\b(?:wait|hmm+|let\s+me|let's|i\s+think|i\s+recall|actually|hold\s+on|okay|ok|so\s+the|"
                        r"i'm|i\s+need|i\s+remember|oh)\b", re.IGNORECASE),
    "lesion": re.compile(r"\b(?:weak\w*|loss|lesion|injur\w*|damage\w*|compress\w*|radiculopath\w*|palsy|"
                         r"impair\w*|deficit\w*|affect\w*|absent|diminish\w*|reduc\w*|drop)\b", re.IGNORECASE),
    "compare": re.compile(r"\b(?:rather\s+than|instead\s+of|versus|vs\.?|unlike|as\s+opposed|compared)\b",
                          re.IGNORECASE),
    "primary": re.compile(r"\b(?:primar\w*|main\w*|predominant\w*|chief\w*|key|mostly|dominant|principal\w*)\b",
                          re.IGNORECASE),
    "sensory_only": re.compile(r"\b(?:dermatom\w*|sensation|numb\w*|tingl\w*|skin)\b", re.IGNORECASE),
    "clause_break": CLAUSE_BREAK,
}
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
                     min(1.0, len(_SENTENCE["trace"].findall(text)) / 4),
                     min(1.0, text.count("?") / 4)]
        self._sentence_cache: dict[int, list[float]] = {}

    def sentence_of(self, pos: int) -> tuple[int, int, int]:
        k = bisect_right(self.sent_starts, pos) - 1
        s, e = self.sentences[k] if k >= 0 else (pos, pos)
        return k, s, e

    def count(self, starts: list[int], a: int, b: int) -> int:
        return bisect_left(starts, b) - bisect_left(starts, a) if b > a else 0

    def sentence_cues(self, k: int, s: int, e: int) -> list[float]:
        if k not in self._sentence_cache:
            self._sentence_cache[k] = [1.0 if rx.search(self.text, s, e) else 0.0 for rx in _SENTENCE.values()]
        return self._sentence_cache[k]


def featurize(p: Proposal, facts: PageFacts) -> list[float]:
    """The feature vector of one claim, in the order of ``NAMES``."""
    a = p.assertion
    text, layout = facts.text, facts.layout
    v = [0.0] * len(NAMES)

    def on(name: str, value: float = 1.0) -> None:
        i = INDEX.get(name)
        if i is not None:
            v[i] = value

    on("reader", 1.0 if p.reader else 0.0)
    on("retracted", 1.0 if p.retracted else 0.0)
    on("n_shapes", float(len(p.shapes)))
    on(f"how={p.shape}")
    on(f"via={p.via}")
    on(f"target_via={p.target_via}")
    for shape in p.shapes:
        on(f"shape={shape}")
    on(f"polarity={a.polarity}")
    ts, te, rs, re_ = a.target_start, a.target_end, a.root_start, a.root_end
    tl = layout.line_at(max(0, min(ts, len(text) - 1)))
    rl = layout.line_at(max(0, min(rs, len(text) - 1)))
    ln = layout.lines[tl]
    on(f"line={ln.kind}")
    si = layout.structure_of[tl]
    if si >= 0:
        st = layout.structures[si]
        on(f"structure={st.kind}")
        on(f"encoding={st.encoding}")
    on(f"t_role={layout.role_at(tl, ts) or 'none'}")
    on(f"r_role={layout.role_at(rl, rs) or 'none'}")
    on(f"t_kind={_target_kind(p)}")
    on("reflex_target", 1.0 if a.target_kind == "reflex" else 0.0)

    k, s, e = facts.sentence_of(ts)
    same_sentence = s <= rs < e
    same_line = tl == rl
    on("same_sentence", float(same_sentence))
    on("same_line", float(same_line))
    gap = abs(facts.rank.get(tl, 0) - facts.rank.get(rl, 0))
    on("line_gap", float(min(gap, 5)))
    on("blank_gap", float(min(text.count("\n", *sorted((rs, ts))) - gap, 5)) if not same_line else 0.0)
    on("root_before", 1.0 if rs < ts else 0.0)
    lo, hi = (re_, ts) if rs < ts else (te, rs)
    if same_line and hi >= lo:
        on("char_gap", _log(hi - lo))
        on("words_gap", _log(len(text[lo:hi].split())) if hi - lo < 400 else _log(60))
        on("atoms_between", float(facts.count(facts.atom_starts, lo, hi)))
        on("targets_between", float(facts.count(facts.target_starts, lo, hi)))
        between = text[lo:hi] if hi - lo < 400 else ""
        for name, rx in _BETWEEN.items():
            if between and rx.search(between):
                on(f"between={name}")
    line_atoms = facts.atom_starts[bisect_left(facts.atom_starts, ln.start):bisect_left(facts.atom_starts, ln.end)]
    line_targets = facts.target_starts[bisect_left(facts.target_starts, ln.start):
                                       bisect_left(facts.target_starts, ln.end)]
    if same_line:
        d = abs(rs - ts)
        on("root_rank", float(min(5, sum(1 for x in line_atoms[:50] if abs(x - ts) < d))))
        on("target_rank", float(min(5, sum(1 for x in line_targets[:50] if abs(x - rs) < d))))
    on("atoms_sentence", _log(facts.count(facts.atom_starts, s, e)))
    on("targets_sentence", _log(facts.count(facts.target_starts, s, e)))
    on("atoms_line", _log(len(line_atoms)))
    on("targets_line", _log(len(line_targets)))
    on("atom_size", float(min(4, _atom_size(text, rs, re_))))
    before = text[max(0, rs - 2):rs]
    on("root_in_parens", 1.0 if "(" in before else 0.0)
    rln = layout.lines[rl]
    on("root_at_line_start", 1.0 if _ROOT_START.match(text, rln.start, rs + 1) and rs - rln.start <= 6 else 0.0)
    on("line_words", _log(ln.words))
    tail = text[max(ln.start, ln.end - 3):ln.end].rstrip()
    on("line_colon_end", 1.0 if tail.endswith(":") else 0.0)
    on("line_question", 1.0 if tail.endswith("?") else 0.0)
    on("sentence_words", _log(min(400, (e - s) / 6)))
    on("option_line", 1.0 if _OPTION.match(text, ln.start, ln.end) else 0.0)
    t0, t1 = facts.article.title_span
    on("root_in_title", 1.0 if t0 <= rs < t1 else 0.0)
    cues = facts.sentence_cues(k, s, e)
    base = INDEX["sentence=question"]
    v[base:base + len(cues)] = cues
    base = INDEX["page_atoms"]
    v[base:base + len(facts.page)] = facts.page
    return v


def _target_kind(p: Proposal) -> str:
    return p.mention or ("REFLEX" if p.assertion.target_kind == "reflex" else "MOVEMENT")


def _atom_size(text: str, start: int, end: int) -> int:
    span = text[start:end]
    return 1 + span.count("-") + span.count("–") + span.count("/") + span.count(",")

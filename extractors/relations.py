"""From mentions to assertions: which root does each movement or reflex belong to?

Real pages state a claim in many shapes, and each shape has its own way of
joining a root to a target. In order of how tightly they bind:

1. **Attachment.** A root written right after a target, muscle or nerve belongs
   to it: "plantar flexion (S1)", "Deltoid (C5,6)", "hip flexion (iliopsoas):
   L2, L3, L4", "biceps C5/6", "the femoral nerve (L2–L4)". A root line written
   as a label belongs to the targets after it: "C6-7: wrist flexion/extension".
2. **Items.** Within a clause, a parallel list pairs item by item: "hip flexion
   is associated with L2-L3, knee extension with L3-L4, and foot inversion
   falls under L4". Items naming only targets or only roots join their
   neighbour in the direction the list runs.
3. **Clauses.** A sentence is cut at coordinating boundaries (', and', ', but',
   ', while', ';' …); an elliptical clause joins its neighbour ("…, but not with
   dorsiflexion"); a roots-only clause set against another with roots of its own
   adds none ("numbness points to C8, whereas a reduced triceps jerk points to
   C7").
4. **Structure.** A line that names only roots governs the lines under it: a
   heading ("L2"), a lead-in ("L5 radiculopathy:"), a flash-card front
   ("Myotome: C5"), a table row's root cell. A line that names only targets is
   the topic of the root lines under it ("Biceps Reflex" … "Segmental
   innervation: C5-C6"); the claim's sentence is then the topic line, as the
   annotation guide has it.
5. **Carry-over.** A sentence whose subject points back ("It also supplies …",
   "This nerve root innervates the deltoid", "These muscles are supplied by
   L2-L4", a subjectless "Innervates the gluteus medius") takes its roots or
   targets from what it points back to; a nerve whose roots the page gave
   carries them where it is named again.

Around the targets: in a reflex context (a 'Reflex' column or lead-in, "DTR for
C6", a list of reflexes) a muscle or a short name means its reflex ("biceps
C5/6" under "Tendon Reflexes" is the biceps reflex); a muscle the page credits
with a movement ("the tibialis posterior and the extensor hallucis longus, which
play roles in eversion and toe extension", "L4 ankle inversion (tibialis
anterior and posterior)") counts as that movement only.

Polarity comes from ``extractors.context``: a trigger's scope must reach the
pair's later member (forward triggers) or its earlier member within its clause
(backward ones); a conditional ("if it were S1 …") makes the claim uncertain
whatever else is said; a sentence that takes back the one before it ("Wait, no")
negates that sentence's claims.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import TYPE_CHECKING

from .citations import find_markers
from .context import Trigger, load_rules, triggers
from .mentions import Target, get_matcher
from .pipeline import get_nlp
from .types import ASSERTION_COLUMNS, Article, Assertion

if TYPE_CHECKING:
    import pandas as pd
    from spacy.tokens import Doc

_CLAUSE_BREAK = re.compile(
    r",\s*(?:and|but|while|whereas|whilst|although|though|yet|it|they|this|these)\b|;|:\s"
    r"|\s(?:while|whereas|whilst)\s",
    re.IGNORECASE,
)
_CONTRAST = re.compile(r",?\s*(?:but|while|whereas|whilst|although|though|yet)\b", re.IGNORECASE)
_SENSORY = re.compile(r"\b(?:numb|numbness|sensation|sensory|paraesthesi|paresthesi|tingling|dermatom|hypoaesthesi"
                      r"|hypoesthesi|anaesthesi|anesthesi|pain\s+distribution|radicular\s+pain|pain\s+(?:radiat|travel|spread))",
                      re.IGNORECASE)
_PRIMARY = re.compile(
    r"\b(?:primar(?:y|ily)|main(?:ly)?|predominant(?:ly)?|chief(?:ly)?|principal(?:ly)?|mostly|dominant)\b",
    re.IGNORECASE,
)
_STEM = re.compile(r"\?\s*$|\bexcept\b\W*$|\bwhich of the following\b|\ball (?:of the following )?except\b",
                   re.IGNORECASE)
_TARGET_JOIN = re.compile(r"^[\s,;/()&+]*(?:and/or|and|or|plus)?[\s,()]*$", re.IGNORECASE)
_COMMA_JOIN = re.compile(r"[\s()]*(?:,|and|or|&|/|,?\s*and|,?\s*or)[\s()]*|\s*/\s*")
_AND_JOIN = re.compile(r"[\s()]*(?:and|or|&|/|,?\s*and)[\s()]*|\s*/\s*")
_RELATION = {"movement": "controls", "reflex": "mediates"}
# a root right after a target / nerve: 'plantar flexion (S1)', 'biceps C5/6', 'hip flexion (iliopsoas): L2, L3'
_ATTACH_AFTER = re.compile(r"^\s*(?:\([^()\n]{0,40}\)\s*)?[:(–—-]?\s*(?:\(\s*(?:which\s+(?:is|are)|i\.?e\.?|mainly|"
                           r"mostly|primarily|usually)?\s*)?$", re.IGNORECASE)
# a root label before its targets: 'C6-7: wrist flexion', 'L2: hip flexion', 'C5 deltoid', 'C5 – Feel alive – Shoulder'
_LABEL_GAP = re.compile(r"^\s*(?:[:–—-]\s*)?$")
_ROOT_ANAPHOR = re.compile(
    r"\b(?:this|these|those|that|the\s+same|its|their)\s+(?:specific\s+|same\s+|particular\s+|affected\s+)?"
    r"(?:nerve\s+|spinal\s+|lumbar\s+|cervical\s+|sacral\s+)?(?:roots?|myotomes?|nerves?|levels?|segments?)\b(?!\s+(?:distribution|involvement|anatomy|level|pattern))",
    re.IGNORECASE)
_TARGET_ANAPHOR = re.compile(
    r"\b(?:this|these|those|the\s+same)\s+(?:\w+\s+)?(?:muscles?|movements?|actions?|motions?|functions?)\b"
    r"|\bthat\s+(?:muscle|movement|action|motion)\b(?!\s+(?:is|are|was)\b)",  # 'weakness in that motion'
    re.IGNORECASE)
_REFLEX_ANAPHOR = re.compile(r"\b(?:this|the|a|that|normal|diminished|absent|reduced|brisk)\s+reflex\b", re.IGNORECASE)
_PRONOUN_START = re.compile(r"^\W*(?:it|they|its|their)\b(?!['’]s\b|\s+(?:is|are)\s+(?:important|essential|crucial|"
                            r"worth|vital|why|because|fascinating|also\s+important|not\s+(?:clear|known)))",
                            re.IGNORECASE)
_DEMONSTRATIVE = re.compile(r"^\W*(?:this|these|those)\s+(?!(?:is|are|was|were|allows?|means?|makes?|can|may|will|"
                            r"helps?|shows?|suggests?|indicates?|explains?|occurs?|happens?|leads?)\b)[a-z]+",
                            re.IGNORECASE)
# a sentence about a target that announces its roots: 'Let's address the nerve roots involved in knee flexion.'
_ANNOUNCE = re.compile(r"\b(?:nerve\s+roots?|roots?|nerves?|myotomes?|innervation)\b(?!\s+(?:is|are)\b)", re.IGNORECASE)
_SUPPLY = re.compile(r"\b(?:innervat\w*|suppl(?:y|ies|ied)|controls?|serves?|responsible|provides?|gives?|"
                     r"branch(?:es)?\s+to|via)\b", re.IGNORECASE)
_ALSO = re.compile(r"^\W*(?:it|they|this\s+\w+)\s+also\b", re.IGNORECASE)
_SUBJECTLESS = re.compile(r"^\W*(?:innervates?|supplies|supply|controls?|serves?|mediates?|provides?|gives?|"
                          r"also\s+(?:innervates?|supplies|controls?))\b", re.IGNORECASE)
_REFLEX_LABEL = re.compile(r"\b(?:DTRs?|deep\s+tendon\s+reflex(?:es)?|tendon\s+reflex(?:es)?|reflex(?:es)?|jerks)\b",
                           re.IGNORECASE)
# a list introduced as reflexes: 'other reflexes: for example, the biceps reflex …, the brachioradialis …'
# 'the deep tendon reflexes to check during motor assessment are: Biceps (C5-C6), Triceps (C7-C8), …'
_REFLEX_LIST = re.compile(r"\breflexes\b(?:\s+(?!and\b|but\b|or\b)[\w-]+){0,6}?\s*(?::|,?\s*(?:such\s+as|for\s+example|"
                          r"e\.g\.|including|include|are\b))", re.IGNORECASE)
# a colon list announced as tendon reflexes is one without a reflex name in it
_TENDON_REFLEX_LIST = re.compile(r"\b(?:(?:deep\s+)?tendon\s+reflexes|DTRs)\b(?:\s+(?!and\b|but\b|or\b)[\w-]+){0,6}?"
                                 r"\s*(?:are\s*)?:", re.IGNORECASE)
_LINK_VERB = re.compile(r"\b(?:matters?|controls?|supplies|supply|innervat\w*|serves?|mediates?|tests?|drives?|"
                        r"responsible|involves?|is|are|for|from|by|via|=|:)\b|[:=]", re.IGNORECASE)
# 'The reflex arc is started when … the triceps muscle …', 'the test activates the stretch receptors inside
# the biceps brachii muscle …': a reflex named by its muscle
_GENERIC_REFLEX = re.compile(r"\breflex\s+(?:arc|loop|pathway|hammer)|\bstretch\s+(?:reflex|receptors?)\b"
                             r"|\btap(?:ping|ped)?\s+(?:the|on|over)\b[^.]{0,30}\btendon\b", re.IGNORECASE)
# muscles with a tendon reflex outside the vocabulary (finger jerk, adductor and tibialis posterior reflexes)
_REFLEX_MUSCLES = frozenset({"finger_flexors", "hip_adductors", "tibialis_posterior", "hamstrings"})
_MOTOR_LABEL = re.compile(r"^\W*(?:motor|muscles?|power|strength|myotomes?|movement|weakness)\b", re.IGNORECASE)
_INNERVATION_CUE = re.compile(r"\b(?:innervat|nerve\s+supply|supplied|supply|roots?|segment|myotome|level)",
                              re.IGNORECASE)
_RETRACT = re.compile(r"^\W*(?:wait|hmm|hm|no|actually|oops|sorry)\b[\s,.!—–-]*(?:no\b|that'?s\s+(?:wrong|not\s+right)"
                      r"|i\s+was\s+wrong|scratch\s+that|not\s+quite)", re.IGNORECASE)
_RELATIVE = re.compile(r"^\s*(?:muscles?\s*)?(?:\(\s*)?,?\s*(?:which|that|who)\s+(?:\w+\s+){0,3}?"
                       r"(?:act|acts|is|are|play|plays|help|helps|allow|allows|bends?|moves?|rotates?|stabili[sz]es?|"
                       r"responsible|produces?|performs?|pulls?|lifts?|raises?|curls?|extends?|flexes?|abducts?|"
                       r"adducts?)\b", re.IGNORECASE)
_COLUMN_ROLES = (
    ("disc", re.compile(r"\b(?:disc|disk|interspace)\b", re.IGNORECASE)),
    ("sensory", re.compile(r"\b(?:sensory|sensation|dermatomes?|skin|numbness)\b", re.IGNORECASE)),
    ("reflex", re.compile(r"\b(?:reflex(?:es)?|DTRs?|jerks?)\b", re.IGNORECASE)),
    ("root", re.compile(r"\b(?:roots?|segments?|myotomes?|levels?)\b", re.IGNORECASE)),
)


@dataclass(frozen=True)
class _Atom:
    roots: tuple[str, ...]
    start: int
    end: int


@dataclass(frozen=True)
class _Group:
    """Coordinated roots sharing one predicate; ``start``/``end`` where they (or what stands for them) are."""

    atoms: tuple[_Atom, ...]
    start: int
    end: int
    carried: bool = False  # from a heading, a lead-in, an antecedent or a nerve


@dataclass
class _Line:
    start: int
    end: int
    indent: int
    kind: str  # paragraph | bullet | heading | table_row
    words: int


@dataclass
class _Lead:
    """A line naming roots and no target: it governs the short lines, bullets and rows under it."""

    groups: list[_Group]
    indent: int
    heading: bool
    sensory: bool = False


@dataclass
class _Topic:
    """A line naming targets and no root: the topic of the root lines under it."""

    targets: list[Target]
    start: int
    end: int
    indent: int
    heading: bool
    used: bool = False
    colon: bool = False  # 'a foot drop is caused by either:' introduces the root lines below


@dataclass
class _State:
    lead: _Lead | None = None
    topic: _Topic | None = None
    reflex_mode: bool = False
    sensory_mode: bool = False
    heading_groups: list[_Group] = field(default_factory=list)
    last_groups: list[_Group] = field(default_factory=list)
    last_targets: list[Target] = field(default_factory=list)
    last_subject: str = ""  # 'root' | 'target': the first mention of the last sentence with mentions
    nerve_roots: dict[str, list[_Group]] = field(default_factory=dict)
    nerve_block: dict[str, int] = field(default_factory=dict)  # where the nerve's roots were given
    last_nerve: str = ""
    table_roles: list[str] | None = None
    reflex_cells: list[tuple[int, int]] = field(default_factory=list)
    title_groups: list[_Group] = field(default_factory=list)  # a title naming only roots: 'L5 damage'
    flat_roles: list[str] | None = None
    # muscles named as a reflex they do not have: (start, end, the roots the line is about)
    misnamed: list[tuple[int, int, tuple[str, ...]]] = field(default_factory=list)
    row_groups: list[_Group] = field(default_factory=list)
    section: int = -1
    paragraph: int = -1
    para_groups: list[_Group] = field(default_factory=list)  # the paragraph's subject root, while it is the only one
    para_open: bool = True
    announce: list[Target] = field(default_factory=list)  # 'the nerve roots involved in knee flexion' (just said)
    last_reflex: list[Target] = field(default_factory=list)  # the reflex last named in the section ('this reflex')
    item_groups: list[_Group] = field(default_factory=list)  # '• L4 Nerve Root: …': the item's label root
    item_end: int = -1  # … for the rest of its line
    line_groups: list[_Group] = field(default_factory=list)  # roots of the last line that made claims
    line_end: int = -1


def extract(article: Article, doc: Doc | None = None) -> list[Assertion]:
    """All root–target assertions of an article, in text order."""
    return analyze(article, doc).assertions


def _lines(article: Article, text: str) -> tuple[list[_Line], list[int]]:
    """Every line of the text with its indent, kind (from the article's blocks) and word count."""
    out, starts = [], []
    pos = 0
    blocks = article.blocks
    block_starts = [b.start for b in blocks]
    for raw in text.split("\n"):
        s, e = pos, pos + len(raw)
        stripped = raw.lstrip(" \t•●▪◦‣∙·*+-–—")
        indent = len(raw) - len(raw.lstrip(" \t"))
        i = bisect_right(block_starts, s) - 1
        kind = blocks[i].kind if i >= 0 and s < blocks[i].end else "paragraph"
        if kind == "paragraph":
            shown = article.text[s:e].lstrip()
            if shown.startswith(("•", "●", "▪", "◦", "- ", "* ", "+ ")) or (shown[:1].isdigit() and _NUMBERED.match(
                    shown)):
                kind = "bullet"
        out.append(_Line(s, e, indent, kind, len(stripped.split())))
        starts.append(s)
        pos = e + 1
    return out, starts


def assertions_from_doc(article: Article, doc: Doc) -> list[Assertion]:
    matcher = get_matcher()
    lex = matcher.lexicon
    rules = load_rules()
    text = article.plain  # == doc.text, which spaCy rebuilds from tokens on every access
    cut = doc._.truncated_at
    lines, line_starts = _lines(article, text if cut is None else text[:cut])
    all_groups = [g for g in doc._.root_groups if any(not a.is_level for a in g.atoms)]
    group_starts = [g.start for g in all_groups]
    targets = doc._.targets
    target_starts = [t.start for t in targets]
    candidates = doc._.reflex_names
    nerves = doc._.nerves
    anchors = doc._.anchors or []
    anchor_starts = [t.start for t in anchors]
    st = _State()
    out: list[Assertion] = []
    seen: set[tuple] = set()
    last_sentence: list[int] = []  # indices into ``out`` of the previous sentence's claims
    widen: dict[tuple[int, int], list[tuple]] = {}  # line span -> (index, sentence start, forced, muscle, pronoun)
    block_starts = [b.start for b in article.blocks]
    locate = article.section_index
    nerve_starts = [n.start for n in nerves]
    cand_starts = [c.start for c in candidates]

    line_seen, line_reflex_word, line_reflex_label = -1, False, False
    for s_start, s_end in doc._.sentences:
        if cut is not None and s_start >= cut:
            break
        start, end = _trim(text, s_start, s_end)
        if start >= end:
            continue
        li = bisect_right(line_starts, start) - 1
        line = lines[li]
        whole_line = not text[line.start:start].strip(" \t•●▪◦‣∙·*+-–—0123456789.)") and not text[end:line.end].strip()
        sentence = text[start:end]
        sec_index = locate(start)
        bi = bisect_right(block_starts, start) - 1
        if sec_index != st.section:
            st = _State(nerve_roots=st.nerve_roots, nerve_block=st.nerve_block, last_nerve=st.last_nerve,
                        section=sec_index, title_groups=st.title_groups, flat_roles=st.flat_roles,
                        misnamed=st.misnamed)
        if bi != st.paragraph:
            st.paragraph = bi
            st.para_groups, st.para_open = [], True
        if line.kind != "table_row":
            st.table_roles = None
        elif st.table_roles is None and not _groups_in(all_groups, group_starts, start, end):
            st.table_roles = _column_roles(text, line.start, line.end)
            continue

        groups = _sentence_groups(all_groups, group_starts, start, end)
        if line.kind == "heading" and whole_line and st.lead is not None and not groups and not (
                _MOTOR_LABEL.match(sentence) or _SENSORY.search(sentence) or (
                    _REFLEX_LABEL.search(sentence) and not _groups_in(targets, target_starts, start, end))):
            st.lead = None
        s_targets = _between(targets, target_starts, start, end)
        s_nerves = _between(nerves, nerve_starts, start, end)
        s_anchors = _between(anchors, anchor_starts, start, end)
        if not groups and not s_targets and not s_anchors and not _groups_in(candidates, cand_starts, start, end):
            if not _STEM.search(sentence):
                _set_mode(text, line, st, whole_line, sentence)
                if whole_line and line.kind != "table_row":
                    _flat_row(text, line, st, [], [])
            else:
                st.lead, st.topic = None, None
            continue
        if _STEM.search(sentence):
            st.lead, st.topic = None, None
            continue

        # layout: table columns, reflex and sensory contexts, bare actions with a body given by the line
        s_targets, groups = _table_cells(text, line, st, s_targets, groups)
        if li != line_seen:  # line-level facts, once per line (a page may be one line of megabytes)
            line_seen = li
            line_reflex_word = bool(_REFLEX_LABEL.search(text, line.start, line.end))
            line_reflex_label = _reflex_label_line(text, line)
        reflex_ctx = st.reflex_mode or (line_reflex_word and not s_targets) or line_reflex_label
        s_targets = _reflex_context(text, start, end, s_targets, _between(candidates, cand_starts, start, end),
                                    reflex_ctx, st)
        s_targets = _credited(text, s_targets, start, end, line.kind == "table_row" or (
            whole_line and bool(groups) and groups[0].start - start <= 3 and not sentence.rstrip().endswith(
                (".", "!", "?")) and (line.words <= 12 or (_ROW_LABEL.match(text, groups[-1].end) and (
                    sentence.count(";") >= 2 or sentence.count(",") >= 3)))))
        bare, bare_anchors = _bare_actions(matcher, doc, text, line, start, end, s_targets)
        s_targets += bare
        if bare_anchors:
            s_anchors = sorted([*s_anchors, *bare_anchors], key=lambda t: t.start)
        s_targets.sort(key=lambda t: t.start)
        named_reflexes = [t for t in s_targets if t.kind == "REFLEX"]
        if named_reflexes:
            st.last_reflex = named_reflexes[-1:]

        # nerves: roots attached to a nerve are registered; a known nerve stands for its roots
        groups, nerve_groups = _nerves(text, st, s_nerves, groups, s_targets)

        if not groups and not s_targets:
            _set_mode(text, line, st, whole_line, sentence)
            continue

        sensory_line = bool(_SENSORY.search(sentence)) and not s_targets
        if groups and not s_targets and not nerve_groups:
            anaphor = _TARGET_ANAPHOR.search(sentence) or (_PRONOUN_START.match(sentence)
                                                           and st.last_subject == "target")
            reflex_anaphor = _REFLEX_ANAPHOR.search(sentence)
            at = min(g.start for g in groups)
            if anaphor and st.last_targets and not sensory_line:  # '… these muscles, L5 also gives sensation …'
                s_targets = [replace(t, start=at - 1, end=at - 1) for t in st.last_targets]
            elif reflex_anaphor and (any(t.kind == "REFLEX" for t in st.last_targets) or st.last_reflex):
                # 'this reflex' is the reflex last named, even when the sentences between describe its movement
                named = [t for t in st.last_targets if t.kind == "REFLEX"][-1:] or st.last_reflex
                s_targets = [replace(t, start=reflex_anaphor.start() + start, end=reflex_anaphor.end() + start)
                             for t in named]
            elif st.topic is not None and not sensory_line and (_INNERVATION_CUE.search(sentence) or (
                    st.topic.colon and line.kind in ("bullet", "table_row"))):
                _emit_topic(article, text, st.topic, groups, out, seen, lex, rules)
                st.topic.used = True
                continue
            elif st.announce and not sensory_line:
                s_targets = [replace(t, start=at - 1, end=at - 1) for t in st.announce]
            elif s_anchors:  # 'C7 shoulder adduction': a claim about a movement outside the vocabulary
                st.last_groups, st.last_subject = groups, "root"
                continue
            else:
                in_title = article.title_span[0] <= start < article.title_span[1]
                if not in_title and _ITEM_LABEL.match(text, start, groups[0].start) and _LABEL_AFTER.match(
                        text, groups[-1].end):
                    # '• L4 Nerve Root: Irritation here can cause pain …. You may have weakness lifting the foot'
                    st.item_groups, st.item_end = groups, line.end
                if in_title and not _SENSORY.search(sentence) and not _STEM.search(sentence) and len(
                        groups) == 1 and not s_nerves:
                    st.title_groups = groups
                elif _is_lead(text, line, sentence, whole_line):
                    st.lead = _Lead(groups, line.indent, line.kind == "heading",
                                    sensory=bool(_SENSORY.search(sentence)))
                    st.topic = None
                    if line.kind == "heading":
                        st.heading_groups = groups
                    if _REFLEX_LABEL.search(sentence):
                        st.reflex_mode = True
                st.last_groups, st.last_subject = groups, "root"
                continue
        if not groups and s_targets:
            groups = _carried(text, sentence, line, st, s_targets, whole_line, start)
            if not groups:
                if _is_topic(text, line, sentence, whole_line) and (not _child_of(st.topic, line, text) or (
                        line.kind == "bullet" and li + 1 < len(lines) and _next_indent(lines, li, text) > line.indent)):
                    st.topic = _Topic(s_targets, start, end, line.indent, line.kind == "heading" or
                                      sentence.rstrip().endswith(":"), colon=sentence.rstrip().endswith(":"))
                listing = st.last_subject == "target" and line.kind in ("bullet", "table_row") and st.last_targets
                st.last_targets = [*st.last_targets, *s_targets] if listing else s_targets
                st.last_subject = "target"
                st.announce = s_targets if _ANNOUNCE.search(sentence) else []
                continue
        elif _ALSO.match(sentence) and st.last_groups and st.last_subject == "root":
            first = min(g.start for g in groups)
            groups = [_Group(g.atoms, first - 1, first - 1, True) for g in st.last_groups] + groups

        if st.lead is not None and st.lead.sensory and groups and all(g.carried for g in groups):
            continue
        groups = groups + nerve_groups
        if not groups or not s_targets:
            continue

        if _juxtaposed(text, line, start, end, groups, s_targets, s_nerves, article):
            continue
        placed = sorted([*s_targets, *(a for a in s_anchors if not any(
            t.start < a.end and a.start < t.end for t in s_targets))], key=lambda t: t.start)
        pairs = [(g, t) for g, t in _link(text, start, end, groups, placed, s_nerves, line.kind == "table_row")
                 if t.target is not None]
        if not pairs:
            continue
        trigs = triggers(text, start, end, rules, [(g.start, g.end) for g in groups])
        cites = tuple(dict.fromkeys(n for m in find_markers(text, start, end) for n in m.numbers))
        sec = article.sections[sec_index] if sec_index >= 0 else None
        top = sec.top if sec else ""
        sub = sec.heading if sec and sec.level > 1 else ""
        mine: list[int] = []
        line_start, line_end = _trim(text, line.start, line.end)
        single_line = bi >= 0 and article.blocks[bi].start >= line.start and article.blocks[bi].end <= line.end
        for group, t in pairs:
            polarity = _polarity(trigs, group, t, text, s_targets, start, end)
            primary = _is_primary(text, start, group, t)
            # '1. Peroneal nerve: L4, L5, S1, S2. Innervates the peroneus longus …': a claim that spans the
            # sentences of one bullet or row is the bullet's
            # The claim's sentence is the page's sentence, or its bullet or table row (annotation guide):
            # a bullet, a row or a short one-line item ('Deltoid (C5,6) –ask patient to …. ‘Don’t …’.') is
            # reported whole; '1. Peroneal nerve: L4, L5, S1, S2. Innervates the peroneus …' is one claim.
            wide = not whole_line and (line.kind in ("bullet", "table_row") or (line.words <= 30 and (
                single_line or _complete_line(text, line_start, line_end))))
            forced = wide and group.carried and all(line_start <= a.start < start for a in group.atoms)
            for atom in group.atoms:
                for root in atom.roots:
                    key = (start, root, t.target, polarity)
                    if key in seen:
                        continue
                    seen.add(key)
                    kind = lex.kinds[t.target]
                    mine.append(len(out))
                    if wide:
                        widen.setdefault(_trim(text, line.start, line.end), []).append(
                            (len(out), start, forced, t.kind == "MUSCLE", bool(_PRONOUN_START.match(sentence))))
                    out.append(Assertion(
                        id="", article_id=article.id, root=root, target=t.target, target_kind=kind,
                        relation=_RELATION[kind], polarity=polarity, primary=primary, section=top, subsection=sub,
                        sentence=" ".join(sentence.split()), start=start, end=end,
                        root_start=atom.start, root_end=atom.end, target_start=t.start, target_end=t.end,
                        citations=cites,
                    ))
        if _RETRACT.match(sentence) and last_sentence:
            for k in last_sentence:
                out[k] = replace(out[k], polarity="negated")
        last_sentence = mine
        real = [g for g in groups if not g.carried]
        _note_paragraph(st, real)
        st.announce = []
        if real:
            st.last_groups = st.line_groups = real
            st.line_end = line.end
        st.last_targets = s_targets
        first_mention = min([*(g.start for g in real), *(t.start for t in s_targets)])
        st.last_subject = "root" if real and min(g.start for g in real) == first_mention else "target"
    doc._.misnamed_reflexes = list(st.misnamed)
    out = _widen_to_lines(out, widen, text)
    return [_with_id(a, i) for i, a in enumerate(out, start=1)]


def _widen_to_lines(out: list[Assertion], widen: dict[tuple[int, int], list[tuple]], text: str) -> list[Assertion]:
    """Report a claim's bullet, table row or short one-line item whole, as the annotation guide reads them.

    '1. Peroneal nerve: L4, L5, S1, S2. Innervates the peroneus longus …' is one claim spanning the
    item's sentences, and is always the item's. Otherwise the item is the claim's sentence when all the
    item's claims come from one of its sentences ('Deltoid (C5,6) –ask patient to …. ‘Don’t …’.'); an
    item whose sentences each make claims of their own ('L5 is primarily … . S1 is mainly …') keeps
    them apart, so rules comparing sentences still see two.

    An item that names a muscle and then says what it does ('• Gluteus maximus: This is the largest
    muscle … It is responsible for hip extension, thigh abduction …') makes its claims where it names
    the movements: the claims read from the muscle's name alone are dropped.
    """
    drop: set[int] = set()
    for (line_start, line_end), items in widen.items():
        credited = {out[k].root for k, _, _, muscle, pron in items if pron and not muscle}
        for k, _, _, muscle, pron in items:
            if muscle and not pron and out[k].root in credited:
                drop.add(k)
        items = [it for it in items if it[0] not in drop]
        one_sentence = len({start for _, start, *_ in items}) == 1
        for k, _, forced, *_ in items:
            if not (forced or one_sentence):
                continue
            out[k] = replace(out[k], sentence=" ".join(text[line_start:line_end].split()), start=line_start,
                             end=line_end)
    return [a for k, a in enumerate(out) if k not in drop]


def _complete_line(text: str, start: int, end: int) -> bool:
    """A line of a paragraph that is an item of its own: it opens after a line that ended a sentence (or
    opens the paragraph) and ends one itself ('Deltoid (C5,6) –ask patient to … ‘Don’t let me …’.' on a
    line of its own), where a hard-wrapped line of prose stops mid-sentence."""
    before = text[max(0, start - 300):start].rstrip(" \t")
    opens = not before or before.endswith("\n\n") or not before.endswith("\n") or bool(
        _ITEM_END.search(before[:-1].rstrip()))
    return opens and bool(_ITEM_END.search(text, max(start, end - 3), end)) and text[start:start + 1].isupper()


_ITEM_END = re.compile(r"[.!?:’”\")]$")


def _lead_roots(st: _State) -> tuple[str, ...]:
    return tuple(r for g in (st.lead.groups if st.lead else []) for a in g.atoms for r in a.roots)


# ---------------------------------------------------------------------------------------------------------------
# Mentions of one sentence


def _between(items: list, starts: list[int], start: int, end: int) -> list:
    """The items (sorted by start) that start in [start, end), found by bisection."""
    return items[bisect_left(starts, start):bisect_left(starts, end)]


def _groups_in(groups, starts, start: int, end: int) -> bool:
    i = bisect_left(starts, start)
    return i < len(groups) and groups[i].start < end


def _sentence_groups(groups, starts, start: int, end: int) -> list[_Group]:
    out = []
    for g in _between(groups, starts, start, end):
        atoms = tuple(_Atom(a.roots, a.start, a.end) for a in g.atoms if not a.is_level)
        if atoms:
            out.append(_Group(atoms, atoms[0].start, atoms[-1].end))
    return out


def _column_roles(text: str, start: int, end: int) -> list[str]:
    roles = []
    for s, e in _cells(text, start, end):
        cell = text[s:e]
        roles.append(next((name for name, rx in _COLUMN_ROLES if rx.search(cell)), "other"))
    return roles


def _cells(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cells of a table row (cells are separated by ';' in the plain text)."""
    out = []
    for m in re.finditer(r"[^;\n]+", text[start:end]):
        raw = m.group()
        s = start + m.start() + len(raw) - len(raw.lstrip())
        e = start + m.end() - (len(raw) - len(raw.rstrip()))
        if s < e:
            out.append((s, e))
    return out


def _table_cells(text: str, line: _Line, st: _State, targets: list[Target], groups: list[_Group]):
    """Targets and roots by column: a reflex column's names are reflexes; sensory and disc columns count for none.

    A row that continues the previous one (a wrapped cell) inherits its roots.
    """
    if line.kind != "table_row":
        st.row_groups = []
        st.reflex_cells = []
        return _flat_row(text, line, st, targets, groups)
    cells = _cells(text, line.start, line.end)
    roles = st.table_roles or []

    def role(pos: int) -> str:
        for k, (s, e) in enumerate(cells):
            if s <= pos < e:
                return roles[k] if k < len(roles) else "other"
        return "other"

    kept_t = [replace(t, kind="IN_REFLEX_COLUMN") if role(t.start) == "reflex" and t.kind != "REFLEX" else t
              for t in targets if role(t.start) not in ("sensory",)]
    st.reflex_cells = [(s, e) for k, (s, e) in enumerate(cells) if k < len(roles) and roles[k] == "reflex"]
    kept_g = [g for g in groups if role(g.start) not in ("disc", "sensory")]
    if kept_g:
        st.row_groups = kept_g
    elif st.row_groups and cells and not any(g for g in groups) and len(cells) < max(len(roles), 2):
        kept_g = [_Group(g.atoms, line.start, line.start, True) for g in st.row_groups]
    return kept_t, kept_g


_ROLE_WORD = re.compile(r"(?i)^(?:nerve\s+)?(?:roots?|discs?|disks?|levels?|sensory|sensation|dermatomes?|motor|"
                        r"muscles?|movements?|actions?|reflex(?:es)?|nerves?|myotomes?|weakness|power|function)$")


def _flat_row(text: str, line: _Line, st: _State, targets: list[Target], groups: list[_Group]):
    """Tables flattened to spaced columns: 'Root Disc Motor Reflex' then 'C7 C6-7 Triceps, Finger extensors Triceps'.

    With a header whose last column is the reflex, a row that names two or more targets
    ends with the reflex (the muscle named again, or its short name).
    """
    if line.words > 8 and not st.flat_roles:
        return targets, groups
    words = text[line.start:line.end].split() if line.words <= 8 else []
    if 3 <= len(words) <= 8 and sum(1 for w in words if _ROLE_WORD.match(w)) >= 3 and not groups and all(
            _ROLE_WORD.match(w) or w.lower() in ("and", "&", "/") for w in words):
        st.flat_roles = [w.lower() for w in words if _ROLE_WORD.match(w)]
        return targets, groups
    if not st.flat_roles:
        return targets, groups
    if not groups or groups[0].start - line.start > 3:
        st.flat_roles = None if not line.words else st.flat_roles
        return targets, groups
    if st.flat_roles[-1].startswith("reflex") and len(targets) >= 2 and targets[-1].reflex:
        last = targets[-1]
        return [*targets[:-1], replace(last, target=last.reflex, kind="REFLEX")], groups
    return targets, groups


def _reflex_label_line(text: str, line: _Line) -> bool:
    """'DTR for C5-6', 'L4 DTR & Nerve | Patella', 'Deep tendon reflex: patellar' — a line about a reflex."""
    line_text = text[line.start:min(line.end, line.start + 200)]  # a label stands at the start of its line
    return bool(re.search(r"\bDTRs?\b", line_text) or re.match(
        r"\W*(?:\w+\s+){0,2}(?:deep\s+tendon\s+reflex(?:es)?|tendon\s+reflex(?:es)?|reflex(?:es)?|reflex\s+jerks|jerks)"
        r"\s*(?:for\b|:|&|\()",
        line_text, re.IGNORECASE))


def _reflex_context(text: str, start: int, end: int, targets: list[Target], candidates: list[Target], ctx: bool,
                    st: _State) -> list[Target]:
    """In a reflex context muscles and short names mean their reflexes ('biceps C5/6' under 'Tendon Reflexes').

    ``candidates`` are the reflex names of this sentence (the caller finds them by bisection)."""
    sentence = text[start:end]
    listing = (bool(_REFLEX_LIST.search(sentence)) and any(t.kind == "REFLEX" for t in targets)) or bool(
        _GENERIC_REFLEX.search(sentence) or _TENDON_REFLEX_LIST.search(sentence))
    out = []
    for t in targets:
        if t.kind == "IN_REFLEX_COLUMN":
            if t.reflex:
                out.append(replace(t, target=t.reflex, kind="REFLEX"))
            continue
        if (ctx or listing) and t.reflex and t.kind in ("MUSCLE", "MOVEMENT"):
            out.append(replace(t, target=t.reflex, kind="REFLEX"))
        elif ctx and t.kind == "MUSCLE" and re.match(r"\W*(?:\w+\W+){0,1}$", text[start:t.start]) and re.match(
                r"\W*$", text[t.end:end]):
            # 'DTR for C8' answered 'Distal finger flexors': a reflex outside the vocabulary; 'DTR for C6'
            # answered 'Brachialis': a muscle with no tendon reflex at all, which the rules report
            if t.source not in _REFLEX_MUSCLES:
                st.misnamed.append((t.start, t.end, _lead_roots(st)))
            continue
        else:
            out.append(t)
    for c in candidates:
        if start <= c.start < end and (ctx or listing or any(s <= c.start < e for s, e in st.reflex_cells)) and not any(
                o.start < c.end and c.start < o.end for o in out):
            out.append(replace(c, kind="REFLEX"))
    out.sort(key=lambda t: t.start)
    return out


def _credited(text: str, targets: list[Target], start: int, end: int, table_like: bool = False) -> list[Target]:
    """A muscle the page credits with a movement counts as that movement only.

    "the tibialis posterior and the EHL muscles, which play roles in eversion and toe
    extension" names eversion and toe extension; "ankle inversion (tibialis anterior and
    posterior)" names inversion; "the flexor carpi ulnaris (which bends your wrist toward
    the pinky side)" names no movement of the vocabulary.
    """
    drop: set[int] = set()
    for k, t in enumerate(targets):
        if t.kind != "MUSCLE":
            continue
        # the muscle and any muscles coordinated after it
        j = k
        while j + 1 < len(targets) and targets[j + 1].kind == "MUSCLE" and _TARGET_JOIN.match(
                text[targets[j].end:targets[j + 1].start]):
            j += 1
        tail = text[targets[j].end:end]
        rel = _RELATIVE.match(tail)
        if rel:
            stop = targets[j].end + (re.search(r"[;)]|,\s*(?:and|but)\b|$", tail).start())
            credited = [o for o in targets if targets[j].end < o.start < stop]
            if credited:
                drop.update(i for i in range(k, j + 1) if all(o.target != targets[i].target for o in credited))
            elif re.search(r"\b(?:bend|rotat|stabili[sz]|supinat|pronat|deviat|elevat|depress|oppos|tilt)",
                           tail[:stop - targets[j].end], re.IGNORECASE):
                drop.update(range(k, j + 1))
        # 'the gluteus maximus (hip flexor)': the page credits the muscle with the movement in parentheses
        nxt = targets[j + 1] if j + 1 < len(targets) else None
        if nxt is not None and nxt.kind in ("MOVEMENT", "TERM") and re.fullmatch(r"\s*\(\s*", text[
                targets[j].end:nxt.start]) and text[nxt.end:nxt.end + 3].lstrip().startswith(")"):
            drop.update(i for i in range(k, j + 1) if targets[i].target != nxt.target)
        # 'ankle inversion (tibialis anterior and posterior)', 'knee extension – quadriceps'; a muscle
        # coordinated with the movement names a movement of its own ('wrist extension and biceps strength')
        gap = text[targets[k - 1].end:t.start] if k > 0 else ""
        if k > 0 and targets[k - 1].kind in ("MOVEMENT", "TERM") and re.fullmatch(
                r"\s*[(–—-]\s*|\s*[(–—-]?\s*(?:\w+\s*){0,2}[,&]?\s*", gap) and not _COORDINATED.match(gap):
            head = targets[k - 1]
            i = k
            while i < len(targets) and targets[i].kind == "MUSCLE" and (i == k or _TARGET_JOIN.match(
                    text[targets[i - 1].end:targets[i].start])):
                if targets[i].target != head.target:
                    drop.add(i)
                i += 1
    if table_like:
        movements = {t.target for t in targets if t.kind in ("MOVEMENT", "TERM")}
        if movements:
            drop.update(k for k, t in enumerate(targets) if t.kind == "MUSCLE" and t.target not in movements)
    return [t for k, t in enumerate(targets) if k not in drop]


_COORDINATED = re.compile(r"\s*,?\s*(?:and|or|as\s+well\s+as|plus)\s*$", re.IGNORECASE)
# 'L3 (knee extensors 3/5)', 'L1 (lower trunk, hip flexors 2/5)': a root followed by its targets in parentheses
_OPEN_PAREN = re.compile(r"\s*\((?:[^()\n]{0,30}?[,;]\s*)?\s*$")
_NUMBERED = re.compile(r"\d{1,3}[.)]\s")
_BODY_LABEL = re.compile(r"\s*[•●▪◦*+–—-]?\s*([A-Za-z ]{2,20}?)\s*:")
_HAND = re.compile(r"\(\s*(?:small\s+)?(?:intrinsic\s+)?muscles?\s+of\s+the\s+hand\s*\)", re.IGNORECASE)
_PLUS_BEFORE = re.compile(r"\(\s*\+\s*$")


def _bare_actions(matcher, doc: Doc, text: str, line: _Line, start: int, end: int,
                  targets: list[Target]) -> tuple[list[Target], list[Target]]:
    """'Hip: flexion is L2, L3 and extension is L4, L5'; '(+adduction …)' after 'hip flexion'; '(… of the hand)'.

    Returns the targets and the anchors: a bare action whose movement is outside the vocabulary
    ('Toes: … flexion is S2, S3') holds its place in the list without making a claim.
    """
    label = _BODY_LABEL.match(text, line.start, line.end)
    body = matcher.grammar.bodies.get(tuple(label.group(1).lower().split())) if label else None
    hand = _HAND.search(text, start, end)
    plus = "+" in text[start:end]
    if body is None and hand is None and not plus:
        return [], []  # no body for a bare 'flexion' to take
    out, anchors = [], []
    for s, e, action in matcher.bare_actions(doc._.words, text, start, end):
        if any(t.start <= s < t.end for t in targets):
            continue
        b = body
        before = [t for t in targets if t.end <= s and t.body]
        if b is None and before and plus and _PLUS_BEFORE.search(text, max(start, s - 4), s):
            b = before[-1].body
        if b is None and hand:
            b = "finger"
        if b is None:
            continue
        t = matcher.combo(b, action)
        if t:
            out.append(Target(s, e, t, "MOVEMENT", f"{b}:{action}", matcher.movement_reflexes.get(t), b))
        else:
            anchors.append(Target(s, e, None, "MOVEMENT", f"{b}:{action}", None, b))
    return out, anchors


def _nerves(text: str, st: _State, nerves: list[Target], groups: list[_Group], targets: list[Target]):
    """Register roots given for a nerve; a nerve named again stands for them.

    Returns the sentence's groups (roots attached to a nerve stay, positioned at the nerve)
    and the groups carried by known nerves named without roots.
    """
    carried: list[_Group] = []
    for n in nerves:
        attached = [g for g in groups if (0 <= g.start - n.end <= 60 and _ATTACH_AFTER.match(text[n.end:g.start]))
                    or re.match(r"\s*(?:,\s*which\s+)?(?:arises?|originates?|comes?|derives?|emerges?|is\s+formed)"
                                r"\b[^.;]{0,60}$", text[n.end:g.start])]
        if not attached and len({m.source for m in nerves}) == 1:
            # 'the superior gluteal nerve, and the nerve roots that contribute to this nerve are L4, L5 and S1'
            told = _NERVE_ROOTS_ARE.search(text, n.end, groups[-1].start if groups else n.end)
            if told:
                attached = [g for g in groups if g.start >= told.end() and not g.carried]
        if attached:
            st.nerve_roots[n.source] = attached
            st.nerve_block[n.source] = st.paragraph
        elif n.source in st.nerve_roots and st.nerve_block.get(n.source) == st.paragraph and not groups and \
                targets and _SUPPLY.search(text, max(
                0, min(n.start, targets[0].start) - 40), max(n.end, targets[-1].end)):
            carried += [_Group(g.atoms, n.start, n.end, True) for g in st.nerve_roots[n.source]]
        st.last_nerve = n.source
    return groups, carried


_NERVE_ROOTS_ARE = re.compile(r"\broots?\s+(?:that|which)?\s*(?:contribute\s+to|form|make\s+up|of|supplying|for)\s+"
                              r"(?:this|the|that)\s+nerve\s+(?:are|is|include|come\s+from)\b|\bnerve\s+(?:arises|comes)"
                              r"\s+from\b", re.IGNORECASE)


# a root opening its item and labelled by it: '• L4 Nerve Root: …', 'L5 radiculopathy - …'
_ITEM_LABEL = re.compile(r"[\s•●▪◦*+-]*$")
_LABEL_AFTER = re.compile(r"(?:\s+(?:spinal\s+)?(?:nerve\s+roots?|nerve|roots?|radiculopathy|myotome|level))?"
                          r"\s*[:–—-]\s+\S", re.IGNORECASE)
_FIELD = re.compile(r"\W*[A-Za-z][A-Za-z ]{1,24}:\s*[A-Za-z0-9]")


def _set_mode(text: str, line: _Line, st: _State, whole_line: bool, sentence: str) -> None:
    """Lines like 'Motor:', 'Reflex:', 'Sensation:', 'Tendon Reflexes' set what the lines below are about."""
    if not whole_line and not sentence.rstrip().endswith(":"):
        return
    is_label = sentence.rstrip().endswith(":") or line.kind == "heading" or line.words <= 4
    if not is_label or _FIELD.match(sentence):  # 'DERMATOME: LATERAL FOREARM' is a field of its card, not a label
        return
    if _REFLEX_LABEL.search(sentence):
        st.reflex_mode, st.sensory_mode = True, False
    elif _SENSORY.search(sentence):
        st.sensory_mode, st.reflex_mode = True, False
    elif _MOTOR_LABEL.match(sentence) or line.kind == "heading" or sentence.rstrip().endswith(":"):
        st.reflex_mode = st.sensory_mode = False
    if line.kind == "heading":
        st.topic = None
        if not _MOTOR_LABEL.match(sentence) and not _REFLEX_LABEL.search(sentence):
            st.lead = None


def _is_lead(text: str, line: _Line, sentence: str, whole_line: bool) -> bool:
    """A line of roots governing what follows: a heading, 'L5 radiculopathy:', 'Myotome: C5', 'L2'."""
    if sentence.rstrip().endswith(":"):
        return True
    if not whole_line:
        return False
    return line.kind == "heading" or (line.words <= 6 and not sentence.rstrip().endswith("."))


def _is_topic(text: str, line: _Line, sentence: str, whole_line: bool) -> bool:
    return sentence.rstrip().endswith(":") or (whole_line and (
        line.kind == "heading" or (line.kind == "bullet" and line.words <= 5) or line.words <= 4))


def _carried(text: str, sentence: str, line: _Line, st: _State, targets: list[Target], whole_line: bool,
             start: int) -> list[_Group]:
    """Roots for a sentence that names targets only: from its lead-in, row, antecedent or heading."""
    at = targets[0].start

    def carry(groups: list[_Group]) -> list[_Group]:
        return [_Group(g.atoms, at, at, True) for g in groups]

    if st.item_groups and start < st.item_end:
        return carry(st.item_groups)
    shown = sentence.strip()
    if shown.startswith("(") and shown.endswith(")") and whole_line and st.line_groups and not text[
            st.line_end:line.start].strip() and text.count("\n", st.line_end, line.start) == 1:
        # 'L3 = Knee extension' / '(Hip ADduction)': a parenthesised line continues the line above it
        return carry(st.line_groups)
    anaphor = _ROOT_ANAPHOR.search(sentence)
    if anaphor and "nerve" in anaphor.group().lower() and "root" not in anaphor.group().lower() and (
            st.nerve_block.get(st.last_nerve) == st.paragraph and st.last_nerve in st.nerve_roots):
        # 'injury to this nerve …' is the nerve last named, with the roots the page gave for it
        return [_Group(g.atoms, start + anaphor.start(), start + anaphor.end(), True)
                for g in st.nerve_roots[st.last_nerve]]
    if anaphor and st.last_groups:
        return [_Group(g.atoms, start + anaphor.start(), start + anaphor.end(), True) for g in st.last_groups]
    lead = st.lead
    if lead is not None and (line.kind in ("bullet", "table_row") or line.words <= 10 or (lead.heading and (
            _SUBJECTLESS.match(sentence) or _PRONOUN_START.match(sentence)))) and (
            line.indent >= lead.indent or line.kind != "heading"):
        if lead.sensory or st.sensory_mode:
            return []
        return carry(lead.groups)
    if (_PRONOUN_START.match(sentence) or _SUBJECTLESS.match(sentence) or _DEMONSTRATIVE.match(sentence)) and \
            st.last_subject == "root" and st.last_groups:
        return carry(st.last_groups)
    if _SUBJECTLESS.match(sentence) and st.heading_groups:
        return carry(st.heading_groups)
    if st.title_groups and line.kind != "heading":
        return carry(st.title_groups)
    return []


def _juxtaposed(text: str, line: _Line, start: int, end: int, groups: list[_Group], targets: list[Target],
                nerves: list[Target], article: Article) -> bool:
    """A title or heading that only puts a root beside a target states nothing.

    "Understanding the Brachioradialis Reflex and C6 Nerve Root", "Foot Drop - Common
    Peroneal Nerve (L4, L5, S1)": no verb links them ("Why C7 Matters for Wrist
    Extension" does).
    """
    title = article.title_span[0] <= start < max(article.title_span[1], article.title_span[0] + 1)
    if not (title or line.kind == "heading") or any(g.carried for g in groups):
        return False
    if _LINK_VERB.search(text, start, end):
        return False
    first_t = min(t.start for t in targets)
    first_g = min(g.start for g in groups)
    if nerves and all(any(0 <= g.start - n.end <= 40 for n in nerves) for g in groups):
        return True
    lo, hi = sorted((first_t, first_g))
    return bool(re.search(r"\band\b|\s[-–—]\s", text[lo:hi]))


def _next_indent(lines: list[_Line], li: int, text: str) -> int:
    """Indent of the next non-blank line after line ``li``."""
    for ln in lines[li + 1:]:
        if text[ln.start:ln.end].strip():
            return ln.indent
    return -1


def _note_paragraph(st: _State, groups: list[_Group]) -> None:
    """The paragraph's subject root: its first root group, for as long as no other root is named."""
    if not groups or not st.para_open:
        return
    roots = {r for g in groups for a in g.atoms for r in a.roots}
    if not st.para_groups and len(groups) == 1:
        st.para_groups = groups
    elif st.para_groups and roots != {r for g in st.para_groups for a in g.atoms for r in a.roots}:
        st.para_groups, st.para_open = [], False


def _child_of(topic: _Topic | None, line: _Line, text: str) -> bool:
    """Is ``line`` under the topic line (a heading's bullets, a lead-in's items, a deeper bullet)?"""
    if topic is None:
        return False
    if topic.heading:
        return line.kind != "heading"
    return line.indent > topic.indent


def _emit_topic(article: Article, text: str, topic: _Topic, groups: list[_Group], out: list[Assertion],
                seen: set, lex, rules) -> None:
    """Roots under a target line ('Biceps Reflex' … 'Segmental innervation: C5-C6'): the claim is the topic line's."""
    sec = article.section_at(topic.start)
    sentence = text[topic.start:topic.end]
    for t in topic.targets:
        for g in groups:
            for atom in g.atoms:
                for root in atom.roots:
                    key = (topic.start, root, t.target, "affirmed")
                    if key in seen:
                        continue
                    seen.add(key)
                    kind = lex.kinds[t.target]
                    out.append(Assertion(
                        id="", article_id=article.id, root=root, target=t.target, target_kind=kind,
                        relation=_RELATION[kind], polarity="affirmed", primary=bool(_PRIMARY.search(
                            text, atom.start - 30 if atom.start >= 30 else 0, atom.start)),
                        section=sec.top if sec else "", subsection=sec.heading if sec and sec.level > 1 else "",
                        sentence=" ".join(sentence.split()), start=topic.start, end=topic.end,
                        root_start=atom.start, root_end=atom.end, target_start=t.start, target_end=t.end,
                    ))


# ---------------------------------------------------------------------------------------------------------------
# Linking within one sentence


def _link(text: str, start: int, end: int, groups: list[_Group], targets: list[Target], nerves: list[Target] = (),
          table: bool = False):
    """(group, target) pairs of one sentence: parentheticals, attachments, then clauses and items."""
    pairs: list[tuple[_Group, Target]] = []
    # a parenthetical naming roots and targets is a claim of its own: '(foot drop, L4 or L5)',
    # '(though some sources say C7, 8 does both finger extension and flexion)'
    for m in re.finditer(r"\(([^()]{3,200})\)", text[start:end]):
        ps, pe = start + m.start(1), start + m.end(1)
        inner_g = [g for g in groups if ps <= g.start < pe and not g.carried]
        inner_t = [t for t in targets if ps <= t.start < pe]
        if inner_g and inner_t:
            pairs += _items(text, inner_g, inner_t)
            groups = [g for g in groups if g not in inner_g]
            targets = [t for t in targets if t not in inner_t]
    free_g = list(groups)
    bound_t: set[int] = set()
    led = _root_led_series(text, groups, targets)
    for g in groups:
        if g.carried:
            continue
        opened = text.rfind("(", start, g.start)  # within the sentence: never a copy of the text before it
        in_parens = opened >= 0 and opened > text.rfind(")", start, g.start)
        if len(groups) == 1 and not in_parens:
            break
        before = [k for k, t in enumerate(targets) if t.end <= g.start]
        if before and g not in led and _ATTACH_AFTER.match(text[targets[before[-1]].end:g.start]):
            # 'plantar flexion (S1)', 'hip flexion (iliopsoas): L2, L3', 'biceps C5/6'; coordinated targets
            # before it share the root unless only a comma joins them ('triceps, biceps (C5/6)')
            ks = [before[-1]]
            # a bare root in parentheses closes a comma list ('gluteus maximus, peronei, extensors of toes
            # (first sacral)'); '(which is C5/6)' is about the last item only
            bare = not re.search(r"\(\s*(?:which|that|i\.?e\.?|mainly|mostly|primarily|usually)\b",
                                 text[targets[before[-1]].end:g.start], re.IGNORECASE)
            join = _COMMA_JOIN if bare else _AND_JOIN
            while ks[0] > 0 and ks[0] - 1 not in bound_t and join.fullmatch(
                    text[targets[ks[0] - 1].end:targets[ks[0]].start]) and not any(
                    targets[ks[0] - 1].end <= o.start < targets[ks[0]].start for o in groups):
                ks.insert(0, ks[0] - 1)
            for k in ks:
                pairs.append((g, targets[k]))
                bound_t.add(k)
            free_g.remove(g)
            continue
        after = [k for k, t in enumerate(targets) if t.start >= g.end and k not in bound_t]
        nxt_g = min((o.start for o in groups if o.start > g.start), default=end)
        if after and _OPEN_PAREN.match(text[g.end:targets[after[0]].start]):
            # 'L3 (knee extensors 3/5)': targets in parentheses after a root
            close = text.find(")", g.end, end)
            for k in after:
                if targets[k].start < (close if close > 0 else end):
                    pairs.append((g, targets[k]))
                    bound_t.add(k)
            free_g.remove(g)
        elif len(groups) > 1 and after and _LABEL_GAP.match(text[g.end:targets[after[0]].start]):
            # 'C5 deltoid C6 wrist extension', 'C6-7: wrist flexion/extension'
            for k in after:
                if targets[k].start < nxt_g:
                    pairs.append((g, targets[k]))
                    bound_t.add(k)
            free_g.remove(g)
    free_t = [t for k, t in enumerate(targets) if k not in bound_t]
    # targets in a relative clause of a nerve belong to the nerve: '… or with the femoral nerve, which
    # innervates the quadriceps' names no root for the quadriceps unless the nerve's roots are known
    for n in nerves:
        tail = re.match(r",?\s*(?:which|that)\b[^,;]*", text[n.end:end])
        near = [g for g in free_g if g.end <= n.start]
        coordinated = near and re.search(r"\b(?:or|and)\b", text[near[-1].end:n.start]) and not re.search(
            r"\b(?:contribut|form|suppl|innervat|compos|mak)", text[near[-1].end:n.start])
        if tail and coordinated:
            inside = [t for t in free_t if n.end <= t.start < n.end + tail.end()]
            own = [g for g in free_g if g.carried and g.start == n.start]
            pairs += [(g, t) for g in own for t in inside]
            free_t = [t for t in free_t if t not in inside]
    if not free_g or not free_t:
        return pairs
    if all(g.carried for g in free_g):  # roots from an antecedent or a heading govern the whole sentence
        return pairs + [(g, t) for g in free_g for t in free_t]
    if table and len(free_g) == 1:  # a row's root cell governs its other cells
        return pairs + [(free_g[0], t) for t in free_t]
    for c_groups, c_targets in _clauses(text, start, end, free_g, free_t, table, nerves):
        pairs += _items(text, c_groups, c_targets, end)
    return pairs


def _root_led_series(text: str, groups: list[_Group], targets: list[Target]) -> list[_Group]:
    """The roots of a run-on list led by root labels ('C5 - Shoulder abduction C6 - Elbow flexion C7- Elbow
    extension'), each governing the targets up to the next. A series opens with a labelled root and ends on
    a target, so 'biceps C5-6 - triceps C7' (targets labelled by the roots after them) is not one."""
    real = [g for g in groups if not g.carried]
    if len(real) < 2 or not targets:
        return []
    labelled = []
    for g in real:
        nxt = next((t for t in targets if t.start >= g.end), None)
        if nxt is not None and _DASH_LABEL.fullmatch(text, g.end, nxt.start):
            labelled.append(g)
    if len(labelled) < 2 or labelled[0] is not real[0] or real[0].start > targets[0].start:
        return []
    if max(g.end for g in real) > max(t.start for t in targets):
        return []
    return labelled


_DASH_LABEL = re.compile(r"\s*[:–—-]+\s*")


@dataclass
class _Clause:
    start: int
    end: int
    groups: list
    targets: list


def _clauses(text: str, start: int, end: int, groups: list[_Group], targets: list[Target], table: bool = False,
             nerves: list[Target] = ()):
    """Clauses of a sentence as (root groups, targets), elliptical ones merged into a neighbour.

    An item led by a nerve that the item gives no root for ('…; deep peroneal nerve: supplies the
    tibialis anterior, …') is that nerve's, and never takes the roots of another item of the sentence.
    """
    cuts = [start, *(m.start() for m in _CLAUSE_BREAK.finditer(text, start, end)
                     if not _inside(m.start(), groups, targets) and not (table and m.group() == ";")), end]
    clauses = [_Clause(a, b, [g for g in groups if a <= g.start < b], [t for t in targets if a <= t.start < b])
               for a, b in pairwise(cuts)]
    kept = []
    for i, c in enumerate(clauses):
        label = clauses[i - 1] if i else None
        if label is not None and not c.groups and not label.groups and text.startswith(":", c.start) and any(
                label.start <= n.start and n.end <= label.end for n in nerves):
            continue  # the item of a nerve named without a root
        nxt = clauses[i + 1] if i + 1 < len(clauses) else None
        if c.groups and not c.targets and nxt is not None and nxt.groups and (
                text.startswith(":", c.end) or _CONTRAST.match(text, c.end)) and (
                not nxt.targets or min(g.start for g in nxt.groups) < min(t.start for t in nxt.targets)):
            continue  # "L5 versus S1 radiculopathy: L5 weakens …": a roots-only clause introducing others
        if c.groups and not c.targets and _SENSORY.search(text, c.start, c.end) and not all(
                g.carried for g in c.groups):
            continue  # "numbness over the big toe in L5 radiculopathy" is no motor claim
        if c.groups or c.targets:
            kept.append(c)
    condition = bool(_CONDITION_START.match(text, start))  # 'When the S1 nerve is affected, A, and B': all follow
    kept = [c for c in kept if c.groups or condition or _elliptical(text, c)
            or text[max(start, c.start - 2):c.start + 1].strip().startswith(":") or text[c.start:c.start + 1] == ":"]
    while len(kept) > 1:
        i = next((k for k, c in enumerate(kept) if not (c.groups and c.targets)), None)
        if i is None:
            break
        j = i - 1 if i > 0 else i + 1
        lo, hi = sorted((i, j))
        a, b = kept[lo], kept[hi]
        kept[lo:hi + 1] = [_Clause(a.start, b.end, a.groups + b.groups, a.targets + b.targets)]
    return [(c.groups, c.targets) for c in kept if c.groups and c.targets]


def _elliptical(text: str, c: _Clause) -> bool:
    """A targets-only clause that leans on its neighbour ('…, but not with dorsiflexion', '…, and great toe
    extension, which is …'), not one with a predicate of its own ('…, and foot drop without inversion weakness
    is more likely peroneal')."""
    head = re.split(r"\b(?:which|that|who)\b", text[c.start:c.end], maxsplit=1)[0]
    return not _FINITE.search(head) or bool(_PRONOUN_CLAUSE.match(text, c.start))


_CONDITION_START = re.compile(r"\W*(?:if|when|whenever|with|in)\b[^,]{0,60}\b[CTLS]\s?\d", re.IGNORECASE)
_PRONOUN_CLAUSE = re.compile(r"\W*(?:and|but|while|yet)?\s*(?:it|they|this\s+root|these\s+roots)\b", re.IGNORECASE)
# a root label opening a list row: 'C6- ECR, …', 'L4-5-- Extensor digitorum; …', 'L34   knee extension'
_ROW_LABEL = re.compile(r"\s*(?:[:;–—-]+\s|\s{2,})")
_LONG_WORD = re.compile(r"[A-Za-z]{3,}")
_FINITE = re.compile(r"\b(?:is|are|was|were|has|have|had|will|would|can|could|may|might|should|does|do|did)\b",
                     re.IGNORECASE)


def _inside(pos: int, groups: list[_Group], targets: list[Target]) -> bool:
    return any(g.start <= pos < g.end for g in groups) or any(t.start <= pos < t.end for t in targets)


_ITEM_SEP = re.compile(r",|;|/|\band\b|\bor\b|\s[–—-]\s")


def _items(text: str, groups: list[_Group], targets: list[Target], end: int | None = None
           ) -> list[tuple[_Group, Target]]:
    """Pairs within one clause; a parallel list pairs item by item."""
    if len(groups) == 1 or len(targets) == 1:
        return [(g, t) for g in groups for t in targets]
    mentions = sorted([*((g.start, g.end, "R", g) for g in groups), *((t.start, t.end, "T", t) for t in targets)],
                      key=lambda m: m[0])
    items: list[list] = [[mentions[0]]]
    for prev, cur in pairwise(mentions):
        gap = text[prev[1]:cur[0]]
        if (_ITEM_SEP.search(gap) and not re.fullmatch(r"[\s(),]*", gap)) or (
                re.search(r"[,;]", gap) and prev[2] != cur[2]):
            items.append([cur])
        else:
            items[-1].append(cur)
    both = [it for it in items if {m[2] for m in it} == {"R", "T"}]
    if not both:
        return _in_order(text, groups, targets)
    votes = sum(1 if next(m for m in it if m[2] in "RT")[2] == "T" else -1 for it in both)
    t_first = votes >= 0
    merged: list[list] = [list(it) for it in items]
    for k, it in enumerate(items):
        kinds = {m[2] for m in it}
        if kinds == {"R", "T"}:
            continue
        stop = items[k + 1][0][0] if k + 1 < len(items) else (end if end is not None else it[-1][1])
        if kinds == {"R"} and len(_LONG_WORD.findall(text, it[0][0], it[-1][1])) + len(
                _LONG_WORD.findall(text, it[-1][1], stop)) > 3:
            merged[k] = []  # 'the L5 root is usually omitted from exam': a root with a predicate of its own
            continue
        order = range(k + 1, len(items)) if (kinds == {"T"}) == t_first else range(k - 1, -1, -1)
        other = range(k - 1, -1, -1) if (kinds == {"T"}) == t_first else range(k + 1, len(items))
        want = "R" if kinds == {"T"} else "T"
        dest = next((j for j in order if want in {m[2] for m in items[j]}), None)
        if dest is None and kinds == {"T"}:
            dest = next((j for j in other if want in {m[2] for m in items[j]}), None)
        if dest is not None:
            merged[dest] += it
        merged[k] = [m for m in merged[k] if m not in it]
    pairs = []
    for it in merged:
        gs = [m[3] for m in it if m[2] == "R"]
        ts = [m[3] for m in it if m[2] == "T"]
        pairs += [(g, t) for g in gs for t in ts]
    return pairs


def _in_order(text: str, groups: list[_Group], targets: list[Target]) -> list[tuple[_Group, Target]]:
    """Parallel lists pair in order when there are as many root groups as target groups."""
    tgroups: list[list[Target]] = []
    for t in targets:
        if tgroups and _TARGET_JOIN.match(text[tgroups[-1][-1].end:t.start]):
            tgroups[-1].append(t)
        else:
            tgroups.append([t])
    if len(groups) >= 2 and len(groups) == len(tgroups):
        return [(g, t) for g, tg in zip(groups, tgroups, strict=True) for t in tg]
    return [(g, t) for g in groups for t in targets]


def _with_id(a: Assertion, i: int) -> Assertion:
    return Assertion(**{**a.__dict__, "id": f"a{i}"})


_LEAD = set(" \t\n•●▪◦‣∙·*+-–—;")


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """A sentence span without its bullet glyph and surrounding whitespace."""
    while start < end and text[start] in _LEAD:
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] == ";"):
        end -= 1
    return start, end


def _is_primary(text: str, sent_start: int, group: _Group, target: Target) -> bool:
    """A primacy cue ('primarily', 'mainly' …) between the pair or just before it.

    "The nerve root primarily responsible for dorsiflexion is L5, as shown by
    great toe strength": L5 is primary for dorsiflexion, not for great toe
    extension, whose pair starts after the cue.
    """
    first_start = min(group.start, target.start)
    last_start = max(group.start, target.start)
    lo = first_start
    for _ in range(4):  # back over four words
        k = text.rfind(" ", sent_start, max(sent_start, lo - 1))
        if k < 0:
            lo = sent_start
            break
        lo = k
    return bool(_PRIMARY.search(text, lo, last_start))


_PRECEDENCE = {"CONDITIONAL": 3, "NEGATED_EXISTENCE": 2, "POSSIBLE_EXISTENCE": 1}


def _polarity(trigs: list[Trigger], group: _Group, target: Target, text: str, targets: list[Target],
              start: int, end: int) -> str:
    """'negated', 'uncertain' or 'affirmed' for one pair.

    - Phrasal triggers ('L5 rather than S1', 'S1, not L5,') deny only the mention right after them.
    - A forward trigger reaches the claim only through its later member: in "no evidence that
      S1 drives dorsiflexion, as it serves plantar flexion" the hedge stops before 'plantar
      flexion', so S1 -> plantar flexion stands.
    - A backward trigger ('is spared', 'is INCORRECT') reaches back within its clause, and not
      when another target stands after it in that clause.
    """
    first, last = (group, target) if group.start <= target.start else (target, group)
    if group.carried:  # the root came from elsewhere: the sentence's own hedges qualify the claim
        best = 0
        for tr in trigs:
            covers = tr.scope_start <= target.start < tr.scope_end or (
                tr.start >= target.end and not _CLAUSE_BREAK.search(text, target.end, tr.start))
            if covers and not tr.rule.phrasal:
                best = max(best, _PRECEDENCE.get(tr.rule.category, 0))
        return {0: "affirmed", 1: "uncertain", 2: "negated", 3: "uncertain"}[best]
    inner = _shared_parenthesis(text, start, end, first, last)
    if inner is not None:  # '… but not their heels (foot drop, L4 or L5)': the parenthetical is a claim of its own
        trigs = [tr for tr in trigs if inner[0] <= tr.start < inner[1]]
    best = 0
    for tr in trigs:
        r = tr.rule
        phrasal = r.phrasal or (r.literal == "not" and text[max(0, tr.start - 200):tr.start].rstrip().endswith(","))
        if phrasal:
            # 'L5 over S1' compares roots; 'control over muscles that …' does not deny the muscles
            members = (group,) if r.literal == "over" else (first, last)
            applies = any(m.start - tr.end >= 0 and len(text[tr.end:m.start].split()) <= 2 for m in members)
        else:
            applies = False
            if r.direction in ("FORWARD", "BIDIRECTIONAL") and tr.end <= last.start and last.start < tr.scope_end:
                applies = True
            if r.direction in ("BACKWARD", "BIDIRECTIONAL") and tr.start >= first.end and (
                    tr.scope_start <= first.start or (tr.start >= last.end and tr.scope_start <= last.start)):
                clause_end = _CLAUSE_BREAK.search(text, tr.end, end)
                stop = clause_end.start() if clause_end else end
                member = last if tr.start >= last.end else first
                if not _CLAUSE_BREAK.search(text, member.end, tr.start) and not any(
                        tr.end <= t.start < stop for t in targets):
                    applies = True
        if applies:
            best = max(best, _PRECEDENCE.get(r.category, 0))
    return {0: "affirmed", 1: "uncertain", 2: "negated", 3: "uncertain"}[best]


def _shared_parenthesis(text: str, start: int, end: int, first, last) -> tuple[int, int] | None:
    """The parenthesis holding both members of a pair, when there is one."""
    opened = text.rfind("(", start, first.start)
    if opened < 0 or text.find(")", opened, first.start) >= 0:
        return None
    closed = text.find(")", last.end, end)
    if closed < 0 or text.find("(", last.end, closed) >= 0:
        return None
    return opened, closed


# ---------------------------------------------------------------------------------------------------------------
# What the rules need besides assertions


def title_targets(article: Article, doc: Doc | None = None) -> list[str]:
    """The targets the title (question) asks about, in order."""
    if not article.title.strip():
        return []
    s, e = article.title_span
    if doc is None or e <= s:
        found, _, _ = get_matcher().find(article.title)
        return list(dict.fromkeys(t.target for t in found))
    return list(dict.fromkeys(t.target for t in doc._.targets if s <= t.start < e))


@dataclass(frozen=True)
class LevelClaim:
    """'An L4-L5 herniation compresses the L5 root': a disc level said to affect a root."""

    level: str  # 'L4-L5'
    root: str
    start: int  # the sentence
    end: int
    far_lateral: bool  # 'far-lateral', 'foraminal', 'exiting' in the sentence
    frequency: str = ""  # 'typically', 'usually', 'most commonly' …: the claim is given as the usual pattern


@dataclass(frozen=True)
class Extraction:
    """What the extraction step hands to the rules."""

    assertions: list[Assertion]
    title_targets: list[str]
    abbreviations: list[tuple[str, str, int, list[int]]] = field(default_factory=list)  # short, long, defined at, uses
    level_claims: list[LevelClaim] = field(default_factory=list)
    misnamed_reflexes: list[tuple[int, int, tuple[str, ...]]] = field(default_factory=list)  # span, roots given
    truncated_at: int | None = None  # where extraction stopped on an article with too many roots


def analyze(article: Article, doc: Doc | None = None) -> Extraction:
    """Run the pipeline once (unless ``doc`` is given) and extract everything the rules need."""
    if not article.plain.strip():
        return Extraction([], [])
    if doc is None:
        doc = get_nlp()(article.plain)
    assertions = assertions_from_doc(article, doc)
    return Extraction(assertions, title_targets(article, doc), abbreviations(doc), level_claims(article, doc),
                      doc._.misnamed_reflexes or [], doc._.truncated_at)


def abbreviations(doc: Doc) -> list[tuple[str, str, int, list[int]]]:
    """Abbreviations defined in the text: (short, long form, where the long form starts, every use)."""
    found: dict[str, tuple[str, int, list[int]]] = {}
    for short in doc._.abbreviations:
        long_form = short._.long_form
        entry = found.setdefault(short.text, (long_form.text, long_form.start_char, []))
        entry[2].append(short.start_char)
    return [(k, v[0], v[1], sorted(v[2])) for k, v in found.items()]


_COMPRESS = re.compile(r"\b(?:compress\w*|impinge\w*|affect\w*|irritat\w*|pinch\w*|entrap\w*|involv\w*|"
                       r"damag\w*|injur\w*|trap\w*)", re.IGNORECASE)
_FAR_LATERAL = re.compile(r"far[- ]lateral|extra-?foraminal|foraminal|exiting", re.IGNORECASE)
_FREQUENCY = re.compile(r"\b(?:typically|usually|most\s+(?:commonly|often|frequently|likely)|commonly|classically|"
                        r"generally|normally|characteristically|in\s+most\s+cases|more\s+(?:commonly|often))\b",
                        re.IGNORECASE)


def level_claims(article: Article, doc: Doc) -> list[LevelClaim]:
    """Disc levels and the roots named with them in the same clause."""
    text = article.plain
    out = []
    groups = doc._.root_groups
    levels = [a for g in groups for a in g.atoms if a.is_level]
    roots = [a for g in groups for a in g.atoms if not a.is_level]
    if not levels:
        return out
    level_starts, root_starts = [lv.start for lv in levels], [r.start for r in roots]  # text order: bisection
    for s_start, s_end in doc._.sentences:
        s_levels = _between(levels, level_starts, s_start, s_end)
        if not s_levels:
            continue
        cuts = [s_start, *(m.start() for m in _CLAUSE_BREAK.finditer(text, s_start, s_end)), s_end]
        start, end = _trim(text, s_start, s_end)
        far = bool(_FAR_LATERAL.search(text, start, end))
        freq = _FREQUENCY.search(text, start, end)
        frequency = " ".join(freq.group().lower().split()) if freq else ""
        for a, b in pairwise(cuts):
            for lv in (lv for lv in s_levels if a <= lv.start < b):
                if len(lv.roots) != 2:
                    continue
                for r in (r for r in _between(roots, root_starts, a, b) if r.roots != lv.roots):
                    lo, hi = sorted((lv.end, r.start)) if lv.end <= r.start else (r.end, lv.start)
                    if not _COMPRESS.search(text, lo, hi):
                        continue  # only 'an L4-L5 herniation compresses the L5 root' says which root a level affects
                    for root in r.roots:
                        out.append(LevelClaim(f"{lv.roots[0]}-{lv.roots[1]}", root, start, end, far, frequency))
    return out


def assertions_frame(assertions: list[Assertion]) -> pd.DataFrame:
    """The batch form: one row per assertion, exactly ``ASSERTION_COLUMNS``.

    pandas is imported here, not at module level: the single-article check
    never builds a frame and should not pay for the import.
    """
    import pandas as pd
    rows = [a.__dict__ for a in assertions]
    df = pd.DataFrame(rows, columns=list(ASSERTION_COLUMNS))
    return df.astype({"primary": bool}) if len(df) else df

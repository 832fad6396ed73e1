"""Carry-over: roots and targets a sentence takes from elsewhere on the page.

A line that names only roots governs the lines under it: a heading ("L2"), a lead-in ("L5
radiculopathy:"), a flash-card front ("Myotome: C5"), a table row's root cell. A line that names only
targets is the topic of the root lines under it ("Biceps Reflex" … "Segmental innervation: C5-C6").
A sentence whose subject points back ("It also supplies …", "This nerve root innervates the
deltoid", "These muscles are supplied by L2-L4", a subjectless "Innervates the gluteus medius")
takes its roots or targets from what it points back to; a nerve whose roots the page gave carries
them where it is named again. ``ReadingState`` is what the reader remembers as it goes down the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from .cues import MOTOR_LABEL, REFLEX_LABEL, SENSORY
from .layout import ROLE_WORD, Line, cells_of
from .mentions import Target
from .pairing import ATTACH_AFTER, Group

_ROOT_ANAPHOR = re.compile(
    r"\b(?:this|these|those|that|the\s+same|its|their)\s+(?:specific\s+|same\s+|particular\s+|affected\s+)?"
    r"(?:nerve\s+|spinal\s+|lumbar\s+|cervical\s+|sacral\s+)?(?:roots?|myotomes?|nerves?|levels?|segments?)\b(?!\s+(?:distribution|involvement|anatomy|level|pattern))",
    re.IGNORECASE)
TARGET_ANAPHOR = re.compile(
    r"\b(?:this|these|those|the\s+same)\s+(?:\w+\s+)?(?:muscles?|movements?|actions?|motions?|functions?)\b"
    r"|\bthat\s+(?:muscle|movement|action|motion)\b(?!\s+(?:is|are|was)\b)",  # 'weakness in that motion'
    re.IGNORECASE)
REFLEX_ANAPHOR = re.compile(r"\b(?:this|the|a|that|normal|diminished|absent|reduced|brisk)\s+reflex\b", re.IGNORECASE)
PRONOUN_START = re.compile(r"^\W*(?:it|they|its|their)\b(?!['’]s\b|\s+(?:is|are)\s+(?:important|essential|crucial|"
                            r"worth|vital|why|because|fascinating|also\s+important|not\s+(?:clear|known)))",
                            re.IGNORECASE)
_DEMONSTRATIVE = re.compile(r"^\W*(?:this|these|those)\s+(?!(?:is|are|was|were|allows?|means?|makes?|can|may|will|"
                            r"helps?|shows?|suggests?|indicates?|explains?|occurs?|happens?|leads?)\b)[a-z]+",
                            re.IGNORECASE)
# a sentence about a target that announces its roots: 'Let's address the nerve roots involved in knee flexion.'
ANNOUNCE = re.compile(r"\b(?:nerve\s+roots?|roots?|nerves?|myotomes?|innervation)\b(?!\s+(?:is|are)\b)", re.IGNORECASE)
_SUPPLY = re.compile(r"\b(?:innervat\w*|suppl(?:y|ies|ied)|controls?|serves?|responsible|provides?|gives?|"
                     r"branch(?:es)?\s+to|via)\b", re.IGNORECASE)
ALSO = re.compile(r"^\W*(?:it|they|this\s+\w+)\s+also\b", re.IGNORECASE)
_SUBJECTLESS = re.compile(r"^\W*(?:innervates?|supplies|supply|controls?|serves?|mediates?|provides?|gives?|"
                          r"also\s+(?:innervates?|supplies|controls?))\b", re.IGNORECASE)
INNERVATION_CUE = re.compile(r"\b(?:innervat|nerve\s+supply|supplied|supply|roots?|segment|myotome|level)",
                              re.IGNORECASE)


@dataclass
class Lead:
    """A line naming roots and no target: it governs the short lines, bullets and rows under it."""

    groups: list[Group]
    indent: int
    heading: bool
    sensory: bool = False


@dataclass
class Topic:
    """A line naming targets and no root: the topic of the root lines under it."""

    targets: list[Target]
    start: int
    end: int
    indent: int
    heading: bool
    used: bool = False
    colon: bool = False  # 'a foot drop is caused by either:' introduces the root lines below


@dataclass
class ReadingState:
    lead: Lead | None = None
    topic: Topic | None = None
    reflex_mode: bool = False
    sensory_mode: bool = False
    heading_groups: list[Group] = field(default_factory=list)
    last_groups: list[Group] = field(default_factory=list)
    last_targets: list[Target] = field(default_factory=list)
    last_subject: str = ""  # 'root' | 'target': the first mention of the last sentence with mentions
    nerve_roots: dict[str, list[Group]] = field(default_factory=dict)
    nerve_block: dict[str, int] = field(default_factory=dict)  # where the nerve's roots were given
    last_nerve: str = ""
    table_roles: list[str] | None = None
    reflex_cells: list[tuple[int, int]] = field(default_factory=list)
    title_groups: list[Group] = field(default_factory=list)  # a title naming only roots: 'L5 damage'
    flat_roles: list[str] | None = None
    # muscles named as a reflex they do not have: (start, end, the roots the line is about)
    misnamed: list[tuple[int, int, tuple[str, ...]]] = field(default_factory=list)
    row_groups: list[Group] = field(default_factory=list)
    section: int = -1
    paragraph: int = -1
    para_groups: list[Group] = field(default_factory=list)  # the paragraph's subject root, while it is the only one
    para_open: bool = True
    announce: list[Target] = field(default_factory=list)  # 'the nerve roots involved in knee flexion' (just said)
    last_reflex: list[Target] = field(default_factory=list)  # the reflex last named in the section ('this reflex')
    item_groups: list[Group] = field(default_factory=list)  # '• L4 Nerve Root: …': the item's label root
    item_end: int = -1  # … for the rest of its line
    line_groups: list[Group] = field(default_factory=list)  # roots of the last line that made claims
    line_end: int = -1


def lead_roots(st: ReadingState) -> tuple[str, ...]:
    return tuple(r for g in (st.lead.groups if st.lead else []) for a in g.atoms for r in a.roots)


def table_cells(text: str, line: Line, st: ReadingState, targets: list[Target], groups: list[Group]):
    """Targets and roots by column: a reflex column's names are reflexes; sensory and disc columns count for none.

    A row that continues the previous one (a wrapped cell) inherits its roots.
    """
    if line.kind != "table_row":
        st.row_groups = []
        st.reflex_cells = []
        return flat_row(text, line, st, targets, groups)
    cells = cells_of(text, line)
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
    elif st.row_groups and cells and not any(g for g in groups) and sum(1 for a, b in cells if b > a) < max(
            sum(1 for r in roles if r), 2):
        kept_g = [Group(g.atoms, line.start, line.start, True, "row-continuation") for g in st.row_groups]
    return kept_t, kept_g


def flat_row(text: str, line: Line, st: ReadingState, targets: list[Target], groups: list[Group]):
    """Tables flattened to spaced columns: 'Root Disc Motor Reflex' then 'C7 C6-7 Triceps, Finger extensors Triceps'.

    With a header whose last column is the reflex, a row that names two or more targets
    ends with the reflex (the muscle named again, or its short name).
    """
    if line.words > 8 and not st.flat_roles:
        return targets, groups
    words = text[line.start:line.end].split() if line.words <= 8 else []
    if 3 <= len(words) <= 8 and sum(1 for w in words if ROLE_WORD.match(w)) >= 3 and not groups and all(
            ROLE_WORD.match(w) or w.lower() in ("and", "&", "/") for w in words):
        st.flat_roles = [w.lower() for w in words if ROLE_WORD.match(w)]
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


def register_nerves(text: str, st: ReadingState, nerves: list[Target], groups: list[Group], targets: list[Target]):
    """Register roots given for a nerve; a nerve named again stands for them.

    Returns the sentence's groups (roots attached to a nerve stay, positioned at the nerve)
    and the groups carried by known nerves named without roots.
    """
    carried: list[Group] = []
    for n in nerves:
        attached = [g for g in groups if (0 <= g.start - n.end <= 60 and ATTACH_AFTER.match(text[n.end:g.start]))
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
            carried += [Group(g.atoms, n.start, n.end, True, "nerve") for g in st.nerve_roots[n.source]]
        st.last_nerve = n.source
    return groups, carried


_NERVE_ROOTS_ARE = re.compile(r"\broots?\s+(?:that|which)?\s*(?:contribute\s+to|form|make\s+up|of|supplying|for)\s+"
                              r"(?:this|the|that)\s+nerve\s+(?:are|is|include|come\s+from)\b|\bnerve\s+(?:arises|comes)"
                              r"\s+from\b", re.IGNORECASE)
# a root opening its item and labelled by it: '• L4 Nerve Root: …', 'L5 radiculopathy - …'
ITEM_LABEL = re.compile(r"[\s•●▪◦*+-]*$")
LABEL_AFTER = re.compile(r"(?:\s+(?:spinal\s+)?(?:nerve\s+roots?|nerve|roots?|radiculopathy|myotome|level))?"
                          r"\s*[:–—-]\s+\S", re.IGNORECASE)
_FIELD = re.compile(r"\W*[A-Za-z][A-Za-z ]{1,24}:\s*[A-Za-z0-9]")


def set_mode(text: str, line: Line, st: ReadingState, whole_line: bool, sentence: str) -> None:
    """Lines like 'Motor:', 'Reflex:', 'Sensation:', 'Tendon Reflexes' set what the lines below are about."""
    if not whole_line and not sentence.rstrip().endswith(":"):
        return
    is_label = sentence.rstrip().endswith(":") or line.kind == "heading" or line.words <= 4
    if not is_label or _FIELD.match(sentence):  # 'DERMATOME: LATERAL FOREARM' is a field of its card, not a label
        return
    if REFLEX_LABEL.search(sentence):
        st.reflex_mode, st.sensory_mode = True, False
    elif SENSORY.search(sentence):
        st.sensory_mode, st.reflex_mode = True, False
    elif MOTOR_LABEL.match(sentence) or line.kind == "heading" or sentence.rstrip().endswith(":"):
        st.reflex_mode = st.sensory_mode = False
    if line.kind == "heading":
        st.topic = None
        if not MOTOR_LABEL.match(sentence) and not REFLEX_LABEL.search(sentence):
            st.lead = None


def is_lead(text: str, line: Line, sentence: str, whole_line: bool) -> bool:
    """A line of roots governing what follows: a heading, 'L5 radiculopathy:', 'Myotome: C5', 'L2'."""
    if sentence.rstrip().endswith(":"):
        return True
    if not whole_line:
        return False
    return line.kind == "heading" or (line.words <= 6 and not sentence.rstrip().endswith("."))


def is_topic(text: str, line: Line, sentence: str, whole_line: bool) -> bool:
    return sentence.rstrip().endswith(":") or (whole_line and (
        line.kind == "heading" or (line.kind == "bullet" and line.words <= 5) or line.words <= 4))


def carried_groups(text: str, sentence: str, line: Line, st: ReadingState, targets: list[Target],
                   whole_line: bool, start: int) -> list[Group]:
    """Roots for a sentence that names targets only: from its lead-in, row, antecedent or heading."""
    at = targets[0].start

    def carry(groups: list[Group], via: str) -> list[Group]:
        return [Group(g.atoms, at, at, True, via) for g in groups]

    if st.item_groups and start < st.item_end:
        return carry(st.item_groups, "item-label")
    shown = sentence.strip()
    if shown.startswith("(") and shown.endswith(")") and whole_line and st.line_groups and not text[
            st.line_end:line.start].strip() and text.count("\n", st.line_end, line.start) == 1:
        # 'L3 = Knee extension' / '(Hip ADduction)': a parenthesised line continues the line above it
        return carry(st.line_groups, "continuation")
    anaphor = _ROOT_ANAPHOR.search(sentence)
    if anaphor and "nerve" in anaphor.group().lower() and "root" not in anaphor.group().lower() and (
            st.nerve_block.get(st.last_nerve) == st.paragraph and st.last_nerve in st.nerve_roots):
        # 'injury to this nerve …' is the nerve last named, with the roots the page gave for it
        return [Group(g.atoms, start + anaphor.start(), start + anaphor.end(), True, "nerve-anaphor")
                for g in st.nerve_roots[st.last_nerve]]
    if anaphor and st.last_groups:
        return [Group(g.atoms, start + anaphor.start(), start + anaphor.end(), True, "anaphor")
                for g in st.last_groups]
    lead = st.lead
    if lead is not None and (line.kind in ("bullet", "table_row") or line.words <= 10 or (lead.heading and (
            _SUBJECTLESS.match(sentence) or PRONOUN_START.match(sentence)))) and (
            line.indent >= lead.indent or line.kind != "heading"):
        if lead.sensory or st.sensory_mode:
            return []
        return carry(lead.groups, "heading" if lead.heading else "lead")
    if (PRONOUN_START.match(sentence) or _SUBJECTLESS.match(sentence) or _DEMONSTRATIVE.match(sentence)) and \
            st.last_subject == "root" and st.last_groups:
        return carry(st.last_groups, "subject")
    if _SUBJECTLESS.match(sentence) and st.heading_groups:
        return carry(st.heading_groups, "heading-subject")
    if st.title_groups and line.kind != "heading":
        return carry(st.title_groups, "title")
    return []


def note_paragraph(st: ReadingState, groups: list[Group]) -> None:
    """The paragraph's subject root: its first root group, for as long as no other root is named."""
    if not groups or not st.para_open:
        return
    roots = {r for g in groups for a in g.atoms for r in a.roots}
    if not st.para_groups and len(groups) == 1:
        st.para_groups = groups
    elif st.para_groups and roots != {r for g in st.para_groups for a in g.atoms for r in a.roots}:
        st.para_groups, st.para_open = [], False


def child_of(topic: Topic | None, line: Line, text: str) -> bool:
    """Is ``line`` under the topic line (a heading's bullets, a lead-in's items, a deeper bullet)?"""
    if topic is None:
        return False
    if topic.heading:
        return line.kind != "heading"
    return line.indent > topic.indent

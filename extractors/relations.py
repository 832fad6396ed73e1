"""From mentions to claims: the reader that walks a page sentence by sentence.

Each step lives in a module named for what it holds:

- ``layout`` — the page as lines, table rows and cells with their column roles;
- ``pairing`` — which root a target belongs to within one sentence (attachment, items, clauses);
- ``carryover`` — what a sentence takes from elsewhere (lead-ins, headings, topics, antecedents,
  nerves whose roots the page gave), and ``ReadingState``, what the reader remembers;
- ``roles`` — what a target mention means where it stands (a reflex column, a credited muscle);
- ``scope`` — what a negation, hedge or condition governs, and lines that state nothing.

This module walks the sentences, asks each of them, and emits one claim per (root, target) pair
with the sentence, bullet or table row that carries it, as the annotation guide reads them.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np

from .carryover import (
    ALSO,
    ANNOUNCE,
    INNERVATION_CUE,
    ITEM_LABEL,
    LABEL_AFTER,
    PRONOUN_START,
    REFLEX_ANAPHOR,
    TARGET_ANAPHOR,
    Lead,
    ReadingState,
    Topic,
    carried_groups,
    child_of,
    flat_row,
    is_lead,
    is_topic,
    note_paragraph,
    register_nerves,
    set_mode,
    table_cells,
)
from .citations import find_markers
from .claims import Proposal
from .context import load_rules, triggers
from .cues import CLAUSE_BREAK, MOTOR_LABEL, PRIMARY, REFLEX_LABEL, RELATION, SENSORY, STEM
from .features import NAMES, PageFacts, featurize
from .layout import (
    PageLayout,
    any_starting_in,
    column_roles,
    complete_line,
    next_indent,
    read_layout,
    reflex_label_line,
    starting_in,
    trim_span,
)
from .mentions import Intervals, get_matcher
from .pairing import ROW_LABEL, Group, link_pairs, sentence_groups
from .pipeline import get_nlp
from .roles import bare_actions, credit_muscles, reflex_context
from .scope import RETRACT, is_primary, juxtaposed, polarity_of
from .scorer import Model, load_model
from .types import ASSERTION_COLUMNS, Article, Assertion

if TYPE_CHECKING:
    import pandas as pd
    from spacy.tokens import Doc

def extract(article: Article, doc: Doc | None = None) -> list[Assertion]:
    """All root–target assertions of an article, in text order."""
    return analyze(article, doc).assertions


def assertions_from_doc(article: Article, doc: Doc) -> list[Assertion]:
    """The reader's claims, numbered, as assertions."""
    return [_with_id(p.assertion, i) for i, p in enumerate(read_claims(article, doc), start=1)]


# a card field naming reflexes: 'C5 reflexesbiceps, brachioradialis', 'C7 reflexes: triceps'
_REFLEX_FIELD = re.compile(r"\W*[CTLS]\d{1,2}(?:\s*[-–]\s*[CTLS]?\d{1,2})?\s+(?:deep\s+tendon\s+)?reflex(?:es)?",
                           re.IGNORECASE)


def page_layout(article: Article, doc: Doc) -> PageLayout:
    """The page's layout, read once per document (the reader and the claim features share it)."""
    ext = doc._  # each 'doc._' makes an object: take it once
    if ext.layout is None:
        cut = ext.truncated_at
        text = article.plain if cut is None else article.plain[:cut]
        atoms = sorted(a.start for g in ext.root_groups for a in g.atoms if not a.is_level and a.start < len(text))
        ext.layout = read_layout(article, text, atoms, [t.start for t in ext.targets if t.target])
    return ext.layout


def read_claims(article: Article, doc: Doc) -> list[Proposal]:
    """The claims the reader finds walking the page, each with how it found it."""
    matcher = get_matcher()
    lex = matcher.lexicon
    rules = load_rules()
    text = article.plain  # == doc.text, which spaCy rebuilds from tokens on every access
    ext = doc._
    cut = ext.truncated_at
    all_groups = [g for g in ext.root_groups if any(not a.is_level for a in g.atoms)]
    layout = page_layout(article, doc)
    lines, line_starts = layout.lines, layout.starts
    for st_ in layout.structures:  # a table in any encoding is read by rows and cells
        if st_.kind == "table":
            for li in st_.rows:
                lines[li].kind, lines[li].cells, lines[li].roles = "table_row", layout.cells[li], st_.roles
    group_starts = [g.start for g in all_groups]
    targets = ext.targets
    target_starts = [t.start for t in targets]
    candidates = ext.reflex_names
    nerves = ext.nerves
    anchors = ext.anchors or []
    anchor_starts = [t.start for t in anchors]
    st = ReadingState()
    out: list[Assertion] = []
    meta: list[Proposal] = []  # how each claim of ``out`` was found (its assertion is set at the end)
    seen: set[tuple] = set()
    last_sentence: list[int] = []  # indices into ``out`` of the previous sentence's claims
    widen: dict[tuple[int, int], list[tuple]] = {}  # line span -> (index, sentence start, forced, muscle, pronoun)
    block_starts = [b.start for b in article.blocks]
    locate = article.section_index
    nerve_starts = [n.start for n in nerves]
    cand_starts = [c.start for c in candidates]

    line_seen, line_reflex_word, line_reflex_label = -1, False, False
    for s_start, s_end in ext.sentences:
        if cut is not None and s_start >= cut:
            break
        target_via = ""
        start, end = trim_span(text, s_start, s_end)
        if start >= end:
            continue
        li = bisect_right(line_starts, start) - 1
        line = lines[li]
        whole_line = not text[line.start:start].strip(" \t•●▪◦‣∙·*+-–—0123456789.)") and not text[end:line.end].strip()
        sentence = text[start:end]
        sec_index = locate(start)
        bi = bisect_right(block_starts, start) - 1
        if sec_index != st.section:
            st = ReadingState(nerve_roots=st.nerve_roots, nerve_block=st.nerve_block, last_nerve=st.last_nerve,
                        section=sec_index, title_groups=st.title_groups, flat_roles=st.flat_roles,
                        misnamed=st.misnamed)
        if bi != st.paragraph:
            st.paragraph = bi
            st.para_groups, st.para_open = [], True
        if line.kind != "table_row":
            st.table_roles = None
        elif st.table_roles is None and line.roles is not None:
            st.table_roles = line.roles  # the layout reader found the header (or the root column) already
            if not any_starting_in(all_groups, group_starts, start, end):
                continue
        elif st.table_roles is None and not any_starting_in(all_groups, group_starts, start, end):
            st.table_roles = column_roles(text, line)
            continue

        groups = sentence_groups(all_groups, group_starts, start, end)
        if line.kind == "heading" and whole_line and st.lead is not None and not groups and not (
                MOTOR_LABEL.match(sentence) or SENSORY.search(sentence) or (
                    REFLEX_LABEL.search(sentence) and not any_starting_in(targets, target_starts, start, end))):
            st.lead = None
        s_targets = starting_in(targets, target_starts, start, end)
        s_nerves = starting_in(nerves, nerve_starts, start, end)
        s_anchors = starting_in(anchors, anchor_starts, start, end)
        if not groups and not s_targets and not s_anchors and not any_starting_in(candidates, cand_starts, start, end):
            if not STEM.search(sentence):
                set_mode(text, line, st, whole_line, sentence)
                if whole_line and line.kind != "table_row":
                    flat_row(text, line, st, [], [])
            else:
                st.lead, st.topic = None, None
            continue
        if STEM.search(sentence):
            st.lead, st.topic = None, None
            continue

        # layout: table columns, reflex and sensory contexts, bare actions with a body given by the line
        s_targets, groups = table_cells(text, line, st, s_targets, groups)
        if li != line_seen:  # line-level facts, once per line (a page may be one line of megabytes)
            line_seen = li
            line_reflex_word = bool(REFLEX_LABEL.search(text, line.start, line.end))
            line_reflex_label = reflex_label_line(text, line)
        reflex_ctx = st.reflex_mode or (line_reflex_word and not s_targets) or line_reflex_label or bool(
            _REFLEX_FIELD.match(sentence))
        s_targets = reflex_context(text, start, end, s_targets, starting_in(candidates, cand_starts, start, end),
                                    reflex_ctx, st)
        s_targets = credit_muscles(text, s_targets, start, end, line.kind == "table_row" or (
            whole_line and bool(groups) and groups[0].start - start <= 3 and not sentence.rstrip().endswith(
                (".", "!", "?")) and (line.words <= 12 or (ROW_LABEL.match(text, groups[-1].end) and (
                    sentence.count(";") >= 2 or sentence.count(",") >= 3)))))
        bare, bare_anchors = bare_actions(matcher, doc, text, line, start, end, s_targets)
        s_targets += bare
        if bare_anchors:
            s_anchors = sorted([*s_anchors, *bare_anchors], key=lambda t: t.start)
        s_targets.sort(key=lambda t: t.start)
        named_reflexes = [t for t in s_targets if t.kind == "REFLEX"]
        if named_reflexes:
            st.last_reflex = named_reflexes[-1:]

        # nerves: roots attached to a nerve are registered; a known nerve stands for its roots
        groups, nerve_groups = register_nerves(text, st, s_nerves, groups, s_targets)

        if not groups and not s_targets:
            set_mode(text, line, st, whole_line, sentence)
            continue

        sensory_line = bool(SENSORY.search(sentence)) and not s_targets
        if groups and not s_targets and not nerve_groups:
            anaphor = TARGET_ANAPHOR.search(sentence) or (PRONOUN_START.match(sentence)
                                                           and st.last_subject == "target")
            reflex_anaphor = REFLEX_ANAPHOR.search(sentence)
            at = min(g.start for g in groups)
            if anaphor and st.last_targets and not sensory_line:  # '… these muscles, L5 also gives sensation …'
                s_targets = [replace(t, start=at - 1, end=at - 1) for t in st.last_targets]
                target_via = "anaphor"
            elif reflex_anaphor and (any(t.kind == "REFLEX" for t in st.last_targets) or st.last_reflex):
                # 'this reflex' is the reflex last named, even when the sentences between describe its movement
                named = [t for t in st.last_targets if t.kind == "REFLEX"][-1:] or st.last_reflex
                s_targets = [replace(t, start=reflex_anaphor.start() + start, end=reflex_anaphor.end() + start)
                             for t in named]
                target_via = "reflex-anaphor"
            elif st.topic is not None and not sensory_line and (INNERVATION_CUE.search(sentence) or (
                    st.topic.colon and line.kind in ("bullet", "table_row"))):
                _emit_topic(article, text, st.topic, groups, out, meta, seen, lex)
                st.topic.used = True
                continue
            elif st.announce and not sensory_line:
                s_targets = [replace(t, start=at - 1, end=at - 1) for t in st.announce]
                target_via = "announce"
            elif s_anchors:  # 'C7 shoulder adduction': a claim about a movement outside the vocabulary
                st.last_groups, st.last_subject = groups, "root"
                continue
            else:
                in_title = article.title_span[0] <= start < article.title_span[1]
                if not in_title and ITEM_LABEL.match(text, start, groups[0].start) and LABEL_AFTER.match(
                        text, groups[-1].end):
                    # '• L4 Nerve Root: Irritation here can cause pain …. You may have weakness lifting the foot'
                    st.item_groups, st.item_end = groups, line.end
                if in_title and not SENSORY.search(sentence) and not STEM.search(sentence) and len(
                        groups) == 1 and not s_nerves:
                    st.title_groups = groups
                elif is_lead(text, line, sentence, whole_line):
                    st.lead = Lead(groups, line.indent, line.kind == "heading",
                                    sensory=bool(SENSORY.search(sentence)))
                    st.topic = None
                    if line.kind == "heading":
                        st.heading_groups = groups
                    if REFLEX_LABEL.search(sentence):
                        st.reflex_mode = True
                st.last_groups, st.last_subject = groups, "root"
                continue
        if not groups and s_targets:
            groups = carried_groups(text, sentence, line, st, s_targets, whole_line, start)
            if not groups:
                if is_topic(text, line, sentence, whole_line) and (not child_of(st.topic, line, text) or (
                        line.kind == "bullet" and li + 1 < len(lines) and next_indent(lines, li, text) > line.indent)):
                    st.topic = Topic(s_targets, start, end, line.indent, line.kind == "heading" or
                                      sentence.rstrip().endswith(":"), colon=sentence.rstrip().endswith(":"))
                listing = st.last_subject == "target" and line.kind in ("bullet", "table_row") and st.last_targets
                st.last_targets = [*st.last_targets, *s_targets] if listing else s_targets
                st.last_subject = "target"
                st.announce = s_targets if ANNOUNCE.search(sentence) else []
                continue
        elif ALSO.match(sentence) and st.last_groups and st.last_subject == "root":
            first = min(g.start for g in groups)
            groups = [Group(g.atoms, first - 1, first - 1, True, "also") for g in st.last_groups] + groups

        if st.lead is not None and st.lead.sensory and groups and all(g.carried for g in groups):
            continue
        groups = groups + nerve_groups
        if not groups or not s_targets:
            continue

        if juxtaposed(text, line, start, end, groups, s_targets, s_nerves, article):
            continue
        placed = sorted([*s_targets, *(a for a in s_anchors if not any(
            t.start < a.end and a.start < t.end for t in s_targets))], key=lambda t: t.start)
        pairs = [(g, t, how) for g, t, how in link_pairs(text, start, end, groups, placed, s_nerves,
                                                         line.kind == "table_row") if t.target is not None]
        if not pairs:
            continue
        trigs = triggers(text, start, end, rules, [(g.start, g.end) for g in groups])
        cites = tuple(dict.fromkeys(n for m in find_markers(text, start, end) for n in m.numbers))
        sec = article.sections[sec_index] if sec_index >= 0 else None
        top = sec.top if sec else ""
        sub = sec.heading if sec and sec.level > 1 else ""
        mine: list[int] = []
        line_start, line_end = trim_span(text, line.start, line.end)
        single_line = bi >= 0 and article.blocks[bi].start >= line.start and article.blocks[bi].end <= line.end
        for group, t, how in pairs:
            polarity = polarity_of(trigs, group, t, text, s_targets, start, end)
            primary = is_primary(text, start, group, t)
            # '1. Peroneal nerve: L4, L5, S1, S2. Innervates the peroneus longus …': a claim that spans the
            # sentences of one bullet or row is the bullet's
            # The claim's sentence is the page's sentence, or its bullet or table row (annotation guide):
            # a bullet, a row or a short one-line item ('Deltoid (C5,6) –ask patient to …. ‘Don’t …’.') is
            # reported whole; '1. Peroneal nerve: L4, L5, S1, S2. Innervates the peroneus …' is one claim.
            wide = not whole_line and (line.kind in ("bullet", "table_row") or (line.words <= 30 and (
                single_line or complete_line(text, line_start, line_end))))
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
                        widen.setdefault(trim_span(text, line.start, line.end), []).append(
                            (len(out), start, forced, t.kind == "MUSCLE", bool(PRONOUN_START.match(sentence))))
                    out.append(Assertion(
                        id="", article_id=article.id, root=root, target=t.target, target_kind=kind,
                        relation=RELATION[kind], polarity=polarity, primary=primary, section=top, subsection=sub,
                        sentence=" ".join(sentence.split()), start=start, end=end,
                        root_start=atom.start, root_end=atom.end, target_start=t.start, target_end=t.end,
                        citations=cites,
                    ))
                    meta.append(Proposal(out[-1], how, group.via, target_via, mention=t.kind,
                                         span_roots=len(atom.roots)))
        if RETRACT.match(sentence) and last_sentence:
            for k in last_sentence:
                out[k] = replace(out[k], polarity="negated")
                meta[k].retracted = True
        last_sentence = mine
        real = [g for g in groups if not g.carried]
        note_paragraph(st, real)
        st.announce = []
        if real:
            st.last_groups = st.line_groups = real
            st.line_end = line.end
        st.last_targets = s_targets
        first_mention = min([*(g.start for g in real), *(t.start for t in s_targets)])
        st.last_subject = "root" if real and min(g.start for g in real) == first_mention else "target"
    ext.misnamed_reflexes = list(st.misnamed)
    kept = _widen_to_lines(out, widen, text)
    for k in kept:
        meta[k].assertion = out[k]
    return [meta[k] for k in kept]


def _widen_to_lines(out: list[Assertion], widen: dict[tuple[int, int], list[tuple]], text: str) -> list[int]:
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
    return [k for k in range(len(out)) if k not in drop]


def _emit_topic(article: Article, text: str, topic: Topic, groups: list[Group], out: list[Assertion],
                meta: list[Proposal], seen: set, lex) -> None:
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
                        relation=RELATION[kind], polarity="affirmed", primary=bool(PRIMARY.search(
                            text, atom.start - 30 if atom.start >= 30 else 0, atom.start)),
                        section=sec.top if sec else "", subsection=sec.heading if sec and sec.level > 1 else "",
                        sentence=" ".join(sentence.split()), start=topic.start, end=topic.end,
                        root_start=atom.start, root_end=atom.end, target_start=t.start, target_end=t.end,
                    ))
                    meta.append(Proposal(out[-1], "topic", g.via, mention=t.kind, span_roots=len(atom.roots)))


def _covering(proposals: list[Proposal]) -> set[int]:
    """Proposals whose line holds two or more separate sentences making the same claim: those sentences
    are the claims (every repetition counts), not the line that holds them.

    A claim's spans are sorted once, so each proposal looks only at the spans that start inside it (a
    page of 20,000 identical bullets is read in linear time)."""
    by_triple: dict[tuple[str, str, str], list[Proposal]] = {}
    for p in proposals:
        a = p.assertion
        by_triple.setdefault((a.root, a.target, a.polarity), []).append(p)
    out: set[int] = set()
    for group in by_triple.values():
        if len(group) < 3:
            continue
        spans = sorted({(q.assertion.start, q.assertion.end) for q in group})
        starts = [s for s, _ in spans]
        for w in group:
            ws, we = w.assertion.start, w.assertion.end
            inner = [(s, e) for s, e in spans[bisect_left(starts, ws):bisect_right(starts, we)]
                     if e <= we and (s, e) != (ws, we)]
            if any(a[1] <= b[0] for a, b in pairwise(inner)):
                out.add(id(w))
    return out


def _with_id(a: Assertion, i: int) -> Assertion:
    return Assertion(**{**a.__dict__, "id": f"a{i}"})


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
    model = load_model()
    proposals = scored_proposals(article, doc, model)
    return extraction_of(article, doc, select(proposals, model))


def extraction_of(article: Article, doc: Doc, assertions: list[Assertion]) -> Extraction:
    """The claims and everything else the rules need from the page (read after the claims: the reader
    records the muscles it found named as reflexes they lack)."""
    return Extraction(assertions, title_targets(article, doc), abbreviations(doc), level_claims(article, doc),
                      doc._.misnamed_reflexes or [], doc._.truncated_at)


def scored_proposals(article: Article, doc: Doc, model: Model | None) -> list[Proposal]:
    """Every claim the reader proposes, with its confidence (1.0 for each when no model is given)."""
    if model is None:
        return read_claims(article, doc)
    proposals, x = featurized(article, doc)
    for p, c in zip(proposals, model.confidence(x), strict=True):
        p.confidence = float(c)
    return proposals


def featurized(article: Article, doc: Doc) -> tuple[list[Proposal], np.ndarray]:
    """Every claim the reader proposes and its feature row."""
    proposals = read_claims(article, doc)
    return proposals, feature_rows(article, doc, proposals)


def feature_rows(article: Article, doc: Doc, proposals: list[Proposal]) -> np.ndarray:
    """The feature row of each proposal of the page, in order."""
    if not proposals:
        return np.zeros((0, len(NAMES)))
    ext = doc._
    text = article.plain if ext.truncated_at is None else article.plain[:ext.truncated_at]
    atom_starts = sorted(a.start for g in ext.root_groups for a in g.atoms if not a.is_level)
    target_starts = [t.start for t in ext.targets if t.target]
    facts = PageFacts(article, text, page_layout(article, doc), atom_starts, target_starts, ext.sentences)
    return np.array([featurize(p, facts) for p in proposals])


def select(proposals: list[Proposal], model) -> list[Assertion]:
    """The claims to report: confident enough to emit (``model.emits``), one per claim where proposals
    overlap, in text order.

    Two proposals of the same (root, target, polarity) whose sentences overlap are one claim; the more
    confident one stands.
    """
    if model is None:  # the reader's claims alone, as it found them
        return [_with_id(p.assertion, i) for i, p in enumerate(proposals, start=1)]
    keep: list[Proposal] = []
    spans: dict[tuple[str, str, str], Intervals] = {}  # the kept spans of each claim: disjoint, so bisection
    confident = [p for p in proposals if model.emits(p)]
    wide = _covering(confident)
    for p in sorted(confident, key=lambda p: (-p.confidence, p.assertion.start)):
        if id(p) in wide:
            continue
        a = p.assertion
        taken = spans.setdefault((a.root, a.target, a.polarity), Intervals())
        if taken.overlaps(a.start, a.end):
            continue
        taken.add(a.start, a.end)
        keep.append(p)
    keep.sort(key=lambda p: (p.assertion.start, p.assertion.target_start, p.assertion.root_start))
    return [Assertion(**{**p.assertion.__dict__, "id": f"a{i}", "confidence": round(p.confidence, 4)})
            for i, p in enumerate(keep, start=1)]


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
        s_levels = starting_in(levels, level_starts, s_start, s_end)
        if not s_levels:
            continue
        cuts = [s_start, *(m.start() for m in CLAUSE_BREAK.finditer(text, s_start, s_end)), s_end]
        start, end = trim_span(text, s_start, s_end)
        far = bool(_FAR_LATERAL.search(text, start, end))
        freq = _FREQUENCY.search(text, start, end)
        frequency = " ".join(freq.group().lower().split()) if freq else ""
        for a, b in pairwise(cuts):
            for lv in (lv for lv in s_levels if a <= lv.start < b):
                if len(lv.roots) != 2:
                    continue
                for r in (r for r in starting_in(roots, root_starts, a, b) if r.roots != lv.roots):
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

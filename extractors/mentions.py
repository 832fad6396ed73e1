"""Target mentions: movements, reflexes, muscles, signs and nerves, found in plain text.

Matching runs over words (letters and digits; a hyphen joins words like a
space, so "knee-jerk" is "knee jerk"), not over spaCy tokens: the tokenizer
keeps "flexion/extension" as one token, and the grammar needs both words.

Three sources, longest match wins, ties to the lexicon:

- the lexicon's phrases (targets, muscles, signs, blocking phrases), with one
  misspelt word allowed in a phrase of two or more words ("Extensor Hallicus
  Longus", "gluteas maximus") and in long single words ("dorsiflexon");
- a grammar of body part × action in either order ("hip flexion", "flexion of
  the hip", "flex the hip", "elbow extending", "wrist flexion/extension",
  "Shoulder flexion, abduction"); a combination the vocabulary lacks ("big toe
  plantar flexion") blocks the shorter matches inside it;
- reflexes written around their muscle: "biceps tendon", "elbow extension
  reflex", "the brachioradialis (C5-C6) reflex".

Short reflex names that are reflexes only in a reflex context ("knee L3/L4"
under "Tendon Reflexes") come out as candidates; the discourse step decides.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from .lexicon import Lexicon

_WORD = re.compile(r"[A-Za-z]+|\d+")
_GLUED = re.compile(r"[a-z][CTLS]\d")
_WORD_GLUED = re.compile(r"[A-Za-z]*[a-z](?=[CTLS]\d)|[A-Za-z]+|\d+")
# Cells of a flattened table glued into one word: 'Lateral upper armDeltoid, bicepsBiceps' (a capital after a
# small letter starts a word) and card labels glued to their answer ('C7 myotometriceps', 'C5 reflexesbiceps').
_CELL_GLUE = re.compile(r"[a-z][A-Z][a-z]|(?i:myotomes?|reflexes|dermatomes?|par(?:a|ae|e)sthesias?)[a-z]{3}")
_WORD_CELLS = re.compile(r"(?i:myotomes?|reflexes|dermatomes?|par(?:a|ae|e)sthesias?)(?=[a-z]{3})"
                         r"|[A-Za-z]*[a-z](?=[CTLS]\d)|[A-Z]?[a-z]+(?=[A-Z][a-z])|[A-Za-z]+|\d+")
# a muscle named as a place: 'the triceps area', 'numbness over the deltoid'
# a muscle or movement naming its reflex: 'biceps tendon', 'elbow extension reflex', 'brachioradialis (C5-C6) reflex'
_REFLEX_AFTER = re.compile(r"[ \t]*(?:\([^()\n]{1,40}\)[ \t]*)?(tendon|reflex(?:es)?|jerks?)\b", re.IGNORECASE)
# 'wrist extensors', 'hip flexor': the grammar names a muscle group, not a movement
_AGENT = re.compile(r"(?:flexor|extensor|ductor|dorsiflexor|plantarflexor|invertor|evertor|inverter|everter)s?\b",
                    re.IGNORECASE)
# 'extend and laterally rotate the hip': verbs that may stand between an action and its body part
_ADVERBS = frozenset({"laterally", "medially", "internally", "externally"})
_SECOND_VERBS = frozenset({"close", "closes", "rotate", "rotates", "stabilize", "stabilizes", "stabilise",
                           "stabilises", "tilt", "tilts"})
_AREA_AFTER = re.compile(r"\s+(?:area|region)\b", re.IGNORECASE)
_OVER_BEFORE = re.compile(r"\bover\s+(?:the\s+)?$", re.IGNORECASE)
# a muscle as a landmark: 'the obturator nerve arises … in the psoas muscle', 'passes deep to the sartorius'
_PLACE_BEFORE = re.compile(r"\b(?:arises?|emerges?|pass(?:es)?|runs?|travels?|lies|lying|pierces?|descends?|enters?|"
                           r"exits?|courses?|located|situated)\b[^.;,]{0,40}\b(?:in|through|behind|between|beneath|under|within|"
                           r"deep\s+to|along|from)\s+(?:the\s+)?$", re.IGNORECASE)
_JOIN = re.compile(r"^[ \t\u00a0]*-?[ \t\u00a0]*$")  # what may stand between two words of one phrase


@dataclass(frozen=True)
class Target:
    """One mention of a target (``target`` None: a blocking match, dropped after overlap resolution)."""

    start: int
    end: int
    target: str | None
    kind: str  # MOVEMENT | REFLEX | MUSCLE | TERM | NERVE | REFLEX_NAME
    source: str = ""  # muscle id, nerve name, or the phrase
    reflex: str | None = None  # the reflex this mention names in a reflex context
    body: str | None = None  # grammar mentions: the body part, for bare actions that follow


@dataclass(frozen=True)
class Words:
    starts: list[int]
    ends: list[int]
    lower: list[str]
    joins: list[bool]  # joins[i]: word i and word i + 1 may belong to one phrase

    def joined(self, i: int, text: str) -> bool:
        """True when word ``i`` and word ``i + 1`` may belong to one phrase."""
        return self.joins[i]


_PAREN_CLOSE = re.compile(r"\)[ \t]*")


def words_of(text: str) -> Words:
    # 'Elbow flexionC5/6': a word glued to the root after it is a word and a root (flattened table cells)
    glued = bool(_CELL_GLUE.search(text))
    pattern = _WORD_CELLS if glued else _WORD_GLUED if _GLUED.search(text) else _WORD
    spans = [m.span() for m in pattern.finditer(text)]
    low = text.lower()
    starts = [s for s, _ in spans]
    ends = [e for _, e in spans]
    lower = [low[s:e] for s, e in spans]
    joins = []
    for k in range(len(spans) - 1):
        gap = text[ends[k]:starts[k + 1]]
        # two words split out of one glued word are two cells: never one phrase
        cells = glued and not gap and text[ends[k] - 1].isalpha() and text[starts[k + 1]].isalpha()
        joins.append(not cells and (gap == " " or bool(_JOIN.match(gap))))
    joins.append(False)
    return Words(starts, ends, lower, joins)


def _key(phrase: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in _WORD.findall(phrase))


def damerau(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance, giving up (returning limit + 1) past ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] | None = None
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if prev2 is not None and i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def _fuzzy_limit(word: str, multiword: bool) -> int:
    """How many edits a misspelt word may carry: more in a phrase, whose other words confirm it."""
    if not word.isalpha():
        return 0
    if multiword:
        return 2 if len(word) >= 7 else 1 if len(word) >= 5 else 0
    return 2 if len(word) >= 12 else 1 if len(word) >= 9 else 0


def _deletions(word: str, depth: int) -> set[str]:
    out = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1:] for w in frontier for i in range(len(w))}
        out |= frontier
    return out


class FuzzyIndex:
    """Candidate corrections by shared deletions (the symmetric-delete idea), checked exactly after.

    Looking a word up costs a few dictionary probes instead of a distance computation
    against every word of the lexicon; results are cached per word.
    """

    def __init__(self, vocabulary: set[str]):
        self.index: dict[str, set[str]] = {}
        for w in vocabulary:
            if len(w) >= 5 and w.isalpha():
                for d in _deletions(w, 2 if len(w) >= 7 else 1):
                    self.index.setdefault(d, set()).add(w)
        self.cache: dict[tuple[str, bool], tuple[str, ...]] = {}

    def candidates(self, word: str, multiword: bool) -> tuple[str, ...]:
        """Known words within the edit limit of ``word``, closest first (then alphabetical).

        A tuple in a fixed order, never a set: which candidate wins a tie must not depend on the
        process's string hashing, or two runs over the same page could read it differently.
        """
        key = (word, multiword)
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        lim = _fuzzy_limit(word, multiword)
        out: dict[str, int] = {}
        if lim:
            for d in _deletions(word, lim):
                for cand in self.index.get(d, ()):
                    if cand != word and cand[0] == word[0] and cand not in out:
                        dist = damerau(word, cand, lim)
                        if dist <= lim:
                            out[cand] = dist
        if len(self.cache) > 200_000:
            self.cache.clear()
        self.cache[key] = result = tuple(sorted(out, key=lambda c: (out[c], c)))
        return result


class Trie:
    """Phrases by word, for longest-match scanning with one misspelt word per phrase."""

    def __init__(self) -> None:
        self.root: dict = {}
        self.known: frozenset[str] = frozenset()  # words never taken for a misspelling of another
        self.fuzzy: FuzzyIndex | None = None

    def add(self, words: tuple[str, ...], value: object) -> None:
        node = self.root
        for w in words:
            node = node.setdefault(w, {})
        node.setdefault(None, value)

    def longest(self, ws: Words, text: str, i: int) -> tuple[int, object, bool] | None:
        """(end word index, value, fuzzy) of the longest phrase starting at word ``i``."""
        best = None
        stack = [(self.root, i, False)]
        single_ok: dict[int, bool] = {}  # for a one-word fuzzy match: is it close enough for a word alone?
        while stack:
            node, j, fuzzy = stack.pop()
            better = best is None or j > best[0] or (j == best[0] and best[2] and not fuzzy)
            if None in node and j > i and better and (not fuzzy or j - i >= 2 or single_ok.get(id(node), False)):
                best = (j, node[None], fuzzy)
            if j >= len(ws.lower) or (j > i and not ws.joined(j - 1, text)):
                continue
            w = ws.lower[j]
            if w in node:
                stack.append((node[w], j + 1, fuzzy))
            if not fuzzy and w not in node and w not in self.known and self.fuzzy is not None:
                for cand in reversed(self.fuzzy.candidates(w, True)):  # the closest is popped first
                    child = node.get(cand)
                    if child is not None:
                        if j == i:
                            single_ok[id(child)] = cand in self.fuzzy.candidates(w, False)
                        stack.append((child, j + 1, True))
        if best is not None and best[2] and best[0] - i == 1:
            w = ws.lower[i]
            # a misspelt single word must be long and may not be a known word of the lexicon
            if _fuzzy_limit(w, False) == 0:
                return None
        return best


@dataclass(frozen=True)
class Grammar:
    actions: dict[str, str]  # word -> action
    two_word: dict[tuple[str, str], str]
    bodies: dict[tuple[str, ...], str]  # words -> body part
    combos: dict[tuple[str, str], str | None]  # (body, action) -> target or None (blocks)
    fillers: frozenset[str]
    noun_actions: frozenset[str]  # action words that can stand alone: 'flexion', 'extension' ...


def grammar_from(data: dict) -> Grammar:
    actions = {w: a for a, ws in data["actions"].items() for w in ws}
    two = {tuple(k.split()): v for k, v in data.get("two_word_actions", {}).items()}
    bodies = {_key(w): b for b, ws in data["bodies"].items() for w in ws}
    combos = {(b, a): t for b, m in data["combinations"].items() for a, t in m.items()}
    nouns = frozenset(w for w in actions if w.endswith(("ion", "ions")))
    return Grammar(actions, two, bodies, combos, frozenset(data.get("fillers", [])), nouns)


class TargetMatcher:
    """All target mentions of a text, as ``Target`` objects with character offsets."""

    def __init__(self, lexicon: Lexicon, data: dict):
        self.lexicon = lexicon
        self.trie = Trie()
        for phrase, entry in lexicon.phrases.items():
            self.trie.add(_key(phrase), ("entry", entry))
        for phrase in data.get("blocking", {}).get("phrases", []):
            self.trie.add(_key(phrase), ("block", phrase))
        self.nerves = Trie()
        for name in data.get("nerves", {}).get("names", []):
            self.nerves.add(_key(name), name)
            if name.endswith(" nerve"):
                self.nerves.add(_key(name[:-6] + " n"), name)  # 'femoral n.'
        self.reflex_names = {_key(k): v for k, v in data.get("reflex_names", {}).get("names", {}).items()}
        self.movement_reflexes: dict[str, str] = dict(data.get("movement_reflexes", {}).get("map", {}))
        self.muscle_reflexes = {mid: spec["reflex"] for mid, spec in (data.get("muscles") or {}).items()
                                if spec.get("reflex")}
        self.grammar = grammar_from(data["grammar"])
        known = {w for key in (*self.trie.root, ) if key for w in (key,)}
        known |= {w for p in lexicon.phrases for w in _key(p)}
        known |= set(self.grammar.actions) | {w for b in self.grammar.bodies for w in b}
        known |= {w for p in data.get("blocking", {}).get("phrases", []) for w in _key(p)}
        self.trie.known = frozenset(known)
        self._text_cache = ""
        self.grammar_starters = frozenset(self.grammar.actions) | {b[0] for b in self.grammar.bodies} | {
            k[0] for k in self.grammar.two_word}
        self.trie.fuzzy = FuzzyIndex({w for p in lexicon.phrases for w in _key(p)})
        self.phrase_words: dict[tuple[str, ...], object] = {_key(p): e for p, e in lexicon.phrases.items()}
        self.heads: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
        for words in self.phrase_words:
            for k in range(1, len(words)):
                self.heads.setdefault(words[k:], set()).add(words[:k])

    # -- the lexicon -------------------------------------------------------------------------------------------

    def _lexicon(self, ws: Words, text: str) -> list[Target]:
        out = []
        n = len(ws.lower)
        i = 0
        while i < n:
            w = ws.lower[i]
            maybe = w in self.trie.root or (len(w) >= 5 and w not in self.trie.known and any(
                c in self.trie.root for c in self.trie.fuzzy.candidates(w, True)))
            hit = self.trie.longest(ws, text, i) if maybe else None
            if hit is None:
                i += 1
                continue
            j, (what, value), _ = hit
            start, end = ws.starts[i], ws.ends[j - 1]
            if what == "block":
                out.append(Target(start, end, None, "BLOCK", value))
            else:
                out.append(self._entry_target(start, end, value))
            i = j
        return out

    def _ellipsis(self, ws: Words, text: str, found: list[Target]) -> list[Target]:
        """Phrases sharing a head or a modifier with a coordinated neighbour.

        'tibialis anterior and posterior' names tibialis posterior; 'knee strength and
        reflexes' names knee reflexes; 'great toe and foot dorsiflexion' names great toe
        dorsiflexion.
        """
        out = []
        index = {s: k for k, s in enumerate(ws.starts)}
        for t in found:
            if t.target is None or t.start not in index:
                continue
            i = index[t.start]
            j = i
            while j < len(ws.ends) and ws.ends[j] <= t.end:
                j += 1
            words = tuple(ws.lower[i:j])
            if len(words) < 2:
                continue
            # forward: '<mod head> and <head2>'
            c = self._coord(ws, text, j)
            if c is not None and c > j:
                for k in range(1, len(words)):
                    for size in (3, 2, 1):
                        head = tuple(ws.lower[c:c + size])
                        e = self.phrase_words.get(words[:k] + head)
                        if e is not None and len(head) == size:
                            out.append(self._entry_target(ws.starts[c], ws.ends[c + size - 1], e))
                            break
            # backward: '<mod2> and <mod head>'
            b = i - 1
            if b >= 1 and ws.lower[b] in ("and", "or"):
                for k in range(1, len(words)):
                    for mod in sorted(self.heads.get(words[k:], ())):
                        a = b - len(mod)
                        if a >= 0 and tuple(ws.lower[a:b]) == mod:
                            e = self.phrase_words[mod + words[k:]]
                            out.append(self._entry_target(ws.starts[a], ws.ends[b - 1], e))
        return out

    def _entry_target(self, start: int, end: int, e) -> Target:
        reflex = self.muscle_reflexes.get(e.source_id) if e.mention_kind == "MUSCLE" else (
            self.movement_reflexes.get(e.target) if e.mention_kind == "MOVEMENT" else None)
        return Target(start, end, e.target, e.mention_kind, e.source_id, reflex)

    # -- the grammar -------------------------------------------------------------------------------------------

    def _body_at(self, ws: Words, text: str, i: int) -> tuple[int, str] | None:
        """(end index, body) of a body-part phrase starting at word ``i``."""
        for size in (2, 1):
            if i + size <= len(ws.lower) and (size == 1 or ws.joined(i, text)):
                b = self.grammar.bodies.get(tuple(ws.lower[i:i + size]))
                if b:
                    return i + size, b
        return None

    def _action_at(self, ws: Words, text: str, i: int) -> tuple[int, str] | None:
        g = self.grammar
        if i + 1 < len(ws.lower) and ws.joined(i, text):
            a = g.two_word.get((ws.lower[i], ws.lower[i + 1]))
            if a:
                return i + 2, a
        a = g.actions.get(ws.lower[i])
        return (i + 1, a) if a else None

    def _coord(self, ws: Words, text: str, k: int) -> int | None:
        """Index of the word after a coordination that starts after word ``k - 1``, or None.

        Coordinations: '/', '&', ',', '(+', 'and', 'or', ', and', 'and/or', with an optional
        'lateral'/'medial' before the next item ('flexion, abduction, & lateral rotation').
        """
        n = len(ws.lower)
        if k >= n:
            return None
        gap = text[ws.ends[k - 1]:ws.starts[k]].strip()
        if gap not in ("", ",", "/", "&", "(+", "+", ", &", ",&", "(", "/ "):
            return None
        while k < n and ws.lower[k] in ("and", "or") and text[ws.ends[k]:ws.starts[k + 1] if k + 1 < n
                                                            else ws.ends[k]].strip() in ("", "/", "&"):
            k += 1
        if not gap and k < n and ws.lower[k - 1] not in ("and", "or"):
            return None
        return k if k < n else None

    @staticmethod
    def _synonym_closes(ws: Words, text: str, i: int, k: int) -> bool:
        """'great toe (big toe) extension': a body restated in parentheses before the action."""
        return _PAREN_CLOSE.fullmatch(text, ws.ends[k - 1], ws.starts[k]) is not None and \
            text[max(0, ws.starts[i] - 1):ws.starts[i]] == "("

    def _grammar(self, ws: Words, text: str) -> list[Target]:
        self._text_cache = text
        g = self.grammar
        out: list[Target] = []
        n = len(ws.lower)
        starters = self.grammar_starters
        positions = [k for k, w in enumerate(ws.lower) if w in starters]
        p = 0
        i = positions[0] if positions else n
        while i < n:
            body = self._body_at(ws, text, i)
            if body is not None:
                # BODY [and BODY] ACTION [/ ACTION ...]: 'hip flexion', 'ankle and foot dorsiflexion'
                j, b = body
                bodies = [b]
                body_spans = [(ws.starts[i], ws.ends[j - 1])]
                k = j
                while (c := self._coord(ws, text, k)) is not None and (nb := self._body_at(ws, text, c)) is not None:
                    bodies.append(nb[1])
                    body_spans.append((ws.starts[c], ws.ends[nb[0] - 1]))
                    k = nb[0]
                act = self._action_at(ws, text, k) if k < n and (
                    ws.joined(k - 1, text) or self._synonym_closes(ws, text, i, k)) else None
                if act is not None:
                    end_w, a = act
                    out.extend(self._combos(ws.starts[i], ws.ends[end_w - 1], bodies, a, body_spans))
                    i = self._more_actions(ws, text, end_w, bodies, out)
                    p, i = _next_position(positions, p, i, n)
                    continue
            act = self._action_at(ws, text, i)
            if act is not None:
                # ACTION [/ ACTION] (of|at)? FILLER* BODY [and BODY]: 'flexion of the knee', 'flex the hip'
                j, a = act
                acts = [a]
                k = j
                while (c := self._coord(ws, text, k)) is not None and (na := self._action_at(ws, text, c)) is not None:
                    acts.append(na[1])
                    k = na[0]
                m = k
                # 'extend and laterally rotate the hip': a second verb coordinated with the action
                if m + 2 < n and ws.lower[m] == "and":
                    k2 = m + 1 + (ws.lower[m + 1] in _ADVERBS)
                    if k2 < n and ws.lower[k2] in _SECOND_VERBS:
                        m = k2 + 1
                skipped = 0
                while m < n and skipped <= 3 and (ws.lower[m] in g.fillers or ws.lower[m] in ("of", "at", "to")) \
                        and ws.joined(m - 1, text):
                    m += 1
                    skipped += 1
                body = self._body_at(ws, text, m) if m < n and ws.joined(m - 1, text) else None
                if body is not None:
                    bodies = [body[1]]
                    body_spans = [(ws.starts[m], ws.ends[body[0] - 1])]
                    e = body[0]
                    while (c := self._coord(ws, text, e)) is not None:
                        f = c
                        while f < n and ws.lower[f] in g.fillers and self._body_at(ws, text, f) is None:
                            f += 1
                        nb = self._body_at(ws, text, f) if f < n else None
                        if nb is None:
                            break
                        bodies.append(nb[1])
                        body_spans.append((ws.starts[f], ws.ends[nb[0] - 1]))
                        e = nb[0]
                    act_spans = [(ws.starts[i], ws.ends[j - 1])]
                    c = j
                    while len(act_spans) < len(acts):  # 'flexion/extension of the wrist': one span per action
                        c = self._coord(ws, text, c)
                        na = self._action_at(ws, text, c)
                        act_spans.append((ws.starts[c], ws.ends[na[0] - 1]))
                        c = na[0]
                    for n_act, (a2, (s2, _)) in enumerate(zip(acts, act_spans, strict=True)):
                        last = n_act == len(acts) - 1
                        out.extend(self._combos(s2, ws.ends[body[0] - 1] if last else act_spans[n_act][1],
                                                bodies, a2, body_spans) if last else
                                   [self._combo(s2, act_spans[n_act][1], bodies, a2)])
                    i = e
                    p, i = _next_position(positions, p, i, n)
                    continue
            p, i = _next_position(positions, p, i + 1, n)
        return out

    def _more_actions(self, ws: Words, text: str, k: int, bodies: list[str], out: list[Target]) -> int:
        """'Shoulder flexion, abduction, & lateral rotation': further actions share the body."""
        while (c := self._coord(ws, text, k)) is not None:
            act = self._action_at(ws, text, c)
            if act is None or (act[0] < len(ws.lower) and ws.joined(act[0] - 1, text)
                               and self._body_at(ws, text, act[0]) is not None):
                break
            out.append(self._combo(ws.starts[c], ws.ends[act[0] - 1], bodies, act[1]))
            k = act[0]
        return k

    def _combos(self, start: int, end: int, bodies: list[str], action: str,
                body_spans: list[tuple[int, int]]) -> list[Target]:
        """One target per coordinated body: 'dorsiflexion of the foot and great toe' names two."""
        agent = bool(_AGENT.search(self._text_cache[start:end])) if self._text_cache else False
        if len(bodies) == 1:
            return [self._combo(start, end, bodies, action, agent)]
        if body_spans[0][0] == start:  # 'great toe and foot dorsiflexion': the action ends the last item
            spans = [*body_spans[:-1], (body_spans[-1][0], end)]
        else:  # 'dorsiflexion of the foot and great toe': the action starts the first
            spans = [(start, body_spans[0][1]), *body_spans[1:]]
        return [self._combo(s, e, [b], action, agent) for b, (s, e) in zip(bodies, spans, strict=True)]

    def _combo(self, start: int, end: int, bodies: list[str], action: str, agent: bool = False) -> Target:
        for b in bodies:
            t = self.grammar.combos.get((b, action))
            if t:
                return Target(start, end, t, "MUSCLE" if agent else "MOVEMENT", f"{b}:{action}",
                              self.movement_reflexes.get(t), b)
        return Target(start, end, None, "BLOCK", f"{bodies[0]}:{action}", None, bodies[0])

    def bare_actions(self, ws: Words, text: str, start: int, end: int) -> list[tuple[int, int, str]]:
        """Action nouns with no body in ``text[start:end]``: (start, end, action)."""
        out = []
        for i in range(bisect_left(ws.starts, start), len(ws.lower)):
            if ws.ends[i] > end:
                break
            act = self._action_at(ws, text, i)
            if act and ws.lower[i] in self.grammar.noun_actions | {"plantar", "dorsi"}:
                out.append((ws.starts[i], ws.ends[act[0] - 1], act[1]))
        return out

    def combo(self, body: str, action: str) -> str | None:
        return self.grammar.combos.get((body, action))

    # -- reflexes around their muscle, and nerves --------------------------------------------------------------

    def _reflex_words(self, ws: Words, text: str, found: list[Target]) -> list[Target]:
        """'biceps tendon' -> biceps reflex; 'elbow extension reflex' -> triceps reflex; candidates."""
        out = []
        by_end = {t.end: t for t in found if t.target}
        word_at = {s: k for k, s in enumerate(ws.starts)}
        for t in list(by_end.values()):
            if t.kind == "REFLEX":
                continue
            m = _REFLEX_AFTER.match(text, t.end, t.end + 50)
            if not m or (m.group(1).lower() == "tendon" and re.match(r"[ \t]+(?:reflex|jerk)", text[m.end():])):
                continue
            if t.reflex:
                adjacent = not text[t.end:m.start(1)].strip()  # 'biceps tendon' spans both; 'biceps (C5) reflex' not
                out.append(Target(t.start, m.end() if adjacent else t.end, t.reflex, "REFLEX", t.source))
            out.append(Target(t.start, t.end, None, "BLOCK", t.source))
        for k, w in enumerate(ws.lower):
            r = self.reflex_names.get((w,))
            if r is None:
                continue
            nxt = text[ws.ends[k]:ws.ends[k] + 12].lower()
            if re.match(r"\s*(?:tendon)\b", nxt) and not re.match(r"\s*tendon\s+(?:reflex|jerk)", text[ws.ends[k]:
                                                                                                     ws.ends[k] + 30]):
                out.append(Target(ws.starts[k], ws.ends[k + 1] if k + 1 < len(ws.ends) else ws.ends[k], r, "REFLEX",
                                  w))
            elif word_at.get(ws.starts[k]) is not None:
                out.append(Target(ws.starts[k], ws.ends[k], r, "REFLEX_NAME", w))
        return out

    def nerves_in(self, ws: Words, text: str) -> list[Target]:
        out = []
        i = 0
        while i < len(ws.lower):
            hit = self.nerves.longest(ws, text, i) if ws.lower[i] in self.nerves.root else None
            if hit is None:
                i += 1
                continue
            j, name, _ = hit
            out.append(Target(ws.starts[i], ws.ends[j - 1], None, "NERVE", name))
            i = j
        return out

    def find(self, text: str, ws: Words | None = None) -> tuple[list[Target], list[Target], list[Target]]:
        """(targets, reflex-name candidates, nerves) of ``text``, each sorted by position."""
        found = self.find_all(text, ws)
        return found.targets, found.candidates, found.nerves

    def find_all(self, text: str, ws: Words | None = None) -> Found:
        """Every kind of mention of ``text``: targets, reflex-name candidates, nerves and anchors.

        Anchors are movements and muscles outside the vocabulary ('toe flexion', 'shoulder
        adduction'): they state no claim but hold their place in a list ("extension is L5,
        S1 and flexion is S2, S3").
        """
        ws = ws or words_of(text)
        found = _resolve(self._lexicon(ws, text) + self._grammar(ws, text))
        found = _resolve(found + self._ellipsis(ws, text, found))
        extra = self._reflex_words(ws, text, found)
        reflexes = [t for t in extra if t.kind == "REFLEX"]
        blocks = [t for t in extra if t.kind == "BLOCK"]
        candidates = [t for t in extra if t.kind == "REFLEX_NAME"]
        # a reflex written around its muscle replaces the muscle's own mention
        blocked = {(b.start, b.end) for b in blocks}
        kept = [t for t in found if (t.start, t.end) not in blocked
                and not (t.kind == "MUSCLE" and (_AREA_AFTER.match(text, t.end) or _OVER_BEFORE.search(
                    text, max(0, t.start - 20), t.start) or _PLACE_BEFORE.search(text, max(0, t.start - 70), t.start)))]
        targets = _resolve(kept + reflexes)
        # 'reduced biceps supinator reflex': a muscle right before another reflex names its own reflex too
        for k in range(len(targets) - 1):
            t, nxt = targets[k], targets[k + 1]
            if t.kind == "MUSCLE" and t.reflex and nxt.kind == "REFLEX" and re.fullmatch(
                    r"\s*(?:,|and|&|/|or)?\s*", text[t.end:nxt.start]):
                targets[k] = Target(t.start, t.end, t.reflex, "REFLEX", t.source)
        taken = Intervals([(t.start, t.end) for t in targets])
        nones = Intervals([(t.start, t.end) for t in found if t.target is None])
        candidates = [c for c in candidates
                      if not taken.overlaps(c.start, c.end) and not nones.overlaps(c.start, c.end)]
        return Found([t for t in targets if t.target], candidates, self.nerves_in(ws, text),
                     [t for t in found if t.target is None])


@dataclass(frozen=True)
class Found:
    targets: list[Target]
    candidates: list[Target]
    nerves: list[Target]
    anchors: list[Target]


def _next_position(positions: list[int], p: int, at_least: int, n: int) -> tuple[int, int]:
    """The next candidate word index at or after ``at_least`` (``n`` when none is left)."""
    while p < len(positions) and positions[p] < at_least:
        p += 1
    return p, positions[p] if p < len(positions) else n


class Intervals:
    """Disjoint intervals kept sorted, for overlap tests in O(log n) (long articles have many mentions)."""

    def __init__(self, spans: list[tuple[int, int]] = ()) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        for s, e in sorted(spans):
            self.starts.append(s)
            self.ends.append(e)

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect_left(self.starts, end) - 1  # the last interval starting before ``end``
        return i >= 0 and self.ends[i] > start

    def add(self, start: int, end: int) -> None:
        i = bisect_left(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)


def _resolve(spans: list[Target]) -> list[Target]:
    """Longest first, then earliest; a lexicon mention beats a grammar one of the same extent."""
    order = sorted(spans, key=lambda t: (-(t.end - t.start), t.start, t.body is not None))
    taken = Intervals()
    out = []
    for t in order:
        if taken.overlaps(t.start, t.end):
            continue
        taken.add(t.start, t.end)
        out.append(t)
    return sorted(out, key=lambda t: t.start)


@lru_cache(maxsize=4)
def get_matcher(lexicon_path: str | None = None) -> TargetMatcher:
    from .datafiles import packaged_json, read_json
    from .lexicon import lexicon_from_dict

    data, where = (read_json(lexicon_path), str(lexicon_path)) if lexicon_path else packaged_json(
        "extractors", "lexicon.json")
    return TargetMatcher(lexicon_from_dict(data, where), data)

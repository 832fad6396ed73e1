"""The spaCy pipeline: built once per process, reused for every article.

(No ``from __future__ import annotations`` here: spaCy validates factory
signatures at run time.)

    blank English + scispaCy tokenizer
    -> artgate_sentences   (line/bullet/heading boundaries, then . ! ?)
    -> abbreviation_detector (scispaCy: 'extensor hallucis longus (EHL)')
    -> artgate_mentions    (roots, disc levels, movements, reflexes, muscles, signs)
    -> medspacy_context    (negation and hedging, rules in data/context_rules.json)

No statistical model is loaded: everything here works offline from the
installed packages and the data files beside this module.
"""


import warnings
from functools import lru_cache
from importlib import resources

import numpy
import scispacy.abbreviation  # noqa: F401  (registers 'abbreviation_detector')
import spacy
from medspacy.context import ConText, ConTextRule  # noqa: F401  (registers 'medspacy_context')
from scispacy.custom_tokenizer import combined_rule_tokenizer
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .lexicon import Lexicon, load_lexicon
from .roots import find_root_groups

MENTIONS = "artgate_mentions"  # span group ConText reads: roots and targets
ROOTS = "artgate_roots"
LEVELS = "artgate_levels"
TARGETS = "artgate_targets"
_SENT_END = {".", "!", "?"}
_COORD_WORDS = {"and", "or", ",", "&", "/"}

# medspaCy's and scispaCy's internal Matchers legitimately hold no token patterns
# (their rules are phrase or regex rules); spaCy warns about that on every doc.
warnings.filterwarnings("ignore", message=r"\[W036\]")

if not Doc.has_extension("root_groups"):
    Doc.set_extension("root_groups", default=None)


@Language.component("artgate_sentences")
def artgate_sentences(doc: Doc) -> Doc:
    """Sentence starts at line breaks (blocks never share a sentence) and after . ! ?.

    Set in one ``from_array`` call: assigning ``Token.is_sent_start`` one token at a
    time makes spaCy rescan the doc on each assignment (quadratic on long articles).
    """
    if not len(doc):
        return doc
    # spaCy stores attributes as uint64: -1 ('not a start') is its two's complement
    starts = numpy.full((len(doc), 1), numpy.iinfo(numpy.uint64).max, dtype=numpy.uint64)
    starts[0, 0] = 1
    prev = doc[0]
    for tok in doc[1:]:
        if "\n" in prev.text or (prev.text in _SENT_END and not tok.is_space):
            starts[tok.i, 0] = 1
        prev = tok
    doc.from_array([SENT_START], starts)
    return doc


@Language.factory("artgate_mentions", default_config={"lexicon_path": None})
def make_mentions(nlp: Language, name: str, lexicon_path: str | None) -> "MentionMatcher":
    return MentionMatcher(nlp, load_lexicon(lexicon_path))


class MentionMatcher:
    """Finds root and target mentions and stores them as span groups.

    Targets come from a PhraseMatcher over the lexicon (longest match wins), two
    kinds of coordination ellipsis ('great toe and foot dorsiflexion' names great
    toe dorsiflexion too; 'knee strength and reflexes' names knee reflexes), and
    abbreviations defined in the text whose long form is in the lexicon.
    """

    def __init__(self, nlp: Language, lexicon: Lexicon):
        self.lexicon = lexicon
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.phrase_tokens: dict[str, tuple[str, ...]] = {}
        for phrase in lexicon.phrases:
            doc = nlp.make_doc(phrase)
            self.phrase_tokens[phrase] = tuple(t.lower_ for t in doc)
            self.matcher.add(phrase, [doc])
        self.by_tokens = {toks: p for p, toks in self.phrase_tokens.items()}
        # (modifier tokens, head tokens) splits of multi-word phrases, for ellipsis
        self.heads: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
        for toks in self.by_tokens:
            for k in range(1, len(toks)):
                self.heads.setdefault(toks[k:], set()).add(toks[:k])

    def __call__(self, doc: Doc) -> Doc:
        doc._.root_groups = []
        roots, levels = [], []
        for group in find_root_groups(doc.text):  # one read: Doc.text is rebuilt per access
            atoms = []
            for atom in group.atoms:
                span = doc.char_span(atom.start, atom.end, alignment_mode="expand")
                if span is None:
                    continue
                span = Span(doc, span.start, span.end, label="DISC_LEVEL" if atom.is_level else "ROOT",
                            kb_id=",".join(atom.roots))
                (levels if atom.is_level else roots).append(span)
                if not atom.is_level:
                    atoms.append(span)
            if atoms:
                doc._.root_groups.append(atoms)
        targets = self._targets(doc)
        doc.spans[ROOTS] = roots
        doc.spans[LEVELS] = levels
        doc.spans[TARGETS] = targets
        doc.spans[MENTIONS] = sorted(roots + targets, key=lambda s: (s.start, s.end))
        return doc

    def _entry_span(self, doc: Doc, start: int, end: int, phrase: str) -> Span:
        entry = self.lexicon.phrases[phrase]
        return Span(doc, start, end, label=entry.mention_kind, kb_id=entry.target)

    def _targets(self, doc: Doc) -> list[Span]:
        spans = [self._entry_span(doc, s, e, doc.vocab.strings[mid]) for mid, s, e in self.matcher(doc)]
        spans = filter_spans(spans)
        spans.extend(self._ellipsis(doc, spans))
        spans.extend(self._abbreviations(doc, spans))
        return sorted(filter_spans(spans), key=lambda s: s.start)

    def _ellipsis(self, doc: Doc, spans: list[Span]) -> list[Span]:
        out = []
        for sp in spans:
            toks = tuple(t.lower_ for t in sp)
            # backward: '<great toe> and <foot dorsiflexion>' -> 'great toe dorsiflexion'
            i = sp.start - 1
            while i >= 0 and doc[i].lower_ in _COORD_WORDS:
                i -= 1
            if i < sp.start - 1:
                for k in range(1, len(toks)):
                    head = toks[k:]
                    for mod in self.heads.get(head, ()):
                        j = i - len(mod) + 1
                        if j >= 0 and tuple(t.lower_ for t in doc[j:i + 1]) == mod:
                            out.append(self._entry_span(doc, j, i + 1, self.by_tokens[mod + head]))
            # forward: '<knee strength> and <reflexes>' -> 'knee reflexes'
            i = sp.end
            while i < len(doc) and doc[i].lower_ in _COORD_WORDS:
                i += 1
            if i > sp.end:
                for k in range(1, len(toks)):
                    mod = toks[:k]
                    for n in (3, 2, 1):
                        head = tuple(t.lower_ for t in doc[i:i + n])
                        phrase = self.by_tokens.get(mod + head)
                        if phrase and len(head) == n:
                            out.append(self._entry_span(doc, i, i + n, phrase))
                            break
        taken = {(s.start, s.end) for s in spans}
        return [s for s in out if (s.start, s.end) not in taken
                and not any(o.start < s.end and s.start < o.end for o in spans)]

    def _abbreviations(self, doc: Doc, spans: list[Span]) -> list[Span]:
        out = []
        for short in getattr(doc._, "abbreviations", ()):
            phrase = " ".join(short._.long_form.text.lower().split())
            if phrase in self.lexicon.phrases and not any(
                    o.start < short.end and short.start < o.end for o in spans):
                out.append(self._entry_span(doc, short.start, short.end, phrase))
        return out


def _context_rules() -> list:
    path = resources.files("extractors") / "data" / "context_rules.json"
    with resources.as_file(path) as p:
        return ConTextRule.from_json(str(p))


@lru_cache(maxsize=4)
def get_nlp(lexicon_path: str | None = None) -> Language:
    """The pipeline, built on first call and cached for the life of the process."""
    nlp = spacy.blank("en")
    # spaCy's 1,000,000-character guard protects parser/NER memory; this pipeline has
    # neither, and the file-size limit (ingest.DEFAULT_MAX_BYTES) bounds input instead.
    nlp.max_length = 20_000_000
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # spaCy's own regex in scispaCy's tokenizer
        nlp.tokenizer = combined_rule_tokenizer(nlp)
    nlp.add_pipe("artgate_sentences")
    nlp.add_pipe("abbreviation_detector")
    nlp.add_pipe("artgate_mentions", config={"lexicon_path": lexicon_path})
    context = nlp.add_pipe("medspacy_context", config={
        "rules": None, "input_span_type": "group", "span_group_name": MENTIONS,
    })
    context.add(_context_rules())
    return nlp

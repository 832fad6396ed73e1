"""The spaCy pipeline: built once per process, reused for every article.

(No ``from __future__ import annotations`` here: spaCy validates factory
signatures at run time.)

    blank English + scispaCy tokenizer
    -> artgate_sentences     (line/bullet/heading boundaries, then . ! ?)
    -> abbreviation_detector (scispaCy: 'extensor hallucis longus (EHL)')
    -> artgate_mentions      (roots, disc levels, movements, reflexes, muscles, signs, nerves)

Negation and hedging are read per sentence by ``extractors.context`` (the
ConText algorithm with the project's rules), so no statistical model and no
medspaCy import is needed: everything here works offline from the installed
packages and the data files beside this module, and starts in about the time
``import spacy`` takes.
"""


import re
import warnings
from functools import lru_cache

import numpy
import scispacy.abbreviation  # noqa: F401  (registers 'abbreviation_detector')
import spacy
from scispacy.custom_tokenizer import combined_rule_tokenizer
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from .mentions import TargetMatcher, get_matcher, words_of
from .roots import find_root_groups

_SENT_END = {".", "!", "?"}
# Abbreviations after which a full stop does not end a sentence ('Fig. 8-38', 'femoral n.', 'e.g.')
_NO_BREAK_AFTER = {"fig", "figs", "e.g", "i.e", "vs", "approx", "n", "nn", "m", "mm", "no", "dr", "st", "cf", "al",
                   "etc", "ca", "resp", "ref", "p", "pp", "vol", "ed"}

# Words that open a sentence after a bare citation number whose full stop was lost
_SENTENCE_OPENERS = {"The", "These", "This", "In", "It", "A", "An", "Some", "However", "Other", "Several", "Both",
                     "Each", "Understanding", "Clinical", "Evaluation", "Patients", "Studies", "Research", "There"}

# scispaCy's internal Matchers legitimately hold no token patterns; spaCy warns about that on every doc.
warnings.filterwarnings("ignore", message=r"\[W036\]")

for _name in ("root_groups", "targets", "reflex_names", "nerves", "words", "anchors"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


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
    prev2, prev = None, doc[0]
    depth = 1 if doc[0].text == "(" else 0
    for tok in doc[1:]:
        if "\n" in prev.text:
            starts[tok.i, 0] = 1
            depth = 0
        elif depth > 0:
            pass  # '(C6/7?), D. Flexor …': no sentence ends inside parentheses
        elif (prev.like_num and len(prev.text) <= 2 and prev2 is not None and prev2.is_alpha and prev2.is_lower
              and tok.is_title and tok.text in _SENTENCE_OPENERS):
            starts[tok.i, 0] = 1  # 'patellar reflex 1 The L5 nerve root …': a citation number ends a sentence
        elif prev.text in _SENT_END and not tok.is_space:
            before = prev2.lower_ if prev2 is not None else ""
            if not (prev.text == "." and (before in _NO_BREAK_AFTER or (before.isdigit() and tok.is_lower))):
                starts[tok.i, 0] = 1
        elif len(prev.text) == 2 and prev.text[0].isupper() and prev.text[1] == "." and tok.is_title and (
                prev2 is not None and prev2.lower_ in ("a", "an", "the")):
            starts[tok.i, 0] = 1  # 'an I and an E. That should remind you …'
        elif prev.text == "]" and prev2 is not None and re.search(r"\.\[\d{1,3}$", prev2.text) and tok.is_title:
            starts[tok.i, 0] = 1  # 'extensor muscles of your wrist.[1] It also …'
        if tok.text == "(":
            depth += 1
        elif tok.text == ")" and depth:
            depth -= 1
        prev2, prev = prev, tok
    doc.from_array([SENT_START], starts)
    return doc


@Language.factory("artgate_mentions", default_config={"lexicon_path": None})
def make_mentions(nlp: Language, name: str, lexicon_path: str | None) -> "MentionFinder":
    return MentionFinder(get_matcher(lexicon_path))


class MentionFinder:
    """Finds root groups (with disc levels marked) and target mentions, as character-offset objects.

    Abbreviations defined in the text ('extensor hallucis longus (EHL)') whose long
    form names a target also name it where the short form stands alone.
    """

    def __init__(self, matcher: TargetMatcher):
        self.matcher = matcher

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text  # one read: Doc.text is rebuilt from the tokens on every access
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
        from .mentions import Target

        abbrevs = getattr(doc._, "abbreviations", None) or ()
        if not abbrevs:
            return targets
        by_span = {(t.start, t.end): t for t in targets}
        out = list(targets)
        for short in abbrevs:
            long_form = short._.long_form
            t = by_span.get((long_form.start_char, long_form.end_char))
            if t is None:
                found, _, _ = self.matcher.find(long_form.text)
                t = found[0] if len(found) == 1 and found[0].end - found[0].start == len(long_form.text) else None
            s, e = short.start_char, short.end_char
            if t is not None and not any(o.start < e and s < o.end for o in out):
                out.append(Target(s, e, t.target, t.kind, t.source, t.reflex, t.body))
        return sorted(out, key=lambda t: t.start)


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
    return nlp


def lexicon():
    """The lexicon the pipeline matches with."""
    return get_nlp().get_pipe("artgate_mentions").matcher.lexicon

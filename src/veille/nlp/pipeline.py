"""The spaCy pipeline: ``fr_core_news_md`` loaded once per process, with paragraph breaks.

The body reaches spaCy as paragraphs separated by blank lines. A paragraph break is always a
sentence break (a heading has no final period, and the parser would otherwise glue it to the
next sentence), so a small component marks them before the parser runs; the parser respects
sentence starts that are already set.
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import spacy
from spacy.attrs import NORM, ORTH, SENT_START
from spacy.lang.fr.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc, Token
from thinc.api import NumpyOps, use_ops
from threadpoolctl import threadpool_limits

from veille.resources import lexicon

MODEL = "fr_core_news_md"


SENTENCE_FINAL = {".", "!", "?", "…", "?»", "!»"}
# Abbreviations after which a period does not end the sentence.
ABBREVIATIONS = {"m.", "mm.", "mme.", "dr.", "st.", "gén.", "col.", "cf.", "etc.", "av.", "j.-c."}


def _ends_sentence(token: Token) -> bool:
    text = token.text
    if text in SENTENCE_FINAL:
        return token.i == 0 or token.doc[token.i - 1].text.lower() + text not in ABBREVIATIONS
    # "…à Moscou.PAVEL" or "restent secrètes.le": a period glued to the next word.
    return text.endswith(".") and len(text) > 2 and text.lower() not in ABBREVIATIONS and not text[:-1].isupper()


@Language.component("veille_sentence_breaks")
def sentence_breaks(doc: Doc) -> Doc:
    """Fix sentence boundaries before the parser.

    A paragraph break always ends a sentence (headings have no final period), and a sentence starts
    only after final punctuation.
    The parser keeps preset boundaries; left to itself, it splits news sentences at commas
    after a fronted adverbial ("Fin avril déjà, le chef de la diplomatie…").
    """
    # One pass deciding every token, then one array write: setting ``token.is_sent_start``
    # token by token makes spaCy scan the whole document each time (quadratic on long articles).
    starts = np.full(len(doc), -1, dtype=np.int64)
    prev = None
    newline = False
    for token in doc:
        if token.is_space:
            newline = newline or "\n" in token.text
            continue
        if prev is None:
            starts[token.i] = 0  # the first word after leading space: left to the parser
            prev, newline = token, "\n" in token.whitespace_
            continue
        if newline or (
            _ends_sentence(prev)
            and (token.text[:1].isupper() or token.text[:1] in {"«", '"', "“", "-", "–"} or token.is_digit)
        ):
            starts[token.i] = 1
        prev, newline = token, "\n" in token.whitespace_
    if len(doc):
        starts[0] = 1
        doc.from_array([SENT_START], starts.view(np.uint64).reshape(-1, 1))
    return doc


@cache
def load() -> Language:
    """The French pipeline, loaded once per process (each worker loads its own).

    The models' matrix products go to NumPy's BLAS (OpenBLAS) instead of thinc's default,
    BLIS: on these machines OpenBLAS multiplies the tok2vec and parser matrices about three
    times faster, which makes the whole pipeline about 1.5 times faster, with the same parses
    (the products differ only in float rounding; the tests and ``veille eval`` check the
    output). One BLAS thread per process: a worker is one core, and ``--workers`` spreads the
    cores.
    """
    threadpool_limits(limits=1, user_api="blas")
    ops = NumpyOps(use_blis=False)
    with use_ops("numpy", use_blis=False):
        nlp = spacy.load(MODEL)
    for _, component in nlp.pipeline:
        model = getattr(component, "model", None)
        for layer in model.walk() if model is not None else ():
            layer.ops = ops  # the parser's output layer is built outside the context above
    nlp.tokenizer.max_cache_size = CACHE_CHUNKS  # type: ignore[attr-defined]
    nlp.add_pipe("veille_sentence_breaks", before="parser")
    return nlp


GLUED = re.compile(r"(?<![\w'’])(?P<pre>qu|[ldnsjmtc])(?P<rest>[aeiouyhàâéèêëîïôûùAEIOUYHÀÂÉÈÊÎÔÛ][\w-]{2,})(?![\w'’])")


@cache
def _lexicon() -> tuple[object, frozenset[str], frozenset[str]]:
    lemmatizer = load().get_pipe("lemmatizer")
    lookups = lemmatizer.lookups  # type: ignore[attr-defined]
    index = lookups.get_table("lemma_index")
    # The index holds lists: one set, built once, answers in constant time.
    lookup = lookups.get_table("lemma_lookup")
    # The lookup table is keyed by inflected forms; its values are lemmas, some of which the
    # index lacks ("nombre" would otherwise be read as a lost apostrophe: "n" + "ombre").
    lemmas = {v for value in lookup.values() for v in (value if isinstance(value, list) else [value])}
    words = frozenset(w for pos in ("noun", "verb", "adj", "adv") for w in index.get(pos, [])) | lemmas
    return lookup, words, frozenset(STOP_WORDS)


@cache
def _whole_words() -> frozenset[str]:
    return frozenset(lexicon("words")["not_elided"])


def known_word(word: str) -> bool:
    """Whether the French lexicon shipped with the model knows the word.

    That is the lemmatizer's 216,000 forms, plus spaCy's French stop words.
    """
    lookup, index, stops = _lexicon()
    w = word.lower()
    return w in _whole_words() or w in stops or w in lookup or w in index  # type: ignore[operator]


def repair_apostrophes(text: str) -> int:
    """Teach the tokenizer the words of ``text`` that lost their apostrophe.

    Scraping often drops the apostrophe ("lachat", "dautres", "quil"). A word the lexicon does
    not know, whose tail after an elided article or pronoun it knows (or that is a capitalised
    name: "lOTAN"), is split into two tokens for the parser; the body text itself is left as
    the page wrote it. Returns the number of new splits.
    """
    nlp = load()
    added = 0
    for match in GLUED.finditer(text):
        word, pre, rest = match[0], match["pre"], match["rest"]
        if word in _SPLIT or known_word(word):
            continue
        if rest[0].isupper() or known_word(rest):
            nlp.tokenizer.add_special_case(word, [{ORTH: pre, NORM: pre + "'"}, {ORTH: rest}])
            _WARM.clear()  # adding a special case empties the tokenizer's cache
            _SPLIT.add(word)
            added += 1
    return added


_SPLIT: set[str] = set()


# Chunks (text between whitespace) already in the tokenizer's cache; cleared with that cache.
_WARM: set[str] = set()
# spaCy caches 10,000 chunks, then nothing more: a news archive has a few hundred thousand
# distinct words. Both caches are emptied together when full (a few tens of MB at most).
CACHE_CHUNKS = 300_000


def make_doc(text: str) -> Doc:
    """``nlp.make_doc(text)``, after putting each new chunk of ``text`` in the tokenizer's cache.

    spaCy's tokenizer caches the tokens of each whitespace-delimited chunk, but a document
    stops filling that cache after its first special case ("M.", "aujourd'hui", a lost
    apostrophe we split), and French news has one in its first lines: nearly every chunk then
    paid the full prefix, suffix and infix search in every article. A chunk tokenised on its
    own fills the cache, so each new chunk is tokenised alone once, and the document is then
    tokenised by spaCy as usual, from the cache (about ten times faster on our articles).
    The tokens are spaCy's own: the cache only holds what it would have computed.
    """
    nlp = load()
    if len(_WARM) > CACHE_CHUNKS // 2:
        nlp.tokenizer._flush_cache()  # type: ignore[attr-defined]
        _WARM.clear()
    for chunk in set(text.split()) - _WARM:
        nlp.tokenizer(chunk)
        _WARM.add(chunk)
    return nlp.make_doc(text)


def parse(text: str) -> Doc:
    """Parse one body, after repairing lost apostrophes."""
    repair_apostrophes(text)
    return load()(text)

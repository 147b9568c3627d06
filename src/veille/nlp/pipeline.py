"""The spaCy pipeline: ``fr_core_news_md`` loaded once per process, with paragraph breaks.

The body reaches spaCy as paragraphs separated by blank lines. A paragraph break is always a
sentence break (a heading has no final period, and the parser would otherwise glue it to the
next sentence), so a small component marks them before the parser runs; the parser respects
sentence starts that are already set.
"""

from __future__ import annotations

from functools import cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Token

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
    prev = None
    newline = False
    for token in doc:
        if token.is_space:
            newline = newline or "\n" in token.text
            if token.i > 0:
                token.is_sent_start = False
            continue
        if prev is None:
            prev, newline = token, "\n" in token.whitespace_
            continue
        if newline or (
            _ends_sentence(prev)
            and (token.text[:1].isupper() or token.text[:1] in {"«", '"', "“", "-", "–"} or token.is_digit)
        ):
            token.is_sent_start = True
        else:
            token.is_sent_start = False
        prev, newline = token, "\n" in token.whitespace_
    return doc


@cache
def load() -> Language:
    """The French pipeline, loaded once per process (each worker loads its own)."""
    nlp = spacy.load(MODEL)
    nlp.add_pipe("veille_sentence_breaks", before="parser")
    return nlp


def parse(text: str) -> Doc:
    """Parse one body."""
    return load()(text)

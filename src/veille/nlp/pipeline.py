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
from spacy.tokens import Doc

MODEL = "fr_core_news_md"


@Language.component("veille_paragraph_breaks")
def paragraph_breaks(doc: Doc) -> Doc:
    """Start a sentence after every token that carries a line break."""
    for token in doc[:-1]:
        if "\n" in token.text or "\n" in token.whitespace_:
            doc[token.i + 1].is_sent_start = True
    return doc


@cache
def load() -> Language:
    """The French pipeline, loaded once per process (each worker loads its own)."""
    nlp = spacy.load(MODEL)
    nlp.add_pipe("veille_paragraph_breaks", before="parser")
    return nlp


def parse(text: str) -> Doc:
    """Parse one body."""
    return load()(text)

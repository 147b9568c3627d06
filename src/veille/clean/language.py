"""Language of a line or a document by function-word profile.

Why not a statistical detector: a line of page furniture is 3 to 30 words, where function words
decide, and spaCy (already a dependency) ships curated stop-word lists for every language we
meet in French news pages. This costs microseconds per line and loads no model.
"""

from __future__ import annotations

import re
from functools import cache

from spacy.lang.de.stop_words import STOP_WORDS as DE
from spacy.lang.en.stop_words import STOP_WORDS as EN
from spacy.lang.es.stop_words import STOP_WORDS as ES
from spacy.lang.fr.stop_words import STOP_WORDS as FR
from spacy.lang.it.stop_words import STOP_WORDS as IT

WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


@cache
def _profiles() -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """Per language: its full stop-word list and the words no other list has."""
    lists = {"fr": FR, "en": EN, "de": DE, "es": ES, "it": IT}
    counts: dict[str, int] = {}
    for words in lists.values():
        for w in words:
            counts[w] = counts.get(w, 0) + 1
    return {lang: (frozenset(words), frozenset(w for w in words if counts[w] == 1)) for lang, words in lists.items()}


def detect(text: str) -> tuple[str | None, float]:
    """Best language and its share of function words; (None, 0) when the text is too short.

    A word counts once for every language that has it and once more for the language that
    alone has it, so shared short words ("a", "la", "de") weigh less than telling ones.
    """
    words = [w.lower().replace("’", "'") for w in WORD.findall(text)]
    if len(words) < 2:
        return None, 0.0
    scores = {lang: sum((w in full) + (w in unique) for w in words) for lang, (full, unique) in _profiles().items()}
    best = max(scores, key=lambda k: (scores[k], k == "fr"))
    if scores[best] == 0:
        return None, 0.0
    second = max(v for k, v in scores.items() if k != best)
    share = sum(w in _profiles()[best][0] for w in words) / len(words)
    return (best if scores[best] > second else None), share

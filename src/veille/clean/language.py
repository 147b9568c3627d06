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


LANGUAGES = ("fr", "en", "de", "es", "it")


@cache
def _weights() -> dict[str, tuple[tuple[int, ...], tuple[bool, ...]]]:
    """Per function word: its weight for each language of LANGUAGES, and whether each list has it.

    A word weighs 1 for every list that has it, 2 for the one list that alone has it.
    """
    lists = {"fr": FR, "en": EN, "de": DE, "es": ES, "it": IT}
    counts: dict[str, int] = {}
    for words in lists.values():
        for w in words:
            counts[w] = counts.get(w, 0) + 1
    out = {}
    for w, n in counts.items():
        has = tuple(w in lists[lang] for lang in LANGUAGES)
        out[w] = (tuple(int(h) * (2 if n == 1 else 1) for h in has), has)
    return out


def detect(text: str) -> tuple[str | None, float]:
    """Best language and its share of function words; (None, 0) when the text is too short.

    A word counts once for every language that has it and once more for the language that
    alone has it, so shared short words ("a", "la", "de") weigh less than telling ones.
    """
    words = [w.lower().replace("’", "'") for w in WORD.findall(text)]
    if len(words) < 2:
        return None, 0.0
    weights = _weights()
    scores = [0] * len(LANGUAGES)
    present = [0] * len(LANGUAGES)
    for w in words:
        hit = weights.get(w)
        if hit is None:
            continue  # most words are no function word of any list
        for k in range(len(LANGUAGES)):
            scores[k] += hit[0][k]
            present[k] += hit[1][k]
    best = max(range(len(LANGUAGES)), key=lambda k: (scores[k], LANGUAGES[k] == "fr"))
    if scores[best] == 0:
        return None, 0.0
    second = max(v for k, v in enumerate(scores) if k != best)
    return (LANGUAGES[best] if scores[best] > second else None), present[best] / len(words)

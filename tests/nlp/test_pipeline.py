from __future__ import annotations

import pytest
from spacy.attrs import IDX, NORM, ORTH, SPACY

from veille.nlp.pipeline import load, make_doc, parse


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Washington dénonce lachat des S-400.", ["l", "achat"]),
        ("Ankara veut lancer dautres projets.", ["d", "autres"]),
        ("Selon lOTAN, rien ne change.", ["l", "OTAN"]),
    ],
)
def test_lost_apostrophes_are_repaired_for_the_parser_only(text: str, expected: list[str]) -> None:
    doc = parse(text)
    words = [t.text for t in doc]
    assert any(words[i : i + 2] == expected for i in range(len(words)))
    assert doc.text == text  # the body keeps what the page wrote


@pytest.mark.parametrize(
    "word", ["jamais", "lundi", "laisser", "dinde", "soit", "lequel", "mois", "mars", "cours", "nombre"]
)
def test_real_words_are_not_split(word: str) -> None:
    assert [t.text for t in parse(f"Il a dit {word} hier.")][3] == word


def test_headings_and_paragraphs_are_separate_sentences() -> None:
    doc = parse("Le S-400\n\nLa Turquie persiste et signe\n\nAnkara a reçu les batteries. Le contrat est signé.")
    sentences = [s.text.strip() for s in doc.sents if s.text.strip()]
    assert sentences == [
        "Le S-400",
        "La Turquie persiste et signe",
        "Ankara a reçu les batteries.",
        "Le contrat est signé.",
    ]


TOKENIZER_CASES = [
    "M. Dupont a vu l'armée aujourd'hui.\n\n  Le 3 mars,\xa0Paris a signé ; rien   d'autre.\t",
    " Début: lachat des S-400 (5,43 mds $) à New-Delhi… « Non », a-t-il dit.  \n",
    "",
    "   ",
]


@pytest.mark.parametrize("text", TOKENIZER_CASES)
def test_cached_tokenizer_gives_spacys_tokens(text: str) -> None:
    """Our chunk cache changes the speed, never the tokens, norms, spaces or offsets."""
    nlp = load()
    for _ in range(2):  # cold, then from the cache
        ours, theirs = make_doc(text), nlp.make_doc(text)
        assert ours.to_array([ORTH, NORM, SPACY, IDX]).tolist() == theirs.to_array([ORTH, NORM, SPACY, IDX]).tolist()
        assert ours.text == text


def test_tokenizer_cache_holds_more_than_spacys_default() -> None:
    """spaCy stops caching after 10,000 chunks; an archive has far more distinct words."""
    assert load().tokenizer.max_cache_size >= 100_000  # type: ignore[attr-defined]
    words = " ".join(f"l'arme{i}" for i in range(12_000))
    assert [t.text for t in make_doc(words)] == [t.text for t in load().make_doc(words)]

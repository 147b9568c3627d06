from __future__ import annotations

import pytest

from veille.nlp.pipeline import parse


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


@pytest.mark.parametrize("word", ["jamais", "lundi", "laisser", "dinde", "soit", "lequel", "mois", "mars", "cours"])
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

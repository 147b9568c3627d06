"""The near-duplicate index the batch writer keeps beside the store."""

from __future__ import annotations

from veille.clean.dedup import DuplicateIndex, signature

STORY = (
    "La Pologne a reçu mardi les dix premiers chars K2 commandés à la Corée du Sud, a annoncé le "
    "ministère polonais de la Défense. Le contrat exécutif, signé en août 2022, porte sur 180 chars."
)


def test_a_syndicated_copy_finds_its_original_until_the_original_is_rolled_back() -> None:
    index = DuplicateIndex()
    index.add("original", signature(STORY))
    copy = signature(STORY + " Lire aussi notre dossier.")
    assert index.original_of("copy", copy) == "original"
    assert index.original_of("original", signature(STORY)) is None  # never its own original
    index.discard("original")  # its batch was rolled back: it is not in the store
    assert index.original_of("copy", copy) is None
    index.add("original", signature(STORY))  # written again by the retried batch
    assert index.original_of("copy", copy) == "original"

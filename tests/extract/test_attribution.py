"""Who says it, hedges, conditions and units: the issue's remaining constructions, on sentences of our own."""

from __future__ import annotations

import pytest


def _arms(analyse, text: str):  # type: ignore[no-untyped-def]
    return [e for e in analyse("Titre\n\n" + text + "\n").events if e.type == "ARMS_TRANSFER"]


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        # a speaker after the quote ("a déclaré X")
        (
            "Le groupe russe livrera six bataillons de S-400 à l'Inde d'ici 2025, a déclaré Alexandre Mikheïev.",
            "Alexander Mikheev",
        ),
        # an agency as source ("selon TASS")
        ("Selon TASS, la Russie a livré quatre régiments de S-400 à l'Inde.", "TASS"),
        # an agency citing someone ("Reuters, citant un conseiller")
        ("Reuters, citant un conseiller du Kremlin, affirme que Moscou a vendu des Su-35 à l'Iran.", "Reuters"),
    ],
)
def test_the_source_of_a_fact_is_kept_with_it(analyse, text: str, speaker: str) -> None:  # type: ignore[no-untyped-def]
    (event,) = _arms(analyse, text)
    assert event.attribution == speaker


def test_units_of_quantity_are_kept(analyse) -> None:  # type: ignore[no-untyped-def]
    (six,) = _arms(analyse, "Le groupe russe livrera six bataillons de S-400 à l'Inde d'ici 2025.")
    (four,) = _arms(analyse, "La Russie a livré quatre régiments de S-400 à l'Inde.")
    assert (six.fields["quantity"], six.fields["unit"], six.modality) == (6, "battalions", "PLANNED")
    assert (four.fields["quantity"], four.fields["unit"], four.modality) == (4, "regiments", "ASSERTED")


@pytest.mark.parametrize(
    "text",
    [
        "La Russie serait prête à livrer des Su-35 à l'Égypte.",
        "Moscou livrera des S-400 à la Biélorussie en cas de demande de Minsk.",
    ],
)
def test_readiness_and_conditions_are_only_possible(analyse, text: str) -> None:  # type: ignore[no-untyped-def]
    (event,) = _arms(analyse, text)
    assert event.modality == "POSSIBLE"

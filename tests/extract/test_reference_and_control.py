"""Who the infinitive's subject is, where weapons are used, and what an unnamed weapon points to.

Sentences of our own, each built on a construction the examples showed the extractor getting wrong.
"""

from __future__ import annotations

import pytest


def _arms(analyse, text: str):  # type: ignore[no-untyped-def]
    return [e for e in analyse("Titre\n\n" + text + "\n").events if e.type == "ARMS_TRANSFER"]


def _core(event):  # type: ignore[no-untyped-def]
    f = event.fields
    return (f["supplier"], f["recipient"], f["system"], f["stage"])


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        # the object of a reproach is the subject of its infinitive; an organisation named with
        # "à" stands for its state (the EDD is Chinese)
        (
            "Berlin reproche à l'EDD d'avoir acquis auprès de la Russie quatre batteries S-400.",
            ("RUS", "CHN", "S-400", "CONTRACT"),
        ),
        # the war the weapons are for is no recipient
        (
            "Minsk a reçu de Moscou des drones Orlan-10 destinés au conflit en Ukraine.",
            ("RUS", "BLR", "Orlan-10", "DELIVERY"),
        ),
    ],
    ids=["controller-of-infinitive", "theatre-is-no-party"],
)
def test_one_sentence_gives_exactly_this_fact(analyse, text: str, fact: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    assert [_core(e) for e in _arms(analyse, text)] == [fact]


def test_a_year_between_the_verb_and_its_object_is_no_controller(analyse) -> None:  # type: ignore[no-untyped-def]
    events = _arms(
        analyse,
        "Londres accuse depuis le printemps 2021 la Corée du Nord de livrer des obus à l'armée russe.",
    )
    assert [(e.fields["supplier"], e.fields["recipient"]) for e in events] == [("PRK", "RUS")]


def test_a_denial_verb_read_as_an_adjective_still_denies(analyse) -> None:  # type: ignore[no-untyped-def]
    (event,) = _arms(analyse, "Téhéran dément avoir livré des drones Shahed-136 à la Russie.")
    assert _core(event) == ("IRN", "RUS", "Shahed-136", "DELIVERY")
    assert event.modality == "DENIED"


def test_shells_after_a_named_missile_are_an_unnamed_weapon_and_their_denial_too(analyse) -> None:  # type: ignore[no-untyped-def]
    events = _arms(
        analyse,
        "Le dirigeant a fait visiter à ses hôtes une usine de missiles Hwasong-17. "
        "Washington accuse Pyongyang de fournir des obus à l'armée russe. "
        "Pyongyang et Moscou démentent ces livraisons.",
    )
    assert {e.fields["system"] for e in events} == {None}
    assert {(e.fields["supplier"], e.fields["recipient"]) for e in events} == {("PRK", "RUS")}
    assert "DENIED" in {e.modality for e in events}


def test_a_missile_noun_still_points_back_to_an_air_defence_system(analyse) -> None:  # type: ignore[no-untyped-def]
    events = _arms(
        analyse,
        "La Turquie a commandé des S-400 à la Russie en 2017. "
        "La livraison de ces missiles antiaériens a eu lieu à l'été 2019.",
    )
    assert ("RUS", "TUR", "S-400", "DELIVERY") in [_core(e) for e in events]


def test_the_date_attached_to_the_order_beats_a_date_elsewhere_in_an_earlier_sentence(analyse) -> None:  # type: ignore[no-untyped-def]
    events = _arms(
        analyse,
        "Washington reproche à la Turquie d'avoir acquis auprès de la Russie des batteries S-400, puis des "
        "radars en 2020. Ankara avait commandé ces S-400 en décembre 2017.",
    )
    (order,) = [e for e in events if _core(e) == ("RUS", "TUR", "S-400", "CONTRACT")]
    assert order.when == "2017-12"
    assert len(order.sentences) == 2  # one fact, both sentences kept as evidence


def test_a_contract_pointed_back_to_takes_the_order_its_own_sentence_names(analyse) -> None:  # type: ignore[no-untyped-def]
    events = _arms(
        analyse,
        "Le Maroc va recevoir 12 Rafale supplémentaires, a annoncé Paris. "
        "Rabat a signé en juin 2024 un contrat pour ces 12 appareils, soit une deuxième commande. "
        "Cette nouvelle commande ne doit pas être confondue avec le premier contrat, signé en mars 2019.",
    )
    orders = {e.fields.get("order"): e.when for e in events if e.fields["stage"] == "CONTRACT"}
    assert orders == {2: "2024-06", 1: "2019-03"}

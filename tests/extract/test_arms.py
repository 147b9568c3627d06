"""Arms-transfer constructions, one test each, on sentences of our own."""

from __future__ import annotations

from typing import Any

import pytest


def _arms(analyse, text: str, published: str | None = None) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    result = analyse(text, published)
    return [{**e.fields, "modality": e.modality, "when": e.when} for e in result.events if e.type == "ARMS_TRANSFER"]


def _core(event: dict[str, Any]) -> tuple[Any, ...]:
    return (event["supplier"], event["recipient"], event["system"], event["stage"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # active verb, supplier as subject, recipient after "à"
        ("La Russie a livré les premiers S-400 à l'Inde en décembre 2021.", ("RUS", "IND", "S-400", "DELIVERY")),
        # passive voice
        ("Les premiers Rafale ont été livrés à l'Égypte en juillet 2015.", ("FRA", "EGY", "Rafale", "DELIVERY")),
        # recipient as subject with a capital standing for the state
        ("Ankara a reçu la première batterie de S-400 en juillet 2019.", ("RUS", "TUR", "S-400", "DELIVERY")),
        # nominalisation with "par"
        ("L'achat des Su-35 par Pékin a inquiété Washington.", ("RUS", "CHN", "Su-35", "CONTRACT")),
        # nominalisation with "à"
        ("La livraison de S-400 à la Turquie a provoqué une crise avec l'OTAN.", ("RUS", "TUR", "S-400", "DELIVERY")),
        # a contract noun governed by a signing verb
        (
            "La Grèce a signé un contrat pour dix-huit Rafale avec la France en janvier 2021.",
            ("FRA", "GRC", "Rafale", "CONTRACT"),
        ),
        # interest of the buyer
        ("La Biélorussie souhaite acquérir des S-400 pour moderniser sa défense.", ("RUS", "BLR", "S-400", "INTEREST")),
        # a demonym on the system names its owner when it is not the maker
        ("Les premiers Rafale émiriens doivent être livrés à partir de 2027.", ("FRA", "ARE", "Rafale", "DELIVERY")),
        # a stated intention to buy is interest
        ("Athènes a annoncé son intention d'acquérir six Rafale.", ("FRA", "GRC", "Rafale", "INTEREST")),
        # suspension
        ("Washington a suspendu la livraison des F-35 à la Turquie.", ("USA", "TUR", "F-35", "SUSPENSION")),
        # negotiation on a second purchase
        (
            "Ankara reste en négociations avec Moscou à propos d'un deuxième achat de S-400.",
            ("RUS", "TUR", "S-400", "NEGOTIATION"),
        ),
        # payment
        ("Moscou a reçu de New Delhi un acompte pour les systèmes S-400.", ("RUS", "IND", "S-400", "PAYMENT")),
    ],
)
def test_constructions_give_supplier_recipient_system_stage(analyse, text: str, expected: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    assert expected in [_core(e) for e in _arms(analyse, text)]


@pytest.mark.parametrize(
    ("text", "modality"),
    [
        ("La Russie a livré les S-400 à l'Inde.", "ASSERTED"),
        ("La Russie livrera les S-400 à l'Inde l'an prochain.", "PLANNED"),
        ("Les S-400 devraient être livrés à l'Inde avant 2025.", "PLANNED"),
        ("La Russie pourrait livrer des Su-57 à l'Algérie.", "POSSIBLE"),
        ("Selon des sources, Moscou aurait vendu des Su-35 à l'Iran.", "POSSIBLE"),
        ("Les S-300 n'ont pas encore été livrés à l'Iran.", "DENIED"),
        ("Téhéran a nié avoir fourni des drones Shahed-136 à la Russie.", "DENIED"),
        # future passive: the auxiliary carries the tense
        ("Les derniers Rafale seront livrés à l'Égypte l'an prochain.", "PLANNED"),
    ],
)
def test_modality(analyse, text: str, modality: str) -> None:  # type: ignore[no-untyped-def]
    events = _arms(analyse, text)
    assert events, text
    assert events[0]["modality"] == modality


def test_value_quantity_and_date_attach_to_the_contract(analyse) -> None:  # type: ignore[no-untyped-def]
    text = "L'Inde a signé le 5 octobre 2018 un contrat de 5,43 milliards de dollars pour cinq régiments de S-400 avec la Russie."
    (event,) = [e for e in _arms(analyse, text) if e["stage"] == "CONTRACT"]
    assert event["value"] == {"amount": 5_430_000_000, "currency": "USD"}
    assert (event["quantity"], event["unit"]) == (5, "regiments")
    assert event["when"] == "2018-10-05"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (
            "Le contrat porte sur 4,7 milliards d'euros pour les S-400 vendus à l'Inde.",
            {"amount": 4_700_000_000, "currency": "EUR"},
        ),
        ("Le contrat de vente des S-400 à l'Inde atteint 5,43 mds $.", {"amount": 5_430_000_000, "currency": "USD"}),
    ],
)
def test_values_in_their_own_currency(analyse, text: str, value: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    assert any(e.get("value") == value for e in _arms(analyse, text))


def test_one_fact_reported_twice_is_one_event_with_both_sentences(analyse) -> None:  # type: ignore[no-untyped-def]
    text = "La Turquie a signé un contrat avec la Russie pour des S-400 en 2017. Ce contrat d'achat de S-400 a irrité Washington."
    result = analyse(text)
    contracts = [e for e in result.events if e.type == "ARMS_TRANSFER" and e.fields["stage"] == "CONTRACT"]
    assert len(contracts) == 1
    assert contracts[0].sentences == [0, 1]
    assert contracts[0].when == "2017"


def test_event_date_is_not_the_publication_date(analyse) -> None:  # type: ignore[no-untyped-def]
    events = _arms(analyse, "La Russie a livré des S-400 à la Chine.", "2020-05-01")
    assert events and events[0]["when"] is None


def test_domestic_equipment_is_not_a_transfer(analyse) -> None:  # type: ignore[no-untyped-def]
    assert (
        _arms(analyse, "Seize régiments de l'armée russe devraient être équipés de S-400 d'ici la fin de l'année.")
        == []
    )


def test_a_demand_is_not_a_fact(analyse) -> None:  # type: ignore[no-untyped-def]
    events = _arms(analyse, "Les États-Unis ont exigé que la Turquie annule le contrat des S-400.")
    assert all(e["stage"] != "SUSPENSION" for e in events)


def test_a_system_being_replaced_is_not_transferred(analyse) -> None:  # type: ignore[no-untyped-def]
    events = _arms(analyse, "Minsk négocie avec Moscou pour remplacer ses S-300 par des S-400.")
    assert {e["system"] for e in events} == {"S-400"}


def test_the_contract_points_back_to_the_article_deal(analyse) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Trois Rafale ont été remis à l'Égypte. "
        "Le contrat avait été signé le 16 février au Caire par les ministres des deux pays."
    )
    events = _arms(analyse, text, "2015-07-21")
    contracts = [e for e in events if e["stage"] == "CONTRACT"]
    assert [(_core(e), e["when"]) for e in contracts] == [(("FRA", "EGY", "Rafale", "CONTRACT"), "2015-02-16")]


def test_a_date_in_a_temporal_phrase_dates_the_other_fact(analyse) -> None:  # type: ignore[no-untyped-def]
    text = "Lundi, trois Rafale ont été livrés à l'Égypte, cinq mois seulement après la signature du contrat."
    events = {e["stage"]: e for e in _arms(analyse, text, "2015-07-21")}
    assert events["DELIVERY"]["when"] == "2015-07-20"
    assert events.get("CONTRACT", {}).get("when") is None


def test_the_same_day_dates_a_second_fact(analyse) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Le 10 février, Jakarta a commandé 42 Rafale à la France. "
        "Le même jour, Washington a approuvé la vente de 36 F-15 à l'Indonésie."
    )
    offers = [e for e in _arms(analyse, text, "2022-02-11") if e["system"] == "F-15"]
    assert offers and offers[0]["when"] == "2022-02-10"


def test_a_validity_period_or_a_start_year_is_read_for_what_it_says(analyse) -> None:  # type: ignore[no-untyped-def]
    (delivery,) = _arms(analyse, "Les premiers Rafale émiriens doivent être livrés à partir de 2027.")
    assert delivery["when"] == "2027"
    text = "Lundi, Moscou et New Delhi ont signé un contrat pour la période 2021-2031 sur des S-400."
    contracts = _arms(analyse, text, "2021-12-07")
    assert contracts and contracts[0]["when"] == "2021-12-06"


def test_every_argument_points_at_the_words_that_name_it(analyse) -> None:  # type: ignore[no-untyped-def]
    result = analyse("La Russie a livré les premiers S-400 à l'Inde en décembre 2021.")
    (event,) = [e for e in result.events if e.type == "ARMS_TRANSFER"]
    body = result.clean.body
    named = {role: body[start:end] for role, (start, end) in event.args.items()}
    assert named == {"supplier": "Russie", "recipient": "Inde", "system": "S-400", "when": "en décembre 2021"}


@pytest.mark.parametrize(
    ("follow_up", "modality", "when"),
    [
        ("Les premières livraisons doivent commencer en 2026.", "PLANNED", "2026"),
        ("D'autres livraisons doivent suivre l'an prochain.", "PLANNED", "2025"),
        ("Ces livraisons pourraient toutefois prendre du retard.", "POSSIBLE", None),
    ],
)
def test_a_bare_delivery_noun_carries_on_the_article_deal(
    analyse, follow_up: str, modality: str, when: str | None
) -> None:  # type: ignore[no-untyped-def]
    text = f"Le Maroc a commandé douze Rafale à la France en mars. {follow_up}"
    deliveries = [e for e in _arms(analyse, text, "2024-05-02") if e["stage"] == "DELIVERY"]
    assert [(_core(e), e["modality"]) for e in deliveries] == [(("FRA", "MAR", "Rafale", "DELIVERY"), modality)]
    assert deliveries[0]["when"] == when


def test_deliveries_of_any_weapon_are_a_general_statement(analyse) -> None:  # type: ignore[no-untyped-def]
    text = "Le Maroc a commandé douze Rafale à la France en mars. Les livraisons d'armes ont fortement augmenté."
    assert [e for e in _arms(analyse, text, "2024-05-02") if e["stage"] == "DELIVERY"] == []


@pytest.mark.parametrize(
    ("text", "modality"),
    [
        # reported speech: the announced future becomes a conditional, still a plan
        ("Le 3 mars, le ministre avait annoncé que la France livrerait six Caesar à l'Arménie.", "PLANNED"),
        ("Le ministre a surpris en annonçant mardi que la France fournirait des Caesar à l'Arménie.", "PLANNED"),
        # a hedging verb, or a present governor, keeps the doubt
        ("Le ministre avait annoncé que la France pourrait livrer des Caesar à l'Arménie.", "POSSIBLE"),
        ("Selon la presse, la France livrerait des Caesar à l'Arménie.", "POSSIBLE"),
    ],
)
def test_a_conditional_under_a_past_announcement_is_a_plan(analyse, text: str, modality: str) -> None:  # type: ignore[no-untyped-def]
    events = [e for e in _arms(analyse, text) if e["stage"] == "DELIVERY"]
    assert [(_core(e), e["modality"]) for e in events] == [(("FRA", "ARM", "Caesar", "DELIVERY"), modality)]


def test_an_unnamed_weapon_noun_points_back_to_a_system_of_its_kind(analyse) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Le Maroc a commandé douze Rafale à la France en mars. "
        "Le contrat comprend aussi des missiles Meteor. "
        "Les premiers appareils doivent être livrés en 2027."
    )
    deliveries = [e for e in _arms(analyse, text, "2024-05-02") if e["stage"] == "DELIVERY"]
    assert [(_core(e), e["modality"], e["when"]) for e in deliveries] == [
        (("FRA", "MAR", "Rafale", "DELIVERY"), "PLANNED", "2027")
    ]


def test_a_gerund_shares_the_subject_of_its_verb(analyse) -> None:  # type: ignore[no-untyped-def]
    text = "Le Maroc a commandé douze Rafale à la France. L'Irak a suivi en juin en signant pour dix appareils."
    contracts = {e["recipient"] for e in _arms(analyse, text, "2024-07-02") if e["stage"] == "CONTRACT"}
    assert contracts == {"MAR", "IRQ"}


def test_a_system_of_several_makers_shares_the_parties_of_its_deal(analyse) -> None:  # type: ignore[no-untyped-def]
    text = "Le Maroc a reçu lundi ses trois premiers Rafale. Le contrat porte sur douze Rafale et deux frégates FREMM."
    cores = {_core(e) for e in _arms(analyse, text, "2024-07-02")}
    assert ("FRA", "MAR", "FREMM", "CONTRACT") in cores


def test_a_green_light_to_this_sale_points_back_to_the_deal(analyse) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Le Koweït souhaite acquérir 24 F-15 pour moderniser son aviation. "
        "Washington a donné mardi son feu vert à cette vente."
    )
    offers = [e for e in _arms(analyse, text, "2024-05-16") if e["stage"] == "OFFER"]
    assert [(_core(e), e["when"]) for e in offers] == [(("USA", "KWT", "F-15", "OFFER"), "2024-05-14")]


def test_the_buyer_named_as_subject_is_not_the_seller_of_a_known_system(analyse) -> None:  # type: ignore[no-untyped-def]
    text = "Le 3 mars, pendant la visite d'Emmanuel Macron à Rabat, le Maroc a levé l'option pour six Rafale."
    cores = [_core(e) for e in _arms(analyse, text, "2024-03-05")]
    assert cores == [("FRA", "MAR", "Rafale", "CONTRACT")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the passive agent of "proposer" is the one who offers
        ("La Serbie a préféré les Gripen aux Rafale proposés par la France.", ("FRA", "SRB", "Rafale", "OFFER")),
        # announcing one's choice of a system is the buyer's interest
        ("Belgrade a annoncé en mars son choix du Gripen.", ("SWE", "SRB", "Gripen", "INTEREST")),
    ],
)
def test_offers_proposed_by_a_state_and_a_chosen_system(analyse, text: str, expected: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    assert expected in [_core(e) for e in _arms(analyse, text, "2024-04-02")]


def test_a_possessive_pronoun_object_points_back_to_the_system(analyse) -> None:  # type: ignore[no-untyped-def]
    text = "Le Maroc exploite des Rafale depuis 2020. L'Inde a déjà reçu les siens en mars."
    deliveries = [e for e in _arms(analyse, text, "2024-05-02") if e["stage"] == "DELIVERY"]
    assert [(_core(e), e["modality"]) for e in deliveries] == [(("FRA", "IND", "Rafale", "DELIVERY"), "ASSERTED")]


@pytest.mark.parametrize(
    ("verb", "modality"),
    [
        ("a commencé à recevoir", "ASSERTED"),
        ("commençait à recevoir", "ASSERTED"),
        ("doit commencer à recevoir", "PLANNED"),
    ],
)
def test_a_start_in_the_past_is_under_way(analyse, verb: str, modality: str) -> None:  # type: ignore[no-untyped-def]
    events = _arms(analyse, f"L'Inde {verb} des Rafale français.")
    assert [(_core(e), e["modality"]) for e in events] == [(("FRA", "IND", "Rafale", "DELIVERY"), modality)]


def test_the_equipment_points_back_to_the_system(analyse) -> None:  # type: ignore[no-untyped-def]
    text = "L'Égypte a commandé des Rafale en 2021. Selon Paris, le matériel sera remis à l'Égypte dès 2026."
    deliveries = [e for e in _arms(analyse, text, "2024-05-02") if e["stage"] == "DELIVERY"]
    assert [(_core(e), e["modality"]) for e in deliveries] == [(("FRA", "EGY", "Rafale", "DELIVERY"), "PLANNED")]


def test_armoured_vehicles_point_back_to_a_tank_of_the_article(analyse) -> None:  # type: ignore[no-untyped-def]
    text = "Le Maroc étudie le char Leclerc. Rabat avait fait part de son souhait d'acquérir ces blindés dès 2022."
    interests = [e for e in _arms(analyse, text, "2024-05-02") if e["stage"] == "INTEREST"]
    assert [_core(e) for e in interests] == [("FRA", "MAR", "Leclerc", "INTEREST")]


def test_an_ordinal_subject_stands_for_the_system(analyse) -> None:  # type: ignore[no-untyped-def]
    text = "L'Irak a commandé douze Rafale en 2023. Les trois premiers devraient arriver en Irak en 2026."
    deliveries = [e for e in _arms(analyse, text, "2024-05-02") if e["stage"] == "DELIVERY"]
    assert [(_core(e), e["modality"], e["when"]) for e in deliveries] == [
        (("FRA", "IRQ", "Rafale", "DELIVERY"), "PLANNED", "2026")
    ]


def test_expected_aircraft_are_a_planned_delivery(analyse) -> None:  # type: ignore[no-untyped-def]
    text = "L'Irak a commandé douze Rafale en 2023. Les six premiers appareils sont attendus en Irak courant 2026."
    deliveries = [e for e in _arms(analyse, text, "2024-05-02") if e["stage"] == "DELIVERY"]
    assert [(_core(e), e["modality"], e["when"]) for e in deliveries] == [
        (("FRA", "IRQ", "Rafale", "DELIVERY"), "PLANNED", "2026")
    ]


def test_a_verb_with_an_object_of_its_own_does_not_transfer_a_system_named_elsewhere(analyse) -> None:  # type: ignore[no-untyped-def]
    text = (
        "La Roumanie a commandé des Patriot. "
        "Les intercepteurs PAC-3 MSE sont fabriqués par Lockheed Martin, tandis que Raytheon fournit les radars."
    )
    assert [e for e in _arms(analyse, text, "2024-01-02") if e["stage"] == "DELIVERY"] == []


def test_a_system_being_replaced_is_no_referent_and_the_place_of_signing_no_party(analyse) -> None:  # type: ignore[no-untyped-def]
    text = (
        "La Grèce a annoncé l'achat de six Rafale pour remplacer une partie de ses vieux Mirage 2000. "
        "Cette commande a été formalisée le 3 mars à Athènes."
    )
    contracts = {_core(e) for e in _arms(analyse, text, "2024-03-05") if e["stage"] == "CONTRACT"}
    assert contracts == {("FRA", "GRC", "Rafale", "CONTRACT")}


def test_a_new_system_of_the_same_seller_goes_to_the_buyer_of_the_story(analyse) -> None:  # type: ignore[no-untyped-def]
    text = (
        "La Russie a livré des S-400 à la Biélorussie en 2022. "
        "Selon un contrat signé en 2019 avec la société Irkut, douze Su-30SM ont déjà été livrés."
    )
    cores = {_core(e) for e in _arms(analyse, text, "2023-01-10")}
    assert ("RUS", "BLR", "Su-30SM", "DELIVERY") in cores


def test_future_contracts_in_general_are_no_deal(analyse) -> None:  # type: ignore[no-untyped-def]
    text = "Toute nouvelle commande d'armement russe compliquerait les futurs contrats de défense avec la France."
    assert [e for e in _arms(analyse, text) if e["supplier"] == "FRA"] == []


def test_unnamed_states_studying_a_system_take_no_party_from_the_story(analyse) -> None:  # type: ignore[no-untyped-def]
    text = "L'Égypte a reçu ses Rafale en mars. Plusieurs pays d'Afrique étudient désormais l'appareil."
    events = _arms(analyse, text, "2024-05-02")
    assert [_core(e) for e in events] == [("FRA", "EGY", "Rafale", "DELIVERY")]


def test_the_subject_of_an_absolute_participle_is_no_argument_of_the_verb_before(analyse) -> None:  # type: ignore[no-untyped-def]
    """ ", la présence du S-400 … rendant …": that system is why, not what is suspended."""
    text = (
        "Le 4 mars 2021, Washington a déclaré que l'Inde était écartée du contrat des F-16, "
        "l'arrivée des S-400 sur son territoire rendant selon Washington son maintien impossible."
    )
    events = _arms(analyse, text)
    assert {e["system"] for e in events} == {"F-16"}
    # Without the comma the participle qualifies the object: those systems are transferred.
    kept = _arms(analyse, "La Grèce a commandé en 2021 des Rafale équipant déjà l'armée française.")
    assert [_core(e) for e in kept] == [("FRA", "GRC", "Rafale", "CONTRACT")]

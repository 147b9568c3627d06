"""Meetings, exercises, sanctions and agreements, on sentences of our own."""

from __future__ import annotations

import pytest


def _events(analyse, text: str, kind: str, published: str | None = None):  # type: ignore[no-untyped-def]
    return [e for e in analyse(text, published).events if e.type == kind]


def test_meeting_between_two_named_people(analyse) -> None:  # type: ignore[no-untyped-def]
    (m,) = _events(analyse, "Vladimir Poutine a rencontré Narendra Modi à New Delhi le 6 décembre 2021.", "MEETING")
    assert set(m.fields["participants"]) == {"Vladimir Putin", "Narendra Modi"}
    assert m.when == "2021-12-06"


def test_talks_with_a_counterpart_resolved_by_role(analyse) -> None:  # type: ignore[no-untyped-def]
    text = "Le ministre chinois de la Défense s'est entretenu avec son homologue russe à Moscou."
    (m,) = _events(analyse, text, "MEETING", "2023-04-17")
    assert set(m.fields["participants"]) == {"Li Shangfu", "Sergei Shoigu"}


def test_planned_visit(analyse) -> None:  # type: ignore[no-untyped-def]
    (m,) = _events(
        analyse, "Xi Jinping doit effectuer la semaine prochaine une visite prévue à Kazan.", "MEETING", "2024-10-15"
    )
    assert m.fields["participants"] == ["Xi Jinping"]
    assert m.modality == "PLANNED"


def test_joint_patrol_with_demonyms(analyse) -> None:  # type: ignore[no-untyped-def]
    (e,) = _events(
        analyse, "Les garde-côtes chinois et russes ont mené une patrouille commune dans l'océan Arctique.", "EXERCISE"
    )
    assert set(e.fields["participants"]) == {"CHN", "RUS"}
    assert e.fields["location"] == "Arctic Ocean"


def test_sanction_by_passive_agent(analyse) -> None:  # type: ignore[no-untyped-def]
    (s,) = _events(analyse, "Le général Li Shangfu a été sanctionné par les États-Unis en 2018.", "SANCTION")
    assert (s.fields["imposer"], s.fields["target"]) == ("USA", "CHN")


def test_sanction_instrument(analyse) -> None:  # type: ignore[no-untyped-def]
    (s,) = _events(analyse, "Washington a imposé des sanctions à la Turquie au titre de la loi CAATSA.", "SANCTION")
    assert s.fields == {"imposer": "USA", "target": "TUR", "instrument": "CAATSA"}


def test_countermeasures_against_firms_target_their_state(analyse) -> None:  # type: ignore[no-untyped-def]
    text = "Le 3 mars, Pékin a annoncé des contre-mesures contre Lockheed Martin et Raytheon."
    (s,) = _events(analyse, text, "SANCTION")
    assert (s.fields["imposer"], s.fields["target"]) == ("CHN", "USA")


def test_suffering_sanctions_names_no_imposer(analyse) -> None:  # type: ignore[no-untyped-def]
    assert (
        _events(analyse, "La Russie, qui souffre de sanctions internationales, se tourne vers la Chine.", "SANCTION")
        == []
    )


def test_cooperation_pledge_is_an_agreement(analyse) -> None:  # type: ignore[no-untyped-def]
    (a,) = _events(
        analyse, "La Chine et la Russie ont pris l'engagement de renforcer leur coopération militaire.", "AGREEMENT"
    )
    assert set(a.fields["parties"]) == {"CHN", "RUS"}
    assert a.fields["subject"] == "military cooperation"


def test_the_two_presidents_are_the_two_states_heads(analyse) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Vladimir Poutine a salué l'exercice commun avec la Biélorussie. Alexandre Loukachenko y voit un signal. "
        "La veille, les deux présidents se sont rencontrés à Moscou pour parler de la Russie et de la Biélorussie."
    )
    meetings = _events(analyse, text, "MEETING", "2021-09-12")
    assert any(set(m.fields["participants"]) == {"Vladimir Putin", "Alexander Lukashenko"} for m in meetings)


def test_a_named_counterpart_after_homologue_takes_part(analyse) -> None:  # type: ignore[no-untyped-def]
    text = "Narendra Modi doit recevoir jeudi à New Delhi son homologue japonais, Fumio Kishida."
    (m,) = _events(analyse, text, "MEETING", "2023-03-13")
    assert set(m.fields["participants"]) == {"Narendra Modi", "Fumio Kishida"}
    assert m.modality == "PLANNED"
    # a planned meeting on a weekday is the coming one, not last week's
    assert m.when == "2023-03-16"


def test_leaders_who_saw_each_other_met_and_two_places_are_two_meetings(analyse) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Vladimir Poutine a rencontré Recep Tayyip Erdogan à Moscou le 5 mars 2020. La Russie et la Turquie "
        "se rapprochent. Les deux présidents s'étaient déjà vus en janvier 2020 à Istanbul."
    )
    meetings = _events(analyse, text, "MEETING", "2020-03-06")
    assert sorted(m.when for m in meetings) == ["2020-01", "2020-03-05"]
    assert all(set(m.fields["participants"]) == {"Vladimir Putin", "Recep Tayyip Erdogan"} for m in meetings)


def test_joint_war_games_are_an_exercise(analyse) -> None:  # type: ignore[no-untyped-def]
    text = "La Chine et la Russie ont organisé des jeux de guerre conjoints en mer du Japon en juillet 2023."
    (e,) = _events(analyse, text, "EXERCISE")
    assert set(e.fields["participants"]) == {"CHN", "RUS"}
    assert _events(analyse, "Les jeux de société ont séduit les soldats en 2023.", "EXERCISE") == []


def test_two_leaders_of_one_state_at_a_ceremony_are_no_meeting(analyse) -> None:  # type: ignore[no-untyped-def]
    text = (
        "La remise des clés a eu lieu en présence du président Andrzej Duda et du Premier ministre Mateusz Morawiecki."
    )
    assert _events(analyse, text, "MEETING") == []
    foreign = "La remise des clés a eu lieu en présence du président Andrzej Duda et du secrétaire Lloyd Austin."
    (m,) = _events(analyse, foreign, "MEETING")
    assert set(m.fields["participants"]) == {"Andrzej Duda", "Lloyd Austin"}


@pytest.mark.parametrize(
    ("text", "participants"),
    [
        # a relative clause: its antecedent, and the main clause's subject for its pronoun
        (
            "Le chancelier Olaf Scholz a inauguré le chantier naval aux côtés du président Emmanuel Macron, "
            "avec lequel il a eu ensuite un long entretien.",
            {"Olaf Scholz", "Emmanuel Macron"},
        ),
        # the person of a coordinated adjunct
        (
            "Ces envois d'obus sont préparés par un comité réuni le 3 mars à Bruxelles à l'initiative de "
            "Lloyd Austin et en présence de Volodymyr Zelensky.",
            {"Lloyd Austin", "Volodymyr Zelenskyy"},
        ),
    ],
    ids=["relative-clause", "coordinated-adjunct"],
)
def test_meeting_sides_named_outside_the_trigger_phrase(analyse, text: str, participants: set[str]) -> None:  # type: ignore[no-untyped-def]
    (m,) = _events(analyse, text, "MEETING", "2023-03-05")
    assert set(m.fields["participants"]) == participants

"""Table-driven checks of the temporal tagger on sentences of our own."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from veille.nlp import tag

# (sentence, publication date, expected expression text, expected value)
CASES = [
    ("Le contrat a été signé le 5 octobre 2018 à New Delhi.", None, "le 5 octobre 2018", "2018-10-05"),
    ("Signé le 5 oct. 2018, l'accord couvre cinq régiments.", None, "le 5 oct. 2018", "2018-10-05"),
    ("Les négociations ont repris en septembre 2018.", None, "en septembre 2018", "2018-09"),
    ("Ankara a signé le contrat en 2017.", None, "en 2017", "2017"),
    ("Le sommet s'est tenu le 8 avril au Kremlin.", None, "le 8 avril", "XXXX-04-08"),
    ("Le sommet s'est tenu le 8 avril au Kremlin.", "2019-04-10", "le 8 avril", "2019-04-08"),
    (
        "Les livraisons débuteront au cours du premier trimestre de 2017.",
        None,
        "au cours du premier trimestre de 2017",
        "2017-Q1",
    ),
    ("L'accord a été rendu public au printemps 2015.", None, "au printemps 2015", "2015-SP"),
    (
        "Les batteries sont arrivées entre l'été et l'automne 2019.",
        None,
        "entre l'été et l'automne 2019",
        "2019-SU/2019-FA",
    ),
    ("Le salon se tient à Minsk du 23 au 26 juin.", "2021-06", "du 23 au 26 juin", "2021-06-23/2021-06-26"),
    ("Fin avril, le ministre a confirmé les pourparlers.", "2021-06", "Fin avril", "2021-04"),
    ("Les premiers éléments arriveront mi-juillet.", "2020-06-01", "mi-juillet", "2020-07"),
    ("Seize régiments seront équipés d'ici la fin de l'année 2016.", None, "d'ici la fin de l'année 2016", "2016"),
    ("Le président a rencontré vendredi son homologue.", "2018-10-08", "vendredi", "2018-10-05"),
    ("Le président a insisté vendredi dernier sur ce point.", "2019-04-12", "vendredi dernier", "2019-04-05"),
    ("Les photos ont été publiées tard dimanche soir.", "2023-04-17", "tard dimanche soir", "2023-04-16TEV"),
    ("Le ministre est arrivé hier matin à Pékin.", "2024-10-15", "hier matin", "2024-10-14TMO"),
    ("Le vote aura lieu ce soir.", "2024-10-15", "ce soir", "2024-10-15TEV"),
    ("L'avion a atterri le 3 mars 2022 à 21 h 45.", None, "21 h 45", "2022-03-03T21:45"),
    ("Le contrat date du 10 novembre 93.", None, "10 novembre 93", "1993-11-10"),
    ("Les livraisons reprendront au mois de juin.", "2021-04-02", "au mois de juin", "2021-06"),
    ("Le ministre est arrivé hier à Pékin.", "2024-10-15", "hier", "2024-10-14"),
    ("Les deux pays ont signé l'accord la semaine dernière.", "2023-04-17", "la semaine dernière", "2023-W15"),
    ("Une nouvelle réunion aura lieu la semaine prochaine.", "2023-04-17", "la semaine prochaine", "2023-W17"),
    ("Le contrat a été paraphé le mois dernier.", "2023-04-17", "le mois dernier", "2023-03"),
    ("Le premier lot est arrivé en juin dernier.", "2019-04-10", "en juin dernier", "2018-06"),
    ("Les échanges ont atteint un record l'année dernière.", "2023-04-17", "l'année dernière", "2022"),
    ("Les exercices ont eu lieu en mars avec l'Iran.", "2023-04-17", "en mars", "2023-03"),
    ("Ce vendredi, Moscou et New Delhi ont signé le contrat.", "2018-10-05", "Ce vendredi", "2018-10-05"),
    ("Le sommet durera jusqu'à mardi.", "2023-04-17", "jusqu'à mardi", "2023-04-18"),
    ("Le 1er février 2021, la commande a été passée.", None, "Le 1er février 2021", "2021-02-01"),
    ("Le système est en service depuis 2007.", None, "depuis 2007", "2007"),
]


@pytest.mark.parametrize(("sentence", "published", "text", "value"), CASES)
def test_timex_finds_and_normalises(sentence: str, published: str | None, text: str, value: str) -> None:
    found = {(x.text, x.value) for x in tag(sentence, published)}
    assert (text, value) in found, found


@pytest.mark.parametrize(
    ("sentence", "published"),
    [
        ("Ces derniers temps, la coopération s'est renforcée.", "2023-04-17"),
        ("Pékin recevra les systèmes dans douze ou dix-huit mois.", None),
    ],
)
def test_vague_or_unanchored_expressions_have_no_value(sentence: str, published: str | None) -> None:
    found = tag(sentence, published)
    assert found and all(x.value is None for x in found)


def test_future_window_resolves_against_publication_month() -> None:
    (x,) = tag("Pékin recevra les systèmes dans douze ou dix-huit mois.", "2016-06")
    assert x.value == "2017-06/2017-12"


@pytest.mark.parametrize(
    ("sentence", "absent"),
    [
        ("Le général, 65 ans, a été nommé en mars.", "65 ans"),
        ("Le salon MILEX-2021 ouvre ses portes.", "2021"),
        ("Le système a été présenté au public.", "été"),
        ("Ils se sont vus en marge du sommet.", "en mar"),
    ],
)
def test_ages_names_and_homographs_are_not_dates(sentence: str, absent: str) -> None:
    dates = [x for x in tag(sentence, "2021-06-01") if x.type == "DATE"]
    assert all(absent not in x.text for x in dates)


def test_ages_are_durations() -> None:
    (x,) = [x for x in tag("Le général, 65 ans, a été nommé.") if "65" in x.text]
    assert x.type == "DURATION" and x.value == "P65Y"


def test_offsets_point_into_the_text() -> None:
    text = "Signé en 2017, livré en juillet 2019."
    for x in tag(text):
        assert text[x.start : x.end] == x.text


@given(st.text(), st.sampled_from([None, "2020", "2020-05", "2020-05-17"]))
def test_tagger_never_raises(text: str, published: str | None) -> None:
    tag(text, published)

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
    ("Le contrat a été signé le 12 janvier 2019.", None, "le 12 janvier 2019", "2019-01-12"),
    ("Signature prévue le 1er mars 2024 à Paris.", None, "le 1er mars 2024", "2024-03-01"),
    ("Le sommet s'est tenu lundi 17 avril 2023 à Moscou.", None, "lundi 17 avril 2023", "2023-04-17"),
    ("Les premiers avions sont arrivés le 27 juillet 2020.", None, "le 27 juillet 2020", "2020-07-27"),
    ("La commande date du 3 déc. 2021.", None, "3 déc. 2021", "2021-12-03"),
    ("Le vote a eu lieu le 9 févr. 2022.", None, "le 9 févr. 2022", "2022-02-09"),
    ("Les essais ont repris en janvier 2023.", None, "en janvier 2023", "2023-01"),
    ("La livraison est attendue en août 2025.", None, "en août 2025", "2025-08"),
    ("Le programme a été lancé en 2008.", None, "en 2008", "2008"),
    ("Dès 2019, Ankara a réceptionné les batteries.", None, "Dès 2019", "2019"),
    ("Jusqu'en 2030, la flotte sera renouvelée.", None, "Jusqu'en 2030", "2030"),
    ("Les livraisons débuteront au deuxième trimestre 2024.", None, "au deuxième trimestre 2024", "2024-Q2"),
    ("Le contrat sera conclu au troisième trimestre de 2022.", None, "au troisième trimestre de 2022", "2022-Q3"),
    ("Le premier lot arrivera au quatrième trimestre 2021.", None, "au quatrième trimestre 2021", "2021-Q4"),
    ("Les négociations reprendront au premier semestre 2025.", None, "au premier semestre 2025", "2025-H1"),
    ("Le salon ouvrira au printemps 2026.", None, "au printemps 2026", "2026-SP"),
    ("Les manœuvres ont eu lieu à l'automne 2018.", None, "à l'automne 2018", "2018-FA"),
    ("L'accord a été paraphé à l'été 2017.", None, "à l'été 2017", "2017-SU"),
    ("Les exercices se sont déroulés en hiver 2022.", None, "en hiver 2022", "2022-WI"),
    ("Les frappes ont repris cet hiver.", "2023-01-15", "cet hiver", "2023-WI"),
    ("Le contrat a été signé fin 2019.", None, "fin 2019", "2019"),
    ("Le chantier démarrera début 2027.", None, "début 2027", "2027"),
    ("Les premiers appareils seront livrés d'ici fin 2024.", None, "d'ici fin 2024", "2024"),
    ("La décision est tombée fin mars.", "2022-06-01", "fin mars", "2022-03"),
    ("Le ministre s'y rendra début juillet.", "2022-06-01", "début juillet", "2022-07"),
    ("Les pourparlers ont repris mi-septembre.", "2021-10-02", "mi-septembre", "2021-09"),
    ("Les chars ont été livrés entre mars et mai 2023.", None, "entre mars et mai 2023", "2023-03/2023-05"),
    ("Le forum se tient du 5 au 9 septembre 2022 à Kiev.", None, "du 5 au 9 septembre 2022", "2022-09-05/2022-09-09"),
    ("Les essais ont lieu du 12 au 15 mai.", "2021-05-02", "du 12 au 15 mai", "2021-05-12/2021-05-15"),
    ("Le contrat a été signé mardi.", "2019-07-12", "mardi", "2019-07-09"),
    ("Le ministre a annoncé jeudi la commande.", "2020-11-21", "jeudi", "2020-11-19"),
    ("Les pilotes sont arrivés samedi dernier.", "2021-03-10", "samedi dernier", "2021-03-06"),
    ("La délégation repartira mercredi prochain.", "2021-03-10", "mercredi prochain", "2021-03-17"),
    ("La réunion s'est tenue dimanche matin.", "2022-05-09", "dimanche matin", "2022-05-08TMO"),
    ("Les tirs ont commencé hier soir.", "2022-05-09", "hier soir", "2022-05-08TEV"),
    ("Le ministre arrivera demain.", "2022-05-09", "demain", "2022-05-10"),
    ("Le contrat a été signé avant-hier.", "2022-05-09", "avant-hier", "2022-05-07"),
    ("Aujourd'hui, la marine réceptionne son sous-marin.", "2022-09-01", "Aujourd'hui", "2022-09-01"),
    ("Le texte sera voté cette semaine.", "2022-05-09", "cette semaine", "2022-W19"),
    ("Le salon a fermé ses portes ce week-end.", "2022-05-09", "ce week-end", "2022-W19-WE"),
    ("Les deux armées ont manœuvré le mois dernier.", "2022-01-15", "le mois dernier", "2021-12"),
    ("Une délégation sera reçue le mois prochain.", "2022-12-15", "le mois prochain", "2023-01"),
    ("Ce mois-ci, la commande sera confirmée.", "2022-12-15", "Ce mois", "2022-12"),
    ("Les ventes ont doublé l'an dernier.", "2022-12-15", "l'an dernier", "2021"),
    ("Les livraisons reprendront l'année prochaine.", "2022-12-15", "l'année prochaine", "2023"),
    ("Cette année, le budget de la défense augmente.", "2024-02-01", "Cette année", "2024"),
    ("Le premier escadron a été livré en juillet dernier.", "2019-03-01", "en juillet dernier", "2018-07"),
    ("Le ministre se rendra à Delhi en mai prochain.", "2019-03-01", "en mai prochain", "2019-05"),
    ("Les deux pays ont signé l'accord en avril.", "2019-06-20", "en avril", "2019-04"),
    ("Les premières batteries sont arrivées en novembre.", "2020-02-10", "en novembre", "2019-11"),
    (
        "Pékin recevra les systèmes dans douze ou dix-huit mois.",
        "2016-06",
        "dans douze ou dix-huit mois",
        "2017-06/2017-12",
    ),
    ("Le commandant, 58 ans, a été décoré.", None, "58 ans", "P58Y"),
    ("Les travaux dureront trois ans.", None, "trois ans", "P3Y"),
    ("La mission a duré six mois.", None, "six mois", "P6M"),
    ("Le vol a duré 45 jours.", None, "45 jours", "P45D"),
    ("L'appareil a décollé à 14 h 30.", "2022-05-09", "14 h 30", "2022-05-09T14:30"),
    ("Le convoi est parti le 3 mars 2022 à 6 h.", None, "6 h", "2022-03-03T06:00"),
    ("Le sommet de l'OTAN s'ouvre le 14 juin à Bruxelles.", "2021-06-02", "le 14 juin", "2021-06-14"),
    ("Depuis le 24 février 2022, les livraisons se multiplient.", None, "le 24 février 2022", "2022-02-24"),
    ("Le 11 septembre 2021, la Grèce a annoncé son intérêt.", None, "Le 11 septembre 2021", "2021-09-11"),
    ("L'accord du 5 octobre 2018 porte sur cinq régiments.", None, "5 octobre 2018", "2018-10-05"),
    (
        "Les chars seront livrés au cours du premier semestre de 2024.",
        None,
        "au cours du premier semestre de 2024",
        "2024-H1",
    ),
    ("Le programme a démarré au début de l'année 2019.", None, "au début de l'année 2019", "2019"),
    ("Les radars seront installés d'ici la fin de l'année.", "2021-04-01", "d'ici la fin de l'année", "2021"),
    ("Le contrat a été signé à la fin de l'année 2016.", None, "à la fin de l'année 2016", "2016"),
    ("Les manœuvres ont eu lieu au mois de mars 2021.", None, "au mois de mars 2021", "2021-03"),
    ("Le contrat a été signé en septembre.", None, "en septembre", "XXXX-09"),
    ("L'exercice a eu lieu le 23 juillet.", None, "le 23 juillet", "XXXX-07-23"),
    ("Les pilotes ont été formés pendant l'été.", "2020-10-01", "l'été", "2020-SU"),
    ("Le contrat a été signé le mardi 8 octobre 2019.", None, "le mardi 8 octobre 2019", "2019-10-08"),
    ("La mission débute le 1er janvier.", "2023-12-20", "le 1er janvier", "2023-01-01"),
    ("Le sommet aura lieu en octobre 2024 à Kazan.", None, "en octobre 2024", "2024-10"),
    ("Les négociations ont duré de 2014 à 2016.", None, "de 2014", "2014"),
    ("Le contrat de 2017 prévoyait quatre batteries.", None, "de 2017", "2017"),
    ("Le ministre a parlé de la situation ce matin.", "2022-05-09", "ce matin", "2022-05-09TMO"),
    ("Le texte a été adopté dans la nuit de lundi à mardi.", "2021-05-04", "lundi", "2021-05-03"),
    ("La décision est attendue en juin 2019.", None, "en juin 2019", "2019-06"),
    ("Le premier Rafale a été remis le 8 octobre.", None, "le 8 octobre", "XXXX-10-08"),
    ("Les premiers S-400 sont arrivés en décembre 2021 en Inde.", None, "en décembre 2021", "2021-12"),
    ("La Grèce a reçu son premier Rafale en juillet 2021.", None, "en juillet 2021", "2021-07"),
    ("Le contrat a été signé le 25 janvier 2021 à Athènes.", None, "le 25 janvier 2021", "2021-01-25"),
    ("L'Égypte a annoncé la commande le 4 mai.", "2021-05-05", "le 4 mai", "2021-05-04"),
    ("Les Rafale seront livrés à partir de 2027.", None, "à partir de 2027", "2027"),
    ("Le lot suivant est attendu avant 2025.", None, "avant 2025", "2025"),
    ("En 2014, la Chine avait signé le contrat.", None, "En 2014", "2014"),
    ("Les négociations ont échoué en 2019-2020.", None, "en 2019-2020", "2019/2020"),
    ("Le pays a reçu les drones en octobre 2022.", None, "en octobre 2022", "2022-10"),
    ("Les premiers K2 sont arrivés le 6 décembre 2022 à Gdynia.", None, "le 6 décembre 2022", "2022-12-06"),
    ("Le ministre était à Varsovie le 18 février.", "2022-04-05", "le 18 février", "2022-02-18"),
    ("Mardi, lors de la réunion, le vice-président a parlé.", "2024-10-18", "Mardi", "2024-10-15"),
    # Anaphoric: the day the text named last, or a shift from the last date it named.
    ("Le 3 mars, Oslo a signé. Le même jour, Rome a commandé des chars.", "2020-05-01", "Le même jour", "2020-03-03"),
    ("Le 3 mars, Oslo a signé. La veille, Rome avait hésité.", "2020-05-01", "La veille", "2020-03-02"),
    (
        "Les ministres se sont vus le 9 juin 2019 ; le lendemain, l'accord était prêt.",
        None,
        "le lendemain",
        "2019-06-10",
    ),
    (
        "Le 14 avril, Macron était à Rabat ; il a rencontré le roi à cette occasion.",
        "2022-04-20",
        "à cette occasion",
        "2022-04-14",
    ),
    (
        "La Grèce a signé jeudi, deux mois après Chypre, signée deux mois plus tôt.",
        "2022-02-12",
        "deux mois plus tôt",
        "2021-12",
    ),
    ("La commande passée en octobre 2018 a été payée trois ans plus tard.", None, "trois ans plus tard", "2021"),
    ("Le pays a reçu ses premiers chars il y a deux ans.", "2023-06-30", "il y a deux ans", "2021"),
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
        ("Le même jour, Rome a commandé des chars.", "2020-05-01"),
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


def test_a_day_the_calendar_lacks_never_breaks_relative_dates() -> None:
    found = tag("Le 30 février 2022, rien. Le même jour, ceci. Trois semaines plus tard, cela.", "2022-03-01")
    assert [x.value for x in found if x.text in {"Le même jour", "Trois semaines plus tard"}] == [None, None]

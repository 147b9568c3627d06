"""Linking traps seen in real articles, each on sentences of our own."""

from __future__ import annotations

import pytest

from veille.link import link


def _mentions(nlp, text: str, published: str | None = None):  # type: ignore[no-untyped-def]
    doc = nlp(text)
    return link(doc, nlp, published, None)


def _names(mentions, kind: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [m.name for m in mentions if m.kind == kind]


@pytest.mark.parametrize(
    ("text", "iso3"),
    [
        ("Pékin a nié toute livraison d'armes.", "CHN"),
        ("Washington a exclu Ankara du programme.", "USA"),
        ("Le Kremlin a publié des photographies.", "RUS"),
        ("Les forces turques ont reçu les batteries.", "TUR"),
        ("Les États-Unis ont imposé des sanctions.", "USA"),
        ("Les Etats Unis ont imposé des sanctions.", "USA"),
        ("La Maison Blanche a réagi.", "USA"),
    ],
)
def test_metonyms_and_demonyms_link_to_the_state(nlp, text: str, iso3: str) -> None:  # type: ignore[no-untyped-def]
    mentions = _mentions(nlp, text)
    assert iso3 in [m.entity_id for m in mentions if m.kind == "country" and m.via != "location"]


def test_capital_after_a_preposition_is_a_place(nlp) -> None:  # type: ignore[no-untyped-def]
    (m,) = [m for m in _mentions(nlp, "Le sommet s'est tenu à Ankara en juin.") if m.entity_id == "TUR"]
    assert m.via == "location"


def test_country_inside_a_sea_name_is_not_the_state(nlp) -> None:  # type: ignore[no-untyped-def]
    mentions = _mentions(nlp, "Les navires ont croisé dans le golfe d'Oman puis en mer de Chine méridionale.")
    assert "OMN" not in _names(mentions, "country")
    assert {"Gulf of Oman", "South China Sea"} <= set(_names(mentions, "place"))


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Sergueï Choïgou a reçu son homologue.", "Sergei Shoigu"),
        ("Le ministre Schoigu est arrivé.", "Sergei Shoigu"),
        ("li shang fu a choisi Moscou pour son premier voyage.", "Li Shangfu"),
        ("Le président Erdogan a insisté.", "Recep Tayyip Erdogan"),
        ("Vladimir Poutine a rencontré la presse.", "Vladimir Putin"),
    ],
)
def test_spelling_variants_link_to_one_person(nlp, text: str, name: str) -> None:  # type: ignore[no-untyped-def]
    assert name in _names(_mentions(nlp, text), "person")


def test_short_form_corefers_with_the_full_name(nlp) -> None:  # type: ignore[no-untyped-def]
    mentions = _mentions(nlp, "Li Shangfu est arrivé à Moscou. Li a ensuite rencontré les journalistes.")
    assert _names(mentions, "person") == ["Li Shangfu", "Li Shangfu"]


@pytest.mark.parametrize("surface", ["S-400 Triumf", "S-400 Triumph", "SA-21 Growler", "S-400"])
def test_system_variants_link_to_one_system(nlp, surface: str) -> None:  # type: ignore[no-untyped-def]
    assert _names(_mentions(nlp, f"Le pays a reçu des {surface} cette année."), "system") == ["S-400"]


def test_role_description_resolves_with_the_publication_date(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "Le ministre chinois de la Défense a rencontré son homologue russe à Moscou."
    assert set(_names(_mentions(nlp, text, "2023-04-17"), "person")) == {"Li Shangfu", "Sergei Shoigu"}


def test_newspaper_name_is_not_a_state(nlp) -> None:  # type: ignore[no-untyped-def]
    mentions = _mentions(nlp, "Selon le Washington Post, les documents sont authentiques.")
    assert "USA" not in _names(mentions, "country")
    assert any("Washington Post" in n for n in _names(mentions, "organization"))


def test_unknown_person_gets_a_stable_local_id(nlp) -> None:  # type: ignore[no-untyped-def]
    a = [m for m in _mentions(nlp, "Le colonel Jean-Marc Duplantier a confirmé la livraison.") if m.kind == "person"]
    b = [m for m in _mentions(nlp, "Selon Jean-Marc Duplantier, rien n'est signé.") if m.kind == "person"]
    assert a and b and a[0].entity_id == b[0].entity_id and a[0].entity_id.startswith("person:local:")


@pytest.mark.parametrize(
    ("text", "kind", "name"),
    [
        ("Le ministre Andreï Belooussov est arrivé à Pékin mardi.", "person", "Andrey Belousov"),
        ("Minsk pourrait recevoir des Pantsir-S1 et des S-400.", "system", "Pantsir-S1"),
        ("Washington a exclu la Turquie du programme F-35.", "country", "USA"),
    ],
)
def test_names_spacy_gets_wrong_get_the_right_kind(nlp, text: str, kind: str, name: str) -> None:  # type: ignore[no-untyped-def]
    mentions = _mentions(nlp, text)
    assert name in _names(mentions, kind)
    assert all(m.kind == kind for m in mentions if name in (m.name,))


def test_glued_words_are_not_people(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "La coopération militaire s'est très bien développéece qui a contribué à renforcer la sécurité."
    assert _names(_mentions(nlp, text), "person") == []


def test_people_in_page_furniture_never_become_entities(analyse) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Ankara persiste sur les S-400\n\n"
        "Senator John Miller talks with Speaker Anna Brooks during a rally in Washington on Tuesday. (AFP photo)\n\n"
        "Le président turc Recep Tayyip Erdogan a confirmé mardi que son pays ne renoncerait pas aux systèmes russes, malgré les menaces de sanctions.\n"
    )
    result = analyse(text)
    people = {m.name for m in result.mentions if m.kind == "person"}
    assert people == {"Recep Tayyip Erdogan"}


def test_mentions_carry_span_sentence_and_surface(analyse) -> None:  # type: ignore[no-untyped-def]
    result = analyse("Le contrat est signé. Sergueï Choïgou a salué l'accord avec Pékin.")
    (m,) = [m for m in result.mentions if m.kind == "person"]
    assert result.clean.body[m.start : m.end] == m.text == "Sergueï Choïgou"
    assert m.sentence == 1 and m.entity_id == "person:sergei-shoigu"


def test_head_of_state_description_resolves_at_the_article_date(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "Le président russe a signé le décret mardi à Moscou."
    assert _names(_mentions(nlp, text, "2021-06-15"), "person") == ["Vladimir Putin"]


def test_unknown_organisation_gets_a_stable_local_id(nlp) -> None:  # type: ignore[no-untyped-def]
    a = [
        m
        for m in _mentions(nlp, "Le constructeur Naval Industries Bretagne a livré les pièces.")
        if m.kind == "organization"
    ]
    b = [
        m
        for m in _mentions(nlp, "La société Naval Industries Bretagne a confirmé la commande.")
        if m.kind == "organization"
    ]
    assert a and b and a[0].entity_id == b[0].entity_id and a[0].entity_id.startswith("org:local:")


@pytest.mark.parametrize(
    ("text", "states"),
    [
        ("La patrouille aérienne sino-russe a survolé la mer du Japon.", {"CHN", "RUS"}),
        ("Les manœuvres franco-indiennes ont débuté.", {"FRA", "IND"}),
    ],
)
def test_compound_adjectives_name_both_states(nlp, text: str, states: set[str]) -> None:  # type: ignore[no-untyped-def]
    assert set(_names(_mentions(nlp, text), "country")) == states

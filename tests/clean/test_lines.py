from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from veille.clean import clean
from veille.clean.lines import classify_lines, strip_glued_credit
from veille.ingest.files import content_hash
from veille.models import RawDocument

PAGE = """Accueil > Monde > Défense
VIDÉO

Varsovie reçoit ses premiers chars sud-coréens

Un laboratoire découvre une nouvelle espèce de grenouille

Publié le 7 décembre 2022 à 11h20

Partager sur Facebook | Partager sur Twitter

La Pologne a réceptionné mardi à Gdynia les dix premiers chars K2 commandés à la Corée du Sud cet été, a annoncé le ministère polonais de la Défense.

Photo : des chars alignés sur le quai du port, le 6 décembre.

Un calendrier serré

Les livraisons doivent se poursuivre jusqu'en 2025, selon le contrat exécutif signé en août, qui prévoit au total 180 chars de ce modèle.Jan KOWALSKI/AFP
  • Lire aussi : la Pologne commande des obusiers
Transparenz: Redaktionell erstellt und geprüft.
Abonnez-vous à notre newsletter
Par Marie Dupont
"""


def _clean(text: str):  # type: ignore[no-untyped-def]
    return clean(RawDocument("p", "p.txt", text, "text", content_hash(text)))


def test_clean_keeps_title_body_and_headings_and_drops_furniture() -> None:
    doc = _clean(PAGE)
    assert doc.title == "Varsovie reçoit ses premiers chars sud-coréens"
    assert doc.published == "2022-12-07"
    assert "Un calendrier serré" in doc.body
    assert "La Pologne a réceptionné mardi" in doc.body
    assert "180 chars de ce modèle." in doc.body
    for furniture in (
        "Accueil",
        "VIDÉO",
        "grenouille",
        "Partager",
        "Photo :",
        "Lire aussi",
        "Transparenz",
        "newsletter",
        "Marie Dupont",
        "KOWALSKI",
    ):
        assert furniture not in doc.body, furniture
    assert doc.author == "Marie Dupont"


def test_clean_reads_a_metadata_prefix_as_the_publication_date() -> None:
    text = " date 2019-07 Le premier lot de batteries est arrivé sur la base aérienne, a confirmé le ministère turc de la Défense vendredi."
    doc = _clean(text)
    assert doc.published == "2019-07"
    assert doc.published_precision == "month"
    assert "Le premier lot" in doc.body


def test_clean_leaves_undated_article_without_date_but_infers_a_year() -> None:
    doc = _clean(
        "La Turquie a signé le contrat en 2017 et reçu les premiers éléments en 2019, selon la presse, qui ajoute que la suite reste incertaine."
    )
    assert doc.published is None
    assert doc.inferred_year == 2019


def test_clean_drops_a_caption_in_another_language() -> None:
    text = (
        "Le titre de la page de test\n\n"
        "President meets the defence minister at the White House on Tuesday in Washington during a visit of the delegation.\n\n"
        "Le ministre a confirmé que les livraisons commenceront au printemps prochain, malgré les retards constatés dans la production.\n\n"
        "Les deux délégations doivent se retrouver à Paris pour préciser le calendrier des prochaines étapes du programme.\n"
    )
    doc = _clean(text)
    assert "White House" not in doc.body
    assert "livraisons commenceront" in doc.body


def test_glued_credit_is_cut_but_sentence_kept() -> None:
    assert strip_glued_credit("Il a atterri à Moscou.IVAN PETROVAFP") == "Il a atterri à Moscou."
    assert (
        strip_glued_credit("Les documents restaient secrets.le journal") == "Les documents restaient secrets.le journal"
    )


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_line_classifier_never_raises_on_arbitrary_text(text: str) -> None:
    result = classify_lines(text)
    assert len(result.verdicts) == len(text.splitlines())

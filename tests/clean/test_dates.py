from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from veille.clean.dates import date_from_url, find_date, looks_like_dateline


@pytest.mark.parametrize(
    ("line", "value"),
    [
        ("Mis à jour le mardi 12 juillet 2019 - 10:15", "2019-07-12"),
        ("Publié le 5 octobre 2018 à 14h02", "2018-10-05"),
        ("12/07/2019 18:40", "2019-07-12"),
        ("Le 3 mars 2022 à 09h12 (heure de Paris)", "2022-03-03"),
        ("Published on October 5, 2018", "2018-10-05"),
        ("Veröffentlicht am 17.04.2023", "2023-04-17"),
        ("Mise à jour 1er février 2021", "2021-02-01"),
    ],
)
def test_datelines_give_the_publication_date(line: str, value: str) -> None:
    assert looks_like_dateline(line)
    hit = find_date(line)
    assert hit is not None and hit[0] == value


def test_a_body_sentence_with_a_date_is_not_a_dateline() -> None:
    assert not looks_like_dateline("Le contrat a été signé le 5 octobre 2018 à New Delhi par les deux dirigeants.")


@pytest.mark.parametrize(
    ("url", "value"),
    [
        ("https://x.fr/monde/2018/10/05/s400", ("2018-10-05", "day")),
        ("https://x.ru/20181005/1038377047.html", ("2018-10-05", "day")),
        ("https://x.fr/a", None),
    ],
)
def test_url_dates(url: str, value: tuple[str, str] | None) -> None:
    assert date_from_url(url) == value


@given(st.text())
def test_date_parser_never_raises(text: str) -> None:
    find_date(text)
    looks_like_dateline(text)

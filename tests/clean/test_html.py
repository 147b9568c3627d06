"""Body extraction on saved pages we wrote ourselves (menus, comments, related links, banners)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from veille.clean import clean
from veille.ingest import read_path
from veille.models import RawDocument

PAGES = Path(__file__).resolve().parents[1] / "data" / "html"
GOLD = json.loads((PAGES / "gold.json").read_text(encoding="utf-8"))


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_the_html_set_has_at_least_ten_pages() -> None:
    assert len(GOLD) >= 10


@pytest.mark.parametrize("name", sorted(GOLD))
def test_html_body_keeps_every_paragraph_and_drops_the_furniture(name: str) -> None:
    (raw,) = list(read_path(PAGES / name))
    assert isinstance(raw, RawDocument)
    doc = clean(raw)
    body = _norm(doc.body)
    gold = GOLD[name]
    for paragraph in gold["paragraphs"]:
        assert _norm(paragraph) in body, paragraph[:80]
    for furniture in gold["absent"]:
        assert _norm(furniture) not in body, furniture
    assert doc.title is not None and _norm(gold["title"]) in _norm(doc.title)
    if gold["published"] is None:
        assert doc.published is None
    else:
        assert doc.published is not None and doc.published.startswith(gold["published"])

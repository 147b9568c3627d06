"""Main text and metadata of an HTML page, with trafilatura (and htmldate as its fallback)."""

from __future__ import annotations

from dataclasses import dataclass

import trafilatura
from htmldate import find_date as htmldate_find_date


@dataclass(frozen=True)
class HtmlExtraction:
    """What trafilatura found in the page."""

    text: str | None
    title: str | None
    date: str | None
    sitename: str | None
    author: str | None
    url: str | None


def extract_html(html: str, url: str | None = None) -> HtmlExtraction:
    """Body text (paragraphs separated by blank lines) and metadata of a page."""
    document = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
        # Only a date the page states: a year in the body ("depuis 2007") is not a publication date.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if document is None:
        return HtmlExtraction(None, None, None, None, None, url)
    text = document.text or ""
    # trafilatura joins paragraphs with single newlines; the body keeps one paragraph per block.
    text = "\n\n".join(p.strip() for p in text.splitlines() if p.strip())
    date = document.date
    if not date:
        try:
            date = htmldate_find_date(html, url=url, extensive_search=False)
        except (ValueError, TypeError):
            date = None
    return HtmlExtraction(text or None, document.title, date, document.sitename, document.author, document.url or url)

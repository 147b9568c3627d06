"""Clean: RawDocument -> CleanDocument.

Body text, title, publication date (with its precision), source, author and language of one
article, with page furniture set aside line by line so the dashboard can show what was removed.
"""

from __future__ import annotations

import ftfy

from veille.clean.dates import date_from_url, infer_year
from veille.clean.html import extract_html
from veille.clean.language import detect
from veille.clean.lines import classify_lines
from veille.models import CleanDocument, RawDocument

__all__ = ["clean"]

PRECISION = {4: "year", 7: "month", 10: "day"}


def _stated(value: str | None) -> tuple[str, str] | None:
    if value and len(value) >= 4 and value[:4].isdigit():
        value = value[:10]
        return value, PRECISION.get(len(value), "day")
    return None


def clean(raw: RawDocument) -> CleanDocument:
    """Separate body from furniture and read the article's metadata."""
    # Repair mojibake but keep the page's own quotes and apostrophes: the body must stay a
    # faithful copy of the article's lines (evidence is quoted from it).
    text = ftfy.fix_text(raw.text, uncurl_quotes=False)
    title, source, author = raw.title, None, None
    published = _stated(raw.published)
    if raw.kind == "html":
        page = extract_html(text, raw.url)
        text = page.text or ""
        title = title or page.title
        published = published or _stated(page.date)
        source, author = page.sitename, page.author
    lines = classify_lines(text, known_title=title)
    body = "\n\n".join(lines.body_lines)
    published = published or lines.published or date_from_url(raw.url)
    return CleanDocument(
        raw=raw,
        body=body,
        title=lines.title,
        published=published[0] if published else None,
        published_precision=published[1] if published else None,
        inferred_year=None if published else infer_year(body),
        lang=detect(body)[0] or "fr",
        source=source or lines.source,
        author=author or lines.author,
        lines=lines.verdicts,
    )

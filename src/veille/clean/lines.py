"""Line-level separation of page furniture from article body in scraped plain text.

A scraped page is a column of lines: menus and labels on top, the headline, sometimes an
unrelated headline or a caption, the body (paragraphs and section headings), then share
buttons, credits and footers. The classifier works in two passes:

1. *Hard* cues that hold anywhere: links to other stories, share/subscribe lines, captions,
   datelines, source and author lines, breadcrumbs, lines in another language than the page.
2. *Position*: the body is the run from the first to the last paragraph-like line (long, with
   sentence punctuation). Short lines before it are furniture (except the headline), short lines
   after it are footers; short lines inside it are section headings and stay in the body.

All cue words come from ``data/lexicons/furniture.json``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from veille.clean.dates import METADATA_PREFIX, find_date, looks_like_dateline
from veille.clean.language import detect
from veille.models import LineVerdict
from veille.resources import fold, lexicon

WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
SENTENCE_END = re.compile(r"[.!?…»\"”)]\s*$")
BREADCRUMB_SEPARATORS = re.compile(r"\s(?:/|>|\||»|›)\s")
# A paragraph, as opposed to a label, a heading or a caption: calibrated on the seeds, where
# the shortest body paragraph has 14 words and the longest furniture line with punctuation 12.
PARAGRAPH_MIN_WORDS = 12
PARAGRAPH_LONG_WORDS = 25
# Captions are short; a 40-word line starting "À gauche" is prose.
CAPTION_MAX_WORDS = 40
SHORT_LINE_WORDS = 12
FRENCH_PRIOR = 1.5
FOOTER_MAX_WORDS = 45
# The "date YYYY-MM" prefix some scrapers glue to the first body line, below a label or two.
METADATA_PREFIX_LINES = 6
# A short line that ends a sentence ("Pyongyang et Moscou ont démenti ces livraisons.") is
# prose; labels, headings and credits do not end with a period.
SENTENCE_MIN_WORDS = 6
# A line is judged foreign only on enough evidence: three function words of that language.
FOREIGN_MIN_HITS = 3


@dataclass
class _Line:
    number: int
    raw: str
    text: str
    words: int
    label: str = ""
    reason: str = ""


@cache
def _cues() -> dict[str, tuple[str, ...]]:
    data = lexicon("furniture")
    return {k: tuple(fold(v) for v in vals) for k, vals in data.items() if not k.startswith("_")}


def strip_bullet(text: str) -> tuple[str, bool]:
    """Remove a leading list bullet; say whether there was one."""
    for bullet in lexicon("furniture")["bullets"]:
        if text.startswith(bullet + " ") or (bullet in "•·▪►▶" and text.startswith(bullet)):
            return text[len(bullet) :].lstrip(), True
    return text, False


@cache
def _glued_credit() -> re.Pattern[str]:
    agencies = "|".join(re.escape(a) for a in lexicon("furniture")["glued_credit_agencies"])
    # Sentence punctuation immediately followed (no space) by an upper-case credit to line end:
    # "…à Moscou.PAVEL BEDNYAKOVAFP", "…à New Delhi.REUTERS/Adnan Abidi".
    return re.compile(
        rf"(?<=[.!?»\"”])(?P<credit>(?:[A-Z][A-Z'\-]{{2,}}[ A-Z'\-]*|{agencies})(?:/[^\n]{{0,60}})?"
        rf"|[A-Z][\w'\-]+(?: [\w'\-]+){{0,3}}\s*/\s*(?:{agencies}))\s*$"
    )


def strip_glued_credit(text: str) -> str:
    """Cut a photo credit glued to the end of a sentence."""
    return _glued_credit().sub("", text).rstrip()


@lru_cache(maxsize=4096)  # the lines of the page at hand, without growing with the corpus
def _folded(text: str) -> str:
    return fold(text)


def _starts(text: str, key: str) -> bool:
    folded = _folded(text)
    return any(folded.startswith(cue) for cue in _cues()[key])


def _contains(text: str, key: str) -> bool:
    folded = _folded(text)
    return any(cue in folded for cue in _cues()[key])


def _hard_label(line: _Line, doc_lang: str) -> str | None:
    text, words = line.text, line.words
    if looks_like_dateline(text):
        return "dateline"
    if not WORD.search(text):
        return "no letters"
    body_text, bulleted = strip_bullet(text)
    if _starts(body_text, "link_starts") and words <= 20:
        return "link to another story"
    if _contains(text, "share_contains") and words <= SHORT_LINE_WORDS:
        return "share/subscribe/footer"
    if _contains(text, "footer_contains") and words <= FOOTER_MAX_WORDS:
        return "site notice"
    if _starts(text, "source_starts") and (words <= 8 or fold(text).startswith(("source", "quelle"))):
        return "source line"
    if _starts(text, "author_starts") and words <= 8 and not SENTENCE_END.search(text[:-1] or "x"):
        return "author or translation credit"
    if words <= CAPTION_MAX_WORDS and (_starts(body_text, "caption_starts") or _contains(text, "caption_contains")):
        return "photo caption"
    if len(BREADCRUMB_SEPARATORS.findall(text)) >= 2 and words <= 20:
        return "navigation breadcrumb"
    lang, share = detect(text)
    if lang is not None and lang != doc_lang and share * words >= FOREIGN_MIN_HITS:
        return f"line in another language ({lang})"
    if bulleted and (words < PARAGRAPH_MIN_WORDS or not SENTENCE_END.search(text)):
        return "bullet pointing elsewhere"
    return None


def _is_paragraph(line: _Line) -> bool:
    if line.label:
        return False
    if line.words >= PARAGRAPH_LONG_WORDS:
        return True
    if line.words >= SENTENCE_MIN_WORDS and re.search(r"[.!?…]\s*[»\"”)]?\s*$", line.text):
        return True
    return line.words >= PARAGRAPH_MIN_WORDS and bool(SENTENCE_END.search(line.text))


@dataclass(frozen=True)
class LineClassification:
    """Verdicts for every raw line plus the metadata the lines revealed."""

    verdicts: tuple[LineVerdict, ...]
    body_lines: tuple[str, ...]
    title: str | None
    published: tuple[str, str] | None
    source: str | None
    author: str | None


def classify_lines(text: str, known_title: str | None = None) -> LineClassification:
    """Label every line of a plain-text page and return the body in reading order."""
    lines = [_Line(i, raw, raw.strip(), 0) for i, raw in enumerate(text.splitlines(), start=1)]
    published: tuple[str, str] | None = None
    # A metadata prefix glued to the first line (" date 2021-06 Alors que…").
    for line in [x for x in lines if x.text][:METADATA_PREFIX_LINES]:
        match = METADATA_PREFIX.match(line.text)
        if match:
            value = match["v"]
            precision = {4: "year", 7: "month", 10: "day"}[len(value)]
            published = (value, precision)
            # The prefix stays in the body: the line is the article's first line, and the body
            # must keep it whole to stay a faithful copy (extractors ignore "date 2021-06").
            break
    for line in lines:
        line.text = strip_glued_credit(line.text)
        line.words = len(line.text.split())
    # The page's language is the majority language of its paragraph-length lines.
    votes: dict[str, int] = {}
    for line in lines:
        if line.words >= PARAGRAPH_MIN_WORDS:
            lang = detect(line.text)[0]
            if lang:
                votes[lang] = votes.get(lang, 0) + line.words
    # French-first: French wins near-ties (a French page with one long foreign caption).
    votes["fr"] = int(votes.get("fr", 0) * FRENCH_PRIOR)
    doc_lang = max(votes, key=lambda k: (votes[k], k == "fr")) if any(votes.values()) else "fr"

    for line in lines:
        if not line.text:
            line.label = "blank"
            continue
        hard = _hard_label(line, doc_lang)
        if hard:
            line.label, line.reason = "boilerplate", hard
    paragraphs = [i for i, line in enumerate(lines) if _is_paragraph(line)]
    first = paragraphs[0] if paragraphs else 0
    last = paragraphs[-1] if paragraphs else len(lines) - 1

    # Headline: the first line above the body that reads like one (several words, no final
    # period). One-word labels ("TV", "Vidéo") are section labels, not headlines.
    title = known_title
    title_index = None
    for i, line in enumerate(lines[:first]):
        if line.label or (title is not None and fold(line.text) != fold(title)):
            continue
        if title is not None or (
            3 <= line.words <= 30 and not re.search(r"[.:;,]\s*$", line.text) and not line.text.isupper()
        ):
            title, title_index = title or line.text, i
            break
    if title_index is not None:
        lines[title_index].label, lines[title_index].reason = "title", "headline"

    for i, line in enumerate(lines):
        if line.label:
            continue
        if title and fold(line.text) == fold(title):
            line.label, line.reason = "boilerplate", "repeated title"
        elif i < first:
            line.label, line.reason = "boilerplate", "short line above the article body"
        elif i > last:
            line.label, line.reason = "boilerplate", "short line below the article body"
        elif _is_paragraph(line):
            line.label, line.reason = "body", "paragraph"
        else:
            line.label, line.reason = "heading", "short line inside the body"

    if published is None:
        for line in lines:
            if line.label == "boilerplate" and line.reason == "dateline":
                hit = find_date(line.text)
                if hit:
                    published = (hit[0], hit[1])
                    break
    source = author = None
    for line in lines:
        if line.reason == "source line":
            source = re.sub(r"^[^:]*:\s*|^(?:avec|d'après)\s+", "", line.text, flags=re.I).strip()
        elif line.reason == "author or translation credit" and author is None:
            author = re.sub(r"^(?:par|by|von)\s+", "", line.text, flags=re.I).strip()
    verdicts = tuple(LineVerdict(x.number, x.raw, x.label, x.reason) for x in lines)
    body = tuple(x.text for x in lines if x.label in {"title", "body", "heading"})
    return LineClassification(verdicts, body, title, published, source or None, author)

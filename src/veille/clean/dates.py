"""Publication dates from datelines, metadata prefixes and URLs.

The publication date anchors every relative date of the article ("vendredi", "fin avril"), so
only what the page states is taken: a dateline, a ``date YYYY-MM`` prefix, a date in the URL or
the page metadata. When nothing is stated, :func:`infer_year` gives a flagged guess instead.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache

from veille.resources import fold, lexicon


@cache
def _months() -> dict[str, int]:
    months: dict[str, int] = lexicon("time")["months"]
    return {fold(k): v for k, v in months.items()} | dict(months)


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    names = sorted(_months(), key=len, reverse=True)
    month = "(?P<month>" + "|".join(re.escape(n) for n in names) + r")\.?"
    return {
        "iso": re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>0[1-9]|1[0-2])(?:-(?P<d>[0-3]\d))?\b"),
        "numeric": re.compile(r"\b(?P<d>[0-3]?\d)[/.](?P<m>[01]?\d)[/.](?P<y>(?:19|20)\d\d)\b"),
        "day_month_year": re.compile(rf"\b(?P<d>[0-3]?\d|1er)\s+{month}\s+(?P<y>(?:19|20)\d\d)\b", re.IGNORECASE),
        "month_day_year": re.compile(rf"\b{month}\s+(?P<d>[0-3]?\d),?\s+(?P<y>(?:19|20)\d\d)\b", re.IGNORECASE),
        "month_year": re.compile(rf"\b{month}\s+(?P<y>(?:19|20)\d\d)\b", re.IGNORECASE),
    }


METADATA_PREFIX = re.compile(r"^\s*date\s*[:=]?\s*(?P<v>(?:19|20)\d\d(?:-[01]\d(?:-[0-3]\d)?)?)\b\s*")
URL_DATE = re.compile(r"/(?P<y>(?:19|20)\d\d)/(?P<m>[01]\d)(?:/(?P<d>[0-3]\d))?/")
URL_STAMP = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)(?P<m>[01]\d)(?P<d>[0-3]\d)\d{0,10}(?!\d)")
ANY_YEAR = re.compile(r"(?:19|20)\d\d")
TIME_OF_DAY = re.compile(r"\b\d{1,2}\s*[:h]\s*\d{2}\b")


def _valid(y: int, m: int, d: int | None) -> bool:
    try:
        date(y, m, d or 1)
    except ValueError:
        return False
    return True


def _format(y: int, m: int | None, d: int | None) -> tuple[str, str]:
    if m is None:
        return f"{y:04d}", "year"
    if d is None:
        return f"{y:04d}-{m:02d}", "month"
    return f"{y:04d}-{m:02d}-{d:02d}", "day"


def find_date(text: str) -> tuple[str, str, tuple[int, int]] | None:
    """First explicit calendar date in ``text``: (value, precision, span), or None."""
    if not ANY_YEAR.search(text):
        return None  # every pattern needs a year: most lines have none, and this is one cheap scan
    found: list[tuple[int, str, str, tuple[int, int]]] = []
    for name, pattern in _patterns().items():
        for match in pattern.finditer(text):
            groups = match.groupdict()
            year = int(groups["y"])
            if groups.get("month"):
                month: int | None = _months().get(fold(groups["month"]))
            else:
                month = int(groups["m"]) if groups.get("m") else None
            day_text = groups.get("d")
            day = 1 if day_text == "1er" else (int(day_text) if day_text else None)
            if month is None or not _valid(year, month, day):
                continue
            if name == "month_year":
                day = None
            value, precision = _format(year, month, day)
            found.append((match.start(), value, precision, match.span()))
    if not found:
        return None
    # Prefer the earliest; at equal start prefer the most precise (longest value).
    found.sort(key=lambda f: (f[0], -len(f[1])))
    _, value, precision, span = found[0]
    return value, precision, span


def looks_like_dateline(line: str) -> bool:
    """A short line that mostly states when the page was published or updated."""
    stripped = line.strip()
    hit = find_date(stripped)
    if hit is None or len(stripped.split()) > 16:
        return False
    rest = stripped[: hit[2][0]] + stripped[hit[2][1] :]
    rest = TIME_OF_DAY.sub(" ", rest)
    words = re.findall(r"[^\W\d_]+", rest)
    leftover = [w for w in words if fold(w) not in _dateline_words() and len(w) > 2]
    return len(leftover) <= 3


@cache
def _dateline_words() -> frozenset[str]:
    """Words a dateline may hold besides the date: cues ("mis à jour le") and weekdays."""
    time_words = lexicon("time")
    cues = {fold(w) for cue in time_words["dateline_cues"] for w in cue.split()}
    weekdays = {fold(w) for key in ("weekdays", "weekdays_foreign") for w in time_words[key]}
    return frozenset(cues | weekdays)


def date_from_url(url: str | None) -> tuple[str, str] | None:
    """A publication date encoded in a URL path (``/2018/10/05/`` or ``20181005...``)."""
    if not url:
        return None
    match = URL_DATE.search(url)
    if match:
        y, m = int(match["y"]), int(match["m"])
        d = int(match["d"]) if match["d"] else None
        if _valid(y, m, d):
            return _format(y, m, d)
    match = URL_STAMP.search(url)
    if match and _valid(int(match["y"]), int(match["m"]), int(match["d"])):
        return _format(int(match["y"]), int(match["m"]), int(match["d"]))
    return None


YEAR = re.compile(r"\b(?:en|depuis|de|au|d'ici|fin|début|in)\s+((?:19|20)\d\d)\b", re.IGNORECASE)


def infer_year(body: str) -> int | None:
    """The latest year the text speaks of: a flagged lower bound for an undated article."""
    years = [int(y) for y in YEAR.findall(body)]
    return max(years) if years else None

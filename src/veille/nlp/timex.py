"""A temporal tagger for French news: find expressions and normalise them TIMEX3-style.

Why our own grammar: ``dateparser`` parses a string you already know is a date, but does not
find expressions in running text, nor give seasons, quarters, ranges or the "fin avril" part of a
period. The grammar below is a list of patterns over calendar words from
``data/lexicons/time.json``; every relative expression is resolved against the publication date
(the *anchor*), and left unresolved (``XXXX-04-08``, or no value) when the article has none.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from veille.models import Timex
from veille.resources import fold, lexicon


@dataclass(frozen=True)
class Anchor:
    """The publication date at its stated precision (day, month or year)."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, value: str | None) -> Anchor | None:
        """Read ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""
        if not value or not value[:4].isdigit():
            return None
        parts = [int(p) for p in value[:10].split("-") if p.isdigit()]
        return cls(*parts[:3])

    @property
    def date(self) -> date | None:
        """The anchor as a date when its day is known."""
        if self.month and self.day:
            try:
                return date(self.year, self.month, self.day)
            except ValueError:  # "le 30 février": a day the calendar does not have
                return None
        return None


# Placeholders a rule returns when its value depends on what the text said before it; tag()
# resolves them in reading order.
_SAME_DAY = "SAMEDAY"
_SHIFTED = "SHIFT:"

Handler = Callable[[re.Match[str], Anchor | None], tuple[str, str | None, str | None] | None]


def _alt(words: dict[str, object] | list[str]) -> str:
    keys = sorted({*words, *(fold(w) for w in words)}, key=len, reverse=True)
    return "|".join(re.escape(k) for k in keys)


@cache
def _lex() -> dict[str, dict[str, int | str]]:
    data = lexicon("time")
    return {
        k: {**data[k], **{fold(w): v for w, v in data[k].items()}}
        for k in ("months", "weekdays", "seasons", "ordinals", "numbers", "day_parts", "anaphoric_days")
    }


@cache
def _abbreviations() -> set[str]:
    """Month names that are abbreviations ("oct", "janv"): their period belongs to them."""
    full = {
        "janvier",
        "fevrier",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "aout",
        "septembre",
        "octobre",
        "novembre",
        "decembre",
    }
    return {k for k in _lex()["months"] if k not in full and len(k) <= 5}


def _month(word: str) -> int:
    return int(_lex()["months"][fold(word).rstrip(".")])


def _number(word: str) -> int | None:
    word = fold(word)
    if word.isdigit():
        return int(word)
    value = _lex()["numbers"].get(word)
    return int(value) if value is not None else None


def _ym(y: int | None, m: int) -> str:
    return f"{y:04d}-{m:02d}" if y else f"XXXX-{m:02d}"


def _ymd(y: int | None, m: int, d: int) -> str:
    return f"{y:04d}-{m:02d}-{d:02d}" if y else f"XXXX-{m:02d}-{d:02d}"


def _year_for_month(month: int, anchor: Anchor | None, when: str = "") -> int | None:
    """Year of a month named without one.

    The closest occurrence not after the anchor for past references, the next one for "prochain".
    """
    if anchor is None or anchor.month is None:
        return anchor.year if anchor and when != "dernier" else None
    if when == "prochain":
        return anchor.year if month > anchor.month else anchor.year + 1
    if when == "dernier":
        return anchor.year if month < anchor.month else anchor.year - 1
    # Bare month: news speaks mostly of the recent past; a month more than two months ahead of
    # the anchor is last year's ("en novembre" in a March article), otherwise this year's.
    return anchor.year if month <= anchor.month + 2 else anchor.year - 1


def _season_year(anchor: Anchor | None) -> int | None:
    return anchor.year if anchor else None


def _weekday(match: re.Match[str], anchor: Anchor | None) -> tuple[str, str | None, str | None]:
    if anchor is None or anchor.date is None:
        return "DATE", None, None
    target = int(_lex()["weekdays"][fold(match["wd"])])
    today = anchor.date
    rel = fold(match.groupdict().get("rel") or "")
    delta = (today.weekday() - target) % 7
    if rel.startswith("prochain") or match.groupdict().get("until"):
        delta = -((target - today.weekday()) % 7 or 7)
    elif rel.startswith("dernier") and delta == 0:
        delta = 7
    value = (today - timedelta(days=delta)).isoformat()
    return "DATE", value + _part_of_day(match), None


def _part_of_day(match: re.Match[str]) -> str:
    """TIMEX3 part-of-day suffix ("hier soir" -> "TEV") when the expression names one."""
    part = match.groupdict().get("dp")
    return "T" + str(_lex()["day_parts"][fold(part)]) if part else ""


def _iso_week(d: date) -> str:
    year, week, _ = d.isocalendar()
    return f"{year:04d}-W{week:02d}"


def _relative(match: re.Match[str], anchor: Anchor | None) -> tuple[str, str | None, str | None]:
    text = fold(match[0])
    if anchor is None:
        return "DATE", None, None
    day = anchor.date
    if "semaine" in text or "week-end" in text:
        if day is None:
            return "DATE", None, None
        shift = -7 if "dernier" in text or "passe" in text else 7 if "prochain" in text else 0
        value = _iso_week(day + timedelta(days=shift))
        return "DATE", value + ("-WE" if "week-end" in text else ""), None
    if "mois" in text:
        if anchor.month is None:
            return "DATE", None, None
        shift = -1 if "dernier" in text or "passe" in text else 1 if "prochain" in text else 0
        y, m = divmod(anchor.year * 12 + anchor.month - 1 + shift, 12)
        return "DATE", _ym(y, m + 1), None
    if "annee" in text or re.search(r"\ban\b", text):
        shift = -1 if "dernier" in text or "passe" in text else 1 if "prochain" in text else 0
        return "DATE", f"{anchor.year + shift:04d}", None
    if day is None:
        return "DATE", None, None
    offsets = {"avant-hier": -2, "hier": -1, "aujourd'hui": 0, "aujourd’hui": 0, "demain": 1}
    for word, off in offsets.items():
        if fold(word) in text:
            return "DATE", (day + timedelta(days=off)).isoformat() + _part_of_day(match), None
    if match.groupdict().get("dp"):  # "ce soir", "cette nuit"
        return "TIME", day.isoformat() + _part_of_day(match), None
    return "DATE", None, None


@cache
def _rules() -> list[tuple[re.Pattern[str], Handler]]:
    lx = _lex()
    month = rf"(?P<m>{_alt(lx['months'])})(?![\w-])\.?"
    month2 = rf"(?P<m2>{_alt(lx['months'])})(?![\w-])\.?"
    season = rf"(?P<s>{_alt(lx['seasons'])})"
    season2 = rf"(?P<s2>{_alt(lx['seasons'])})"
    weekday = rf"(?P<wd>{_alt(lx['weekdays'])})"
    year = r"(?P<y>(?:19|20)\d\d)"
    day = r"(?P<d>[0-3]?\d|1er)"
    part = r"(?P<part>fin|début|debut|mi|courant|mi-|à la fin|au début|à la mi)"
    ordinal = rf"(?P<o>{_alt(lx['ordinals'])})"
    number = rf"(?P<n>\d+|{_alt(lx['numbers'])})"
    daypart = rf"(?P<dp>{_alt(lx['day_parts'])})"

    def d_(m: re.Match[str]) -> int:
        return 1 if m["d"] == "1er" else int(m["d"])

    def full_date(m: re.Match[str], a: Anchor | None) -> tuple[str, str | None, str | None]:
        return "DATE", _ymd(int(m["y"]), _month(m["m"]), d_(m)), None

    def short_year_date(m: re.Match[str], a: Anchor | None) -> tuple[str, str | None, str | None]:
        yy = int(m["yy"])
        return "DATE", _ymd(1900 + yy if yy >= 50 else 2000 + yy, _month(m["m"]), d_(m)), None

    def day_month(m: re.Match[str], a: Anchor | None) -> tuple[str, str | None, str | None]:
        mo = _month(m["m"])
        return "DATE", _ymd(_year_for_month(mo, a), mo, d_(m)), None

    def day_range(m: re.Match[str], a: Anchor | None) -> tuple[str, str | None, str | None]:
        mo = _month(m["m"])
        y = int(m["y"]) if m["y"] else _year_for_month(mo, a)
        start = 1 if m["d1"] == "1er" else int(m["d1"])
        return "DATE", f"{_ymd(y, mo, start)}/{_ymd(y, mo, d_(m))}", None

    def part_mod(m: re.Match[str]) -> str | None:
        p = fold(m["part"] or "") if "part" in m.groupdict() else ""
        if "fin" in p:
            return "END"
        if "debut" in p:
            return "START"
        if "mi" in p:
            return "MID"
        return None

    def month_year(m: re.Match[str], a: Anchor | None) -> tuple[str, str | None, str | None]:
        return "DATE", _ym(int(m["y"]), _month(m["m"])), part_mod(m)

    def month_only(m: re.Match[str], a: Anchor | None) -> tuple[str, str | None, str | None]:
        mo = _month(m["m"])
        rel = fold(m.groupdict().get("rel") or "")
        when = "dernier" if rel.startswith("dernier") else "prochain" if rel else ""
        return "DATE", _ym(_year_for_month(mo, a, when), mo), part_mod(m)

    def month_range(m: re.Match[str], a: Anchor | None) -> tuple[str, str | None, str | None]:
        y = int(m["y"]) if m["y"] else (a.year if a else None)
        return "DATE", f"{_ym(y, _month(m['m']))}/{_ym(y, _month(m['m2']))}", None

    def season_range(m: re.Match[str], a: Anchor | None) -> tuple[str, str | None, str | None]:
        y = m["y"] or (str(a.year) if a else "XXXX")
        s1, s2 = lx["seasons"][fold(m["s"])], lx["seasons"][fold(m["s2"])]
        return "DATE", f"{y}-{s1}/{y}-{s2}", None

    def season_year(m: re.Match[str], a: Anchor | None) -> tuple[str, str | None, str | None]:
        y = m["y"] or (str(_season_year(a)) if a else "XXXX")
        return "DATE", f"{y}-{lx['seasons'][fold(m['s'])]}", part_mod(m)

    def quarter(m: re.Match[str], a: Anchor | None) -> tuple[str, str | None, str | None]:
        y = m["y"] or (str(a.year) if a else "XXXX")
        return "DATE", f"{y}-Q{lx['ordinals'][fold(m['o'])]}", None

    def semester(m: re.Match[str], a: Anchor | None) -> tuple[str, str | None, str | None]:
        y = m["y"] or (str(a.year) if a else "XXXX")
        return "DATE", f"{y}-H{lx['ordinals'][fold(m['o'])]}", None

    def year_part(m: re.Match[str], a: Anchor | None) -> tuple[str, str | None, str | None]:
        y = m["y"] or (str(a.year) if a else None)
        return "DATE", y, part_mod(m) or ("END" if "fin" in fold(m[0]) else None)

    def year_range(m: re.Match[str], a: Anchor | None) -> tuple[str, str | None, str | None]:
        return "DATE", f"{m['y']}/{m['y2']}", None

    def plain_year(m: re.Match[str], a: Anchor | None) -> tuple[str, str | None, str | None]:
        lead = fold(m["lead"] or "")
        mod = "ON_OR_AFTER" if lead in {"depuis", "des", "a partir de"} else None
        if lead in {"avant"}:
            mod = "BEFORE"
        if lead in {"d'ici", "d’ici"}:
            mod = "ON_OR_BEFORE"
        return "DATE", m["y"], mod

    def duration(m: re.Match[str], a: Anchor | None) -> tuple[str, str | None, str | None]:
        n = _number(m["n"])
        unit = {
            "an": "Y",
            "ans": "Y",
            "annee": "Y",
            "annees": "Y",
            "mois": "M",
            "jour": "D",
            "jours": "D",
            "semaine": "W",
            "semaines": "W",
        }[fold(m["u"])]
        return "DURATION", f"P{n}{unit}" if n is not None else None, None

    def window(m: re.Match[str], a: Anchor | None) -> tuple[str, str | None, str | None]:
        first, second = _number(m["n"]), _number(m["n2"])
        if a is None or a.month is None or first is None or second is None:
            return "DATE", None, None

        def plus(k: int) -> str:
            y, mo = divmod(a.year * 12 + (a.month or 1) - 1 + k, 12)
            return _ym(y, mo + 1)

        return "DATE", f"{plus(first)}/{plus(second)}", "APPROX"

    def vague(m: re.Match[str], a: Anchor | None) -> tuple[str, str | None, str | None]:
        return "DATE", None, None

    def same_day(m: re.Match[str], a: Anchor | None) -> tuple[str, str | None, str | None]:
        # Resolved in tag() against the last day the text named: "le même jour", "la veille".
        shift = int(lx["anaphoric_days"].get(fold(re.sub(r"\s+", " ", m["w"])), 0))
        return "DATE", f"{_SAME_DAY}{shift:+d}", None

    def shifted(m: re.Match[str], a: Anchor | None) -> tuple[str, str | None, str | None]:
        # "deux mois plus tôt": resolved in tag() against the last date the text named;
        # "il y a deux ans": against the publication date.
        n = _number(m["n"])
        if n is None:
            return None
        direction = fold(m.groupdict().get("dir") or "")
        sign = 1 if "tard" in direction else -1
        unit = "Y" if fold(m["u"]).startswith("an") else fold(m["u"])[0].upper()
        base = "P" if m.groupdict().get("ago") else "T"
        return "DATE", f"{_SHIFTED}{base}:{unit}:{sign * n}", None

    def clock(m: re.Match[str], a: Anchor | None) -> tuple[str, str | None, str | None] | None:
        hours = int(m["hh"])
        if hours > 24:
            return None
        # The day comes from the last dated expression before it (see tag()); "T" marks it.
        return "TIME", f"T{hours:02d}:{int(m['mm'] or 0):02d}", None

    i = re.IGNORECASE
    rel = r"(?:\s+(?P<rel>derni(?:er|ère)|prochaine?|passée?))?"
    rules: list[tuple[str, Handler]] = [
        (
            rf"\bentre\s+(?:l['’]\s*|le\s+)?{season}\s+et\s+(?:l['’]\s*|le\s+)?{season2}(?:\s+(?:de\s+)?{year})?",
            season_range,
        ),
        (rf"\bentre\s+{month}\s+et\s+{month2}(?:\s+{year})?", month_range),
        (rf"\bdu\s+(?P<d1>[0-3]?\d|1er)\s+au\s+{day}\s+{month}(?:\s+{year})?", day_range),
        (
            r"(?<![\w-])(?:(?:en|de|pour|sur)\s+)?(?:la\s+période\s+)?(?P<y>(?:19|20)\d\d)\s*[-–]\s*(?P<y2>(?:19|20)\d\d)(?![\w-])",
            year_range,
        ),
        (rf"\b(?:le\s+)?(?:{weekday}\s+)?{day}\s+{month}\s+{year}", full_date),
        (rf"\b(?:le\s+)?(?:{weekday}\s+)?{day}\s+{month}\s+(?P<yy>[0-9]{{2}})(?![\w-])", short_year_date),
        (
            rf"\b(?:le\s+|au\s+|du\s+)?mois\s+(?:de\s+|d['’])\s*{month}(?:\s+{year})?",
            lambda m, a: month_year(m, a) if m["y"] else month_only(m, a),
        ),
        (rf"\b(?:le\s+)?(?:{weekday}\s+)?{day}\s+{month}(?!\s*\d)", day_month),
        (
            rf"\b(?:(?:au\s+cours\s+du|au|du|le|lors\s+du|pour\s+le)\s+)?{ordinal}\s+trimestre(?:\s+(?:de\s+|de\s+l['’]année\s+)?{year})?",
            quarter,
        ),
        (rf"\b(?:(?:au\s+cours\s+du|au|du|le)\s+)?{ordinal}\s+semestre(?:\s+(?:de\s+)?{year})?", semester),
        (
            rf"\b(?:(?:{part})[\s-]+(?:de\s+l['’]\s*|du\s+)?|(?:au|en|à\s+l['’]|l['’]|cet|cette|de\s+l['’])\s*){season}(?:\s+(?:de\s+)?{year}|{rel})?",
            season_year,
        ),
        (rf"\b{season}\s+(?:de\s+)?{year}", season_year),
        (
            rf"\b(?:(?:en|à|a)\s+)?(?:{part})[\s-]*{month}(?:\s+{year})?",
            lambda m, a: month_year(m, a) if m["y"] else month_only(m, a),
        ),
        (rf"\b(?:(?:en|depuis|d['’]ici|dès|pour|jusqu['’]en)\s+)?{month}\s+{year}", month_year),
        (rf"\b(?:en|au\s+mois\s+de|depuis|dès|jusqu['’]en)\s+{month}{rel}", month_only),
        (rf"\b(?:d['’]ici\s+)?(?:à\s+)?(?:la\s+)?{part}\s+(?:de\s+)?(?:l['’]année\s+)?{year}", year_part),
        (
            rf"\b(?:d['’]ici\s+)?(?:à\s+)?(?:la\s+)?(?P<part>fin|début)\s+de\s+l['’]année(?:\s+(?:en\s+cours|{year}))?",
            year_part,
        ),
        (
            rf"\b(?:(?P<until>jusqu['’]à|d['’]ici)\s+)?(?:(?:tard|tôt)\s+)?(?:ce\s+(?:même\s+)?|cette\s+)?{weekday}(?:\s+{daypart})?{rel}",
            _weekday,
        ),
        (
            r"\b(?:(?:en\s+fin\s+de|en\s+début\s+de|la|cette|ce|le)\s+)(?:semaine|week-end|mois|année|an)(?:\s+(?:derni(?:er|ère)|prochaine?|passée?|en\s+cours))?\b",
            _relative,
        ),
        (r"\bl['’]\s*(?:année|an)\s+(?:derni(?:er|ère)|prochaine?|passée?)", _relative),
        (rf"\b(?:avant-hier|hier|aujourd['’]hui|demain)(?:\s+{daypart})?\b", _relative),
        (rf"\b(?:ce|cette|cet)\s+{daypart}\b", _relative),
        (rf"\bdans\s+{number}\s+ou\s+(?P<n2>\d+|{_alt(lx['numbers'])})\s+mois", window),
        (
            rf"\b(?P<w>{_alt(lx['anaphoric_days']).replace(chr(92) + ' ', chr(92) + 's+')})(?![\w-])",
            same_day,
        ),
        (
            rf"\b(?P<ago>il\s+y\s+a)\s+{number}\s+(?P<u>ans|an|années|mois|semaines|jours)\b",
            shifted,
        ),
        (
            rf"\b{number}\s+(?P<u>ans|années|mois|semaines|jours)\s+(?P<dir>plus\s+tôt|plus\s+tard|auparavant)",
            shifted,
        ),
        (r"\b(?:ces\s+derniers\s+(?:temps|mois|jours)|récemment|ces\s+dernières\s+(?:années|semaines))\b", vague),
        (rf"\b{number}\s+(?P<u>ans|an|années|année|mois|jours|jour|semaines|semaine)\b", duration),
        (
            rf"(?<![\w-])(?:(?P<lead>en|depuis|dès|à\s+partir\s+de|avant|d['’]ici|jusqu['’]en|de|au)\s+)?{year}(?![\w-])",
            plain_year,
        ),
        (r"\b(?P<hh>[012]?\d)\s*(?:h|heures?|:)\s*(?P<mm>[0-5]\d)?\b(?!\s*(?:%|ans|km))", clock),
    ]
    return [(re.compile(p, i), h) for p, h in rules]


def tag(text: str, published: str | None = None) -> list[Timex]:
    """All temporal expressions of ``text``, normalised against the publication date."""
    anchor = Anchor.parse(published)
    found: list[Timex] = []
    taken: list[tuple[int, int]] = []
    candidates: list[tuple[int, int, int, re.Match[str], Handler]] = []
    for rank, (pattern, handler) in enumerate(_rules()):
        for match in pattern.finditer(text):
            if match.end() > match.start():
                candidates.append((match.start(), -(match.end() - match.start()), rank, match, handler))
    candidates.sort(key=lambda c: (c[0], c[1], c[2]))
    for start, _, _, match, handler in candidates:
        end = match.end()
        if any(start < e and end > s for s, e in taken):
            continue
        result = handler(match, anchor)
        if result is None:
            continue
        kind, value, mod = result
        found_text = match[0]
        # "juin." at a sentence end: the period closes the sentence, not an abbreviation.
        last = found_text.rstrip(".").split()[-1] if found_text.strip(".") else ""
        if found_text.endswith(".") and fold(last.split("-")[-1]) not in _abbreviations():
            found_text, end = found_text[:-1], end - 1
        taken.append((start, end))
        found.append(Timex(start, end, found_text, kind, value, mod))
    found.sort(key=lambda t: t.start)
    # Values that depend on the text before them, resolved in reading order: a clock time takes
    # its day from the last day named before it (else the anchor's day); "le même jour" and "la
    # veille" need a day named before them; "deux mois plus tôt" counts back from the last date
    # named, "il y a deux ans" from the publication date.
    day = anchor.date.isoformat() if anchor and anchor.date else None
    named_day: str | None = None
    last: str | None = None
    dated: list[Timex] = []
    for x in found:
        value = x.value
        if x.type == "TIME" and value and value.startswith("T"):
            value = f"{day}{value}" if day else None
        elif value and value.startswith(_SAME_DAY):
            shift = int(value[len(_SAME_DAY) :])
            value = _moved(named_day, shift)
        elif value and value.startswith(_SHIFTED):
            base, unit, amount = value[len(_SHIFTED) :].split(":")
            start = Anchor.parse(published if base == "P" else last or published)
            value = _shift(start, unit, int(amount))
        if x.type == "DATE" and value and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value[:10]):
            day = named_day = value[:10]
        if x.type == "DATE" and value and value[:4].isdigit() and "/" not in value:
            last = value
        dated.append(Timex(x.start, x.end, x.text, x.type, value, x.mod))
    return dated


def _moved(day: str | None, shift: int) -> str | None:
    """``day`` moved by ``shift`` days; None when there is no day or it is no calendar day ("30 février")."""
    try:
        return (date.fromisoformat(day) + timedelta(days=shift)).isoformat() if day else None
    except ValueError:
        return None


def _shift(start: Anchor | None, unit: str, amount: int) -> str | None:
    """``start`` moved by ``amount`` units, at the precision of the unit."""
    if start is None:
        return None
    if unit == "Y":
        return f"{start.year + amount:04d}"
    if start.month is None:
        return None
    if unit == "M":
        y, m = divmod(start.year * 12 + start.month - 1 + amount, 12)
        return _ym(y, m + 1)
    if start.date is None:
        return None
    days = amount * (7 if unit == "S" else 1)
    moved = start.date + timedelta(days=days)
    return _iso_week(moved) if unit == "S" else moved.isoformat()

"""Jinja2 set-up: autoescaping always on, and the filters the templates share."""

from __future__ import annotations

import re

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader
from markupsafe import Markup, escape

from veille.serve.labels import (
    ALERT_LABELS,
    KIND_LABELS,
    MODALITY_LABELS,
    ROLE_LABELS,
    country_name,
    event_label,
    stage_label,
)
from veille.store.search import HIT_END, HIT_START

SAFE_URL = re.compile(r"^https?://", re.IGNORECASE)


def marked(snippet: str) -> Markup:
    """A search snippet with its matched words in <mark>: the text is escaped first, piece by piece."""
    out = Markup("")
    for i, part in enumerate(re.split(f"[{HIT_START}{HIT_END}]", snippet)):
        out += Markup("<mark>{}</mark>").format(part) if i % 2 else escape(part)
    return out


def safe_url(url: str | None) -> str | None:
    """The URL if it is plain http(s); a link to anything else (javascript:, data:) is not made."""
    return url if url and SAFE_URL.match(url) else None


SEASONS = {"SP": "printemps", "SU": "été", "FA": "automne", "WI": "hiver"}


def when(value: str | None) -> str:
    """A TIMEX-like date as an analyst reads it: seasons and quarters in words, an unknown year said."""
    if not value:
        return "date inconnue"
    if value.startswith("XXXX"):
        return f"{value[5:]} (année non précisée)"
    value = re.sub(r"(\d{4})-(SP|SU|FA|WI)", lambda m: f"{SEASONS[m.group(2)]} {m.group(1)}", value)
    value = re.sub(r"(\d{4})-Q([1-4])", r"T\2 \1", value)
    return value.replace("/", " – ")


def show(value: object) -> str:
    """A fact's field as text: lists joined, a value as "amount currency"."""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return " ".join(str(v) for v in value.values() if v is not None)
    return str(value)


def moment(value: str | None) -> str:
    """An ISO UTC time stamp to the minute, as a reader scans a list ("2026-11-23 14:58 UTC")."""
    if not value:
        return ""
    m = re.match(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(\+00:00|Z)?$", value)
    return f"{m.group(1)} {m.group(2)}{' UTC' if m.group(3) else ''}" if m else value


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("veille.serve", "templates"), autoescape=True)
    env.filters.update(
        country=country_name,
        stage=stage_label,
        event=event_label,
        kind=lambda k: KIND_LABELS.get(k, k),
        marked=marked,
        safe_url=safe_url,
        when=when,
        show=show,
        modality=lambda m: MODALITY_LABELS.get(m, m.lower()),
        role=lambda r: ROLE_LABELS.get(r, r.replace("_", " ")),
        alert_kind=lambda k: ALERT_LABELS.get(k, k.replace("_", " ")),
        moment=moment,
    )
    return env


templates = Jinja2Templates(env=_environment())

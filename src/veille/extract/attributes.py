"""Attributes of a fact found near its trigger: date, quantity, value, attribution, location."""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import cache

from spacy.tokens import Span, Token

from veille.extract.context import DocContext, lemma, patterns, tree_distance
from veille.models import Timex
from veille.resources import fold, lexicon

# Time expressions that never date an event: durations and ages, vague ones, and "depuis 2007".
NOT_EVENT_DATES = {"ON_OR_AFTER"}
TEMPORAL_CASES = {"apres", "avant", "depuis", "des"}
VALIDITY_LEADS = ("pour", "sur")


def day_of(tx: Timex | None) -> str | None:
    """A time expression's value as an event date: to the day at most.

    "tard dimanche soir" (2023-04-16TEV) dates a meeting to 2023-04-16.
    """
    if tx is None or tx.value is None:
        return None
    return tx.value.split("T")[0] if re.match(r"\d{4}-\d{2}-\d{2}T", tx.value) else tx.value


@cache
def _weekdays() -> set[str]:
    return {fold(w) for w in lexicon("time")["weekdays"]}


def planned_day(tx: Timex | None, mood: str, published: str | None) -> str | None:
    """The event date of a planned fact: a bare weekday names the coming one, not the last.

    The tagger resolves "mercredi" to the last Wednesday (news reports the past); in "doit
    rencontrer mercredi" the fact is to come, so the date is a week later when that lands
    after publication.
    """
    day = day_of(tx)
    if tx is None or day is None or mood != "PLANNED" or published is None or len(published) != 10:
        return day
    words = fold(tx.text).split()
    if not words or words[-1] not in _weekdays() or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day) or day >= published:
        return day
    later = (date.fromisoformat(day) + timedelta(days=7)).isoformat()
    return later if later >= published else day


def governing_timex(ctx: DocContext, trigger: Token, sent: Span, rivals: list[Token] | None = None) -> Timex | None:
    """The time expression that governs the trigger (see :func:`dated_by`)."""
    found = dated_by(ctx, trigger, sent, rivals)
    return None if found is None else found[0]


def dated_by(
    ctx: DocContext, trigger: Token, sent: Span, rivals: list[Token] | None = None
) -> tuple[Timex, int] | None:
    """The time expression that governs the trigger, with its distance to it in the parse.

    The nearest in the parse tree, and not nearer to another trigger of the sentence ("livrés lundi,
    cinq mois après la signature
    du contrat": Monday dates the delivery, not the contract).
    """
    best: tuple[int, int, Timex] | None = None
    # "cinq mois après la signature du contrat": a noun in a temporal phrase is the reference
    # point of another fact, not dated by its clause; only a date inside its own phrase counts.
    own = (
        {t.i for t in trigger.subtree}
        if trigger.pos_ in {"NOUN", "PROPN"}
        and any(c.dep_ == "case" and fold(c.lower_) in TEMPORAL_CASES for c in trigger.children)
        else None
    )
    for tx in ctx.timexes_in(sent):
        if tx.type not in {"DATE", "TIME"} or tx.value is None:
            continue
        if tx.mod in NOT_EVENT_DATES and fold(tx.text).startswith("depuis"):
            continue  # "depuis 2007" tells how long, not when; "à partir de 2027" tells when
        if "/" in tx.value and fold(tx.text).startswith(VALIDITY_LEADS):
            continue  # "le programme pour la période 2021-2031" is valid then, not signed then
        span = ctx.doc.char_span(tx.start, tx.end, alignment_mode="expand")
        if span is None:
            continue
        if own is not None and not any(t.i in own for t in span):
            continue
        distance = min(tree_distance(trigger, t) for t in span)
        if any(min(tree_distance(r, t) for t in span) < distance for r in rivals or [] if r.i != trigger.i):
            continue
        key = (distance, abs(span.start - trigger.i), tx)
        if best is None or key[:2] < best[:2]:
            best = key
    return None if best is None else (best[2], best[0])


@cache
def _number_words() -> dict[str, int]:
    return {fold(k): int(v) for k, v in lexicon("time")["numbers"].items()}


def _to_number(text: str) -> float | None:
    text = fold(text).replace("\u202f", "").replace(" ", "")
    if re.fullmatch(r"\d+(?:[.,]\d+)?", text):
        return float(text.replace(",", "."))
    return _number_words().get(text)


@cache
def _value_pattern() -> re.Pattern[str]:
    q = lexicon("quantities")
    scales = "|".join(sorted((re.escape(s) for s in q["scales"]), key=len, reverse=True))
    currencies = "|".join(sorted((re.escape(c) for c in q["currencies"]), key=len, reverse=True))
    return re.compile(
        rf"(?P<n>\d+(?:[.,]\d+)?)\s*(?P<scale>{scales})\.?\s*(?:de\s+|d['’])?\s*(?P<cur>{currencies})(?![\w])",
        re.IGNORECASE,
    )


def value(sent: Span) -> dict[str, object] | None:
    """A money amount stated in the sentence ("3 milliards de dollars", "5,43 mds $")."""
    q = lexicon("quantities")
    match = _value_pattern().search(sent.text)
    if not match:
        return None
    number = float(match["n"].replace(",", "."))
    amount = number * q["scales"][match["scale"].lower()]
    return {"amount": round(amount), "currency": q["currencies"][match["cur"].lower()]}


def quantity(sent: Span) -> tuple[int, str] | None:
    """A count of equipment ("six bataillons", "36 avions") in the sentence."""
    units = {fold(k): v for k, v in lexicon("quantities")["units"].items()}
    for token in sent:
        unit = units.get(fold(lemma(token)))
        if unit is None or token.pos_ != "NOUN":
            continue
        for child in token.children:
            if child.dep_ == "nummod" or child.like_num:
                n = _to_number(child.text)
                if n is not None and 1 <= n < 100000 and not re.fullmatch(r"(19|20)\d\d", child.text):
                    return int(n), unit
    return None


def attribution(ctx: DocContext, sent: Span) -> str | None:
    """Who the sentence reports: subject of a speech verb, or "selon X"."""
    speech = {fold(v) for v in patterns("triggers")["speech_verbs"]}
    for token in sent:
        if fold(lemma(token)) in speech and token.pos_ == "VERB":
            for child in token.children:
                if child.dep_ == "nsubj":
                    m = ctx.by_token.get(child.i)
                    if m is not None:
                        return m.name
    text = fold(sent.text)
    idx = text.find("selon ")
    if idx >= 0:
        for m in ctx.mentions:
            if sent.start_char + idx < m.start < sent.start_char + idx + 40:
                return m.name
    return None

"""Extract: (parsed document, linked mentions, time expressions) -> events.

Each extractor reads the dependency parse through :class:`DocContext`; trigger words, argument
frames and modality cues are data (``data/patterns``). Events of one document are merged so that
one fact is one event with all its evidence sentences.
"""

from __future__ import annotations

import re
from typing import Any

from spacy.tokens import Doc

from veille.extract.arms import extract_arms
from veille.extract.context import DocContext
from veille.extract.cooperation import (
    extract_agreements,
    extract_exercises,
    extract_meetings,
    extract_sanctions,
)
from veille.extract.merge import merge_events
from veille.link.kb import load_kb
from veille.models import Event, Mention, Timex

__all__ = ["extract"]


def extract(doc: Doc, mentions: list[Mention], timexes: list[Timex], published: str | None) -> list[Event]:
    """All events of one document, one per fact."""
    kb = load_kb()
    ctx = DocContext(doc, mentions, timexes, published)
    for m in mentions:
        entity = kb.get(m.entity_id)
        if m.kind == "system":
            ctx.kb_origin[m.entity_id] = entity.country if entity else None
            ctx.kb_family[m.entity_id] = str(entity.attrs.get("family", m.name)) if entity else m.name
            if entity is not None and entity.attrs.get("category"):
                ctx.kb_category[m.entity_id] = str(entity.attrs["category"])
        elif m.kind in {"person", "organization"}:
            # The state a person or a state agency acts for (an "EDD" purchase is China's).
            ctx.state_of[m.entity_id] = entity.country if entity else None
            ctx.person_roles[m.entity_id] = {r.role for r in entity.roles} if entity else set()
        elif m.kind == "place" and entity is not None:
            ctx.place_names[m.entity_id] = entity.name
    memory: dict[Any, Any] = {}
    events = extract_arms(ctx, memory)
    events += extract_meetings(ctx)
    events += extract_exercises(ctx)
    events += extract_sanctions(ctx)
    events += extract_agreements(ctx)
    merged = merge_events(events)
    _date_from_paragraph(ctx, merged)
    return merged


def _date_from_paragraph(ctx: DocContext, events: list[Event]) -> None:
    """Date an undated, established fact by the paragraph it is told in.

    News tells one occasion per paragraph: "Le 25 novembre, lors de la visite de Macron à
    Zagreb, … Le président s'est entretenu avec Plenković." The last day named earlier in the
    same paragraph dates the meeting. Planned and hedged facts keep no date: their date is
    rarely the occasion's.
    """
    text = ctx.text
    lead: list[str] | None = None  # found once, and only for a document that needs it
    for event in events:
        if event.when is not None or event.modality != "ASSERTED":
            continue
        for index in event.sentences:
            sentence = ctx.sentences[index]
            earlier = _days_between(ctx, text.rfind("\n\n", 0, sentence.start_char) + 1, sentence.start_char)
            if earlier:
                event.when = earlier[-1]
                break
        else:
            # A meeting or a pact told without a date is the occasion of the article's lead:
            # "Florence Parly a été reçue par son homologue" the day the lead names.
            if event.type in {"MEETING", "AGREEMENT"}:
                lead = _lead_days(ctx) if lead is None else lead
                event.when = lead[0] if lead else None


def _days_between(ctx: DocContext, start: int, end: int) -> list[str]:
    """Days (YYYY-MM-DD, no "fin"/"début" part) named between two offsets of the body, in order."""
    return [
        x.value[:10]
        for x in ctx.timexes
        if start <= x.start < end and x.value and re.fullmatch(r"\d{4}-\d{2}-\d{2}", x.value[:10]) and x.mod is None
    ]


def _lead_days(ctx: DocContext) -> list[str]:
    """Days named in the article's first paragraph of running text (its lead)."""
    text = ctx.text
    for sentence in ctx.sentences:
        if len(sentence) < 12:
            continue  # a headline or a caption, not the lead
        end = text.find("\n\n", sentence.end_char)
        return _days_between(ctx, text.rfind("\n\n", 0, sentence.start_char) + 1, len(text) if end < 0 else end)
    return []

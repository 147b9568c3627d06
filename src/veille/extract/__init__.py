"""Extract: (parsed document, linked mentions, time expressions) -> events.

Each extractor reads the dependency parse through :class:`DocContext`; trigger words, argument
frames and modality cues are data (``data/patterns``). Events of one document are merged so that
one fact is one event with all its evidence sentences.
"""

from __future__ import annotations

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
        elif m.kind in {"person", "organization"}:
            # The state a person or a state agency acts for (an "EDD" purchase is China's).
            ctx.person_country[m.entity_id] = entity.country if entity else None
        elif m.kind == "place" and entity is not None:
            ctx.place_names[m.entity_id] = entity.name
    memory: dict[Any, Any] = {}
    events = extract_arms(ctx, memory)
    events += extract_meetings(ctx)
    events += extract_exercises(ctx)
    events += extract_sanctions(ctx)
    events += extract_agreements(ctx)
    return merge_events(events)

"""Story view: everything the store knows that links one state to another, in date order.

Meetings and exercises reported by several articles are merged when their participants
overlap and their dates agree at the precision both give (an undated report joins a dated one).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select

from veille.store import schema as t

STATE_FIELDS = ("supplier", "recipient", "imposer", "target", "participants", "parties")


def _states(fields: dict[str, Any], person_country: dict[str, str]) -> set[str]:
    out: set[str] = set()
    for key in STATE_FIELDS:
        value = fields.get(key)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                out.add(person_country.get(item, item))
    return out


def _same_occasion(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if a["type"] != b["type"] or a["type"] not in {"MEETING", "EXERCISE"}:
        return False
    pa = set(a["fields"].get("participants") or [])
    pb = set(b["fields"].get("participants") or [])
    if not pa or not pb or len(pa & pb) * 2 < min(len(pa), len(pb)):
        return False
    la, lb = a["fields"].get("location"), b["fields"].get("location")
    if a["type"] == "EXERCISE" and la and lb and la != lb:
        return False  # two drills of the same navies in two seas are two exercises
    wa, wb = a["when"], b["when"]
    if not wa or not wb:
        return True
    n = min(len(wa), len(wb), 7)  # agree to the month at most: reports differ by a day or two
    return wa[:n] == wb[:n]


def timeline(conn: Connection, entity: str, other: str | None = None) -> list[dict[str, Any]]:
    """Events involving ``entity`` (ISO3), or linking it to ``other``, oldest first."""
    people = {
        r.name: r.country
        for r in conn.execute(select(t.entities.c.name, t.entities.c.country).where(t.entities.c.kind == "person"))
        if r.country
    }
    items: list[dict[str, Any]] = []
    # In a total order, so that ties in the date order come out alike on every database.
    by_position = (t.events.c.doc_id, t.events.c.trigger_start, t.events.c.id)
    for ev in conn.execute(select(t.events).order_by(*by_position)).mappings():
        fields = json.loads(ev["fields"])
        states = _states(fields, people)
        if entity not in states or (other is not None and other not in states):
            continue
        item = {
            "type": ev["type"],
            "fields": fields,
            "when": ev["when"],
            "modality": ev["modality"],
            "sources": [ev["doc_id"]],
        }
        for existing in items:
            if _same_occasion(existing, item):
                existing["sources"] = sorted(set(existing["sources"]) | {ev["doc_id"]})
                existing["when"] = existing["when"] or item["when"]
                break
        else:
            items.append(item)
    return sorted(items, key=lambda i: (i["when"] is None, i["when"] or "", i["type"]))

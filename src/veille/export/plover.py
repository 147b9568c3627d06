"""Events as PLOVER-style JSON: event type, mode, actors, date and the source sentence.

PLOVER (the successor of CAMEO) codes *what happened between whom*. veille's facts map onto it
as follows, the veille type, stage and modality riding along so that nothing is lost:

=================================  ===========  ==========
veille                             PLOVER type  mode
=================================  ===========  ==========
ARMS_TRANSFER offer/interest/talks CONSULT      (none)
ARMS_TRANSFER contract             AGREE        (none)
ARMS_TRANSFER payment/delivery     AID          military
ARMS_TRANSFER suspension           SANCTION     (none)
MEETING                            CONSULT      visit / multilateral
EXERCISE                           COOPERATE    military
SANCTION                           SANCTION     (none)
AGREEMENT                          AGREE        (none)
=================================  ===========  ==========

PLOVER codes events that took place: a fact veille marks PLANNED, POSSIBLE or DENIED is
exported with that ``modality`` so a user can keep or drop it.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from sqlalchemy import Connection, select

from veille.export.sipri import country_name
from veille.store import schema as t

ARMS = {
    "OFFER": ("CONSULT", None),
    "INTEREST": ("CONSULT", None),
    "NEGOTIATION": ("CONSULT", None),
    "CONTRACT": ("AGREE", None),
    "PAYMENT": ("AID", "military"),
    "DELIVERY": ("AID", "military"),
    "SUSPENSION": ("SANCTION", None),
}


def actor_countries(conn: Connection) -> dict[str, str]:
    """State of each person or organisation by name (participants are stored by name)."""
    rows = conn.execute(
        select(t.entities.c.name, t.entities.c.country).where(t.entities.c.kind.in_(["person", "organization"]))
    )
    return {r.name: r.country for r in rows if r.country}


def _actor(name: str, countries: dict[str, str]) -> dict[str, Any]:
    if len(name) == 3 and name.isupper():
        return {"name": country_name(name), "country": name, "kind": "state"}
    return {"name": name, "country": countries.get(name), "kind": "person_or_org"}


def _code(kind: str, fields: dict[str, Any], actors: list[dict[str, Any]]) -> tuple[str, str | None, list[str]]:
    if kind == "ARMS_TRANSFER":
        event_type, mode = ARMS.get(fields.get("stage") or "", ("CONSULT", None))
        return event_type, mode, ["military", "arms_transfer"]
    if kind == "MEETING":
        states = {a["country"] for a in actors if a["country"]}
        mode = "multilateral" if len(states) > 2 else ("visit" if fields.get("location") else None)
        return "CONSULT", mode, ["diplomatic"]
    if kind == "EXERCISE":
        return "COOPERATE", "military", ["military", "exercise"]
    if kind == "SANCTION":
        return "SANCTION", None, ["economic", "military"]
    return "AGREE", None, ["military"]


def plover_events(conn: Connection) -> list[dict[str, Any]]:
    """Every stored event as one PLOVER-style record, in document order."""
    countries = actor_countries(conn)
    docs = {
        r.id: r
        for r in conn.execute(select(t.documents.c.id, t.documents.c.url, t.documents.c.published, t.documents.c.title))
    }
    sentences: dict[tuple[str, int], str] = {
        (r.doc_id, r.idx): r.text
        for r in conn.execute(select(t.sentences.c.doc_id, t.sentences.c.idx, t.sentences.c.text))
    }
    out = []
    query = select(t.events).order_by(t.events.c.doc_id, t.events.c.trigger_start, t.events.c.id)
    for ev in conn.execute(query).mappings():
        f = json.loads(ev["fields"])
        if ev["type"] == "ARMS_TRANSFER":
            names, target_names = [f.get("supplier")], [f.get("recipient")]
        elif ev["type"] == "SANCTION":
            names, target_names = [f.get("imposer")], [f.get("target")]
        else:
            people = list(f.get("participants") or f.get("parties") or [])
            names, target_names = people[:1], people[1:]
        source = [_actor(n, countries) for n in names if n]
        target = [_actor(n, countries) for n in target_names if n]
        event_type, mode, context = _code(ev["type"], f, source + target)
        doc = docs.get(ev["doc_id"])
        out.append(
            {
                "id": ev["id"],
                "event_type": event_type,
                "mode": mode,
                "context": context,
                "date": ev["when"],
                "source_actor": source[0] if source else None,
                "target_actors": target,
                "location": f.get("location"),
                "event_text": " ".join(
                    sentences[(ev["doc_id"], i)] for i in json.loads(ev["sentences"]) if (ev["doc_id"], i) in sentences
                ),
                "story_id": ev["doc_id"],
                "url": doc.url if doc else None,
                "publication_date": doc.published if doc else None,
                "language": "fr",
                "modality": ev["modality"],
                "veille": {
                    "type": ev["type"],
                    "stage": ev["stage"],
                    "system": ev["system"],
                    "fields": f,
                    "trigger": ev["trigger"],
                    "confidence": ev["confidence"],
                    "attribution": ev["attribution"],
                },
            }
        )
    return out


def write_plover(conn: Connection, out: TextIO) -> int:
    """Write every event as a JSON array of PLOVER-style records; returns the count."""
    rows = plover_events(conn)
    json.dump(rows, out, ensure_ascii=False, indent=1)
    out.write("\n")
    return len(rows)

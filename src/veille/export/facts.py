"""Document facts: one JSON object per document, the format ``veille eval`` scores.

The format is described in ``docs/document-facts.md``. Scored fields come first; evidence
(sentence text, trigger, confidence, entity ids) rides along as extra fields.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import Connection, select

from veille.link.kb import load_kb
from veille.store import schema as t

CATEGORY = {"country": "countries", "person": "people", "organization": "organizations", "system": "systems"}
ORDER = {
    "ARMS_TRANSFER": ["supplier", "recipient", "system", "stage"],
    "MEETING": ["participants", "location"],
    "EXERCISE": ["participants", "location"],
    "SANCTION": ["imposer", "target", "instrument"],
    "AGREEMENT": ["parties", "subject"],
}


def _display_path(path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return path


def document_facts(conn: Connection) -> Iterator[dict[str, Any]]:
    """Facts of every processed document, in id order."""
    # Ministries are how states act ("le ministère russe de la Défense"), not organisations a
    # reader tracks: like capitals standing for states, they are kept as mentions only.
    ministries = {e.id for e in load_kb().entities.values() if e.attrs.get("kind") == "ministry"}
    docs = conn.execute(select(t.documents).where(t.documents.c.status == "processed").order_by(t.documents.c.id))
    for doc in docs.mappings():
        doc_id = doc["id"]
        entities: dict[str, list[str]] = {c: [] for c in CATEGORY.values()}
        ids: dict[str, list[str]] = {c: [] for c in CATEGORY.values()}
        mention_rows = conn.execute(
            select(t.mentions.c.entity_id, t.mentions.c.kind, t.entities.c.name)
            # Capitals used as places are no state mention; organisations only spaCy saw stay
            # in the store for review but are not asserted as facts.
            .where(t.mentions.c.via != "location")
            .where(~((t.mentions.c.kind == "organization") & (t.mentions.c.via == "ner")))
            .join(t.entities, t.entities.c.id == t.mentions.c.entity_id)
            .where(t.mentions.c.doc_id == doc_id)
            .order_by(t.mentions.c.start, t.mentions.c.end)  # a total order: the same on every database
        )
        for entity_id, kind, name in mention_rows:
            cat = CATEGORY.get(kind)
            if entity_id in ministries:
                continue
            if cat and name not in entities[cat]:
                entities[cat].append(name)
                ids[cat].append(entity_id)
        sentences = {
            r.idx: r.text
            for r in conn.execute(select(t.sentences.c.idx, t.sentences.c.text).where(t.sentences.c.doc_id == doc_id))
        }
        events = []
        by_position = (t.events.c.trigger_start, t.events.c.trigger_end, t.events.c.id)
        rows = conn.execute(select(t.events).where(t.events.c.doc_id == doc_id).order_by(*by_position))
        for ev in rows.mappings():
            fields = json.loads(ev["fields"])
            out: dict[str, Any] = {"type": ev["type"]}
            for key in ORDER[ev["type"]]:
                if key in fields and (fields[key] is not None or key == "system"):
                    out[key] = fields[key]
            out["modality"] = ev["modality"]
            if ev["when"]:
                out["when"] = ev["when"]
            for key in ("quantity", "unit", "value", "order"):
                if fields.get(key) is not None:
                    out[key] = fields[key]
            out["evidence"] = [sentences.get(i, "") for i in json.loads(ev["sentences"])]
            out["trigger"] = ev["trigger"]
            out["confidence"] = round(ev["confidence"], 2)
            if ev["attribution"]:
                out["attribution"] = ev["attribution"]
            events.append(out)
        yield {
            "id": doc_id,
            "file": _display_path(doc["path"]),
            "lang": doc["lang"],
            "published": doc["published"],
            "title": doc["title"],
            "body": doc["body"],
            "entities": entities,
            "events": events,
            "entity_ids": ids,
            "source": doc["source"],
            "inferred_year": doc["inferred_year"],
        }


def write_facts(conn: Connection, out: TextIO) -> int:
    """Write every document's facts as JSONL; returns the number of documents."""
    n = 0
    for facts in document_facts(conn):
        out.write(json.dumps(facts, ensure_ascii=False) + "\n")
        n += 1
    return n

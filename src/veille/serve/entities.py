"""Entities as an analyst asks about them, and the network of states.

An entity is found by any of its names: the knowledge base's aliases (accent- and
case-insensitive) as well as the name stored with it. What an entity page shows depends on
its kind: a state's deals as supplier and as recipient, its meetings and sanctions; a
person's roles and meetings; a system's deals.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from itertools import combinations
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, or_, select

from veille.link import load_kb
from veille.resources import fold
from veille.serve.labels import country_name
from veille.serve.queries import DEAL_COLUMNS, Page, _deal_item, _evidence
from veille.store import schema as t

MEETING_TYPES = ("MEETING", "EXERCISE", "AGREEMENT")
EVENT_TYPES = ("ARMS_TRANSFER", "SANCTION", *MEETING_TYPES)
MAX_LISTED = 100  # mentions, documents and events shown with one entity
MAX_ALIAS_MATCHES = 500


def alias_matches(query: str) -> set[str]:
    """Ids of knowledge-base entities one of whose names contains ``query`` (folded)."""
    needle = fold(query.strip())
    if not needle:
        return set()
    kb = load_kb()
    # At a word start: "inde" finds "Inde" and "l'Inde", not "blindé".
    starts = re.compile(r"(?<!\w)" + re.escape(needle))
    found = {s.entity_id for s in kb.surfaces if starts.search(fold(s.text))}
    found |= {e.id for e in kb.entities.values() if starts.search(fold(e.name))}
    return set(sorted(found)[:MAX_ALIAS_MATCHES])


def entity_label(kind: str, name: str) -> str:
    return f"{country_name(name)} ({name})" if kind == "country" else name


def list_entities(conn: Connection, q: str | None, kind: str | None, page: int = 1, per_page: int = 50) -> Page:
    """Stored entities, those most mentioned first; ``q`` matches any alias or the stored name."""
    en, m = t.entities.c, t.mentions.c
    conds: list[ColumnElement[bool]] = []
    if q:
        ids = alias_matches(q)
        ids |= {iso for iso in _country_ids(conn) if fold(q.strip()) in fold(country_name(iso))}
        conds.append(or_(en.id.in_(sorted(ids)), en.name.ilike(f"%{q.strip()}%", escape="\\")))
    if kind:
        conds.append(en.kind == kind)
    n = select(func.count()).where(m.entity_id == en.id).correlate(t.entities).scalar_subquery()
    query = select(en.id, en.kind, en.name, en.country, n.label("mentions")).where(*conds).order_by(n.desc(), en.id)
    total = conn.execute(select(func.count()).select_from(t.entities).where(*conds)).scalar_one()
    rows = [dict(r) for r in conn.execute(query.limit(per_page).offset((page - 1) * per_page)).mappings()]
    for r in rows:
        r["label"] = entity_label(r["kind"], r["name"])
    return Page(rows, total, page, per_page)


def _country_ids(conn: Connection) -> list[str]:
    return [r[0] for r in conn.execute(select(t.entities.c.id).where(t.entities.c.kind == "country"))]


def _deals(conn: Connection, *conds: ColumnElement[bool]) -> dict[str, Any]:
    """The newest MAX_LISTED deals matching ``conds`` and how many there are (the table pages the rest)."""
    d = t.deals.c
    total = conn.execute(select(func.count()).select_from(t.deals).where(*conds)).scalar_one()
    rows = conn.execute(
        select(*[d[c] for c in DEAL_COLUMNS])
        .where(*conds)
        .order_by(t.DEAL_UNDATED, d.latest_when.desc(), d.id)
        .limit(MAX_LISTED)
    ).mappings()
    return {"total": total, "items": [_deal_item(dict(r)) for r in rows]}


def _events_naming(conn: Connection, types: tuple[str, ...], names: list[str]) -> list[dict[str, Any]]:
    """Events of ``types`` whose fields name any of ``names`` (a state code or a person's name)."""
    if not names:
        return []
    e = t.events.c
    named = or_(*[e.fields.contains(json.dumps(n, ensure_ascii=False), autoescape=True) for n in names])
    rows = [
        dict(r)
        for r in conn.execute(
            select(t.events).where(e.type.in_(types), named).order_by(e.when.is_(None), e.when).limit(MAX_LISTED)
        ).mappings()
    ]
    return _evidence(conn, rows)


def get_entity(conn: Connection, entity_id: str) -> dict[str, Any] | None:
    """One entity with its mentions, and by kind its deals, meetings, sanctions or roles."""
    row = conn.execute(select(t.entities).where(t.entities.c.id == entity_id)).mappings().first()
    if row is None:
        return None
    entity = dict(row)
    entity["label"] = entity_label(entity["kind"], entity["name"])
    known = load_kb().get(entity_id)
    entity["aliases"] = sorted({s.text for s in load_kb().surfaces if s.entity_id == entity_id})[:40] if known else []
    m, d = t.mentions.c, t.documents.c
    entity["mention_count"] = conn.execute(
        select(func.count()).select_from(t.mentions).where(m.entity_id == entity_id)
    ).scalar_one()
    entity["documents"] = [
        dict(r)
        for r in conn.execute(
            select(d.id, d.title, d.published, func.count().label("mentions"))
            .select_from(t.mentions.join(t.documents, d.id == m.doc_id))
            .where(m.entity_id == entity_id)
            .group_by(d.id, d.title, d.published)
            .order_by(d.published.is_(None), d.published.desc(), d.id)
            .limit(MAX_LISTED)
        ).mappings()
    ]
    entity["mentions"] = [
        dict(r)
        for r in conn.execute(
            select(m.doc_id, m.start, m.end, m.text, m.sentence, m.via)
            .where(m.entity_id == entity_id)
            .order_by(m.doc_id, m.start)
            .limit(MAX_LISTED)
        ).mappings()
    ]
    kind = entity["kind"]
    if kind == "country":
        iso = entity["name"]
        people = [
            r[0]
            for r in conn.execute(
                select(t.entities.c.name).where(t.entities.c.kind == "person", t.entities.c.country == iso)
            )
        ]
        entity["deals_as_supplier"] = _deals(conn, t.deals.c.supplier == iso)
        entity["deals_as_recipient"] = _deals(conn, t.deals.c.recipient == iso)
        entity["meetings"] = _events_naming(conn, MEETING_TYPES, [iso, *people])
        entity["sanctions"] = _events_naming(conn, ("SANCTION",), [iso])
    elif kind == "person":
        entity["roles"] = [
            {
                "role": r.role,
                "country": r.country,
                "country_name": country_name(r.country) if r.country else None,
                "start": r.start,
                "end": r.end,
            }
            for r in (known.roles if known else ())
        ]
        entity["meetings"] = _events_naming(conn, MEETING_TYPES, [entity["name"]])
        entity["events"] = entity["meetings"]
    elif kind == "system":
        family = str(known.attrs.get("family", entity["name"])) if known else entity["name"]
        names = sorted({entity["name"], family})
        entity["family"] = family
        entity["deals"] = _deals(conn, or_(t.deals.c.system.in_(names), t.deals.c.family.in_(names)))
        e = t.events.c
        rows = conn.execute(
            select(t.events)
            .where(or_(e.system.in_(names), e.family.in_(names)))
            .order_by(e.when.is_(None), e.when)
            .limit(MAX_LISTED)
        ).mappings()
        entity["events"] = _evidence(conn, [dict(r) for r in rows])
    if kind == "country":
        entity["events"] = entity["meetings"] + entity["sanctions"]
    elif "events" not in entity:
        # Facts name states by code, everything else by canonical name.
        entity["events"] = _events_naming(conn, EVENT_TYPES, [entity["name"]])
    return entity


def network(conn: Connection, year: int | None = None) -> dict[str, Any]:
    """States as nodes; arms deals (supplier -> recipient) and meetings (between states) as weighted edges.

    With ``year``, a deal counts when one of its stages is dated that year, a meeting when it is.
    """
    arms: Counter[tuple[str, str]] = Counter()
    d = t.deals.c
    if year is None:
        for r in conn.execute(select(d.supplier, d.recipient, func.count()).group_by(d.supplier, d.recipient)):
            arms[(r[0], r[1])] = r[2]
    else:
        # A deal's stage dates live in its detail; only a year filter needs them.
        for r in conn.execute(select(d.supplier, d.recipient, d.detail)):
            stages = json.loads(r.detail)["stages"]
            if any((s["when"] or "").startswith(f"{year:04d}") for s in stages):
                arms[(r.supplier, r.recipient)] += 1
    people = {
        r.name: r.country
        for r in conn.execute(select(t.entities.c.name, t.entities.c.country).where(t.entities.c.kind == "person"))
        if r.country
    }
    e = t.events.c
    query = select(e.fields).where(e.type.in_(MEETING_TYPES))
    if year is not None:
        query = query.where(e.when.startswith(f"{year:04d}"))
    meetings: Counter[tuple[str, str]] = Counter()
    for r in conn.execute(query):
        fields = json.loads(r.fields)
        names = [*(fields.get("participants") or []), *(fields.get("parties") or [])]
        states = {people.get(n, n) for n in names if isinstance(n, str)}
        states = {s for s in states if len(s) == 3 and s.isupper()}
        for a, b in combinations(sorted(states), 2):
            meetings[(a, b)] += 1
    degree: Counter[str] = Counter()
    for (a, b), w in [*arms.items(), *meetings.items()]:
        degree[a] += w
        degree[b] += w
    nodes = [{"id": s, "name": country_name(s), "weight": w} for s, w in sorted(degree.items())]
    edges = [{"source": a, "target": b, "kind": "arms", "weight": w} for (a, b), w in sorted(arms.items())]
    edges += [{"source": a, "target": b, "kind": "meeting", "weight": w} for (a, b), w in sorted(meetings.items())]
    return {"year": year, "nodes": nodes, "edges": edges}


def network_years(conn: Connection) -> list[int]:
    """Years some event is dated in, newest first (the network's year filter)."""
    rows = conn.execute(select(func.substr(t.events.c.when, 1, 4)).distinct())
    return sorted((int(r[0]) for r in rows if r[0] and r[0].isdigit()), reverse=True)

"""Read queries behind the API and the pages: deals, documents and events, one page at a time.

Every list is a :class:`Page` (items, total, page number, page size) so the API and the
pages paginate the same way; every detail returns None when the id is unknown, and the
caller turns that into a 404.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, case, func, or_, select

from veille.consolidate import STAGE_ORDER
from veille.consolidate.deals import _assign_orders
from veille.serve.labels import country_name
from veille.store import schema as t
from veille.store.search import matching_ids

MAX_PER_PAGE = 200
EVIDENCE_CHUNK = 200


@dataclass(frozen=True)
class Page:
    """One page of a list, with what it takes to ask for the others."""

    items: list[dict[str, Any]]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def as_dict(self) -> dict[str, Any]:
        return {"items": self.items, "total": self.total, "page": self.page, "per_page": self.per_page}


def _paged(conn: Connection, query: Any, page: int, per_page: int) -> tuple[int, list[dict[str, Any]]]:
    total = conn.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    rows = conn.execute(query.limit(per_page).offset((page - 1) * per_page)).mappings()
    return total, [dict(r) for r in rows]


# ---------------------------------------------------------------- deals

DEAL_COLUMNS = (
    "id",
    "supplier",
    "recipient",
    "system",
    "family",
    "order_no",
    "latest_stage",
    "latest_when",
    "n_sources",
)
_stage_rank = case({s: i for i, s in enumerate(STAGE_ORDER)}, value=t.deals.c.latest_stage, else_=len(STAGE_ORDER))
DEAL_SORTS: dict[str, Any] = {
    "date": t.deals.c.latest_when,
    "supplier": t.deals.c.supplier,
    "recipient": t.deals.c.recipient,
    "system": t.deals.c.system,
    "stage": _stage_rank,
    "sources": t.deals.c.n_sources,
}


@dataclass(frozen=True)
class DealFilter:
    """What the deals table can be narrowed to; every field optional."""

    country: str | None = None  # supplier or recipient
    supplier: str | None = None
    recipient: str | None = None
    system: str | None = None  # system or family name
    stage: str | None = None  # latest established stage
    year: int | None = None  # year of the latest stage

    def conditions(self) -> list[ColumnElement[bool]]:
        d = t.deals.c
        out: list[ColumnElement[bool]] = []
        if self.country:
            out.append(or_(d.supplier == self.country.upper(), d.recipient == self.country.upper()))
        if self.supplier:
            out.append(d.supplier == self.supplier.upper())
        if self.recipient:
            out.append(d.recipient == self.recipient.upper())
        if self.system:
            out.append(or_(d.system == self.system, d.family == self.system))
        if self.stage:
            out.append(d.latest_stage == self.stage.upper())
        if self.year:
            out.append(d.latest_when.like(f"{self.year:04d}%"))
        return out


def _deal_item(row: dict[str, Any]) -> dict[str, Any]:
    item = dict(row)
    item["order"] = item.pop("order_no")
    item["supplier_name"] = country_name(item["supplier"])
    item["recipient_name"] = country_name(item["recipient"])
    return item


def list_deals(
    conn: Connection, where: DealFilter, sort: str = "date", desc: bool = True, page: int = 1, per_page: int = 50
) -> Page:
    """Deals matching ``where``, sorted by one of DEAL_SORTS (newest first by default)."""
    key = DEAL_SORTS[sort]
    d = t.deals.c
    # Deals without a date, or whose year the sources never gave ("XXXX-10-08"), go last either way
    # (newest first walks the ix_deals_by_date index).
    query = (
        select(*[d[c] for c in DEAL_COLUMNS])
        .where(*where.conditions())
        .order_by(*([t.DEAL_UNDATED] if sort == "date" else []), key.desc() if desc else key.asc(), d.id)
    )
    total, rows = _paged(conn, query, page, per_page)
    return Page([_deal_item(r) for r in rows], total, page, per_page)


def deal_facets(conn: Connection) -> dict[str, list[Any]]:
    """The values the deals table can be filtered on: states, systems, stages, years present."""
    d = t.deals.c
    states = {r[0] for r in conn.execute(select(d.supplier).distinct())} | {
        r[0] for r in conn.execute(select(d.recipient).distinct())
    }
    systems = sorted(r[0] for r in conn.execute(select(d.system).distinct()))
    stages = {r[0] for r in conn.execute(select(d.latest_stage).distinct())}
    # Distinct dates walk an index; cutting them to years in SQL would sort every deal.
    years = {r[0][:4] for r in conn.execute(select(d.latest_when).distinct()) if r[0]}
    return {
        "countries": sorted(((s, country_name(s)) for s in states), key=lambda x: x[1]),
        "systems": systems,
        "stages": [s for s in STAGE_ORDER if s in stages],
        "years": sorted((int(y) for y in years if y.isdigit()), reverse=True),
    }


def _evidence(conn: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Events with their evidence sentences and the title of their document."""
    wanted: dict[str, set[int]] = {}
    for r in rows:
        wanted.setdefault(r["doc_id"], set()).update(json.loads(r["sentences"]))
    texts: dict[tuple[str, int], str] = {}
    s = t.sentences.c
    docs_wanted = sorted(wanted)
    # One (doc_id = ? AND idx IN ...) term per document: SQLite walks the primary key for each,
    # where a row-value IN over (doc_id, idx) pairs scans the whole table. Chunked: SQLite
    # bounds the depth of an expression.
    for start in range(0, len(docs_wanted), EVIDENCE_CHUNK):
        terms = [and_(s.doc_id == d, s.idx.in_(sorted(wanted[d]))) for d in docs_wanted[start : start + EVIDENCE_CHUNK]]
        for r in conn.execute(select(s.doc_id, s.idx, s.text).where(or_(*terms))):
            texts[(r.doc_id, r.idx)] = r.text
    doc_ids = sorted({r["doc_id"] for r in rows})
    docs = {
        r.id: r
        for r in conn.execute(
            select(t.documents.c.id, t.documents.c.title, t.documents.c.published, t.documents.c.source).where(
                t.documents.c.id.in_(doc_ids)
            )
        )
    }
    out = []
    for r in rows:
        doc = docs.get(r["doc_id"])
        out.append(
            {
                "event_id": r["id"],
                "type": r["type"],
                "stage": r["stage"],
                "modality": r["modality"],
                "when": r["when"],
                "trigger": r["trigger"],
                "fields": json.loads(r["fields"]),
                "doc_id": r["doc_id"],
                "doc_title": doc.title if doc else None,
                "doc_published": doc.published if doc else None,
                "doc_source": doc.source if doc else None,
                "sentences": [{"idx": i, "text": texts.get((r["doc_id"], i), "")} for i in json.loads(r["sentences"])],
            }
        )
    return out


def get_deal(conn: Connection, deal_id: str) -> dict[str, Any] | None:
    """One deal: its stored detail (stage timeline, values, quantities, conflicts) and its evidence."""
    row = conn.execute(select(t.deals.c.detail).where(t.deals.c.id == deal_id)).first()
    if row is None:
        return None
    deal = json.loads(row[0])
    e = t.events.c
    family = deal["family"]
    rows = [
        dict(r)
        for r in conn.execute(
            select(t.events).where(
                e.type == "ARMS_TRANSFER",
                e.supplier == deal["supplier"],
                e.recipient == deal["recipient"],
                or_(e.family == family, and_(e.family.is_(None), e.system == family)),
                e.doc_id.in_(deal["sources"]),
            )
        ).mappings()
    ]
    # The same split into orders as consolidation made, so a deal shows only its own order's evidence.
    mine = _assign_orders(rows).get(deal["order"], [])
    evidence = _evidence(conn, mine)
    evidence.sort(key=lambda x: (STAGE_ORDER.index(x["stage"]) if x["stage"] in STAGE_ORDER else 99, x["when"] or ""))
    conflicting = {c["field"] for c in deal["conflicts"]}
    for v in deal["values"]:
        v["conflict"] = f"value ({v['currency']})" in conflicting
    for q in deal["quantities"]:
        q["conflict"] = f"quantity ({q['unit']})" in conflicting
    deal["supplier_name"] = country_name(deal["supplier"])
    deal["recipient_name"] = country_name(deal["recipient"])
    deal["evidence"] = evidence
    titles = {x["doc_id"]: x["doc_title"] for x in evidence}
    deal["source_titles"] = {s: titles.get(s) for s in deal["sources"]}
    return deal


# ---------------------------------------------------------------- documents

DOCUMENT_COLUMNS = ("id", "title", "published", "source", "lang", "url", "status", "duplicate_of", "kind")


@dataclass(frozen=True)
class DocumentFilter:
    """Document list filters: full text, publication date range (ISO prefixes), source, language."""

    q: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    source: str | None = None
    lang: str | None = None


def list_documents(conn: Connection, where: DocumentFilter, page: int = 1, per_page: int = 50) -> Page:
    """Documents, newest publication first (undated last)."""
    d = t.documents.c
    conds: list[ColumnElement[bool]] = []
    if where.q:
        conds.append(d.id.in_(matching_ids(conn, where.q)))
    if where.date_from:
        conds.append(d.published >= where.date_from)
    if where.date_to:
        conds.append(or_(d.published <= where.date_to, d.published.startswith(where.date_to)))
    if where.source:
        conds.append(d.source == where.source)
    if where.lang:
        conds.append(d.lang == where.lang)
    query = (
        select(*[d[c] for c in DOCUMENT_COLUMNS])
        .where(*conds)
        .order_by(d.published.is_(None), d.published.desc(), d.id)
    )
    total, rows = _paged(conn, query, page, per_page)
    return Page(rows, total, page, per_page)


def get_document(conn: Connection, doc_id: str) -> dict[str, Any] | None:
    """One document: metadata, cleaned text, sentences, mentions, events, time expressions, furniture."""
    d = t.documents.c
    row = (
        conn.execute(
            select(
                *[d[c] for c in DOCUMENT_COLUMNS], d.body, d.lines, d.author, d.ingested_at, d.published_precision
            ).where(d.id == doc_id)
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    doc = dict(row)
    lines = json.loads(doc.pop("lines"))
    doc["furniture"] = [ln for ln in lines if ln["label"] == "boilerplate"]
    s = t.sentences.c
    doc["sentences"] = [
        dict(r)
        for r in conn.execute(
            select(s.idx, s.start, s.end, s.text).where(s.doc_id == doc_id).order_by(s.idx)
        ).mappings()
    ]
    m, en = t.mentions.c, t.entities.c
    doc["mentions"] = [
        dict(r)
        for r in conn.execute(
            select(m.start, m.end, m.text, m.sentence, m.entity_id, m.kind, m.via, en.name)
            .select_from(t.mentions.outerjoin(t.entities, en.id == m.entity_id))
            .where(m.doc_id == doc_id)
            .order_by(m.start)
        ).mappings()
    ]
    e = t.events.c
    doc["events"] = [
        {
            **dict(r),
            "fields": json.loads(r["fields"]),
            "sentences": json.loads(r["sentences"]),
            "arguments": json.loads(r["arguments"] or "{}"),
        }
        for r in conn.execute(
            select(
                e.id,
                e.type,
                e.stage,
                e.modality,
                e.when,
                e.fields,
                e.sentences,
                e.trigger,
                e.trigger_start,
                e.trigger_end,
                e.confidence,
                e.attribution,
                e.arguments,
            )
            .where(e.doc_id == doc_id)
            .order_by(e.trigger_start)
        ).mappings()
    ]
    x = t.timexes.c
    doc["timexes"] = [
        dict(r)
        for r in conn.execute(
            select(x.start, x.end, x.text, x.type, x.value).where(x.doc_id == doc_id).order_by(x.start)
        ).mappings()
    ]
    doc["copies"] = [r[0] for r in conn.execute(select(d.id).where(d.duplicate_of == doc_id).order_by(d.id))]
    return doc


# ---------------------------------------------------------------- events

EVENT_COLUMNS = ("id", "doc_id", "type", "stage", "supplier", "recipient", "system", "modality", "when", "trigger")


@dataclass(frozen=True)
class EventFilter:
    """Event list filters: type, stage, modality, an actor (state code or name), a system, a date range."""

    type: str | None = None
    stage: str | None = None
    modality: str | None = None
    actor: str | None = None
    system: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    doc_id: str | None = None


def list_events(conn: Connection, where: EventFilter, page: int = 1, per_page: int = 50) -> Page:
    """Events, in date order (undated last)."""
    e = t.events.c
    conds: list[ColumnElement[bool]] = []
    if where.type:
        conds.append(e.type == where.type.upper())
    if where.stage:
        conds.append(e.stage == where.stage.upper())
    if where.modality:
        conds.append(e.modality == where.modality.upper())
    if where.actor:
        # A state is a column of transfers; imposers, targets and participants live in the JSON fields.
        conds.append(
            or_(
                e.supplier == where.actor.upper(),
                e.recipient == where.actor.upper(),
                e.fields.contains(json.dumps(where.actor, ensure_ascii=False), autoescape=True),
            )
        )
    if where.system:
        conds.append(or_(e.system == where.system, e.family == where.system))
    if where.date_from:
        conds.append(e.when >= where.date_from)
    if where.date_to:
        conds.append(or_(e.when <= where.date_to, e.when.startswith(where.date_to)))
    if where.doc_id:
        conds.append(e.doc_id == where.doc_id)
    query = select(*[e[c] for c in EVENT_COLUMNS], e.fields).where(*conds).order_by(e.when.is_(None), e.when, e.id)
    total, rows = _paged(conn, query, page, per_page)
    for r in rows:
        r["fields"] = json.loads(r["fields"])
    return Page(rows, total, page, per_page)


def get_event(conn: Connection, event_id: str) -> dict[str, Any] | None:
    """One event with its evidence sentences and its document."""
    row = conn.execute(select(t.events).where(t.events.c.id == event_id)).mappings().first()
    if row is None:
        return None
    (item,) = _evidence(conn, [dict(row)])
    return {
        **item,
        "confidence": row["confidence"],
        "attribution": row["attribution"],
        "arguments": json.loads(row["arguments"] or "{}"),
        "id": row["id"],
    }

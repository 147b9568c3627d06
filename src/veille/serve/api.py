"""JSON API under ``/api``: every list paginated, every item at ``/api/<kind>/{id}``.

Query parameters are validated by FastAPI (a bad one is a 422 naming the parameter and the
reason); an unknown id is a 404 naming it. OpenAPI documentation is at ``/docs``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy import Connection

from veille.consolidate import STAGE_ORDER
from veille.serve import entities as ent
from veille.serve import queries as q
from veille.serve.app import token_ok
from veille.serve.writes import Article, Refused, ingest_article
from veille.store.search import HIT_END, HIT_START, search_documents

router = APIRouter()

DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"
Stage = Literal[tuple(STAGE_ORDER)]  # type: ignore[valid-type]
EventType = Literal["ARMS_TRANSFER", "MEETING", "EXERCISE", "SANCTION", "AGREEMENT"]
Modality = Literal["ASSERTED", "PLANNED", "POSSIBLE", "DENIED"]
EntityKind = Literal["country", "person", "organization", "system", "place"]
PageNo = Annotated[int, Query(ge=1, le=100_000, description="Page number, from 1.")]
PerPage = Annotated[int, Query(ge=1, le=q.MAX_PER_PAGE, description="Items per page.")]
Iso3 = Annotated[str | None, Query(pattern=r"^[A-Za-z]{3}$", description="ISO 3166 alpha-3 code of a state.")]
DateParam = Annotated[str | None, Query(pattern=DATE, description="YYYY, YYYY-MM or YYYY-MM-DD.")]
Text = Annotated[str | None, Query(min_length=1, max_length=200)]


def db(request: Request) -> Iterator[Connection]:
    """A connection to the store for one request."""
    with request.app.state.engine.connect() as conn:
        yield conn


Conn = Annotated[Connection, Depends(db)]


def _json(content: Any) -> JSONResponse:
    """The answer as JSON as it is: FastAPI's validation of an untyped dict costs more than the query."""
    return JSONResponse(content)


def _found(item: dict[str, Any] | None, kind: str, item_id: str) -> JSONResponse:
    if item is None:
        raise HTTPException(404, f"no {kind} with id {item_id!r}")
    return item


@router.get("/api/deals", tags=["deals"])
def api_deals(
    conn: Conn,
    country: Iso3 = None,
    supplier: Iso3 = None,
    recipient: Iso3 = None,
    system: Text = None,
    stage: Stage | None = None,
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    sort: Literal[tuple(q.DEAL_SORTS)] = "date",  # type: ignore[valid-type]
    order: Literal["asc", "desc"] = "desc",
    page: PageNo = 1,
    per_page: PerPage = 50,
) -> JSONResponse:
    """Consolidated deals (supplier, recipient, system, order), newest latest stage first."""
    where = q.DealFilter(country, supplier, recipient, system, stage, year)
    return _json(q.list_deals(conn, where, sort, order == "desc", page, per_page).as_dict())


@router.get("/api/deals/{deal_id}", tags=["deals"])
def api_deal(conn: Conn, deal_id: str) -> JSONResponse:
    """One deal: stage timeline, values and quantities per source, conflicts, evidence sentences."""
    return _json(_found(q.get_deal(conn, deal_id), "deal", deal_id))


@router.get("/api/documents", tags=["documents"])
def api_documents(
    conn: Conn,
    q_: Annotated[str | None, Query(alias="q", min_length=1, max_length=200, description="Full-text query.")] = None,
    date_from: DateParam = None,
    date_to: DateParam = None,
    source: Text = None,
    lang: Annotated[str | None, Query(pattern=r"^[a-z]{2,3}$")] = None,
    page: PageNo = 1,
    per_page: PerPage = 50,
) -> JSONResponse:
    """Stored documents, newest first; filter by full text, publication dates, source, language."""
    where = q.DocumentFilter(q_, date_from, date_to, source, lang)
    return _json(q.list_documents(conn, where, page, per_page).as_dict())


@router.get("/api/documents/{doc_id}", tags=["documents"])
def api_document(conn: Conn, doc_id: str) -> JSONResponse:
    """One document: cleaned text, metadata, sentences, entity mentions, events, removed page furniture."""
    return _json(_found(q.get_document(conn, doc_id), "document", doc_id))


@router.post("/api/documents", tags=["documents"], status_code=201)
@router.post("/documents", tags=["documents"], status_code=201, include_in_schema=False)
async def api_ingest(request: Request, article: Article) -> JSONResponse:
    """Ingest one article (text or HTML). Needs the server's token (``Authorization: Bearer …``)."""
    if request.app.state.token is None:
        raise HTTPException(403, "writes are disabled: start `veille serve` with --token or VEILLE_TOKEN")
    if not token_ok(request):
        raise HTTPException(401, "a valid token is required to write", headers={"WWW-Authenticate": "Bearer"})
    try:
        result = await run_in_threadpool(ingest_article, request.app.state.engine, article)
    except Refused as refused:
        raise HTTPException(422, f"article not stored: {refused}") from refused
    return JSONResponse(result, 200 if result["status"] == "unchanged" else 201)


@router.get("/api/entities", tags=["entities"])
def api_entities(
    conn: Conn,
    q_: Annotated[str | None, Query(alias="q", min_length=1, max_length=200, description="Any alias.")] = None,
    kind: EntityKind | None = None,
    page: PageNo = 1,
    per_page: PerPage = 50,
) -> JSONResponse:
    """Entities found in the documents, most mentioned first; ``q`` matches any known alias."""
    return _json(ent.list_entities(conn, q_, kind, page, per_page).as_dict())


@router.get("/api/entities/{entity_id}", tags=["entities"])
def api_entity(conn: Conn, entity_id: str) -> JSONResponse:
    """One entity with its mentions and, by kind, deals, meetings, sanctions or roles."""
    return _json(_found(ent.get_entity(conn, entity_id), "entity", entity_id))


@router.get("/api/events", tags=["events"])
def api_events(
    conn: Conn,
    type_: Annotated[EventType | None, Query(alias="type")] = None,
    stage: Stage | None = None,
    modality: Modality | None = None,
    actor: Annotated[str | None, Query(min_length=2, max_length=200, description="State code or name.")] = None,
    system: Text = None,
    date_from: DateParam = None,
    date_to: DateParam = None,
    doc_id: Text = None,
    page: PageNo = 1,
    per_page: PerPage = 50,
) -> JSONResponse:
    """Document facts, in date order: filter by type, stage, modality, actor, system, date range."""
    where = q.EventFilter(type_, stage, modality, actor, system, date_from, date_to, doc_id)
    return _json(q.list_events(conn, where, page, per_page).as_dict())


@router.get("/api/events/{event_id}", tags=["events"])
def api_event(conn: Conn, event_id: str) -> JSONResponse:
    """One event with its evidence sentences."""
    return _json(_found(q.get_event(conn, event_id), "event", event_id))


@router.get("/api/search", tags=["search"])
def api_search(
    conn: Conn,
    q_: Annotated[str, Query(alias="q", min_length=1, max_length=200, description="Words to find.")],
    page: PageNo = 1,
    per_page: PerPage = 20,
) -> JSONResponse:
    """Full-text search over the cleaned text (best first, with a snippet and its matched spans), plus entities."""
    total, hits = search_documents(conn, q_, per_page, (page - 1) * per_page)
    items = [{**h.__dict__, **_spans(h.snippet)} for h in hits]
    return _json(
        {
            "documents": {"items": items, "total": total, "page": page, "per_page": per_page},
            "entities": ent.list_entities(conn, q_, None, 1, 20).items,
        }
    )


def _spans(marked: str) -> dict[str, Any]:
    """A snippet as plain text plus the [start, end) offsets of its matched words."""
    text, spans, start = "", [], 0
    for i, part in enumerate(re.split(f"[{HIT_START}{HIT_END}]", marked)):
        if i % 2:
            start = len(text)
            spans.append([start, start + len(part)])
        text += part
    return {"snippet": text, "matches": spans}


@router.get("/api/network", tags=["network"])
def api_network(conn: Conn, year: Annotated[int | None, Query(ge=1900, le=2100)] = None) -> JSONResponse:
    """States as nodes, arms deals and meetings between them as weighted edges."""
    return _json(ent.network(conn, year))

"""The watch loop's alerts on the dashboard: ``/api/alerts``, ``/api/alerts/{id}`` and the ``/alerts`` page.

Alerts are written by ``veille watch`` (see ``veille.alerts``); the dashboard only reads them.
Their evidence (document titles, sentences) is article text, so it reaches the page through
Jinja2's autoescaping only, and a document's own URL is linked only when it is plain http(s).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy import ColumnElement, Connection, select

from veille.digest import cutoff
from veille.serve import queries as q
from veille.serve.api import Conn, PageNo, PerPage
from veille.serve.templating import templates
from veille.store import schema as t
from veille.watch.config import RULE_KINDS

router = APIRouter()

AlertKind = Literal[tuple(RULE_KINDS)]  # type: ignore[valid-type]
DEAL_PAGE_ALERTS = 20


@dataclass(frozen=True)
class AlertFilter:
    """Alert list filters: created at or after ``since`` (ISO UTC), one rule kind, one deal."""

    since: str | None = None
    kind: str | None = None
    deal_id: str | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        a = t.alerts.c
        out: list[ColumnElement[bool]] = []
        if self.since:
            out.append(a.created_at >= self.since)
        if self.kind:
            out.append(a.kind == self.kind)
        if self.deal_id:
            out.append(a.deal_id == self.deal_id)
        return out


def _item(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "detail": json.loads(row["detail"])}


def list_alerts(conn: Connection, where: AlertFilter, page: int = 1, per_page: int = 50) -> q.Page:
    """Alerts matching ``where``, newest first (the order ``veille alerts`` prints them in)."""
    a = t.alerts.c
    query = select(t.alerts).where(*where.conditions()).order_by(a.created_at.desc(), a.title, a.id)
    total, rows = q._paged(conn, query, page, per_page)
    return q.Page([_item(r) for r in rows], total, page, per_page)


def get_alert(conn: Connection, alert_id: str) -> dict[str, Any] | None:
    """One alert with what changed and its evidence; None when the id is unknown."""
    row = conn.execute(select(t.alerts).where(t.alerts.c.id == alert_id)).mappings().first()
    return None if row is None else _item(dict(row))


def known_deals(conn: Connection, alerts: list[dict[str, Any]]) -> set[str]:
    """The deals of these alerts still in the store: a deal merged away since gets no dead link."""
    ids = {a["deal_id"] for a in alerts if a["deal_id"]}
    if not ids:
        return set()
    return set(conn.execute(select(t.deals.c.id).where(t.deals.c.id.in_(sorted(ids)))).scalars())


def since_of(value: str) -> str:
    """ISO UTC time of a ``since`` value (``1d``, ``12h``, ``2026-11-20``), as ``veille alerts --since`` reads it.

    Raises ValueError saying why the value is not one.
    """
    try:
        return cutoff(value.strip())
    except ValueError as err:
        raise ValueError(str(err).removeprefix("--since: ")) from err


# ---------------------------------------------------------------- API


@router.get("/api/alerts", tags=["alerts"])
def api_alerts(
    conn: Conn,
    since: Annotated[
        str | None, Query(min_length=1, max_length=40, description="A duration back from now (1d, 12h) or a date.")
    ] = None,
    kind: AlertKind | None = None,
    deal_id: Annotated[str | None, Query(min_length=1, max_length=40, description="Alerts about this deal.")] = None,
    page: PageNo = 1,
    per_page: PerPage = 50,
) -> JSONResponse:
    """Alerts raised by ``veille watch``, newest first, with what changed and the evidence sentences."""
    try:
        start = since_of(since) if since else None
    except ValueError as err:
        raise RequestValidationError([{"loc": ("query", "since"), "msg": str(err), "type": "value_error"}]) from err
    result = list_alerts(conn, AlertFilter(start, kind, deal_id), page, per_page).as_dict()
    if start:
        result["since"] = start
    return JSONResponse(result)


@router.get("/api/alerts/{alert_id}", tags=["alerts"])
def api_alert(conn: Conn, alert_id: str) -> JSONResponse:
    """One alert: its rule, kind, deal, when it was raised, and the documents and sentences behind it."""
    alert = get_alert(conn, alert_id)
    if alert is None:
        raise HTTPException(404, f"no alert with id {alert_id!r}")
    return JSONResponse(alert)


# ---------------------------------------------------------------- page


@router.get("/alerts", response_class=HTMLResponse, include_in_schema=False)
def alerts_page(
    request: Request,
    conn: Conn,
    since: Annotated[str | None, Query(max_length=200)] = None,
    kind: Annotated[str | None, Query(max_length=200)] = None,
    deal_id: Annotated[str | None, Query(max_length=200)] = None,
    page: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    """Every alert, newest first: time, kind, title, deal, evidence; filterable like the API.

    The form sends empty fields for "any"; a ``since`` that is not a duration or a date is
    ignored with a notice saying why, rather than failing the page.
    """
    since = (since or "").strip() or None
    problem = None
    start = None
    if since:
        try:
            start = since_of(since)
        except ValueError as err:
            problem = f"« {since} » ignoré : {err}"
            since = None
    filters = {"since": since, "kind": kind if kind in RULE_KINDS else None, "deal_id": (deal_id or "").strip() or None}
    number = max(1, min(int(page), 100_000)) if page and page.isdigit() else 1
    result = list_alerts(conn, AlertFilter(start, filters["kind"], filters["deal_id"]), number, 50)

    def link(**change: Any) -> str:
        params = {**filters, **change}
        return "/alerts?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})

    return templates.TemplateResponse(
        request,
        "alerts.html",
        {
            "result": result,
            "filters": filters,
            "start": start,
            "problem": problem,
            "kinds": RULE_KINDS,
            "deals": known_deals(conn, result.items),
            "link": link,
        },
    )


def deal_alerts(conn: Connection, deal_id: str) -> q.Page:
    """The latest alerts about one deal, for its page."""
    return list_alerts(conn, AlertFilter(deal_id=deal_id), 1, DEAL_PAGE_ALERTS)

"""The analyst's pages, rendered on the server with Jinja2 (autoescaped).

Filter forms send empty fields for "any"; the pages read them leniently (an empty or unknown
value means no filter) where the API, for programs, refuses them with a 422.
"""

from __future__ import annotations

import html
import re
import time
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Connection

from veille.consolidate import STAGE_ORDER
from veille.serve import entities as ent
from veille.serve import queries as q
from veille.serve.alerts import deal_alerts
from veille.serve.api import db
from veille.serve.highlight import highlight
from veille.serve.labels import EVENT_LABELS, KIND_LABELS, MODALITY_LABELS, STAGE_LABELS, country_name, stage_label
from veille.serve.templating import templates
from veille.store.search import search_documents

router = APIRouter(include_in_schema=False)
Conn = Annotated[Connection, Depends(db)]
Opt = Annotated[str | None, Query(max_length=200)]
DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
MODALITY_COLOURS = {"ASSERTED": "#1b7837", "PLANNED": "#2166ac", "POSSIBLE": "#e08214", "DENIED": "#b2182b"}


def _opt(value: str | None) -> str | None:
    return value.strip() or None if value else None


def _page_no(value: str | None) -> int:
    return max(1, min(int(value), 100_000)) if value and value.isdigit() else 1


def _render(request: Request, name: str, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context)


FACETS_TTL_S = 30.0


def _facets(request: Request, conn: Connection) -> dict[str, list[Any]]:
    """The filter choices, kept for FACETS_TTL_S: they scan every deal and change only on ingest."""
    cached = getattr(request.app.state, "facets", None)
    now = time.monotonic()
    if cached is None or now - cached[0] > FACETS_TTL_S:
        cached = (now, q.deal_facets(conn))
        request.app.state.facets = cached
    return cached[1]


def chart_date(value: str | None) -> str | None:
    """A date plotly can place ("2019-07" -> "2019-07-01"); None when the year is unknown."""
    m = DATE.match(value or "")
    if not m:
        return None
    year, month, day = m.groups()
    return f"{year}-{month or '01'}-{day or '01'}"


@router.get("/", response_class=HTMLResponse)
def deals_page(
    request: Request,
    conn: Conn,
    country: Opt = None,
    system: Opt = None,
    stage: Opt = None,
    year: Opt = None,
    sort: Opt = "date",
    order: Opt = "desc",
    page: Opt = None,
) -> HTMLResponse:
    """The landing page: the deals table, sortable and filterable by country, system, stage, year."""
    filters = {
        "country": (_opt(country) or "").upper() or None,
        "system": _opt(system),
        "stage": stage if stage in STAGE_ORDER else None,
        "year": int(year) if year and year.isdigit() and 1900 <= int(year) <= 2100 else None,
    }
    sort = sort if sort in q.DEAL_SORTS else "date"
    desc = order != "asc"
    where = q.DealFilter(filters["country"], None, None, filters["system"], filters["stage"], filters["year"])
    result = q.list_deals(conn, where, sort, desc, _page_no(page), 50)
    active = {k: v for k, v in filters.items() if v is not None}

    def link(**change: Any) -> str:
        params = {**active, "sort": sort, "order": "desc" if desc else "asc", **change}
        return "/?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})

    return _render(
        request,
        "deals.html",
        result=result,
        facets=_facets(request, conn),
        filters=filters,
        sort=sort,
        desc=desc,
        link=link,
        stage_labels=STAGE_LABELS,
    )


def _timeline_chart(deal: dict[str, Any]) -> dict[str, Any]:
    """Plotly traces for a deal's stage timeline: one point per evidence, the stages joined by a line."""
    stages = [s for s in STAGE_ORDER]
    by_modality: dict[str, dict[str, list[Any]]] = {}
    for ev in deal["evidence"]:
        x = chart_date(ev["when"])
        if x is None or ev["stage"] not in STAGE_ORDER:
            continue
        trace = by_modality.setdefault(ev["modality"], {"x": [], "y": [], "text": []})
        trace["x"].append(x)
        trace["y"].append(stage_label(ev["stage"]))
        # plotly reads hover text as a little HTML: escaped, an article's markup stays text.
        trace["text"].append(html.escape(f"{ev['doc_title'] or ev['doc_id']} — « {ev['trigger']} »"))
    line = [(chart_date(s["when"]), stage_label(s["stage"])) for s in deal["stages"] if chart_date(s["when"])]
    line.sort()
    traces: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines",
            "name": "étapes (meilleure date)",
            "x": [p[0] for p in line],
            "y": [p[1] for p in line],
            "line": {"color": "#999", "dash": "dot"},
            "hoverinfo": "skip",
        }
    ]
    for modality, data in sorted(by_modality.items()):
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": MODALITY_LABELS.get(modality, modality.lower()),
                **data,
                "marker": {"size": 13, "color": MODALITY_COLOURS.get(modality, "#555")},
                "hovertemplate": "%{y} — %{x}<br>%{text}<extra></extra>",
            }
        )
    return {
        "data": traces,
        "layout": {
            "margin": {"l": 100, "r": 20, "t": 10, "b": 40},
            "height": 300,
            "yaxis": {"type": "category", "categoryorder": "array", "categoryarray": [stage_label(s) for s in stages]},
            "xaxis": {"type": "date"},
            "legend": {"orientation": "h", "y": -0.2},
        },
        "points": sum(len(d["x"]) for d in by_modality.values()),
    }


@router.get("/deals/{deal_id}", response_class=HTMLResponse)
def deal_page(request: Request, conn: Conn, deal_id: str) -> HTMLResponse:
    """One deal: stage timeline chart, values and quantities per source, conflicts, evidence."""
    deal = q.get_deal(conn, deal_id)
    if deal is None:
        raise HTTPException(404, f"no deal with id {deal_id!r}")
    return _render(
        request,
        "deal.html",
        deal=deal,
        chart=_timeline_chart(deal),
        colours=MODALITY_COLOURS,
        alerts=deal_alerts(conn, deal_id),
    )


@router.get("/documents/{doc_id}", response_class=HTMLResponse)
def document_page(request: Request, conn: Conn, doc_id: str) -> HTMLResponse:
    """One document: highlighted cleaned text with a legend, metadata, events, removed furniture."""
    doc = q.get_document(conn, doc_id)
    if doc is None:
        raise HTTPException(404, f"no document with id {doc_id!r}")
    blocks = highlight(doc["body"], doc["sentences"], doc["mentions"], doc["events"])
    kinds = sorted({m["kind"] for m in doc["mentions"]})
    types = sorted({e["type"] for e in doc["events"]})
    return _render(
        request,
        "document.html",
        doc=doc,
        blocks=blocks,
        kinds=kinds,
        types=types,
        kind_labels=KIND_LABELS,
        event_labels=EVENT_LABELS,
    )


@router.get("/entities/{entity_id}", response_class=HTMLResponse)
def entity_page(request: Request, conn: Conn, entity_id: str) -> HTMLResponse:
    """One entity: a state's deals, meetings and sanctions; a person's roles; a system's deals."""
    entity = ent.get_entity(conn, entity_id)
    if entity is None:
        raise HTTPException(404, f"no entity with id {entity_id!r}")
    return _render(request, "entity.html", entity=entity)


def _network_chart(net: dict[str, Any]) -> dict[str, Any]:
    """States on a circle; arms flows as arrows, meetings as dotted lines, width by weight."""
    import math

    n = len(net["nodes"])
    pos = {
        node["id"]: (math.cos(2 * math.pi * i / max(n, 1)), math.sin(2 * math.pi * i / max(n, 1)))
        for i, node in enumerate(net["nodes"])
    }
    traces: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    shown = {"arms": False, "meeting": False}
    for e in net["edges"]:
        (x0, y0), (x1, y1) = pos[e["source"]], pos[e["target"]]
        width = 1 + 1.5 * math.log2(1 + e["weight"])
        label = (
            f"{country_name(e['source'])} → {country_name(e['target'])}"
            if e["kind"] == "arms"
            else (f"{country_name(e['source'])} — {country_name(e['target'])}")
        )
        what = "transferts d'armes" if e["kind"] == "arms" else "rencontres"
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": [x0, (x0 + x1) / 2, x1],
                "y": [y0, (y0 + y1) / 2, y1],
                "line": {
                    "width": width,
                    "color": "#c0392b" if e["kind"] == "arms" else "#2e86c1",
                    "dash": "solid" if e["kind"] == "arms" else "dot",
                },
                "name": what,
                "legendgroup": e["kind"],
                "showlegend": not shown[e["kind"]],
                "text": [f"{label}: {e['weight']} {what}"] * 3,
                "hoverinfo": "text",
                "opacity": 0.7,
            }
        )
        shown[e["kind"]] = True
        if e["kind"] == "arms":
            annotations.append(
                {
                    "x": x0 + 0.85 * (x1 - x0),
                    "y": y0 + 0.85 * (y1 - y0),
                    "ax": x0 + 0.6 * (x1 - x0),
                    "ay": y0 + 0.6 * (y1 - y0),
                    "xref": "x",
                    "yref": "y",
                    "axref": "x",
                    "ayref": "y",
                    "showarrow": True,
                    "arrowhead": 2,
                    "arrowsize": 1.2,
                    "arrowcolor": "#c0392b",
                    "text": "",
                }
            )
    traces.append(
        {
            "type": "scatter",
            "mode": "markers+text",
            "x": [pos[node["id"]][0] for node in net["nodes"]],
            "y": [pos[node["id"]][1] for node in net["nodes"]],
            "text": [node["name"] for node in net["nodes"]],
            "customdata": [node["id"] for node in net["nodes"]],
            # Labels outside the circle, on the side their state sits.
            "textposition": [
                "middle right"
                if pos[node["id"]][0] > 0.2
                else "middle left"
                if pos[node["id"]][0] < -0.2
                else "top center"
                if pos[node["id"]][1] > 0
                else "bottom center"
                for node in net["nodes"]
            ],
            "marker": {"size": [10 + 3 * math.sqrt(node["weight"]) for node in net["nodes"]], "color": "#34495e"},
            "name": "États",
            "hovertemplate": "%{text}<extra></extra>",
        }
    )
    hidden = {"visible": False, "range": [-1.6, 1.6]}
    return {
        "data": traces,
        "layout": {
            "height": 640,
            "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
            "xaxis": hidden,
            "yaxis": {**hidden, "scaleanchor": "x"},
            "annotations": annotations,
            "hovermode": "closest",
            "legend": {"orientation": "h"},
        },
        "link": "/entities/",
    }


@router.get("/network", response_class=HTMLResponse)
def network_page(request: Request, conn: Conn, year: Opt = None) -> HTMLResponse:
    """States linked by arms flows and meetings, filterable by year."""
    chosen = int(year) if year and year.isdigit() and 1900 <= int(year) <= 2100 else None
    net = ent.network(conn, chosen)
    return _render(
        request,
        "network.html",
        net=net,
        chart=_network_chart(net),
        years=ent.network_years(conn),
        year=chosen,
    )


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request, conn: Conn, q_: Annotated[str | None, Query(alias="q")] = None, page: Opt = None
) -> HTMLResponse:
    """Full-text search over the cleaned text, and entities by any of their names."""
    text = (q_ or "").strip()[:200]
    number = _page_no(page)
    total, hits = search_documents(conn, text, 20, (number - 1) * 20) if text else (0, [])
    entities = ent.list_entities(conn, text, None, 1, 20).items if text else []
    result = q.Page([h.__dict__ for h in hits], total, number, 20)

    def link(page: int) -> str:
        return "/search?" + urlencode({"q": text, "page": page})

    return _render(request, "search.html", q=text, result=result, entities=entities, link=link)

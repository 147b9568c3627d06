"""Deals: arms-transfer events merged by (supplier, recipient, system family, order).

Each deal keeps a stage timeline (each stage with its best date, modality and source
documents), the latest established stage, every reported quantity and value with its source,
and the conflicts between sources. Values are compared in their own currency only; different
currencies stand side by side, never converted.

Orders: an event the text places in a given order ("une deuxième commande", "30 Rafale
supplémentaires") goes to that order; an event without such a cue goes to the latest order
that had already started by its date, else to the first.

The stage is incremental: :func:`consolidate` with the keys a new document touched rebuilds
only those deals.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, delete, insert, select, tuple_

from veille.store import schema as t
from veille.store.database import lock

STAGE_ORDER = ["OFFER", "INTEREST", "NEGOTIATION", "CONTRACT", "PAYMENT", "DELIVERY", "SUSPENSION"]
MODALITY_RANK = {"ASSERTED": 0, "PLANNED": 1, "POSSIBLE": 2, "DENIED": 3}
# Two reported values of the same currency are a conflict beyond 2 % apart: "5,43" and "5,4"
# milliards are one figure rounded; "5,43" and "5,2" are two different claims.
VALUE_TOLERANCE = 0.02

DealKey = tuple[str, str, str]


def _precision(when: str | None) -> int:
    return len(when) if when else 0


def _year(when: str | None) -> int | None:
    return int(when[:4]) if when and when[:4].isdigit() else None


def deal_id(supplier: str, recipient: str, family: str, order: int) -> str:
    """Stable id of a deal: the same facts always give the same id."""
    return hashlib.sha1(f"{supplier}|{recipient}|{family}|{order}".encode()).hexdigest()[:12]


def _assign_orders(events: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    explicit: dict[int, list[dict[str, Any]]] = defaultdict(list)
    loose = []
    for ev in events:
        order = json.loads(ev["fields"]).get("order")
        (explicit[int(order)] if order else loose).append(ev)
    if not explicit:
        return {1: loose}
    starts = {
        o: min((y for e in evs if (y := _year(e["when"])) is not None), default=None) for o, evs in explicit.items()
    }
    orders = explicit
    for ev in loose:
        year = _year(ev["when"])
        later = [o for o, start in starts.items() if start is not None and year is not None and year >= start]
        orders.setdefault(max(later) if later else 1, []).append(ev)
    return dict(orders)


def _deal(supplier: str, recipient: str, family: str, order: int, events: list[dict[str, Any]]) -> dict[str, Any]:
    stages: dict[str, dict[str, Any]] = {}
    quantities, values = [], []
    for ev in events:
        entry = stages.setdefault(
            ev["stage"], {"stage": ev["stage"], "when": None, "modality": ev["modality"], "sources": []}
        )
        if ev["doc_id"] not in entry["sources"]:
            entry["sources"].append(ev["doc_id"])
        if _precision(ev["when"]) > _precision(entry["when"]):
            entry["when"] = ev["when"]
        if MODALITY_RANK[ev["modality"]] < MODALITY_RANK[entry["modality"]]:
            entry["modality"] = ev["modality"]
        fields = json.loads(ev["fields"])
        if fields.get("quantity"):
            quantities.append({"value": fields["quantity"], "unit": fields.get("unit"), "source": ev["doc_id"]})
        if fields.get("value"):
            values.append({**fields["value"], "source": ev["doc_id"]})
    timeline = sorted(stages.values(), key=lambda s: STAGE_ORDER.index(s["stage"]))
    established = (
        [s for s in timeline if s["modality"] == "ASSERTED"]
        or [s for s in timeline if s["modality"] != "DENIED"]
        or timeline
    )
    latest = established[-1]
    return {
        "id": deal_id(supplier, recipient, family, order),
        "supplier": supplier,
        "recipient": recipient,
        "system": events[0]["system"],
        "family": family,
        "order": order,
        "latest_stage": latest["stage"],
        "latest_when": latest["when"],
        "stages": timeline,
        "quantities": quantities,
        "values": values,
        "conflicts": _conflicts(values, quantities),
        "sources": sorted({ev["doc_id"] for ev in events}),
        "events": len(events),
    }


def build_deals(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Group event rows (dicts with the events table's columns) into deals."""
    groups: dict[DealKey, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["system"]:
            groups[(row["supplier"], row["recipient"], row["family"] or row["system"])].append(row)
    deals = []
    for (supplier, recipient, family), events in sorted(groups.items()):
        for order, evs in sorted(_assign_orders(events).items()):
            deals.append(_deal(supplier, recipient, family, order, evs))
    return deals


def _conflicts(values: list[dict[str, Any]], quantities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    by_currency: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for v in values:
        by_currency[v["currency"]].append(v)
    for currency, vs in by_currency.items():
        amounts = [v["amount"] for v in vs]
        if max(amounts) > min(amounts) * (1 + VALUE_TOLERANCE):
            out.append(
                {"field": f"value ({currency})", "values": [{"value": v["amount"], "source": v["source"]} for v in vs]}
            )
    by_unit: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    for q in quantities:
        by_unit[q["unit"]].append(q)
    for unit, qs in by_unit.items():
        if len({q["value"] for q in qs}) > 1:
            out.append(
                {"field": f"quantity ({unit})", "values": [{"value": q["value"], "source": q["source"]} for q in qs]}
            )
    return out


EVENT_COLUMNS = ("doc_id", "supplier", "recipient", "system", "family", "stage", "modality", "when", "fields")


def touched_keys(conn: Connection, doc_ids: Iterable[str]) -> set[DealKey]:
    """The (supplier, recipient, family) keys that these documents' events belong to."""
    ids = list(doc_ids)
    if not ids:
        return set()
    rows = conn.execute(
        select(t.events.c.supplier, t.events.c.recipient, t.events.c.family).where(
            t.events.c.type == "ARMS_TRANSFER", t.events.c.doc_id.in_(ids), t.events.c.family.is_not(None)
        )
    )
    return {tuple(r) for r in rows}  # type: ignore[misc]


def consolidate(conn: Connection, keys: set[DealKey] | None = None) -> int:
    """Rebuild the deals of ``keys`` (all deals when None) from the stored events.

    Returns the number of deals written.
    """
    lock(conn, "deals")  # concurrent writers rebuild the same deals one after the other
    cols = [t.events.c[name] for name in EVENT_COLUMNS]
    # A syndicated copy is no new source: its events are not counted.
    originals = select(t.documents.c.id).where(t.documents.c.duplicate_of.is_(None))
    # Ordered, not in storage order: the deals must not depend on which writer stored what first
    # (PostgreSQL, parallel workers), so document then position in the text.
    query = (
        select(*cols)
        .where(t.events.c.type == "ARMS_TRANSFER", t.events.c.doc_id.in_(originals))
        .order_by(t.events.c.doc_id, t.events.c.trigger_start, t.events.c.id)
    )
    if keys is not None:
        if not keys:
            return 0
        key_cols = tuple_(t.events.c.supplier, t.events.c.recipient, t.events.c.family)
        query = query.where(key_cols.in_(sorted(keys)))
        conn.execute(
            delete(t.deals).where(tuple_(t.deals.c.supplier, t.deals.c.recipient, t.deals.c.family).in_(sorted(keys)))
        )
    else:
        conn.execute(delete(t.deals))
    deals = build_deals(dict(r._mapping) for r in conn.execute(query))
    if deals:
        conn.execute(
            insert(t.deals),
            [
                {
                    "id": d["id"],
                    "supplier": d["supplier"],
                    "recipient": d["recipient"],
                    "system": d["system"],
                    "family": d["family"],
                    "order_no": d["order"],
                    "latest_stage": d["latest_stage"],
                    "latest_when": d["latest_when"],
                    "n_sources": len(d["sources"]),
                    "detail": json.dumps(d, ensure_ascii=False),
                }
                for d in deals
            ],
        )
    return len(deals)

"""Deals: arms-transfer events merged by (supplier, recipient, system family).

Each deal keeps a stage timeline (each stage with its best date, modality and source
documents), the latest established stage, every reported quantity and value with its source,
and the conflicts between sources. Values are compared in their own currency only; different
currencies stand side by side, never converted.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from veille.store import schema as t

STAGE_ORDER = ["OFFER", "INTEREST", "NEGOTIATION", "CONTRACT", "PAYMENT", "DELIVERY", "SUSPENSION"]
MODALITY_RANK = {"ASSERTED": 0, "PLANNED": 1, "POSSIBLE": 2, "DENIED": 3}
# Two reported values of the same currency are a conflict beyond 2 % apart: "5,43" and "5,4"
# milliards are one figure rounded; "5,43" and "5,2" are two different claims.
VALUE_TOLERANCE = 0.02


def _precision(when: str | None) -> int:
    return len(when) if when else 0


def _deal_id(supplier: str, recipient: str, family: str, order: int) -> str:
    return hashlib.sha1(f"{supplier}|{recipient}|{family}|{order}".encode()).hexdigest()[:12]


def build_deals(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Group event rows (dicts with the events table's columns) into deals."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["system"]:
            groups[(row["supplier"], row["recipient"], row["family"] or row["system"])].append(row)
    deals = []
    for (supplier, recipient, family), events in sorted(groups.items()):
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
        conflicts = _conflicts(values, quantities)
        sources = sorted({ev["doc_id"] for ev in events})
        deal = {
            "id": _deal_id(supplier, recipient, family, 1),
            "supplier": supplier,
            "recipient": recipient,
            "system": events[0]["system"],
            "family": family,
            "order": 1,
            "latest_stage": latest["stage"],
            "latest_when": latest["when"],
            "stages": timeline,
            "quantities": quantities,
            "values": values,
            "conflicts": conflicts,
            "sources": sources,
        }
        deals.append(deal)
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


def consolidate(conn: Connection) -> int:
    """Rebuild the deals table from the stored events; returns the number of deals."""
    cols = [
        t.events.c.doc_id,
        t.events.c.supplier,
        t.events.c.recipient,
        t.events.c.system,
        t.events.c.family,
        t.events.c.stage,
        t.events.c.modality,
        t.events.c.when,
        t.events.c.fields,
    ]
    rows = [dict(r._mapping) for r in conn.execute(select(*cols).where(t.events.c.type == "ARMS_TRANSFER"))]
    deals = build_deals(rows)
    conn.execute(delete(t.deals))
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

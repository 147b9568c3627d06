"""Deals as a SIPRI Arms Transfers Database-style register: one row per deal (order).

Columns follow the SIPRI trade register (supplier, recipient, designation, description,
number ordered, year of order, years of delivery, number delivered, status, comments), computed
from the deal's events rather than its summary, so that each figure can say where it comes
from: a year of order is that of an asserted contract, delivery years are those of asserted
deliveries (planned ones go to the comments), and ``estimate`` is true whenever a number was
inferred (taken from a report of another stage, or reported differently by two sources) —
SIPRI's own convention of bracketing uncertain numbers.
"""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from functools import cache
from typing import Any, TextIO

import pycountry
from sqlalchemy import Connection, select

from veille.consolidate.deals import _assign_orders
from veille.link.kb import load_kb
from veille.store import schema as t

COLUMNS = [
    "supplier",
    "recipient",
    "designation",
    "description",
    "number_ordered",
    "order_year",
    "delivery_years",
    "number_delivered",
    "status",
    "estimate",
    "comments",
    "supplier_iso3",
    "recipient_iso3",
    "deal_id",
]
CATEGORY = {
    "air_defence": "SAM system",
    "air_to_air_missile": "BVRAAM/SRAAM",
    "aircraft_carrier": "aircraft carrier",
    "amphibious_ship": "amphibious assault ship",
    "anti_ship_missile": "anti-ship missile",
    "anti_tank_missile": "anti-tank missile",
    "apc": "APC",
    "artillery": "self-propelled gun",
    "attack_aircraft": "ground attack aircraft",
    "attack_helicopter": "combat helicopter",
    "awacs": "AEW&C aircraft",
    "ballistic_missile": "ballistic missile",
    "bomber": "bomber aircraft",
    "corvette": "corvette",
    "cruise_missile": "land-attack missile",
    "destroyer": "destroyer",
    "fighter": "FGA aircraft",
    "frigate": "frigate",
    "ifv": "IFV",
    "maritime_patrol": "ASW aircraft",
    "mlrs": "self-propelled MRL",
    "munition": "guided bomb",
    "patrol_vessel": "patrol craft",
    "radar": "air search radar",
    "small_arms": "small arms",
    "submarine": "submarine",
    "tank": "tank",
    "tanker": "tanker/transport aircraft",
    "trainer": "trainer aircraft",
    "transport_aircraft": "transport aircraft",
    "uav": "UAV",
    "utility_helicopter": "helicopter",
}
STATUS = {
    "OFFER": "offered",
    "INTEREST": "interest",
    "NEGOTIATION": "negotiating",
    "CONTRACT": "ordered",
    "PAYMENT": "ordered (paid)",
    "DELIVERY": "delivered",
    "SUSPENSION": "suspended",
}


# Where the ISO name is not the one the register uses.
SHORT_NAMES = {"RUS": "Russia", "TUR": "Turkiye", "SYR": "Syria", "VNM": "Viet Nam", "GBR": "United Kingdom"}


@cache
def country_name(iso3: str) -> str:
    """English short name of a state (``Russia``, ``China``), the ISO3 code when unknown."""
    if iso3 in SHORT_NAMES:
        return SHORT_NAMES[iso3]
    found = pycountry.countries.get(alpha_3=iso3)
    if found is None:
        return iso3
    return getattr(found, "common_name", None) or found.name.split(",")[0]


def _categories() -> dict[str, str]:
    out = {}
    for e in load_kb().entities.values():
        if e.kind == "system" and e.attrs.get("category"):
            out.setdefault(e.name, e.attrs["category"])
            out.setdefault(e.attrs.get("family") or e.name, e.attrs["category"])
    return out


def _year(when: str | None) -> int | None:
    return int(when[:4]) if when and when[:4].isdigit() else None


def _quantity(events: list[dict[str, Any]]) -> tuple[int | None, str | None, set[int]]:
    """Most reported quantity of these events, its unit, and every value reported."""
    counted = Counter((f["quantity"], f.get("unit")) for e in events if (f := e["f"]).get("quantity"))
    if not counted:
        return None, None, set()
    (value, unit), _ = counted.most_common(1)[0]
    return int(value), unit, {int(v) for v, _ in counted}


def _row(
    deal: dict[str, Any], events: list[dict[str, Any]], docs: dict[str, dict[str, Any]], categories: dict[str, str]
) -> dict[str, Any]:
    asserted = [e for e in events if e["modality"] == "ASSERTED"]
    contracts = [e for e in asserted if e["stage"] in ("CONTRACT", "PAYMENT")]
    deliveries = [e for e in asserted if e["stage"] == "DELIVERY"]
    planned = [e for e in events if e["stage"] == "DELIVERY" and e["modality"] == "PLANNED"]
    comments: list[str] = []
    estimate = False
    ordered, unit, reported = _quantity([e for e in contracts if e["stage"] == "CONTRACT"])
    if ordered is None:
        ordered, unit, reported = _quantity(events)
        estimate = estimate or ordered is not None  # a number from another stage's report
    if len(reported) > 1:
        estimate = True
        comments.append("number ordered reported as " + ", ".join(str(v) for v in sorted(reported)))
    if unit and ordered is not None:
        comments.append(f"number counted in {unit}")
    order_years = sorted({y for e in contracts if e["stage"] == "CONTRACT" and (y := _year(e["when"]))})
    if not order_years:
        order_years = sorted({y for e in contracts if (y := _year(e["when"]))})
    if len(order_years) > 1:
        comments.append(
            "year of order reported as "
            + ", ".join(
                f"{y} ({', '.join(sorted({e['doc_id'] for e in contracts if _year(e['when']) == y}))})"
                for y in order_years
            )
        )
    delivered, _, delivered_reported = _quantity(deliveries)
    if len(delivered_reported) > 1:
        estimate = True
    delivery_years = sorted({y for e in deliveries if (y := _year(e["when"]))})
    planned_years = sorted({y for e in planned if (y := _year(e["when"]))} - set(delivery_years))
    if planned_years:
        comments.append("delivery planned for " + ", ".join(map(str, planned_years)))
    values = {(v["amount"], v["currency"]) for e in events if (v := e["f"].get("value"))}
    for amount, currency in sorted(values):
        comments.append(f"value {amount:,} {currency}".replace(",", " "))
    sources = []
    for doc_id in deal["sources"]:
        doc = docs.get(doc_id, {})
        sources.append(doc.get("url") or f"{doc_id} ({doc.get('path', '')})")
    comments.append("sources: " + "; ".join(sources))
    category = categories.get(deal["system"]) or categories.get(deal["family"]) or "other"
    return {
        "supplier": country_name(deal["supplier"]),
        "recipient": country_name(deal["recipient"]),
        "designation": deal["system"],
        "description": CATEGORY.get(category, category.replace("_", " ")),
        "number_ordered": ordered if ordered is not None else "",
        "order_year": order_years[0] if order_years else "",
        "delivery_years": ";".join(map(str, delivery_years)),
        "number_delivered": delivered if delivered is not None else "",
        "status": STATUS.get(deal["latest_stage"], deal["latest_stage"].lower()),
        "estimate": "yes" if estimate else "no",
        "comments": ". ".join(comments),
        "supplier_iso3": deal["supplier"],
        "recipient_iso3": deal["recipient"],
        "deal_id": deal["id"],
    }


def sipri_rows(conn: Connection) -> list[dict[str, Any]]:
    """One register row per stored deal, ordered by supplier, recipient, designation."""
    deals = [json.loads(r[0]) for r in conn.execute(select(t.deals.c.detail))]
    originals = select(t.documents.c.id).where(t.documents.c.duplicate_of.is_(None))
    query = select(t.events).where(t.events.c.type == "ARMS_TRANSFER", t.events.c.doc_id.in_(originals))
    by_key: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for ev in conn.execute(query).mappings():
        if ev["system"]:
            row = dict(ev)
            by_key[(row["supplier"], row["recipient"], row["family"] or row["system"])].append(row)
    # The same order assignment as consolidation, so each row's events are its deal's.
    assigned = {key: _assign_orders(evs) for key, evs in by_key.items()}
    docs = {
        r.id: {"url": r.url, "path": r.path}
        for r in conn.execute(select(t.documents.c.id, t.documents.c.url, t.documents.c.path))
    }
    categories = _categories()
    rows = []
    for deal in deals:
        events = assigned.get((deal["supplier"], deal["recipient"], deal["family"]), {}).get(deal["order"], [])
        for e in events:
            e["f"] = json.loads(e["fields"])
        rows.append(_row(deal, events, docs, categories))
    return sorted(rows, key=lambda r: (r["supplier"], r["recipient"], r["designation"], r["deal_id"]))


def write_sipri_csv(conn: Connection, out: TextIO) -> int:
    """Write the register as CSV; returns the number of rows."""
    rows = sipri_rows(conn)
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return len(rows)

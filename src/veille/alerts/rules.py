"""Alerts: what changed in the store between two snapshots, filtered by the user's rules.

A snapshot is a small summary of the store (deals with their latest stage and conflicts, the
arms-transfer and sanction facts known, the documents held). Alerts are the difference
between the snapshot taken after the last poll and the store now, so they follow from the
store's state, not from what one run happened to see; each alert's id hashes the rule and
the change, and the alerts table keeps one row per id, so no alert is ever raised twice.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, select

from veille.consolidate import STAGE_ORDER
from veille.store import schema as t
from veille.watch.config import Rule

Snapshot = dict[str, Any]


def snapshot(conn: Connection) -> Snapshot:
    """The parts of the store alert rules look at, as plain JSON-able data."""
    deals = {}
    for row in conn.execute(select(t.deals.c.id, t.deals.c.detail)):
        d = json.loads(row.detail)
        deals[row.id] = {
            "supplier": d["supplier"],
            "recipient": d["recipient"],
            "system": d["system"],
            "family": d["family"],
            "order": d["order"],
            "latest_stage": d["latest_stage"],
            "conflicts": sorted(c["field"] for c in d["conflicts"]),
        }
    transfers, sanctions = set(), set()
    query = select(t.events.c.type, t.events.c.fields, t.events.c.family, t.events.c.modality).where(
        t.events.c.type.in_(["ARMS_TRANSFER", "SANCTION"]), t.events.c.modality != "DENIED"
    )
    for row in conn.execute(query):
        f = json.loads(row.fields)
        if row.type == "ARMS_TRANSFER" and f.get("supplier") and f.get("recipient"):
            family = row.family or f.get("system") or ""
            transfers.add("|".join([f["supplier"], f["recipient"], family, f.get("stage") or ""]))
        elif row.type == "SANCTION" and f.get("imposer") and f.get("target"):
            sanctions.add(f"{f['imposer']}|{f['target']}")
    docs = sorted(r[0] for r in conn.execute(select(t.documents.c.id)))
    return {"deals": deals, "transfers": sorted(transfers), "sanctions": sorted(sanctions), "documents": docs}


def _alert_id(rule: Rule, *parts: str) -> str:
    return hashlib.sha1("|".join([rule.name, rule.kind, *parts]).encode("utf-8")).hexdigest()


def _sentences(conn: Connection, doc_id: str, indices: list[int]) -> list[str]:
    if not indices:
        return []
    rows = conn.execute(
        select(t.sentences.c.idx, t.sentences.c.text).where(
            t.sentences.c.doc_id == doc_id, t.sentences.c.idx.in_(indices)
        )
    )
    return [r.text for r in sorted(rows, key=lambda r: r.idx)]


def _evidence(
    conn: Connection,
    where: list[Any],
    new_docs: set[str],
    keep: Callable[[dict[str, Any]], bool] | None = None,
    limit: int = 5,
) -> list[dict[str, Any]]:
    """Events matching ``where`` (and ``keep`` on their fields), with documents and sentences, new ones first."""
    query = (
        select(
            t.events.c.doc_id,
            t.events.c.fields,
            t.events.c.sentences,
            t.events.c.when,
            t.events.c.modality,
            t.events.c.stage,
            t.documents.c.url,
            t.documents.c.title,
            t.documents.c.published,
        )
        .join(t.documents, t.documents.c.id == t.events.c.doc_id)
        .where(*where)
        .order_by(t.events.c.doc_id, t.events.c.trigger_start)
    )
    rows = [r for r in conn.execute(query) if keep is None or keep(json.loads(r.fields))]
    rows.sort(key=lambda r: r.doc_id not in new_docs)
    out: list[dict[str, Any]] = []
    seen = set()
    for r in rows:
        if (r.doc_id, r.sentences) in seen:  # two facts of one sentence: one piece of evidence
            continue
        seen.add((r.doc_id, r.sentences))
        if len(out) == limit:
            break
        out.append(
            {
                "doc_id": r.doc_id,
                "url": r.url,
                "title": r.title,
                "published": r.published,
                "when": r.when,
                "modality": r.modality,
                "stage": r.stage,
                "sentences": _sentences(conn, r.doc_id, json.loads(r.sentences)),
                "new": r.doc_id in new_docs,
            }
        )
    return out


def _deal_where(deal: dict[str, Any], stage: str | None = None) -> list[Any]:
    where = [
        t.events.c.type == "ARMS_TRANSFER",
        t.events.c.supplier == deal["supplier"],
        t.events.c.recipient == deal["recipient"],
        t.events.c.family == deal["family"],
    ]
    if stage:
        where.append(t.events.c.stage == stage)
    return where


def _alert(rule: Rule, alert_id: str, title: str, deal_id: str | None, deal: dict[str, Any] | None, **detail: Any):
    return {
        "id": alert_id,
        "rule": rule.name,
        "kind": rule.kind,
        "deal_id": deal_id,
        "supplier": (deal or {}).get("supplier") or detail.get("imposer"),
        "recipient": (deal or {}).get("recipient") or detail.get("target"),
        "title": title,
        "detail": {"deal": deal, **detail},
    }


def evaluate(conn: Connection, rules: tuple[Rule, ...], before: Snapshot, after: Snapshot) -> list[dict[str, Any]]:
    """Alerts the rules raise for the changes from ``before`` to ``after`` (the store now)."""
    new_docs = set(after["documents"]) - set(before["documents"])
    old_deals, new_deals = before["deals"], after["deals"]
    new_transfers = sorted(set(after["transfers"]) - set(before["transfers"]))
    new_sanctions = sorted(set(after["sanctions"]) - set(before["sanctions"]))
    deals_by_key: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for deal_id, d in new_deals.items():
        deals_by_key[(d["supplier"], d["recipient"], d["family"])].append(deal_id)
    alerts: list[dict[str, Any]] = []
    for rule in rules:
        if rule.kind == "new_deal":
            for deal_id, d in sorted(new_deals.items()):
                if deal_id in old_deals or not rule.matches(deal_id=deal_id, **d):
                    continue
                title = f"New deal {d['supplier']} → {d['recipient']} {d['system']} ({d['latest_stage']})"
                evidence = _evidence(conn, _deal_where(d), new_docs)
                alerts.append(_alert(rule, _alert_id(rule, deal_id), title, deal_id, d, evidence=evidence))
        elif rule.kind == "new_transfer":
            for key in new_transfers:
                supplier, recipient, family, stage = key.split("|")
                ids = deals_by_key.get((supplier, recipient, family), [])
                deal = new_deals.get(ids[0]) if ids else None
                values = {"supplier": supplier, "recipient": recipient, "family": family, "stage": stage}
                if not rule.matches(system=(deal or {}).get("system"), **values):
                    continue
                where = [
                    t.events.c.type == "ARMS_TRANSFER",
                    t.events.c.supplier == supplier,
                    t.events.c.recipient == recipient,
                    t.events.c.family == family,
                    t.events.c.stage == stage,
                    t.events.c.modality != "DENIED",
                ]
                title = f"New arms transfer {supplier} → {recipient} {family}: {stage}"
                alerts.append(
                    _alert(
                        rule,
                        _alert_id(rule, key),
                        title,
                        ids[0] if ids else None,
                        deal or values,
                        stage=stage,
                        evidence=_evidence(conn, where, new_docs),
                    )
                )
        elif rule.kind == "stage_advance":
            for deal_id, d in sorted(new_deals.items()):
                old = old_deals.get(deal_id)
                if old is None or old["latest_stage"] == d["latest_stage"]:
                    continue
                if STAGE_ORDER.index(d["latest_stage"]) <= STAGE_ORDER.index(old["latest_stage"]):
                    continue
                if not rule.matches(deal_id=deal_id, stage=d["latest_stage"], **{k: d[k] for k in d if k != "stage"}):
                    continue
                title = (
                    f"Deal {d['supplier']} → {d['recipient']} {d['system']} moved "
                    f"{old['latest_stage']} → {d['latest_stage']}"
                )
                alerts.append(
                    _alert(
                        rule,
                        _alert_id(rule, deal_id, d["latest_stage"]),
                        title,
                        deal_id,
                        d,
                        previous_stage=old["latest_stage"],
                        stage=d["latest_stage"],
                        evidence=_evidence(conn, _deal_where(d, d["latest_stage"]), new_docs),
                    )
                )
        elif rule.kind == "new_conflict":
            for deal_id, d in sorted(new_deals.items()):
                old_fields = set(old_deals.get(deal_id, {}).get("conflicts", []))
                for conflict in d["conflicts"]:
                    if conflict in old_fields or not rule.matches(deal_id=deal_id, **d):
                        continue
                    title = f"Sources disagree on {conflict} of deal {d['supplier']} → {d['recipient']} {d['system']}"
                    alerts.append(
                        _alert(
                            rule,
                            _alert_id(rule, deal_id, conflict),
                            title,
                            deal_id,
                            d,
                            conflict=conflict,
                            claims=_claims(conn, deal_id, conflict),
                            evidence=_evidence(conn, _deal_where(d), new_docs),
                        )
                    )
        elif rule.kind == "new_sanction":
            for key in new_sanctions:
                imposer, target = key.split("|")
                if not rule.matches(imposer=imposer, target=target):
                    continue
                where = [t.events.c.type == "SANCTION", t.events.c.modality != "DENIED"]
                evidence = _evidence(
                    conn,
                    where,
                    new_docs,
                    keep=lambda f, i=imposer, g=target: (f.get("imposer"), f.get("target")) == (i, g),
                )
                alerts.append(
                    _alert(
                        rule,
                        _alert_id(rule, key),
                        f"New sanction {imposer} → {target}",
                        None,
                        None,
                        imposer=imposer,
                        target=target,
                        evidence=evidence,
                    )
                )
    return alerts


def _claims(conn: Connection, deal_id: str, field: str) -> list[dict[str, Any]]:
    row = conn.execute(select(t.deals.c.detail).where(t.deals.c.id == deal_id)).first()
    if row is None:
        return []
    for conflict in json.loads(row[0])["conflicts"]:
        if conflict["field"] == field:
            return list(conflict["values"])
    return []

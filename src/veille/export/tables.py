"""Deals and events as JSONL or CSV, for spreadsheets and other tools."""

from __future__ import annotations

import csv
import json
from typing import Any, TextIO

from sqlalchemy import Connection, select

from veille.store import schema as t

DEAL_CSV = [
    "id",
    "supplier",
    "recipient",
    "system",
    "order",
    "latest_stage",
    "latest_when",
    "stages",
    "values",
    "quantities",
    "conflicts",
    "sources",
]
EVENT_CSV = [
    "id",
    "doc_id",
    "type",
    "stage",
    "supplier",
    "recipient",
    "system",
    "modality",
    "when",
    "fields",
    "attribution",
    "confidence",
]


def _deals(conn: Connection) -> list[dict[str, Any]]:
    return [json.loads(r[0]) for r in conn.execute(select(t.deals.c.detail).order_by(t.deals.c.id))]


def _events(conn: Connection) -> list[dict[str, Any]]:
    rows = []
    by_position = (t.events.c.doc_id, t.events.c.trigger_start, t.events.c.id)
    for ev in conn.execute(select(t.events).order_by(*by_position)).mappings():
        row = dict(ev)
        row["fields"] = json.loads(row["fields"])
        row["sentences"] = json.loads(row["sentences"])
        rows.append(row)
    return rows


def export_rows(conn: Connection, kind: str, fmt: str, out: TextIO) -> int:
    """Write ``kind`` (deals | events) to ``out`` as ``fmt`` (jsonl | csv); returns the count."""
    rows = _deals(conn) if kind == "deals" else _events(conn)
    if fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        return len(rows)
    columns = DEAL_CSV if kind == "deals" else EVENT_CSV
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {k: json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v for k, v in row.items()}
        )
    return len(rows)

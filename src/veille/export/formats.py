"""``veille export KIND --format FMT``: one entry point for every export.

============================  ==============================================================
KIND / FMT                    what
============================  ==============================================================
deals, events / jsonl, csv    the readable forms of :mod:`veille.export.tables` (deal detail)
deals / sipri-csv             SIPRI-register-style rows (:mod:`veille.export.sipri`)
events / plover               PLOVER-style JSON (:mod:`veille.export.plover`)
network / graphml             the state network for Gephi (:mod:`veille.export.network`)
any table / parquet, csv,     the table's rows as stored (``documents``, ``sentences``,
jsonl                         ``mentions``, ``alerts`` …; ``deals-table``/``events-table``
                              for the raw rows of those two)
============================  ==============================================================

Binary columns (near-duplicate signatures) go out as hex in CSV and JSONL, as bytes in Parquet.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import Connection, Float, Integer, LargeBinary, Table, select

from veille.errors import VeilleError
from veille.export.network import write_graphml
from veille.export.plover import write_plover
from veille.export.sipri import write_sipri_csv
from veille.export.tables import export_rows
from veille.store import schema as t

TABLES: dict[str, Table] = {name: table for name, table in t.metadata.tables.items() if name != "schema_version"}
SPECIAL = {
    ("deals", "sipri-csv"),
    ("events", "plover"),
    ("network", "graphml"),
    ("deals", "jsonl"),
    ("deals", "csv"),
    ("events", "jsonl"),
    ("events", "csv"),
}
TABLE_FORMATS = ("parquet", "csv", "jsonl")


class ExportError(VeilleError):
    """An export that cannot be made (unknown kind or format, binary format to stdout)."""


def kinds() -> list[str]:
    """Every KIND the export command accepts."""
    return sorted({*TABLES, "network", "deals-table", "events-table"})


def _table(kind: str) -> Table:
    name = kind.removesuffix("-table")
    if name not in TABLES:
        raise ExportError(f"unknown export kind '{kind}' (choose from {', '.join(kinds())})")
    return TABLES[name]


def table_rows(conn: Connection, table: Table) -> list[dict[str, Any]]:
    """Every row of ``table`` as stored, in primary-key order."""
    order = list(table.primary_key.columns) or list(table.columns)
    return [dict(r) for r in conn.execute(select(table).order_by(*order)).mappings()]


def _text(value: Any) -> Any:
    return value.hex() if isinstance(value, bytes) else value


def arrow_schema(table: Table) -> pa.Schema:
    """The Parquet schema of a store table: integers, floats, bytes and strings as stored."""
    fields = []
    for column in table.columns:
        if isinstance(column.type, Integer):
            kind = pa.int64()
        elif isinstance(column.type, Float):
            kind = pa.float64()
        elif isinstance(column.type, LargeBinary):
            kind = pa.binary()
        else:
            kind = pa.string()
        fields.append(pa.field(column.name, kind, nullable=True))
    return pa.schema(fields)


def write_table(conn: Connection, table: Table, fmt: str, out: TextIO | Path) -> int:
    """Write one table as parquet (to a path), csv or jsonl; returns the row count."""
    rows = table_rows(conn, table)
    if fmt == "parquet":
        assert isinstance(out, Path)
        pq.write_table(pa.Table.from_pylist(rows, schema=arrow_schema(table)), out)
        return len(rows)
    assert not isinstance(out, Path)
    if fmt == "jsonl":
        for row in rows:
            out.write(json.dumps({k: _text(v) for k, v in row.items()}, ensure_ascii=False) + "\n")
        return len(rows)
    writer = csv.DictWriter(out, fieldnames=[c.name for c in table.columns])
    writer.writeheader()
    writer.writerows({k: _text(v) for k, v in row.items()} for row in rows)
    return len(rows)


@contextmanager
def _text_out(output: Path | None) -> Iterator[TextIO]:
    if output is None:
        yield sys.stdout
    else:
        with output.open("w", encoding="utf-8", newline="") as fh:
            yield fh


def run_export(conn: Connection, kind: str, fmt: str, output: Path | None) -> str:
    """Make the export ``kind`` as ``fmt`` into ``output`` (stdout when None); returns a summary."""
    owner = {"sipri-csv": "deals", "plover": "events", "graphml": "network"}.get(fmt)
    if owner and kind != owner:
        raise ExportError(f"format '{fmt}' is for {owner} only")
    if (kind, fmt) not in SPECIAL and fmt not in TABLE_FORMATS:
        formats = sorted({f for _, f in SPECIAL} | set(TABLE_FORMATS))
        raise ExportError(f"unknown format '{fmt}' for '{kind}' (formats: {', '.join(formats)})")
    if (kind, fmt) == ("network", "graphml"):
        if output is None:
            raise ExportError("graphml is written to a file: add -o FILE.graphml")
        nodes, edges = write_graphml(conn, output)
        return f"{nodes} states, {edges} links -> {output}"
    if kind == "network":
        raise ExportError("the network exports as --format graphml only")
    if (kind, fmt) in SPECIAL:
        with _text_out(output) as out:
            if fmt == "sipri-csv":
                n = write_sipri_csv(conn, out)
            elif fmt == "plover":
                n = write_plover(conn, out)
            else:
                n = export_rows(conn, kind, fmt, out)
        return f"{n} {kind} -> {output or 'stdout'}"
    table = _table(kind)
    if fmt == "parquet":
        if output is None:
            raise ExportError("parquet is binary: add -o FILE.parquet")
        n = write_table(conn, table, fmt, output)
    else:
        with _text_out(output) as out:
            n = write_table(conn, table, fmt, out)
    return f"{n} rows of {table.name} -> {output or 'stdout'}"

"""Every export read back by its own reader and compared with the store."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import networkx as nx
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from tests.conftest import SHARED
from veille.export.formats import ExportError, run_export
from veille.store import connect, open_store
from veille.store import schema as t

pytestmark = pytest.mark.slow


def _export(db: str, kind: str, fmt: str, path: Path) -> Path:
    with connect(open_store(db)) as conn:
        run_export(conn, kind, fmt, path)
    return path


def _rows(db: str, sql: str) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("table", ["documents", "sentences", "mentions", "events", "deals", "entities", "timexes"])
def test_parquet_and_csv_of_a_table_match_the_store(corpus_store: str, tmp_path: Path, table: str) -> None:
    kind = f"{table}-table" if table in ("deals", "events") else table
    con = sqlite3.connect(corpus_store)
    in_store = [d[1] for d in con.execute(f"PRAGMA table_info({table})")]
    con.close()
    parquet = pq.read_table(_export(corpus_store, kind, "parquet", tmp_path / f"{table}.parquet"))
    # Every column, in schema.py's order (a migrated store may hold them in another order).
    columns = parquet.column_names
    assert sorted(columns) == sorted(in_store)
    stored = _rows(corpus_store, "SELECT " + ", ".join(f'"{c}"' for c in columns) + f" FROM {table}")
    assert stored, f"{table} is empty: the comparison would prove nothing"
    assert sorted(map(tuple, (r.values() for r in parquet.to_pylist())), key=repr) == sorted(stored, key=repr)
    with _export(corpus_store, kind, "csv", tmp_path / f"{table}.csv").open(encoding="utf-8", newline="") as fh:
        read = list(csv.DictReader(fh))
    assert len(read) == len(stored) and list(read[0]) == columns
    expected = {
        tuple("" if v is None else (v.hex() if isinstance(v, bytes) else str(v)) for v in row) for row in stored
    }
    assert {tuple(r[c] for c in columns) for r in read} == expected


def test_jsonl_of_a_table_round_trips(corpus_store: str, tmp_path: Path) -> None:
    path = _export(corpus_store, "documents", "jsonl", tmp_path / "docs.jsonl")
    read = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    stored = _rows(corpus_store, "SELECT id, body, minhash FROM documents ORDER BY id")
    assert [(r["id"], r["body"], bytes.fromhex(r["minhash"]) if r["minhash"] else None) for r in read] == stored


def test_graphml_network_holds_every_deal_and_sanction(corpus_store: str, tmp_path: Path) -> None:
    graph = nx.read_graphml(
        _export(corpus_store, "network", "graphml", tmp_path / "net.graphml"), force_multigraph=True
    )
    deals = _rows(corpus_store, "SELECT id, supplier, recipient, system, latest_stage FROM deals")
    arms = {
        (u, v, d["deal_id"], d["system"], d["stage"])
        for u, v, d in graph.edges(data=True)
        if d["kind"] == "arms_transfer"
    }
    assert arms == {(s, r, i, sys, st) for i, s, r, sys, st in deals}
    assert graph.nodes["RUS"]["label"] == "Russia"
    sanctions = {(u, v) for u, v, d in graph.edges(data=True) if d["kind"] == "sanction"}
    stored = {
        (json.loads(f)["imposer"], json.loads(f)["target"])
        for (f,) in _rows(corpus_store, "SELECT fields FROM events WHERE type = 'SANCTION'")
    }
    assert {pair for pair in stored if all(len(x) == 3 for x in pair)} <= sanctions


def test_plover_json_has_one_record_per_event_with_its_sentence(corpus_store: str, tmp_path: Path) -> None:
    records = json.loads(_export(corpus_store, "events", "plover", tmp_path / "ev.json").read_text(encoding="utf-8"))
    stored = _rows(corpus_store, "SELECT id, type, stage, modality FROM events")
    assert sorted((r["id"], r["veille"]["type"], r["veille"]["stage"], r["modality"]) for r in records) == sorted(
        stored
    )
    delivery = next(
        r for r in records if r["veille"]["stage"] == "DELIVERY" and r["story_id"] == "ex03_rus_ind_s400_livraison"
    )
    assert (delivery["event_type"], delivery["mode"]) == ("AID", "military")
    assert delivery["source_actor"]["country"] == "RUS" and delivery["target_actors"][0]["country"] == "IND"
    assert "S-400" in delivery["event_text"]
    meeting = next(
        r for r in records if r["veille"]["type"] == "MEETING" and r["source_actor"]["name"] == "Vladimir Putin"
    )
    assert meeting["event_type"] == "CONSULT" and meeting["source_actor"]["country"] == "RUS"


def test_sipri_csv_lists_russia_china_s400_with_the_articles_years(corpus_store: str, tmp_path: Path) -> None:
    if not (SHARED / "corpus" / "seeds").is_dir():
        pytest.skip("the shared seeds are not beside the repository")
    path = _export(corpus_store, "deals", "sipri-csv", tmp_path / "sipri.csv")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == _rows(corpus_store, "SELECT COUNT(*) FROM deals")[0][0]
    s400 = [r for r in rows if (r["supplier"], r["recipient"], r["designation"]) == ("Russia", "China", "S-400")]
    assert len(s400) == 1
    row = s400[0]
    # The articles: contract signed in 2014 (ex06) / announced spring 2015 (seed 000), first
    # regiment delivered in 2018 (ex06); the seed's "first quarter of 2017" was only planned.
    assert row["order_year"] == "2014"
    assert "2015 (000_9fbb43b2e77d6b3b)" in row["comments"]
    assert row["delivery_years"] == "2018"
    assert "delivery planned for 2017" in row["comments"]
    assert row["description"] == "SAM system" and row["status"] == "delivered"
    assert "ex06_rus_chn_su35_s400" in row["comments"] and "000_9fbb43b2e77d6b3b" in row["comments"]


def test_bad_export_requests_say_what_is_wrong(corpus_store: str) -> None:
    with connect(open_store(corpus_store)) as conn:
        for kind, fmt, words in [
            ("nothing", "csv", "unknown export kind 'nothing'"),
            ("deals", "xml", "unknown format 'xml'"),
            ("events", "sipri-csv", "is for deals only"),
            ("documents", "parquet", "add -o"),
        ]:
            with pytest.raises(ExportError, match=words):
                run_export(conn, kind, fmt, None)


def test_deals_csv_still_reads_as_before(corpus_store: str) -> None:
    out = io.StringIO()
    from veille.export.tables import export_rows

    with connect(open_store(corpus_store)) as conn:
        n = export_rows(conn, "deals", "csv", out)
        ids = set(conn.execute(select(t.deals.c.id)).scalars())
    assert n == len(ids) and {r["id"] for r in csv.DictReader(io.StringIO(out.getvalue()))} == ids


def test_export_command_writes_files_and_refuses_binary_to_stdout(corpus_store: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from veille.cli import app

    runner = CliRunner()
    out = tmp_path / "register.csv"
    done = runner.invoke(app, ["export", "deals", "--format", "sipri-csv", "-o", str(out), "--db", corpus_store])
    assert done.exit_code == 0 and "deals ->" in done.output
    assert out.read_text(encoding="utf-8").startswith("supplier,recipient,designation,description,number_ordered")
    refused = runner.invoke(app, ["export", "network", "--format", "graphml", "--db", corpus_store])
    assert refused.exit_code == 2 and "add -o FILE.graphml" in refused.output

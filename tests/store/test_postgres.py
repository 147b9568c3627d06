"""The PostgreSQL store: same schema, same results as SQLite, and concurrent writers store once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from benchmarks.gencorpus import generate
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from tests.conftest import EXAMPLES, ROOT, SHARED
from veille.cli import app
from veille.export import document_facts
from veille.store import connect, open_store
from veille.store import schema as t
from veille.store.migrations import LEGACY, head, include_object

pytestmark = pytest.mark.postgres
runner = CliRunner()


def test_a_fresh_postgres_store_has_exactly_the_tables_of_schema_py(pg_url: str) -> None:
    engine = open_store(pg_url)
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include_object}), t.metadata
        )
        assert diff == []
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head()
        assert conn.execute(
            select(t.schema_version.c.version).order_by(t.schema_version.c.version)
        ).scalars().all() == (sorted(LEGACY))
    open_store(pg_url)  # a second opening migrates nothing


def test_an_unreachable_server_is_a_clear_store_error(tmp_path: Path) -> None:
    from veille.errors import StoreError

    with pytest.raises(StoreError, match=r"\[E301\] cannot open the store postgresql://nobody@127.0.0.1:1/x"):
        open_store("postgresql://nobody@127.0.0.1:1/x")


@pytest.mark.slow
@pytest.mark.parametrize("order", ["same order", "opposite order"])
def test_two_ingest_processes_on_overlapping_inputs_store_every_document_once(
    pg_url: str, tmp_path: Path, order: str
) -> None:
    """18 files in common. In opposite order the two writers' batches lock the same rows the other
    way round: PostgreSQL aborts one of them (deadlock) and that batch must be written again."""
    files = sorted((EXAMPLES / "corpus").glob("*.txt"))
    first, second = files[:24], files[6:]
    if order == "opposite order":
        second = second[::-1]
    veille = str(Path(sys.executable).parent / "veille")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    procs = [
        subprocess.Popen(
            [veille, "ingest", *map(str, part), "--db", pg_url], stdout=subprocess.PIPE, env=env, text=True
        )
        for part in (first, second)
    ]
    outputs = [p.communicate(timeout=600)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    with connect(open_store(pg_url)) as conn:
        ids = conn.execute(select(t.documents.c.id)).scalars().all()
        hashes = conn.execute(select(func.count(func.distinct(t.documents.c.content_hash)))).scalar_one()
        per_deal = conn.execute(select(t.deals.c.id, func.count()).group_by(t.deals.c.id)).all()
    assert sorted(ids) == sorted(f.stem for f in files)  # each document once, none missing
    assert hashes == len(files)
    assert per_deal and all(n == 1 for _, n in per_deal)
    processed = sum(int(out.split(" processed")[0].split()[-1]) for out in outputs)
    assert processed == len(files)  # what one process stored, the other reported as already stored


def _snapshot(db: str) -> dict[str, object]:
    with connect(open_store(db)) as conn:
        return {
            "facts": list(document_facts(conn)),
            "deals": [json.loads(d) for d in conn.execute(select(t.deals.c.detail).order_by(t.deals.c.id)).scalars()],
            "duplicates": conn.execute(
                select(t.documents.c.id, t.documents.c.duplicate_of).order_by(t.documents.c.id)
            ).all(),
            "rejections": conn.execute(
                select(t.rejections.c.path, t.rejections.c.code).order_by(t.rejections.c.path)
            ).all(),
        }


@pytest.mark.slow
def test_same_corpus_gives_identical_facts_and_deals_on_sqlite_and_postgres(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import veille.pipeline as pipeline

    generated = tmp_path / "generated"
    generate(generated, 200)
    (generated / "broken.txt").write_bytes(b"%PDF-1.4 not an article")
    inputs = [p for p in (SHARED / "corpus" / "seeds", EXAMPLES / "corpus", generated) if p.is_dir()]
    # The stages run once per document; both stores receive the very same results, so that any
    # difference below comes from the store, not from parsing twice.
    seen: dict[tuple[str, str], object] = {}
    process = pipeline.process

    def once(raw):  # type: ignore[no-untyped-def]
        key = (raw.path, raw.content_hash)
        if key not in seen:
            seen[key] = process(raw)
        return seen[key]

    monkeypatch.setattr(pipeline, "process", once)
    sqlite_db = str(tmp_path / "s.db")
    on_sqlite = pipeline.ingest_paths(inputs, sqlite_db)
    on_pg = pipeline.ingest_paths(inputs, pg_url)
    assert len(on_sqlite.processed) >= 230
    assert (on_pg.processed, on_pg.duplicates, on_pg.rejected) == (
        on_sqlite.processed,
        on_sqlite.duplicates,
        on_sqlite.rejected,
    )
    expected, got = _snapshot(sqlite_db), _snapshot(pg_url)
    assert len(expected["deals"]) > 20  # type: ignore[arg-type]
    for part in expected:
        assert got[part] == expected[part], part

    # Every read command gives the same output on both stores.
    gold = ROOT / "examples" / "gold.jsonl"
    commands = [
        ["facts"],
        ["deals"],
        ["deals", "--recipient", "IND"],
        ["export", "deals", "--format", "csv"],
        ["export", "events", "--format", "jsonl"],
        ["timeline", "RUS-IND"],
        ["eval", str(gold), "--texts", str(ROOT / "examples"), "--json"],
    ]
    for command in commands:
        outputs = [runner.invoke(app, [*command, "--db", db]) for db in (sqlite_db, pg_url)]
        assert [o.exit_code for o in outputs] == [0, 0], (command, outputs[1].output)
        assert outputs[0].output == outputs[1].output, command
    assert runner.invoke(app, ["consolidate", "--db", pg_url]).exit_code == 0  # a full rebuild changes nothing
    assert _snapshot(pg_url)["deals"] == expected["deals"]


def _add_documents(db: str) -> None:
    rows = [
        (
            "k2",
            "Varsovie réceptionne ses premiers chars",
            "La Pologne a reçu mardi la première livraison de chars K2 de la Corée du Sud.",
            "2022-12-06",
        ),
        (
            "rafale",
            "Le Caire commande des Rafale",
            "L'Égypte a signé une deuxième commande de trente Rafale avec la France.",
            "2021-05-04",
        ),
        (
            "s400",
            "Ankara teste ses S-400",
            "La Turquie a procédé à des tirs du système antiaérien russe.",
            "2020-10-16",
        ),
    ]
    with connect(open_store(db)) as conn:
        for doc_id, title, body, published in rows:
            conn.execute(
                t.documents.insert().values(
                    id=doc_id,
                    content_hash=doc_id,
                    path=f"{doc_id}.txt",
                    kind="text",
                    raw_text=body,
                    body=body,
                    title=title,
                    published=published,
                    lines="[]",
                    status="processed",
                    ingested_at="2026-01-01",
                )
            )


def test_full_text_search_uses_french_stemming_and_its_index(pg_url: str) -> None:
    from veille.store.fulltext import FTS_DOCUMENT, search

    _add_documents(pg_url)
    with connect(open_store(pg_url)) as conn:
        assert [r["id"] for r in search(conn, "livraisons de char")] == ["k2"]  # "livraison", "chars"
        assert [r["id"] for r in search(conn, "commandes signées")] == ["rafale"]  # "commande", "signé"
        assert search(conn, "Rafale -Égypte") == []
        assert "<b>tirs</b>" in search(conn, "tir antiaériens")[0]["snippet"]
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        plan = " ".join(
            conn.execute(
                text(f"EXPLAIN SELECT id FROM documents WHERE {FTS_DOCUMENT} @@ websearch_to_tsquery('french', 'char')")
            ).scalars()
        )
    assert "ix_documents_fts" in plan


def test_full_text_search_on_sqlite_needs_every_word(db: str) -> None:
    from veille.store.fulltext import search

    _add_documents(db)
    with connect(open_store(db)) as conn:
        assert [r["id"] for r in search(conn, "chars k2")] == ["k2"]
        assert [r["id"] for r in search(conn, "la")] == ["k2", "rafale", "s400"]  # newest first
        assert search(conn, "chars rafale") == []

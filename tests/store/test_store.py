from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from veille.pipeline import ingest_paths
from veille.store import connect, counts, open_store
from veille.store import schema as t
from veille.store.migrations import LEGACY

ARTICLE = """Varsovie réceptionne ses premiers chars

La Pologne a reçu mardi les dix premiers chars K2 commandés à la Corée du Sud, a annoncé le ministère polonais de la Défense.

Le contrat exécutif, signé en août 2022, porte sur 180 chars K2 pour environ 3,4 milliards de dollars.
"""


def _corpus(folder: Path) -> Path:
    folder.mkdir()
    (folder / "k2.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "broken.txt").write_bytes(b"%PDF-1.4 not an article")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    return folder


def test_ingest_twice_stores_everything_once(tmp_path: Path, db: str) -> None:
    corpus = _corpus(tmp_path / "in")
    first = ingest_paths([corpus], db)
    second = ingest_paths([corpus], db)
    assert first.processed == ["k2"] and second.processed == []
    assert second.unchanged == ["k2"]
    with connect(open_store(db)) as conn:
        n = counts(conn)
        assert n["documents"] == 1
        assert n["rejections"] == 2  # recorded once each, not once per run
        events = conn.execute(select(t.events.c.stage, t.events.c.supplier, t.events.c.recipient)).all()
    assert ("CONTRACT", "KOR", "POL") in events


def test_bad_file_does_not_stop_the_run_and_is_reported(tmp_path: Path, db: str) -> None:
    report = ingest_paths([_corpus(tmp_path / "in")], db)
    reasons = {Path(r.path).name: r.code for r in report.rejected}
    assert reasons == {"broken.txt": "E103", "empty.txt": "E101"}
    assert report.processed == ["k2"]


def test_store_has_schema_version_and_wal(db: str) -> None:
    engine = open_store(db)
    with connect(engine) as conn:
        assert conn.execute(select(t.schema_version.c.version)).scalars().all() == sorted(LEGACY)
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    open_store(db)  # reopening migrates nothing twice
    with connect(engine) as conn:
        assert conn.execute(select(t.schema_version.c.version)).scalars().all() == sorted(LEGACY)


def test_a_version_1_store_is_migrated(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.db"
    con = sqlite3.connect(path)
    con.executescript(
        "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT, description TEXT);"
        "INSERT INTO schema_version VALUES (1, '2026-01-01', 'initial schema');"
        "CREATE TABLE documents (id TEXT PRIMARY KEY, content_hash TEXT, path TEXT, url TEXT, kind TEXT, raw_text TEXT,"
        " body TEXT, title TEXT, published TEXT, published_precision TEXT, inferred_year INTEGER, lang TEXT, source TEXT,"
        " author TEXT, lines TEXT, status TEXT, duplicate_of TEXT, ingested_at TEXT);"
        "INSERT INTO documents (id, content_hash, path, kind, raw_text, body, lines, status, ingested_at)"
        " VALUES ('old', 'h', 'old.txt', 'text', 'x', 'x', '[]', 'processed', '2026-01-01');"
    )
    con.commit()
    con.close()
    with connect(open_store(str(path))) as conn:
        assert conn.execute(select(t.schema_version.c.version)).scalars().all() == sorted(LEGACY)
        assert conn.execute(select(t.documents.c.id, t.documents.c.minhash)).all() == [("old", None)]
        assert conn.execute(select(t.alerts.c.id)).all() == []  # v4: the watch tables exist
        # v5: an old document counts as consolidated and as extracted by unknown rules (reprocess redoes it).
        assert conn.execute(select(t.documents.c.consolidated, t.documents.c.extracted_with)).all() == [(1, None)]


def test_same_text_under_another_name_is_not_stored_again(tmp_path: Path, db: str) -> None:
    corpus = _corpus(tmp_path / "in")
    ingest_paths([corpus], db)
    (corpus / "copy.txt").write_text(ARTICLE.replace("\n\n", "\n\n\n"), encoding="utf-8")
    report = ingest_paths([corpus / "copy.txt"], db)
    assert report.unchanged == ["copy"]


SYNDICATED = """Chars sud-coréens : premières livraisons à la Pologne

Publié le 7 décembre 2022

La Pologne a reçu mardi les dix premiers chars K2 commandés à la Corée du Sud, a annoncé le ministère polonais de la Défense.

Le contrat exécutif, signé en août 2022, porte sur 180 chars K2 pour environ 3,4 milliards de dollars.

Partager cet article
"""


def test_a_syndicated_copy_is_linked_to_its_original_and_counts_once(tmp_path: Path, db: str) -> None:
    corpus = _corpus(tmp_path / "in")
    ingest_paths([corpus / "k2.txt"], db)
    (tmp_path / "copy").mkdir()
    (tmp_path / "copy" / "k2-agence.txt").write_text(SYNDICATED, encoding="utf-8")
    report = ingest_paths([tmp_path / "copy"], db)
    assert report.duplicates == [("k2-agence", "k2")]
    with connect(open_store(db)) as conn:
        docs = dict(conn.execute(select(t.documents.c.id, t.documents.c.duplicate_of)).all())
        sources = conn.execute(select(t.deals.c.n_sources).where(t.deals.c.recipient == "POL")).scalars().all()
    assert docs == {"k2": None, "k2-agence": "k2"}  # the copy is kept, and linked
    assert sources and max(sources) == 1


def test_separately_written_reports_are_not_duplicates(corpus_store: str) -> None:
    with connect(open_store(corpus_store)) as conn:
        linked = conn.execute(select(t.documents.c.id).where(t.documents.c.duplicate_of.is_not(None))).scalars().all()
    assert linked == []


def test_events_keep_their_argument_spans(corpus_store: str) -> None:
    import json

    with connect(open_store(corpus_store)) as conn:
        rows = conn.execute(
            select(t.events.c.doc_id, t.events.c.arguments).where(t.events.c.type == "ARMS_TRANSFER")
        ).all()
        bodies = dict(conn.execute(select(t.documents.c.id, t.documents.c.body)).all())
    assert rows and all(r.arguments is not None for r in rows)
    spans = [(bodies[r.doc_id], json.loads(r.arguments)) for r in rows]
    named_systems = [body[a["system"][0] : a["system"][1]] for body, a in spans if "system" in a]
    assert len(named_systems) > len(rows) / 2 and all(named_systems)


class _Deadlock(Exception):
    sqlstate = "40P01"  # what psycopg puts on PostgreSQL's deadlock_detected


def test_a_batch_that_loses_a_lock_race_is_written_again_and_counted_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL may abort one of two concurrent writers; its batch is rolled back and retried."""
    from sqlalchemy.exc import OperationalError

    import veille.pipeline as pipeline

    real, calls = pipeline.save_document, []

    def loses_once(conn, *args, **kwargs):  # type: ignore[no-untyped-def]
        stored = real(conn, *args, **kwargs)  # the first attempt has written rows before it fails
        calls.append(stored)
        if len(calls) == 1:
            raise OperationalError("INSERT INTO entities …", {}, _Deadlock())
        return stored

    monkeypatch.setattr(pipeline, "save_document", loses_once)
    db = str(tmp_path / "v.db")
    report = ingest_paths([_corpus(tmp_path / "in")], db)
    assert calls == [True, True]  # rolled back whole, then stored by the second attempt
    assert report.processed == ["k2"] and len(report.rejected) == 2
    with connect(open_store(db)) as conn:
        assert counts(conn)["documents"] == 1
        assert conn.execute(select(t.deals.c.system)).scalars().all() == ["K2 Black Panther"]


def test_an_error_that_is_no_lock_race_is_not_retried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy.exc import OperationalError

    import veille.pipeline as pipeline

    def disk_full(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OperationalError("INSERT INTO documents …", {}, Exception("database or disk is full"))

    monkeypatch.setattr(pipeline, "save_document", disk_full)
    with pytest.raises(OperationalError, match="disk is full"):
        ingest_paths([_corpus(tmp_path / "in")], str(tmp_path / "v.db"))

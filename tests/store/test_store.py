from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from veille.pipeline import ingest_paths
from veille.store import connect, counts, open_store
from veille.store import schema as t

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
        assert conn.execute(select(t.schema_version.c.version)).scalars().all() == [1]
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    open_store(db)  # reopening migrates nothing twice
    with connect(engine) as conn:
        assert conn.execute(select(t.schema_version.c.version)).scalars().all() == [1]


def test_same_text_under_another_name_is_not_stored_again(tmp_path: Path, db: str) -> None:
    corpus = _corpus(tmp_path / "in")
    ingest_paths([corpus], db)
    (corpus / "copy.txt").write_text(ARTICLE.replace("\n\n", "\n\n\n"), encoding="utf-8")
    report = ingest_paths([corpus / "copy.txt"], db)
    assert report.unchanged == ["copy"]

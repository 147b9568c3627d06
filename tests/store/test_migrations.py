"""Alembic migrations on SQLite: fresh stores match schema.py; stores of the old code are stamped."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text

from veille.store import connect, open_store
from veille.store import schema as t
from veille.store.migrations import LEGACY, head, include_object


def test_a_fresh_sqlite_store_has_exactly_the_tables_of_schema_py(db: str) -> None:
    engine = open_store(db)
    with engine.connect() as conn:
        assert (
            compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include_object}),
                t.metadata,
            )
            == []
        )
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head()


def test_every_old_version_has_its_revision() -> None:
    assert LEGACY == {1: "0001", 2: "0002", 3: "0003", 4: "0004", 5: "0005", 6: "0006"}
    assert head() == "0006"


def test_a_store_written_by_the_old_migration_list_is_stamped_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "v2.db"
    engine = open_store(str(path))
    with connect(engine) as conn:  # what the old code left: no alembic_version, schema_version 1 and 2
        conn.execute(text("DROP TABLE alembic_version"))
        conn.execute(
            t.documents.insert().values(
                id="old",
                content_hash="h",
                path="old.txt",
                kind="text",
                raw_text="x",
                body="x",
                lines="[]",
                status="processed",
                ingested_at="2026-01-01",
                minhash=b"\x01\x02",
            )
        )
    engine.dispose()
    with connect(open_store(str(path))) as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head()
        assert conn.execute(select(t.documents.c.id, t.documents.c.minhash)).all() == [("old", b"\x01\x02")]
        assert conn.execute(select(t.schema_version.c.version)).scalars().all() == sorted(LEGACY)


def test_a_store_of_an_unknown_newer_version_is_refused_with_a_reason(tmp_path: Path) -> None:
    import pytest

    from veille.errors import StoreError

    path = tmp_path / "future.db"
    con = sqlite3.connect(path)
    con.executescript(
        "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT, description TEXT);"
        "INSERT INTO schema_version VALUES (1, '2026-01-01', 'initial schema'), (2, '2026-01-01', 'x'),"
        " (99, '2026-01-01', 'from the future');"
    )
    con.close()
    with pytest.raises(StoreError, match=r"schema versions \[99\] are not known"):
        open_store(str(path))
    con = sqlite3.connect(path)
    assert con.execute("SELECT COUNT(*) FROM schema_version").fetchone() == (3,)  # nothing touched
    con.close()

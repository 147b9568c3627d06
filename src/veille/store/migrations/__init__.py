"""Schema migrations of the store: Alembic revisions shipped inside the package.

:func:`upgrade` brings any store, SQLite or PostgreSQL, to the newest revision; it is what
:func:`veille.store.open_store` runs, so nobody calls Alembic by hand.

Adding a schema change (one revision per change, never edit a released one):

1. Change the tables in ``veille/store/schema.py``.
2. ``.venv/bin/python -m veille.store.migrations revision -m "what changes" --db /tmp/scratch.db``
   writes ``versions/<rev>_what_changes.py`` with the operations Alembic detects between the
   scratch store (migrated to the current head) and ``schema.py``. Read it: rename the revision id
   to the next number (``0003``, ``0004``…), keep ``down_revision`` pointing at the previous one,
   and add the ``schema_version`` row (see ``0002``) so that ``SELECT * FROM schema_version``
   keeps telling a human what the store holds. Dialect-specific objects (an FTS5 table on SQLite,
   a tsvector index on PostgreSQL) go in the same revision behind ``op.get_bind().dialect.name``.
3. If the change existed before as an entry of the old ``MIGRATIONS`` list, add its number to
   ``LEGACY`` below, so that stores made by the old code are stamped at the right revision.
4. Run ``make test``: ``tests/store/test_migrations.py`` checks that a fresh store matches
   ``schema.py`` on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text

HERE = Path(__file__).resolve().parent

# Stores written before Alembic carry a ``schema_version`` table listing the applied versions of
# the old ``MIGRATIONS`` list; each old version is the Alembic revision of the same number.
LEGACY = {1: "0001", 2: "0002", 3: "0003", 4: "0004", 5: "0005", 6: "0006"}

# Objects a revision creates for one database only, which schema.py cannot describe for both
# (PostgreSQL's full-text index on an expression): autogenerate must not propose dropping them.
# The deals' date-order index (0003) is an expression index autogenerate cannot compare.
DIALECT_ONLY = {"ix_documents_fts", "ix_deals_by_date"}


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Alembic's filter: everything but :data:`DIALECT_ONLY` and SQLite's FTS5 shadow tables."""
    return name not in DIALECT_ONLY and not (name or "").startswith("documents_fts")


def config(connection: Connection | None = None, url: str | None = None) -> Config:
    """An Alembic configuration pointing at this folder (no ``alembic.ini`` involved)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    if url:
        cfg.set_main_option("sqlalchemy.url", url)
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@cache
def head() -> str:
    """The newest revision id."""
    heads = ScriptDirectory.from_config(config()).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"the store migrations have {len(heads)} heads {heads}: merge them into one")
    return heads[0]


def current(conn: Connection) -> str | None:
    """The revision the store is at (None for an empty store or one written before Alembic)."""
    heads = MigrationContext.configure(conn).get_current_heads()
    return heads[0] if heads else None


def legacy_versions(conn: Connection) -> set[int]:
    """Versions recorded by the pre-Alembic code in ``schema_version``, if the store has them."""
    if not inspect(conn).has_table("schema_version"):
        return set()
    return {row[0] for row in conn.execute(text("SELECT version FROM schema_version"))}


def upgrade(conn: Connection) -> str:
    """Bring the store behind ``conn`` to the newest revision, inside the caller's transaction.

    A store made before Alembic is first stamped at the revision matching its newest old version
    (its tables are there already), then upgraded like any other. Returns the revision it is at.
    """
    at = current(conn)
    if at == head():
        return at
    cfg = config(conn)
    if at is None:
        old = legacy_versions(conn)
        if old:
            unknown = sorted(old - set(LEGACY))
            if unknown:
                raise LookupError(f"schema versions {unknown} are not known to this veille (too old a release?)")
            command.stamp(cfg, LEGACY[max(old)])
    command.upgrade(cfg, "head")
    return head()

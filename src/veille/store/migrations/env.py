"""Alembic environment of the store, run programmatically by :func:`veille.store.database.open_store`.

The caller hands over an open connection (``config.attributes["connection"]``), already in the
transaction that holds the migration lock, so no ``alembic.ini`` and no URL are needed at run
time. ``python -m veille.store.migrations`` builds the same configuration for developers.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from veille.store.migrations import include_object
from veille.store.schema import metadata


def _run(connection: Connection) -> None:
    # render_as_batch: SQLite cannot ALTER most things in place; batch mode copies the table.
    context.configure(
        connection=connection, target_metadata=metadata, render_as_batch=True, include_object=include_object
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:  # developer use: `python -m veille.store.migrations ... --db URL`
    from veille.store.database import engine_for

    with engine_for(context.config.get_main_option("sqlalchemy.url") or "").begin() as conn:
        _run(conn)

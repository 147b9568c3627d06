"""Full-text search over the cleaned text and the dashboard's indexes (the old version 3).

SQLite gets an FTS5 table kept current by triggers (``veille.store.search``); PostgreSQL has
its French tsvector index since 0001. Both get the indexes the dashboard's lists walk.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

DESCRIPTION = "full-text search over cleaned text; dashboard indexes"

# (name, table, columns) of the plain indexes; ix_deals_by_date is an expression index below.
INDEXES = [
    ("ix_events_type", "events", ["type", "when"]),
    ("ix_deals_latest_when", "deals", ["latest_when"]),
    ("ix_deals_supplier", "deals", ["supplier"]),
    ("ix_deals_recipient", "deals", ["recipient"]),
    ("ix_deals_stage", "deals", ["latest_stage"]),
    ("ix_deals_system", "deals", ["system"]),
    ("ix_documents_published", "documents", ["published"]),
    ("ix_documents_duplicate_of", "documents", ["duplicate_of"]),
]


def upgrade() -> None:
    bind = op.get_bind()
    tables = set(sa.inspect(bind).get_table_names())
    indexed = {"events", "deals", "documents"} & tables
    present = {ix["name"] for table in indexed for ix in sa.inspect(bind).get_indexes(table)}
    for name, table, columns in INDEXES:
        if name not in present and table in tables:  # a store of the old code may have them already
            op.create_index(name, table, columns)
    if "deals" in tables:
        # Undated deals (no date, or no year: "XXXX-10-08") after the dated ones, newest first,
        # without sorting every deal.
        op.execute(
            "CREATE INDEX IF NOT EXISTS ix_deals_by_date ON deals "
            "((latest_when IS NULL OR latest_when LIKE 'X%'), latest_when DESC)"
        )
    if bind.dialect.name == "sqlite" and "documents" in tables:
        from veille.store.search import FTS_SETUP

        for statement in FTS_SETUP:
            op.execute(statement)
    op.execute(
        sa.text("INSERT INTO schema_version (version, applied_at, description) VALUES (3, :at, :what)").bindparams(
            at=datetime.now(UTC).isoformat(timespec="seconds"), what=DESCRIPTION
        )
    )


def downgrade() -> None:
    op.execute("DELETE FROM schema_version WHERE version = 3")
    if op.get_bind().dialect.name == "sqlite":
        for name in ("documents_fts_insert", "documents_fts_delete", "documents_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS documents_fts")
    op.drop_index("ix_deals_by_date", "deals")
    for name, table, _ in INDEXES:
        op.drop_index(name, table)

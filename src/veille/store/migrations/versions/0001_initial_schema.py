"""Initial schema: documents and their sentences, mentions, time expressions and events; deals.

The tables as the first release of the store had them (the old ``MIGRATIONS`` version 1),
written out here so that later changes to ``schema.py`` never rewrite history.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

DESCRIPTION = "initial schema"
# The indexed expression, character for character the one veille.store.fulltext searches.
FTS_DOCUMENT = "to_tsvector('french'::regconfig, coalesce(title, '') || ' ' || body)"
Key = sa.String().with_variant(sa.String(collation="C"), "postgresql")
Name = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")


def _doc_id(**kw: object) -> sa.Column:
    return sa.Column("doc_id", Key, sa.ForeignKey("documents.id", ondelete="CASCADE"), **kw)


def upgrade() -> None:
    version = op.create_table(
        "schema_version",
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("applied_at", sa.String, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
    )
    op.create_table(
        "documents",
        sa.Column("id", Key, primary_key=True),
        sa.Column("content_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("raw_text", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("published", sa.String(10)),
        sa.Column("published_precision", sa.String(5)),
        sa.Column("inferred_year", sa.Integer),
        sa.Column("lang", sa.String(8)),
        sa.Column("source", sa.Text),
        sa.Column("author", sa.Text),
        sa.Column("lines", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("duplicate_of", sa.String),
        sa.Column("ingested_at", sa.String, nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        # Full-text search in PostgreSQL's own French configuration (veille.store.fulltext);
        # SQLite stores get their FTS5 table in a revision of their own.
        op.execute(f"CREATE INDEX ix_documents_fts ON documents USING gin ({FTS_DOCUMENT})")
    op.create_table(
        "rejections",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("code", sa.String(8), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("rejected_at", sa.String, nullable=False),
        sa.UniqueConstraint("path", "code", name="uq_rejection"),
    )
    op.create_table(
        "sentences",
        _doc_id(primary_key=True),
        sa.Column("idx", sa.Integer, primary_key=True),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_table(
        "entities",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("qid", sa.String(16)),
        sa.Column("country", sa.String(3)),
    )
    op.create_table(
        "mentions",
        _doc_id(primary_key=True),
        sa.Column("start", sa.Integer, primary_key=True),
        sa.Column("end", sa.Integer, primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("sentence", sa.Integer, nullable=False),
        sa.Column("entity_id", sa.String, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("via", sa.String(16), nullable=False),
    )
    op.create_index("ix_mentions_entity", "mentions", ["entity_id"])
    op.create_table(
        "timexes",
        _doc_id(primary_key=True),
        sa.Column("start", sa.Integer, primary_key=True),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("type", sa.String(10), nullable=False),
        sa.Column("value", sa.String(40)),
        sa.Column("mod", sa.String(16)),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.String(40), primary_key=True),
        _doc_id(nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("stage", sa.String(16)),
        sa.Column("supplier", sa.String(3)),
        sa.Column("recipient", sa.String(3)),
        sa.Column("system", sa.Text),
        sa.Column("family", sa.Text),
        sa.Column("modality", sa.String(10), nullable=False),
        sa.Column("when", sa.String(40)),
        sa.Column("fields", sa.Text, nullable=False),
        sa.Column("sentences", sa.Text, nullable=False),
        sa.Column("trigger", sa.Text, nullable=False),
        sa.Column("trigger_start", sa.Integer, nullable=False),
        sa.Column("trigger_end", sa.Integer, nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("attribution", sa.Text),
    )
    op.create_index("ix_events_doc", "events", ["doc_id"])
    op.create_index("ix_events_deal_key", "events", ["supplier", "recipient", "family"])
    op.create_table(
        "deals",
        sa.Column("id", Key, primary_key=True),
        sa.Column("supplier", sa.String(3), nullable=False),
        sa.Column("recipient", sa.String(3), nullable=False),
        sa.Column("system", Name, nullable=False),
        sa.Column("family", Name, nullable=False),
        sa.Column("order_no", sa.Integer, nullable=False),
        sa.Column("latest_stage", sa.String(16), nullable=False),
        sa.Column("latest_when", sa.String(40)),
        sa.Column("n_sources", sa.Integer, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.bulk_insert(
        version,
        [{"version": 1, "applied_at": datetime.now(UTC).isoformat(timespec="seconds"), "description": DESCRIPTION}],
    )


def downgrade() -> None:
    for table in ("deals", "events", "timexes", "mentions", "entities", "sentences", "rejections", "documents"):
        op.drop_table(table)
    op.drop_table("schema_version")

"""The store's tables, in SQLAlchemy Core so that SQLite (default) and PostgreSQL share them."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("applied_at", String, nullable=False),
    Column("description", Text, nullable=False),
)

documents = Table(
    "documents",
    metadata,
    Column("id", String, primary_key=True),
    Column("content_hash", String(64), nullable=False, unique=True),
    Column("path", Text, nullable=False),
    Column("url", Text),
    Column("kind", String(8), nullable=False),
    Column("raw_text", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("title", Text),
    Column("published", String(10)),
    Column("published_precision", String(5)),
    Column("inferred_year", Integer),
    Column("lang", String(8)),
    Column("source", Text),
    Column("author", Text),
    Column("lines", Text, nullable=False),  # JSON: per raw line, label and reason
    Column("status", String(16), nullable=False),  # processed | duplicate
    Column("duplicate_of", String),
    Column("minhash", LargeBinary),  # near-duplicate signature (clean.dedup), since schema v2
    # Since schema v5: what extracted the stored rows (veille.batch.fingerprint), whether the
    # deals include them yet, and the reader's metadata, so `reprocess` needs no file.
    Column("extracted_with", String(40)),
    Column("consolidated", Integer, nullable=False, server_default="1"),
    Column("raw_meta", Text),
    Column("ingested_at", String, nullable=False),
)

rejections = Table(
    "rejections",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("path", Text, nullable=False),
    Column("code", String(8), nullable=False),
    Column("reason", Text, nullable=False),
    Column("rejected_at", String, nullable=False),
    UniqueConstraint("path", "code", name="uq_rejection"),
)

sentences = Table(
    "sentences",
    metadata,
    Column("doc_id", String, ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("idx", Integer, primary_key=True),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("text", Text, nullable=False),
)

entities = Table(
    "entities",
    metadata,
    Column("id", String, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("name", Text, nullable=False),
    Column("qid", String(16)),
    Column("country", String(3)),
)

mentions = Table(
    "mentions",
    metadata,
    Column("doc_id", String, ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("start", Integer, primary_key=True),
    Column("end", Integer, primary_key=True),
    Column("text", Text, nullable=False),
    Column("sentence", Integer, nullable=False),
    Column("entity_id", String, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("via", String(16), nullable=False),
    Index("ix_mentions_entity", "entity_id"),
)

timexes = Table(
    "timexes",
    metadata,
    Column("doc_id", String, ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("start", Integer, primary_key=True),
    Column("end", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("type", String(10), nullable=False),
    Column("value", String(40)),
    Column("mod", String(16)),
)

events = Table(
    "events",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("doc_id", String, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("type", String(16), nullable=False),
    Column("stage", String(16)),
    Column("supplier", String(3)),
    Column("recipient", String(3)),
    Column("system", Text),
    Column("family", Text),
    Column("modality", String(10), nullable=False),
    Column("when", String(40)),
    Column("fields", Text, nullable=False),  # JSON: every field of the fact
    Column("sentences", Text, nullable=False),  # JSON list of sentence indices (evidence)
    Column("trigger", Text, nullable=False),
    Column("trigger_start", Integer, nullable=False),
    Column("trigger_end", Integer, nullable=False),
    Column("confidence", Float, nullable=False),
    Column("attribution", Text),
    Index("ix_events_doc", "doc_id"),
    Index("ix_events_deal_key", "supplier", "recipient", "family"),
)

deals = Table(
    "deals",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("supplier", String(3), nullable=False),
    Column("recipient", String(3), nullable=False),
    Column("system", Text, nullable=False),
    Column("family", Text, nullable=False),
    Column("order_no", Integer, nullable=False),
    Column("latest_stage", String(16), nullable=False),
    Column("latest_when", String(40)),
    Column("n_sources", Integer, nullable=False),
    Column("detail", Text, nullable=False),  # JSON: stages, quantities, values, conflicts
)

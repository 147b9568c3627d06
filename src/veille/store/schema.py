"""The store's tables, in SQLAlchemy Core so that SQLite (default) and PostgreSQL share them."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ColumnElement,
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
    literal_column,
    or_,
)

metadata = MetaData()

# Ids are compared and sorted byte-wise on every backend (SQLite's BINARY collation), so that
# listings come out in the same order on PostgreSQL whatever the database's locale.
Key = String().with_variant(String(collation="C"), "postgresql")
Name = Text().with_variant(Text(collation="C"), "postgresql")  # deal listings sort on system names

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
    Column("id", Key, primary_key=True),
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
    Column("minhash", LargeBinary),  # near-duplicate signature (clean.dedup), since revision 0002
    # Since revision 0005: what extracted the stored rows (veille.batch.fingerprint), whether the
    # deals include them yet, and the reader's metadata, so `reprocess` needs no file.
    Column("extracted_with", String(40)),
    Column("consolidated", Integer, nullable=False, server_default="1"),
    Column("raw_meta", Text),
    Column("ingested_at", String, nullable=False),
    Index("ix_documents_published", "published"),  # since schema v3: date filters, newest first
    Index("ix_documents_duplicate_of", "duplicate_of"),  # since schema v3: a document's copies
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
    Column("doc_id", Key, ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
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
    Column("doc_id", Key, ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
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
    Column("doc_id", Key, ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
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
    Column("doc_id", Key, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
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
    # Since revision 0006: JSON {argument: [start, end]}, where the text names the system, the
    # date and each state (character offsets into the document's body).
    Column("arguments", Text),
    Index("ix_events_doc", "doc_id"),
    Index("ix_events_deal_key", "supplier", "recipient", "family"),
    Index("ix_events_type", "type", "when"),  # since schema v3: the dashboard's event filters
)

deals = Table(
    "deals",
    metadata,
    Column("id", Key, primary_key=True),
    Column("supplier", String(3), nullable=False),
    Column("recipient", String(3), nullable=False),
    Column("system", Name, nullable=False),
    Column("family", Name, nullable=False),
    Column("order_no", Integer, nullable=False),
    Column("latest_stage", String(16), nullable=False),
    Column("latest_when", String(40)),
    Column("n_sources", Integer, nullable=False),
    Column("detail", Text, nullable=False),  # JSON: stages, quantities, values, conflicts
    # Since schema v3: the dashboard lists deals newest first and filters them by state.
    Index("ix_deals_latest_when", "latest_when"),
    Index("ix_deals_supplier", "supplier"),
    Index("ix_deals_recipient", "recipient"),
    Index("ix_deals_stage", "latest_stage"),
    Index("ix_deals_system", "system"),
)

# A deal whose latest stage has no date, or no year ("XXXX-10-08"): listed after the dated ones.
# The pattern is a literal, not a bound parameter, so that queries ordering by this very
# expression can walk the index below instead of sorting every deal (schema v3).
DEAL_UNDATED: ColumnElement[bool] = or_(deals.c.latest_when.is_(None), deals.c.latest_when.like(literal_column("'X%'")))
Index("ix_deals_by_date", DEAL_UNDATED, deals.c.latest_when.desc())

# Since schema v4: the watch loop's memory (feed state, alerts), see ``veille.watch``.
watch_sources = Table(
    "watch_sources",
    metadata,
    Column("name", String, primary_key=True),
    Column("url", Text, nullable=False),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("last_status", Integer),  # HTTP status of the last answer (0: no answer)
    Column("last_error", Text),
    Column("failures", Integer, nullable=False, default=0),  # consecutive; drives the backoff
    Column("next_try_at", String),  # ISO UTC: not polled before (backoff)
    Column("last_polled_at", String),
    Column("last_ok_at", String),
    Column("entries_seen", Integer, nullable=False, default=0),
)

watch_state = Table(
    "watch_state",
    metadata,
    Column("key", String, primary_key=True),
    Column("value", Text, nullable=False),  # JSON (e.g. the store snapshot alerts are computed against)
    Column("updated_at", String, nullable=False),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", String(40), primary_key=True),  # sha1 of rule + what it found: an alert is raised once
    Column("rule", Text, nullable=False),
    Column("kind", String(24), nullable=False),  # new_deal | new_transfer | stage_advance | new_conflict | new_sanction
    Column("deal_id", String(40)),
    Column("supplier", String(3)),
    Column("recipient", String(3)),
    Column("title", Text, nullable=False),
    Column("detail", Text, nullable=False),  # JSON: what changed, with evidence (doc ids, sentences, urls)
    Column("created_at", String, nullable=False),
    Column("posted_at", String),  # webhook delivery; NULL while not delivered
    Index("ix_alerts_created", "created_at"),
)

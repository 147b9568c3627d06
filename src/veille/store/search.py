"""Full-text search over the cleaned document text, one function for every database.

SQLite answers from an FTS5 index (``documents_fts``, created and backfilled by revision 0003
and kept current by triggers, so every writer feeds it without knowing it exists); PostgreSQL
from its French tsvector index (revision 0001, expression in ``veille.store.fulltext``). Other
databases fall back to a case-insensitive ``LIKE``; the results have the same shape either way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import (
    Column,
    Connection,
    MetaData,
    Select,
    String,
    Table,
    Text,
    and_,
    func,
    literal_column,
    or_,
    select,
)

from veille.store import schema as t
from veille.store.fulltext import FRENCH, french_match, french_query

# Marks around matched words in a snippet: control characters no article text contains, so the
# dashboard can escape the snippet first and highlight second.
HIT_START, HIT_END = "\x02", "\x03"
SNIPPET_WORDS = 16

# The FTS5 table as SQLAlchemy sees it; not in ``schema.metadata`` (``create_all`` cannot make a
# virtual table; migration 3 does).
fts = Table(
    "documents_fts",
    MetaData(),
    Column("doc_id", String),
    Column("title", Text),
    Column("body", Text),
)

FTS_SETUP = [
    # The tokenizer folds case and accents: "negociation" finds "négociation".
    "CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING fts5("
    "doc_id UNINDEXED, title, body, tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS documents_fts_insert AFTER INSERT ON documents BEGIN "
    "INSERT INTO documents_fts (doc_id, title, body) VALUES (new.id, coalesce(new.title, ''), new.body); END",
    "CREATE TRIGGER IF NOT EXISTS documents_fts_delete AFTER DELETE ON documents BEGIN "
    "DELETE FROM documents_fts WHERE doc_id = old.id; END",
    "CREATE TRIGGER IF NOT EXISTS documents_fts_update AFTER UPDATE OF title, body ON documents BEGIN "
    "DELETE FROM documents_fts WHERE doc_id = old.id; "
    "INSERT INTO documents_fts (doc_id, title, body) VALUES (new.id, coalesce(new.title, ''), new.body); END",
    "DELETE FROM documents_fts",
    "INSERT INTO documents_fts (doc_id, title, body) SELECT id, coalesce(title, ''), body FROM documents",
]


@dataclass(frozen=True)
class Hit:
    """One matching document, with a snippet whose matched words sit between HIT_START and HIT_END."""

    doc_id: str
    title: str | None
    published: str | None
    source: str | None
    snippet: str


def words(query: str) -> list[str]:
    """The words of a user's query (punctuation and FTS operators are not theirs to use)."""
    return re.findall(r"\w+", query)


def fts_query(query: str) -> str:
    """An FTS5 expression matching documents holding every word (the last one as a prefix)."""
    terms = [f'"{w}"' for w in words(query)]
    if terms:
        terms[-1] += "*"
    return " ".join(terms)


def search_documents(conn: Connection, query: str, limit: int = 20, offset: int = 0) -> tuple[int, list[Hit]]:
    """(total, hits) of the documents whose cleaned text or title holds every word of ``query``.

    Best matches first on SQLite (BM25); newest first elsewhere. A query without any word
    matches nothing.
    """
    if not words(query):
        return 0, []
    if conn.dialect.name == "sqlite":
        return _search_fts5(conn, query, limit, offset)
    if conn.dialect.name == "postgresql":
        return _search_postgres(conn, query, limit, offset)
    return _search_like(conn, query, limit, offset)


def _search_postgres(conn: Connection, query: str, limit: int, offset: int) -> tuple[int, list[Hit]]:
    """PostgreSQL's own French full-text search, on the GIN index of revision 0001."""
    d = t.documents
    plain = " ".join(words(query))  # words only, as on SQLite: no operators
    match = french_match(plain)
    total = conn.execute(select(func.count()).select_from(d).where(match)).scalar_one()
    options = f"MaxWords=30, MinWords=12, MaxFragments=1, StartSel={HIT_START}, StopSel={HIT_END}"
    snippet = func.ts_headline(FRENCH, d.c.body, french_query(plain), options)
    rows = conn.execute(
        select(d.c.id, d.c.title, d.c.published, d.c.source, snippet.label("snippet"))
        .where(match)
        .order_by(d.c.published.desc(), d.c.id)
        .limit(limit)
        .offset(offset)
    )
    return total, [Hit(r.id, r.title, r.published, r.source, r.snippet) for r in rows]


def _search_fts5(conn: Connection, query: str, limit: int, offset: int) -> tuple[int, list[Hit]]:
    table = literal_column("documents_fts")
    match = table.op("MATCH")(fts_query(query))
    total = conn.execute(select(func.count()).select_from(fts).where(match)).scalar_one()
    snippet = func.snippet(table, 2, HIT_START, HIT_END, "…", SNIPPET_WORDS)
    d = t.documents
    rows = conn.execute(
        select(fts.c.doc_id, d.c.title, d.c.published, d.c.source, snippet.label("snippet"))
        .select_from(fts.join(d, d.c.id == fts.c.doc_id))
        .where(match)
        .order_by(literal_column("rank"))
        .limit(limit)
        .offset(offset)
    )
    return total, [Hit(r.doc_id, r.title, r.published, r.source, r.snippet) for r in rows]


def _search_like(conn: Connection, query: str, limit: int, offset: int) -> tuple[int, list[Hit]]:
    d = t.documents
    terms = words(query)
    cond = and_(*[or_(d.c.body.ilike(f"%{w}%"), d.c.title.ilike(f"%{w}%")) for w in terms])
    total = conn.execute(select(func.count()).select_from(d).where(cond)).scalar_one()
    rows = conn.execute(
        select(d.c.id, d.c.title, d.c.published, d.c.source, d.c.body)
        .where(cond)
        .order_by(d.c.published.desc(), d.c.id)
        .limit(limit)
        .offset(offset)
    )
    return total, [Hit(r.id, r.title, r.published, r.source, _snippet(r.body, terms)) for r in rows]


def _snippet(body: str, terms: list[str]) -> str:
    """A window of the body around the first matched word, matched words marked."""
    lowered = body.lower()
    first = min((i for w in terms if (i := lowered.find(w.lower())) >= 0), default=0)
    start = max(0, first - 80)
    window = body[start : start + 200]
    pattern = re.compile("|".join(re.escape(w) for w in terms), re.IGNORECASE)
    marked = pattern.sub(lambda m: f"{HIT_START}{m.group(0)}{HIT_END}", window)
    return ("…" if start else "") + marked + ("…" if start + 200 < len(body) else "")


def matching_ids(conn: Connection, query: str) -> Select[tuple[str]]:
    """A sub-select of the ids of the documents matching ``query``, to combine with other filters."""
    if conn.dialect.name == "sqlite":
        return select(fts.c.doc_id).where(literal_column("documents_fts").op("MATCH")(fts_query(query)))
    d = t.documents
    if conn.dialect.name == "postgresql":
        return select(d.c.id).where(french_match(" ".join(words(query))))
    terms = words(query) or [""]
    return select(d.c.id).where(and_(*[or_(d.c.body.ilike(f"%{w}%"), d.c.title.ilike(f"%{w}%")) for w in terms]))

"""Full-text search over the stored documents, in each database's own engine.

PostgreSQL: ``tsvector`` in the French configuration (stemming and stop words: "livraisons"
finds "livraison", "chars" finds "char"), queried with ``websearch_to_tsquery`` (quotes for a
phrase, ``-word`` to exclude, ``or``), ranked by ``ts_rank`` and served by the GIN index that
revision 0001 creates on exactly the same expression.

SQLite: every word of the query must occur in the title or body (case-insensitive substring,
no stemming), newest first, scanning the table. The dashboard searches through
:mod:`veille.store.search`, which uses SQLite's FTS5 index and the conditions below on PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, and_, func, literal_column, select

from veille.store import schema as t

# Must stay identical to the index expression of revision 0001 for PostgreSQL to use the index.
FTS_DOCUMENT = "to_tsvector('french'::regconfig, coalesce(title, '') || ' ' || body)"


FRENCH = literal_column("'french'::regconfig")


def french_query(query: str) -> Any:
    """PostgreSQL's reading of a user's query in French (quotes, ``-word``, ``or``)."""
    return func.websearch_to_tsquery(FRENCH, query)


def french_match(query: str) -> Any:
    """The condition "this document matches ``query``", served by the GIN index of revision 0001."""
    return literal_column(FTS_DOCUMENT).op("@@")(french_query(query))


def search(conn: Connection, query: str, limit: int = 20) -> list[dict[str, Any]]:
    """Documents matching ``query``, best first: id, title, published and a highlighted snippet."""
    if not query.strip():
        return []
    docs = t.documents.c
    if conn.dialect.name == "postgresql":
        wanted = french_query(query)
        rank = func.ts_rank(literal_column(FTS_DOCUMENT), wanted)
        snippet = func.ts_headline(FRENCH, docs.body, wanted, "MaxWords=30, MinWords=12, MaxFragments=1")
        stmt = (
            select(docs.id, docs.title, docs.published, snippet.label("snippet"))
            .where(french_match(query))
            .order_by(rank.desc(), docs.id)
            .limit(limit)
        )
    else:
        words = [w.lower() for w in query.split() if w.strip()]
        text = func.lower(func.coalesce(docs.title, "") + " " + docs.body)
        stmt = (
            select(docs.id, docs.title, docs.published, func.substr(docs.body, 1, 200).label("snippet"))
            .where(and_(*(text.contains(w, autoescape=True) for w in words)))
            .order_by(docs.published.is_(None), docs.published.desc(), docs.id)
            .limit(limit)
        )
    return [dict(row._mapping) for row in conn.execute(stmt)]

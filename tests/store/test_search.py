"""Full-text search over the cleaned text: schema v3, FTS5 kept in step by triggers, LIKE elsewhere."""

from __future__ import annotations

from sqlalchemy import delete, text

from veille.ingest.files import content_hash
from veille.models import CleanDocument, DocumentResult, RawDocument
from veille.store import connect, open_store, save_document
from veille.store import schema as t
from veille.store.search import HIT_END, HIT_START, _search_like, fts_query, search_documents


def _result(doc_id: str, body: str, title: str | None = None) -> DocumentResult:
    raw = RawDocument(doc_id, f"{doc_id}.txt", body, "text", content_hash(body))
    clean = CleanDocument(raw, body, title, None, None, None, "fr", None, None)
    return DocumentResult(clean, (), (), (), ())


def _ids(conn, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [h.doc_id for h in search_documents(conn, query)[1]]


def test_search_follows_every_write_of_a_document(db: str) -> None:
    engine = open_store(db)
    with connect(engine) as conn:
        save_document(conn, _result("a", "Les frégates arrivent à Toulon en octobre."), {})
        save_document(
            conn, _result("b", "Le contrat des sous-marins est suspendu.", title="Frégates et sous-marins"), {}
        )
    with connect(engine) as conn:
        assert sorted(_ids(conn, "fregates")) == ["a", "b"]  # body of one, title of the other
        assert _ids(conn, "sous-marins suspendu") == ["b"]
        assert _ids(conn, "touL") == ["a"]  # the last word is a prefix
        save_document(conn, _result("a", "Les corvettes arrivent à Brest."), {})  # re-processed: replaced
    with connect(engine) as conn:
        assert _ids(conn, "Toulon") == [] and _ids(conn, "corvettes") == ["a"]
        conn.execute(delete(t.documents).where(t.documents.c.id == "b"))
    with connect(engine) as conn:
        assert _ids(conn, "suspendu") == []


def test_snippets_mark_the_matched_words(db: str) -> None:
    engine = open_store(db)
    with connect(engine) as conn:
        save_document(conn, _result("a", "Moscou a livré le premier régiment de S-400 à New Delhi."), {})
        total, (hit,) = search_documents(conn, "regiment")
    assert total == 1 and f"{HIT_START}régiment{HIT_END}" in hit.snippet


def test_a_store_from_before_schema_v3_is_indexed_when_opened(db: str) -> None:
    engine = open_store(db)
    with connect(engine) as conn:
        save_document(conn, _result("old", "Un vieil article sur des hélicoptères Caracal."), {})
        # Back to schema v2: no full-text table, no triggers, no v3 row.
        for name in ("documents_fts_insert", "documents_fts_delete", "documents_fts_update"):
            conn.execute(text(f"DROP TRIGGER {name}"))
        conn.execute(text("DROP TABLE documents_fts"))
        conn.execute(delete(t.schema_version).where(t.schema_version.c.version >= 3))
        conn.execute(text("UPDATE alembic_version SET version_num = '0002'"))
    engine.dispose()
    with connect(open_store(db)) as conn:
        assert _ids(conn, "helicopteres caracal") == ["old"]
        versions = [r[0] for r in conn.execute(text("SELECT version FROM schema_version ORDER BY version"))]
    assert versions[-1] >= 3


def test_queries_are_words_never_fts_syntax(db: str) -> None:
    assert fts_query('S-400 "NEAR(x y)" OR *') == '"S" "400" "NEAR" "x" "y" "OR"*'
    engine = open_store(db)
    with connect(engine) as conn:
        save_document(conn, _result("a", "Texte quelconque."), {})
        assert search_documents(conn, "\"'()*:^-") == (0, [])


def test_other_databases_fall_back_to_like_with_the_same_answers(db: str) -> None:
    engine = open_store(db)
    with connect(engine) as conn:
        save_document(conn, _result("a", "Athènes a reçu six Rafale livrés par la France."), {})
        save_document(conn, _result("b", "Le Caire commande trente Rafale."), {})
        total, hits = _search_like(conn, "rafale france", 10, 0)
    assert total == 1 and hits[0].doc_id == "a"
    assert f"{HIT_START}Rafale{HIT_END}" in hits[0].snippet and f"{HIT_START}France{HIT_END}" in hits[0].snippet

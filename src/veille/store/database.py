"""Opening the store, migrating it, and writing one document's results in one transaction.

Identity is content: a document whose content hash is already stored is not stored again,
whatever its path; re-processing a document replaces its rows in a single transaction, so a
crash leaves either the old rows or the new ones, never half of each.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, Table, create_engine, delete, event, insert, select, text
from sqlalchemy.exc import ArgumentError, IntegrityError, InterfaceError, NoSuchModuleError, OperationalError

from veille.errors import StoreError
from veille.models import DocumentResult, Event, Rejection
from veille.store import migrations
from veille.store import schema as t

DEFAULT_DB = "veille.db"
T = TypeVar("T")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def engine_for(url_or_path: str) -> Engine:
    """An engine for a SQLite path (WAL mode) or any SQLAlchemy URL.

    ``postgresql://`` means psycopg 3, the driver veille ships with (SQLAlchemy would otherwise
    look for psycopg2).
    """
    url = url_or_path if "://" in url_or_path else f"sqlite:///{Path(url_or_path)}"
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

    return engine


def lock(conn: Connection, name: str) -> None:
    """Serialise writers on ``name`` until the transaction ends.

    PostgreSQL: a transaction-scoped advisory lock, so that two processes migrating the schema or
    rebuilding the same deals wait for each other instead of colliding. SQLite already lets one
    writer at a time in, so there is nothing to do.
    """
    if conn.dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha1(f"veille:{name}".encode()).digest()[:8], "big", signed=True)
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def open_store(url_or_path: str = DEFAULT_DB) -> Engine:
    """Open the store, creating it or bringing its schema to the newest Alembic revision."""
    try:
        engine = engine_for(url_or_path)
    except (ArgumentError, NoSuchModuleError) as err:
        reason = f"not a SQLite path or database URL ({err})"
        raise StoreError(f"[E301] cannot open the store {url_or_path}: {reason}") from err
    try:
        with engine.begin() as conn:
            if migrations.current(conn) != migrations.head():
                lock(conn, "schema")
                migrations.upgrade(conn)
    except LookupError as err:
        raise StoreError(f"[E301] cannot open the store {url_or_path}: {err}") from err
    except (OperationalError, InterfaceError) as err:
        raise StoreError(f"[E301] cannot open the store {url_or_path}: {err.orig}") from err
    return engine


# PostgreSQL's codes for "this transaction lost a lock race; run it again": deadlock_detected
# and serialization_failure. Retrying the whole transaction is what the server's manual advises.
RETRYABLE = {"40P01", "40001"}
ATTEMPTS = 3  # a transaction that loses a lock race this many times in a row is an error worth seeing


def retrying(transaction: Callable[[], T], attempts: int = ATTEMPTS) -> T:
    """Run ``transaction`` (which opens, fills and commits one transaction) until it commits.

    Only a deadlock or a serialisation failure is tried again: the server has rolled the whole
    transaction back, so running it again from the start is safe; any other error is raised.
    """
    for attempt in range(attempts):
        try:
            return transaction()
        except OperationalError as error:
            if getattr(error.orig, "sqlstate", None) not in RETRYABLE or attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


@contextmanager
def connect(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction."""
    with engine.begin() as conn:
        yield conn


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that writes: all of it is committed, or none of it.

    On SQLite, Python's driver opens a transaction only before an INSERT, UPDATE or DELETE, so a
    savepoint issued first (``save_document`` keeps each document in one) would run outside any
    transaction and its RELEASE would commit it on its own, out of the batch. ``BEGIN IMMEDIATE``
    opens the transaction at once and takes SQLite's single write lock up front, so a second
    writer waits for it (busy timeout) instead of failing half-way on a stale read.
    PostgreSQL needs nothing: SQLAlchemy's ``begin()`` is a real transaction there.
    """
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        yield conn


def event_id(doc_id: str, event: Event) -> str:
    """Stable id of a document's fact: re-processing gives the same id."""
    key = json.dumps([doc_id, *map(str, event.key())], ensure_ascii=False)
    return hashlib.sha1(key.encode("utf-8")).hexdigest()


def known_hash(conn: Connection, content_hash: str) -> str | None:
    """Id of the stored document with this content, if any."""
    row = conn.execute(select(t.documents.c.id).where(t.documents.c.content_hash == content_hash)).first()
    return row[0] if row else None


def insert_new(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows``, skipping each one whose key is stored already (by us or a concurrent writer).

    ``INSERT … ON CONFLICT DO NOTHING`` row by row, where catching an IntegrityError would throw
    away the whole statement, other new rows with it.
    """
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    elif conn.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:  # no portable upsert: one savepoint per row
        for row in rows:
            try:
                with conn.begin_nested():
                    conn.execute(insert(table), [row])
            except IntegrityError:
                pass
        return
    conn.execute(dialect_insert(table).on_conflict_do_nothing(), rows)


def save_rejection(conn: Connection, rejection: Rejection) -> None:
    """Record a rejected input once (same path and reason are not recorded twice)."""
    exists = conn.execute(
        select(t.rejections.c.id).where(t.rejections.c.path == rejection.path, t.rejections.c.code == rejection.code)
    ).first()
    if exists is None:
        insert_new(
            conn,
            t.rejections,
            [{"path": rejection.path, "code": rejection.code, "reason": rejection.reason, "rejected_at": _now()}],
        )


def save_document(
    conn: Connection,
    result: DocumentResult,
    family_of: dict[str, str],
    minhash: bytes | None = None,
    duplicate_of: str | None = None,
    new_only: bool = False,
    *,
    extracted_with: str | None = None,
    consolidated: bool = True,
) -> bool:
    """Replace everything stored for this document by ``result``; False if another writer won.

    Two processes can process the same content at the same time (overlapping inputs, a Dask task
    retried after its worker died): the unique content hash lets one of them in, and the other
    gets False and leaves the stored rows as they are, so every document ends up stored once.
    ``new_only`` (ingest) also gives False, storing nothing, when this content is stored already;
    without it the stored rows of the same content are replaced (re-processing).
    ``extracted_with`` records what produced the rows (for ``veille reprocess``);
    ``consolidated=False`` leaves the document pending until its deals are rebuilt, so a run
    killed between storing and consolidating finishes the job the next time.
    """
    if new_only and known_hash(conn, result.clean.raw.content_hash) is not None:
        return False
    for attempt in range(2):
        try:
            with conn.begin_nested():
                _save_document(conn, result, family_of, minhash, duplicate_of, new_only, extracted_with, consolidated)
            return True
        except IntegrityError:
            if known_hash(conn, result.clean.raw.content_hash) is not None:
                return False
            if attempt:  # not a race: a row this document cannot hold
                raise
            # Another writer stored a different version under the same id and has committed
            # by now (the unique index made us wait): replace it, as a later run would.
    return True


def _save_document(
    conn: Connection,
    result: DocumentResult,
    family_of: dict[str, str],
    minhash: bytes | None,
    duplicate_of: str | None,
    new_only: bool,
    extracted_with: str | None,
    consolidated: bool,
) -> None:
    clean = result.clean
    raw = clean.raw
    doc_id = raw.doc_id
    stale = select(t.documents.c.id).where(t.documents.c.id == doc_id)
    if new_only:  # a concurrent writer may have just committed this very content: never delete it
        stale = stale.where(t.documents.c.content_hash != raw.content_hash)
    old = conn.execute(stale).scalars().all() if new_only else [doc_id]
    if old:  # a new document (the common case of an ingest) has nothing to replace
        for table in (t.events, t.mentions, t.timexes, t.sentences):
            conn.execute(delete(table).where(table.c.doc_id.in_(old)))
        conn.execute(delete(t.documents).where(t.documents.c.id.in_(old)))
    conn.execute(
        insert(t.documents).values(
            id=doc_id,
            content_hash=raw.content_hash,
            path=raw.path,
            url=raw.url,
            kind=raw.kind,
            raw_text=raw.text,
            body=clean.body,
            title=clean.title,
            published=clean.published,
            published_precision=clean.published_precision,
            inferred_year=clean.inferred_year,
            lang=clean.lang,
            source=clean.source,
            author=clean.author,
            lines=json.dumps([asdict(v) for v in clean.lines], ensure_ascii=False),
            status="processed",
            duplicate_of=duplicate_of,
            minhash=minhash,
            ingested_at=_now(),
            extracted_with=extracted_with,
            consolidated=1 if consolidated else 0,
            raw_meta=json.dumps({"title": raw.title, "published": raw.published}, ensure_ascii=False),
        )
    )
    if result.sentences:
        conn.execute(
            insert(t.sentences),
            [
                {"doc_id": doc_id, "idx": s.index, "start": s.start, "end": s.end, "text": s.text}
                for s in result.sentences
            ],
        )
    if result.mentions:
        conn.execute(
            insert(t.mentions),
            [
                {
                    "doc_id": doc_id,
                    "start": m.start,
                    "end": m.end,
                    "text": m.text,
                    "sentence": m.sentence,
                    "entity_id": m.entity_id,
                    "kind": m.kind,
                    "via": m.via,
                }
                for m in {(m.start, m.end): m for m in result.mentions}.values()
            ],
        )
        _save_entities(conn, result)
    if result.timexes:
        conn.execute(
            insert(t.timexes),
            [
                {
                    "doc_id": doc_id,
                    "start": x.start,
                    "end": x.end,
                    "text": x.text,
                    "type": x.type,
                    "value": x.value,
                    "mod": x.mod,
                }
                for x in result.timexes
            ],
        )
    rows = {}
    for ev in result.events:
        f = ev.fields
        rows[event_id(doc_id, ev)] = {
            "id": event_id(doc_id, ev),
            "doc_id": doc_id,
            "type": ev.type,
            "stage": f.get("stage"),
            "supplier": f.get("supplier"),
            "recipient": f.get("recipient"),
            "system": f.get("system"),
            "family": family_of.get(f.get("system") or "", f.get("system")),
            "modality": ev.modality,
            "when": ev.when,
            "fields": json.dumps(f, ensure_ascii=False),
            "sentences": json.dumps(ev.sentences),
            "trigger": ev.trigger,
            "trigger_start": ev.trigger_span[0],
            "trigger_end": ev.trigger_span[1],
            "confidence": ev.confidence,
            "attribution": ev.attribution,
            "arguments": json.dumps({k: list(v) for k, v in sorted(ev.args.items())}),
        }
    if rows:
        conn.execute(insert(t.events), list(rows.values()))


def _save_entities(conn: Connection, result: DocumentResult) -> None:
    save_entities(conn, [result])


def save_entities(conn: Connection, results: list[DocumentResult]) -> None:
    """Add the entities these documents mention that the store does not have yet.

    A batch writer calls it in a short transaction of its own before writing the documents, so
    that its batch never waits on another writer's entity rows (no lock cycle between batches).
    """
    wanted = {m.entity_id: m for result in results for m in result.mentions}
    if not wanted:
        return
    have = {row[0] for row in conn.execute(select(t.entities.c.id).where(t.entities.c.id.in_(list(wanted))))}
    new = [
        {"id": eid, "kind": m.kind, "name": m.name, "qid": None, "country": m.country}
        for eid, m in sorted(wanted.items())
        if eid not in have
    ]
    # Sorted: two writers adding overlapping entities take their row locks in the same order.
    insert_new(conn, t.entities, new)


def counts(conn: Connection) -> dict[str, int]:
    """Row counts of the main tables."""
    out = {}
    for name in ("documents", "mentions", "events", "deals", "rejections"):
        out[name] = conn.execute(text(f"SELECT COUNT(*) FROM {name}")).scalar_one()
    return out


def stored_signatures(conn: Connection) -> list[tuple[str, bytes]]:
    """(id, signature) of every stored document that has one."""
    rows = conn.execute(select(t.documents.c.id, t.documents.c.minhash).where(t.documents.c.minhash.is_not(None)))
    return [(r[0], r[1]) for r in rows]


def known_hashes(conn: Connection, hashes: list[str]) -> set[str]:
    """Those of ``hashes`` whose content is already stored."""
    found: set[str] = set()
    for i in range(0, len(hashes), 500):
        chunk = hashes[i : i + 500]
        query = select(t.documents.c.content_hash).where(t.documents.c.content_hash.in_(chunk))
        found.update(r[0] for r in conn.execute(query))
    return found


def pending_documents(conn: Connection) -> list[str]:
    """Ids of stored documents whose deals have not been rebuilt yet."""
    return [r[0] for r in conn.execute(select(t.documents.c.id).where(t.documents.c.consolidated == 0))]


def mark_consolidated(conn: Connection, doc_ids: list[str]) -> None:
    """Record that the deals now include these documents."""
    for i in range(0, len(doc_ids), 500):
        conn.execute(t.documents.update().where(t.documents.c.id.in_(doc_ids[i : i + 500])).values(consolidated=1))

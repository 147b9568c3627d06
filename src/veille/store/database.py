"""Opening the store, migrating it, and writing one document's results in one transaction.

Identity is content: a document whose content hash is already stored is not stored again,
whatever its path; re-processing a document replaces its rows in a single transaction, so a
crash leaves either the old rows or the new ones, never half of each.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, delete, event, insert, inspect, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from veille.errors import StoreError
from veille.models import DocumentResult, Event, Rejection
from veille.store import schema as t

DEFAULT_DB = "veille.db"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _create_all(conn: Connection) -> None:
    t.metadata.create_all(conn)


def _add_minhash(conn: Connection) -> None:
    columns = {c["name"] for c in inspect(conn).get_columns("documents")}
    if "minhash" not in columns:
        conn.execute(text("ALTER TABLE documents ADD COLUMN minhash BLOB"))


def _add_progress(conn: Connection) -> None:
    columns = {c["name"] for c in inspect(conn).get_columns("documents")}
    if "extracted_with" not in columns:
        conn.execute(text("ALTER TABLE documents ADD COLUMN extracted_with VARCHAR(40)"))
    if "consolidated" not in columns:
        conn.execute(text("ALTER TABLE documents ADD COLUMN consolidated INTEGER NOT NULL DEFAULT 1"))
    if "raw_meta" not in columns:
        conn.execute(text("ALTER TABLE documents ADD COLUMN raw_meta TEXT"))


# Ordered migrations: (version, description, function). A new schema change appends one; a
# store created at any version is brought up to date when it is opened.
MIGRATIONS = [
    (1, "initial schema", _create_all),
    (2, "near-duplicate signatures on documents", _add_minhash),
    (5, "per-document extraction fingerprint, consolidation flag and reader metadata", _add_progress),
]


def engine_for(url_or_path: str) -> Engine:
    """An engine for a SQLite path (WAL mode) or any SQLAlchemy URL."""
    url = url_or_path if "://" in url_or_path else f"sqlite:///{Path(url_or_path)}"
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


def open_store(url_or_path: str = DEFAULT_DB) -> Engine:
    """Open (creating and migrating as needed) the store."""
    try:
        engine = engine_for(url_or_path)
        with engine.begin() as conn:
            t.schema_version.create(conn, checkfirst=True)
            done = {row[0] for row in conn.execute(select(t.schema_version.c.version))}
            for version, description, apply in MIGRATIONS:
                if version not in done:
                    apply(conn)
                    conn.execute(
                        insert(t.schema_version).values(version=version, applied_at=_now(), description=description)
                    )
    except OperationalError as err:
        raise StoreError(f"[E301] cannot open the store {url_or_path}: {err.orig}") from err
    return engine


@contextmanager
def connect(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction."""
    with engine.begin() as conn:
        yield conn


def event_id(doc_id: str, event: Event) -> str:
    """Stable id of a document's fact: re-processing gives the same id."""
    key = json.dumps([doc_id, *map(str, event.key())], ensure_ascii=False)
    return hashlib.sha1(key.encode("utf-8")).hexdigest()


def known_hash(conn: Connection, content_hash: str) -> str | None:
    """Id of the stored document with this content, if any."""
    row = conn.execute(select(t.documents.c.id).where(t.documents.c.content_hash == content_hash)).first()
    return row[0] if row else None


def save_rejection(conn: Connection, rejection: Rejection) -> None:
    """Record a rejected input once (same path and reason are not recorded twice)."""
    exists = conn.execute(
        select(t.rejections.c.id).where(t.rejections.c.path == rejection.path, t.rejections.c.code == rejection.code)
    ).first()
    if exists is None:
        conn.execute(
            insert(t.rejections).values(
                path=rejection.path, code=rejection.code, reason=rejection.reason, rejected_at=_now()
            )
        )


def save_document(
    conn: Connection,
    result: DocumentResult,
    family_of: dict[str, str],
    minhash: bytes | None = None,
    duplicate_of: str | None = None,
    *,
    extracted_with: str | None = None,
    consolidated: bool = True,
) -> None:
    """Replace everything stored for this document by ``result``.

    ``extracted_with`` records what produced the rows (for ``veille reprocess``);
    ``consolidated=False`` leaves the document pending until its deals are rebuilt, so a run
    killed between storing and consolidating finishes the job the next time.
    """
    clean = result.clean
    raw = clean.raw
    doc_id = raw.doc_id
    for table in (t.events, t.mentions, t.timexes, t.sentences):
        conn.execute(delete(table).where(table.c.doc_id == doc_id))
    conn.execute(delete(t.documents).where(t.documents.c.id == doc_id))
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
        }
    if rows:
        conn.execute(insert(t.events), list(rows.values()))


def _save_entities(conn: Connection, result: DocumentResult) -> None:
    wanted = {m.entity_id: m for m in result.mentions}
    have = {row[0] for row in conn.execute(select(t.entities.c.id).where(t.entities.c.id.in_(list(wanted))))}
    new = [
        {"id": eid, "kind": m.kind, "name": m.name, "qid": None, "country": m.country}
        for eid, m in wanted.items()
        if eid not in have
    ]
    if new:
        try:
            with conn.begin_nested():
                conn.execute(insert(t.entities), new)
        except IntegrityError:  # another writer stored them meanwhile
            pass


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
        conn.execute(
            t.documents.update().where(t.documents.c.id.in_(doc_ids[i : i + 500])).values(consolidated=1)
        )

"""Re-running link and extract on stored documents after a knowledge-base, rule or code change.

Each stored document records the fingerprint of what extracted it (``documents.extracted_with``,
:func:`veille.batch.fingerprint`: data files, stage code, model). ``reprocess`` takes the stored
raw text again (no file is read), runs the per-document stages on the documents whose
fingerprint differs (or all of them), replaces their rows batch by batch in one transaction
each, then rebuilds only the deals their old and new facts touch. Their near-duplicate links
are kept: the raw text did not change.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import or_, select

from veille.batch import BATCH_SIZE, default_workers, fingerprint, map_batches
from veille.consolidate import consolidate, touched_keys
from veille.link import family_map
from veille.models import DocumentResult, RawDocument, Rejection
from veille.store import connect, open_store, save_document
from veille.store import schema as t
from veille.store.database import mark_consolidated, pending_documents, writing


@dataclass
class ReprocessReport:
    """What one reprocess run did."""

    reprocessed: list[str] = field(default_factory=list)
    current: int = 0  # documents already extracted by this installation
    failed: list[tuple[str, str]] = field(default_factory=list)  # (doc id, reason): rows left as they were


def stale_documents(db: str, everything: bool = False) -> tuple[list[str], int]:
    """Ids of the documents to redo, and how many are already current."""
    engine = open_store(db)
    current = fingerprint()
    docs = t.documents.c
    with connect(engine) as conn:
        total = conn.execute(select(docs.id)).all()
        query = select(docs.id).order_by(docs.id)
        if not everything:
            query = query.where(or_(docs.extracted_with.is_(None), docs.extracted_with != current))
        ids = [r[0] for r in conn.execute(query)]
    return ids, len(total) - len(ids)


def reprocess(
    db: str,
    everything: bool = False,
    workers: int | None = None,
    progress: Callable[[str], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> ReprocessReport:
    """Redo link and extract on stale documents (all with ``everything``) and their deals."""
    engine = open_store(db)
    ids, current = stale_documents(db, everything)
    report = ReprocessReport(current=current)
    families = family_map()
    stamp = fingerprint()
    kept: dict[str, tuple[bytes | None, str | None]] = {}

    def batches() -> Iterator[list[RawDocument]]:
        for i in range(0, len(ids), batch_size):
            chunk = ids[i : i + batch_size]
            with connect(engine) as conn:
                rows = conn.execute(select(t.documents).where(t.documents.c.id.in_(chunk))).mappings().all()
            raws = []
            for row in sorted(rows, key=lambda r: r["id"]):
                meta = json.loads(row["raw_meta"]) if row["raw_meta"] else {}
                kept[row["id"]] = (row["minhash"], row["duplicate_of"])
                raws.append(
                    RawDocument(
                        doc_id=row["id"],
                        path=row["path"],
                        text=row["raw_text"],
                        kind=row["kind"],
                        content_hash=row["content_hash"],
                        url=row["url"],
                        title=meta.get("title"),
                        published=meta.get("published"),
                    )
                )
            yield raws

    for _, outcomes in map_batches(batches(), workers or default_workers()):
        with writing(engine) as conn:
            old = touched_keys(conn, [o.raw.doc_id for o in outcomes])
            for outcome in outcomes:
                doc_id = outcome.raw.doc_id
                minhash, duplicate_of = kept.pop(doc_id)
                if isinstance(outcome.result, Rejection):
                    report.failed.append((doc_id, outcome.result.reason))
                    continue
                assert isinstance(outcome.result, DocumentResult)
                save_document(
                    conn,
                    outcome.result,
                    families,
                    minhash,
                    duplicate_of,
                    extracted_with=stamp,
                    consolidated=False,
                )
                report.reprocessed.append(doc_id)
            # Facts the new rules no longer find leave their deals in the same transaction.
            consolidate(conn, old)
        if progress:
            for outcome in outcomes:
                progress(outcome.raw.doc_id)
    with writing(engine) as conn:
        pending = pending_documents(conn)
        consolidate(conn, touched_keys(conn, pending))
        mark_consolidated(conn, pending)
    return report

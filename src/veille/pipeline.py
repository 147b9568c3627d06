"""The pipeline: ingest -> clean -> nlp -> link -> extract -> store, then consolidate.

``process`` runs the per-document stages on one raw document and returns a
:class:`~veille.models.DocumentResult`; ``ingest_paths`` streams files through them in batches
(:mod:`veille.batch`) and writes each batch in one transaction, so a crash never leaves half a
document.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from veille.batch import BATCH_SIZE, Outcome, default_workers, fingerprint, map_batches, process_many
from veille.clean.dedup import DuplicateIndex, from_bytes, signature, to_bytes
from veille.consolidate import consolidate, touched_keys
from veille.ingest import iter_inputs, read_path
from veille.link import family_map
from veille.models import DocumentResult, RawDocument, Rejection
from veille.store import connect, open_store, save_document, save_rejection, stored_signatures
from veille.store.database import (
    known_hashes,
    mark_consolidated,
    pending_documents,
    retrying,
    save_entities,
    writing,
)


def process(raw: RawDocument) -> DocumentResult | Rejection:
    """Run clean -> nlp -> link -> extract on one document (a batch of one)."""
    return process_many([raw])[0].result


@dataclass
class IngestReport:
    """What one ingest run did."""

    processed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (copy, original)


def ingest_paths(
    paths: Iterable[str | Path],
    db: str,
    progress: Callable[[str], None] | None = None,
    workers: int | None = None,
    batch_size: int = BATCH_SIZE,
) -> IngestReport:
    """Ingest files and folders into the store at ``db``; never stops on a bad file.

    Documents are processed in batches by ``workers`` processes (default: one per core) and
    each batch is written in one transaction; deals are rebuilt at the end. A run killed at any
    point leaves whole documents only, and the same command run again stores what is missing
    and rebuilds the deals the killed run did not reach.
    """
    engine = open_store(db)
    report = IngestReport()
    seen: set[str] = set()

    def fresh(items: list[RawDocument]) -> list[RawDocument]:
        with connect(engine) as conn:
            known = known_hashes(conn, [i.content_hash for i in items])
        out = []
        for item in items:
            if item.content_hash in known or item.content_hash in seen:
                report.unchanged.append(item.doc_id)
                if progress:
                    progress(item.doc_id)
            else:
                seen.add(item.content_hash)
                out.append(item)
        return out

    def batches() -> Iterator[list[RawDocument]]:
        waiting: list[RawDocument] = []
        for path in iter_inputs(paths):
            for item in read_path(path):
                if isinstance(item, Rejection):
                    report.rejected.append(item)
                    with connect(engine) as conn:
                        save_rejection(conn, item)
                    continue
                waiting.append(item)
                if len(waiting) >= batch_size:
                    if batch := fresh(waiting):
                        yield batch
                    waiting = []
        if waiting and (batch := fresh(waiting)):
            yield batch

    writer = BatchWriter(engine)
    for _, outcomes in map_batches(batches(), workers or default_workers()):
        writer.write(outcomes, report)
        if progress:
            for outcome in outcomes:
                progress(outcome.raw.doc_id)
    writer.finish()
    return report


class BatchWriter:
    """Writes processed batches, one transaction each, and rebuilds the deals they touch."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.families = family_map()
        self.fingerprint = fingerprint()
        self.duplicates = DuplicateIndex()
        with connect(engine) as conn:
            for doc_id, data in stored_signatures(conn):
                self.duplicates.add(doc_id, from_bytes(data))
        self.finish()  # deals a killed run did not rebuild

    def write(self, outcomes: list[Outcome], report: IngestReport | None = None) -> None:
        """Store a batch: every document whole, with its extraction, or none of them.

        The entities the batch mentions are committed first, in a short transaction of their
        own, so that two writers never wait on each other's entity rows inside their batches.
        A batch that still loses a lock race on PostgreSQL (deadlock, serialisation failure) is
        rolled back whole and written again; what it reports is only counted once it commits.
        """
        documents = [o.result for o in outcomes if not isinstance(o.result, Rejection)]
        with writing(self.engine) as conn:
            save_entities(conn, documents)

        def attempt() -> IngestReport:
            done = IngestReport()
            try:
                self._write(outcomes, done)
            except Exception:
                for doc_id in done.processed:  # rolled back: not stored, so no one's original
                    self.duplicates.discard(doc_id)
                raise
            return done

        done = retrying(attempt)
        if report is not None:
            for name in ("processed", "unchanged", "rejected", "duplicates"):
                getattr(report, name).extend(getattr(done, name))

    def _write(self, outcomes: list[Outcome], report: IngestReport) -> None:
        with writing(self.engine) as conn:
            dropped: set[tuple[str, str, str]] = set()
            for outcome in outcomes:
                result, doc_id = outcome.result, outcome.raw.doc_id
                if isinstance(result, Rejection):
                    save_rejection(conn, result)
                    report.rejected.append(result)
                    continue
                dropped |= touched_keys(conn, [doc_id])  # facts a new version of the document drops
                mh = from_bytes(outcome.minhash) if outcome.minhash else signature(result.clean.body)
                original = self.duplicates.original_of(doc_id, mh)
                stored = save_document(
                    conn,
                    result,
                    self.families,
                    to_bytes(mh),
                    original,
                    new_only=True,
                    extracted_with=self.fingerprint,
                    consolidated=False,
                )
                if not stored:  # another writer stored this content meanwhile
                    report.unchanged.append(doc_id)
                    continue
                self.duplicates.add(doc_id, mh)  # at once: a near-copy later in the batch must find it
                if original:
                    report.duplicates.append((doc_id, original))
                report.processed.append(doc_id)
            if dropped:
                consolidate(conn, dropped)

    def finish(self) -> None:
        """Rebuild the deals of every document stored but not yet consolidated."""
        with writing(self.engine) as conn:
            pending = pending_documents(conn)
            if pending:
                # Incremental: only the deals the new documents touch are rebuilt.
                consolidate(conn, touched_keys(conn, pending))
                mark_consolidated(conn, pending)

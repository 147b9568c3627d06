"""Archive-sized ingest on Dask distributed: ``veille ingest --dask local:N | tcp://scheduler:8786``.

The client lists the input files and cuts them into partitions; each partition is one Dask task
that runs on a worker: read → clean → nlp → link → extract (:func:`veille.pipeline.process`,
the spaCy pipeline loaded once per worker process and kept) and writes its documents to the
store in batches, one transaction per batch (:func:`veille.store.save_document`). The store must
be a database every worker reaches, PostgreSQL in practice.

Nothing is lost or stored twice when a worker dies: a batch is one transaction, so a killed
worker leaves none of its half-written batch; Dask runs the task again on another worker, which
skips every document whose content hash is already stored; and two writers racing on the same
content end with one row (unique content hash, :func:`veille.store.save_document`).

What needs the whole corpus runs on the client afterwards, in input order, exactly as the serial
ingest does it: near-duplicate links (MinHash over everything stored) and the incremental
consolidation of the deals the new documents touch.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, update

from veille.clean.dedup import DuplicateIndex, from_bytes
from veille.errors import StoreError, VeilleError, message
from veille.models import Rejection
from veille.pipeline import IngestReport
from veille.store import connect, open_store, save_document, save_rejection, stored_signatures
from veille.store import schema as t
from veille.store.database import retrying, save_entities

BATCH = 16  # documents per write transaction: small enough that a retry redoes little
FILES_PER_TASK = 8  # input files per task: enough tasks to balance workers and survive a death
MAX_TASKS = 20_000


class DaskSpecError(VeilleError):
    """``--dask`` names neither ``local:N`` nor a scheduler address."""


@dataclass
class PartitionResult:
    """What one task did; plain data, sent back from the worker to the client."""

    index: int
    processed: list[tuple[int, int, str]] = field(default_factory=list)  # (file no, item no, doc id)
    unchanged: list[str] = field(default_factory=list)
    # Already stored when the task looked: (file no, item no, stored id, ingested_at). A task run
    # again after its worker died finds here what its first attempt committed.
    stored: list[tuple[int, int, str, str]] = field(default_factory=list)
    rejected: list[tuple[str, str, str]] = field(default_factory=list)  # (path, code, reason)
    keys: set[tuple[str, str, str]] = field(default_factory=set)  # deal keys to rebuild
    worker_pid: int = 0


# Worker-side state: one engine per store URL and per process, like the spaCy pipeline
# (veille.nlp.load is cached per process), so a worker pays both once, not once per task.
_ENGINES: dict[str, Engine] = {}


def _engine(db: str) -> Engine:
    if db not in _ENGINES:
        _ENGINES[db] = open_store(db)
    return _ENGINES[db]


def ingest_partition(index: int, files: Sequence[tuple[int, str]], db: str, batch: int = BATCH) -> PartitionResult:
    """Run on a worker: ingest ``files`` ((file no, path) pairs) into ``db``, ``batch`` documents per transaction.

    Idempotent, so Dask may run it again after a worker died part-way through.
    """
    from veille.clean.dedup import signature, to_bytes
    from veille.consolidate import touched_keys
    from veille.ingest import read_path
    from veille.link import family_map
    from veille.pipeline import process

    engine = _engine(db)
    families = family_map()
    out = PartitionResult(index, worker_pid=os.getpid())
    pending: list[tuple[int, int, Any]] = []

    def flush() -> None:
        if not pending:
            return
        hashes = [raw.content_hash for _, _, raw in pending]
        docs = t.documents.c
        with connect(engine) as conn:
            query = select(docs.content_hash, docs.id, docs.ingested_at).where(docs.content_hash.in_(hashes))
            known = {r[0]: (r[1], r[2]) for r in conn.execute(query)}
        results = []
        for file_no, item_no, raw in pending:
            if raw.content_hash in known:
                out.unchanged.append(raw.doc_id)
                out.stored.append((file_no, item_no, *known[raw.content_hash]))
            else:
                results.append((file_no, item_no, raw, process(raw)))
        with connect(engine) as conn:  # committed first, so that batches never wait on each other's entities
            save_entities(conn, [r for _, _, _, r in results if not isinstance(r, Rejection)])

        def write_batch() -> PartitionResult:  # all of it or none of it; counted once it commits
            done = PartitionResult(index)
            with connect(engine) as conn:
                for file_no, item_no, raw, result in results:
                    if isinstance(result, Rejection):
                        save_rejection(conn, result)
                        done.rejected.append((result.path, result.code, result.reason))
                        continue
                    keys = touched_keys(conn, [raw.doc_id])
                    if save_document(conn, result, families, to_bytes(signature(result.clean.body)), new_only=True):
                        done.processed.append((file_no, item_no, raw.doc_id))
                        done.keys |= keys
                    else:
                        done.unchanged.append(raw.doc_id)
            return done

        done = retrying(write_batch)
        out.rejected += done.rejected
        out.processed += done.processed
        out.unchanged += done.unchanged
        out.keys |= done.keys
        pending.clear()

    for file_no, path in files:
        for item_no, item in enumerate(read_path(Path(path))):
            if isinstance(item, Rejection):
                with connect(engine) as conn:
                    save_rejection(conn, item)
                out.rejected.append((item.path, item.code, item.reason))
                continue
            pending.append((file_no, item_no, item))
            if len(pending) >= batch:
                flush()
    flush()
    return out


def partitions(files: Sequence[Path], per_task: int = FILES_PER_TASK) -> list[list[tuple[int, str]]]:
    """Input files cut into tasks of ``per_task`` files, each file keeping its input position.

    Never more than :data:`MAX_TASKS` tasks: past that the scheduler's per-task overhead and the
    client's futures cost more than coarser tasks lose in balance.
    """
    per_task = max(per_task, -(-len(files) // MAX_TASKS))
    numbered = [(i, str(p)) for i, p in enumerate(files)]
    return [numbered[i : i + per_task] for i in range(0, len(numbered), per_task)]


def check_store(db: str) -> None:
    """Refuse, before any cluster starts, a store the workers cannot share (a SQLite file)."""
    from veille.store.database import engine_for

    if engine_for(db).dialect.name == "sqlite":
        raise StoreError(message("E331", detail=f"the SQLite file {db} (use --db postgresql://user@host/veille)"))


@contextmanager
def dask_client(spec: str, threads_per_worker: int = 1) -> Any:
    """A Dask client for ``local:N`` (a LocalCluster of N worker processes on 127.0.0.1) or a scheduler address."""
    from distributed import Client, LocalCluster

    if spec.startswith("local:"):
        try:
            n = int(spec.split(":", 1)[1])
        except ValueError:
            n = 0
        if n < 1:
            raise DaskSpecError(message("E332", detail=spec))
        cluster = LocalCluster(
            n_workers=n,
            threads_per_worker=threads_per_worker,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
            silence_logs=logging.ERROR,
        )
        try:
            with Client(cluster) as client:
                yield client
        finally:
            cluster.close()
    elif "://" in spec:
        try:
            client = Client(spec, timeout="20s")
        except OSError as err:
            raise DaskSpecError(message("E333", detail=f"{spec}: {err}")) from err
        with client:
            yield client
    else:
        raise DaskSpecError(message("E332", detail=spec))


def ingest_dask(
    paths: Iterable[str | Path],
    db: str,
    client: Any,
    progress: Callable[[PartitionResult], None] | None = None,
    per_task: int = FILES_PER_TASK,
    batch: int = BATCH,
    retries: int = 3,
) -> IngestReport:
    """Ingest on the cluster behind ``client``; the result matches :func:`veille.pipeline.ingest_paths`."""
    from distributed import as_completed

    from veille.consolidate import consolidate, touched_keys
    from veille.ingest import iter_inputs
    from veille.store.database import _now

    check_store(db)
    engine = open_store(db)
    started = _now()
    url = engine.url.render_as_string(hide_password=False)
    with connect(engine) as conn:  # before the run: what the new documents may copy
        index = DuplicateIndex()
        for doc_id, data in stored_signatures(conn):
            index.add(doc_id, from_bytes(data))
    files = list(iter_inputs(paths))
    tasks = partitions(files, per_task)
    run = uuid.uuid4().hex[:8]  # task keys unique per run: Dask would hand back an earlier run's results
    futures = [
        client.submit(ingest_partition, i, part, url, batch, key=f"veille-ingest-{run}-{i}", retries=retries)
        for i, part in enumerate(tasks)
    ]
    results: list[PartitionResult] = []
    for future in as_completed(futures):
        result = future.result()
        results.append(result)
        if progress:
            progress(result)
    report = IngestReport()
    keys: set[tuple[str, str, str]] = set()
    processed: list[tuple[int, int, str]] = []
    for r in sorted(results, key=lambda r: r.index):
        processed += r.processed
        # Stored since this run started: by an attempt of this task that died after its commit
        # (or by a concurrent run); either way new to the store, so linked and consolidated.
        # Strictly later, in whole seconds: a run that ended in the second this one started is not
        # ours. (A batch of this run committed within its first second, then re-found by a retry,
        # would be missed here: parsing a batch takes longer than that, a window we accept.)
        ours = [(f, i, doc_id) for f, i, doc_id, at in r.stored if at > started]
        processed += ours
        mine = {doc_id for _, _, doc_id in ours}
        report.unchanged += [d for d in r.unchanged if d not in mine]
        report.rejected += [Rejection(*x) for x in r.rejected]
        keys |= r.keys
    processed.sort()
    report.processed = list(dict.fromkeys(doc_id for _, _, doc_id in processed))
    with connect(engine) as conn:
        report.duplicates = _link_duplicates(conn, report.processed, index)
        consolidate(conn, keys | touched_keys(conn, report.processed))
    return report


def _link_duplicates(conn: Any, doc_ids: list[str], index: DuplicateIndex) -> list[tuple[str, str]]:
    """Mark near-duplicates among the new documents, in input order, as the serial ingest does."""
    found = []
    signatures: dict[str, bytes] = {}
    for start in range(0, len(doc_ids), 500):
        chunk = doc_ids[start : start + 500]
        rows = conn.execute(select(t.documents.c.id, t.documents.c.minhash).where(t.documents.c.id.in_(chunk)))
        signatures.update({r[0]: r[1] for r in rows})
    for doc_id in doc_ids:
        mh = from_bytes(signatures[doc_id])
        original = index.original_of(doc_id, mh)
        index.add(doc_id, mh)
        if original:
            conn.execute(update(t.documents).where(t.documents.c.id == doc_id).values(duplicate_of=original))
            found.append((doc_id, original))
    return found


def ingest_cli(paths: Sequence[Path], db: str, spec: str, console: Any, err: Any) -> int:
    """``veille ingest --dask SPEC``: the run with a progress bar, its report, and the exit status."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from veille.ingest import iter_inputs

    check_store(db)
    n_tasks = len(partitions(list(iter_inputs(paths))))
    with dask_client(spec) as client:
        err.print(f"Dask dashboard: {client.dashboard_link}")
        with Progress(
            TextColumn("[bold]ingest (dask)"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=err,
        ) as bar:
            task = bar.add_task("tasks", total=n_tasks)
            done = {"docs": 0}

            def tick(result: PartitionResult) -> None:
                done["docs"] += len(result.processed) + len(result.unchanged)
                bar.update(task, advance=1, description=f"{done['docs']} documents")

            report = ingest_dask(paths, db, client, progress=tick)
    from veille.cli import print_ingest_report  # the command line's own words (cli imports us lazily)

    return print_ingest_report(report, db)


def warm_up() -> int:
    """Run on a worker: load the spaCy pipeline and every other resource now; returns the worker's pid.

    ``client.run(warm_up)`` before timing a run measures processing, not model loading.
    """
    from veille.ingest.files import content_hash
    from veille.link import family_map
    from veille.models import RawDocument
    from veille.pipeline import process

    family_map()
    # One short article through every stage fills every per-process cache (model, knowledge
    # base, lexicons, patterns), not only spaCy's.
    text = "Essai\n\nLa France a livré le 3 mars 2021 deux Rafale à la Grèce, a annoncé Athènes.\n"
    process(RawDocument("warm-up", "warm-up.txt", text, "text", content_hash(text)))
    return os.getpid()

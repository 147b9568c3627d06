"""Batched, multi-process document processing: what ``ingest`` and ``reprocess`` stream through.

Documents go through the stages in batches: each batch is cleaned, analysed by
:func:`veille.nlp.selective.analyse` (the models only see the sentences extraction reads),
linked and extracted in one call, in a worker process that loaded the pipeline once. The
caller gets the batches back in input order and writes each in one transaction, so the
memory held is a few batches whatever the size of the corpus, and a killed run leaves whole
batches or nothing.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import spacy
from spacy.tokens import Doc

from veille.clean import clean
from veille.clean.dedup import signature, to_bytes
from veille.errors import message
from veille.extract import extract
from veille.link import link
from veille.models import DocumentResult, Mention, RawDocument, Rejection, Sentence
from veille.nlp import load, tag
from veille.nlp.pipeline import MODEL
from veille.nlp.selective import analyse_linked
from veille.resources import DATA

BATCH_SIZE = 32
# The stages whose code shapes a document's stored rows: a change in any of them (or in the
# data files, or in the model) makes `reprocess` redo the documents.
STAGE_SOURCES = ("clean", "nlp", "link", "extract", "models.py", "batch.py")


@dataclass(frozen=True)
class Outcome:
    """One document after the per-document stages, with its near-duplicate signature."""

    raw: RawDocument
    result: DocumentResult | Rejection
    minhash: bytes | None


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def fingerprint_of(data_dir: Path, source_dir: Path, model_version: str) -> str:
    """Hash of everything that decides a document's extraction: data files, stage code, model."""
    digest = hashlib.sha1()
    files = [p for p in sorted(data_dir.rglob("*")) if p.is_file() and "__pycache__" not in p.parts]
    for name in STAGE_SOURCES:
        target = source_dir / name
        files += [target] if target.is_file() else sorted(target.rglob("*.py"))
    for path in files:
        digest.update(str(path.relative_to(path.parents[1])).encode())
        digest.update(path.read_bytes())
    digest.update(model_version.encode())
    return digest.hexdigest()[:16]


@cache
def fingerprint() -> str:
    """The fingerprint of this installation (stored on each document it extracts)."""
    meta = spacy.util.get_package_version(MODEL) or "?"
    return fingerprint_of(DATA, Path(__file__).resolve().parent, f"{MODEL}-{meta}-spacy-{spacy.__version__}")


def process_many(raws: list[RawDocument]) -> list[Outcome]:
    """Run clean -> nlp -> link -> extract on a batch of documents, in order."""
    cleaned = [clean(raw) for raw in raws]
    usable = [c for c in cleaned if c.body.strip()]
    nlp = load()
    pending = iter(usable)

    def link_doc(doc: Doc) -> list[Mention]:
        """Linking runs inside the analysis, in document order (see analyse_linked)."""
        c = next(pending)
        return link(doc, nlp, c.published, c.inferred_year)

    docs = iter(analyse_linked([c.body for c in usable], link_doc))
    out = []
    for raw, c in zip(raws, cleaned, strict=True):
        if not c.body.strip():
            out.append(Outcome(raw, Rejection(raw.path, "E109", message("E109")), None))
            continue
        doc, mentions = next(docs)
        try:
            sentences = tuple(Sentence(i, s.start_char, s.end_char, s.text.strip()) for i, s in enumerate(doc.sents))
            timexes = tag(c.body, c.published)
            events = extract(doc, mentions, timexes, c.published)
        except Exception as error:  # a bug on one article must not stop the run: say which and why
            detail = f"{type(error).__name__}: {error}"
            out.append(Outcome(raw, Rejection(raw.path, "E114", message("E114", detail=detail)), None))
            continue
        result = DocumentResult(c, sentences, tuple(mentions), tuple(timexes), tuple(events))
        out.append(Outcome(raw, result, to_bytes(signature(c.body))))
    return out


def _warm_up() -> None:
    """Load the pipeline, the matchers and the lexicons once, before the workers start."""
    process_many([RawDocument("warm-up", "warm-up", WARM_UP, "text", "warm-up")])


WARM_UP = "La France a livré deux Rafale à l'Inde en 2020, selon le ministre Jean Dupont."


def map_batches(
    batches: Iterable[list[RawDocument]], workers: int = 1
) -> Iterator[tuple[list[RawDocument], list[Outcome]]]:
    """Process batches, ``workers`` at a time, yielding them in input order.

    At most two batches per worker are in flight, so a corpus of any size holds a bounded
    number of documents in memory. One worker runs in this process.
    """
    if workers <= 1:
        for batch in batches:
            yield batch, process_many(batch)
        return
    # Forked workers share the pipeline this process loaded once (as spaCy's own n_process
    # does); where fork does not exist each worker loads its own.
    fork = "fork" in multiprocessing.get_all_start_methods()
    if fork:
        _warm_up()
    context = multiprocessing.get_context("fork" if fork else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=None if fork else _warm_up) as pool:
        queue: deque[tuple[list[RawDocument], Future[list[Outcome]]]] = deque()
        for batch in batches:
            queue.append((batch, pool.submit(process_many, batch)))
            while len(queue) >= 2 * workers:
                done, future = queue.popleft()
                yield done, future.result()
        while queue:
            done, future = queue.popleft()
            yield done, future.result()

"""The pipeline: ingest -> clean -> nlp -> link -> extract -> store, then consolidate.

``process`` runs the per-document stages on one raw document and returns a
:class:`~veille.models.DocumentResult`; ``ingest_paths`` streams files through it and writes
each document in its own transaction, so a crash never leaves half a document.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from veille.clean import clean
from veille.clean.dedup import DuplicateIndex, from_bytes, signature, to_bytes
from veille.consolidate import consolidate, touched_keys
from veille.errors import message
from veille.extract import extract
from veille.ingest import iter_inputs, read_path
from veille.link import family_map, link
from veille.models import DocumentResult, RawDocument, Rejection, Sentence
from veille.nlp import load, parse, tag
from veille.store import connect, known_hash, open_store, save_document, save_rejection, stored_signatures


def process(raw: RawDocument) -> DocumentResult | Rejection:
    """Run clean -> nlp -> link -> extract on one document."""
    cleaned = clean(raw)
    if not cleaned.body.strip():
        return Rejection(raw.path, "E109", message("E109"))
    nlp = load()
    doc = parse(cleaned.body)
    sentences = tuple(Sentence(i, s.start_char, s.end_char, s.text.strip()) for i, s in enumerate(doc.sents))
    timexes = tag(cleaned.body, cleaned.published)
    mentions = link(doc, nlp, cleaned.published, cleaned.inferred_year)
    events = extract(doc, mentions, timexes, cleaned.published)
    return DocumentResult(cleaned, sentences, tuple(mentions), tuple(timexes), tuple(events))


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
) -> IngestReport:
    """Ingest files and folders into the store at ``db``; never stops on a bad file."""
    engine = open_store(db)
    report = IngestReport()
    keys: set[tuple[str, str, str]] = set()
    duplicates = DuplicateIndex()
    with connect(engine) as conn:
        for doc_id, data in stored_signatures(conn):
            duplicates.add(doc_id, from_bytes(data))
    families = family_map()
    for path in iter_inputs(paths):
        for item in read_path(path):
            if isinstance(item, Rejection):
                report.rejected.append(item)
                with connect(engine) as conn:
                    save_rejection(conn, item)
                continue
            with connect(engine) as conn:
                if known_hash(conn, item.content_hash) is not None:
                    report.unchanged.append(item.doc_id)
                    if progress:
                        progress(item.doc_id)
                    continue
            result = process(item)
            with connect(engine) as conn:
                if isinstance(result, Rejection):
                    report.rejected.append(result)
                    save_rejection(conn, result)
                else:
                    keys |= touched_keys(conn, [item.doc_id])  # facts a new version drops
                    mh = signature(result.clean.body)
                    original = duplicates.original_of(item.doc_id, mh)
                    if save_document(conn, result, families, to_bytes(mh), original, new_only=True):
                        duplicates.add(item.doc_id, mh)
                        if original:
                            report.duplicates.append((item.doc_id, original))
                        report.processed.append(item.doc_id)
                    else:
                        report.unchanged.append(item.doc_id)  # another writer stored it meanwhile
            if progress:
                progress(item.doc_id)
    with connect(engine) as conn:
        # Incremental: only the deals the new documents touch are rebuilt.
        consolidate(conn, keys | touched_keys(conn, report.processed))
    return report

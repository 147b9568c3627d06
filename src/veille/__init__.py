"""veille: a source-linked knowledge base of arms transfers and military cooperation.

It is built from raw (French-first) news articles.

Data flows one way: ingest -> clean -> nlp -> link -> extract -> consolidate -> store ->
export. Each stage is a package with typed contracts (:mod:`veille.models`).
"""

from veille.clean import clean
from veille.models import CleanDocument, DocumentResult, Event, Mention, RawDocument, Rejection
from veille.pipeline import ingest_paths, process

__version__ = "0.1.0"
__all__ = [
    "CleanDocument",
    "DocumentResult",
    "Event",
    "Mention",
    "RawDocument",
    "Rejection",
    "clean",
    "ingest_paths",
    "process",
]

"""Store: document results -> SQLite (default) or any SQLAlchemy database."""

from veille.store.database import (
    DEFAULT_DB,
    connect,
    counts,
    known_hash,
    open_store,
    save_document,
    save_rejection,
    stored_signatures,
    writing,
)

__all__ = [
    "DEFAULT_DB",
    "connect",
    "counts",
    "known_hash",
    "open_store",
    "save_document",
    "save_rejection",
    "stored_signatures",
    "writing",
]

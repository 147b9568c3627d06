"""Ingesting one article posted to the API, with the same guarantees as ``veille ingest``.

The same content is never stored twice (its hash decides), a near-copy of a stored article is
stored as a duplicate of it, and the deals the article touches are rebuilt in the same
transaction as the article itself. Writes are serialised: spaCy's model and SQLite's single
writer both want one at a time.
"""

from __future__ import annotations

import threading
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import Engine

from veille.clean.dedup import DuplicateIndex, from_bytes, signature, to_bytes
from veille.consolidate import consolidate, touched_keys
from veille.ingest import MAX_BYTES
from veille.ingest.files import content_hash
from veille.link import family_map
from veille.models import RawDocument, Rejection
from veille.store import connect, known_hash, save_document, stored_signatures, writing

_write_lock = threading.Lock()


class Article(BaseModel):
    """One article to ingest: its text or its HTML, and what is known about it."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(None, max_length=MAX_BYTES, description="Plain text of the article.")
    html: str | None = Field(None, max_length=MAX_BYTES, description="The saved HTML page.")
    id: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,119}$",
        description="Document id; derived from the content when absent. Re-posting an id replaces that document.",
    )
    title: str | None = Field(None, max_length=1000)
    url: str | None = Field(None, max_length=4000)
    published: str | None = Field(None, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$", description="YYYY, YYYY-MM or YYYY-MM-DD")

    @model_validator(mode="after")
    def _one_body(self) -> Article:
        given = [name for name in ("text", "html") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of 'text' or 'html'")
        if not (self.text or self.html or "").strip():
            raise ValueError(f"'{given[0]}' is empty")
        return self


class Refused(Exception):
    """The article was read but holds nothing to store (the reason names the E1xx code)."""


def ingest_article(engine: Engine, article: Article) -> dict[str, Any]:
    """Store ``article``; returns its id and whether it was processed, a duplicate, or already stored."""
    from veille.pipeline import process  # loads spaCy: only when something is posted

    body = article.html if article.html is not None else article.text
    assert body is not None
    digest = content_hash(body)
    doc_id = article.id or f"api-{digest[:16]}"
    raw = RawDocument(
        doc_id=doc_id,
        path=f"api:{doc_id}",
        text=body,
        kind="html" if article.html is not None else "text",
        content_hash=digest,
        url=article.url,
        title=article.title,
        published=article.published,
    )
    with _write_lock:
        with connect(engine) as conn:
            stored = known_hash(conn, digest)
        if stored is not None:
            return {"id": stored, "status": "unchanged", "duplicate_of": None}
        result = process(raw)
        if isinstance(result, Rejection):
            raise Refused(result.reason)
        with writing(engine) as conn:
            keys = touched_keys(conn, [doc_id])  # facts a new version of this id drops
            index = DuplicateIndex()
            for other, data in stored_signatures(conn):
                index.add(other, from_bytes(data))
            mh = signature(result.clean.body)
            original = index.original_of(doc_id, mh)
            save_document(conn, result, family_map(), to_bytes(mh), original)
            consolidate(conn, keys | touched_keys(conn, [doc_id]))
    return {
        "id": doc_id,
        "status": "duplicate" if original else "processed",
        "duplicate_of": original,
        "mentions": len(result.mentions),
        "events": len(result.events),
    }

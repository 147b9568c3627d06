"""RSS/Atom feeds and WARC archives: many articles in one file.

Feeds are parsed by feedparser, but only after defusedxml has checked the bytes: a feed is
untrusted XML, and an entity-expansion bomb must be refused before any parser expands it.
WARC archives (warcio) give one document per HTML response.
"""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Iterator
from pathlib import Path

import feedparser
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError
from defusedxml.ElementTree import fromstring as safe_fromstring
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from veille.errors import message
from veille.ingest.files import MAX_BYTES, content_hash, decode
from veille.models import RawDocument, Rejection


def _short(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def read_feed(path: Path, data: bytes) -> Iterator[RawDocument | Rejection]:
    """Entries of an RSS or Atom feed as documents (link, title, date kept)."""
    name = str(path)
    try:
        safe_fromstring(data)
    except DefusedXmlException as err:
        yield Rejection(name, "E110", message("E110", detail=type(err).__name__))
        return
    except ParseError:
        pass  # not well-formed: feedparser is lenient, and says so in its bozo flag
    feed = feedparser.parse(data)
    if not feed.entries:
        reason = str(feed.get("bozo_exception") or "no entries")
        yield Rejection(name, "E111", message("E111", detail=reason[:200]))
        return
    for number, entry in enumerate(feed.entries, start=1):
        body = ""
        if entry.get("content"):
            body = entry.content[0].get("value", "")
        body = body or entry.get("summary", "")
        if not body.strip():
            yield Rejection(f"{name}#{number}", "E113", message("E113", entry=number))
            continue
        kind = "html" if "<" in body and ">" in body else "text"
        key = entry.get("id") or entry.get("link") or f"{name}#{number}"
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        published = time.strftime("%Y-%m-%d", stamp) if stamp else None
        yield RawDocument(
            doc_id=f"{path.stem}-{_short(key)}",
            path=f"{name}#{number}",
            text=body,
            kind=kind,
            content_hash=content_hash(body),
            url=entry.get("link"),
            title=entry.get("title"),
            published=published,
        )


def read_warc(path: Path, data: bytes) -> Iterator[RawDocument | Rejection]:
    """HTML responses of a WARC archive as documents."""
    name = str(path)
    found = 0
    try:
        for record in ArchiveIterator(io.BytesIO(data)):
            if record.rec_type != "response" or record.http_headers is None:
                continue
            ctype = record.http_headers.get_header("Content-Type") or ""
            if "html" not in ctype:
                continue
            uri = record.rec_headers.get_header("WARC-Target-URI") or f"record-{found}"
            payload = record.content_stream().read(MAX_BYTES + 1)
            where = f"{name}#{uri}"
            if len(payload) > MAX_BYTES:
                yield Rejection(where, "E102", message("E102", limit=MAX_BYTES))
                continue
            try:
                html = decode(payload)
            except Exception as err:
                yield Rejection(where, "E104", message("E104", detail=str(err)))
                continue
            found += 1
            yield RawDocument(f"{path.stem}-{_short(uri)}", where, html, "html", content_hash(html), url=uri)
    except ArchiveLoadFailed as err:
        yield Rejection(name, "E112", message("E112", detail=str(err)[:200]))
        return
    if found == 0:
        yield Rejection(name, "E112", message("E112", detail="no HTML response records"))

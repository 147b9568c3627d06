"""Reading articles from files, defensively."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from charset_normalizer import from_bytes

from veille.errors import IngestError, message
from veille.models import RawDocument, Rejection

# 5 MB: a long news article is ~50 kB of text and a saved page with inline scripts rarely tops
# 2 MB; a bigger file is a dump or a mistake, and the parse of it would block a worker for minutes.
MAX_BYTES = 5_000_000
FRENCH_ACCENTS = set("éèêëàâäîïôöûüùçœæÉÈÊËÀÂÎÏÔÛÙÇŒÆ«»’“”–—…°€")
FEED_SUFFIXES = {".rss", ".atom", ".xml"}
WARC_ENDINGS = (".warc", ".warc.gz")
# A WARC archive holds many pages: its own limit, each page still within MAX_BYTES.
MAX_ARCHIVE_BYTES = 500_000_000
TEXT_SUFFIXES = {".txt": "text", ".html": "html", ".htm": "html"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
# Magic numbers of formats people drop into a news folder by mistake.
BINARY_SIGNATURES: dict[bytes, str] = {
    b"%PDF": "PDF document",
    b"\x89PNG": "PNG image",
    b"\xff\xd8\xff": "JPEG image",
    b"GIF8": "GIF image",
    b"PK\x03\x04": "ZIP archive (or office document)",
    b"\x1f\x8b": "gzip archive",
    b"\x7fELF": "executable",
}


def content_hash(text: str) -> str:
    """Stable identity of a document's content: whitespace-insensitive SHA-256."""
    canonical = " ".join(text.split())
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def iter_inputs(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Expand files and folders (recursively, sorted) into the files ingest knows."""
    known = set(TEXT_SUFFIXES) | JSONL_SUFFIXES | FEED_SUFFIXES
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and (child.suffix.lower() in known or child.name.lower().endswith(WARC_ENDINGS)):
                    yield child
        else:
            yield path


def decode(data: bytes) -> str:
    """Decode bytes as UTF-8, else the encoding charset-normalizer finds; raise IngestError."""
    for magic, label in BINARY_SIGNATURES.items():
        if data.startswith(magic):
            raise IngestError("E103", detail=label)
    if b"\x00" in data[:4096]:
        raise IngestError("E103", detail="NUL bytes")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # Windows-1252 first: charset detection on short French text often picks a Central
    # European code page ("hélicoptčres"); accept cp1252 when its accents are French ones.
    western = data.decode("cp1252", errors="replace")
    accented = [ch for ch in western if ord(ch) > 127]
    if accented and sum(ch in FRENCH_ACCENTS for ch in accented) >= 0.9 * len(accented):
        return western
    best = from_bytes(data).best()
    if best is None:
        raise IngestError("E104", detail="no encoding fits")
    text = str(best)
    printable = sum(ch.isprintable() or ch.isspace() for ch in text[:5000])
    if printable < 0.95 * min(len(text), 5000):
        raise IngestError("E103", detail="mostly unprintable characters")
    return text


def _raw(doc_id: str, path: str, text: str, kind: str, **meta: str | None) -> RawDocument:
    return RawDocument(
        doc_id=doc_id,
        path=path,
        text=text,
        kind=kind,
        content_hash=content_hash(text),
        url=meta.get("url"),
        title=meta.get("title"),
        published=meta.get("published"),
    )


def read_path(path: Path) -> Iterator[RawDocument | Rejection]:
    """Yield the documents a file holds, or one Rejection per unreadable file or line."""
    name = str(path)
    suffix = path.suffix.lower()
    if suffix in FEED_SUFFIXES or name.lower().endswith(WARC_ENDINGS):
        yield from _read_container(path, suffix)
        return
    if suffix not in TEXT_SUFFIXES and suffix not in JSONL_SUFFIXES:
        yield Rejection(name, "E105", message("E105", detail=f"suffix '{suffix or '(none)'}'"))
        return
    data = _read_bytes(path, MAX_BYTES)
    if isinstance(data, Rejection):
        yield data
        return
    try:
        text = decode(data)
    except IngestError as err:
        yield Rejection(name, err.code, str(err))
        return
    if not text.strip():
        yield Rejection(name, "E101", message("E101"))
        return
    if suffix in JSONL_SUFFIXES:
        yield from _read_jsonl(path, text)
    else:
        yield _raw(path.stem, name, text, TEXT_SUFFIXES[suffix])


def _read_bytes(path: Path, limit: int) -> bytes | Rejection:
    """The file's bytes, or the reason it cannot be read (empty, too large, unreadable)."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size == 0:
            raise IngestError("E101")
        if size > limit:
            raise IngestError("E102", limit=limit)
        return path.read_bytes()
    except IngestError as err:
        return Rejection(name, err.code, str(err))
    except OSError as err:
        return Rejection(name, "E108", message("E108", detail=err.strerror or str(err)))


def _read_jsonl(path: Path, text: str) -> Iterator[RawDocument | Rejection]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            yield Rejection(where, "E106", message("E106", line=number, detail=err.msg))
            continue
        if not isinstance(record, dict):
            yield Rejection(where, "E106", message("E106", line=number, detail="not an object"))
            continue
        body = record.get("html") or record.get("text")
        if not isinstance(body, str) or not body.strip():
            detail = "no 'text' or 'html' string"
            yield Rejection(where, "E106", message("E106", line=number, detail=detail))
            continue
        kind = "html" if record.get("html") else "text"
        doc_id = str(record.get("id") or f"{path.stem}-{number}")
        meta = {k: str(record[k]) for k in ("url", "title", "published") if record.get(k)}
        yield _raw(doc_id, where, body, kind, **meta)


def _read_container(path: Path, suffix: str) -> Iterator[RawDocument | Rejection]:
    """Feeds and WARC archives: many documents per file (see :mod:`veille.ingest.feeds`)."""
    from veille.ingest.feeds import read_feed, read_warc

    data = _read_bytes(path, MAX_BYTES if suffix in FEED_SUFFIXES else MAX_ARCHIVE_BYTES)
    if isinstance(data, Rejection):
        yield data
        return
    yield from (read_feed(path, data) if suffix in FEED_SUFFIXES else read_warc(path, data))

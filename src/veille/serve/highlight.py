"""The cleaned text cut into plain and highlighted pieces, sentence by sentence.

The pieces are data (text plus a CSS class and a link), never HTML: the template escapes each
piece's text, so whatever an article contains is shown, never run. Sentences become blocks
with an anchor, so evidence links can point at ``/documents/{id}#s{n}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Piece:
    """A run of text, highlighted when ``css`` is set."""

    text: str
    css: str | None = None
    title: str | None = None
    href: str | None = None


@dataclass
class Block:
    """One sentence (``idx`` set) or the text between two sentences."""

    idx: int | None
    pieces: list[Piece] = field(default_factory=list)


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    css: str
    title: str
    href: str | None


def _spans(mentions: list[dict[str, Any]], events: list[dict[str, Any]], size: int) -> list[_Span]:
    """Non-overlapping spans; an event trigger wins over an entity mention it overlaps."""
    triggers = [
        _Span(
            e["trigger_start"],
            e["trigger_end"],
            f"trigger t-{e['type'].lower()}",
            " · ".join(str(x) for x in (e["type"], e.get("stage"), e["modality"], e.get("when")) if x),
            f"/api/events/{e['id']}",
        )
        for e in events
    ]
    entities = [
        _Span(
            m["start"],
            m["end"],
            f"mention m-{m['kind']}",
            f"{m['kind']}: {m.get('name') or m['entity_id']}",
            f"/entities/{m['entity_id']}",
        )
        for m in mentions
    ]
    chosen: list[_Span] = []
    taken: list[tuple[int, int]] = []
    for span in sorted(triggers, key=lambda s: s.start) + sorted(entities, key=lambda s: s.start):
        if not (0 <= span.start < span.end <= size):
            continue
        if any(span.start < end and start < span.end for start, end in taken):
            continue
        chosen.append(span)
        taken.append((span.start, span.end))
    return sorted(chosen, key=lambda s: s.start)


def _pieces(body: str, start: int, end: int, spans: list[_Span]) -> list[Piece]:
    out: list[Piece] = []
    at = start
    for span in spans:
        if span.end <= start or span.start >= end:
            continue
        s, e = max(span.start, start), min(span.end, end)
        if s > at:
            out.append(Piece(body[at:s]))
        out.append(Piece(body[s:e], span.css, span.title, span.href))
        at = e
    if at < end:
        out.append(Piece(body[at:end]))
    return out


def highlight(
    body: str, sentences: list[dict[str, Any]], mentions: list[dict[str, Any]], events: list[dict[str, Any]]
) -> list[Block]:
    """The body as blocks of pieces: every character of it exactly once, in order."""
    spans = _spans(mentions, events, len(body))
    blocks: list[Block] = []
    at = 0
    for s in sorted(sentences, key=lambda x: x["start"]):
        start, end = max(s["start"], at), min(s["end"], len(body))
        if start >= end:
            continue
        if start > at:
            blocks.append(Block(None, _pieces(body, at, start, spans)))
        blocks.append(Block(s["idx"], _pieces(body, start, end, spans)))
        at = end
    if at < len(body):
        blocks.append(Block(None, _pieces(body, at, len(body), spans)))
    return blocks

"""Typed contracts between the stages.

Data flows one way, and each arrow below is one of these dataclasses::

    ingest: path -> RawDocument | Rejection
    clean:  RawDocument -> CleanDocument
    nlp:    CleanDocument -> ParsedDocument (spaCy Doc + sentences + time expressions)
    link:   ParsedDocument -> list[Mention]
    extract: (ParsedDocument, mentions) -> list[Event]
    consolidate: events of many documents -> list[Deal]

They are frozen where nothing downstream needs to change them, so a stage can never edit
what an earlier stage produced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RawDocument:
    """One article as read from disk, before any cleaning."""

    doc_id: str
    path: str
    text: str
    kind: str  # "text" | "html"
    content_hash: str
    url: str | None = None
    title: str | None = None
    published: str | None = None


@dataclass(frozen=True)
class Rejection:
    """An input that could not become a document, with the reason a user can act on."""

    path: str
    code: str
    reason: str


@dataclass(frozen=True)
class LineVerdict:
    """The clean stage's decision on one raw line (1-based), kept for the dashboard and eval."""

    number: int
    text: str
    label: str  # body | heading | title | boilerplate | blank
    reason: str


@dataclass(frozen=True)
class CleanDocument:
    """The article body and its metadata, with the page furniture set aside."""

    raw: RawDocument
    body: str
    title: str | None
    published: str | None  # YYYY-MM-DD | YYYY-MM | YYYY | None, as the text states it
    published_precision: str | None  # day | month | year
    inferred_year: int | None  # latest past year the text speaks of, when nothing is stated
    lang: str
    source: str | None
    author: str | None
    lines: tuple[LineVerdict, ...] = ()


@dataclass(frozen=True)
class Timex:
    """A normalised temporal expression: character span in the body and TIMEX3-like value."""

    start: int
    end: int
    text: str
    type: str  # DATE | TIME | DURATION | SET
    value: str | None  # None for vague expressions ("ces derniers temps")
    mod: str | None = None  # START | MID | END | APPROX


@dataclass(frozen=True)
class Sentence:
    """One sentence of the body, by character span."""

    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Mention:
    """A span of the body linked to a knowledge-base entity (or a stable local id)."""

    start: int
    end: int
    text: str
    sentence: int
    entity_id: str
    kind: str  # country | person | organization | system | place
    via: str  # alias | demonym | capital | seat | surname | role | ner | pattern
    name: str  # canonical name (ISO3 for countries)
    country: str | None = None  # the state of a person, organisation or system's origin


@dataclass
class Event:
    """One fact of a document, with the evidence it rests on."""

    type: str
    fields: dict[str, Any]
    modality: str
    when: str | None
    sentences: list[int]
    trigger: str
    trigger_span: tuple[int, int]
    confidence: float
    attribution: str | None = None
    args: dict[str, tuple[int, int]] = field(default_factory=dict)
    # How far the date is from the trigger in the parse (1: its own adjunct, as in "signé en
    # 2014"); when mentions of one fact disagree, the most directly attached date wins.
    when_distance: int | None = None

    def key(self) -> tuple[Any, ...]:
        """Identity of the fact inside one document (mentions of it merge on this key)."""
        f = self.fields
        if self.type == "ARMS_TRANSFER":
            return (
                self.type,
                f.get("supplier"),
                f.get("recipient"),
                f.get("system"),
                f.get("stage"),
                self.modality == "DENIED",
                # Deliveries made and deliveries to come are two facts ("trois Rafale livrés
                # lundi; les 21 restants seront livrés d'ici 2019").
                f.get("stage") == "DELIVERY" and self.modality == "PLANNED",
                f.get("order", 1),
            )
        if self.type == "SANCTION":
            return (self.type, f.get("imposer"), f.get("target"))
        parts = f.get("participants") or f.get("parties") or []
        return (self.type, tuple(sorted(parts)), f.get("location"))


@dataclass(frozen=True)
class DocumentResult:
    """Everything the pipeline learnt about one document, ready for the store."""

    clean: CleanDocument
    sentences: tuple[Sentence, ...]
    mentions: tuple[Mention, ...]
    timexes: tuple[Timex, ...]
    events: tuple[Event, ...]

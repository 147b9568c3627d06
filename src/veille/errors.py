"""One exception hierarchy for veille, with stable codes a user can search for.

::

    VeilleError
     ├── IngestError   (E1xx: a file cannot become a document)
     ├── KnowledgeError (E2xx: a knowledge-base or lexicon file is malformed)
     └── StoreError    (E3xx: the database cannot be opened or migrated)

A rejected input is not an exception at the pipeline level: ingest returns a
:class:`veille.models.Rejection` carrying one of the E1xx codes, the run goes on, and the
rejection is stored. Exceptions are for what stops a run.
"""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    "E101": "file is empty",
    "E102": "file is larger than the size limit ({limit} bytes)",
    "E103": "file looks binary ({detail})",
    "E104": "cannot decode the text ({detail})",
    "E105": "unsupported file type ({detail})",
    "E106": "malformed JSONL line {line}: {detail}",
    "E107": "HTML holds no extractable article text",
    "E108": "cannot read the file ({detail})",
    "E109": "document has no body text after cleaning",
    "E110": "unsafe XML refused ({detail})",
    "E111": "feed holds no entries ({detail})",
    "E112": "unreadable WARC archive ({detail})",
    "E113": "feed entry {entry} has no text",
    "E114": "analysis failed on this document ({detail}); the rest of the run goes on",
    "E201": "{file}:{line}: field '{field}': {detail}",
    "E301": "cannot open the store ({detail})",
    "E331": "--dask needs a store every worker can write to at once (PostgreSQL), not {detail}",
    "E332": "--dask {detail}: expected local:N (N >= 1) or a scheduler address such as tcp://host:8786",
    "E333": "cannot reach the Dask scheduler at {detail}",
}


def message(code: str, **values: object) -> str:
    """Format the catalogue message for ``code``."""
    return f"[{code}] " + MESSAGES[code].format(**values)


class VeilleError(Exception):
    """Base of every error veille raises on purpose."""


class IngestError(VeilleError):
    """A file cannot be turned into a document."""

    def __init__(self, code: str, **values: object) -> None:
        self.code = code
        super().__init__(message(code, **values))


class KnowledgeError(VeilleError):
    """A data file under ``veille/data`` is malformed (names file, line and field)."""

    def __init__(self, file: str, line: int, field: str, detail: str) -> None:
        self.file, self.line, self.field = file, line, field
        super().__init__(message("E201", file=file, line=line, field=field, detail=detail))


class StoreError(VeilleError):
    """The database cannot be opened or migrated."""

"""Loading and validating the data files under ``veille/data``.

Knowledge lives in data files, not in code: each loader here reads one file once (cached),
checks its shape and raises :class:`~veille.errors.KnowledgeError` naming file, line and field
when it is malformed, so a bad edit fails at start-up rather than as a silent miss.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from veille.errors import KnowledgeError

DATA = Path(str(resources.files("veille") / "data"))


COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


@lru_cache(maxsize=32_768)
def fold(text: str) -> str:
    """Lowercase and strip accents: the key used for accent-insensitive lookups.

    Cached: extractors fold the same few thousand words and lemmas hundreds of thousands of
    times per thousand documents; the cache is bounded, so memory is too.
    """
    # A regex over the combining-mark blocks: ten times faster than testing every character,
    # and fold() runs on every line of every page.
    return COMBINING.sub("", unicodedata.normalize("NFKD", text.casefold()))


@cache
def lexicon(name: str) -> dict[str, Any]:
    """Load ``data/lexicons/<name>.json`` (an object whose values are lists or maps)."""
    path = DATA / "lexicons" / f"{name}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise KnowledgeError(str(path), err.lineno, "(json)", err.msg) from err
    if not isinstance(data, dict):
        raise KnowledgeError(str(path), 1, "(root)", "must be an object")
    for key, value in data.items():
        if key.startswith("_"):
            continue
        if not isinstance(value, list | dict) or not value:
            raise KnowledgeError(str(path), 1, key, "must be a non-empty list or object")
    return data


def read_jsonl(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """Read a JSON Lines data file as (line number, object) pairs, naming the bad line."""
    rows: list[tuple[int, dict[str, Any]]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            raise KnowledgeError(str(path), number, "(json)", err.msg) from err
        if not isinstance(obj, dict):
            raise KnowledgeError(str(path), number, "(root)", "must be an object")
        rows.append((number, obj))
    return rows

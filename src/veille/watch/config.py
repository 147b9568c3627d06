"""SOURCES.toml: the feeds and folders to watch, the politeness settings and the alert rules.

The file is read with :mod:`tomllib` and checked field by field; every mistake is reported
with the file, the table it sits in (``feed[2]``, ``alert[1]``) and the reason, all at once,
so a user fixes the file in one go instead of one error per run.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from veille.errors import VeilleError

RULE_KINDS = ("new_deal", "new_transfer", "stage_advance", "new_conflict", "new_sanction")
STAGES = ("OFFER", "INTEREST", "NEGOTIATION", "CONTRACT", "PAYMENT", "DELIVERY", "SUSPENSION")
# Filters each rule kind understands; anything else in an [[alert]] table is a mistake.
RULE_FILTERS: dict[str, tuple[str, ...]] = {
    "new_deal": ("supplier", "recipient", "system"),
    "new_transfer": ("supplier", "recipient", "system", "stage"),
    "stage_advance": ("supplier", "recipient", "system", "deals", "stage"),
    "new_conflict": ("supplier", "recipient", "system", "deals"),
    "new_sanction": ("imposer", "target"),
}
STATE_FILTERS = ("supplier", "recipient", "imposer", "target")
DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}
SOURCE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class ConfigError(VeilleError):
    """SOURCES.toml cannot be used; the message lists every problem found."""


def parse_duration(text: str | float | int) -> float:
    """Seconds in ``15m``, ``2h``, ``1d``, ``30s`` or a bare number of seconds."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        if text <= 0:
            raise ValueError(f"duration must be positive, got {text}")
        return float(text)
    match = DURATION.match(str(text))
    if not match:
        raise ValueError(f"'{text}' is not a duration such as 30s, 15m, 2h or 1d")
    seconds = float(match.group(1)) * UNIT_SECONDS[match.group(2)]
    if seconds <= 0:
        raise ValueError(f"duration must be positive, got '{text}'")
    return seconds


@dataclass(frozen=True)
class Feed:
    """An RSS or Atom feed polled over HTTP."""

    name: str
    url: str


@dataclass(frozen=True)
class Folder:
    """A local folder whose new files are ingested at each poll."""

    name: str
    path: Path


@dataclass(frozen=True)
class Rule:
    """One alert rule: a kind of change and filters on it (an absent filter matches all)."""

    name: str
    kind: str
    filters: dict[str, Any] = field(default_factory=dict)

    def matches(self, **values: Any) -> bool:
        """True when every filter the rule sets agrees with ``values``."""
        for key, wanted in self.filters.items():
            if key == "deals":
                deal = values.get("deal_id") or ""
                if not any(deal.startswith(prefix) for prefix in wanted):
                    return False
                continue
            have = values.get(key)
            if key == "system":
                names = {str(have or "").lower(), str(values.get("family") or "").lower()}
                if str(wanted).lower() not in names:
                    return False
            elif str(have or "").upper() != str(wanted).upper():
                return False
        return True


@dataclass(frozen=True)
class WatchConfig:
    """Everything ``veille watch`` needs, validated."""

    path: Path
    feeds: tuple[Feed, ...]
    folders: tuple[Folder, ...]
    rules: tuple[Rule, ...]
    db: str | None = None
    every: float = 900.0
    per_host_interval: float = 5.0  # seconds between two requests to one host
    timeout: float = 20.0
    user_agent: str = "veille/0.1 (news monitoring; polite polling)"
    max_backoff: float = 6 * 3600.0
    webhook: str | None = None
    atom: Path | None = None


def _check_url(value: Any, where: str, problems: list[str]) -> str | None:
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: 'url' is missing or not a string")
        return None
    parts = urlparse(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        problems.append(f"{where}: url '{value}' is not an http(s) URL")
        return None
    return value


def _rule(raw: dict[str, Any], where: str, problems: list[str]) -> Rule | None:
    kind = raw.get("when")
    if kind not in RULE_KINDS:
        problems.append(f"{where}: 'when' must be one of {', '.join(RULE_KINDS)}, got {kind!r}")
        return None
    name = raw.get("name") or kind
    filters: dict[str, Any] = {}
    for key, value in raw.items():
        if key in {"when", "name"}:
            continue
        if key not in RULE_FILTERS[kind]:
            allowed = ", ".join(RULE_FILTERS[kind])
            problems.append(f"{where}: '{key}' is not a filter of '{kind}' rules (allowed: {allowed})")
            continue
        if key == "deals":
            if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
                problems.append(f"{where}: 'deals' must be a non-empty list of deal ids")
                continue
            filters[key] = tuple(value)
            continue
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{where}: '{key}' must be a non-empty string")
            continue
        if key in STATE_FILTERS and not re.fullmatch(r"[A-Za-z]{3}", value):
            problems.append(f"{where}: '{key}' must be an ISO3 state code such as IND, got '{value}'")
            continue
        if key == "stage" and value.upper() not in STAGES:
            problems.append(f"{where}: 'stage' must be one of {', '.join(STAGES)}, got '{value}'")
            continue
        filters[key] = value.upper() if key in (*STATE_FILTERS, "stage") else value
    return Rule(str(name), kind, filters)


def load_config(path: str | Path) -> WatchConfig:
    """Read and validate a SOURCES.toml; raise :class:`ConfigError` listing every problem."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise ConfigError(f"{path}: no such file") from err
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read the file ({err})") from err
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML ({err})") from err
    problems: list[str] = []
    known_top = {"watch", "feed", "folder", "alert", "alerts"}
    for key in data:
        if key not in known_top:
            problems.append(f"unknown table '{key}' (expected {', '.join(sorted(known_top))})")
    settings = data.get("watch", {})
    options: dict[str, Any] = {}
    for key, value in settings.items():
        where = f"[watch] {key}"
        try:
            if key in {"every", "per_host_interval", "timeout", "max_backoff"}:
                options[key] = parse_duration(value)
            elif key in {"db", "user_agent"}:
                if not isinstance(value, str) or not value.strip():
                    raise ValueError("must be a non-empty string")
                options[key] = value
            else:
                raise ValueError("unknown setting")
        except ValueError as err:
            problems.append(f"{where}: {err}")
    names: set[str] = set()
    feeds = []
    for i, raw in enumerate(data.get("feed", []), start=1):
        where = f"feed[{i}]"
        if not isinstance(raw, dict):
            problems.append(f"{where}: must be a table ([[feed]])")
            continue
        url = _check_url(raw.get("url"), where, problems)
        name = raw.get("name") or (urlparse(url).netloc.replace(":", "-") if url else None)
        extra = set(raw) - {"name", "url"}
        if extra:
            problems.append(f"{where}: unknown key(s) {', '.join(sorted(extra))} (feeds take name and url)")
        if name and not SOURCE_NAME.match(str(name)):
            problems.append(f"{where}: name '{name}' must be letters, digits, '.', '_' or '-' (it prefixes doc ids)")
        elif name in names:
            problems.append(f"{where}: name '{name}' is used twice")
        if url and name:
            names.add(str(name))
            feeds.append(Feed(str(name), url))
    folders = []
    for i, raw in enumerate(data.get("folder", []), start=1):
        where = f"folder[{i}]"
        if not isinstance(raw, dict) or not isinstance(raw.get("path"), str):
            problems.append(f"{where}: 'path' is missing or not a string")
            continue
        folder = Path(raw["path"]).expanduser()
        if not folder.is_absolute():
            folder = path.parent / folder
        if not folder.is_dir():
            problems.append(f"{where}: '{raw['path']}' is not a folder")
            continue
        folders.append(Folder(str(raw.get("name") or folder.name), folder))
    rules = []
    for i, raw in enumerate(data.get("alert", []), start=1):
        if not isinstance(raw, dict):
            problems.append(f"alert[{i}]: must be a table ([[alert]])")
            continue
        rule = _rule(raw, f"alert[{i}]", problems)
        if rule:
            rules.append(rule)
    outputs = data.get("alerts", {})
    webhook = outputs.get("webhook")
    if webhook is not None:
        webhook = _check_url(webhook, "[alerts] webhook", problems)
    atom = outputs.get("atom")
    if atom is not None and (not isinstance(atom, str) or not atom.strip()):
        problems.append("[alerts] atom: must be a file path")
        atom = None
    for key in set(outputs) - {"webhook", "atom"}:
        problems.append(f"[alerts] {key}: unknown setting (expected webhook, atom)")
    if not feeds and not folders and not problems:
        problems.append("no [[feed]] nor [[folder]] to watch")
    if problems:
        raise ConfigError(f"{path}: " + "; ".join(problems))
    if options.get("db") and "://" not in options["db"] and not Path(options["db"]).expanduser().is_absolute():
        options["db"] = str(path.parent / options["db"])  # like folders: relative to the config file
    atom_path = None
    if atom:
        atom_path = Path(atom).expanduser()
        atom_path = atom_path if atom_path.is_absolute() else path.parent / atom_path
    return WatchConfig(
        path=path,
        feeds=tuple(feeds),
        folders=tuple(folders),
        rules=tuple(rules),
        webhook=webhook,
        atom=atom_path,
        **options,
    )

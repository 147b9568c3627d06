"""One poll of every source, then alerts; ``watch`` repeats it every N minutes.

Each fetched feed is kept in a spool folder beside the store (``<db>.watch/<UTC time>/<feed
name>.xml``) and ingested from there through the ordinary ingest, so the raw bytes behind
every stored document stay on disk and the feed's name prefixes its documents' ids. A marker
beside it (``<feed>.<digest>.pending``, renamed ``.done`` once ingested) lets the next poll
finish an ingest a crash interrupted — the feed's ETag is already kept by then, so the server
would answer 304 — and skip bytes already ingested when a server sends no validators. A source
that fails (HTTP error, timeout, malformed feed, robots.txt unreadable) is logged, counted,
and left alone for an exponentially growing while (1 min, 2 min, 4 min … ``max_backoff``);
the other sources go on.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser
import httpx
from sqlalchemy import Connection, insert, select, update

from veille.alerts import evaluate, post_pending, record, snapshot, write_atom
from veille.ingest.feeds import read_feed
from veille.models import Rejection
from veille.pipeline import ingest_paths
from veille.store import connect, open_store
from veille.store import schema as t
from veille.watch.config import Feed, WatchConfig
from veille.watch.fetch import Fetched, Fetcher, HostLimiter

log = logging.getLogger("veille.watch")
BACKOFF_BASE = 60.0
SNAPSHOT_KEY = "alerts.snapshot"
DONE = ".done"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


@dataclass
class SourceResult:
    """What one source did in one poll."""

    name: str
    status: str  # new | empty | not-modified | unchanged | failed | backing-off | ingested
    detail: str = ""
    documents: int = 0


@dataclass
class PollReport:
    """What one poll of every source did."""

    sources: list[SourceResult] = field(default_factory=list)
    processed: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    webhook: tuple[int, int] = (0, 0)


def spool_dir(config: WatchConfig, db: str) -> Path:
    """Where fetched feeds are kept: beside a SQLite store, else beside the config file."""
    if "://" not in db:
        p = Path(db)
        return p.with_name(p.name + ".watch")
    return config.path.parent / f"{config.path.stem}.watch"


def _state(conn: Connection, feed: Feed) -> dict[str, Any]:
    row = conn.execute(select(t.watch_sources).where(t.watch_sources.c.name == feed.name)).mappings().first()
    if row is None:
        conn.execute(insert(t.watch_sources).values(name=feed.name, url=feed.url, failures=0, entries_seen=0))
        return {"name": feed.name, "url": feed.url, "failures": 0, "etag": None, "last_modified": None}
    state = dict(row)
    if state["url"] != feed.url:  # the config now points elsewhere: the old validators mean nothing
        state.update(url=feed.url, etag=None, last_modified=None, failures=0, next_try_at=None)
        conn.execute(
            update(t.watch_sources)
            .where(t.watch_sources.c.name == feed.name)
            .values(url=feed.url, etag=None, last_modified=None, failures=0, next_try_at=None)
        )
    return state


def _fail(conn: Connection, feed: Feed, state: dict[str, Any], got: Fetched, reason: str, now: datetime, cap: float):
    failures = int(state.get("failures") or 0) + 1
    wait = min(cap, BACKOFF_BASE * 2 ** (failures - 1))
    retry = now + timedelta(seconds=wait)
    conn.execute(
        update(t.watch_sources)
        .where(t.watch_sources.c.name == feed.name)
        .values(
            last_status=got.status,
            last_error=reason,
            failures=failures,
            next_try_at=_iso(retry),
            last_polled_at=_iso(now),
        )
    )
    log.warning(
        "feed %s (%s) failed: %s; attempt %d, next try after %s", feed.name, feed.url, reason, failures, _iso(retry)
    )
    return SourceResult(feed.name, "failed", f"{reason}; retry after {_iso(retry)}")


def _poll_feed(
    fetcher: Fetcher, feed: Feed, db: str, spool: Path, now: datetime, cap: float
) -> tuple[SourceResult, Path | None]:
    engine = open_store(db)
    with connect(engine) as conn:
        state = _state(conn, feed)
    due = state.get("next_try_at")
    if due and due > _iso(now):
        return SourceResult(feed.name, "backing-off", f"after {state.get('failures')} failures, next try {due}"), None
    got = fetcher.get(feed.url, state.get("etag"), state.get("last_modified"))
    with connect(engine) as conn:
        if got.error or got.status not in (200, 203, 304):
            return _fail(conn, feed, state, got, got.error or f"HTTP {got.status}", now, cap), None
        values: dict[str, Any] = {
            "last_status": got.status,
            "last_error": None,
            "failures": 0,
            "next_try_at": None,
            "last_polled_at": _iso(now),
            "last_ok_at": _iso(now),
        }
        if got.status == 304:
            conn.execute(update(t.watch_sources).where(t.watch_sources.c.name == feed.name).values(**values))
            return SourceResult(feed.name, "not-modified"), None
        assert got.data is not None
        items = list(read_feed(Path(f"{feed.name}.xml"), got.data))
        documents = [i for i in items if not isinstance(i, Rejection)]
        unsafe = [i for i in items if isinstance(i, Rejection) and i.code == "E110"]
        parsed = feedparser.parse(got.data)
        if unsafe or (not documents and parsed.bozo):
            why = unsafe[0].reason if unsafe else str(parsed.get("bozo_exception") or "not a feed")[:200]
            return _fail(conn, feed, state, got, f"malformed feed: {why}", now, cap), None
        if parsed.bozo:  # feedparser recovered entries from broken XML: keep them, say so
            log.warning(
                "feed %s is not well-formed (%s); %d entries recovered",
                feed.name,
                parsed.get("bozo_exception"),
                len(documents),
            )
        values.update(etag=got.etag, last_modified=got.last_modified, entries_seen=len(items))
        conn.execute(update(t.watch_sources).where(t.watch_sources.c.name == feed.name).values(**values))
    if not documents:  # a valid feed with nothing in it yet: nothing to keep or ingest
        return SourceResult(feed.name, "empty", f"{len(items)} entries, none with text"), None
    digest = hashlib.sha256(got.data).hexdigest()[:16]
    if any(spool.glob(f"*/{feed.name}.{digest}.done")) or any(spool.glob(f"*/{feed.name}.{digest}.pending")):
        return SourceResult(feed.name, "unchanged", "same bytes as an earlier poll"), None
    folder = spool / now.strftime("%Y%m%dT%H%M%SZ")
    folder.mkdir(parents=True, exist_ok=True)
    # The name's stem must stay the feed's name: it prefixes the document ids (veille.ingest.feeds).
    target = folder / f"{feed.name}.xml"
    target.write_bytes(got.data)
    (folder / f"{feed.name}.{digest}.pending").write_bytes(b"")
    return SourceResult(feed.name, "new", f"{len(documents)} entries", len(documents)), target


def _pending(spool: Path) -> list[Path]:
    """Fetched feeds whose ingest did not finish (a crash after the ETag was kept): ingest them first."""
    out = []
    for marker in sorted(spool.glob("*/*.pending")):
        name = marker.name.split(".")[0]
        out.append(marker.parent / f"{name}.xml")
    return out


def _done(path: Path) -> None:
    """Mark a spooled feed as ingested (its digest marker goes from .pending to .done)."""
    for marker in path.parent.glob(f"{path.stem}.*.pending"):
        marker.rename(marker.with_suffix(DONE))


def load_snapshot(conn: Connection) -> dict[str, Any] | None:
    """The store summary alerts were last computed against, if any."""
    row = conn.execute(select(t.watch_state.c.value).where(t.watch_state.c.key == SNAPSHOT_KEY)).first()
    return json.loads(row[0]) if row else None


def save_snapshot(conn: Connection, snap: dict[str, Any]) -> None:
    """Keep the summary the next poll's alerts are computed against."""
    value = json.dumps(snap, ensure_ascii=False)
    updated = conn.execute(
        update(t.watch_state)
        .where(t.watch_state.c.key == SNAPSHOT_KEY)
        .values(value=value, updated_at=_iso(datetime.now(UTC)))
    )
    if updated.rowcount == 0:
        conn.execute(insert(t.watch_state).values(key=SNAPSHOT_KEY, value=value, updated_at=_iso(datetime.now(UTC))))


def run_once(
    config: WatchConfig,
    db: str,
    client: httpx.Client | None = None,
    limiter: HostLimiter | None = None,
    now: datetime | None = None,
) -> PollReport:
    """Poll every source once, ingest what is new, raise and deliver alerts."""
    now = now or datetime.now(UTC)
    engine = open_store(db)
    with connect(engine) as conn:
        before = load_snapshot(conn)
        if before is None:  # first poll: what the store already holds is the baseline, not news
            before = snapshot(conn)
            save_snapshot(conn, before)
    own_client = client is None
    client = client or httpx.Client(
        timeout=config.timeout, follow_redirects=True, headers={"User-Agent": config.user_agent}
    )
    report = PollReport()
    try:
        fetcher = Fetcher(client, limiter or HostLimiter(config.per_host_interval), config.user_agent)
        spool = spool_dir(config, db)
        fetched: list[Path] = _pending(spool)
        for feed in config.feeds:
            result, path = _poll_feed(fetcher, feed, db, spool, now, config.max_backoff)
            report.sources.append(result)
            if path:
                fetched.append(path)
        for path in fetched:
            ingested = ingest_paths([path], db)
            report.processed += ingested.processed
            report.rejected += ingested.rejected
            _done(path)
        for folder in config.folders:
            ingested = ingest_paths([folder.path], db)
            report.processed += ingested.processed
            report.rejected += ingested.rejected
            report.sources.append(SourceResult(folder.name, "ingested", str(folder.path), len(ingested.processed)))
        with connect(engine) as conn:
            after = snapshot(conn)
            report.alerts = record(conn, evaluate(conn, config.rules, before, after), _iso(now))
            save_snapshot(conn, after)  # same transaction: alerts and the state they follow from
        if config.webhook:
            report.webhook = post_pending(engine, config.webhook, client)
        if config.atom:
            with connect(engine) as conn:
                write_atom(conn, config.atom)
    finally:
        if own_client:
            client.close()
    return report


def watch(
    config: WatchConfig, db: str, every: float, once: bool = False, cycles: int | None = None, on_report: Any = None
) -> int:
    """Poll every ``every`` seconds until interrupted (or once, or ``cycles`` times); returns polls run."""
    done = 0
    while True:
        started = time.monotonic()
        report = run_once(config, db)
        done += 1
        if on_report:
            on_report(report)
        if once or (cycles is not None and done >= cycles):
            return done
        time.sleep(max(0.0, every - (time.monotonic() - started)))

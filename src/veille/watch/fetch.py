"""Polite HTTP for feeds: conditional GET, one request per host per interval, robots.txt.

Politeness is not optional for a tool that polls every quarter of an hour: a feed that
answers ``304 Not Modified`` costs the publisher nothing, two requests to one host are
spaced by ``per_host_interval`` (or the host's ``Crawl-delay`` when larger), and a path that
robots.txt forbids to our user agent is never fetched.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlparse
from urllib.robotparser import RobotFileParser

import httpx

log = logging.getLogger("veille.watch")
MAX_FEED_BYTES = 5_000_000  # same limit as a feed file on disk (veille.ingest.files.MAX_BYTES)


class HostLimiter:
    """Spaces requests to one host by at least ``interval`` seconds (clock and sleep injectable)."""

    def __init__(
        self,
        interval: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = interval
        self.clock, self.sleep = clock, sleep
        self.last: dict[str, float] = {}
        self.delays: dict[str, float] = {}  # per-host Crawl-delay, when larger than the interval

    def wait(self, host: str) -> float:
        """Block until ``host`` may be asked again; returns the seconds waited."""
        gap = max(self.interval, self.delays.get(host, 0.0))
        waited = 0.0
        if host in self.last:
            waited = max(0.0, self.last[host] + gap - self.clock())
            if waited:
                self.sleep(waited)
        self.last[host] = self.clock()
        return waited


@dataclass
class Fetched:
    """One answer to a conditional GET."""

    status: int  # 200, 304, other HTTP status; 0 when no answer came
    data: bytes | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None


class Fetcher:
    """Conditional GETs through one httpx client, honouring robots.txt and the host limiter."""

    def __init__(self, client: httpx.Client, limiter: HostLimiter, user_agent: str) -> None:
        self.client, self.limiter, self.user_agent = client, limiter, user_agent
        self.robots: dict[str, RobotFileParser | None] = {}

    def _robots(self, url: str) -> RobotFileParser | None:
        """The host's robots.txt rules; None when it could not be read (then nothing is fetched)."""
        parts = urlparse(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin in self.robots:
            return self.robots[origin]
        parser: RobotFileParser | None = RobotFileParser(f"{origin}/robots.txt")
        assert parser is not None
        self.limiter.wait(parts.netloc)
        try:
            answer = self.client.get(f"{origin}/robots.txt")
            if answer.status_code in (401, 403):
                parser.disallow_all = True
            elif answer.status_code >= 500:
                parser = None  # the host is in trouble: ask again next poll, fetch nothing now
            elif answer.is_success:
                parser.parse(answer.text.splitlines())
            else:
                parser.allow_all = True  # no robots.txt: everything allowed
        except httpx.HTTPError as err:
            log.warning("robots.txt of %s unreadable (%s)", origin, err)
            parser = None
        if parser is not None:
            delay = parser.crawl_delay(self.user_agent)
            if delay:
                self.limiter.delays[parts.netloc] = float(delay)
            self.robots[origin] = parser
        return parser

    def get(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """GET ``url`` unless robots.txt forbids it, sending the validators of the last answer."""
        robots = self._robots(url)
        if robots is None:
            return Fetched(0, error="robots.txt could not be read; not fetched this time")
        if not robots.can_fetch(self.user_agent, url):
            return Fetched(0, error=f"robots.txt forbids {url} to {self.user_agent}")
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        self.limiter.wait(urlparse(url).netloc)
        try:
            with self.client.stream("GET", url, headers=headers) as answer:
                if answer.status_code == 304:
                    return Fetched(304, etag=etag, last_modified=last_modified)
                if not answer.is_success:
                    return Fetched(answer.status_code, error=f"HTTP {answer.status_code} {answer.reason_phrase}")
                chunks, size = [], 0
                for chunk in answer.iter_bytes():
                    size += len(chunk)
                    if size > MAX_FEED_BYTES:
                        return Fetched(answer.status_code, error=f"feed larger than {MAX_FEED_BYTES} bytes")
                    chunks.append(chunk)
                return Fetched(
                    answer.status_code,
                    b"".join(chunks),
                    answer.headers.get("ETag"),
                    answer.headers.get("Last-Modified"),
                )
        except httpx.HTTPError as err:
            return Fetched(0, error=f"{type(err).__name__}: {err}")

"""Alert records: stored once, listed, posted to a webhook, written as an Atom feed."""

from __future__ import annotations

import json
import logging
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Connection, Engine, insert, select, update

from veille.store import connect
from veille.store import schema as t

log = logging.getLogger("veille.alerts")
ATOM = "http://www.w3.org/2005/Atom"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def record(conn: Connection, alerts: list[dict[str, Any]], now: str | None = None) -> list[dict[str, Any]]:
    """Store the alerts not stored yet (by id); return those, with their creation time."""
    if not alerts:
        return []
    ids = [a["id"] for a in alerts]
    have = set(conn.execute(select(t.alerts.c.id).where(t.alerts.c.id.in_(ids))).scalars())
    fresh: dict[str, dict[str, Any]] = {}
    stamp = now or _now()
    for alert in alerts:
        if alert["id"] in have or alert["id"] in fresh:
            continue
        fresh[alert["id"]] = {**alert, "created_at": stamp, "posted_at": None}
    if fresh:
        conn.execute(
            insert(t.alerts),
            [{**a, "detail": json.dumps(a["detail"], ensure_ascii=False)} for a in fresh.values()],
        )
    return list(fresh.values())


def list_alerts(conn: Connection, since: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    """Stored alerts, newest first, created at or after ``since`` (ISO UTC) when given."""
    query = select(t.alerts).order_by(t.alerts.c.created_at.desc(), t.alerts.c.title)
    if since:
        query = query.where(t.alerts.c.created_at >= since)
    if limit:
        query = query.limit(limit)
    return [{**dict(r), "detail": json.loads(r["detail"])} for r in conn.execute(query).mappings()]


def payload(alert: dict[str, Any]) -> dict[str, Any]:
    """The JSON a webhook receives for one alert."""
    keys = ("id", "rule", "kind", "title", "deal_id", "supplier", "recipient", "created_at", "detail")
    return {k: alert.get(k) for k in keys}


def post_pending(engine: Engine, url: str, client: httpx.Client, limit: int = 100) -> tuple[int, int]:
    """POST undelivered alerts, oldest first, one JSON object per request; (sent, failed).

    An alert is marked delivered only on a 2xx answer; the others are tried again at the next poll.
    """
    with connect(engine) as conn:
        rows = conn.execute(
            select(t.alerts).where(t.alerts.c.posted_at.is_(None)).order_by(t.alerts.c.created_at).limit(limit)
        ).mappings()
        pending = [{**dict(r), "detail": json.loads(r["detail"])} for r in rows]
    sent = failed = 0
    for alert in pending:
        try:
            answer = client.post(url, json=payload(alert))
            ok = answer.is_success
            reason = f"HTTP {answer.status_code}"
        except httpx.HTTPError as err:
            ok, reason = False, f"{type(err).__name__}: {err}"
        if not ok:
            failed += 1
            log.warning("webhook %s refused alert %s (%s); will retry", url, alert["id"][:12], reason)
            break  # the receiver is down or refusing: keep the order, try again next poll
        sent += 1
        with connect(engine) as conn:
            conn.execute(update(t.alerts).where(t.alerts.c.id == alert["id"]).values(posted_at=_now()))
    return sent, failed


def _summary(alert: dict[str, Any]) -> str:
    lines = [alert["title"]]
    for ev in alert["detail"].get("evidence", []):
        where = ev.get("url") or ev["doc_id"]
        for sentence in ev.get("sentences", []):
            lines.append(f"[{ev['doc_id']}] {sentence} ({where})")
    return "\n".join(lines)


def write_atom(conn: Connection, path: Path, title: str = "veille alerts", limit: int = 200) -> int:
    """Write the latest alerts as an Atom feed a feed reader can subscribe to; returns entries written."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    alerts = list_alerts(conn, limit=limit)
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM}}}id").text = f"urn:veille:alerts:{path.name}"
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = alerts[0]["created_at"] if alerts else _now()
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "veille"
    for alert in alerts:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = f"urn:veille:alert:{alert['id']}"
        ET.SubElement(entry, f"{{{ATOM}}}title").text = alert["title"]
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = alert["created_at"]
        ET.SubElement(entry, f"{{{ATOM}}}category", term=alert["kind"], label=alert["rule"])
        urls = [ev["url"] for ev in alert["detail"].get("evidence", []) if ev.get("url")]
        for url in dict.fromkeys(urls):
            ET.SubElement(entry, f"{{{ATOM}}}link", href=url, rel="related")
        ET.SubElement(entry, f"{{{ATOM}}}content", type="text").text = _summary(alert)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    ET.ElementTree(feed).write(tmp, encoding="utf-8", xml_declaration=True)
    tmp.replace(path)  # a reader never sees half a feed
    return len(alerts)

"""The daily digest: what changed since a moment, grouped by country pair and deal, with evidence.

"What changed" is read from the store: documents ingested since the cut-off, their facts,
and the alerts raised since. Facts are grouped by the pair of states they link (an arms
transfer under its deal), and every line carries the document id, its link when known and
the sentence it rests on, so an analyst can check each claim in one click.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import Connection, select

from veille.alerts import list_alerts
from veille.export.plover import actor_countries
from veille.export.sipri import country_name
from veille.store import schema as t
from veille.watch.config import parse_duration

ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")


def cutoff(since: str, now: datetime | None = None) -> str:
    """ISO UTC time of ``since``: a duration back from now (``1d``, ``12h``) or a date/time."""
    if ISO_DAY.match(since):
        moment = datetime.fromisoformat(since)
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    else:
        try:
            seconds = parse_duration(since)
        except ValueError as err:
            raise ValueError(f"--since: {err}, or a date such as 2026-11-20") from err
        moment = (now or datetime.now(UTC)) - timedelta(seconds=seconds)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _describe(kind: str, f: dict[str, Any]) -> str:
    if kind == "ARMS_TRANSFER":
        qty = f" ({f['quantity']} {f.get('unit') or ''})".rstrip(" )") + ")" if f.get("quantity") else ""
        value = f" — {f['value']['amount']:,} {f['value']['currency']}".replace(",", " ") if f.get("value") else ""
        return (
            f"{(f.get('stage') or '').lower()} {f.get('supplier')} → {f.get('recipient')} {f.get('system')}{qty}{value}"
        )
    if kind == "SANCTION":
        instrument = f" ({f['instrument']})" if f.get("instrument") else ""
        return f"sanction {f.get('imposer')} → {f.get('target')}{instrument}"
    people = ", ".join(f.get("participants") or f.get("parties") or [])
    where = f" in {f['location']}" if f.get("location") else ""
    subject = f" on {f['subject']}" if f.get("subject") else ""
    return f"{kind.lower()} {people}{where}{subject}"


def _states(kind: str, f: dict[str, Any], countries: dict[str, str]) -> list[str]:
    if kind == "ARMS_TRANSFER":
        names = [f.get("supplier"), f.get("recipient")]
    elif kind == "SANCTION":
        names = [f.get("imposer"), f.get("target")]
    else:
        names = list(f.get("participants") or f.get("parties") or [])
    states = set()
    for name in names:
        if not name:
            continue
        state = name if len(name) == 3 and name.isupper() else countries.get(name)
        if state:
            states.add(state)
    return sorted(states)


def build_digest(conn: Connection, since: str, now: datetime | None = None) -> dict[str, Any]:
    """The digest's content: alerts and new facts since ``since`` (ISO UTC), grouped, with evidence."""
    countries = actor_countries(conn)
    docs = {
        r.id: dict(r._mapping)
        for r in conn.execute(
            select(t.documents.c.id, t.documents.c.url, t.documents.c.title, t.documents.c.published).where(
                t.documents.c.ingested_at >= since, t.documents.c.status == "processed"
            )
        )
    }
    deals = [json.loads(r[0]) for r in conn.execute(select(t.deals.c.detail))]
    deal_of: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for d in deals:
        for doc_id in d["sources"]:
            deal_of.setdefault((d["supplier"], d["recipient"], d["family"], doc_id), d)
    sentences = defaultdict(dict)
    if docs:
        for r in conn.execute(select(t.sentences).where(t.sentences.c.doc_id.in_(list(docs)))).mappings():
            sentences[r["doc_id"]][r["idx"]] = r["text"]
    pairs: dict[str, dict[str, Any]] = {}
    events = conn.execute(
        select(t.events).where(t.events.c.doc_id.in_(list(docs))).order_by(t.events.c.doc_id, t.events.c.trigger_start)
    ).mappings()
    for ev in events:
        f = json.loads(ev["fields"])
        states = _states(ev["type"], f, countries)
        key = " – ".join(states) or "(states not named)"
        pair = pairs.setdefault(
            key, {"pair": key, "names": " – ".join(country_name(s) for s in states), "deals": {}, "other": []}
        )
        doc = docs[ev["doc_id"]]
        line = {
            "what": _describe(ev["type"], f),
            "when": ev["when"],
            "modality": ev["modality"],
            "doc_id": ev["doc_id"],
            "url": doc["url"],
            "title": doc["title"],
            "sentence": " ".join(sentences[ev["doc_id"]].get(i, "") for i in json.loads(ev["sentences"])).strip(),
        }
        deal = deal_of.get((ev["supplier"], ev["recipient"], ev["family"], ev["doc_id"])) if ev["system"] else None
        if ev["type"] == "ARMS_TRANSFER" and deal:
            group = pair["deals"].setdefault(
                deal["id"],
                {
                    "deal_id": deal["id"],
                    "title": f"{deal['supplier']} → {deal['recipient']} {deal['system']} (order {deal['order']})",
                    "stage": deal["latest_stage"],
                    "when": deal["latest_when"],
                    "sources": len(deal["sources"]),
                    "conflicts": [c["field"] for c in deal["conflicts"]],
                    "lines": [],
                },
            )
            group["lines"].append(line)
        else:
            pair["other"].append(line)
    groups = []
    for pair in sorted(pairs.values(), key=lambda p: p["pair"]):
        pair["deals"] = sorted(pair["deals"].values(), key=lambda d: d["title"])
        groups.append(pair)
    return {
        "since": since,
        "generated": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
        "documents": len(docs),
        "alerts": list_alerts(conn, since=since),
        "pairs": groups,
    }


def render(digest: dict[str, Any], fmt: str) -> str:
    """The digest as ``html`` (autoescaped: article text is untrusted) or ``md``."""
    if fmt not in ("html", "md"):
        raise ValueError(f"digest format must be html or md, got '{fmt}'")
    env = Environment(
        loader=PackageLoader("veille.digest", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = _md_escape
    return env.get_template(f"digest.{fmt}").render(**digest)


def _md_escape(text: Any) -> str:
    """Markdown-neutral text: brackets, emphasis and HTML from articles are shown, not interpreted."""
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", str(text or ""))


def write_digest(conn: Connection, since: str, output: Path) -> dict[str, Any]:
    """Write the digest to ``output`` (format from its suffix: .html, .md); returns its content."""
    fmt = "md" if output.suffix.lower() in (".md", ".markdown") else "html"
    digest = build_digest(conn, since)
    output.write_text(render(digest, fmt), encoding="utf-8")
    return digest

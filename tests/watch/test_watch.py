"""veille watch: two polls of feeds served on 127.0.0.1, exact alerts, none twice."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from sqlalchemy import select

from tests.watch.feedserver import FeedServer, rss
from veille.consolidate import deal_id
from veille.store import connect, open_store
from veille.store import schema as t
from veille.watch.config import load_config
from veille.watch.fetch import HostLimiter
from veille.watch.loop import run_once

# Articles of our own writing.
CONTRACT = {
    "title": "Défense antiaérienne : contrat signé pour le S-400",
    "link": "http://example.org/defense/s400-contrat",
    "date": "Mon, 10 Mar 2025 08:00:00 +0000",
    "text": (
        "New Delhi a signé lundi le contrat d'achat de cinq systèmes S-400 russes, pour un montant de "
        "5,4 milliards de dollars.\n\nLe ministre indien de la Défense a salué un accord qui renforce la "
        "protection du pays."
    ),
}
DELIVERY = {
    "title": "Premières livraisons de S-400 en Inde",
    "link": "http://example.org/defense/s400-livraison",
    "date": "Tue, 16 Sep 2025 08:00:00 +0000",
    "text": (
        "La Russie a livré à l'Inde le premier des six systèmes S-400 commandés, a annoncé mardi l'armée "
        "indienne.\n\nLes autres unités doivent suivre d'ici la fin de l'année prochaine."
    ),
}
SANCTION = {
    "title": "Washington punit Ankara",
    "link": "http://example.org/monde/sanctions-turquie",
    "date": "Wed, 17 Sep 2025 08:00:00 +0000",
    "text": "Mercredi, le Trésor américain a annoncé des sanctions contre la Turquie.",
}
S400_IND = deal_id("RUS", "IND", "S-400", 1)


def _config(tmp_path: Path, server: FeedServer) -> Path:
    path = tmp_path / "SOURCES.toml"
    path.write_text(
        f"""
[watch]
per_host_interval = 0.01

[[feed]]
name = "defense"
url = "{server.url}/defense.xml"

[[feed]]
name = "monde"
url = "{server.url}/monde.xml"

[[feed]]
name = "broken"
url = "{server.url}/broken.xml"

[[feed]]
name = "down"
url = "{server.url}/down.xml"

[[feed]]
name = "private"
url = "{server.url}/private/feed.xml"

[[alert]]
name = "India buys"
when = "new_transfer"
recipient = "IND"

[[alert]]
name = "stage"
when = "stage_advance"

[[alert]]
name = "S-400 India disputed"
when = "new_conflict"
deals = ["{S400_IND}"]

[[alert]]
name = "Turkey sanctioned"
when = "new_sanction"
target = "TUR"

[alerts]
webhook = "{server.url}/hook"
atom = "alerts.atom"
""",
        encoding="utf-8",
    )
    return path


def _titles(alerts: list[dict]) -> list[tuple[str, str]]:
    return sorted((a["rule"], a["title"]) for a in alerts)


@pytest.mark.slow
def test_two_polls_raise_exactly_the_new_alerts_once(tmp_path: Path) -> None:
    db = str(tmp_path / "watch.db")
    with FeedServer() as server:
        server.pages["/robots.txt"] = (200, b"User-agent: *\nDisallow: /private/\n")
        server.pages["/defense.xml"] = (200, rss("Défense", [CONTRACT]))
        server.pages["/monde.xml"] = (200, rss("Monde", []))
        server.pages["/broken.xml"] = (200, b"<rss><channel><item><title>oops</title></chan")
        server.pages["/down.xml"] = (500, b"boom")
        server.pages["/private/feed.xml"] = (200, rss("Privé", [SANCTION]))
        config = load_config(_config(tmp_path, server))
        t0 = datetime(2025, 9, 18, 6, 0, tzinfo=UTC)

        first = run_once(config, db, now=t0)
        status = {s.name: s.status for s in first.sources}
        assert status == {
            "defense": "new",
            "monde": "empty",
            "broken": "failed",
            "down": "failed",
            "private": "failed",
        }
        detail = {s.name: s.detail for s in first.sources}
        assert "malformed feed" in detail["broken"] and "HTTP 500" in detail["down"]
        assert "robots.txt forbids" in detail["private"]
        assert server.got("/private/feed.xml") == []  # never asked
        assert first.rejected == []  # an empty feed is no error
        assert _titles(first.alerts) == [("India buys", "New arms transfer RUS → IND S-400: CONTRACT")]

        # Between the polls: the defense feed gets the delivery, the world feed a sanction.
        server.pages["/defense.xml"] = (200, rss("Défense", [DELIVERY, CONTRACT]))
        server.pages["/monde.xml"] = (200, rss("Monde", [SANCTION]))
        second = run_once(config, db, now=t0 + timedelta(seconds=30))
        status = {s.name: s.status for s in second.sources}
        assert status["defense"] == status["monde"] == "new"
        assert status["broken"] == status["down"] == "backing-off"  # not retried 30 s after failing
        assert _titles(second.alerts) == [
            ("India buys", "New arms transfer RUS → IND S-400: DELIVERY"),
            ("S-400 India disputed", "Sources disagree on quantity (systems) of deal RUS → IND S-400"),
            ("Turkey sanctioned", "New sanction USA → TUR"),
            ("stage", "Deal RUS → IND S-400 moved CONTRACT → DELIVERY"),
        ]
        advance = next(a for a in second.alerts if a["rule"] == "stage")
        assert advance["deal_id"] == S400_IND
        evidence = advance["detail"]["evidence"][0]
        assert evidence["url"] == DELIVERY["link"] and evidence["new"]
        assert any("a livré à l'Inde" in s for s in evidence["sentences"])
        conflict = next(a for a in second.alerts if a["rule"] == "S-400 India disputed")
        assert {c["value"] for c in conflict["detail"]["claims"]} == {5, 6}
        cited = [e["doc_id"] for e in conflict["detail"]["evidence"]]
        assert len(cited) == len(set(cited)) == 2  # both reports, each sentence once

        # Third poll, hours later: nothing changed, the failed feeds are tried again, no alert.
        third = run_once(config, db, now=t0 + timedelta(hours=3))
        status = {s.name: s.status for s in third.sources}
        assert status["defense"] == status["monde"] == "not-modified"
        assert status["broken"] == status["down"] == "failed"
        assert third.alerts == []
        assert len(server.got("/down.xml")) == 2
        last_defense = server.got("/defense.xml")[-1]
        assert last_defense.get("If-None-Match")  # conditional GET: the ETag went back

        with connect(open_store(db)) as conn:
            stored = conn.execute(select(t.alerts.c.rule, t.alerts.c.posted_at)).all()
            down = conn.execute(select(t.watch_sources).where(t.watch_sources.c.name == "down")).mappings().one()
        assert len(stored) == 5 and all(posted for _, posted in stored)
        assert down["failures"] == 2 and down["last_status"] == 500
        # The webhook received each alert once, as JSON with its evidence.
        assert sorted(p["title"] for p in server.posts) == sorted(
            [a["title"] for a in first.alerts] + [a["title"] for a in second.alerts]
        )
        assert all(p["detail"]["evidence"] for p in server.posts)
    feed = feedparser.parse((tmp_path / "alerts.atom").read_bytes())
    assert not feed.bozo and len(feed.entries) == 5
    assert {e.title for e in feed.entries} == {p["title"] for p in server.posts}


def test_webhook_down_keeps_alerts_for_the_next_poll(tmp_path: Path) -> None:
    import httpx

    from veille.alerts import post_pending, record

    db = str(tmp_path / "hook.db")
    engine = open_store(db)
    alert = {
        "id": "a" * 40,
        "rule": "r",
        "kind": "new_sanction",
        "deal_id": None,
        "supplier": "USA",
        "recipient": "TUR",
        "title": "New sanction USA → TUR",
        "detail": {"evidence": []},
    }
    with connect(engine) as conn:
        assert len(record(conn, [alert, alert])) == 1
        assert record(conn, [alert]) == []  # stored once, whatever the number of tries
    with FeedServer() as server, httpx.Client() as client:
        server.hook_status = 503
        assert post_pending(engine, f"{server.url}/hook", client) == (0, 1)
        server.hook_status = 204
        assert post_pending(engine, f"{server.url}/hook", client) == (1, 0)
        assert post_pending(engine, f"{server.url}/hook", client) == (0, 0)
    assert [p["id"] for p in server.posts] == ["a" * 40]
    assert json.dumps(server.posts[0], ensure_ascii=False).count("TUR") == 2


def test_host_limiter_spaces_requests_to_one_host() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = HostLimiter(5.0, clock=lambda: now[0], sleep=sleep)
    assert limiter.wait("a.example") == 0.0
    now[0] += 2.0
    assert limiter.wait("a.example") == pytest.approx(3.0)
    assert limiter.wait("b.example") == 0.0  # another host is not held back
    limiter.delays["a.example"] = 10.0  # its robots.txt asks for a Crawl-delay of 10 s
    assert limiter.wait("a.example") == pytest.approx(10.0)
    assert slept == [pytest.approx(3.0), pytest.approx(10.0)]


def test_watch_repeats_polls_and_stops_after_the_cycles_asked(tmp_path: Path) -> None:
    from veille.watch.loop import watch

    (tmp_path / "inbox").mkdir()
    config_path = tmp_path / "SOURCES.toml"
    config_path.write_text('[[folder]]\npath = "inbox"\n', encoding="utf-8")
    reports = []
    polls = watch(load_config(config_path), str(tmp_path / "w.db"), every=0.01, cycles=3, on_report=reports.append)
    assert polls == 3 and [r.sources[0].status for r in reports] == ["ingested"] * 3


@pytest.mark.slow
def test_a_poll_interrupted_after_the_fetch_is_finished_by_the_next(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import veille.watch.loop as loop

    db = str(tmp_path / "crash.db")
    with FeedServer() as server:
        server.pages["/robots.txt"] = (404, b"")
        server.pages["/defense.xml"] = (200, rss("Défense", [CONTRACT]))
        config_path = tmp_path / "SOURCES.toml"
        config_path.write_text(
            f'[watch]\nper_host_interval = 0.01\n[[feed]]\nname = "defense"\nurl = "{server.url}/defense.xml"\n'
            '[[alert]]\nwhen = "new_deal"\n',
            encoding="utf-8",
        )
        config = load_config(config_path)
        real = loop.ingest_paths

        def crash(*args, **kwargs):  # type: ignore[no-untyped-def]
            raise RuntimeError("power cut")

        monkeypatch.setattr(loop, "ingest_paths", crash)
        with pytest.raises(RuntimeError):
            run_once(config, db)
        monkeypatch.setattr(loop, "ingest_paths", real)
        report = run_once(config, db)
        assert [s.status for s in report.sources] == ["not-modified"]  # the server has nothing new…
        assert len(report.processed) == 1 and report.processed[0].startswith("defense-")  # …the spool had
        assert [a["title"] for a in report.alerts] == ["New deal RUS → IND S-400 (CONTRACT)"]
        assert run_once(config, db).processed == []

"""The daily loop from the command line: watch --once, alerts, digest, datasette."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.watch.feedserver import FeedServer, rss
from tests.watch.test_watch import CONTRACT
from veille.cli import app

runner = CliRunner()


@pytest.mark.slow
def test_watch_once_then_alerts_and_digest(tmp_path: Path) -> None:
    db = str(tmp_path / "loop.db")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with FeedServer() as server:
        server.pages["/robots.txt"] = (404, b"")
        server.pages["/feed.xml"] = (200, rss("Défense", [CONTRACT]))
        config = tmp_path / "SOURCES.toml"
        config.write_text(
            f"""
[watch]
db = "{db}"
per_host_interval = 0.01

[[feed]]
name = "defense"
url = "{server.url}/feed.xml"

[[folder]]
path = "inbox"

[[alert]]
when = "new_deal"
recipient = "IND"
""",
            encoding="utf-8",
        )
        result = runner.invoke(app, ["watch", str(config), "--once"])
        assert result.exit_code == 0, result.output
        assert "1 new documents, 1 new alerts" in result.output
        assert "New deal RUS → IND S-400 (CONTRACT)" in result.output
        again = runner.invoke(app, ["watch", str(config), "--once"])
        assert "0 new documents, 0 new alerts" in again.output  # 304 and nothing new
    listed = runner.invoke(app, ["alerts", "--db", db, "--json"])
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [r["title"] for r in rows] == ["New deal RUS → IND S-400 (CONTRACT)"]
    assert rows[0]["detail"]["evidence"][0]["url"] == CONTRACT["link"]
    table = runner.invoke(app, ["alerts", "--db", db, "--since", "1d"])
    assert "New deal RUS → IND S-400" in table.output and "New Delhi a signé lundi" in table.output
    html = tmp_path / "digest.html"
    assert runner.invoke(app, ["digest", "--since", "1d", "-o", str(html), "--db", db]).exit_code == 0
    page = html.read_text(encoding="utf-8")
    assert "RUS → IND S-400 (order 1)" in page and f'href="{CONTRACT["link"]}"' in page
    assert "New Delhi a signé lundi le contrat" in page
    md = runner.invoke(app, ["digest", "--since", "2h", "--db", db]).stdout
    assert "## IND – RUS (India – Russia)" in md and f"]({CONTRACT['link']})" in md


def test_watch_refuses_a_bad_config_with_its_reason(tmp_path: Path) -> None:
    config = tmp_path / "SOURCES.toml"
    config.write_text('[[feed]]\nurl = "nowhere"\n', encoding="utf-8")
    result = runner.invoke(app, ["watch", str(config), "--once", "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 2
    assert "feed[1]: url 'nowhere' is not an http(s) URL" in result.output.replace("\n", "")


def test_bad_since_is_explained(tmp_path: Path) -> None:
    result = runner.invoke(app, ["digest", "--since", "yesterday", "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 2 and "--since" in result.output

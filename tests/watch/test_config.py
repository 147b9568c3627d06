"""SOURCES.toml: a good file loads; every mistake is named with where it is and why."""

from __future__ import annotations

from pathlib import Path

import pytest

from veille.watch.config import ConfigError, load_config, parse_duration


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "SOURCES.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_complete_config_loads(tmp_path: Path) -> None:
    (tmp_path / "inbox").mkdir()
    config = load_config(
        _write(
            tmp_path,
            """
[watch]
db = "veille.db"
every = "15m"
per_host_interval = "10s"

[[feed]]
name = "opex"
url = "https://example.org/rss.xml"

[[folder]]
path = "inbox"

[[alert]]
name = "India buys"
when = "new_transfer"
recipient = "ind"
stage = "contract"

[[alert]]
when = "new_sanction"
target = "TUR"

[alerts]
webhook = "http://127.0.0.1:9000/hook"
atom = "out/alerts.atom"
""",
        )
    )
    assert config.every == 900 and config.per_host_interval == 10 and config.db == str(tmp_path / "veille.db")
    assert [f.name for f in config.feeds] == ["opex"]
    assert config.folders[0].path == tmp_path / "inbox"
    assert config.rules[0].filters == {"recipient": "IND", "stage": "CONTRACT"}
    assert config.rules[1].name == "new_sanction"
    assert config.atom == tmp_path / "out" / "alerts.atom"
    rule = config.rules[0]
    assert rule.matches(supplier="RUS", recipient="IND", stage="CONTRACT")
    assert not rule.matches(supplier="RUS", recipient="IND", stage="DELIVERY")


def test_every_mistake_is_reported_at_once_with_its_place(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
[watch]
every = "soon"

[[feed]]
url = "ftp://example.org/feed"

[[feed]]
name = "a"
url = "https://a.example/rss"

[[feed]]
name = "a"
url = "https://b.example/rss"

[[folder]]
path = "missing-folder"

[[alert]]
when = "new_thing"

[[alert]]
when = "new_transfer"
recipient = "India"
target = "TUR"
""",
    )
    with pytest.raises(ConfigError) as info:
        load_config(path)
    text = str(info.value)
    for expected in [
        "[watch] every: 'soon' is not a duration",
        "feed[1]: url 'ftp://example.org/feed' is not an http(s) URL",
        "feed[3]: name 'a' is used twice",
        "folder[1]: 'missing-folder' is not a folder",
        "alert[1]: 'when' must be one of new_deal, new_transfer",
        "alert[2]: 'recipient' must be an ISO3 state code such as IND, got 'India'",
        "alert[2]: 'target' is not a filter of 'new_transfer' rules",
    ]:
        assert expected in text


def test_unreadable_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "absent.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(_write(tmp_path, "[[feed]\nurl = 1"))
    with pytest.raises(ConfigError, match="no \\[\\[feed\\]\\] nor \\[\\[folder\\]\\]"):
        load_config(_write(tmp_path, "[watch]\nevery = '1h'\n"))


@pytest.mark.parametrize(("text", "seconds"), [("30s", 30), ("15m", 900), ("2h", 7200), ("1d", 86400), (90, 90)])
def test_durations(text: str | int, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "0m", "-5m", "quinze minutes", "5w"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)

"""The digest shows only what changed, with evidence; the Datasette canned queries run."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import SHARED
from veille.digest import build_digest, cutoff, render
from veille.export.datasette import metadata, write_metadata
from veille.store import connect, open_store

pytestmark = pytest.mark.slow


@pytest.fixture
def recent_s400(corpus_store: str, tmp_path: Path) -> str:
    """A copy of the corpus store where only the two RUS-CHN S-400 articles are new today."""
    db = tmp_path / "copy.db"
    src = sqlite3.connect(corpus_store)
    dst = sqlite3.connect(db)
    src.backup(dst)
    src.close()
    dst.execute(
        "UPDATE documents SET ingested_at = '2020-01-01T00:00:00+00:00'"
        " WHERE id NOT IN ('ex06_rus_chn_su35_s400', '000_9fbb43b2e77d6b3b')"
    )
    dst.commit()
    dst.close()
    return str(db)


def test_digest_groups_new_facts_by_pair_and_deal_with_evidence(recent_s400: str) -> None:
    with connect(open_store(recent_s400)) as conn:
        digest = build_digest(conn, cutoff("1d"))
    pairs = {p["pair"]: p for p in digest["pairs"]}
    assert "FRA – IND" not in pairs  # ingested long ago: not news
    chn = pairs["CHN – RUS"]
    s400 = next(d for d in chn["deals"] if d["title"] == "RUS → CHN S-400 (order 1)")
    assert {line["doc_id"] for line in s400["lines"]} == (
        {"ex06_rus_chn_su35_s400", "000_9fbb43b2e77d6b3b"}
        if (SHARED / "corpus" / "seeds").is_dir()
        else {"ex06_rus_chn_su35_s400"}
    )
    delivered = next(line for line in s400["lines"] if line["what"].startswith("delivery") and line["when"] == "2018")
    assert "Le premier régiment a été livré" in delivered["sentence"]
    assert all(line["sentence"] for d in chn["deals"] for line in d["lines"])
    html = render(digest, "html")
    assert "RUS → CHN S-400 (order 1)" in html and "<code>ex06_rus_chn_su35_s400</code>" in html


def test_digest_escapes_article_text() -> None:
    line = {
        "what": "contract RUS → IND S-400",
        "when": "2025",
        "modality": "ASSERTED",
        "doc_id": "d1",
        "url": None,
        "title": None,
        "sentence": '<script>alert("x")</script> [lien](http://evil) *gras*',
    }
    digest = {
        "since": "s",
        "generated": "g",
        "documents": 1,
        "alerts": [],
        "pairs": [{"pair": "IND – RUS", "names": "India – Russia", "deals": [], "other": [line]}],
    }
    html = render(digest, "html")
    assert "<script>" not in html and "&lt;script&gt;" in html
    md = render(digest, "md")
    assert "\\[lien\\](http://evil)" in md and "\\*gras\\*" in md and "\\<script\\>" in md


def test_datasette_metadata_and_canned_queries_run_on_a_real_store(corpus_store: str, tmp_path: Path) -> None:
    path = write_metadata(corpus_store, tmp_path / "meta.json")
    meta = json.loads(path.read_text(encoding="utf-8"))
    assert meta == metadata(corpus_store)
    database = meta["databases"][Path(corpus_store).stem]
    con = sqlite3.connect(corpus_store)
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert set(database["tables"]) <= tables  # every described table exists
    deal = con.execute("SELECT id FROM deals WHERE supplier='RUS' AND recipient='CHN' AND system='S-400'").fetchone()[0]
    params = {"supplier": "", "recipient": "chn", "deal_id": deal, "a": "RUS", "b": "CHN"}
    results = {}
    for name, query in database["queries"].items():
        cur = con.execute(query["sql"], params)
        columns = [d[0] for d in cur.description]
        results[name] = [dict(zip(columns, r, strict=True)) for r in cur]
    con.close()
    assert {r["system"] for r in results["deals"]} >= {"S-400", "Su-35"}
    assert all(r["recipient"] == "CHN" for r in results["deals"])
    stages = [r["stage"] for r in results["deal_timeline"]]
    assert "CONTRACT" in stages and "DELIVERY" in stages
    assert all(r["sentence"] for r in results["deal_timeline"])
    assert {r["type"] for r in results["pair_timeline"]} >= {"ARMS_TRANSFER"}
    assert results["recent_alerts"] == []

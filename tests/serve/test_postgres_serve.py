"""The dashboard and its API on a PostgreSQL store: the same pages, PostgreSQL's own search."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from veille.pipeline import ingest_paths
from veille.serve.app import create_app

pytestmark = pytest.mark.postgres

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "corpus"


def test_dashboard_serves_a_postgresql_store(pg_url: str) -> None:
    files = sorted(EXAMPLES.glob("ex0[1-4]*.txt"))
    ingest_paths(files, pg_url)
    client = TestClient(create_app(pg_url), client=("127.0.0.1", 50000))
    deals = client.get("/api/deals", params={"supplier": "RUS", "recipient": "IND"}).json()["items"]
    assert any(d["system"] == "S-400" for d in deals)
    deal_page = client.get(f"/deals/{deals[0]['id']}")
    assert deal_page.status_code == 200 and "S-400" in deal_page.text
    # French stemming: "livraisons" finds documents that say "livraison".
    hits = client.get("/api/search", params={"q": "livraisons"}).json()["documents"]
    assert hits["total"] >= 1 and hits["items"][0]["matches"]
    assert client.get(f"/documents/{hits['items'][0]['doc_id']}").status_code == 200
    assert client.get("/").status_code == 200

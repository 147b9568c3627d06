"""The REST API and the server-rendered pages, through FastAPI's TestClient."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from veille.serve.app import create_app

LOCAL = ("127.0.0.1", 50000)


@pytest.fixture(scope="module")
def client(served_store: str) -> TestClient:
    return TestClient(create_app(served_store), client=LOCAL)


def _s400_india(client: TestClient) -> dict:
    page = client.get("/api/deals", params={"supplier": "RUS", "recipient": "IND", "system": "S-400"}).json()
    (deal,) = page["items"]
    return deal


# ---------------------------------------------------------------- deals


def test_deals_are_paginated_without_overlap_and_count_every_deal(client: TestClient) -> None:
    first = client.get("/api/deals", params={"per_page": 5}).json()
    second = client.get("/api/deals", params={"per_page": 5, "page": 2}).json()
    assert first["total"] > 10 and len(first["items"]) == 5 and len(second["items"]) == 5
    assert not {d["id"] for d in first["items"]} & {d["id"] for d in second["items"]}
    everything = client.get("/api/deals", params={"per_page": 200}).json()["items"]
    assert len(everything) == first["total"]


def test_deals_filter_by_country_stage_year_and_sort(client: TestClient) -> None:
    india = client.get("/api/deals", params={"country": "ind", "per_page": 200}).json()["items"]
    assert india and all("IND" in (d["supplier"], d["recipient"]) for d in india)
    assert {"S-400", "Rafale"} <= {d["system"] for d in india}
    delivered = client.get("/api/deals", params={"stage": "DELIVERY", "per_page": 200}).json()["items"]
    assert delivered and all(d["latest_stage"] == "DELIVERY" for d in delivered)
    in_2021 = client.get("/api/deals", params={"year": 2021, "per_page": 200}).json()["items"]
    assert in_2021 and all(d["latest_when"].startswith("2021") for d in in_2021)
    by_supplier = client.get("/api/deals", params={"sort": "supplier", "order": "asc", "per_page": 200}).json()
    suppliers = [d["supplier"] for d in by_supplier["items"]]
    assert suppliers == sorted(suppliers)
    newest = [d["latest_when"] for d in client.get("/api/deals", params={"per_page": 10}).json()["items"]]
    assert newest == sorted(newest, reverse=True)  # newest first, undated last


def test_one_deal_has_its_timeline_conflicts_and_evidence_sentences(client: TestClient) -> None:
    deal = client.get(f"/api/deals/{_s400_india(client)['id']}").json()
    stages = [s["stage"] for s in deal["stages"]]
    assert {"CONTRACT", "DELIVERY"} <= set(stages)
    assert any(c["field"].startswith("value") for c in deal["conflicts"])
    assert any(v["conflict"] for v in deal["values"])
    assert len(deal["sources"]) >= 3
    evidence = deal["evidence"]
    assert evidence and all(ev["sentences"] and ev["doc_id"] in deal["sources"] for ev in evidence)
    assert any("S-400" in s["text"] for ev in evidence for s in ev["sentences"])


def test_unknown_ids_are_404_naming_the_id(client: TestClient) -> None:
    for kind in ("deals", "documents", "entities", "events"):
        response = client.get(f"/api/{kind}/no-such-thing")
        assert response.status_code == 404
        assert "no-such-thing" in response.json()["detail"]


def test_bad_parameters_are_422_naming_the_parameter(client: TestClient) -> None:
    for params, field in (
        ({"per_page": 0}, "per_page"),
        ({"per_page": 1000}, "per_page"),
        ({"stage": "SOLD"}, "stage"),
        ({"country": "France"}, "country"),
        ({"year": "last"}, "year"),
    ):
        response = client.get("/api/deals", params=params)
        assert response.status_code == 422, params
        assert response.json()["problems"][0]["field"] == field
    assert client.get("/api/documents", params={"date_from": "12/03/2024"}).status_code == 422
    assert client.get("/api/search").status_code == 422  # q is required


# ---------------------------------------------------------------- documents, entities, events, search


def test_documents_filter_by_text_date_and_language(client: TestClient) -> None:
    rafale = client.get("/api/documents", params={"q": "Rafale", "per_page": 200}).json()
    assert rafale["total"] >= 5 and "hostile_rafale" in {d["id"] for d in rafale["items"]}
    dated = client.get("/api/documents", params={"date_from": "2021-01-01", "date_to": "2021-12", "per_page": 200})
    assert all("2021-01-01" <= d["published"] <= "2021-12-31" for d in dated.json()["items"])
    assert dated.json()["total"] > 0
    assert client.get("/api/documents", params={"lang": "fr"}).json()["total"] > 30


def test_one_document_has_its_cleaned_text_mentions_events_and_furniture(client: TestClient) -> None:
    doc = client.get("/api/documents/ex01_rus_ind_s400_contrat").json()
    assert doc["body"].startswith("S-400") and doc["published"] == "2018-10-05"
    assert {"RUS", "IND", "system:s-400"} <= {m["entity_id"] for m in doc["mentions"]}
    for m in doc["mentions"]:
        assert doc["body"][m["start"] : m["end"]] == m["text"]
    assert any(e["type"] == "ARMS_TRANSFER" and e["stage"] == "CONTRACT" for e in doc["events"])
    assert any(line["reason"] == "dateline" for line in doc["furniture"])


def test_entities_are_found_by_any_alias(client: TestClient) -> None:
    # The store knows "Vladimir Putin"; the French spelling and a lower-case surname find him.
    for query in ("Poutine", "poutine", "Vladimir Poutine"):
        ids = {e["id"] for e in client.get("/api/entities", params={"q": query}).json()["items"]}
        assert "person:vladimir-putin" in ids, query
    states = client.get("/api/entities", params={"q": "Inde", "kind": "country"}).json()["items"]
    assert [e["id"] for e in states] == ["IND"]


def test_entity_pages_by_kind(client: TestClient) -> None:
    india = client.get("/api/entities/IND").json()
    assert "S-400" in {d["system"] for d in india["deals_as_recipient"]["items"]}
    assert india["deals_as_recipient"]["total"] == len(india["deals_as_recipient"]["items"])
    assert india["meetings"] and india["sanctions"]
    assert all(s["type"] == "SANCTION" for s in india["sanctions"])
    putin = client.get("/api/entities/person:vladimir-putin").json()
    assert any(r["role"] == "head_of_state" and r["country"] == "RUS" for r in putin["roles"])
    assert putin["meetings"] and "Poutine" in putin["aliases"]
    assert putin["mentions"] and {m["doc_id"] for m in putin["mentions"]} <= {d["id"] for d in putin["documents"]}
    assert putin["events"] and all("Vladimir Putin" in json.dumps(e["fields"]) for e in putin["events"])
    s400 = client.get("/api/entities/system:s-400").json()
    assert {("RUS", "IND"), ("RUS", "TUR")} <= {(d["supplier"], d["recipient"]) for d in s400["deals"]["items"]}


def test_events_filter_by_type_actor_modality_and_dates(client: TestClient) -> None:
    sanctions = client.get("/api/events", params={"type": "SANCTION", "per_page": 200}).json()["items"]
    assert sanctions and all(e["type"] == "SANCTION" for e in sanctions)
    by_usa = client.get("/api/events", params={"type": "SANCTION", "actor": "USA", "per_page": 200}).json()["items"]
    assert by_usa and all(e["fields"].get("imposer") == "USA" or e["fields"].get("target") == "USA" for e in by_usa)
    meetings = client.get("/api/events", params={"actor": "Vladimir Putin", "type": "MEETING"}).json()["items"]
    assert meetings and all("Vladimir Putin" in e["fields"]["participants"] for e in meetings)
    window = client.get("/api/events", params={"date_from": "2019", "date_to": "2019-12", "per_page": 200}).json()
    assert window["total"] and all(e["when"].startswith("2019") for e in window["items"])
    one = client.get(f"/api/events/{sanctions[0]['id']}").json()
    assert one["sentences"][0]["text"] and one["doc_id"] == sanctions[0]["doc_id"]


def test_an_event_says_where_its_arguments_are_named(client: TestClient) -> None:
    transfers = client.get("/api/events", params={"type": "ARMS_TRANSFER", "system": "S-400", "per_page": 5}).json()
    one = client.get(f"/api/events/{transfers['items'][0]['id']}").json()
    body = client.get(f"/api/documents/{one['doc_id']}").json()["body"]
    start, end = one["arguments"]["system"]
    assert "S-400" in body[start:end]


def test_full_text_search_ignores_accents_and_case_and_ranks_with_snippets(client: TestClient) -> None:
    plain = client.get("/api/search", params={"q": "negociation"}).json()["documents"]
    accented = client.get("/api/search", params={"q": "NÉGOCIATION"}).json()["documents"]
    assert plain["total"] > 0 and plain == accented
    hit = plain["items"][0]
    start, end = hit["matches"][0]
    assert hit["snippet"][start:end].lower().startswith("négociation")
    assert client.get("/api/search", params={"q": "zzqxj"}).json()["documents"]["total"] == 0
    syntax = client.get("/api/search", params={"q": '"*) NEAR( -'})  # FTS5 operators are words or nothing
    assert syntax.status_code == 200 and syntax.json()["documents"]["total"] == 0
    both = client.get("/api/search", params={"q": "Poutine"}).json()
    assert "person:vladimir-putin" in {e["id"] for e in both["entities"]}


def test_network_links_states_and_filters_by_year(client: TestClient) -> None:
    everything = client.get("/api/network").json()
    edges = {(e["source"], e["target"], e["kind"]) for e in everything["edges"]}
    assert ("RUS", "IND", "arms") in edges
    assert any(kind == "meeting" for _, _, kind in edges)
    one_year = client.get("/api/network", params={"year": 2019}).json()
    assert 0 < len(one_year["edges"]) < len(everything["edges"])


# ---------------------------------------------------------------- pages


def test_pages_render_deals_deal_document_entity_network_search(client: TestClient) -> None:
    home = client.get("/")
    assert home.status_code == 200 and 'id="deals"' in home.text and "S-400" in home.text
    filtered = client.get("/", params={"country": "IND", "stage": "", "year": ""}).text  # empty = any
    table = filtered.split('id="deals"')[1]
    assert "Inde" in table and "Corée du Nord" not in table and "S-400" in table
    deal = client.get(f"/deals/{_s400_india(client)['id']}").text
    assert (
        'data-chart="timeline-data"' in deal
        and "désaccord" in deal
        and "/documents/ex01_rus_ind_s400_contrat#s" in deal
    )
    doc = client.get("/documents/ex01_rus_ind_s400_contrat").text
    assert 'class="mention m-country"' in doc and 'class="trigger t-arms_transfer"' in doc and 'id="legend"' in doc
    assert "Habillage de page retiré" in doc
    assert "Contrats comme destinataire" in client.get("/entities/IND").text
    assert 'data-chart="network-data"' in client.get("/network", params={"year": "2019"}).text
    search = client.get("/search", params={"q": "négociation"}).text
    assert "<mark>" in search
    missing = client.get("/documents/nope")
    assert missing.status_code == 404 and "nope" in missing.text


def test_hostile_article_text_is_escaped_everywhere(client: TestClient) -> None:
    page = client.get("/documents/hostile_rafale")
    assert page.status_code == 200
    assert "<script>window" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;window.__pwned" in page.text and "&lt;img src=x onerror=" in page.text
    assert "&lt;script&gt;document.title" in page.text  # the removed furniture is escaped too
    assert "script-src 'self'" in page.headers["content-security-policy"]
    search = client.get("/search", params={"q": "pwned"}).text
    assert "<script>" not in search.split("<main>")[1]
    assert "<script>window" not in client.get("/").text


def test_plotly_is_served_from_the_installed_package(client: TestClient) -> None:
    response = client.get("/static/plotly.min.js")
    assert response.status_code == 200 and b"plotly" in response.content[:2000].lower()
    assert len(response.content) > 1_000_000
    docs = client.get("/docs").text
    assert "cdn" not in docs.lower() and "/static-offline-docs/swagger-ui-bundle.js" in docs


# ---------------------------------------------------------------- writes and limits


ARTICLE = """Le Maroc commande douze Caesar à la France

Publié le 3 février 2024

Rabat a signé lundi avec Paris un contrat pour douze canons Caesar, a annoncé le ministère marocain de la Défense.
"""


def test_writes_need_the_start_up_token(db: str) -> None:
    closed = TestClient(create_app(db), client=LOCAL)
    assert closed.post("/api/documents", json={"text": ARTICLE}).status_code == 403
    guarded = TestClient(create_app(db, token="s3cret"), client=LOCAL)
    assert guarded.post("/api/documents", json={"text": ARTICLE}).status_code == 401
    wrong = guarded.post("/api/documents", json={"text": ARTICLE}, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert guarded.get("/api/deals").status_code == 200  # reads stay open on this machine
    remote = TestClient(create_app(db, token="s3cret"), client=("10.1.2.3", 40000))
    assert remote.get("/api/deals").status_code == 401
    assert remote.get("/api/deals", headers={"Authorization": "Bearer s3cret"}).status_code == 200


def test_bad_or_oversized_bodies_are_refused_with_the_reason(db: str) -> None:
    client = TestClient(create_app(db, token="t", max_body=2_000), client=LOCAL)
    auth = {"Authorization": "Bearer t"}
    too_big = client.post("/api/documents", json={"text": "x" * 5_000}, headers=auth)
    assert too_big.status_code == 413 and "2000 bytes" in too_big.json()["detail"]
    both = client.post("/api/documents", json={"text": "a", "html": "<p>a</p>"}, headers=auth)
    assert both.status_code == 422 and "exactly one" in json.dumps(both.json())
    empty = client.post("/api/documents", json={"text": "   "}, headers=auth)
    assert empty.status_code == 422 and "empty" in json.dumps(empty.json())
    bad_date = client.post("/api/documents", json={"text": "a", "published": "hier"}, headers=auth)
    assert bad_date.status_code == 422 and "published" in json.dumps(bad_date.json())
    assert client.post("/api/documents", content=b"not json", headers=auth).status_code == 422


@pytest.mark.slow
def test_posting_an_article_stores_it_once_and_updates_the_deals(db: str) -> None:
    client = TestClient(create_app(db, token="t"), client=LOCAL)
    auth = {"Authorization": "Bearer t"}
    created = client.post("/documents", json={"text": ARTICLE, "id": "caesar-maroc"}, headers=auth)
    assert created.status_code == 201, created.text
    assert created.json()["id"] == "caesar-maroc" and created.json()["events"] >= 1
    doc = client.get("/api/documents/caesar-maroc").json()
    assert doc["published"] == "2024-02-03" and "MAR" in {m["entity_id"] for m in doc["mentions"]}
    deals = client.get("/api/deals", params={"recipient": "MAR"}).json()["items"]
    assert [(d["supplier"], d["system"]) for d in deals] == [("FRA", "Caesar")]
    assert client.get("/api/search", params={"q": "canons Caesar"}).json()["documents"]["total"] == 1
    again = client.post("/api/documents", json={"text": ARTICLE, "id": "other-id"}, headers=auth)
    assert again.status_code == 200 and again.json() == {
        "id": "caesar-maroc",
        "status": "unchanged",
        "duplicate_of": None,
    }
    assert client.get("/api/documents").json()["total"] == 1


# ---------------------------------------------------------------- command line


def test_serve_refuses_to_open_the_store_to_other_machines_without_a_token(tmp_path: Path, db: str) -> None:
    from veille.cli import app
    from veille.store import open_store

    open_store(db)
    runner = CliRunner()
    result = runner.invoke(app, ["serve", "--db", db, "--host", "0.0.0.0"])
    assert result.exit_code == 2 and "VEILLE_TOKEN" in result.output
    missing = runner.invoke(app, ["serve", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 2 and "no store" in missing.output


@pytest.mark.slow
def test_demo_ends_with_the_dashboard_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from veille import cli

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "caesar.txt").write_text(ARTICLE, encoding="utf-8")
    monkeypatch.setattr(cli, "EXAMPLES", corpus)
    db = str(tmp_path / "demo.db")
    result = CliRunner().invoke(cli.app, ["demo", "--db", db])
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert f"veille serve --db {db}" in last and "http://127.0.0.1:8000/" in last


# ---------------------------------------------------------------- alerts (raised by the arrival of ALERT_ARTICLE)


def _caesar_alerts(alerts: list[dict]) -> list[dict]:
    return [a for a in alerts if a["recipient"] == "MAR" and a["deal_id"]]


def test_alerts_are_listed_newest_first_paginated_and_filtered(client: TestClient) -> None:
    everything = client.get("/api/alerts", params={"per_page": 200}).json()
    alerts = everything["items"]
    assert everything["total"] == len(alerts) >= 3
    assert {"new_deal", "new_transfer", "new_sanction"} <= {a["kind"] for a in alerts}
    stamps = [a["created_at"] for a in alerts]
    assert stamps == sorted(stamps, reverse=True)
    first = client.get("/api/alerts", params={"per_page": 1}).json()
    second = client.get("/api/alerts", params={"per_page": 1, "page": 2}).json()
    assert first["total"] == everything["total"] and first["items"][0]["id"] != second["items"][0]["id"]
    caesar = _caesar_alerts(alerts)
    assert {a["kind"] for a in caesar} == {"new_deal", "new_transfer"}, [a["title"] for a in alerts]
    evidence = caesar[0]["detail"]["evidence"]
    assert [ev["doc_id"] for ev in evidence] == ["alert_caesar"] and evidence[0]["new"]
    assert any("huit canons Caesar" in s for s in evidence[0]["sentences"])
    sanction = next(a for a in alerts if a["kind"] == "new_sanction" and a["recipient"] == "NIC")
    assert sanction["supplier"] == "CAN" and sanction["deal_id"] is None
    one_kind = client.get("/api/alerts", params={"kind": "new_transfer"}).json()
    assert one_kind["total"] and all(a["kind"] == "new_transfer" for a in one_kind["items"])
    one_deal = client.get("/api/alerts", params={"deal_id": caesar[0]["deal_id"]}).json()["items"]
    assert {a["id"] for a in one_deal} == {a["id"] for a in caesar}
    assert client.get("/api/alerts", params={"deal_id": "000000000000"}).json()["total"] == 0


def test_alerts_since_reads_durations_and_dates_like_the_command(client: TestClient) -> None:
    total = client.get("/api/alerts").json()["total"]
    last_day = client.get("/api/alerts", params={"since": "1d"}).json()
    assert last_day["total"] == total and last_day["since"] < last_day["items"][0]["created_at"]
    assert client.get("/api/alerts", params={"since": "2020-01-01"}).json()["total"] == total
    assert client.get("/api/alerts", params={"since": "2999-01-01"}).json()["total"] == 0
    for bad in ("yesterday", "2026-13-40", "-1d"):
        response = client.get("/api/alerts", params={"since": bad})
        assert response.status_code == 422, bad
        assert response.json()["problems"][0]["field"] == "since"
    assert client.get("/api/alerts", params={"kind": "new_rumour"}).json()["problems"][0]["field"] == "kind"


def test_one_alert_by_id_and_unknown_ids_are_404(client: TestClient) -> None:
    listed = client.get("/api/alerts").json()["items"][0]
    one = client.get(f"/api/alerts/{listed['id']}").json()
    assert one == listed and one["detail"]["evidence"]
    missing = client.get("/api/alerts/no-such-alert")
    assert missing.status_code == 404 and "no-such-alert" in missing.json()["detail"]


def test_alerts_page_and_deal_page_show_alerts_with_hostile_text_escaped(client: TestClient) -> None:
    alerts = client.get("/api/alerts", params={"per_page": 200}).json()["items"]
    page = client.get("/alerts")
    assert page.status_code == 200 and 'href="/alerts" class="here"' in page.text
    body = page.text.split("<main>")[1]
    for alert in alerts:
        assert f'id="alert-{alert["id"]}"' in body
    caesar = _caesar_alerts(alerts)[0]
    assert f'href="/deals/{caesar["deal_id"]}"' in body and 'href="/documents/alert_caesar"' in body
    assert 'class="alert-kind k-new_sanction"' in body and "http://" not in body  # no URL: no external link
    assert "<script>window" not in body and "<b onmouseover" not in body
    assert "&lt;script&gt;window.__alerted" in body and "&lt;b onmouseover=" in body  # shown as text
    assert 'href="/alerts"' in client.get("/").text  # in the top bar of every page
    deal = client.get(f"/deals/{caesar['deal_id']}").text
    section = deal.split('id="deal-alerts"')[1].split("</section>")[0]
    assert section.count('class="alert-kind') == 2 and "<b onmouseover" not in section
    filtered = client.get("/alerts", params={"kind": "new_sanction", "since": "soon"}).text
    assert "« soon » ignoré" in filtered
    assert all(f'id="alert-{a["id"]}"' not in filtered for a in alerts if a["kind"] != "new_sanction")
    assert 'id="deal-alerts"' not in client.get(f"/deals/{_s400_india(client)['id']}").text

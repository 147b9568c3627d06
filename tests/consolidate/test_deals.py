"""Deals consolidated from several reports of the same transfers (our example corpus)."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from typing import Any

from sqlalchemy import select

from veille.consolidate import build_deals, consolidate, timeline
from veille.export.tables import export_rows
from veille.store import connect, open_store
from veille.store import schema as t


def _deals(db: str) -> list[dict[str, Any]]:
    with connect(open_store(db)) as conn:
        return [json.loads(r[0]) for r in conn.execute(select(t.deals.c.detail))]


def _find(deals: list[dict[str, Any]], supplier: str, recipient: str, family: str) -> list[dict[str, Any]]:
    return [d for d in deals if (d["supplier"], d["recipient"], d["family"]) == (supplier, recipient, family)]


def test_no_deal_is_listed_twice(corpus_store: str) -> None:
    keys = Counter((d["supplier"], d["recipient"], d["family"], d["order"]) for d in _deals(corpus_store))
    assert all(n == 1 for n in keys.values()), [k for k, n in keys.items() if n > 1]


def test_a_deal_reported_by_several_articles_is_one_deal_with_its_history(corpus_store: str) -> None:
    (deal,) = _find(_deals(corpus_store), "RUS", "IND", "S-400")
    stages = {s["stage"]: s for s in deal["stages"]}
    assert {"CONTRACT", "DELIVERY"} <= set(stages)
    assert stages["CONTRACT"]["when"] == "2018-10-05"
    assert len(deal["sources"]) >= 3
    assert deal["latest_stage"] == "DELIVERY"


def test_values_disagreeing_beyond_rounding_are_a_conflict_and_currencies_stay_apart(corpus_store: str) -> None:
    (deal,) = _find(_deals(corpus_store), "RUS", "IND", "S-400")
    currencies = {v["currency"] for v in deal["values"]}
    assert {"USD", "EUR"} <= currencies  # 5.43 bn dollars and 4.7 bn euros, never converted
    usd = [c for c in deal["conflicts"] if c["field"] == "value (USD)"]
    assert usd and {v["value"] for v in usd[0]["values"]} >= {5_430_000_000, 5_200_000_000}
    assert not [c for c in deal["conflicts"] if "EUR" in c["field"]]


def test_a_second_order_is_kept_apart_from_the_first(corpus_store: str) -> None:
    orders = {d["order"]: d for d in _find(_deals(corpus_store), "FRA", "EGY", "Rafale")}
    assert set(orders) == {1, 2}
    first = {s["stage"]: s for s in orders[1]["stages"]}
    second = {s["stage"]: s for s in orders[2]["stages"]}
    assert first["CONTRACT"]["when"].startswith("2015")
    assert second["CONTRACT"]["when"].startswith("2021")


def test_rounding_is_not_a_conflict() -> None:
    rows = [
        {
            "doc_id": d,
            "supplier": "RUS",
            "recipient": "IND",
            "system": "S-400",
            "family": "S-400",
            "stage": "CONTRACT",
            "modality": "ASSERTED",
            "when": "2018-10",
            "fields": json.dumps({"value": {"amount": a, "currency": "USD"}}),
        }
        for d, a in (("a", 5_430_000_000), ("b", 5_400_000_000))
    ]
    (deal,) = build_deals(rows)
    assert deal["conflicts"] == []


def test_story_of_a_pair_is_chronological(corpus_store: str) -> None:
    with connect(open_store(corpus_store)) as conn:
        items = timeline(conn, "RUS", "TUR")
    dated = [i["when"] for i in items if i["when"] and i["when"][0].isdigit()]
    assert dated == sorted(dated)
    assert any(
        i["type"] == "ARMS_TRANSFER" and i["fields"]["stage"] == "CONTRACT" and i["when"] == "2017" for i in items
    )


def test_incremental_consolidation_touches_only_what_changed(corpus_store: str) -> None:
    with connect(open_store(corpus_store)) as conn:
        before = {r.id: r.detail for r in conn.execute(select(t.deals.c.id, t.deals.c.detail))}
        n = consolidate(conn, {("RUS", "IND", "S-400")})
        after = {r.id: r.detail for r in conn.execute(select(t.deals.c.id, t.deals.c.detail))}
    assert n == 1
    assert before == after  # rebuilding one key from the same events changes nothing


def test_exports_read_back(corpus_store: str) -> None:
    with connect(open_store(corpus_store)) as conn:
        jsonl, table = io.StringIO(), io.StringIO()
        n = export_rows(conn, "deals", "jsonl", jsonl)
        export_rows(conn, "deals", "csv", table)
        n_events = export_rows(conn, "events", "csv", io.StringIO())
    deals = [json.loads(line) for line in jsonl.getvalue().splitlines()]
    rows = list(csv.DictReader(io.StringIO(table.getvalue())))
    assert n == len(deals) == len(rows) == len(_deals(corpus_store)) and n_events > n
    for key in (
        "id",
        "supplier",
        "recipient",
        "system",
        "order",
        "latest_stage",
        "stages",
        "quantities",
        "values",
        "conflicts",
    ):
        assert key in deals[0]
    assert json.loads(rows[0]["stages"])


def test_story_merges_one_meeting_reported_twice_but_not_two_exercises() -> None:
    from veille.consolidate.story import _same_occasion

    meeting = {"type": "MEETING", "fields": {"participants": ["Vladimir Putin", "Narendra Modi"]}, "when": "2021-12-06"}
    again = {"type": "MEETING", "fields": {"participants": ["Narendra Modi", "Vladimir Putin"]}, "when": None}
    arctic = {
        "type": "EXERCISE",
        "fields": {"participants": ["CHN", "RUS"], "location": "Arctic Ocean"},
        "when": "2024-10",
    }
    alaska = {"type": "EXERCISE", "fields": {"participants": ["CHN", "RUS"], "location": "Alaska"}, "when": "2024-10"}
    later = dict(meeting, when="2023-05-02")
    assert _same_occasion(meeting, again)
    assert not _same_occasion(arctic, alaska)
    assert not _same_occasion(meeting, later)

"""Consolidation figures on our example corpus: event mentions -> deals, and deal purity.

Purity: the share of the (document, deal) links whose document's gold facts hold an
ARMS_TRANSFER with the deal's supplier, recipient and system. Usage:

    python benchmarks/consolidation_report.py [STORE.db]

Without a store, the examples are ingested into a temporary one first.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from sqlalchemy import func, select

from veille.evaluate.scoring import name_matches
from veille.pipeline import ingest_paths
from veille.store import connect, open_store
from veille.store import schema as t

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    db = sys.argv[1] if len(sys.argv) > 1 else str(Path(tempfile.mkdtemp()) / "examples.db")
    if len(sys.argv) == 1:
        ingest_paths([ROOT / "examples" / "corpus"], db)
    gold = {
        json.loads(x)["id"]: json.loads(x)
        for x in (ROOT / "examples" / "gold.jsonl").read_text(encoding="utf-8").splitlines()
    }
    with connect(open_store(db)) as conn:
        mentions = conn.execute(
            select(func.count()).select_from(t.events).where(t.events.c.type == "ARMS_TRANSFER")
        ).scalar_one()
        deals = [json.loads(r[0]) for r in conn.execute(select(t.deals.c.detail))]
    links = pure = 0
    for deal in deals:
        for doc in deal["sources"]:
            if doc not in gold:
                continue
            links += 1
            facts = gold[doc]["events"] + gold[doc].get("optional_events", [])
            pure += any(
                e["type"] == "ARMS_TRANSFER"
                and (e["supplier"], e["recipient"]) == (deal["supplier"], deal["recipient"])
                and e.get("system")
                and name_matches(deal["system"], e["system"])
                for e in facts
            )
    print(f"arms-transfer events (one per fact per document): {mentions}")
    print(f"deals: {len(deals)} ({mentions / max(len(deals), 1):.2f} events per deal)")
    print(f"deal purity against the examples' gold: {pure}/{links} document links = {pure / max(links, 1):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

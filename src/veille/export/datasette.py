"""Datasette metadata for a veille store: table titles, column meanings, canned queries.

``datasette serve veille.db --metadata veille.metadata.json`` then gives a browsable,
queryable store; ``veille datasette`` writes the file (and serves when the ``datasette`` extra is
installed). The canned queries are plain SQLite (with the JSON1 functions every current
SQLite has), so they are tested with :mod:`sqlite3` alone.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TABLES: dict[str, dict[str, Any]] = {
    "documents": {
        "description": "One row per ingested article: cleaned body, metadata, page-furniture verdicts.",
        "columns": {
            "id": "Document id (file stem, or feed name + entry hash).",
            "body": "The article text after removal of page furniture.",
            "published": "Publication date as the text states it (YYYY-MM-DD, YYYY-MM or YYYY).",
            "status": "processed, or duplicate when it copies another document (duplicate_of).",
        },
    },
    "sentences": {"description": "Sentences of each body, by character span: the evidence events cite."},
    "mentions": {"description": "Spans of bodies linked to knowledge-base entities (states, people, systems…)."},
    "entities": {"description": "Knowledge-base entities that occur in the store."},
    "timexes": {"description": "Normalised time expressions (TIMEX3-like values) found in bodies."},
    "events": {
        "description": "Facts of documents: arms transfers by stage, meetings, exercises, sanctions, agreements.",
        "columns": {
            "stage": "Arms-transfer stage: OFFER, INTEREST, NEGOTIATION, CONTRACT, PAYMENT, DELIVERY, SUSPENSION.",
            "modality": "ASSERTED, PLANNED, POSSIBLE or DENIED.",
            "when": "Date of the fact (ISO, possibly partial: 2015, 2015-SP, 2017-Q1).",
            "sentences": "JSON list of sentence indices (sentences.idx) the fact rests on.",
            "fields": "JSON: every field of the fact.",
        },
    },
    "deals": {
        "description": "Arms deals: events merged by supplier, recipient, system family and order.",
        "columns": {
            "latest_stage": "Latest established stage of the deal.",
            "n_sources": "Number of distinct source documents (syndicated copies count once).",
            "detail": "JSON: stage timeline with sources, quantities, values, conflicts between sources.",
        },
    },
    "rejections": {"description": "Inputs that could not become documents, with the reason."},
    "alerts": {"description": "Alerts raised by `veille watch` rules, each once, with its evidence (detail JSON)."},
    "watch_sources": {"description": "State of each watched feed: validators, failures, backoff."},
    "watch_state": {"description": "The store snapshot the next poll's alerts are computed against.", "hidden": True},
    "schema_version": {"description": "Applied store migrations.", "hidden": True},
}

QUERIES: dict[str, dict[str, str]] = {
    "deals": {
        "title": "Arms deals",
        "description": "Every deal with its latest stage; filter by recipient or supplier (ISO3, empty for all).",
        "sql": (
            "SELECT id, supplier, recipient, system, order_no, latest_stage, latest_when, n_sources\n"
            "FROM deals\n"
            "WHERE (:supplier = '' OR supplier = upper(:supplier))\n"
            "  AND (:recipient = '' OR recipient = upper(:recipient))\n"
            "ORDER BY supplier, recipient, system, order_no"
        ),
    },
    "deal_timeline": {
        "title": "Timeline of one deal",
        "description": "The reported stages of a deal, oldest first, with the document and sentence behind each.",
        "sql": (
            'SELECT e."when", e.stage, e.modality, e.doc_id, d.url, d.title, s.text AS sentence\n'
            "FROM deals k\n"
            "JOIN events e ON e.type = 'ARMS_TRANSFER' AND e.supplier = k.supplier\n"
            "  AND e.recipient = k.recipient AND e.family = k.family\n"
            "JOIN documents d ON d.id = e.doc_id\n"
            "LEFT JOIN sentences s ON s.doc_id = e.doc_id AND s.idx = json_extract(e.sentences, '$[0]')\n"
            "WHERE k.id = :deal_id AND e.doc_id IN (SELECT value FROM json_each(k.detail, '$.sources'))\n"
            'ORDER BY e."when" IS NULL, e."when", e.stage'
        ),
    },
    "pair_timeline": {
        "title": "Timeline of two states",
        "description": "Every fact linking two states (ISO3 codes), oldest first, with its sentence.",
        "sql": (
            'SELECT e."when", e.type, e.stage, e.modality, e.fields, e.doc_id, s.text AS sentence\n'
            "FROM events e\n"
            "LEFT JOIN sentences s ON s.doc_id = e.doc_id AND s.idx = json_extract(e.sentences, '$[0]')\n"
            "WHERE (e.supplier = upper(:a) AND e.recipient = upper(:b))\n"
            "   OR (e.supplier = upper(:b) AND e.recipient = upper(:a))\n"
            "   OR (json_extract(e.fields, '$.imposer') IN (upper(:a), upper(:b))\n"
            "       AND json_extract(e.fields, '$.target') IN (upper(:a), upper(:b)))\n"
            "   OR (EXISTS (SELECT 1 FROM json_each(e.fields, '$.parties') WHERE value = upper(:a))\n"
            "       AND EXISTS (SELECT 1 FROM json_each(e.fields, '$.parties') WHERE value = upper(:b)))\n"
            "   OR (EXISTS (SELECT 1 FROM json_each(e.fields, '$.participants') WHERE value = upper(:a))\n"
            "       AND EXISTS (SELECT 1 FROM json_each(e.fields, '$.participants') WHERE value = upper(:b)))\n"
            'ORDER BY e."when" IS NULL, e."when"'
        ),
    },
    "conflicts": {
        "title": "Deals whose sources disagree",
        "description": "Deals with conflicting quantities or values, and the claims of each source.",
        "sql": (
            "SELECT id, supplier, recipient, system, latest_stage, json_extract(detail, '$.conflicts') AS conflicts\n"
            "FROM deals WHERE json_array_length(json_extract(detail, '$.conflicts')) > 0\n"
            "ORDER BY supplier, recipient, system"
        ),
    },
    "recent_alerts": {
        "title": "Latest alerts",
        "description": "Alerts raised by the watch rules, newest first.",
        "sql": (
            "SELECT created_at, rule, kind, title, deal_id, posted_at FROM alerts\nORDER BY created_at DESC LIMIT 200"
        ),
    },
}


def metadata(db: str | Path) -> dict[str, Any]:
    """Datasette metadata for the store at ``db`` (its database name is the file's stem)."""
    name = Path(db).stem
    return {
        "title": "veille: arms transfers and military cooperation from French news",
        "description": (
            "Facts extracted by veille, each with the sentence it rests on; deals consolidate the reports of one "
            "arms transfer. Canned queries: deals, a deal's timeline, two states' timeline, conflicts, alerts."
        ),
        "license": "MIT (software); article text belongs to its publishers",
        "databases": {name: {"tables": TABLES, "queries": QUERIES}},
    }


def write_metadata(db: str | Path, path: Path) -> Path:
    """Write the metadata JSON for ``db`` to ``path``."""
    path.write_text(json.dumps(metadata(db), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path

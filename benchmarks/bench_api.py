"""API latency on a store of 10,000 documents: the deals list and a document page.

The store is generated from our 33 examples without parsing 10,000 times: each example is
processed once with ``veille.pipeline.process``, then written again and again through
``veille.store.save_document`` as varied copies (new id and content hash, publication date,
and the facts' states, systems, quantities, values and dates drawn at random), and the
deals are consolidated. The dashboard then runs in uvicorn on loopback and is asked, over
real HTTP with keep-alive, for the first page of ``/api/deals`` and for ``/documents/{id}``
pages (200 requests each, after a warm-up). Prints p50/p95 and exits 1 if a p95 reaches
100 ms. Usage::

    python benchmarks/bench_api.py [--docs 10000] [--requests 200] [--store FILE]

With ``--store FILE`` an existing file is reused as it is (generated there when missing).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import http.client
import json
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from sqlalchemy import func, select

from veille.consolidate import consolidate
from veille.ingest import iter_inputs, read_path
from veille.link import family_map
from veille.models import DocumentResult, Event, RawDocument
from veille.pipeline import process
from veille.serve.app import create_app
from veille.store import connect, open_store, save_document
from veille.store import schema as t

ROOT = Path(__file__).resolve().parents[1]
TARGET_MS = 100.0
STATES = ["FRA", "RUS", "USA", "IND", "CHN", "TUR", "EGY", "GRC", "POL", "UKR", "DEU", "KOR", "ARE", "QAT", "BRA"]
BATCH = 250


def _examples() -> list[DocumentResult]:
    results = []
    for path in iter_inputs([ROOT / "examples" / "corpus"]):
        for item in read_path(path):
            if isinstance(item, RawDocument):
                result = process(item)
                if isinstance(result, DocumentResult):
                    results.append(result)
    return results


def _vary_event(ev: Event, rng: random.Random, systems: list[str], year: int) -> Event:
    fields = dict(ev.fields)
    if ev.type == "ARMS_TRANSFER":
        supplier, recipient = rng.sample(STATES, 2)
        fields.update(supplier=supplier, recipient=recipient, system=rng.choice(systems))
        if fields.get("quantity"):
            fields["quantity"] = rng.randint(2, 120)
        if fields.get("value"):
            fields["value"] = {**fields["value"], "amount": rng.randint(1, 90) * 100_000_000}
    elif ev.type == "SANCTION":
        fields.update(imposer=rng.choice(STATES), target=rng.choice(STATES))
    when = f"{year}-{rng.randint(1, 12):02d}" if ev.when else None
    return dataclasses.replace(ev, fields=fields, when=when)


def _variant(base: DocumentResult, n: int, rng: random.Random, systems: list[str]) -> DocumentResult:
    raw = base.clean.raw
    year = rng.randint(2005, 2025)
    published = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    digest = hashlib.sha256(f"{n}:{raw.content_hash}".encode()).hexdigest()
    new_raw = dataclasses.replace(raw, doc_id=f"{raw.doc_id}-{n:05d}", content_hash=digest, path=f"bench/{n}")
    clean = dataclasses.replace(base.clean, raw=new_raw, published=published, published_precision="day")
    events = tuple(_vary_event(ev, rng, systems, year) for ev in base.events)
    return dataclasses.replace(base, clean=clean, events=events)


def build_store(db: str, n_docs: int) -> None:
    started = time.perf_counter()
    bases = _examples()
    parsed = time.perf_counter()
    print(f"processed {len(bases)} examples once in {parsed - started:.1f} s", flush=True)
    families = family_map()
    systems = sorted(families)
    rng = random.Random(9)
    engine = open_store(db)
    for start in range(0, n_docs, BATCH):
        with connect(engine) as conn:
            for n in range(start, min(start + BATCH, n_docs)):
                save_document(conn, _variant(bases[n % len(bases)], n, rng, systems), families)
    written = time.perf_counter()
    with connect(engine) as conn:
        deals = consolidate(conn)
    print(
        f"wrote {n_docs} documents in {written - parsed:.1f} s, consolidated {deals} deals "
        f"in {time.perf_counter() - written:.1f} s",
        flush=True,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _timed(conn: http.client.HTTPConnection, path: str) -> float:
    start = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - start) * 1000
    if response.status != 200 or not body:
        raise RuntimeError(f"GET {path} answered {response.status}")
    return elapsed


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--store", help="store file to reuse (generated when missing)")
    args = parser.parse_args()
    db = args.store or str(Path(tempfile.mkdtemp(prefix="veille-bench-")) / "api.db")
    if not Path(db).exists():
        build_store(db, args.docs)
    engine = open_store(db)
    with connect(engine) as conn:
        n_docs = conn.execute(select(func.count()).select_from(t.documents)).scalar_one()
        n_deals = conn.execute(select(func.count()).select_from(t.deals)).scalar_one()
        doc_ids = [r[0] for r in conn.execute(select(t.documents.c.id))]
    print(f"store {db}: {n_docs} documents, {n_deals} deals")

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            print("server did not start", file=sys.stderr)
            return 2
        time.sleep(0.05)
    rng = random.Random(3)
    pages = [f"/documents/{rng.choice(doc_ids)}" for _ in range(args.requests)]
    cases = {
        "/api/deals (first page)": ["/api/deals"] * args.requests,
        "/documents/{id} (page)": pages,
        "/api/documents/{id}": [p.replace("/documents/", "/api/documents/") for p in pages],
        "/ (deals table page)": ["/"] * args.requests,
    }
    gated = {"/api/deals (first page)", "/documents/{id} (page)"}
    failed = False
    results = {}
    try:
        client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for name, paths in cases.items():
            for path in paths[:10]:  # warm-up: caches, first template compilation
                _timed(client, path)
            times = [_timed(client, path) for path in paths]
            p50, p95 = statistics.median(times), _percentile(times, 95)
            results[name] = {"p50_ms": round(p50, 2), "p95_ms": round(p95, 2), "requests": len(times)}
            verdict = ("ok" if p95 < TARGET_MS else "TOO SLOW") if name in gated else "(info)"
            failed |= name in gated and p95 >= TARGET_MS
            print(f"{name:28s} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   over {len(times)} requests  {verdict}")
        client.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    print(json.dumps({"documents": n_docs, "deals": n_deals, "target_p95_ms": TARGET_MS, **results}))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

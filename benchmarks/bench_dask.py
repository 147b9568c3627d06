"""Dask scaling: the same ingest on a LocalCluster of 1 and of 2 worker processes, into PostgreSQL.

Generates a corpus (benchmarks/gencorpus.py), starts a throw-away PostgreSQL (scripts/pg.sh)
unless VEILLE_BENCH_PG names one, and for each cluster size: a fresh database, the workers
started and warmed up (spaCy loaded), then the timed `ingest_dask` (processing, batched writes,
near-duplicate links and consolidation). Prints documents per second and the 2-vs-1 ratio,
with the machine's load average, since a shared machine changes the ratio.

    python benchmarks/bench_dask.py [N_DOCS]      (default 160)
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.gencorpus import generate  # noqa: E402

from veille.distributed import ingest_dask, warm_up  # noqa: E402
from veille.store.database import engine_for  # noqa: E402


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"


def _fresh_database(server: str) -> str:
    name = f"bench_{uuid.uuid4().hex[:8]}"
    admin = engine_for(server).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server.rsplit("/", 1)[0] + "/" + name


def run(server: str, corpus: Path, workers: int) -> tuple[float, float, int]:
    from distributed import Client, LocalCluster

    db = _fresh_database(server)
    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        client.run(warm_up)
        cpu_before = sum(client.run(_cpu_seconds).values())
        start = time.perf_counter()
        report = ingest_dask([corpus], db, client)
        elapsed = time.perf_counter() - start
        cpu = sum(client.run(_cpu_seconds).values()) - cpu_before
    return elapsed, cpu, len(report.processed)


def _cpu_seconds() -> float:
    """Run on a worker: CPU time its process has used (user + system)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 160
    script = ROOT / "scripts" / "pg.sh"
    env = {**os.environ, "VEILLE_PG_PORT": os.environ.get("VEILLE_PG_PORT", "54339")}
    env.setdefault("VEILLE_PG_DIR", tempfile.mktemp(prefix="veille-pg-bench-"))
    server = os.environ.get("VEILLE_BENCH_PG")
    started = False
    if not server:
        out = subprocess.run([str(script), "start"], env=env, capture_output=True, text=True, check=False)
        if out.returncode != 0:
            print(f"bench_dask: skipped, PostgreSQL cannot be started: {out.stderr.strip()}")
            return
        server, started = out.stdout.strip().splitlines()[-1], True
    try:
        with tempfile.TemporaryDirectory() as tmp:
            corpus = Path(tmp) / "corpus"
            generate(corpus, n)
            rates, cpu_rates = {}, {}
            for workers in (1, 2):
                before = _load()
                elapsed, cpu, stored = run(server, corpus, workers)
                rates[workers], cpu_rates[workers] = stored / elapsed, stored / cpu
                print(
                    f"dask LocalCluster {workers} worker(s): {stored} documents in {elapsed:.1f} s = "
                    f"{rates[workers]:.2f} docs/s; workers' CPU {cpu:.1f} s = {cpu_rates[workers]:.2f} docs per "
                    f"CPU-second (load average before: {before}, after: {_load()})"
                )
            ratio = rates[2] / rates[1]
            print(f"dask speed-up 2 workers vs 1: {ratio:.2f}x wall-clock (target >= 1.7x on {os.cpu_count()} cores)")
            # The work per document is the same whatever the number of workers when this stays near 1:
            # then the wall-clock ratio only reflects how many idle cores the machine had.
            print(f"docs per worker CPU-second, 2 workers vs 1: {cpu_rates[2] / cpu_rates[1]:.2f}")
    finally:
        if started:
            subprocess.run([str(script), "stop"], env=env, capture_output=True, check=False)


if __name__ == "__main__":
    main()

"""Ingest on Dask: a LocalCluster of worker processes writing to PostgreSQL."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.conftest import EXAMPLES, SHARED
from tests.store.test_postgres import _snapshot
from veille.cli import app
from veille.store import connect, open_store
from veille.store import schema as t

runner = CliRunner()


def test_dask_refuses_a_sqlite_store_before_starting_anything(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["ingest", str(EXAMPLES / "corpus"), "--db", str(tmp_path / "s.db"), "--dask", "local:2"]
    )
    assert result.exit_code == 2
    assert "[E331]" in result.output and "SQLite" in result.output
    assert not (tmp_path / "s.db").exists()


@pytest.mark.parametrize("spec", ["local:0", "local:two", "scheduler:8786"])
def test_a_bad_dask_address_is_named_with_the_forms_expected(spec: str, tmp_path: Path) -> None:
    from veille.distributed import DaskSpecError, dask_client

    with pytest.raises(DaskSpecError, match=r"\[E332\].*local:N"), dask_client(spec):
        pass


@pytest.mark.postgres
@pytest.mark.dask
@pytest.mark.slow
def test_a_worker_killed_mid_run_loses_and_duplicates_no_document(pg_url: str, corpus_store: str) -> None:
    from distributed import Client, LocalCluster

    from veille.distributed import ingest_dask
    from veille.ingest import iter_inputs

    inputs = [p for p in (SHARED / "corpus" / "seeds", EXAMPLES / "corpus") if p.is_dir()]
    killed: dict[str, int] = {}
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None) as cl,
        Client(cl) as client,
    ):

        def kill_a_busy_worker(_result: object) -> None:
            if killed:
                return
            busy = [address for address, keys in client.processing().items() if keys]
            address = busy[0] if busy else next(iter(client.scheduler_info()["workers"]))
            pid = client.run(os.getpid, workers=[address])[address]
            os.kill(pid, signal.SIGKILL)
            killed.update(pid=pid, busy=len(busy))

        report = ingest_dask(inputs, pg_url, client, progress=kill_a_busy_worker, per_task=2, batch=2)
        pids_after = set(client.run(os.getpid).values())
    assert killed and killed["busy"] >= 1  # it died holding a task
    assert killed["pid"] not in pids_after  # and Dask replaced it

    n_inputs = len(list(iter_inputs(inputs)))
    with connect(open_store(pg_url)) as conn:
        ids = conn.execute(select(t.documents.c.id)).scalars().all()
        hashes = conn.execute(select(func.count(func.distinct(t.documents.c.content_hash)))).scalar_one()
    assert len(ids) == len(set(ids)) == hashes == n_inputs
    assert sorted(report.processed) == sorted(ids)
    # And the result is the serial ingest's, document for document and deal for deal.
    expected, got = _snapshot(corpus_store), _snapshot(pg_url)
    for part in ("facts", "deals", "duplicates"):
        assert got[part] == expected[part], part


def test_partitions_keep_input_order_and_stay_few_enough_for_the_scheduler() -> None:
    from veille.distributed import MAX_TASKS, partitions

    files = [Path(f"a{i:06d}.txt") for i in range(10)]
    tasks = partitions(files, per_task=4)
    assert [len(x) for x in tasks] == [4, 4, 2]
    assert [n for task in tasks for n, _ in task] == list(range(10))
    archive = [Path(f"a{i:07d}.txt") for i in range(3 * MAX_TASKS + 1)]
    assert len(partitions(archive)) <= MAX_TASKS


ARTICLE = """Varsovie réceptionne ses premiers chars

La Pologne a reçu mardi les dix premiers chars K2 commandés à la Corée du Sud, a annoncé le ministère polonais de la Défense.
"""


@pytest.mark.postgres
@pytest.mark.dask
@pytest.mark.slow
def test_cli_ingest_on_a_running_scheduler_prints_the_dashboard_and_stores_once(pg_url: str, tmp_path: Path) -> None:
    from distributed import LocalCluster

    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "k2.txt").write_text(ARTICLE, encoding="utf-8")
    (corpus / "empty.txt").write_text("", encoding="utf-8")
    # Threads in this process: the worker reuses the spaCy pipeline the suite has loaded already.
    with LocalCluster(
        n_workers=1, processes=False, protocol="tcp://", host="127.0.0.1", dashboard_address="127.0.0.1:0"
    ) as cluster:
        args = ["ingest", str(corpus), "--db", pg_url, "--dask", cluster.scheduler_address]
        first, second = runner.invoke(app, args), runner.invoke(app, args)
    assert first.exit_code == 1 and "empty.txt" in first.output  # a rejection is reported, as without Dask
    assert "Dask dashboard: http://127.0.0.1:" in first.output
    assert "1 processed, 0 already stored, 1 rejected" in first.output
    assert "0 processed, 1 already stored" in second.output
    with connect(open_store(pg_url)) as conn:
        assert conn.execute(select(t.documents.c.id)).scalars().all() == ["k2"]
        assert conn.execute(select(t.deals.c.supplier, t.deals.c.recipient)).all() == [("KOR", "POL")]

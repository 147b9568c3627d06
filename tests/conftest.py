"""Shared fixtures: the only fixture file of the suite."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session")
def nlp():  # type: ignore[no-untyped-def]
    from veille.nlp import load

    return load()


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "store.db")


@pytest.fixture(scope="session")
def analyse(nlp):  # type: ignore[no-untyped-def]
    """Run the per-document stages on a text of our own and return its result."""
    from veille.ingest.files import content_hash
    from veille.models import RawDocument
    from veille.pipeline import process

    def run(text: str, published: str | None = None):  # type: ignore[no-untyped-def]
        raw = RawDocument("t", "t.txt", text, "text", content_hash(text), published=published)
        return process(raw)

    return run


@pytest.fixture(scope="session")
def corpus_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The seeds (when shared/ is beside the repo) and our examples, ingested once."""
    from veille.pipeline import ingest_paths

    db = str(tmp_path_factory.mktemp("corpus") / "all.db")
    seeds = SHARED / "corpus" / "seeds"
    ingest_paths([p for p in (seeds, EXAMPLES / "corpus") if p.is_dir()], db)
    return db


# An article of our own that tries to run script in the dashboard, in its title and its body.
HOSTILE_ARTICLE = """<script>window.__pwned = "title"</script> La Grèce reçoit six Rafale

Publié le 12 mars 2024 à 09h15

Athènes a reçu mardi six Rafale livrés par la France <img src=x onerror="window.__pwned='img'">, a indiqué le ministère grec de la Défense.

Le contrat signé en 2021 avec Paris porte sur dix-huit appareils. <script>document.title = "pwned"</script>
"""


# Another of our own, new to the corpus (a deal, a transfer, a sanction): the alerts it raises carry its markup.
ALERT_ARTICLE = """<script>window.__alerted = "titre"</script> Le Maroc commande huit Caesar à la France

Publié le 4 février 2024 à 10h00

Rabat a signé lundi avec Paris un contrat pour huit canons Caesar <b onmouseover="window.__alerted='b'">automoteurs</b>, \
a annoncé le ministère marocain de la Défense.

Mercredi, le Canada a annoncé des sanctions contre le Nicaragua.
"""


@pytest.fixture(scope="session")
def served_store(corpus_store: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The corpus store plus two hostile articles, in a copy the dashboard tests may serve.

    The alerts the watch rules (one of each kind, no filter) raise for the articles' arrival are
    stored as ``veille watch`` stores them: their evidence is hostile text.
    """
    import sqlite3

    from veille.alerts import evaluate, record, snapshot
    from veille.pipeline import ingest_paths
    from veille.store import connect, open_store
    from veille.watch.config import RULE_KINDS, Rule

    folder = tmp_path_factory.mktemp("served")
    db = str(folder / "served.db")
    with sqlite3.connect(corpus_store) as source, sqlite3.connect(db) as target:
        source.backup(target)
    with connect(open_store(db)) as conn:
        before = snapshot(conn)
    articles = [folder / "hostile_rafale.txt", folder / "alert_caesar.txt"]
    articles[0].write_text(HOSTILE_ARTICLE, encoding="utf-8")
    articles[1].write_text(ALERT_ARTICLE, encoding="utf-8")
    report = ingest_paths(articles, db)
    assert sorted(report.processed) == ["alert_caesar", "hostile_rafale"], report
    rules = tuple(Rule(f"any {kind}", kind) for kind in RULE_KINDS)
    with connect(open_store(db)) as conn:
        record(conn, evaluate(conn, rules, before, snapshot(conn)))
    return db


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTEFACTS = ROOT / "tests" / "artefacts"


@pytest.fixture(scope="session")
def live_server(served_store: str):  # type: ignore[no-untyped-def]
    """The dashboard over ``served_store`` on a free loopback port, in a thread; its base URL."""
    import socket
    import threading
    import time

    import uvicorn

    from veille.serve.app import create_app

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(served_store), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the dashboard did not start within 30 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """Debian's Chromium, headless, driven by Playwright (never a downloaded browser)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# --- PostgreSQL (tests marked `postgres`) -------------------------------------------------------
# `make test` installs PostgreSQL from Debian's packages (scripts/pg.sh install); this session
# fixture starts a throw-away cluster on a free local port and stops it at the end, unless
# VEILLE_TEST_PG already names a server (postgresql://user@host:port/db).


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def pg_server():  # type: ignore[no-untyped-def]
    """URL of a PostgreSQL server the tests may create databases on."""
    import os
    import subprocess
    import tempfile

    if os.environ.get("VEILLE_TEST_PG"):
        yield os.environ["VEILLE_TEST_PG"]
        return
    port = _free_port()
    env = {**os.environ, "VEILLE_PG_PORT": str(port), "VEILLE_PG_DIR": tempfile.mktemp(prefix="veille-pg-test-")}
    script = ROOT / "scripts" / "pg.sh"
    started = subprocess.run([str(script), "start"], env=env, capture_output=True, text=True, timeout=120)
    if started.returncode != 0:
        pytest.skip(f"PostgreSQL cannot be started by scripts/pg.sh: {started.stderr.strip()[-500:]}")
    try:
        yield started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run([str(script), "stop"], env=env, capture_output=True, timeout=120)


@pytest.fixture
def pg_url(pg_server: str):  # type: ignore[no-untyped-def]
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    import uuid

    from sqlalchemy import text

    from veille.store.database import engine_for

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = engine_for(pg_server).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # any failure here means there is no server to test against
        admin.dispose()
        pytest.skip(f"PostgreSQL at {pg_server} refuses to create a database: {error}")
    yield pg_server.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()

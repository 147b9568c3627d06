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

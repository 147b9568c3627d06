"""The foundation issue's acceptance, on the real seeds and our own examples."""

from __future__ import annotations

import json

import pytest

from veille.evaluate import score
from veille.export import document_facts
from veille.pipeline import ingest_paths
from veille.store import connect, counts, open_store

from .conftest import EXAMPLES, SHARED

SEEDS = SHARED / "corpus" / "seeds"
pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seed corpus not found at {SEEDS}")


@pytest.fixture
def store(corpus_store: str) -> str:
    return corpus_store


def test_seeds_and_examples_ingested_twice_leave_35_documents(store: str) -> None:
    again = ingest_paths([SEEDS, EXAMPLES / "corpus"], store)
    assert again.processed == []
    with connect(open_store(store)) as conn:
        assert counts(conn)["documents"] == 5 + len(list((EXAMPLES / "corpus").glob("*.txt")))
    assert len(list((EXAMPLES / "corpus").glob("*.txt"))) >= 30


def _scores(store: str, gold_path, texts):  # type: ignore[no-untyped-def]
    gold = [json.loads(line) for line in gold_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    with connect(open_store(store)) as conn:
        pred = list(document_facts(conn))
    return score(gold, pred, texts)


def test_seed_quality_floors(store: str) -> None:
    s = _scores(store, SHARED / "eval" / "seeds_gold.jsonl", SHARED)
    assert s.published_accuracy == 1.0
    assert s.boilerplate is not None and s.boilerplate.f1 >= 0.95
    assert s.entities["all"].f1 >= 0.85
    assert s.lenient["ALL"].f1 >= 0.75


def test_example_quality_floors(store: str) -> None:
    s = _scores(store, EXAMPLES / "gold.jsonl", EXAMPLES)
    assert s.published_accuracy >= 0.9
    assert s.boilerplate is not None and s.boilerplate.f1 >= 0.9
    assert s.entities["all"].f1 >= 0.8
    assert s.lenient["ALL"].f1 >= 0.5


def test_no_seed_sentence_is_copied_into_the_repository() -> None:
    import re
    import subprocess

    from .conftest import ROOT

    sentences = set()
    for f in SEEDS.glob("*.txt"):
        for s in re.split(r"(?<=[.!?»])\s+|\n", f.read_text(encoding="utf-8")):
            if len(s.strip()) >= 60:
                sentences.add(" ".join(s.split()).lower())
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=False).stdout.split()
    for path in tracked:
        try:
            text = " ".join((ROOT / path).read_text(encoding="utf-8").split()).lower()
        except (OSError, UnicodeDecodeError):
            continue
        for s in sentences:
            assert s not in text, (path, s[:60])

"""Throughput of the clean stage alone, on documents generated from our example corpus.

Prints documents per second on one core. The generated documents shuffle the paragraphs of
the examples and vary their furniture, so no two are identical.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

from veille.clean import clean
from veille.ingest.files import content_hash
from veille.models import RawDocument

ROOT = Path(__file__).resolve().parents[1]
TARGET = 200.0  # documents per second, the clean stage's own budget (issue: clean)


def corpus(n: int, seed: int = 7) -> list[RawDocument]:
    rng = random.Random(seed)
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples" / "corpus").glob("*.txt"))]
    docs = []
    for i in range(n):
        lines = rng.choice(texts).splitlines()
        head, body = lines[:6], lines[6:]
        rng.shuffle(body)
        text = "\n".join(head + body + [f"Partager l'article {i}", f"fr-{i % 90:02d}"])
        docs.append(RawDocument(f"g{i}", f"g{i}.txt", text, "text", content_hash(text)))
    return docs


def main() -> int:
    docs = corpus(2000)
    clean(docs[0])  # load lexicons outside the timing
    start = time.perf_counter()
    for doc in docs:
        clean(doc)
    elapsed = time.perf_counter() - start
    rate = len(docs) / elapsed
    print(
        f"clean stage: {len(docs)} documents in {elapsed:.2f} s = {rate:.0f} documents/s "
        f"on one core (target {TARGET:.0f})"
    )
    return 0 if rate >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())

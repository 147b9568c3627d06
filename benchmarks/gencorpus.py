"""A corpus of any size for scale tests: new articles recombined from the paragraphs of examples/corpus.

Each generated article takes the title and publication line of one example and three to five
body paragraphs drawn from others, so it parses like real French news, carries real facts
(states, systems, stages, dates) and has its own content hash. Seeded: the same call gives the
same files.

    python benchmarks/gencorpus.py OUT_DIR N [SEED]
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "corpus"


def _parts(path: Path) -> tuple[str, str | None, list[str]]:
    blocks = [b.strip() for b in path.read_text(encoding="utf-8").split("\n\n") if b.strip()]
    published = next((b for b in blocks if b.startswith("Publié le")), None)
    paragraphs = [b for b in blocks if len(b) > 120 and not b.startswith("Publié le")]
    title = next((b for b in blocks if 20 < len(b) <= 120 and ">" not in b), path.stem)
    return title, published, paragraphs


def generate(out: Path, n: int, seed: int = 11) -> list[Path]:
    """Write ``n`` articles to ``out`` (created if needed); returns their paths."""
    rng = random.Random(seed)
    sources = [_parts(p) for p in sorted(EXAMPLES.glob("*.txt"))]
    pool = [p for _, _, paragraphs in sources for p in paragraphs]
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for i in range(n):
        title, published, paragraphs = rng.choice(sources)
        body = paragraphs[:1] + rng.sample(pool, rng.randint(2, 4))
        lines = [f"{title} ({i + 1})", *([published] if published else []), *body]
        path = out / f"gen{i:05d}.txt"
        path.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    generate(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 11)

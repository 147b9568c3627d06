"""End-to-end ingest throughput against bare spaCy, on one generated corpus, in one run.

Generates ``--docs`` documents of about 600 words from ``examples/corpus`` (paragraphs of
several example articles recombined, numbers and dates changed, each checked against the
others with veille's own MinHash index so none is a near-duplicate), writes them as files,
then measures on the same files:

(a) bare ``fr_core_news_md``: ``nlp.pipe`` over the file texts, model already loaded, with
    spaCy's default batch size (1000) and with batches of 32 (the batch size veille uses),
    since the default is not always the faster on a small machine;
(b) ``veille ingest DIR --workers 1`` and ``--workers 2`` end to end (process start, model
    load, clean, analysis, link, extract, store, consolidation), each into a new store;
(c) peak resident memory of each, summed over the process tree (RSS, and PSS, which counts
    the model pages forked workers share once);
(d) the ratios (b1)/(a) and (b2)/(b1), (a) being the faster of the two bare runs.

For the record, bare spaCy is also timed with the BLAS veille uses (NumPy's OpenBLAS instead of
thinc's BLIS, see ``veille.nlp.pipeline.load``): that shows how much of the gain is the BLAS
and how much is veille parsing less.

Exits 1 when the single-worker ratio is below 1.0 (issue 10). The machine load (``uptime``)
is printed with the figures: on a shared machine, timings move with it.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from veille.clean.dedup import DuplicateIndex, signature

ROOT = Path(__file__).resolve().parents[1]
VEILLE = Path(sys.executable).with_name("veille")
MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
NUMBER = re.compile(r"(?<![\w-])(\d{1,4})(?![\w-])")
WORDS = 600


def _paragraphs(text: str) -> tuple[str, list[str]]:
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
    body = [b for b in blocks if len(b.split()) >= 15 and "Partager" not in b]
    title = next((b for b in blocks if 3 <= len(b.split()) <= 20 and ">" not in b), blocks[0])
    return title, body


def _vary_numbers(text: str, rng: random.Random) -> str:
    def swap(m: re.Match[str]) -> str:
        n = int(m[1])
        if 1990 <= n <= 2030:
            return str(n + rng.randint(-3, 3))
        if n <= 31:
            return str(rng.randint(2, 31))
        return str(max(1, int(n * rng.uniform(0.5, 1.5))))

    return NUMBER.sub(swap, text)


def generate(n: int, out: Path, seed: int = 10) -> int:
    """Write ``n`` varied documents into ``out``; returns how many candidates were near-duplicates."""
    rng = random.Random(seed)
    articles = [_paragraphs(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "examples/corpus").glob("*.txt"))]
    index = DuplicateIndex()
    rejected = 0
    made = 0
    while made < n:
        title, _ = rng.choice(articles)
        sources = rng.sample(articles, 3)
        pool = [p for _, body in sources for p in body]
        rng.shuffle(pool)
        body: list[str] = []
        words = 0
        for paragraph in pool:
            if words >= WORDS:
                break
            body.append(_vary_numbers(paragraph, rng))
            words += len(paragraph.split())
        mh = signature("\n\n".join(body))
        if index.original_of(f"g{made}", mh) is not None:
            rejected += 1
            continue
        index.add(f"g{made}", mh)
        day = f"{rng.randint(1, 28)} {rng.choice(MONTHS)} {rng.randint(2015, 2024)}"
        head = [_vary_numbers(title, rng), f"Par la rédaction — publié le {day}"]
        (out / f"g{made:05d}.txt").write_text("\n\n".join(head + body) + "\n", encoding="utf-8")
        made += 1
    return rejected


def _tree_memory(pid: int) -> tuple[int, int]:
    """Resident memory (bytes) of a process and its descendants: RSS summed, and PSS summed.

    Forked workers share the parent's model pages: summing RSS counts them once per process,
    PSS (proportional set size, from /proc/PID/smaps_rollup) counts each shared page once.
    """
    rss = pss = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            rss += int(re.search(r"VmRSS:\s+(\d+)", status)[1]) * 1024  # type: ignore[index]
            rollup = Path(f"/proc/{p}/smaps_rollup").read_text()
            pss += int(re.search(r"Pss:\s+(\d+)", rollup)[1]) * 1024  # type: ignore[index]
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, TypeError):
            continue
    return rss, pss


def run_measured(cmd: list[str]) -> tuple[float, tuple[int, int], subprocess.CompletedProcess[str]]:
    """Wall time and peak tree memory (RSS sum, PSS sum) of a command."""
    peak = [0, 0]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            rss, pss = _tree_memory(proc.pid)
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    return elapsed, (peak[0], peak[1]), subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def mib(memory: tuple[int, int]) -> str:
    return f"peak RSS {memory[0] / 2**20:.0f} MiB (PSS {memory[1] / 2**20:.0f} MiB)"


BARE = """
import sys, time
from pathlib import Path
if sys.argv[3] == "numpy-blas":
    from thinc.api import NumpyOps, set_current_ops
    from threadpoolctl import threadpool_limits
    threadpool_limits(limits=1, user_api="blas")
    set_current_ops(NumpyOps(use_blis=False))
import spacy
texts = [p.read_text(encoding="utf-8") for p in sorted(Path(sys.argv[1]).glob("*.txt"))]
nlp = spacy.load("fr_core_news_md")
batch = int(sys.argv[2]) if sys.argv[2] != "default" else None
start = time.perf_counter()
tokens = sum(len(doc) for doc in nlp.pipe(texts, batch_size=batch))
print(time.perf_counter() - start, tokens)
"""


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=2000, help="documents to generate (default 2000)")
    parser.add_argument("--keep", type=Path, help="write the corpus and stores here instead of a temporary folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        corpus = work / "corpus"
        corpus.mkdir(parents=True, exist_ok=True)
        near = generate(args.docs, corpus)
        words = sum(len(p.read_text(encoding="utf-8").split()) for p in corpus.glob("*.txt"))
        print(
            f"corpus: {args.docs} documents, {words / args.docs:.0f} words each on average, "
            f"{near} near-duplicate candidates redrawn",
            flush=True,
        )
        print(f"load before: {load()}", flush=True)

        bare = 0.0
        # spaCy as shipped (BLIS), with its default batch size and with veille's; then, for the
        # record only, with the BLAS veille uses (NumPy's OpenBLAS), to show where the gain is.
        for batch, ops in (("default", "blis"), ("32", "blis"), ("32", "numpy-blas")):
            elapsed, memory, proc = run_measured([sys.executable, "-c", BARE, str(corpus), batch, ops])
            if proc.returncode:
                print(proc.stderr, file=sys.stderr)
                return 2
            pipe_seconds, tokens = proc.stdout.split()
            rate = args.docs / float(pipe_seconds)
            if ops == "blis":
                bare = max(bare, rate)
            label = "bare fr_core_news_md nlp.pipe" if ops == "blis" else "(for the record) same, NumPy BLAS"
            print(
                f"(a) {label}, batch size {batch}: {rate:.2f} docs/s "
                f"({float(pipe_seconds):.1f} s, {int(tokens)} tokens), {mib(memory)}; load {load()}",
                flush=True,
            )

        rates = {}
        for workers in (1, 2):
            db = work / f"bench-{workers}.db"
            for stale in work.glob(f"bench-{workers}.db*"):
                stale.unlink()
            cmd = [str(VEILLE), "ingest", str(corpus), "--db", str(db), "--workers", str(workers)]
            elapsed, memory, proc = run_measured(cmd)
            if proc.returncode:
                print(proc.stderr[-2000:], file=sys.stderr)
                return 2
            rates[workers] = args.docs / elapsed
            print(
                f"(b{workers}) veille ingest --workers {workers}: {rates[workers]:.2f} docs/s ({elapsed:.1f} s "
                f"end to end), {mib(memory)}; {proc.stdout.strip()}; load {load()}",
                flush=True,
            )

        one, two = rates[1] / bare, rates[2] / rates[1]
        print(f"(d) ratio 1 worker / bare spaCy (the faster bare run): {one:.2f} (needs >= 1.0, goal 1.5)")
        print(f"(d) ratio 2 workers / 1 worker: {two:.2f} (goal >= 1.7)")
        return 0 if one >= 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())

"""Near-duplicate detection: syndicated copies of one wire story count once as evidence.

A document's body is summarised by a MinHash of its word 5-grams (datasketch); a locality-
sensitive index over the store finds earlier documents whose estimated Jaccard similarity is
above :data:`THRESHOLD`. The copy is still stored (nothing is lost) but linked to its original.
"""

from __future__ import annotations

import re

import numpy as np
from datasketch import MinHash, MinHashLSH

from veille.resources import fold

NUM_PERM = 128
SCHEME = "affine32"  # datasketch's default; stored signatures must be read with the same
SHINGLE = 5
# Agency copies re-edited by each outlet (new title, a cut paragraph, other furniture) stay
# above 0.7 estimated Jaccard on 5-grams of the body; two articles on the same deal written
# separately stay under 0.2.
THRESHOLD = 0.7
WORD = re.compile(r"\w+")


def signature(body: str) -> MinHash:
    """MinHash of the body's word 5-grams (case and accents folded)."""
    words = WORD.findall(fold(body))
    grams = {" ".join(words[i : i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))}
    mh = MinHash(num_perm=NUM_PERM, scheme=SCHEME)
    mh.update_batch([g.encode("utf-8") for g in grams])
    return mh


def to_bytes(mh: MinHash) -> bytes:
    """Compact storage of a signature."""
    return mh.hashvalues.astype(np.uint64).tobytes()


def from_bytes(data: bytes) -> MinHash:
    """A stored signature back as a MinHash."""
    return MinHash(num_perm=NUM_PERM, hashvalues=np.frombuffer(data, dtype=np.uint64), scheme=SCHEME)


class DuplicateIndex:
    """The store's signatures, queried for an earlier near-identical document."""

    def __init__(self) -> None:
        self._lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
        self._known: set[str] = set()

    def add(self, doc_id: str, mh: MinHash) -> None:
        """Index a document (once)."""
        if doc_id not in self._known:
            self._lsh.insert(doc_id, mh)
            self._known.add(doc_id)

    def discard(self, doc_id: str) -> None:
        """Forget a document (its storing was rolled back)."""
        if doc_id in self._known:
            self._lsh.remove(doc_id)
            self._known.discard(doc_id)

    def original_of(self, doc_id: str, mh: MinHash) -> str | None:
        """Id of an indexed near-duplicate other than the document itself, if any."""
        matches = sorted(m for m in self._lsh.query(mh) if m != doc_id)
        return matches[0] if matches else None

"""The temporal tagger against French TimeBank (ISO-TimeML, inline TIMEX3).

For DATE and TIME expressions: detection precision, recall and F1 by span overlap, value
accuracy among detected expressions, and value F1 (a hit needs both overlap and the exact
value), each relative value resolved against the document creation time. HeidelTime, the
reference rule-based tagger, reports a value F1 of 0.736 on French.

    python benchmarks/bench_timebank.py [FOLDER]   # default: ../shared/data/fr-timebank/dev
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from veille.nlp import tag

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "data" / "fr-timebank" / "dev"
TYPES = {"DATE", "TIME"}


@dataclass(frozen=True)
class Gold:
    start: int
    end: int
    type: str
    value: str


def read_tml(path: Path) -> tuple[str, str | None, list[Gold]]:
    """Plain text, creation date and gold time expressions of one TimeML file."""
    root = ET.parse(path).getroot()
    dct_node = root.find("DCT/TIMEX3")
    dct = dct_node.get("value") if dct_node is not None else None
    text_node = root.find("TEXT")
    parts: list[str] = []
    gold: list[Gold] = []

    def walk(node: ET.Element) -> None:
        start = sum(map(len, parts))
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if node.tag == "TIMEX3":
            gold.append(Gold(start, sum(map(len, parts)), node.get("type", ""), node.get("value", "")))

    if text_node is not None:
        walk(text_node)
    return "".join(parts), dct, gold


def main() -> int:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    files = sorted(folder.glob("*.tml"))
    if not files:
        print(f"no .tml files in {folder}")
        return 2
    n_gold = n_pred = detected = found = right = 0
    for path in files:
        text, dct, gold = read_tml(path)
        gold = [g for g in gold if g.type in TYPES]
        pred = [p for p in tag(text, dct) if p.type in TYPES]
        n_gold += len(gold)
        n_pred += len(pred)
        used: set[int] = set()
        for g in gold:
            for i, p in enumerate(pred):
                if i not in used and p.start < g.end and g.start < p.end:
                    used.add(i)
                    found += 1
                    right += p.value == g.value
                    break
        detected += len(used)
    p, r = detected / max(n_pred, 1), found / max(n_gold, 1)
    vp, vr = right / max(n_pred, 1), right / max(n_gold, 1)
    print(f"French TimeBank ({len(files)} documents, {n_gold} DATE/TIME expressions, {n_pred} predicted)")
    print(f"detection  P {p:.3f}  R {r:.3f}  F1 {2 * p * r / max(p + r, 1e-9):.3f}")
    print(f"value accuracy among detected: {right / max(found, 1):.3f}")
    print(f"value      P {vp:.3f}  R {vr:.3f}  F1 {2 * vp * vr / max(vp + vr, 1e-9):.3f}   (HeidelTime French: 0.736)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

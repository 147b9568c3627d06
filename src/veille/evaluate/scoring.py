"""Scoring of document facts (see ``docs/document-facts.md``).

- Entities: per category, set precision/recall/F1 summed over documents; people match on any
  ``|`` variant or on the surname; names compare without case or accents.
- Events, lenient: same type and agreeing core fields (participants and parties: an overlap of
  at least half of their union); one-to-one, greedy in gold order. Strict: modality too.
  Predictions matching a gold ``optional_events`` entry are neither rewarded nor penalised.
- when: among lenient matches whose gold has ``when``, the share predicted identically.
- published: gold null must be predicted null; otherwise the prediction starts with the gold.
- Boilerplate: for each raw line with 4+ letters, "removed" when its text is not in the body.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from veille.resources import fold

CORE = {
    "ARMS_TRANSFER": ("supplier", "recipient", "system", "stage"),
    "SANCTION": ("imposer", "target"),
}
GROUP = {"MEETING": "participants", "EXERCISE": "participants", "AGREEMENT": "parties"}
# A raw line counts as kept when 80 % of it (letters and digits) stands in the body in one
# piece: a glued photo credit or a metadata prefix cut from a body line does not make it removed.
KEPT_SHARE = 0.8


@dataclass
class PRF:
    """Counts and the precision/recall/F1 they give."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: PRF) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn


@dataclass
class Scores:
    """Everything ``veille eval`` prints."""

    documents: int = 0
    entities: dict[str, PRF] = field(default_factory=lambda: defaultdict(PRF))
    lenient: dict[str, PRF] = field(default_factory=lambda: defaultdict(PRF))
    strict: dict[str, PRF] = field(default_factory=lambda: defaultdict(PRF))
    when_total: int = 0
    when_right: int = 0
    published_total: int = 0
    published_right: int = 0
    boilerplate: PRF | None = None
    errors: list[str] = field(default_factory=list)
    # Per document: missed gold events, spurious predictions, boilerplate line errors.
    details: dict[str, dict[str, list[Any]]] = field(default_factory=dict)

    @property
    def when_accuracy(self) -> float:
        return self.when_right / self.when_total if self.when_total else 0.0

    @property
    def published_accuracy(self) -> float:
        return self.published_right / self.published_total if self.published_total else 0.0

    def as_dict(self) -> dict[str, Any]:
        """Plain figures, for JSON output and tests."""

        def prf(x: PRF) -> dict[str, float]:
            return {
                "p": round(x.precision, 3),
                "r": round(x.recall, 3),
                "f1": round(x.f1, 3),
                "tp": x.tp,
                "fp": x.fp,
                "fn": x.fn,
            }

        return {
            "documents": self.documents,
            "entities": {k: prf(v) for k, v in self.entities.items()},
            "events_lenient": {k: prf(v) for k, v in self.lenient.items()},
            "events_strict": {k: prf(v) for k, v in self.strict.items()},
            "when_accuracy": round(self.when_accuracy, 3),
            "when_matched": self.when_total,
            "published_accuracy": round(self.published_accuracy, 3),
            "boilerplate": prf(self.boilerplate) if self.boilerplate else None,
        }


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", fold(text))


def _variants(gold: str) -> list[str]:
    return [v.strip() for v in gold.split("|") if v.strip()]


def _surname(name: str) -> str:
    parts = fold(name).split()
    return parts[-1] if parts else ""


def name_matches(pred: str, gold: str, *, person: bool = False) -> bool:
    """Whether a predicted name matches a gold name with variants."""
    p = _norm(pred)
    for variant in _variants(gold):
        if p == _norm(variant):
            return True
        if person and (_surname(pred) == _surname(variant) or _norm(_surname(variant)) == p):
            return True
    return False


def _match_sets(pred: list[str], gold: list[str], *, person: bool) -> PRF:
    used: set[int] = set()
    tp = 0
    for g in gold:
        for i, p in enumerate(pred):
            if i not in used and name_matches(p, g, person=person):
                used.add(i)
                tp += 1
                break
    return PRF(tp, len(pred) - len(used), len(gold) - tp)


def _group_overlap(pred: list[str], gold: list[str]) -> bool:
    matched = sum(1 for g in gold if any(name_matches(p, g, person=True) for p in pred))
    union = len(pred) + len(gold) - matched
    return union > 0 and matched * 2 >= union


def event_matches(pred: dict[str, Any], gold: dict[str, Any]) -> bool:
    """Lenient match: same type and agreeing core fields."""
    kind = gold.get("type")
    if pred.get("type") != kind:
        return False
    if kind in GROUP:
        key = GROUP[kind]
        return _group_overlap(pred.get(key) or [], gold.get(key) or [])
    for key in CORE.get(str(kind), ()):
        g, p = gold.get(key), pred.get(key)
        if key == "system":
            if g is None or p is None:
                if g is not p:
                    return False
                continue
            if not name_matches(p, g):
                return False
        elif g != p:
            return False
    return True


def _score_events(
    scores: Scores, doc_id: str, pred: list[dict[str, Any]], gold: list[dict[str, Any]], optional: list[dict[str, Any]]
) -> None:
    used: set[int] = set()
    pairs = []
    for g in gold:
        for i, p in enumerate(pred):
            if i not in used and event_matches(p, g):
                used.add(i)
                pairs.append((p, g))
                break
    unmatched = [p for i, p in enumerate(pred) if i not in used]
    spare = [p for p in unmatched if not any(event_matches(p, o) for o in optional)]
    types = {e["type"] for e in gold} | {e["type"] for e in pred}
    for kind in types:
        tp = sum(1 for _, g in pairs if g["type"] == kind)
        stp = sum(1 for p, g in pairs if g["type"] == kind and p.get("modality") == g.get("modality"))
        fp = sum(1 for p in spare if p["type"] == kind)
        n_gold = sum(1 for g in gold if g["type"] == kind)
        scores.lenient[kind].add(PRF(tp, fp, n_gold - tp))
        scores.strict[kind].add(PRF(stp, fp + tp - stp, n_gold - stp))
    for p, g in pairs:
        if g.get("when"):
            scores.when_total += 1
            scores.when_right += int(p.get("when") == g["when"])
    detail = scores.details.setdefault(doc_id, {})
    matched = [id(g) for _, g in pairs]
    detail["missed"] = [g for g in gold if id(g) not in matched]
    detail["spurious"] = spare
    detail["wrong_modality_or_when"] = [
        (p.get("modality"), p.get("when"), g)
        for p, g in pairs
        if p.get("modality") != g.get("modality") or (g.get("when") and p.get("when") != g["when"])
    ]


def line_kept(line: str, body_norm: str) -> bool:
    """Whether a raw line's text stands in the (normalised) body."""
    ln = _norm(line)
    if not ln or ln in body_norm:
        return True
    match = SequenceMatcher(None, ln, body_norm, autojunk=False).find_longest_match(0, len(ln), 0, len(body_norm))
    return match.size >= KEPT_SHARE * len(ln)


def _score_boilerplate(raw: str, body: str, gold_lines: list[int], errors: list[str] | None = None) -> PRF:
    body_norm = _norm(body)
    result = PRF()
    errors = errors if errors is not None else []
    for number, line in enumerate(raw.splitlines(), start=1):
        if sum(ch.isalpha() for ch in line) < 4:
            continue
        removed = not line_kept(line, body_norm)
        is_boiler = number in gold_lines
        if removed and is_boiler:
            result.tp += 1
        elif removed:
            result.fp += 1
            errors.append(f"line {number} removed but body: {line.strip()[:70]}")
        elif is_boiler:
            result.fn += 1
            errors.append(f"line {number} kept but furniture: {line.strip()[:70]}")
    return result


def score(gold: list[dict[str, Any]], pred: list[dict[str, Any]], texts: Path | None = None) -> Scores:
    """Score predicted document facts against gold facts."""
    scores = Scores()
    by_id = {p["id"]: p for p in pred}
    boiler = PRF() if texts is not None else None
    for g in gold:
        scores.documents += 1
        p = by_id.get(g["id"])
        if p is None:
            scores.errors.append(f"{g['id']}: no prediction (document not ingested?)")
            p = {"entities": {}, "events": [], "published": None, "body": ""}
        for cat in ("countries", "people", "organizations", "systems"):
            result = _match_sets(
                p.get("entities", {}).get(cat, []), g.get("entities", {}).get(cat, []), person=cat == "people"
            )
            scores.entities[cat].add(result)
            scores.entities["all"].add(result)
        _score_events(scores, g["id"], p.get("events", []), g.get("events", []), g.get("optional_events", []))
        scores.published_total += 1
        gp, pp = g.get("published"), p.get("published")
        scores.published_right += int(pp is None if gp is None else bool(pp) and str(pp).startswith(gp))
        if boiler is not None and texts is not None:
            raw_path = texts / g["file"]
            if raw_path.exists():
                line_errors: list[str] = []
                boiler.add(
                    _score_boilerplate(
                        raw_path.read_text(encoding="utf-8", errors="replace"),
                        p.get("body") or "",
                        g.get("boilerplate_lines", []),
                        line_errors,
                    )
                )
                scores.details.setdefault(g["id"], {})["lines"] = line_errors
            else:
                scores.errors.append(f"{g['id']}: raw text {raw_path} not found")
    total_l, total_s = PRF(), PRF()
    for kind in list(scores.lenient):
        total_l.add(scores.lenient[kind])
        total_s.add(scores.strict[kind])
    scores.lenient["ALL"] = total_l
    scores.strict["ALL"] = total_s
    scores.boilerplate = boiler
    return scores

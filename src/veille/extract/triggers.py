"""Arms-transfer triggers of a sentence, from the lexicon of ``data/patterns/triggers.json``.

When one trigger governs another in the parse, the heavier one names the stage: "a signé un
accord sur la livraison" is one CONTRACT, "a reçu le paiement" one PAYMENT.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from spacy.tokens import Span, Token

from veille.extract.context import clause_head, dominates, folded, lemma, patterns
from veille.resources import fold


@dataclass(frozen=True)
class Trigger:
    """A trigger token with its lexicon entry."""

    token: Token
    stage: str
    weight: int
    agent: str | None
    by: str | None
    entry: dict[str, Any]


@cache
def _lexicon() -> dict[str, dict[str, Any]]:
    return {fold(k): v for k, v in patterns("triggers")["arms_transfer"].items()}


@dataclass(frozen=True)
class SentenceTriggers:
    """Triggers of one sentence: all found, those kept, and who speaks for an absorbed one."""

    found: list[Trigger]
    kept: list[Trigger]
    owner: dict[int, Trigger]


def find_triggers(sent: Span) -> SentenceTriggers:
    """Arms-transfer triggers of a sentence, after heavier governors absorbed lighter ones."""
    lex = _lexicon()
    found = []
    lemmas, texts = folded(sent.doc)
    for i in range(sent.start, sent.end):
        entry = lex.get(lemmas[i]) or lex.get(texts[i])
        if entry is None:
            continue
        token = sent.doc[i]
        if token.pos_ not in {"VERB", "NOUN", "ADJ", "AUX"}:
            continue
        nxt = token.nbor(1) if token.i + 1 < len(token.doc) else None
        following = fold(lemma(nxt)) if nxt is not None else ""
        if following in {fold(w) for w in entry.get("not_followed_by", [])}:
            continue
        if entry.get("requires_next") and following not in {fold(w) for w in entry["requires_next"]}:
            continue
        if entry.get("requires_xcomp") and not any(c.dep_ == "xcomp" for c in token.children):
            continue
        if entry.get("requires_head") and fold(lemma(token.head)) not in {fold(w) for w in entry["requires_head"]}:
            continue
        found.append(Trigger(token, entry["stage"], entry["weight"], entry.get("agent"), entry.get("by"), entry))
    kept = []
    owner: dict[int, Trigger] = {}
    for t in found:
        # Only a trigger of another stage absorbs: two purchase words of one sentence may be two
        # purchases ("le premier pays à acheter le S-400 (l'Iran a acheté le S-300)").
        # A participle qualifying a noun states a fact of its own ("dix Su-35, livrés en
        # décembre 2017"): it is never absorbed.
        participle = t.token.dep_ == "acl" and "Part" in t.token.morph.get("VerbForm")
        above = [
            o
            for o in found
            if not participle
            and o is not t
            and o.stage != t.stage
            and dominates(o.token, t.token)
            and o.weight >= t.weight
            and t.stage in o.entry.get("absorbs_only", [t.stage])
        ]
        # "restait en négociations avec la Russie à propos d'un deuxième achat": a purchase
        # noun beside another stage in the same clause is that stage's topic.
        if t.stage == "CONTRACT" and t.token.pos_ == "NOUN":
            above += [
                o
                for o in found
                if o.stage != "CONTRACT" and o.weight >= t.weight and clause_head(o.token).i == clause_head(t.token).i
            ]
        # A light verb gives way to the heavier noun it governs ("a reçu le paiement"), not to
        # a participle qualifying its object ("a reçu les chars commandés à Séoul"), nor to an
        # adjunct ("livrés lundi, cinq mois après la signature du contrat").
        below = [
            o
            for o in found
            if o is not t
            and o.stage != t.stage
            and o.token.head.i == t.token.i
            and o.token.pos_ == "NOUN"
            and o.token.dep_ != "obl:mod"
            and o.weight > t.weight
        ]
        # "le contrat a été signé", "a signé le contrat": the deal noun is the verb's argument,
        # one fact with it.
        if t.token.pos_ == "NOUN" and t.token.dep_ in {"obj", "nsubj", "nsubj:pass"}:
            above += [o for o in found if o.token.i == t.token.head.i and o.stage == t.stage and o.token.pos_ == "VERB"]
        if above:
            owner[t.token.i] = above[0]
        elif below:
            owner[t.token.i] = below[0]
        else:
            kept.append(t)
            owner[t.token.i] = t
    # "a approuvé la vente" is an offer; "a approuvé" alone is nothing.
    kept = [
        k
        for k in kept
        if not k.entry.get("only_with")
        or any(owner.get(f.token.i) is k and f is not k and f.stage in k.entry["only_with"] for f in found)
    ]
    for i, o in list(owner.items()):
        while owner.get(o.token.i) is not None and owner[o.token.i] is not o:
            o = owner[o.token.i]
        owner[i] = o
    return SentenceTriggers(found, kept, owner)

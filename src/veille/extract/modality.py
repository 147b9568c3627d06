"""Modality of a fact from grammar and cues: ASSERTED, PLANNED, POSSIBLE or DENIED.

Grammar first: spaCy's morphology marks the conditional (``Mood=Cnd``: POSSIBLE) and the future
(``Tense=Fut``: PLANNED) on the trigger and the verbs that govern it in its clause; a negation
attached to them, or a governing verb of denial ("a nié avoir fourni"), gives DENIED. Cue lists
(``data/patterns/modality.json``) add hedges and plans the grammar does not show.
"""

from __future__ import annotations

import re
from functools import cache

from spacy.tokens import Span, Token

from veille.extract.context import CLAUSE_DEPS, lemma, patterns
from veille.resources import fold


@cache
def _cues() -> dict[str, set[str]]:
    data = patterns("modality")
    return {k: {fold(x) for x in v} for k, v in data.items() if not k.startswith("_")}


def _chain(trigger: Token) -> list[Token]:
    """The trigger and its governors up to (and including) the first clause boundary above."""
    out = [trigger]
    node = trigger
    for _ in range(6):
        if node.head.i == node.i or node.dep_ in ADJUNCT_DEPS:
            break
        crossing = node.dep_ in CLAUSE_DEPS
        node = node.head
        out.append(node)
        if crossing and node.pos_ in {"VERB", "AUX"}:
            break
    return out


ADJUNCT_DEPS = {"obl", "obl:mod", "nmod", "advmod"}
CONDITIONAL_ENDING = re.compile(r"(?P<stem>\w+r)(?:ais|ait|aient)$")


def _conditional(token: Token) -> bool:
    """Whether the token is in the conditional mood.

    Read from the form when the tagger errs: the model tags "recevrait" as an imperfect. A
    conditional is the future stem (ending in r: "recevr-", "livrer-", "pourr-")
    plus imperfect endings; an imperfect whose stem ends in r ("livr-ait", "tir-ait") has the
    infinitive's own stem.
    """
    if "Cnd" in token.morph.get("Mood"):
        return True
    if token.pos_ not in {"VERB", "AUX"}:
        return False
    match = CONDITIONAL_ENDING.fullmatch(token.text.lower())
    if match is None:
        return False
    stem, infinitive = match["stem"], token.lemma_.lower()
    return not (infinitive[-2:] in {"er", "ir"} and stem == infinitive[:-2])


def _same_clause(trigger: Token) -> list[Token]:
    """The trigger and its governors inside its own clause."""
    out = [trigger]
    node = trigger
    # A negation reaches the trigger through its arguments, not through adjuncts: in "ne doit
    # pas être confondue avec le premier contrat", the contract is not negated.
    while node.head.i != node.i and node.dep_ not in CLAUSE_DEPS | ADJUNCT_DEPS:
        node = node.head
        out.append(node)
    return out


def modality(trigger: Token, sent: Span) -> str:
    """Modality of the fact ``trigger`` introduces in ``sent``.

    IRREALIS when it is not a fact at all, as in "ont exigé qu'Ankara annule le contrat").
    """
    cues = _cues()
    chain = _chain(trigger)
    for node in trigger.ancestors:
        if fold(lemma(node)) in cues["irrealis_governors"]:
            return "IRREALIS"
    text = f" {fold(sent.text)} "  # the cue phrases are matched on the whole sentence, folded
    cleft = any(p in text for p in cues["not_negating_phrases"])
    for node in [] if cleft else _same_clause(trigger):
        negated = any(c.dep_ == "advmod" and fold(c.text) in cues["negators"] for c in node.children) or any(
            fold(c.text) in {"aucun", "aucune"} for c in node.children if c.dep_ == "det"
        )
        if negated:
            return "DENIED"
    if any(fold(lemma(node)) in cues["denied_lemmas"] for node in chain):
        return "DENIED"
    if any(c.i < node.i and fold(c.text) in cues["denied_forms"] for node in chain for c in node.children):
        return "DENIED"
    for node in chain:
        auxes = [c for c in node.children if c.dep_ in {"aux", "aux:pass", "aux:tense", "cop"}]
        if any(_conditional(x) for x in [node, *auxes]):
            # "devraient être livrés": the conditional of "devoir" states an expectation.
            conditional = [x for x in [node, *auxes] if _conditional(x)]
            expectation = any(fold(lemma(x)) in cues["planned_when_conditional"] for x in conditional)
            return "PLANNED" if expectation or _future_in_the_past(node, conditional) else "POSSIBLE"
        if fold(lemma(node)) in cues["possible_lemmas"]:
            return "POSSIBLE"
    if any(f" {p} " in text for p in cues["possible_phrases"]):
        return "POSSIBLE"
    for node in chain:
        if "Fut" in node.morph.get("Tense") and node.pos_ in {"VERB", "AUX"}:
            return "PLANNED"
        if fold(lemma(node)) in cues["started_when_past"] and _past(node):
            continue  # "a commencé à recevoir": under way, not planned
        if fold(lemma(node)) in cues["planned_lemmas"]:
            return "PLANNED"
        if any(fold(lemma(c)) in cues["planned_lemmas"] for c in node.children if c.dep_ in {"amod", "aux", "acl"}):
            return "PLANNED"
    for node in chain:
        for child in node.children:
            if child.dep_ in {"aux", "aux:pass", "aux:tense"} and _future(child):
                return "PLANNED"  # "seront livrés", "aura été signé"
    return "ASSERTED"


def _future_in_the_past(node: Token, conditional: list[Token]) -> bool:
    """Whether a conditional is the future of a past announcement.

    "Le chancelier avait annoncé que l'Allemagne livrerait 14 chars", "en annonçant que les
    États-Unis fourniraient des lanceurs": reported speech turns the announced future into a
    conditional; it states a plan, not a hedge. A present governor ("annonce qu'il
    pourrait") or a hedging verb keeps the conditional's doubt.
    """
    cues = _cues()
    if node.dep_ != "ccomp" or fold(lemma(node.head)) not in cues["plan_announcing_governors"]:
        return False
    if any(fold(lemma(x)) in cues["hedging_conditionals"] for x in conditional):
        return False
    governor = node.head
    past = any(c.dep_ == "aux:tense" for c in governor.children) or "Part" in governor.morph.get("VerbForm")
    return past or "Past" in governor.morph.get("Tense")


def _past(verb: Token) -> bool:
    """A verb in a past tense: compound ("a commencé") or simple ("commençait", "commença")."""
    if any(c.dep_ == "aux:tense" and not _future(c) for c in verb.children):
        return True
    return "Fin" in verb.morph.get("VerbForm") and bool({"Past", "Imp"} & set(verb.morph.get("Tense")))


FUTURE_AUXILIARIES = re.compile(r"(?:se|aur|ser|fer|ir)(?:ai|as|a|ons|ez|ont)")


def _future(token: Token) -> bool:
    """Whether an auxiliary is in the future; read from the form too, as the tagger often omits it."""
    return "Fut" in token.morph.get("Tense") or bool(FUTURE_AUXILIARIES.fullmatch(token.text.lower()))

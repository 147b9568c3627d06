"""What an unnamed object points back to, and which order of a system a fact belongs to.

"Ces appareils", "le contrat", "36 avions" name no system: the article does, a sentence or two
before, or in its headline. "Une deuxième commande" says the fact is not about the first order.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from spacy.tokens import Token

from veille.extract.context import DocContext, clause_head, lemma, patterns, tree_distance, trigger_words
from veille.extract.triggers import Trigger
from veille.models import Mention
from veille.resources import fold


def generic_object(trig: Trigger) -> bool:
    """Whether the trigger's object, or its clause's, is unnamed weaponry.

    For example "des armes", "une aide
    létale", "l'accord … porte sur 36 avions").
    """
    generic = trigger_words("generic_arms")
    head = clause_head(trig.token)
    clause = [t for t in head.subtree if clause_head(t).i == head.i]
    tokens = (
        list(trig.token.subtree)
        + clause
        + [c for c in trig.token.head.children if c.dep_ in {"obj", "nsubj", "nsubj:pass"}]
    )
    words = {fold(lemma(t)) for t in tokens} | {fold(t.text) for t in tokens}
    if _pronoun_object(trig) or _elliptic_subject(trig):
        return True
    phrases = (" " + " ".join(fold(lemma(t)) for t in tokens) + " ", " " + " ".join(fold(t.text) for t in tokens) + " ")
    return bool(words & generic) or any(f" {g} " in text for g in generic if " " in g for text in phrases)


def deal_reference(trig: Trigger) -> bool:
    """Whether the trigger is, or acts on, a definite deal noun: "le contrat avait été signé".

    "Le contrat", "cette commande" point back to the deal the article tells; "un contrat" or
    "des contrats" do not.
    """
    nouns = trigger_words("deal_nouns")
    token = trig.token
    candidates = [token] + [c for c in token.children if c.dep_ in {"obj", "nsubj", "nsubj:pass"}]
    if token.pos_ == "NOUN" and token.dep_ == "obj":
        # "a donné son feu vert à cette vente": the deal is the verb's other complement.
        candidates += [c for c in token.head.children if c.dep_.startswith("obl") and c.i > token.i]
    for noun in candidates:
        if noun.pos_ != "NOUN" or fold(lemma(noun)) not in nouns or "Plur" in noun.morph.get("Number"):
            continue
        if any(c.dep_ == "det" and fold(c.text) in DEFINITE for c in noun.children):
            return True
    return False


DEFINITE = {"le", "la", "l'", "l’", "ce", "cet", "cette"}


# How far back a "ces avions" or "le contrat" may point to the system last named.
ANAPHORA_SENTENCES = 3


def referent(ctx: DocContext, memory: dict[str, Any], index: int, trig: Trigger) -> Mention | None:
    """The system an unnamed object points back to.

    For "ces appareils", "le contrat" or "36 avions": the system of the last sentences, else the article's main system.
    """
    definite = any(fold(c.text) in DEFINITE for c in trig.token.children if c.dep_ == "det")
    continued = continued_deal(trig)
    if trig.token.pos_ == "NOUN" and "Plur" in trig.token.morph.get("Number") and not (anaphoric(trig) or continued):
        return None  # "les futurs contrats", "des livraisons d'armes": a general statement
    deal_noun = trig.token.pos_ == "NOUN" and trig.stage in {"CONTRACT", "PAYMENT", "DELIVERY"} and definite
    if not (anaphoric(trig) or deal_noun or continued or counted_or_definite_generic(trig) or deal_reference(trig)):
        return None
    kinds = _kinds_named(trig)
    previous = memory.get("last_system")
    unnamed = memory.get("unnamed_sentence", -99)
    recent = unnamed > memory.get("last_sentence", -99) and index - unnamed <= ANAPHORA_SENTENCES
    if recent and (anaphoric(trig) or continued):
        # "… de livrer des obus à l'armée russe. Pyongyang a démenti ces livraisons": the last
        # transfer told was of an unnamed weapon, not of the last system named.
        return None
    if kinds and not (previous is not None and ctx.kb_category.get(previous.entity_id) in kinds):
        # "les premiers appareils" after "des missiles SCALP": the last system of that kind.
        replaced = memory.get("replaced", set())
        earlier = [
            m for m in ctx.mentions if m.kind == "system" and m.start < trig.token.idx and m.start not in replaced
        ]
        fitting = [m for m in earlier if ctx.kb_category.get(m.entity_id) in kinds]
        # "des obus d'artillerie" after a missile: a weapon of a kind the article has not named,
        # not the last system.
        return fitting[-1] if fitting else None
    if previous is not None and index - memory.get("last_sentence", -99) <= ANAPHORA_SENTENCES:
        return previous  # type: ignore[no-any-return]
    return ctx.topic_system


def _kinds_named(trig: Trigger) -> set[str]:
    """The KB categories an unnamed weapon noun of the trigger's clause can stand for.

    "appareils" is an aircraft or a drone, "chars" a tank (``generic_categories`` of
    triggers.json); empty when the clause names no such noun.
    """
    table = {fold(k): set(v) for k, v in patterns("triggers")["generic_categories"].items()}
    head = clause_head(trig.token)
    tokens = (
        list(trig.token.subtree)
        + [t for t in head.subtree if clause_head(t).i == head.i]
        + [c for c in trig.token.head.children if c.dep_ in {"obj", "nsubj", "nsubj:pass"}]
    )
    for t in tokens:
        # The form too: the lemmatizer makes "obus" an "obu".
        kinds = table.get(fold(lemma(t))) or table.get(fold(t.text))
        if kinds:
            return kinds
    return set()


def order_of(trig: Trigger, system: Mention | None, ctx: DocContext) -> int | None:
    """Which order of the system this fact belongs to, when the text says so.

    For example "une deuxième commande", "un second lot", "30 Rafale supplémentaires",
    "le premier contrat". The cue nearest to the system in the parse wins, so "cette nouvelle
    commande … le premier contrat qui portait sur 24 Rafale" gives the 24 Rafale order 1.
    """
    cues, _, order_nouns = _order_lexicon()
    anchor = trig.token
    candidates: list[tuple[Token, int]] = []
    if system is not None:
        span = ctx.doc.char_span(system.start, system.end, alignment_mode="expand")
        if span is not None and span.sent.start != trig.token.sent.start:
            # A system pointed back to from an earlier sentence: the trigger's own sentence
            # says which order when it names one ("30 Rafale supplémentaires. … ne doit pas être
            # confondue avec le premier contrat, signé en 2015": the first).
            own = [c for t in trig.token.sent if fold(lemma(t)) in order_nouns for c in _cues_on(t)]
            if own:
                return min(own, key=lambda c: tree_distance(c[0], trig.token))[1]
        if span is not None:
            anchor = span.root
            # "30 Rafale supplémentaires": the word right after the name, whatever the parse.
            candidates += [
                (t, cues[fold(lemma(t))]) for t in ctx.doc[span.end : span.end + 1] if fold(lemma(t)) in cues
            ]
    deal_nouns = [t for t in [trig.token, *trig.token.subtree, *anchor.ancestors] if fold(lemma(t)) in order_nouns]
    for token in [anchor, *deal_nouns]:
        candidates += _cues_on(token)
    if not candidates:
        return None
    return min(candidates, key=lambda c: tree_distance(c[0], anchor))[1]


@cache
def _order_lexicon() -> tuple[dict[str, int], set[str], set[str]]:
    """Order cues with their rank, next-order cues, and the deal nouns they count on."""
    lexicon = patterns("triggers")
    cues = {fold(k): int(v) for k, v in lexicon["order_cues"].items()}
    return cues, trigger_words("next_order_cues"), trigger_words("order_nouns")


def _cues_on(token: Token) -> list[tuple[Token, int]]:
    """The order cues qualifying ``token``: "premier" (1), "deuxième" (2).

    "nouvelle" (the next order, counted as the second) only on a deal noun ("une nouvelle commande").
    """
    cues, next_cues, order_nouns = _order_lexicon()
    out = []
    for child in token.children:
        if child.dep_ not in {"amod", "nummod", "det"}:
            continue
        word = fold(lemma(child))
        if word in cues:
            out.append((child, cues[word]))
        elif word in next_cues and fold(lemma(token)) in order_nouns:
            out.append((child, 2))
    return out


def counted_or_definite_generic(trig: Trigger) -> bool:
    """Whether an unnamed weapon noun points at a known system.

    "36 avions", "ces appareils", "les systèmes" do; "des armes", which is any weapon, does not.
    """
    generic = trigger_words("generic_arms")
    head = clause_head(trig.token)
    tokens = list(trig.token.subtree) + [t for t in head.subtree if clause_head(t).i == head.i]
    for t in tokens:
        if fold(lemma(t)) in generic:
            for c in t.children:
                if c.dep_ == "nummod" or (
                    c.dep_ == "det" and fold(c.text) in {"ces", "les", "ce", "cette", "ses", "leurs", "son", "sa"}
                ):
                    return True
    return False


def anaphoric(trig: Trigger) -> bool:
    """The trigger's object points back ("ces missiles", "les systèmes", or a verb with none)."""
    if trig.token.pos_ == "VERB":
        return True
    generic = trigger_words("generic_arms")
    for t in trig.token.subtree:
        if fold(lemma(t)) in generic:
            return any(
                fold(c.text) in {"ces", "ce", "cette", "les", "ses", "leurs"} for c in t.children if c.dep_ == "det"
            )
    return False


# Determiners that make a bare delivery noun point back to the deal the article tells.
POINTING = {"le", "la", "l'", "l’", "les", "ce", "cet", "cette", "ces", "ses", "leurs", "son", "sa"}


def continued_deal(trig: Trigger) -> bool:
    """Whether a bare delivery or payment noun carries on the article's deal.

    "Les premières livraisons pourraient intervenir d'ici 2020", "d'autres livraisons doivent
    suivre", "ces livraisons": a definite or demonstrative noun, or one placed in a sequence
    (``sequence_words`` of triggers.json), with no common-noun complement of its own ("des
    livraisons d'armes" is any weapon, a general statement).
    """
    token = trig.token
    if token.pos_ != "NOUN" or trig.stage not in {"DELIVERY", "PAYMENT"}:
        return False
    if any(c.dep_ in {"nmod", "obj"} and c.pos_ == "NOUN" for c in token.children):
        return False
    sequence = trigger_words("sequence_words")
    placed = any(c.dep_ == "amod" and fold(lemma(c)) in sequence for c in token.children)
    pointing = any(c.dep_ == "det" and fold(c.text) in POINTING for c in token.children)
    return placed or pointing


def _pronoun_object(trig: Trigger) -> bool:
    """A verb trigger whose object is a pronoun standing for weapons named before.

    "La Chine a commencé à recevoir les siens", "Moscou les a livrés": the possessive
    pronouns of ``pointing_pronouns`` (triggers.json) and object clitics.
    """
    if trig.token.pos_ != "VERB":
        return False
    pronouns = trigger_words("pointing_pronouns")
    return any(
        c.dep_ == "obj" and (fold(lemma(c)) in pronouns or fold(c.text) in pronouns or c.pos_ == "PRON")
        for c in trig.token.children
    )


def _elliptic_subject(trig: Trigger) -> bool:
    """A verb trigger whose subject is an ordinal standing for a noun ("les quatre premiers").

    "Les quatre premiers devraient atterrir en Inde": the noun is the system named before.
    """
    if trig.token.pos_ != "VERB":
        return False
    sequence = trigger_words("sequence_words")
    verbs = [trig.token] + ([trig.token.head] if trig.token.dep_ == "xcomp" else [])
    return any(
        c.dep_ in {"nsubj", "nsubj:pass"} and c.pos_ in {"ADJ", "NUM"} and fold(lemma(c)) in sequence
        for verb in verbs
        for c in verb.children
    )

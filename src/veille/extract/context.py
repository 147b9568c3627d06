"""What every extractor needs about one document: parse, mentions, dates, and small helpers.

The helpers answer grammatical questions on spaCy's dependency parse: which mentions sit in a
trigger's clause, how a mention relates to the trigger (subject, "à X", "par X"…), which time
expression governs it, and the modality of the clause.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from spacy.attrs import LEMMA, ORTH
from spacy.tokens import Doc, Span, Token

from veille.models import Mention, Timex
from veille.resources import DATA, fold

# Dependencies that open a new clause: a trigger below one of them is its own fact, not an
# argument of the trigger above ("a suspendu les livraisons pour dissuader Ankara d'acquérir").
CLAUSE_DEPS = {"advcl", "ccomp", "parataxis", "conj", "acl:relcl", "csubj", "root"}


@cache
def patterns(name: str) -> dict[str, Any]:
    """A pattern file of ``data/patterns`` (validated: non-empty sections)."""
    path = DATA / "patterns" / f"{name}.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    for key, value in data.items():
        if not key.startswith("_") and not value:
            msg = f"{path.name}: section {key!r} is empty"
            raise ValueError(msg)
    return data


@cache
def trigger_words(key: str) -> set[str]:
    """A word list of ``triggers.json``, folded, loaded once."""
    return {fold(w) for w in patterns("triggers")[key]}


@dataclass
class DocContext:
    """One parsed document with its mentions and time expressions, indexed for extractors."""

    doc: Doc
    mentions: list[Mention]
    timexes: list[Timex]
    published: str | None
    kb_origin: dict[str, str | None] = field(default_factory=dict)
    kb_family: dict[str, str] = field(default_factory=dict)
    kb_category: dict[str, str] = field(default_factory=dict)
    # The state a person or a state body (ministry, agency, firm) acts for.
    state_of: dict[str, str | None] = field(default_factory=dict)
    place_names: dict[str, str] = field(default_factory=dict)
    person_roles: dict[str, set[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.text = self.doc.text  # spaCy rebuilds Doc.text from its tokens at every call
        self.sentences: list[Span] = list(self.doc.sents)
        self.by_token: dict[int, Mention] = {}
        # Each mention with the root token of its span, computed once: extractors ask for the
        # mentions of a sentence many times.
        self._roots: list[tuple[Mention, Token]] = []
        self._in_sentence: dict[tuple[int, int, str], list[tuple[Mention, Token]]] = {}
        for m in self.mentions:
            span = self.doc.char_span(m.start, m.end, alignment_mode="expand")
            if span is not None:
                self._roots.append((m, span.root))
                for t in span:
                    self.by_token[t.i] = m
        counts = Counter(m.entity_id for m in self.mentions if m.kind == "country")
        self.salient_countries = [c for c, _ in counts.most_common()]
        systems = [m for m in self.mentions if m.kind == "system"]
        by_system = Counter(m.entity_id for m in systems)
        # The article's main system: the most named one (the first named wins a tie).
        self.topic_system: Mention | None = (
            max(systems, key=lambda m: (by_system[m.entity_id], -m.start)) if systems else None
        )

    def mention_tokens(self, sent: Span, kind: str) -> list[tuple[Mention, Token]]:
        """Mentions of ``kind`` in the sentence, each with its syntactic head token.

        Two mentions may share a token ("sino-russe" names two states).
        """
        key = (sent.start_char, sent.end_char, kind)
        found = self._in_sentence.get(key)
        if found is None:
            found = [(m, r) for m, r in self._roots if m.kind == kind and sent.start_char <= m.start < sent.end_char]
            self._in_sentence[key] = found
        return list(found)

    def timexes_in(self, sent: Span) -> list[Timex]:
        """Time expressions inside the sentence."""
        return [x for x in self.timexes if sent.start_char <= x.start < sent.end_char]


def folded(doc: Doc) -> tuple[list[str], list[str]]:
    """Folded lemma and folded text of every token of ``doc``, read once per document.

    Trigger searches test every token of every sentence several times; reading both from
    plain lists spares building a spaCy Token object for each test.
    """
    cached = doc.user_data.get("veille_folded")
    if cached is None:
        strings = doc.vocab.strings
        table = doc.to_array([LEMMA, ORTH])
        cached = ([fold(strings[int(x)].lower()) for x in table[:, 0]], [fold(strings[int(x)]) for x in table[:, 1]])
        doc.user_data["veille_folded"] = cached
    return cached  # type: ignore[no-any-return]


def lemma(token: Token) -> str:
    """Lower-case lemma with accents kept (the key of the trigger lexicons)."""
    return token.lemma_.lower()


def path_to_root(token: Token) -> list[Token]:
    """The token and its ancestors, nearest first."""
    return [token, *token.ancestors]


def tree_distance(a: Token, b: Token) -> int:
    """Number of dependency arcs between two tokens of one sentence."""
    up_a = {t.i: d for d, t in enumerate(path_to_root(a))}
    for d, t in enumerate(path_to_root(b)):
        if t.i in up_a:
            return up_a[t.i] + d
    return 99


def dominates(top: Token, low: Token) -> bool:
    """``top`` governs ``low`` without crossing into another clause."""
    node = low
    while node.head.i != node.i:
        if node.dep_ in CLAUSE_DEPS:
            return False
        node = node.head
        if node.i == top.i:
            return True
    return False


def clause_head(token: Token) -> Token:
    """The verb (or root) of the clause ``token`` belongs to."""
    node = token
    while node.head.i != node.i and node.pos_ not in {"VERB", "AUX"}:
        if node.dep_ in CLAUSE_DEPS:
            break
        node = node.head
    return node


def case_marker(token: Token) -> str | None:
    """The preposition introducing ``token``'s phrase ("à", "par", "de", "avec"…)."""
    for child in token.children:
        if child.dep_ == "case":
            return fold(child.text).rstrip("'’")
    if token.i > 0 and token.doc[token.i - 1].dep_ == "det":
        prev = token.doc[token.i - 2] if token.i > 1 else None
        if prev is not None and prev.pos_ == "ADP":
            return fold(prev.text)
    return None


def _gerund(verb: Token) -> bool:
    """A present participle introduced by "en" ("en signant"), whose subject is its governor's."""
    return (
        "Part" in verb.morph.get("VerbForm")
        and "Pres" in verb.morph.get("Tense")
        and any(c.dep_ == "mark" and fold(c.text) == "en" for c in verb.children)
    )


def subject_of(verb: Token) -> Token | None:
    """The grammatical subject of a verb (following coordination and auxiliaries)."""
    node = verb
    for _ in range(4):
        for child in node.children:
            # A coordinated verb's clitic "lui" is often parsed as its subject ("Washington a
            # exclu la Turquie et lui a imposé…"): the real subject is the first verb's.
            if child.dep_ in {"nsubj", "nsubj:pass"} and not (child.pos_ == "PRON" and node.dep_ == "conj"):
                return child
        if node.dep_ == "xcomp" and node.head.i != node.i:
            # Object control: in "accusent Téhéran d'avoir fourni", the one who supplies is
            # the object of "accuser", not its subject.
            # The nearest nominal one: in "accuse depuis l'automne 2022 la Corée du Nord de
            # livrer", the year is parsed as an object too.
            controller = [
                c
                for c in node.head.children
                if c.i < node.i
                and c.pos_ in {"NOUN", "PROPN", "PRON"}
                and (c.dep_ in {"obj", "iobj"} or (c.dep_ == "obl:arg" and case_marker(c) == "a"))
            ]
            if controller:
                return controller[-1]
            node = node.head
        elif (
            node.dep_ == "acl"
            and "Inf" in node.morph.get("VerbForm")
            and node.head.pos_ == "PROPN"
            and node.head.dep_ in {"obj", "iobj"}
        ):
            # "accuse la Corée du Nord de livrer", the infinitive hung on the object: the named
            # object is the one who delivers ("la décision de livrer" names no one).
            return node.head
        elif node.dep_ in {"conj", "acl"} and node.head.i != node.i:
            node = node.head
        elif node.dep_ == "advcl" and any(fold(c.text) in {"pour", "afin"} for c in node.children if c.dep_ == "mark"):
            node = node.head  # "s'est rendu à Varsovie pour s'entretenir…": same subject
        elif node.dep_ == "advcl" and _gerund(node):
            node = node.head  # "Le Qatar a suivi en signant pour 24 appareils": same subject
        else:
            break
    return None


def phrase_tokens(token: Token) -> set[int]:
    """Token indices of a noun phrase with its coordinated members ("Moscou et Ankara")."""
    out = {token.i}
    for child in token.children:
        if child.dep_ in {"conj", "flat:name", "flat", "amod", "nmod", "appos"}:
            out |= {t.i for t in child.subtree}
    return out


def attached(token: Token, trigger: Token, steps: int = 5) -> bool:
    """Whether ``token``'s phrase hangs on the trigger (or its verb).

    No other predicate may stand in between: "la livraison de S-400 à la Turquie" yes, "dénoncées par Washington"
    no. A "par X" agent belongs to the nearest participle; other phrases may hang on a
    participle modifying the trigger's object ("les livraisons liées aux F-35 à la Turquie").
    """
    targets = {trigger.i, clause_head(trigger).i}
    strict = case_marker(token) == "par"
    node = token
    for _ in range(steps):
        if node.head.i == node.i:
            return False
        node = node.head
        if node.i in targets:
            return True
        participle = node.dep_ == "acl" and node.pos_ in {"ADJ", "VERB"} and "Fin" not in node.morph.get("VerbForm")
        if node.pos_ in {"VERB", "AUX"} and not (participle and not strict):
            return False
        if strict and participle:
            return False
    return False


# Prepositions that put a state outside the fact ("malgré la menace américaine").
NON_PARTY_MARKERS = {"malgre", "contre", "face", "sans", "selon", "envers"}


def phrase_marker(token: Token) -> str | None:
    """The preposition of the noun phrase a demonym or name belongs to."""
    node = token
    while case_marker(node) is None and node.dep_ in {"amod", "appos", "flat:name", "flat"} and node.head.i != node.i:
        node = node.head
    return case_marker(node)

"""Selective analysis: the tokenizer and our own matchers decide which sentences the models see.

The statistical components are the cost of a document (tok2vec, the parser and NER's own
tok2vec take nine tenths of the time); everything veille reads from them is local to a
sentence. So a body is tokenised and split into sentences by rule first (the same
``veille_sentence_breaks`` the full pipeline runs: every token's sentence start is preset, so
the parser never moves a boundary), then:

- only sentences with a capitalised word that neither the knowledge base covers nor the French
  lexicon knows go through NER: linking keeps an NER entity only when it starts with a capital
  and overlaps no KB match, and a name always has a word of its own ("Parly", "Rosoboronexport");
- only sentences that hold a word of ``data/patterns/triggers.json`` (under any lemma the
  lemmatizer could give it) that an extractor could turn into a fact with the sentence's
  mentions (:func:`needs_parse`; linking reads no parse, so it runs first) go through
  tok2vec, the morphologizer, the parser, the attribute ruler and the lemmatizer: extraction
  reads the parse of no other sentence. A weapon system named in a sentence with no trigger
  is still read, from its mention, when a later "ces appareils" points back to it.

Adjacent selected sentences are analysed together, so most sentences keep their neighbours as
context. The annotations are copied back into the full document, whose text, tokens and
sentences are those of the whole body. A sentence left out has no POS, lemma, dependency or
entity: nothing downstream asks for them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, IDX, LEMMA, MORPH, NORM, ORTH, POS, SENT_START, SPACY, TAG
from spacy.language import Language
from spacy.tokens import Doc

from veille.extract.context import patterns
from veille.link.linker import _matchers
from veille.models import Mention
from veille.nlp.pipeline import known_word, load, make_doc, repair_apostrophes, sentence_breaks
from veille.resources import fold

PARSE_COMPONENTS = ("tok2vec", "morphologizer", "parser", "attribute_ruler")  # then lemmatize()
PARSE_ATTRS = [POS, TAG, MORPH, LEMMA, DEP, HEAD]
NER_ATTRS = [ENT_IOB, ENT_TYPE]
# Universal POS the French rule lemmatizer has rules for; any other goes to the lookup table.
RULE_POS = ("noun", "verb", "adj", "adp", "adv", "aux", "cconj", "det", "pron", "punct", "sconj")


@dataclass
class Stats:
    """How much of the text the models saw (for the benchmark and the tests)."""

    tokens: int = 0
    parsed: int = 0
    recognised: int = 0


STATS = Stats()


# Word lists of data/patterns/triggers.json an extractor reads a sentence's fate from, by family.
FAMILIES = {
    "arms": ("arms_transfer",),
    "exercise": ("exercise",),
    "meeting": ("meeting", "meeting_reflexive"),
    "sanction": ("sanction",),
    "agreement_action": ("agreement_actions",),
    "agreement_object": ("agreement_objects",),
    "agreement_cue": ("agreement_cues",),
    "agreement_noun": ("agreement_nouns",),
    "agreement_verb": ("agreement_verbs",),
}
# Families that alone make a sentence worth parsing, whatever else it holds.
TRIGGERS = frozenset({"arms", "exercise", "meeting", "sanction", "agreement_action", "agreement_noun"})


@cache
def family_words() -> dict[str, frozenset[str]]:
    """Folded one-word entries of each family."""
    data = patterns("triggers")
    out = {}
    for family, keys in FAMILIES.items():
        words = {w for key in keys for w in data[key]}
        if family == "exercise":
            words.add("jeu")  # "jeux de guerre": the exercise rule reads "jeu" then "guerre"
        out[family] = frozenset(fold(w) for w in words if " " not in w)
    return out


def trigger_words() -> frozenset[str]:
    """Every folded word an extractor starts from."""
    words = family_words()
    return frozenset(w for family in TRIGGERS for w in words[family])


@cache
def _forms() -> dict[str, frozenset[str]]:
    """Folded word form -> families it may belong to once lemmatised.

    spaCy's French rule lemmatizer gives a word itself, an exception, a suffix rewrite
    ("livrées" -> "livrer") or the lookup table's lemma; the first three are inverted here
    once, for every tag, so a sentence is never skipped because its trigger is conjugated.
    """
    lookups = load().get_pipe("lemmatizer").lookups  # type: ignore[attr-defined]
    rules = lookups.get_table("lemma_rules", {})
    exceptions = lookups.get_table("lemma_exc", {})
    families: dict[str, set[str]] = {}  # folded trigger word -> its families
    for family, words in family_words().items():
        for w in words:
            families.setdefault(w, set()).add(family)
    out: dict[str, set[str]] = {w: set(f) for w, f in families.items()}
    for pos in RULE_POS:
        for old, new in rules.get(pos, []):
            old_f, new_f = fold(old), fold(new)
            for w, found in families.items():
                if w.endswith(new_f):
                    out.setdefault(w[: len(w) - len(new_f)] + old_f, set()).update(found)
        # Each exception is read once for all families (the table has tens of thousands).
        for form, lemmas in exceptions.get(pos, {}).items():
            found = set().union(*(families.get(fold(x), ()) for x in lemmas))
            if found:
                out.setdefault(fold(form), set()).update(found)
    return {k: frozenset(v) for k, v in out.items()}


@lru_cache(maxsize=100_000)
def families_of(text: str) -> frozenset[str]:
    """Families a token may belong to once tagged and lemmatised (empty for most words).

    The lookup table (keyed by hashes, so not invertible) is asked directly, for the word as
    written and lower-cased, as the lemmatizer asks it.
    """
    found = set(_forms().get(fold(text), ()))
    lookup = load().get_pipe("lemmatizer").lookups.get_table("lemma_lookup", {})  # type: ignore[attr-defined]
    words = family_words()
    for key in (text, text.lower()):
        lemma = lookup.get(key)
        for value in lemma if isinstance(lemma, list) else [lemma] if lemma is not None else []:
            found.update(family for family, ws in words.items() if fold(value) in ws)
    return frozenset(found)


def is_trigger(text: str) -> bool:
    """Whether a token could be read as a trigger word once tagged and lemmatised."""
    return not TRIGGERS.isdisjoint(families_of(text))


def needs_parse(families: set[str], kinds: set[str] | None, text: str) -> bool:
    """Whether an extractor could read a fact in a sentence with these words and mentions.

    ``kinds`` are the kinds of the sentence's linked mentions (None when linking has not run:
    then any trigger word counts).
    """
    if kinds is None:
        return not TRIGGERS.isdisjoint(families)
    if families & {"arms", "exercise"}:
        return True
    folded = fold(text)
    # MEETING needs a person of the sentence, or "les deux présidents" (a pair description).
    if "meeting" in families and ("person" in kinds or "deux " in folded):
        return True
    # SANCTION needs a state, person or body of the sentence on one side.
    if "sanction" in families and kinds & {"country", "person", "organization"}:
        return True
    # AGREEMENT: a pledge (action, object and cue) or a pact (noun under a signing verb).
    pledge = {"agreement_action", "agreement_object", "agreement_cue"} <= families
    return pledge or {"agreement_noun", "agreement_verb"} <= families


def tokenize(text: str) -> Doc:
    """The body as tokens with rule-based sentence starts, before any statistical model."""
    repair_apostrophes(text)
    return sentence_breaks(make_doc(text))


def sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    """Token ranges of the sentences, read from the preset sentence starts."""
    starts = [0, *(int(i) for i in np.flatnonzero(doc.to_array([SENT_START]).astype(np.int64) == 1) if i > 0)]
    return list(zip(starts, [*starts[1:], len(doc)], strict=True))


@dataclass
class Plan:
    """What the cheap pass found in each sentence of one document."""

    bounds: list[tuple[int, int]]
    families: list[set[str]]  # trigger families of its words
    ner: list[bool]  # needs NER


def plan(doc: Doc, nlp: Language, bounds: list[tuple[int, int]], words: list[str] | None = None) -> Plan:
    """Per sentence: trigger families, and whether NER is needed."""
    words = words if words is not None else [t.text for t in doc]
    result = Plan(bounds, [set() for _ in bounds], [False] * len(bounds))
    covered = np.zeros(len(doc), dtype=bool)
    m = _matchers(nlp)
    for matcher in (m.lower, m.exact):
        for _, start, end in matcher(doc):
            covered[start:end] = True
    for k, (a, b) in enumerate(bounds):
        families = result.families[k]
        for i in range(a, b):
            text = words[i]
            found, capital = _word(text)
            if found:
                families.update(found)
            if capital and not result.ner[k] and not covered[i] and not _common(text):
                result.ner[k] = True
    return result


@lru_cache(maxsize=100_000)
def _word(text: str) -> tuple[frozenset[str], bool]:
    """What the plan asks of a word, once per distinct word: families, capital."""
    return families_of(text), text[:1].isupper()


@lru_cache(maxsize=100_000)
def _common(text: str) -> bool:
    """A capitalised word that is an ordinary French word ("Le", "Selon", "Mardi", "Défense").

    A name NER could find has at least one word the lexicon does not know ("Parly",
    "Mitsotakis", "Rosoboronexport"), or the knowledge base already names it.
    """
    return known_word(text)


def _runs(bounds: list[tuple[int, int]], wanted: list[bool]) -> list[tuple[int, int]]:
    """Token ranges of maximal runs of wanted sentences."""
    runs: list[tuple[int, int]] = []
    for (a, b), keep in zip(bounds, wanted, strict=True):
        if not keep:
            continue
        if runs and runs[-1][1] == a:
            runs[-1] = (runs[-1][0], b)
        else:
            runs.append((a, b))
    return runs


def analyse(texts: Iterable[str], batch_size: int = 32) -> Iterator[Doc]:
    """Docs of the bodies, in order, parsed wherever a trigger word or a system is named."""
    batch: list[str] = []
    for text in texts:
        batch.append(text)
        if len(batch) >= batch_size:
            yield from (doc for doc, _ in _analyse_batch(batch, None))
            batch = []
    if batch:
        yield from (doc for doc, _ in _analyse_batch(batch, None))


def analyse_linked(texts: list[str], link_doc: Callable[[Doc], list[Mention]]) -> list[tuple[Doc, list[Mention]]]:
    """Docs of the bodies with their mentions, parsed only where an extractor could read a fact.

    Linking reads tokens, sentences and entities only, so it runs between NER and the parse,
    and the mentions of a sentence (a person for a meeting, a state for a sanction) decide too.
    """
    return [(doc, mentions or []) for doc, mentions in _analyse_batch(texts, link_doc)]


def _copy(doc: Doc, runs: list[tuple[int, int]], pieces: Iterator[Doc], attrs: list[int], fill: int = 0) -> None:
    values = np.zeros((len(doc), len(attrs)), dtype=np.uint64)
    values[:, 0] = fill
    for a, b in runs:
        values[a:b] = next(pieces).to_array(attrs)
    doc.from_array(attrs, values)


# What a piece of a document carries into the models: its words' sentence starts and norms
# (a repaired "lachat" is "l'" + "achat", with the norm "l'" the tokenizer gave it).
PIECE_ATTRS = [SENT_START, NORM]


@dataclass
class _Tokens:
    """One document's tokens as plain arrays, read once."""

    doc: Doc
    body: str  # the text, kept: spaCy rebuilds Doc.text from the tokens at every call
    words: list[str]
    spaces: list[bool]
    chars: np.ndarray  # start offset of each token
    attrs: np.ndarray  # PIECE_ATTRS of each token

    @classmethod
    def of(cls, doc: Doc, text: str) -> _Tokens:
        table = doc.to_array([ORTH, SPACY, IDX, *PIECE_ATTRS])
        strings = doc.vocab.strings
        words = [strings[int(o)] for o in table[:, 0]]
        return cls(doc, text, words, [bool(x) for x in table[:, 1]], table[:, 2], table[:, 3:])

    def piece(self, a: int, b: int) -> Doc:
        """Tokens ``a`` to ``b`` as a new Doc for the models.

        Cheaper than ``Span.as_doc``, which also averages the word vectors of every piece.
        """
        doc = Doc(self.doc.vocab, words=self.words[a:b], spaces=self.spaces[a:b])
        doc.from_array(PIECE_ATTRS, self.attrs[a:b])
        return doc

    def text(self, a: int, b: int) -> str:
        return self.body[int(self.chars[a]) : int(self.chars[b - 1]) + len(self.words[b - 1])]


def _analyse_batch(
    texts: list[str], link_doc: Callable[[Doc], list[Mention]] | None
) -> list[tuple[Doc, list[Mention] | None]]:
    nlp = load()
    tokens = [_Tokens.of(tokenize(text), text) for text in texts]
    plans = []
    ner_in: list[Doc] = []
    for t in tokens:
        found = plan(t.doc, nlp, sentence_bounds(t.doc), t.words)
        plans.append(found)
        ner_in += [t.piece(a, b) for a, b in _runs(found.bounds, found.ner)]
    recognised = iter(list(nlp.get_pipe("ner").pipe(ner_in, batch_size=256)))  # type: ignore[attr-defined]
    out: list[tuple[Doc, list[Mention] | None]] = []
    parse_in: list[Doc] = []
    parse_runs: list[list[tuple[int, int]]] = []
    for t, found in zip(tokens, plans, strict=True):
        doc = t.doc
        ner_runs = _runs(found.bounds, found.ner)
        _copy(doc, ner_runs, recognised, NER_ATTRS, fill=2)  # 2: "O", outside any entity
        mentions = link_doc(doc) if link_doc is not None else None
        kinds: list[set[str]] = [set() for _ in found.bounds]
        for mention in mentions or []:
            kinds[mention.sentence].add(mention.kind)
        wanted = [
            needs_parse(families, None if mentions is None else kind, t.text(a, b)) if families else False
            for (a, b), families, kind in zip(found.bounds, found.families, kinds, strict=True)
        ]
        runs = _runs(found.bounds, wanted)
        parse_runs.append(runs)
        parse_in += [t.piece(a, b) for a, b in runs]
        out.append((doc, mentions))
        STATS.tokens += len(doc)
        STATS.parsed += sum(b - a for a, b in runs)
        STATS.recognised += sum(b - a for a, b in ner_runs)
    parsed = parse_in
    for name in PARSE_COMPONENTS:
        parsed = list(nlp.get_pipe(name).pipe(parsed, batch_size=256))  # type: ignore[attr-defined]
    lemmatize(parsed)
    pieces = iter(parsed)
    for (doc, _), runs in zip(out, parse_runs, strict=True):
        starts = doc.to_array([SENT_START])
        if runs:
            _copy(doc, runs, pieces, PARSE_ATTRS)
        doc.from_array([SENT_START], starts)  # heads of skipped sentences are unknown, not roots
    return out


# Lemma of each (word, universal POS) pair already seen; bounded, cleared when full.
_LEMMAS: dict[tuple[int, int], int] = {}
MAX_LEMMAS = 500_000


def lemmatize(docs: list[Doc]) -> None:
    """Set the lemmas spaCy's French lemmatizer would set, asking it once per (word, POS).

    The component's own cache spares the rule search but still builds a Token and sets its
    lemma one by one; on an archive, almost every (word, POS) pair has been seen, so the
    lemmas are written here as one array per document instead.
    """
    lemmatizer = load().get_pipe("lemmatizer")
    overwrite = lemmatizer.overwrite  # type: ignore[attr-defined]
    if len(_LEMMAS) > MAX_LEMMAS:
        _LEMMAS.clear()
    for doc in docs:
        table = doc.to_array([ORTH, POS, LEMMA])
        lemmas = table[:, 2].copy()
        for i in range(len(doc)) if overwrite else np.flatnonzero(lemmas == 0):
            key = (int(table[i, 0]), int(table[i, 1]))
            found = _LEMMAS.get(key)
            if found is None:
                found = _LEMMAS[key] = doc.vocab.strings.add(lemmatizer.lemmatize(doc[i])[0])  # type: ignore[attr-defined]
            lemmas[i] = found
        doc.from_array([LEMMA], lemmas.reshape(-1, 1))

"""Selective analysis: the tokenizer and our own matchers decide which sentences the models see.

The statistical components are the cost of a document (tok2vec, the parser and NER's own
tok2vec take nine tenths of the time); everything veille reads from them is local to a
sentence. So a body is tokenised and split into sentences by rule first (the same
``veille_sentence_breaks`` the full pipeline runs: every token's sentence start is preset, so
the parser never moves a boundary), then:

- only sentences that hold a trigger word of ``data/patterns/triggers.json`` (under any lemma
  the lemmatizer could give it) or a weapon-system name go through tok2vec, the morphologizer,
  the parser, the attribute ruler and the lemmatizer: extraction reads the parse of no other
  sentence (a system named elsewhere is read when an unnamed "ces appareils" points to it);
- only sentences with a capitalised word the knowledge base does not already cover go through
  NER: linking keeps an NER entity only when it starts with a capital and overlaps no KB match.

Adjacent selected sentences are analysed together, so most sentences keep their neighbours as
context. The annotations are copied back into the full document, whose text, tokens and
sentences are those of the whole body. A sentence left out has no POS, lemma, dependency or
entity: nothing downstream asks for them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, LEMMA, MORPH, POS, SENT_START, TAG
from spacy.language import Language
from spacy.tokens import Doc

from veille.extract.context import patterns
from veille.link.kb import load_kb
from veille.link.linker import SYSTEM_CODE, _matchers
from veille.nlp.pipeline import known_word, load, repair_apostrophes, sentence_breaks
from veille.resources import fold

PARSE_COMPONENTS = ("tok2vec", "morphologizer", "parser", "attribute_ruler", "lemmatizer")
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


@cache
def trigger_words() -> frozenset[str]:
    """Every folded word an extractor looks for by lemma or form."""
    data = patterns("triggers")
    words = set(data["arms_transfer"])
    for key in ("meeting", "exercise", "sanction", "agreement_actions", "agreement_nouns"):
        words.update(data[key])
    words.add("jeu")  # "jeux de guerre": the exercise rule reads "jeu" then "guerre"
    return frozenset(fold(w) for w in words if " " not in w)


@cache
def trigger_forms() -> frozenset[str]:
    """Every folded word form the pipeline's lemmatizer could turn into a trigger word.

    spaCy's French rule lemmatizer gives a word itself, an exception, a suffix rewrite
    ("livrées" -> "livrer") or the lookup table's lemma; each of these is inverted here once,
    for every tag, so a sentence is never skipped because its trigger is conjugated.
    """
    words = trigger_words()
    lookups = load().get_pipe("lemmatizer").lookups  # type: ignore[attr-defined]
    forms = set(words)
    for pos in RULE_POS:
        for old, new in lookups.get_table("lemma_rules", {}).get(pos, []):
            old_f, new_f = fold(old), fold(new)
            forms.update(w[: len(w) - len(new_f)] + old_f for w in words if w.endswith(new_f))
        for form, lemmas in lookups.get_table("lemma_exc", {}).get(pos, {}).items():
            if any(fold(x) in words for x in lemmas):
                forms.add(fold(form))
    return frozenset(forms)


@lru_cache(maxsize=100_000)
def is_trigger(text: str) -> bool:
    """Whether a token could be read as a trigger once tagged and lemmatised.

    The lookup table (keyed by hashes, so not invertible) is asked directly, for the word as
    written and lower-cased, as the lemmatizer asks it.
    """
    if fold(text) in trigger_forms():
        return True
    lookup = load().get_pipe("lemmatizer").lookups.get_table("lemma_lookup", {})  # type: ignore[attr-defined]
    words = trigger_words()
    for key in (text, text.lower()):
        found = lookup.get(key)
        if found is not None and any(fold(x) in words for x in (found if isinstance(found, list) else [found])):
            return True
    return False


@cache
def _system_keys(nlp: Language) -> frozenset[int]:
    """Match ids (folded surface keys) of the phrase matchers that may name a weapon system."""
    kb = load_kb()
    groups = _matchers(nlp).groups
    keys = set()
    for key, surfaces in groups.items():
        for surface in surfaces:
            entity = kb.get(surface.entity_id)
            if entity is not None and entity.kind == "system":
                keys.add(nlp.vocab.strings.add(key))
    return frozenset(keys)


def tokenize(text: str) -> Doc:
    """The body as tokens with rule-based sentence starts, before any statistical model."""
    repair_apostrophes(text)
    nlp = load()
    return sentence_breaks(nlp.make_doc(text))


def sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    """Token ranges of the sentences, read from the preset sentence starts."""
    starts = [0, *(int(i) for i in np.flatnonzero(doc.to_array([SENT_START]).astype(np.int64) == 1) if i > 0)]
    return list(zip(starts, [*starts[1:], len(doc)], strict=True))


def plan(doc: Doc, nlp: Language, bounds: list[tuple[int, int]]) -> tuple[list[bool], list[bool]]:
    """Per sentence: whether it needs the parse, and whether it needs NER."""
    sent_of = np.zeros(len(doc), dtype=np.int32)
    for k, (a, b) in enumerate(bounds):
        sent_of[a:b] = k
    need_parse = [False] * len(bounds)
    covered = np.zeros(len(doc), dtype=bool)
    m = _matchers(nlp)
    system_keys = _system_keys(nlp)
    for matcher in (m.lower, m.exact):
        for match_id, start, end in matcher(doc):
            covered[start:end] = True
            if match_id in system_keys:
                need_parse[sent_of[start]] = True
    need_ner = [False] * len(bounds)
    opening = True  # at a sentence start, or after an opening quote, dash or colon
    for i, text in enumerate(t.text for t in doc):
        k = sent_of[i]
        if i == bounds[k][0]:
            opening = True
        if not need_parse[k] and (is_trigger(text) or SYSTEM_CODE.match(text)):
            need_parse[k] = True
        if not need_ner[k] and text[:1].isupper() and not covered[i] and not (opening and _common(text)):
            need_ner[k] = True
        opening = text in OPENERS or (opening and text.isspace())
    return need_parse, need_ner


# After these, a capital marks the start of a quotation or clause, not a name.
OPENERS = {"«", '"', "“", "-", "–", "—", ":", "(", "[", "'"}


@lru_cache(maxsize=100_000)
def _common(text: str) -> bool:
    """A capitalised word that is an ordinary French word ("Le", "Selon", "Mardi")."""
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
    """Docs of the bodies, in order, with parse and entities where extraction needs them."""
    batch: list[str] = []
    for text in texts:
        batch.append(text)
        if len(batch) >= batch_size:
            yield from _analyse_batch(batch)
            batch = []
    if batch:
        yield from _analyse_batch(batch)


def _analyse_batch(texts: list[str]) -> list[Doc]:
    nlp = load()
    docs = [tokenize(text) for text in texts]
    head = Doc._get_array_attrs()
    parse_in: list[Doc] = []
    ner_in: list[Doc] = []
    runs: list[tuple[list[tuple[int, int]], list[tuple[int, int]]]] = []
    for doc in docs:
        bounds = sentence_bounds(doc)
        need_parse, need_ner = plan(doc, nlp, bounds)
        parse_runs, ner_runs = _runs(bounds, need_parse), _runs(bounds, need_ner)
        runs.append((parse_runs, ner_runs))
        array = doc.to_array(head)
        parse_in += [doc[a:b].as_doc(array_head=head, array=array) for a, b in parse_runs]
        ner_in += [doc[a:b].as_doc(array_head=head, array=array) for a, b in ner_runs]
        STATS.tokens += len(doc)
        STATS.parsed += sum(b - a for a, b in parse_runs)
        STATS.recognised += sum(b - a for a, b in ner_runs)
    parsed = parse_in
    for name in PARSE_COMPONENTS:
        parsed = list(nlp.get_pipe(name).pipe(parsed, batch_size=256))  # type: ignore[attr-defined]
    recognised = iter(list(nlp.get_pipe("ner").pipe(ner_in, batch_size=256)))  # type: ignore[attr-defined]
    parsed_it = iter(parsed)
    for doc, (parse_runs, ner_runs) in zip(docs, runs, strict=True):
        starts = doc.to_array([SENT_START])
        if parse_runs:
            values = np.zeros((len(doc), len(PARSE_ATTRS)), dtype=np.uint64)
            for a, b in parse_runs:
                values[a:b] = next(parsed_it).to_array(PARSE_ATTRS)
            doc.from_array(PARSE_ATTRS, values)
        values = np.zeros((len(doc), len(NER_ATTRS)), dtype=np.uint64)
        values[:, 0] = 2  # "O": outside any entity, known
        for a, b in ner_runs:
            values[a:b] = next(recognised).to_array(NER_ATTRS)
        doc.from_array(NER_ATTRS, values)
        doc.from_array([SENT_START], starts)  # heads of skipped sentences are unknown, not roots
    return docs

"""Entity linking: spans of the parsed body -> knowledge-base ids (or stable local ids).

Order of the passes, each one only filling what the previous left free:

1. phrase matching of every KB surface form (accent- and case-insensitive, with a capital
   letter required for one-word names so "turc" the adjective and "Turc" both link while "Li"
   the syllable does not);
2. descriptions that name a post ("le ministre chinois de la Défense", "son homologue russe")
   resolved through the roles of the KB at the publication date;
3. spaCy's PER entities the KB does not know, under a local id built from the normalised name;
4. within-document coreference: a later "Li" or "Erdogan" joins the person named in full before.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from veille.link.kb import Entity, KnowledgeBase, Surface, load_kb
from veille.models import Mention
from veille.resources import fold, lexicon

# When one span names several things, the more specific reading wins.
KIND_PRIORITY = {"person": 0, "organization": 1, "system": 2, "country": 3, "place": 4}
VIA_PRIORITY = {"alias": 0, "acronym": 0, "surname": 1, "name": 1, "seat": 2, "capital": 3, "demonym": 4, "prefix": 5}
SYSTEM_CODE = re.compile(r"^[A-Z][A-Za-z]{0,3}-\d{1,3}[A-Za-z0-9]*(?:-[A-Z0-9]+)?$")


@dataclass
class _Matchers:
    lower: PhraseMatcher
    exact: PhraseMatcher
    groups: dict[str, list[Surface]]


@cache
def _matchers(nlp: Language) -> _Matchers:
    kb = load_kb()
    lower = PhraseMatcher(nlp.vocab, attr="LOWER")
    exact = PhraseMatcher(nlp.vocab, attr="ORTH")
    groups: dict[str, list[Surface]] = defaultdict(list)
    lower_texts: dict[str, set[str]] = defaultdict(set)
    exact_texts: dict[str, set[str]] = defaultdict(set)
    for surface in kb.surfaces:
        if surface.via == "prefix":
            continue
        key = fold(surface.text)
        groups[key].append(surface)
        if surface.case_sensitive:
            exact_texts[key].add(surface.text)
        else:
            lower_texts[key].update({surface.text.lower(), key})
    for key, texts in lower_texts.items():
        lower.add(key, list(nlp.tokenizer.pipe(sorted(texts))))
    for key, texts in exact_texts.items():
        exact.add(key, list(nlp.tokenizer.pipe(sorted(texts))))
    return _Matchers(lower, exact, dict(groups))


def _case_ok(span: Span, surface: Surface) -> bool:
    if surface.via in {"demonym"}:
        return True
    first = span.text[0]
    if len(span) == 1 and not (first.isupper() or first.isdigit()):
        return False
    return not (surface.via in {"capital", "name", "seat"} and not first.isupper())


def _best(candidates: list[tuple[Surface, Entity]]) -> tuple[Surface, Entity]:
    return min(candidates, key=lambda c: (KIND_PRIORITY[c[1].kind], VIA_PRIORITY.get(c[0].via, 9)))


def _in_place_name(doc: Doc, span: Span) -> bool:
    heads = {fold(w) for w in lexicon("linking")["place_heads"]}
    before = [fold(t.text) for t in doc[max(0, span.start - 3) : span.start]]
    while before and before[-1] in {"de", "du", "d'", "d’", "des", "la"}:
        before.pop()
    return bool(before) and before[-1] in heads


def _as_location(doc: Doc, span: Span) -> bool:
    """Whether a capital is a place here.

    After "à", "dans", "vers"… it is a place ("à Pékin"); as a subject or object it stands for the
    state ("Pékin a nié").
    """
    markers = {fold(w) for w in lexicon("linking")["location_markers"]}
    prev = doc[span.start - 1] if span.start > 0 else None
    return prev is not None and fold(prev.text) in markers


def _sentence_of(doc: Doc, token_index: int, starts: list[int]) -> int:
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= token_index:
            lo = mid
        else:
            hi = mid - 1
    return lo


def link(doc: Doc, nlp: Language, published: str | None, inferred_year: int | None) -> list[Mention]:
    """Every entity mention of the parsed body, in text order."""
    kb = load_kb()
    m = _matchers(nlp)
    starts = [s.start for s in doc.sents]
    found: list[tuple[Span, Surface, Entity]] = []
    stoplist = set(lexicon("linking")["country_name_stoplist"])
    raw = [(mid, s, e) for mid, s, e in m.lower(doc)] + [(mid, s, e) for mid, s, e in m.exact(doc)]
    spans: list[Span] = []
    chosen: dict[tuple[int, int], tuple[Surface, Entity]] = {}
    for match_id, start, end in raw:
        span = doc[start:end]
        key = nlp.vocab.strings[match_id]
        candidates = []
        for surface in m.groups.get(key, []):
            entity = kb.get(surface.entity_id)
            if entity is None:
                continue
            if surface.case_sensitive and span.text != surface.text:
                continue
            if not surface.case_sensitive and not _case_ok(span, surface):
                continue
            candidates.append((surface, entity))
        if not candidates:
            continue
        surface, entity = _best(candidates)
        if entity.kind == "country" and surface.via == "name" and (_in_place_name(doc, span) or span.text in stoplist):
            continue
        if entity.kind == "country" and surface.via == "capital" and _as_location(doc, span):
            surface = Surface(surface.text, surface.entity_id, "location", surface.case_sensitive)
        chosen[(start, end)] = (surface, entity)
        spans.append(span)
    for span in filter_spans(spans):
        surface, entity = chosen[(span.start, span.end)]
        found.append((span, surface, entity))

    taken = {i for span, _, _ in found for i in range(span.start, span.end)}
    mentions = [_mention(doc, span, entity, surface.via, starts) for span, surface, entity in found]
    mentions += _compound_demonyms(doc, kb, taken, starts)
    mentions += _roles(doc, kb, taken, mentions, published, inferred_year, starts)
    mentions += _system_codes(doc, taken, starts)
    mentions += _ner_people(doc, kb, taken, starts)
    mentions += _ner_organizations(doc, taken, starts)
    mentions += _coreference(doc, taken, mentions, starts)
    return sorted(mentions, key=lambda x: x.start)


def _mention(doc: Doc, span: Span, entity: Entity, via: str, starts: list[int]) -> Mention:
    return Mention(
        start=span.start_char,
        end=span.end_char,
        text=span.text,
        sentence=_sentence_of(doc, span.start, starts),
        entity_id=entity.id,
        kind=entity.kind,
        via=via,
        name=entity.name,
        country=entity.country,
    )


def _roles(
    doc: Doc,
    kb: KnowledgeBase,
    taken: set[int],
    mentions: list[Mention],
    published: str | None,
    inferred_year: int | None,
    starts: list[int],
) -> list[Mention]:
    """Resolve "le président russe", "son homologue turc" through the KB's roles."""
    roles = {fold(k): v for k, v in lexicon("linking")["roles"].items()}
    heads = {k.split()[0] for k in roles}
    demonym_at = {(mm.start, mm.end): mm.entity_id for mm in mentions if mm.kind == "country" and mm.via == "demonym"}
    by_char = {mm.start: mm for mm in mentions}
    named = {mm.entity_id for mm in mentions if mm.kind == "person"}
    day = published or (str(inferred_year) if inferred_year else None)
    out: list[Mention] = []
    for token in doc:
        if fold(token.text) not in heads or token.i in taken:
            continue
        window = doc[token.i : min(len(doc), token.i + 8)]
        country = None
        words: list[str] = []
        end = token.i
        for t in window:
            iso = demonym_at.get((t.idx, t.idx + len(t.text)))
            if iso and country is None:
                country = iso
                end = t.i
                continue
            words.append(fold(t.text))
            if t.is_punct or t.i in taken:
                break
        if country is None:
            continue
        phrase = " ".join(words).replace(" '", "'").replace("' ", "'")
        role = None
        for text, code in sorted(roles.items(), key=lambda kv: -len(kv[0])):
            if phrase.startswith(text):
                role = code
                end = max(end, token.i + len(text.replace("'", "' ").split()) - 1)
                break
        if role is None:
            continue
        # A name right after the description ("le président russe Vladimir Poutine") is the
        # mention; the description adds nothing.
        nxt = doc[end + 1] if end + 1 < len(doc) else None
        if nxt is not None and nxt.idx in by_char and by_char[nxt.idx].kind == "person":
            continue
        person = _resolve_role(kb, role, country, named, day, token, [*mentions, *out])
        if person is None:
            continue
        span = doc[token.i : end + 1]
        out.append(_mention(doc, span, person, "role", starts))
        named.add(person.id)
    return out


def _resolve_role(
    kb: KnowledgeBase,
    role: str,
    country: str,
    named: set[str],
    day: str | None,
    token: Token,
    mentions: list[Mention],
) -> Entity | None:
    wanted = (
        [role]
        if role != "counterpart"
        else [
            "defence_minister",
            "foreign_minister",
            "head_of_state",
            "head_of_government",
        ]
    )
    if role == "counterpart":
        # Counterpart of the other person of the sentence: same post, other country.
        sent = token.sent
        others = [
            kb.get(mm.entity_id)
            for mm in mentions
            if mm.kind == "person" and sent.start_char <= mm.start < sent.end_char
        ]
        posts = [r.role for p in others if p for r in p.roles if r.role in wanted and (day is None or r.held_on(day))]
        if posts:
            wanted = posts[:1]
    candidates = [p for r in wanted for p in kb.people_with_role(r, country)]
    # "son homologue russe et Vladimir Poutine": someone named in the same sentence is not
    # the person the description stands for.
    sent = token.sent
    in_sentence = {mm.entity_id for mm in mentions if sent.start_char <= mm.start < sent.end_char and mm.via != "role"}
    candidates = [p for p in candidates if p.id not in in_sentence]
    if not candidates:
        return None
    mentioned = [p for p in candidates if p.id in named]
    if mentioned:
        return mentioned[0]
    if day is None:
        return None
    holding = [
        p for p in candidates if any(r.role in wanted and r.country == country and r.held_on(day) for r in p.roles)
    ]
    return holding[0] if len(holding) == 1 else None


@cache
def _compound_parts() -> tuple[dict[str, str], dict[str, str]]:
    kb = load_kb()
    prefixes = {fold(s.text): s.entity_id for s in kb.surfaces if s.via == "prefix"}
    demonyms = {fold(s.text): s.entity_id for s in kb.surfaces if s.via == "demonym"}
    return prefixes, demonyms


def _compound_demonyms(doc: Doc, kb: KnowledgeBase, taken: set[int], starts: list[int]) -> list[Mention]:
    """Both states of a compound adjective: "sino-russe", "indo-américain", "franco-indien"."""
    prefixes, demonyms = _compound_parts()
    out = []
    for token in doc:
        if token.i in taken or "-" not in token.text:
            continue
        parts = token.text.split("-")
        if len(parts) < 2 or fold(parts[-1]) not in demonyms or not all(fold(p) in prefixes for p in parts[:-1]):
            continue
        offset = token.idx
        for i, part in enumerate(parts):
            iso = demonyms[fold(part)] if i == len(parts) - 1 else prefixes[fold(part)]
            entity = kb.get(iso)
            if entity is not None:
                out.append(
                    Mention(
                        offset,
                        offset + len(part),
                        part,
                        _sentence_of(doc, token.i, starts),
                        iso,
                        "country",
                        "demonym",
                        iso,
                        iso,
                    )
                )
            offset += len(part) + 1
        taken.add(token.i)
    return out


def _system_codes(doc: Doc, taken: set[int], starts: list[int]) -> list[Mention]:
    """Designations the KB lacks but that read like one ("KF-21", "HQ-9B")."""
    exclusions = set(lexicon("linking")["system_code_exclusions"])
    out = []
    for token in doc:
        if token.i in taken or not SYSTEM_CODE.match(token.text) or token.text in exclusions:
            continue
        digits = re.sub(r"\D", "", token.text)
        if len(digits) == 4 or digits.startswith("0"):  # a year ("MILEX-2021"), a serial ("RB-001")
            continue
        entity = Entity(f"system:local:{fold(token.text)}", "system", token.text)
        out.append(_mention(doc, doc[token.i : token.i + 1], entity, "pattern", starts))
        taken.add(token.i)
    return out


def _ner_people(doc: Doc, kb: KnowledgeBase, taken: set[int], starts: list[int]) -> list[Mention]:
    """People spaCy finds that the KB does not know, under a stable local id."""
    not_people = set(lexicon("linking")["not_people"])
    out = []
    for ent in doc.ents:
        if ent.label_ != "PER" or any(i in taken for i in range(ent.start, ent.end)):
            continue
        words = [t.text for t in ent]
        if len(words) < 2 or len(words) > 4 or words[0] in not_people:
            continue
        if not all(w[0].isupper() or w in {"de", "bin", "ben", "al", "el", "van", "von"} for w in words):
            continue
        if any(ch.isdigit() for ch in ent.text) or "\n" in ent.text:
            continue
        name = " ".join(words)
        entity = Entity("person:local:" + re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-"), "person", name)
        out.append(_mention(doc, ent, entity, "ner", starts))
        taken.update(range(ent.start, ent.end))
    return out


def _ner_organizations(doc: Doc, taken: set[int], starts: list[int]) -> list[Mention]:
    """Organisations spaCy finds that the KB does not know, under a stable local id.

    They are stored as mentions (so they can be reviewed and merged into the KB later) but
    are not reported as document facts: spaCy's ORG label is too noisy in news text
    ("F-35" and "M1A2 SEPv3 Abrams" come out as ORG).
    """
    out = []
    for ent in doc.ents:
        if ent.label_ != "ORG" or any(i in taken for i in range(ent.start, ent.end)):
            continue
        words = [t.text for t in ent if not t.is_punct]
        if not words or len(words) > 6 or "\n" in ent.text or any(ch.isdigit() for ch in ent.text):
            continue
        if not words[0][:1].isupper():
            continue
        slug = re.sub(r"[^a-z0-9]+", "-", fold(" ".join(words))).strip("-")
        entity = Entity(f"org:local:{slug}", "organization", " ".join(words))
        out.append(_mention(doc, ent, entity, "ner", starts))
        taken.update(range(ent.start, ent.end))
    return out


def _coreference(doc: Doc, taken: set[int], mentions: list[Mention], starts: list[int]) -> list[Mention]:
    """A later single-word mention of a person named in full earlier ("Li", "Erdogan")."""
    kb = load_kb()
    parts: dict[str, set[str]] = defaultdict(set)
    names: dict[str, str] = {}
    for mm in mentions:
        if mm.kind != "person":
            continue
        names[mm.entity_id] = mm.name
        for word in re.findall(r"[^\W\d_]{2,}", mm.text + " " + mm.name):
            if word[0].isupper():
                parts[fold(word)].add(mm.entity_id)
    out = []
    first_seen = {mm.entity_id: mm.start for mm in sorted(mentions, key=lambda x: x.start)}
    for token in doc:
        if token.i in taken or not token.text[:1].isupper() or token.is_stop:
            continue
        ids = parts.get(fold(token.text))
        if not ids or len(ids) != 1:
            continue
        (pid,) = ids
        if token.idx < first_seen.get(pid, 0) and not pid.startswith("person:"):
            continue
        entity = kb.get(pid) or Entity(pid, "person", names[pid])
        out.append(_mention(doc, doc[token.i : token.i + 1], entity, "coreference", starts))
        taken.add(token.i)
    return out

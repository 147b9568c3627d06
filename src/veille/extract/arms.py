"""ARMS_TRANSFER: who transfers which system to whom, at which stage.

For every trigger of ``data/patterns/triggers.json`` in a sentence: triggers governed by a
heavier trigger of the same clause give way to it ("a signé un accord sur la livraison" is one
CONTRACT); each weapon-system mention goes to its nearest trigger in the parse; supplier and
recipient come from the grammar around the trigger (subject, "à X", "par X", "avec X", "de X"),
then from the system's origin in the KB, then from the document's previous facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from spacy.tokens import Span, Token

from veille.extract.attributes import attribution, quantity, value, when
from veille.extract.context import (
    DocContext,
    case_marker,
    clause_head,
    dominates,
    lemma,
    patterns,
    phrase_tokens,
    subject_of,
    tree_distance,
)
from veille.extract.modality import modality
from veille.models import Event, Mention
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


@cache
def _generic() -> set[str]:
    return {fold(w) for w in patterns("triggers")["generic_arms"]}


def find_triggers(sent: Span) -> list[Trigger]:
    """Arms-transfer triggers of a sentence, after heavier governors absorbed lighter ones."""
    lex = _lexicon()
    found = []
    for token in sent:
        entry = lex.get(fold(lemma(token))) or lex.get(fold(token.text))
        if entry is None or token.pos_ not in {"VERB", "NOUN", "ADJ", "AUX"}:
            continue
        found.append(Trigger(token, entry["stage"], entry["weight"], entry.get("agent"), entry.get("by"), entry))
    kept = []
    for t in found:
        absorbed = any(
            o is not t and dominates(o.token, t.token) and o.weight >= t.weight for o in found
        ) or any(o is not t and dominates(t.token, o.token) and o.weight > t.weight for o in found)
        if not absorbed:
            kept.append(t)
    return kept


def _role_of(ctx: DocContext, mention_token: Token, trig: Trigger) -> str | None:
    """The part a country mention plays for the trigger: supplier, recipient or None."""
    token = mention_token
    marker = case_marker(token)
    head = clause_head(trig.token)
    subject = subject_of(head) if trig.token.pos_ != "VERB" else subject_of(trig.token)
    is_subject = subject is not None and token.i in phrase_tokens(subject)
    if token.dep_ == "nsubj" and token.head.i in {trig.token.i, head.i}:
        is_subject = True
    agent = trig.agent if trig.token.pos_ in {"VERB", "ADJ", "AUX"} else trig.by
    if is_subject and token.dep_ != "nsubj:pass":
        if agent in {"supplier", "recipient"}:
            return agent
        return "either"
    if token.dep_ == "nsubj:pass":
        return "recipient" if trig.stage in {"DELIVERY", "OFFER"} else None
    if marker in {"a", "au", "aux"}:
        return "recipient" if agent in {"supplier", "either", None} or trig.stage in {"DELIVERY", "OFFER", "CONTRACT"} else "supplier"
    if marker == "par":
        return trig.by or agent
    if marker in {"avec", "aupres", "de", "du", "des", "d"}:
        return "supplier" if agent in {"recipient", "either"} else None
    if token.dep_ == "amod" and token.head.pos_ in {"NOUN", "PROPN"}:
        # "les S-400 russes": origin; "les autorités turques", "l'arsenal de son pays": the buyer.
        if ctx.by_token.get(token.head.i) is not None and ctx.by_token[token.head.i].kind == "system":
            return "supplier"
        return "recipient" if agent == "recipient" else None
    return None


def _assign_systems(ctx: DocContext, sent: Span, triggers: list[Trigger]) -> dict[int, list[Mention]]:
    out: dict[int, list[Mention]] = {t.token.i: [] for t in triggers}
    for mention, token in ctx.mention_tokens(sent, "system"):
        nearest = min(triggers, key=lambda t: (tree_distance(t.token, token), abs(t.token.i - token.i)))
        out[nearest.token.i].append(mention)
    return out


def _generic_object(trig: Trigger) -> bool:
    generic = _generic()
    for t in trig.token.subtree:
        if fold(lemma(t)) in generic or fold(t.text) in generic:
            return True
    return any(fold(lemma(c)) in generic for c in trig.token.head.children)


def extract_arms(ctx: DocContext, memory: dict[str, Any]) -> list[Event]:
    """Every arms-transfer mention of the document, sentence by sentence."""
    events: list[Event] = []
    for index, sent in enumerate(ctx.sentences):
        triggers = find_triggers(sent)
        if not triggers:
            continue
        systems = _assign_systems(ctx, sent, triggers)
        countries = ctx.mention_tokens(sent, "country")
        persons = ctx.mention_tokens(sent, "person")
        for trig in triggers:
            assigned = systems[trig.token.i]
            explicit_only = False
            if not assigned:
                if trig.entry.get("needs_system") or not _generic_object(trig):
                    continue
                previous = memory.get("last_system")
                earlier = [m for m, t in ctx.mention_tokens(sent, "system") if t.i < trig.token.i]
                if earlier:
                    assigned = [earlier[-1]]
                elif previous is not None and trig.token.pos_ in {"VERB"} and memory.get("last_sentence") == index - 1:
                    assigned = [previous]
                else:
                    assigned = [None]  # type: ignore[list-item]
                    explicit_only = True
            roles: dict[str, list[str]] = {"supplier": [], "recipient": [], "either": []}
            for mention, token in countries:
                role = _role_of(ctx, token, trig)
                if role:
                    roles[role].append(mention.entity_id)
            for mention, token in persons:
                country = ctx.person_country.get(mention.entity_id)
                role = _role_of(ctx, token, trig)
                if country and role:
                    roles[role].append(country)
            for system in assigned:
                event = _build(ctx, sent, index, trig, system, roles, countries, explicit_only, memory)
                if event is not None:
                    events.append(event)
        sys_mentions = ctx.mention_tokens(sent, "system")
        if sys_mentions:
            memory["last_system"] = sys_mentions[-1][0]
            memory["last_sentence"] = index
    return events


def _build(
    ctx: DocContext,
    sent: Span,
    index: int,
    trig: Trigger,
    system: Mention | None,
    roles: dict[str, list[str]],
    countries: list[tuple[Mention, Token]],
    explicit_only: bool,
    memory: dict[str, Any],
) -> Event | None:
    origin = ctx.kb_origin.get(system.entity_id) if system else None
    supplier = roles["supplier"][0] if roles["supplier"] else origin
    if supplier is None and roles["either"] and explicit_only:
        supplier = roles["either"][0]
    recipients = [c for c in roles["recipient"] + roles["either"] if c != supplier]
    recipient = recipients[0] if recipients else None
    if recipient is None and not explicit_only:
        others = [
            (abs(t.i - trig.token.i), m.entity_id)
            for m, t in countries
            if m.entity_id != supplier and m.via != "capital"
        ]
        if others:
            recipient = min(others)[1]
        elif system is not None:
            recipient = memory.get(("recipient", ctx.kb_family.get(system.entity_id)))
    if supplier is None and recipient is not None and not explicit_only and system is not None:
        supplier = memory.get(("supplier", ctx.kb_family.get(system.entity_id)))
    if supplier is None or recipient is None or supplier == recipient:
        return None
    stage = trig.stage
    if trig.entry.get("recipient_stage") and supplier in roles["either"] + roles["recipient"] and recipient not in roles["either"]:
        stage = trig.entry["recipient_stage"]
    subject_countries = roles["either"]
    if trig.entry.get("recipient_stage") and recipient in subject_countries:
        stage = trig.entry["recipient_stage"]
    mood = modality(trig.token, sent)
    if trig.entry.get("negated_only"):
        if mood != "DENIED":
            return None
        mood = "ASSERTED"
    fields: dict[str, Any] = {
        "supplier": supplier,
        "recipient": recipient,
        "system": system.name if system else None,
        "stage": stage,
    }
    qty = quantity(sent)
    if qty:
        fields["quantity"], fields["unit"] = qty
    money = value(sent)
    if money:
        fields["value"] = money
    if system is not None:
        family = ctx.kb_family.get(system.entity_id)
        memory[("recipient", family)] = recipient
        memory[("supplier", family)] = supplier
    return Event(
        type="ARMS_TRANSFER",
        fields=fields,
        modality=mood,
        when=when(ctx, trig.token, sent),
        sentences=[index],
        trigger=trig.token.text,
        trigger_span=(trig.token.idx, trig.token.idx + len(trig.token.text)),
        confidence=0.8 if system else 0.6,
        attribution=attribution(ctx, sent),
        args={"system": (system.start, system.end)} if system else {},
    )

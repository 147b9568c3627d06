"""MEETING, EXERCISE, SANCTION and AGREEMENT: the cooperation facts around arms deals."""

from __future__ import annotations

from functools import cache
from typing import Any

from spacy.tokens import Span, Token

from veille.extract.attributes import attribution, when
from veille.extract.context import DocContext, case_marker, lemma, patterns, subject_of
from veille.extract.modality import modality
from veille.models import Event, Mention
from veille.resources import fold


@cache
def _words(key: str) -> set[str]:
    return {fold(w) for w in patterns("triggers")[key]}


def _triggers(sent: Span, key: str) -> list[Token]:
    words = _words(key)
    out = []
    for token in sent:
        lem = fold(lemma(token))
        if lem in words or fold(token.text) in words:
            out.append(token)
        elif lem == "jeu" and key == "exercise" and "guerre" in fold(sent.text[token.idx - sent.start_char :][:25]):
            out.append(token)
    return out


def _event(type_: str, fields: dict[str, Any], ctx: DocContext, trig: Token, sent: Span, index: int) -> Event:
    return Event(
        type=type_,
        fields=fields,
        modality=modality(trig, sent),
        when=when(ctx, trig, sent),
        sentences=[index],
        trigger=trig.text,
        trigger_span=(trig.idx, trig.idx + len(trig.text)),
        confidence=0.6,
        attribution=attribution(ctx, sent),
    )


def _location(ctx: DocContext, sent: Span) -> str | None:
    """A place the sentence puts the fact in: "à Moscou", "dans l'océan Arctique"."""
    for mention, token in ctx.mention_tokens(sent, "place") + ctx.mention_tokens(sent, "country"):
        if mention.kind == "place" or mention.via == "capital":
            marker = case_marker(token)
            if mention.kind == "place" or marker in {"a", "au", "dans", "en", "pres de", "pres"}:
                return ctx.place_names.get(mention.entity_id, mention.text)
    return None


def extract_meetings(ctx: DocContext) -> list[Event]:
    """Meetings between named people (or states when no person is named)."""
    events = []
    speech = _words("speech_verbs")
    for index, sent in enumerate(ctx.sentences):
        triggers = _triggers(sent, "meeting")
        if not triggers:
            continue
        people: list[Mention] = []
        for mention, token in ctx.mention_tokens(sent, "person"):
            # The speaker of "a déclaré X" is not a participant unless the trigger is his verb.
            if token.dep_ == "nsubj" and fold(lemma(token.head)) in speech and token.head.i not in {t.i for t in triggers}:
                if not any(t.head.i == token.head.i or t.i == token.head.i for t in triggers):
                    continue
            if mention.name not in [p.name for p in people]:
                people.append(mention)
        trig = triggers[0]
        is_visit = fold(lemma(trig)) in {"visite", "visiter", "sommet"}
        if len(people) >= 2 or (people and is_visit):
            fields = {"participants": [p.name for p in people], "location": _location(ctx, sent)}
            events.append(_event("MEETING", fields, ctx, trig, sent, index))
    return events


def extract_exercises(ctx: DocContext) -> list[Event]:
    """Joint drills, patrols and manoeuvres with their participating states."""
    events = []
    joint = _words("exercise_joint")
    for index, sent in enumerate(ctx.sentences):
        triggers = _triggers(sent, "exercise")
        if not triggers:
            continue
        trig = triggers[0]
        states = []
        for mention, token in ctx.mention_tokens(sent, "country"):
            if mention.via == "capital" and case_marker(token) in {"a"} and token.dep_ != "nsubj":
                continue
            if mention.entity_id not in states:
                states.append(mention.entity_id)
        is_joint = any(fold(lemma(t)) in joint for t in sent) or "deux" in fold(sent.text)
        if is_joint and len(states) < 2:
            for c in ctx.salient_countries[:2]:
                if c not in states:
                    states.append(c)
        if not states:
            continue
        fields = {"participants": states, "location": _location(ctx, sent)}
        events.append(_event("EXERCISE", fields, ctx, trig, sent, index))
    return events


def extract_sanctions(ctx: DocContext) -> list[Event]:
    """Sanctions: who imposes them on whom, under which instrument."""
    events = []
    for index, sent in enumerate(ctx.sentences):
        triggers = _triggers(sent, "sanction")
        if not triggers:
            continue
        trig = triggers[0]
        imposer = target = None
        for mention, token in ctx.mention_tokens(sent, "country"):
            marker = case_marker(token)
            if marker == "par" or (token.dep_ == "nsubj" and subject_of(token.head) is token):
                imposer = imposer or mention.entity_id
        for mention, token in ctx.mention_tokens(sent, "person"):
            if fold(lemma(token.head)) in _words("sanction") or any(fold(lemma(c)) in _words("sanction") for c in token.children):
                target = target or ctx.person_country.get(mention.entity_id)
        others = [m.entity_id for m, _ in ctx.mention_tokens(sent, "country") if m.entity_id != imposer]
        if imposer is None and others:
            imposer = others.pop(0)
        target = target or (others[0] if others else None)
        if not imposer or not target or imposer == target:
            continue
        fields: dict[str, Any] = {"imposer": imposer, "target": target}
        if "caatsa" in fold(sent.text):
            fields["instrument"] = "CAATSA"
        events.append(_event("SANCTION", fields, ctx, trig, sent, index))
    return events


def extract_agreements(ctx: DocContext) -> list[Event]:
    """Pledges to strengthen cooperation, and non-arms accords between states."""
    events = []
    actions, objects, cues = _words("agreement_actions"), _words("agreement_objects"), _words("agreement_cues")
    for index, sent in enumerate(ctx.sentences):
        lemmas = {fold(lemma(t)) for t in sent} | {fold(t.text) for t in sent}
        if not (lemmas & actions and lemmas & objects and lemmas & cues):
            continue
        if ctx.mention_tokens(sent, "system"):
            continue
        trig = next(t for t in sent if fold(lemma(t)) in actions or fold(t.text) in actions)
        states = []
        for mention, _ in ctx.mention_tokens(sent, "country"):
            if mention.entity_id not in states:
                states.append(mention.entity_id)
        if len(states) < 2 and ("deux" in fold(sent.text) or "leur" in fold(sent.text)):
            for c in ctx.salient_countries[:2]:
                if c not in states:
                    states.append(c)
        if len(states) < 2:
            continue
        subject = "military cooperation" if "milit" in fold(sent.text) or "arm" in fold(sent.text) or "defense" in fold(sent.text) else "cooperation"
        events.append(_event("AGREEMENT", {"parties": states, "subject": subject}, ctx, trig, sent, index))
    return events

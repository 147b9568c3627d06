"""MEETING, EXERCISE, SANCTION and AGREEMENT: the cooperation facts around arms deals."""

from __future__ import annotations

from typing import Any

from spacy.tokens import Span, Token

from veille.extract.attributes import attribution, governing_timex, planned_day
from veille.extract.context import (
    DocContext,
    attached,
    case_marker,
    clause_head,
    folded,
    lemma,
    patterns,
    phrase_tokens,
    subject_of,
    trigger_words,
)
from veille.extract.modality import modality
from veille.models import Event, Mention
from veille.resources import fold


def _triggers(sent: Span, key: str) -> list[Token]:
    words = trigger_words(key)
    lemmas, texts = folded(sent.doc)
    # "Les deux dirigeants s'étaient déjà vus": some verbs meet only when reflexive.
    reflexive = trigger_words(f"{key}_reflexive") if f"{key}_reflexive" in patterns("triggers") else set()
    out = []
    for i in range(sent.start, sent.end):
        lem = lemmas[i]
        if (
            lem in words
            or texts[i] in words
            or (lem in reflexive and any(fold(c.text) in {"se", "s'", "s’"} for c in sent.doc[i].children))
            or (lem == "jeu" and key == "exercise" and "guerre" in texts[i + 1 : min(i + 4, sent.end)])
        ):
            out.append(sent.doc[i])
    return out


def _event(type_: str, fields: dict[str, Any], ctx: DocContext, trig: Token, sent: Span, index: int) -> Event:
    mood = modality(trig, sent)
    timex = governing_timex(ctx, trig, sent)
    return Event(
        type=type_,
        fields=fields,
        modality="POSSIBLE" if mood == "IRREALIS" else mood,
        when=planned_day(timex, mood, ctx.published),
        args={"when": (timex.start, timex.end)} if timex is not None else {},
        sentences=[index],
        trigger=trig.text,
        trigger_span=(trig.idx, trig.idx + len(trig.text)),
        confidence=0.6,
        attribution=attribution(ctx, sent),
    )


def _location(ctx: DocContext, sent: Span, trig: Token) -> str | None:
    """A place the sentence puts the fact in: "à Moscou", "dans l'océan Arctique"."""
    for mention, token in ctx.mention_tokens(sent, "place") + ctx.mention_tokens(sent, "country"):
        if mention.kind != "place" and mention.via not in {"capital", "location"}:
            continue
        marker = case_marker(token)
        if marker in {"a", "au", "dans", "en", "pres", "pres de", "sur", "vers"} and attached(token, trig, 4):
            return ctx.place_names.get(mention.entity_id, mention.text)
    return None


def _participants(ctx: DocContext, sent: Span, trig: Token, kind: str, *, relative: bool = False) -> list[Mention]:
    """Mentions that take part in the trigger's fact.

    Its own phrase ("la visite de X", "rencontre avec X"), the subject of its clause, and their
    demonyms ("les gardes côtiers
    chinois et russes").
    """
    head = clause_head(trig)
    subject = subject_of(head) if head.pos_ in {"VERB", "AUX"} else None
    zone = {t.i for t in trig.subtree}
    for child in trig.children:
        if child.dep_ in {"advcl", "ccomp"} or (child.dep_ == "acl:relcl" and not relative):
            zone -= {t.i for t in child.subtree}
    if any(fold(c.text) in {"leur", "leurs"} for c in trig.children if c.dep_ in {"det", "nmod:poss"}):
        # "lors de leur rencontre": the two sides are the clause's subject and its "à X".
        zone |= {
            t.i
            for c in head.children
            if c.dep_.startswith(("obl", "iobj")) and case_marker(c) in {"a", "avec"}
            for t in c.subtree
        }
    if (
        subject is not None
        and (head.i == trig.i or trig.pos_ == "NOUN")
        and trig.i not in {t.i for t in subject.subtree}
    ):
        zone |= phrase_tokens(subject) | {t.i for t in subject.subtree if t.dep_ == "amod"}
    zone |= _named_counterparts(ctx, trig, zone) | _relative_sides(head, subject) | _conjoined_phrase(trig)
    out: list[Mention] = []
    for mention, token in ctx.mention_tokens(sent, kind):
        if token.i in zone and mention not in out:
            out.append(mention)
    return out


def _conjoined_phrase(trig: Token) -> set[int]:
    """The phrase a noun trigger is coordinated with: "à l'initiative de X et en présence de Y".

    Two coordinated adjuncts describe one occasion, so the person of the other one takes part.
    """
    if trig.pos_ != "NOUN" or trig.dep_ != "conj" or trig.head.pos_ != "NOUN":
        return set()
    other = trig.head
    return {t.i for t in other.subtree if t.i < trig.i and not _in_clause_below(t, other)}


def _in_clause_below(token: Token, top: Token) -> bool:
    """Whether ``token`` sits in a clause embedded under ``top`` (a relative, a complement)."""
    node = token
    while node.i != top.i and node.head.i != node.i:
        if node.dep_ in {"acl:relcl", "acl", "advcl", "ccomp"}:
            return True
        node = node.head
    return False


def _relative_sides(head: Token, subject: Token | None) -> set[int]:
    """The sides a relative clause names through its pronouns.

    "… en compagnie de l'émir Tamim, avec lequel il a eu un entretien": "lequel" stands for the
    phrase the clause qualifies, and the personal pronoun subject for the main clause's subject.
    """
    if head.dep_ != "acl:relcl" or not any("Rel" in c.morph.get("PronType") for c in head.children):
        return set()
    antecedent = head.head
    out = phrase_tokens(antecedent)
    if subject is not None and subject.pos_ == "PRON" and "Rel" not in subject.morph.get("PronType"):
        main_subject = subject_of(clause_head(antecedent))
        if main_subject is not None:
            out |= phrase_tokens(main_subject)
    return out


def _named_counterparts(ctx: DocContext, trig: Token, zone: set[int]) -> set[int]:
    """The name that follows a counterpart noun of the trigger's phrase ("son homologue russe, X").

    The parser often hangs that apposition on the main verb; the words right after the noun's
    phrase, past a comma, are still its name (``counterpart_nouns`` of triggers.json).
    """
    nouns = trigger_words("counterpart_nouns")
    out: set[int] = set()
    doc = trig.doc
    for i in sorted(zone):
        token = doc[i]
        if fold(lemma(token)) not in nouns or token.head.i != trig.i:
            continue
        nxt = token.right_edge.i + 1
        while nxt < len(doc) and doc[nxt].pos_ == "PUNCT" and doc[nxt].text == ",":
            nxt += 1
        mention = ctx.by_token.get(nxt)
        if nxt > token.right_edge.i + 1 and mention is not None and mention.kind == "person":
            out |= {t.i for t in doc[nxt:] if ctx.by_token.get(t.i) is mention}
    return out


def _own_phrase(ctx: DocContext, sent: Span, trig: Token, kind: str) -> list[Mention]:
    """Mentions inside the trigger's own phrase only ("les exercices sino-russes")."""
    zone = {t.i for t in trig.subtree}
    return [m for m, tok in ctx.mention_tokens(sent, kind) if tok.i in zone]


def _pair_by_description(ctx: DocContext, sent: Span) -> list[Mention]:
    """The people a pair description stands for.

    In "les deux présidents se sont rencontrés", the two main states' holders of that post
    named elsewhere in the article.
    """
    text = fold(sent.text)
    wanted = [
        role for words, role in patterns("triggers")["pair_descriptions"].items() if f"deux {fold(words)}" in text
    ]
    if not wanted or len(ctx.salient_countries) < 2:
        return []
    out = []
    for country in ctx.salient_countries[:2]:
        holders = [
            m
            for m in ctx.mentions
            if m.kind == "person"
            and ctx.state_of.get(m.entity_id) == country
            and wanted[0] in ctx.person_roles.get(m.entity_id, set())
        ]
        if holders:
            out.append(holders[0])
    return out if len(out) == 2 else []


def _one_state(ctx: DocContext, sent: Span, people: list[Mention]) -> bool:
    """Whether every participant serves the same state and the sentence names no other one.

    Meetings the desk follows are between states; two leaders of one country at a ceremony
    are not one. A participant of unknown nationality keeps the meeting.
    """
    states = {ctx.state_of.get(p.entity_id) for p in people}
    if len(states) != 1 or None in states:
        return False
    named = {m.entity_id for m, _ in ctx.mention_tokens(sent, "country")}
    return named <= states


def extract_meetings(ctx: DocContext) -> list[Event]:
    """Meetings between named people; a visit may have a single named visitor."""
    events = []
    for index, sent in enumerate(ctx.sentences):
        for trig in _triggers(sent, "meeting"):
            people: list[Mention] = []
            for mention in _participants(ctx, sent, trig, "person", relative=True):
                if mention.name not in [p.name for p in people]:
                    people.append(mention)
            if len(people) < 2:
                people += [p for p in _pair_by_description(ctx, sent) if p.name not in {q.name for q in people}]
            is_visit = fold(lemma(trig)) in {"visite", "visiter"}
            if len(people) >= 2 and _one_state(ctx, sent, people):
                continue  # "en présence du président et du Premier ministre": a domestic occasion
            if len(people) >= 2 or (people and is_visit):
                fields = {"participants": [p.name for p in people], "location": _location(ctx, sent, trig)}
                events.append(_event("MEETING", fields, ctx, trig, sent, index))
    return events


def extract_exercises(ctx: DocContext) -> list[Event]:
    """Joint drills, patrols and manoeuvres with their participating states."""
    events = []
    joint = trigger_words("exercise_joint")
    for index, sent in enumerate(ctx.sentences):
        triggers = _triggers(sent, "exercise")
        if not triggers:
            continue
        trig = triggers[0]
        conduct = trigger_words("exercise_conduct_verbs")
        head = clause_head(trig)
        runs_it = head.i == trig.i or fold(lemma(head)) in conduct or trig.dep_.startswith("nsubj")
        zone_mentions = (
            _participants(ctx, sent, trig, "country") if runs_it else _own_phrase(ctx, sent, trig, "country")
        )
        states = list(dict.fromkeys(m.entity_id for m in zone_mentions if m.via != "location"))
        for mention in _participants(ctx, sent, trig, "person"):
            country = ctx.state_of.get(mention.entity_id)
            if country and country not in states:
                states.append(country)
        words = {fold(lemma(t)) for t in sent} | {fold(t.text) for t in sent}
        is_joint = bool(words & joint) or "deux" in words
        if is_joint and len(states) < 2:
            for c in ctx.salient_countries[:2]:
                if c not in states:
                    states.append(c)
        if not states or (len(states) == 1 and not runs_it):
            continue  # "tenu à l'écart de l'exercice": named, but not taking part
        fields = {"participants": states, "location": _location(ctx, sent, trig)}
        events.append(_event("EXERCISE", fields, ctx, trig, sent, index))
    return events


def _sanction_sides(ctx: DocContext, sent: Span, trig: Token) -> tuple[str | None, str | None]:
    """Imposer and target of a sanction trigger, from the grammar around it.

    "X sanctionne Y" / "Y est sanctionné par X" / "X impose des sanctions à Y" /
    "les sanctions de X contre Y" / "Y s'expose à des sanctions (de X)".
    """
    imposing, suffering = trigger_words("sanction_imposing_verbs"), trigger_words("sanction_suffering_verbs")
    # People and state bodies stand for their state ("le général Li", "la SSB", "l'EDD").
    people = [
        (ctx.state_of.get(m.entity_id), tok)
        for m, tok in ctx.mention_tokens(sent, "person") + ctx.mention_tokens(sent, "organization")
    ]
    sides = [(m.entity_id, tok) for m, tok in ctx.mention_tokens(sent, "country") if m.via != "location"]
    sides += [(c, tok) for c, tok in people if c]
    imposer = target = None

    def role(tok: Token) -> str | None:
        marker = case_marker(tok)
        if marker == "par":
            return "imposer"
        if marker in {"contre", "a", "au", "aux", "visant", "sur"}:
            return "target"
        if marker in {"de", "des", "du", "d"} and tok.head.i == trig.i:
            return "imposer"
        if tok.dep_ == "amod" and tok.head.i == trig.i:
            return "imposer"  # "les sanctions américaines"
        return None

    head = trig if trig.pos_ == "VERB" else trig.head
    verb = fold(lemma(head))
    subject = subject_of(head) if head.pos_ in {"VERB", "AUX"} else None
    subject_zone: set[int] = (
        phrase_tokens(subject) | {t.i for t in subject.subtree if t.dep_ == "amod"} if subject is not None else set()
    )
    passive = (subject is not None and subject.dep_ == "nsubj:pass") or any(c.dep_ == "aux:pass" for c in trig.children)
    if trig.pos_ in {"VERB", "ADJ"} and trig.dep_ == "acl":
        # "un général sanctionné par les États-Unis": the noun the participle qualifies (and
        # the name it stands in apposition to) is the target.
        node, hops = trig.head, 0
        while hops < 3:
            subject_zone |= {node.i} | {t.i for t in node.children if t.dep_ in {"flat:name", "flat", "amod"}}
            if node.dep_ not in {"appos", "flat:name", "nmod"} or node.head.i == node.i:
                break
            node, hops = node.head, hops + 1
        passive = True
    for iso, tok in sides:
        r = role(tok) if attached(tok, trig) else None
        if r is None and tok.i in subject_zone:
            if verb in suffering or passive:
                r = "target"
            elif trig.pos_ == "VERB" or verb in imposing:
                r = "imposer"
        phrase = tok.head if tok.dep_ in {"amod", "appos", "flat:name"} and tok.head.i != tok.i else tok
        if r is None and phrase.dep_ in {"obj", "iobj"} and phrase.head.i == head.i:
            r = "target"  # "Washington sanctionne l'armée chinoise"
        if r == "imposer" and imposer is None:
            imposer = iso
        elif r == "target" and target is None:
            target = iso
    return imposer, target


def extract_sanctions(ctx: DocContext) -> list[Event]:
    """Sanctions: who imposes them on whom, under which instrument."""
    events = []
    instruments = {fold(k): (k, v) for k, v in patterns("triggers")["sanction_instruments"].items()}
    for index, sent in enumerate(ctx.sentences):
        triggers = [t for t in _triggers(sent, "sanction") if fold(t.text) not in instruments]
        if not triggers:
            continue
        trig = triggers[0]
        imposer, target = _sanction_sides(ctx, sent, trig)
        named = [v for k, v in instruments.items() if k in fold(sent.text)]
        if imposer is None and named:
            imposer = named[0][1]  # CAATSA is a US law
        others = [
            m.entity_id
            for m, _ in ctx.mention_tokens(sent, "country")
            if m.entity_id != imposer and m.via != "location"
        ]
        if target is None and imposer is not None:
            # The parse lost the subject: the nearest state or person's state named before a
            # passive "a été sanctionné" is the target.
            before = [
                ctx.state_of.get(m.entity_id) if m.kind == "person" else m.entity_id
                for m, tok in ctx.mention_tokens(sent, "country") + ctx.mention_tokens(sent, "person")
                if tok.i < trig.i and m.via != "location"
            ]
            before = [c for c in before if c and c != imposer]
            if before and (trig.tag_ == "VERB" or any(c.dep_ == "aux:pass" for c in trig.children)):
                target = before[-1]
            elif len(set(others)) == 1:
                target = others[0]
        if not imposer or not target or imposer == target:
            continue
        fields: dict[str, Any] = {"imposer": imposer, "target": target}
        if named:
            fields["instrument"] = named[0][0]
        events.append(_event("SANCTION", fields, ctx, trig, sent, index))
    return events


def _parties(ctx: DocContext, sent: Span, trig: Token) -> list[str]:
    """States party to a pact.

    Named states, the states of the people who sign it, or the article's two main states for "les
    deux pays / dirigeants / ministres".
    """
    states: list[str] = []
    for mention, _ in ctx.mention_tokens(sent, "country"):
        if mention.via != "location" and mention.entity_id not in states:
            states.append(mention.entity_id)
    for mention, _ in ctx.mention_tokens(sent, "person"):
        country = ctx.state_of.get(mention.entity_id)
        if country and country not in states:
            states.append(country)
    text = fold(sent.text)
    if len(states) < 2 and (" deux " in f" {text} " or "leur" in text or "bilateral" in text):
        for c in ctx.salient_countries[:2]:
            if c not in states:
                states.append(c)
    return states


def extract_agreements(ctx: DocContext) -> list[Event]:
    """Pledges to strengthen cooperation, and pacts or partnerships states sign or unveil."""
    events = []
    actions, objects, cues = (
        trigger_words("agreement_actions"),
        trigger_words("agreement_objects"),
        trigger_words("agreement_cues"),
    )
    nouns, verbs = trigger_words("agreement_nouns"), trigger_words("agreement_verbs")
    for index, sent in enumerate(ctx.sentences):
        if ctx.mention_tokens(sent, "system"):
            continue  # an accord about weapons is a contract, not a cooperation pact
        folded_lemmas, folded_texts = folded(ctx.doc)
        lemmas = set(folded_lemmas[sent.start : sent.end]) | set(folded_texts[sent.start : sent.end])
        pledge = bool(lemmas & actions and lemmas & objects and lemmas & cues)
        if not (pledge or lemmas & nouns):
            continue
        pacts = [t for t in sent if fold(lemma(t)) in nouns and fold(lemma(t.head)) in verbs]
        if not (pledge or pacts):
            continue
        trig = pacts[0] if pacts else next(t for t in sent if fold(lemma(t)) in actions or fold(t.text) in actions)
        states = _parties(ctx, sent, trig)
        if len(states) < 2:
            continue
        if pacts:
            subject = " ".join(t.text for t in trig.subtree if t.dep_ in {"amod", "flat:name"} or t.i == trig.i)
        else:
            subject = (
                "military cooperation" if "milit" in fold(sent.text) or "defense" in fold(sent.text) else "cooperation"
            )
        events.append(_event("AGREEMENT", {"parties": states, "subject": subject}, ctx, trig, sent, index))
    return events

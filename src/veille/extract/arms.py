"""ARMS_TRANSFER: who transfers which system to whom, at which stage.

For every trigger of ``data/patterns/triggers.json`` in a sentence: triggers governed by a
heavier trigger of the same clause give way to it ("a signé un accord sur la livraison" is one
CONTRACT); each weapon-system mention goes to its nearest trigger in the parse; supplier and
recipient come from the grammar around the trigger (subject, "à X", "par X", "avec X", "de X"),
then from the system's origin in the KB, then from the document's previous facts.
"""

from __future__ import annotations

from typing import Any

from spacy.tokens import Span, Token

from veille.extract.attributes import attribution, dated_by, planned_day, quantity, value
from veille.extract.context import (
    NON_PARTY_MARKERS,
    DocContext,
    attached,
    case_marker,
    clause_head,
    lemma,
    patterns,
    phrase_marker,
    phrase_tokens,
    subject_of,
    tree_distance,
    trigger_words,
)
from veille.extract.modality import modality
from veille.extract.reference import (
    anaphoric,
    continued_deal,
    deal_reference,
    generic_object,
    order_of,
    referent,
)
from veille.extract.triggers import SentenceTriggers, Trigger, find_triggers
from veille.models import Event, Mention, Timex
from veille.resources import fold


def _role_of(ctx: DocContext, mention_token: Token, trig: Trigger) -> str | None:
    """The part a country mention plays for the trigger.

    Returns supplier | recipient | either (a subject of a two-sided trigger such as "signer"),
    or the weak forms ``supplier?`` when only a preposition like "de" or "avec" suggests it.
    """
    token = mention_token
    if token.dep_ == "nmod" and fold(lemma(token.head)) in trigger_words("theatre_nouns"):
        return None  # "des drones destinés à la guerre en Ukraine": where they are used
    marker = case_marker(token)
    if marker is None:
        # "au ministre indien de la Défense", "à son homologue, Rajnath Singh": the demonym or
        # the name stands for the phrase it qualifies, with that phrase's preposition.
        climb = token
        while (
            climb.dep_ in {"amod", "appos", "flat:name", "flat"}
            and case_marker(climb) is None
            and climb.head.pos_ in {"NOUN", "PROPN"}
        ):
            head_mention = ctx.by_token.get(climb.head.i)
            if (head_mention is not None and head_mention.kind == "system") or fold(lemma(climb.head)) in trigger_words(
                "generic_arms"
            ):
                break
            climb = climb.head
        if climb is not token and (case_marker(climb) is not None or climb.dep_.startswith("nsubj")):
            token, marker = climb, case_marker(climb)
    head = clause_head(trig.token)
    subject = subject_of(head) if trig.token.pos_ != "VERB" else subject_of(trig.token)
    # The subject of the verb governing a noun trigger is a party only when the noun is that
    # verb's argument ("X a signé un contrat"), not an adjunct ("… après la signature d'un
    # contrat avec la Grèce").
    if trig.token.pos_ == "NOUN" and not _argument_of_clause(trig.token):
        subject = None
    qualifies_system = token.dep_ == "amod" and getattr(ctx.by_token.get(token.head.i), "kind", None) == "system"
    # "Les Rafale émiriens doivent être livrés": the system is the subject, its demonym is not.
    is_subject = subject is not None and token.i in phrase_tokens(subject) and not qualifies_system
    if token.dep_ == "nsubj" and token.head.i in {trig.token.i, head.i}:
        is_subject = True
    # "reproche à l'EDD d'avoir acquis": the controller of an infinitive is its subject even
    # though it hangs, with its "à", on the governing verb.
    if marker is not None and not is_subject and not attached(token, trig.token):
        return None
    verbal = trig.token.pos_ in {"VERB", "ADJ", "AUX"}
    agent = trig.agent if verbal else trig.by
    if (
        verbal
        and trig.entry.get("reflexive_agent")
        and any(fold(c.text) in {"se", "s'", "s’"} for c in trig.token.children)
    ):
        agent = trig.entry["reflexive_agent"]
    if is_subject and token.dep_ != "nsubj:pass":
        # The subject of a verb trigger plays the verb's agent role; the subject of the verb
        # governing a noun trigger is only a party ("X a reçu le paiement": X is paid).
        if verbal and agent in {"supplier", "recipient"}:
            return agent
        if agent == "theme":
            return None
        return "either"
    if token.dep_ == "nsubj:pass":
        return "recipient" if trig.stage in {"DELIVERY", "OFFER"} else None
    if agent == "theme" and marker in {"a", "au", "aux", "en", "vers"}:
        return "recipient"  # "les S-400 sont arrivés en Inde"
    if (
        marker in {"a", "au", "aux"}
        and trig.token.pos_ == "NOUN"
        and trig.token.dep_.startswith("nsubj")
        and token not in trig.token.subtree
        and getattr(ctx.by_token.get(token.i), "via", None) in {"capital", "location"}
    ):
        return None  # "cette commande a été formalisée à Athènes": the verb's place, not the deal's
    if marker in {"a", "au", "aux"}:
        # "livrer/vendre à X": X receives; "acheter/commander à X": X sells.
        return "supplier" if agent == "recipient" else "recipient"
    if marker == "par":
        if verbal and agent == "either" and trig.entry.get("recipient_stage"):
            return "supplier"  # "des F-16 proposés par les États-Unis": the passive's agent offers
        return trig.by or agent
    if marker in {"avec", "aupres"}:
        return "counterparty"
    if marker in {"de", "du", "des", "d"}:
        return "supplier?" if agent in {"recipient", "either"} else None
    if token.dep_ == "amod" and token.head.pos_ in {"NOUN", "PROPN", "ADJ"}:
        # "… qui ont exigé qu'Ankara achète des batteries américaines": a demonym on the object
        # of another verb says nothing of this trigger's parties.
        if _separated(trig.token, token.head):
            return None
        # "les S-400 russes", "le système antimissile russe": origin; "les autorités turques":
        # the buyer when the trigger's agent is the buyer.
        head_mention = ctx.by_token.get(token.head.i)
        if head_mention is not None and head_mention.kind == "system":
            # "les S-400 russes" names the maker; "les Rafale émiriens" the owner.
            origin = ctx.kb_origin.get(head_mention.entity_id)
            mention = ctx.by_token.get(token.i)
            owner = origin is not None and mention is not None and mention.entity_id != origin
            return "recipient" if owner else "supplier"
        if fold(lemma(token.head)) in trigger_words("generic_arms"):
            return "supplier"
        return "recipient" if agent == "recipient" else None
    return None


def _argument_of_clause(token: Token) -> bool:
    """Whether the noun is a core argument of its clause's verb.

    Possibly through "de"-complements ("a signé le contrat d'achat").
    """
    node = token
    for _ in range(3):
        if node.dep_ in {"obj", "nsubj:pass", "obl:arg", "xcomp", "ROOT"}:
            return True
        if node.dep_ != "nmod":
            return False
        node = node.head
    return False


def _assign_systems(ctx: DocContext, sent: Span, triggers: SentenceTriggers) -> dict[int, list[Mention]]:
    """Give each system mention to its nearest trigger.

    Absorbed triggers speak through their owner; a system being replaced ("remplacer les S-300 par
    des S-400") is not transferred.
    """
    out: dict[int, list[Mention]] = {t.token.i: [] for t in triggers.kept}
    for mention, token in ctx.mention_tokens(sent, "system"):
        if _replaced(token):
            continue
        # A system inside a subordinate clause of its own ("…, la présence du S-400 sur son sol
        # rendant…") belongs to no trigger outside that clause.
        reachable = [
            t for t in triggers.found if not _separated(t.token, token) and not _other_object(ctx, t.token, token)
        ]
        if not reachable:
            continue
        nearest = min(
            reachable,
            key=lambda t: (tree_distance(t.token, token), t.token not in token.ancestors, abs(t.token.i - token.i)),
        )
        target = triggers.owner[nearest.token.i]
        if target is not nearest and _separated(target.token, token):
            continue  # reached through a trigger of a clause the owner does not govern
        if mention not in out[target.token.i]:
            out[target.token.i].append(mention)
    return out


def _other_object(ctx: DocContext, trigger: Token, system: Token) -> bool:
    """The verb trigger transfers something else, named as its object ("fournit les radars").

    A system outside the verb's phrase is then not what it transfers: "les intercepteurs
    Patriot sont fabriqués par X, tandis que Y fournit les radars".
    """
    if trigger.pos_ != "VERB" or system in trigger.subtree:
        return False
    generic = trigger_words("generic_arms")
    return any(
        c.dep_ == "obj" and c.pos_ == "NOUN" and fold(lemma(c)) not in generic and ctx.by_token.get(c.i) is None
        for c in trigger.children
    )


SUBORDINATE = {"advcl", "acl:relcl", "ccomp", "parataxis", "csubj"}


def _separated(trigger: Token, system: Token) -> bool:
    """A subordinate-clause boundary lies between the system and the trigger's clause.

    A clause hanging on the trigger itself ("le contrat, signé en 2015, qui portait sur 24
    Rafale") and a purpose clause ("négocie pour remplacer…") do not separate.
    """
    shared = {t.i for t in [trigger, *trigger.ancestors]}
    node = system
    path = {system.i}
    while node.i not in shared and node.head.i != node.i:
        purpose = any(fold(c.text) in {"pour", "afin"} for c in node.children if c.dep_ == "mark")
        on_trigger = node.head.i == trigger.i
        if node.dep_ in SUBORDINATE and node.pos_ in {"VERB", "AUX", "ADJ"} and not (purpose or on_trigger):
            return True
        if node.i != system.i and _absolute_subject(node, path):
            return True
        node = node.head
        path.add(node.i)
    return False


def _absolute_subject(noun: Token, path: set[int]) -> bool:
    """The noun, set off by a comma, is the subject of a present participle of its own.

    "…, la présence du S-400 sur son sol rendant sa participation impossible": an absolute
    participial clause, whatever the parser attached the noun to; what it names is no argument
    of the verb before the comma.
    """
    if noun.pos_ not in {"NOUN", "PROPN"}:
        return False
    start = noun.left_edge.i
    if start == 0 or noun.doc[start - 1].text != ",":
        return False
    return any(
        c.dep_ == "acl" and c.i not in path and "Part" in c.morph.get("VerbForm") and "Pres" in c.morph.get("Tense")
        for c in noun.children
    )


def _replaced(token: Token) -> bool:
    """The system is, or is part of, the object of a replacing verb ("remplacer les Mirage")."""
    excluding = trigger_words("not_transferred_objects_of")
    node = token
    for _ in range(3):
        if node.dep_ == "obj" and fold(lemma(node.head)) in excluding:
            return True
        if node.dep_ not in {"nmod", "conj", "appos", "flat:name"} or node.head.i == node.i:
            return False
        if node.dep_ == "nmod" and case_marker(node) not in {"de", "des", "du", "d"}:
            return False  # "remplacer ses S-300 par des S-400": the replacement is transferred
        node = node.head
    return False


def _unnamed_agent(ctx: DocContext, trig: Trigger) -> bool:
    """The verb's subject is some unnamed states ("plusieurs pays d'Europe étudient l'appareil").

    The fact is about parties the text does not name; the article's running story must not
    fill them in. A definite "le pays" points back to a named state and is kept.
    """
    if trig.token.pos_ != "VERB":
        return False
    subject = subject_of(trig.token)
    if subject is None or subject.pos_ != "NOUN":
        return False
    lexicon = patterns("triggers")
    if fold(lemma(subject)) not in {fold(w) for w in lexicon["unnamed_parties"]}:
        return False
    if any(ctx.by_token.get(t.i) is not None for t in subject.subtree):
        return False
    quantifiers = {fold(w) for w in lexicon["indefinite_quantifiers"]}
    return any(c.dep_ in {"det", "amod", "nummod"} and fold(c.text) in quantifiers for c in subject.children)


def _in_subject(token: Token) -> bool:
    """The token sits inside the subject of its clause ("Ce contrat d'achat … a irrité X")."""
    head = clause_head(token)
    node = token
    while node.i != head.i and node.head.i != node.i:
        if node.dep_.startswith("nsubj"):
            return True
        node = node.head
    return False


def extract_arms(ctx: DocContext, memory: dict[str, Any]) -> list[Event]:
    """Every arms-transfer mention of the document, sentence by sentence."""
    events: list[Event] = []
    for index, sent in enumerate(ctx.sentences):
        found = find_triggers(sent)
        if not found.kept:
            continue
        systems = _assign_systems(ctx, sent, found)
        countries = ctx.mention_tokens(sent, "country")
        persons = ctx.mention_tokens(sent, "person")
        for trig in found.kept:
            assigned = systems[trig.token.i]
            explicit_only = False
            if not assigned:
                if not (generic_object(trig) or deal_reference(trig) or continued_deal(trig)):
                    continue
                if any(systems.values()) and not (anaphoric(trig) or continued_deal(trig)):
                    continue  # the sentence's systems went to another trigger
                earlier = [m for m, t in ctx.mention_tokens(sent, "system") if t.i < trig.token.i]
                pointed = earlier[-1] if earlier else referent(ctx, memory, index, trig)
                if pointed is not None:
                    assigned = [pointed]
                elif trig.token.pos_ == "NOUN" and any(
                    c.dep_ == "amod" and fold(lemma(c)) in trigger_words("generic_deal_qualifiers")
                    for c in trig.token.children
                ):
                    continue  # "les futurs contrats de défense avec X": a general statement, no deal
                else:
                    assigned = [None]  # type: ignore[list-item]
                    explicit_only = True
            roles: dict[str, list[str]] = {
                "supplier": [],
                "recipient": [],
                "either": [],
                "supplier?": [],
                "counterparty": [],
            }
            for mention, token in countries:
                role = _role_of(ctx, token, trig)
                if role:
                    roles[role].append(mention.entity_id)
            for mention, token in persons + ctx.mention_tokens(sent, "organization"):
                country = ctx.state_of.get(mention.entity_id)
                role = _role_of(ctx, token, trig)
                if country and role:
                    roles[role].append(country)
            if _unnamed_agent(ctx, trig):
                continue
            # Systems of known origin first: "il porte sur 24 Rafale et une frégate FREMM" is
            # one deal, whose parties a system of several makers shares.
            parties: tuple[str, str] | None = None
            for system in sorted(assigned, key=lambda m: m is None or ctx.kb_origin.get(m.entity_id) is None):
                rivals = [t.token for t in found.kept if t.stage != trig.stage]
                event = _build(ctx, sent, index, trig, system, roles, countries, explicit_only, memory, rivals, parties)
                if event is not None:
                    events.append(event)
                    if system is None:
                        memory["unnamed_sentence"] = index
                    parties = parties or (event.fields["supplier"], event.fields["recipient"])
        # A system being replaced ("pour remplacer une partie des vieux Mirage 2000") is no
        # deal's object: later "cette commande" does not point to it.
        sys_mentions = [(m, t) for m, t in ctx.mention_tokens(sent, "system") if not _replaced(t)]
        memory.setdefault("replaced", set()).update(
            m.start for m, t in ctx.mention_tokens(sent, "system") if _replaced(t)
        )
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
    rivals: list[Token],
    sibling: tuple[str, str] | None = None,
) -> Event | None:
    """One arms-transfer event, or None when the parties cannot be told.

    ``sibling`` holds the parties of another system of the same trigger: a system the KB gives
    no single origin takes them.
    """
    origin = ctx.kb_origin.get(system.entity_id) if system else None
    # The grammar's supplier (subject of "livrer", "par X" of "la vente") beats the system's
    # origin: third countries pass on systems they did not design. Weak cues ("de X",
    # "avec X") only fill in when the KB does not know the origin.
    # A state the grammar also makes the buyer ("le Qatar a levé l'option … à Doha") is no
    # supplier when the system's maker is known.
    buyers = set(roles["either"] + roles["recipient"])
    sellers = [c for c in roles["supplier"] if origin is None or c == origin or c not in buyers]
    supplier = sellers[0] if sellers else origin
    if supplier is None and roles["supplier?"] + roles["counterparty"]:
        supplier = (roles["supplier?"] + roles["counterparty"])[0]
    if supplier is None and roles["either"] and explicit_only:
        supplier = roles["either"][0]
    # "un contrat avec la Grèce pour 18 Rafale": the counterparty that is not the system's
    # origin is the buyer.
    counterparties = [c for c in roles["counterparty"] if origin is not None and c != origin]
    explicit = roles["recipient"] + counterparties + roles["either"]
    recipients = [c for c in explicit if c != supplier]
    recipient = recipients[0] if recipients else None
    others_named = {m.entity_id for m, _ in countries if m.via != "location"} - {supplier}
    if recipient is None and roles["recipient"] and not others_named:
        return None  # the grammar names only the supplier's own state: a domestic order
    if recipient is None and not explicit_only:
        others = [
            (abs(t.i - trig.token.i), m.entity_id)
            for m, t in countries
            if m.entity_id != supplier
            and m.via != "location"
            and (case_marker(t) is None or attached(t, trig.token))
            and phrase_marker(t) not in NON_PARTY_MARKERS
            # "malgré la menace américaine": a demonym qualifying an unrelated noun is no party.
            and not (m.via == "demonym" and t.dep_ == "amod" and not attached(t, trig.token) and not _in_subject(t))
            # "ce contrat a irrité Washington": the object of another verb is no party.
            and not (
                t.dep_ == "obj"
                and t.head.i
                not in {trig.token.i, clause_head(trig.token).i}
                | {x.i for x in trig.token.ancestors if x.pos_ == "NOUN"}
            )
            and not (t.dep_ == "obj" and t.head.i == clause_head(trig.token).i and _in_subject(trig.token))
        ]
        # The parse sometimes hangs "à la Russie" on the wrong word: a dative anywhere in the
        # sentence is still the best guess for a transfer's recipient.
        datives = [
            (abs(t.i - trig.token.i), m.entity_id)
            for m, t in countries
            if m.entity_id != supplier and case_marker(t) in {"a", "au", "aux"} and trig.agent != "recipient"
        ]
        remembered = memory.get(("recipient", ctx.kb_family.get(system.entity_id))) if system is not None else None
        attached_others = [
            o
            for o in others
            if any(
                m.entity_id == o[1] and (case_marker(t) is not None or t.head.i == trig.token.i) for m, t in countries
            )
        ]
        if remembered and remembered != supplier and continued_deal(trig):
            # "Ces livraisons sont coordonnées … en Allemagne": a bare delivery noun carries on
            # the story, whose recipient a place adjunct does not change.
            recipient = remembered
        elif attached_others:
            recipient = min(attached_others)[1]
        elif remembered and remembered != supplier:
            # The article's running story: the last recipient of this system family.
            recipient = remembered
        elif others:
            recipient = min(others)[1]
        elif datives:
            recipient = min(datives)[1]
        elif system is not None and memory.get(("story", supplier)) not in {None, supplier}:
            # A new system of the same seller in a sentence naming no buyer ("selon un contrat
            # signé en 2017 pour 12 Su-30SM"): the buyer of the article's story.
            recipient = memory[("story", supplier)]
    shared = supplier is None and sibling is not None and recipient in {None, sibling[1]}
    if shared and sibling is not None:
        supplier, recipient = sibling
    if supplier is None and recipient is not None and not explicit_only and system is not None:
        supplier = memory.get(("supplier", ctx.kb_family.get(system.entity_id)))
    if supplier is None or recipient is None or supplier == recipient:
        return None
    stage = trig.stage
    if (
        trig.entry.get("recipient_stage")
        and supplier in roles["either"] + roles["recipient"]
        and recipient not in roles["either"]
    ):
        stage = trig.entry["recipient_stage"]
    subject_countries = roles["either"]
    if trig.entry.get("recipient_stage") and recipient in subject_countries:
        stage = trig.entry["recipient_stage"]
    mood = modality(trig.token, sent)
    if mood == "IRREALIS":
        return None
    if trig.entry.get("skip_if_denied") and mood == "DENIED":
        return None  # "ne pas renoncer aux S-400" states no suspension at all
    fields: dict[str, Any] = {
        "supplier": supplier,
        "recipient": recipient,
        "system": system.name if system else None,
        "stage": stage,
    }
    order = order_of(trig, system, ctx)
    if order is not None:
        fields["order"] = order
    qty = quantity(sent)
    if qty:
        fields["quantity"], fields["unit"] = qty
    money = value(sent)
    if money:
        fields["value"] = money
    if system is not None and (recipient in explicit or shared):
        # Only a recipient the grammar named feeds the article's running story.
        family = ctx.kb_family.get(system.entity_id)
        memory[("recipient", family)] = recipient
        memory[("supplier", family)] = supplier
        memory[("story", supplier)] = recipient
    dated = dated_by(ctx, trig.token, sent, rivals)
    timex = dated[0] if dated else None
    distance = None
    if dated is not None:  # a word of buying dates the contract one step more loosely
        distance = dated[1] + (1 if fold(lemma(trig.token)) in trigger_words("loosely_dated") else 0)
    return Event(
        type="ARMS_TRANSFER",
        fields=fields,
        modality=mood,
        when=planned_day(timex, mood, ctx.published),
        sentences=[index],
        trigger=trig.token.text,
        trigger_span=(trig.token.idx, trig.token.idx + len(trig.token.text)),
        confidence=0.8 if system else 0.6,
        attribution=attribution(ctx, sent),
        args=_argument_spans(ctx, sent, supplier, recipient, system, timex),
        when_distance=distance,
    )


def _argument_spans(
    ctx: DocContext, sent: Span, supplier: str, recipient: str, system: Mention | None, timex: Timex | None
) -> dict[str, tuple[int, int]]:
    """Where the text names each argument: the system, the date, and the two states.

    A state is pointed at by the mention of it (or of one of its people or bodies) in the
    sentence; one the grammar inferred (the system's maker, the article's running story) has
    no span.
    """
    spans: dict[str, tuple[int, int]] = {}
    if system is not None:
        spans["system"] = (system.start, system.end)
    if timex is not None:
        spans["when"] = (timex.start, timex.end)
    for role, state in (("supplier", supplier), ("recipient", recipient)):
        for kind in ("country", "person", "organization"):
            named = [
                m
                for m, _ in ctx.mention_tokens(sent, kind)
                if (m.entity_id if kind == "country" else ctx.state_of.get(m.entity_id)) == state
                and m.via != "location"
            ]
            if named:
                spans[role] = (named[0].start, named[0].end)
                break
    return spans

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
    NON_PARTY_MARKERS,
    DocContext,
    attached,
    case_marker,
    clause_head,
    dominates,
    lemma,
    patterns,
    phrase_marker,
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


@dataclass(frozen=True)
class SentenceTriggers:
    """Triggers of one sentence: all found, those kept, and who speaks for an absorbed one."""

    found: list[Trigger]
    kept: list[Trigger]
    owner: dict[int, Trigger]


def find_triggers(sent: Span) -> SentenceTriggers:
    """Arms-transfer triggers of a sentence, after heavier governors absorbed lighter ones."""
    lex = _lexicon()
    found = []
    for token in sent:
        entry = lex.get(fold(lemma(token))) or lex.get(fold(token.text))
        if entry is None or token.pos_ not in {"VERB", "NOUN", "ADJ", "AUX"}:
            continue
        nxt = token.nbor(1) if token.i + 1 < len(token.doc) else None
        following = fold(lemma(nxt)) if nxt is not None else ""
        if following in {fold(w) for w in entry.get("not_followed_by", [])}:
            continue
        if entry.get("requires_next") and following not in {fold(w) for w in entry["requires_next"]}:
            continue
        if entry.get("requires_xcomp") and not any(c.dep_ == "xcomp" for c in token.children):
            continue
        found.append(Trigger(token, entry["stage"], entry["weight"], entry.get("agent"), entry.get("by"), entry))
    kept = []
    owner: dict[int, Trigger] = {}
    for t in found:
        # Only a trigger of another stage absorbs: two purchase words of one sentence may be two
        # purchases ("le premier pays à acheter le S-400 (l'Iran a acheté le S-300)").
        above = [
            o
            for o in found
            if o is not t
            and o.stage != t.stage
            and dominates(o.token, t.token)
            and o.weight >= t.weight
            and t.stage in o.entry.get("absorbs_only", [t.stage])
        ]
        # "restait en négociations avec la Russie à propos d'un deuxième achat": a purchase
        # noun beside another stage in the same clause is that stage's topic.
        if t.stage == "CONTRACT" and t.token.pos_ == "NOUN":
            above += [
                o
                for o in found
                if o.stage != "CONTRACT" and o.weight >= t.weight and clause_head(o.token).i == clause_head(t.token).i
            ]
        # A light verb gives way to the heavier noun it governs ("a reçu le paiement"), not to
        # a participle qualifying its object ("a reçu les chars commandés à Séoul").
        below = [
            o
            for o in found
            if o is not t
            and o.stage != t.stage
            and o.token.head.i == t.token.i
            and o.token.pos_ == "NOUN"
            and o.weight > t.weight
        ]
        if above:
            owner[t.token.i] = above[0]
        elif below:
            owner[t.token.i] = below[0]
        else:
            kept.append(t)
            owner[t.token.i] = t
    # "a approuvé la vente" is an offer; "a approuvé" alone is nothing.
    kept = [
        k
        for k in kept
        if not k.entry.get("only_with")
        or any(owner.get(f.token.i) is k and f is not k and f.stage in k.entry["only_with"] for f in found)
    ]
    for i, o in list(owner.items()):
        while owner.get(o.token.i) is not None and owner[o.token.i] is not o:
            o = owner[o.token.i]
        owner[i] = o
    return SentenceTriggers(found, kept, owner)


def _role_of(ctx: DocContext, mention_token: Token, trig: Trigger) -> str | None:
    """The part a country mention plays for the trigger.

    Returns supplier | recipient | either (a subject of a two-sided trigger such as "signer"),
    or the weak forms ``supplier?`` when only a preposition like "de" or "avec" suggests it.
    """
    token = mention_token
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
            if (head_mention is not None and head_mention.kind == "system") or fold(lemma(climb.head)) in _generic():
                break
            climb = climb.head
        if climb is not token and (case_marker(climb) is not None or climb.dep_.startswith("nsubj")):
            token, marker = climb, case_marker(climb)
    if marker is not None and not attached(token, trig.token):
        return None
    head = clause_head(trig.token)
    subject = subject_of(head) if trig.token.pos_ != "VERB" else subject_of(trig.token)
    # The subject of the verb governing a noun trigger is a party only when the noun is that
    # verb's argument ("X a signé un contrat"), not an adjunct ("… après la signature d'un
    # contrat avec la Grèce").
    if trig.token.pos_ == "NOUN" and not _argument_of_clause(trig.token):
        subject = None
    is_subject = subject is not None and token.i in phrase_tokens(subject)
    if token.dep_ == "nsubj" and token.head.i in {trig.token.i, head.i}:
        is_subject = True
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
    if marker in {"a", "au", "aux"}:
        # "livrer/vendre à X": X receives; "acheter/commander à X": X sells.
        return "supplier" if agent == "recipient" else "recipient"
    if marker == "par":
        return trig.by or agent
    if marker in {"avec", "aupres"}:
        return "counterparty"
    if marker in {"de", "du", "des", "d"}:
        return "supplier?" if agent in {"recipient", "either"} else None
    if token.dep_ == "amod" and token.head.pos_ in {"NOUN", "PROPN", "ADJ"}:
        # "les S-400 russes", "le système antimissile russe": origin; "les autorités turques":
        # the buyer when the trigger's agent is the buyer.
        head_mention = ctx.by_token.get(token.head.i)
        if (head_mention is not None and head_mention.kind == "system") or fold(lemma(token.head)) in _generic():
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
    excluding = _excluding()
    for mention, token in ctx.mention_tokens(sent, "system"):
        if token.dep_ == "obj" and fold(lemma(token.head)) in excluding:
            continue
        # A system inside a subordinate clause of its own ("…, la présence du S-400 sur son sol
        # rendant…") belongs to no trigger outside that clause.
        reachable = [t for t in triggers.found if not _separated(t.token, token)]
        if not reachable:
            continue
        nearest = min(
            reachable,
            key=lambda t: (tree_distance(t.token, token), t.token not in token.ancestors, abs(t.token.i - token.i)),
        )
        target = triggers.owner[nearest.token.i]
        if mention not in out[target.token.i]:
            out[target.token.i].append(mention)
    return out


SUBORDINATE = {"advcl", "acl:relcl", "ccomp", "parataxis", "csubj"}


def _separated(trigger: Token, system: Token) -> bool:
    """A subordinate-clause boundary lies between the system and the trigger's clause.

    A clause hanging on the trigger itself ("le contrat, signé en 2015, qui portait sur 24
    Rafale") and a purpose clause ("négocie pour remplacer…") do not separate.
    """
    shared = {t.i for t in [trigger, *trigger.ancestors]}
    node = system
    while node.i not in shared and node.head.i != node.i:
        purpose = any(fold(c.text) in {"pour", "afin"} for c in node.children if c.dep_ == "mark")
        on_trigger = node.head.i == trigger.i
        if node.dep_ in SUBORDINATE and node.pos_ in {"VERB", "AUX", "ADJ"} and not (purpose or on_trigger):
            return True
        node = node.head
    return False


@cache
def _excluding() -> set[str]:
    return {fold(w) for w in patterns("triggers")["not_transferred_objects_of"]}


def _generic_object(trig: Trigger) -> bool:
    """Whether the trigger's object, or its clause's, is unnamed weaponry.

    For example "des armes", "une aide
    létale", "l'accord … porte sur 36 avions").
    """
    generic = _generic()
    head = clause_head(trig.token)
    clause = [t for t in head.subtree if clause_head(t).i == head.i]
    tokens = (
        list(trig.token.subtree)
        + clause
        + [c for c in trig.token.head.children if c.dep_ in {"obj", "nsubj", "nsubj:pass"}]
    )
    words = {fold(lemma(t)) for t in tokens} | {fold(t.text) for t in tokens}
    phrases = (" " + " ".join(fold(lemma(t)) for t in tokens) + " ", " " + " ".join(fold(t.text) for t in tokens) + " ")
    return bool(words & generic) or any(f" {g} " in text for g in generic if " " in g for text in phrases)


# How far back a "ces avions" or "le contrat" may point to the system last named.
ANAPHORA_SENTENCES = 3


def _referent(ctx: DocContext, memory: dict[str, Any], index: int, trig: Trigger) -> Mention | None:
    """The system an unnamed object points back to.

    For "ces appareils", "le contrat" or "36 avions": the system of the last sentences, else the article's main system.
    """
    definite = any(
        fold(c.text) in {"le", "la", "l'", "l’", "ce", "cet", "cette"} for c in trig.token.children if c.dep_ == "det"
    )
    if trig.token.pos_ == "NOUN" and "Plur" in trig.token.morph.get("Number") and not _anaphoric(trig):
        return None  # "les futurs contrats", "des livraisons d'armes": a general statement
    deal_noun = trig.token.pos_ == "NOUN" and trig.stage in {"CONTRACT", "PAYMENT", "DELIVERY"} and definite
    if not (_anaphoric(trig) or deal_noun or _counted_or_definite_generic(trig)):
        return None
    previous = memory.get("last_system")
    if previous is not None and index - memory.get("last_sentence", -99) <= ANAPHORA_SENTENCES:
        return previous  # type: ignore[no-any-return]
    return ctx.topic_system


def _order(trig: Trigger, system: Mention | None, ctx: DocContext) -> int | None:
    """Which order of the system this fact belongs to, when the text says so.

    For example "une deuxième commande", "un second lot", "30 Rafale supplémentaires",
    "le premier contrat". The cue nearest to the system in the parse wins, so "cette nouvelle
    commande … le premier contrat qui portait sur 24 Rafale" gives the 24 Rafale order 1.
    """
    lexicon = patterns("triggers")
    cues = {fold(k): int(v) for k, v in lexicon["order_cues"].items()}
    next_cues = {fold(w) for w in lexicon["next_order_cues"]}
    order_nouns = {fold(w) for w in lexicon["order_nouns"]}
    anchor = trig.token
    candidates: list[tuple[Token, int]] = []
    if system is not None:
        span = ctx.doc.char_span(system.start, system.end, alignment_mode="expand")
        if span is not None:
            anchor = span.root
            # "30 Rafale supplémentaires": the word right after the name, whatever the parse.
            candidates += [
                (t, cues[fold(lemma(t))]) for t in ctx.doc[span.end : span.end + 1] if fold(lemma(t)) in cues
            ]
    deal_nouns = [t for t in [trig.token, *trig.token.subtree, *anchor.ancestors] if fold(lemma(t)) in order_nouns]
    for token in [anchor, *deal_nouns]:
        for child in token.children:
            if child.dep_ not in {"amod", "nummod", "det"}:
                continue
            if fold(lemma(child)) in cues:
                candidates.append((child, cues[fold(lemma(child))]))
            elif fold(lemma(child)) in next_cues and fold(lemma(token)) in order_nouns:
                candidates.append((child, 2))
    if not candidates:
        return None
    return min(candidates, key=lambda c: tree_distance(c[0], anchor))[1]


def _counted_or_definite_generic(trig: Trigger) -> bool:
    """Whether an unnamed weapon noun points at a known system.

    "36 avions", "ces appareils", "les systèmes" do; "des armes", which is any weapon, does not.
    """
    generic = _generic()
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


def _in_subject(token: Token) -> bool:
    """The token sits inside the subject of its clause ("Ce contrat d'achat … a irrité X")."""
    head = clause_head(token)
    node = token
    while node.i != head.i and node.head.i != node.i:
        if node.dep_.startswith("nsubj"):
            return True
        node = node.head
    return False


def _anaphoric(trig: Trigger) -> bool:
    """The trigger's object points back ("ces missiles", "les systèmes", or a verb with none)."""
    if trig.token.pos_ == "VERB":
        return True
    generic = _generic()
    for t in trig.token.subtree:
        if fold(lemma(t)) in generic:
            return any(
                fold(c.text) in {"ces", "ce", "cette", "les", "ses", "leurs"} for c in t.children if c.dep_ == "det"
            )
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
                if not _generic_object(trig):
                    continue
                if any(systems.values()) and not _anaphoric(trig):
                    continue  # the sentence's systems went to another trigger
                earlier = [m for m, t in ctx.mention_tokens(sent, "system") if t.i < trig.token.i]
                referent = earlier[-1] if earlier else _referent(ctx, memory, index, trig)
                if referent is not None:
                    assigned = [referent]
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
                country = ctx.person_country.get(mention.entity_id)
                role = _role_of(ctx, token, trig)
                if country and role:
                    roles[role].append(country)
            for system in assigned:
                rivals = [t.token for t in found.kept if t.stage != trig.stage]
                event = _build(ctx, sent, index, trig, system, roles, countries, explicit_only, memory, rivals)
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
    rivals: list[Token],
) -> Event | None:
    origin = ctx.kb_origin.get(system.entity_id) if system else None
    # The grammar's supplier (subject of "livrer", "par X" of "la vente") beats the system's
    # origin: third countries pass on systems they did not design. Weak cues ("de X",
    # "avec X") only fill in when the KB does not know the origin.
    supplier = roles["supplier"][0] if roles["supplier"] else origin
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
    if recipient is None and roles["recipient"]:
        return None  # the grammar names the supplier's own state: a domestic order
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
        if attached_others:
            recipient = min(attached_others)[1]
        elif remembered and remembered != supplier:
            # The article's running story: the last recipient of this system family.
            recipient = remembered
        elif others:
            recipient = min(others)[1]
        elif datives:
            recipient = min(datives)[1]
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
    order = _order(trig, system, ctx)
    if order is not None:
        fields["order"] = order
    qty = quantity(sent)
    if qty:
        fields["quantity"], fields["unit"] = qty
    money = value(sent)
    if money:
        fields["value"] = money
    if system is not None and recipient in explicit:
        # Only a recipient the grammar named feeds the article's running story.
        family = ctx.kb_family.get(system.entity_id)
        memory[("recipient", family)] = recipient
        memory[("supplier", family)] = supplier
    return Event(
        type="ARMS_TRANSFER",
        fields=fields,
        modality=mood,
        when=when(ctx, trig.token, sent, rivals),
        sentences=[index],
        trigger=trig.token.text,
        trigger_span=(trig.token.idx, trig.token.idx + len(trig.token.text)),
        confidence=0.8 if system else 0.6,
        attribution=attribution(ctx, sent),
        args={"system": (system.start, system.end)} if system else {},
    )

"""One event per fact per document: mentions of the same fact merge, keeping all evidence."""

from __future__ import annotations

from veille.models import Event

# When mentions of one fact disagree on modality, the firmest statement of it wins: an
# article that once says "le contrat a été signé" asserts it even if it later says "finaliser".
MODALITY_RANK = {"ASSERTED": 0, "PLANNED": 1, "POSSIBLE": 2, "DENIED": 3}


def _people(event: Event) -> set[str]:
    return set(event.fields.get("participants") or event.fields.get("parties") or [])


def _same_fact(a: Event, b: Event) -> bool:
    if a.type != b.type:
        return False
    if a.type in {"ARMS_TRANSFER", "SANCTION"}:
        return a.key() == b.key()
    pa, pb = _people(a), _people(b)
    if a.type == "MEETING":
        # The same two leaders met in Moscow in September and in Sochi in May: two meetings.
        return bool(pa) and (pa <= pb or pb <= pa) and _same_occasion(a, b)
    overlap = len(pa & pb) * 2 >= len(pa | pb)
    if a.type == "EXERCISE":
        la, lb = a.fields.get("location"), b.fields.get("location")
        return overlap and (la is None or lb is None or la == lb)
    return overlap


def _same_occasion(a: Event, b: Event) -> bool:
    """No named place nor date tells the two mentions apart."""
    la, lb = a.fields.get("location"), b.fields.get("location")
    if la is not None and lb is not None and la != lb:
        return False
    wa, wb = a.when, b.when
    return wa is None or wb is None or wa.startswith(wb) or wb.startswith(wa)


# A date at most this far from its trigger in the parse is its own ("signé en 2014": 1;
# "le contrat, signé en 2014": 2); farther, it may as well date something else of the sentence.
ATTACHED = 2


def _closer(a: Event, b: Event) -> bool:
    """Whether ``a``'s date is attached to its trigger and ``b``'s is not.

    "Pékin avait commandé 24 Su-35 en novembre 2015" dates the order; "d'avoir acquis … dix
    Su-35 …, puis des S-400 en 2018" only has a date elsewhere in the sentence. Otherwise the
    first mention keeps its date.
    """
    attached = a.when_distance is not None and a.when_distance <= ATTACHED
    return attached and (b.when_distance is None or b.when_distance > ATTACHED)


def _absorb(into: Event, other: Event) -> None:
    into.sentences = sorted(set(into.sentences) | set(other.sentences))
    if other.when and (not into.when or _closer(other, into)):
        into.when, into.when_distance = other.when, other.when_distance
    for key, value in other.fields.items():
        if key in {"participants", "parties"}:
            into.fields[key] = list(dict.fromkeys([*into.fields[key], *value]))
        elif into.fields.get(key) is None and value is not None:
            into.fields[key] = value
    if MODALITY_RANK[other.modality] < MODALITY_RANK[into.modality] and into.modality != "DENIED":
        into.modality = other.modality
    into.attribution = into.attribution or other.attribution
    into.args = {**other.args, **into.args}
    into.confidence = min(0.95, max(into.confidence, other.confidence) + 0.05)


def merge_events(events: list[Event]) -> list[Event]:
    """Fold mentions of the same fact into the first one, in text order."""
    merged: list[Event] = []
    for event in sorted(events, key=lambda e: (e.sentences[0], e.trigger_span[0])):
        for existing in merged:
            if _same_fact(existing, event):
                _absorb(existing, event)
                break
        else:
            merged.append(event)
    return merged

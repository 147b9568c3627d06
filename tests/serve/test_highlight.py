"""The document text cut into highlighted pieces: nothing lost, nothing twice, triggers first."""

from __future__ import annotations

from veille.serve.highlight import highlight

BODY = "La France livre des Rafale. L'Inde signe."
SENTENCES = [{"idx": 0, "start": 0, "end": 27}, {"idx": 1, "start": 28, "end": 41}]
MENTIONS = [
    {"start": 3, "end": 9, "kind": "country", "entity_id": "FRA", "name": "FRA"},
    {"start": 20, "end": 26, "kind": "system", "entity_id": "system:rafale", "name": "Rafale"},
    {"start": 30, "end": 34, "kind": "country", "entity_id": "IND", "name": "IND"},
    {"start": 10, "end": 16, "kind": "place", "entity_id": "x", "name": "x"},  # overlaps the trigger
]
EVENTS = [
    {
        "id": "e1",
        "type": "ARMS_TRANSFER",
        "stage": "DELIVERY",
        "modality": "ASSERTED",
        "when": None,
        "trigger_start": 10,
        "trigger_end": 15,
    }
]


def test_every_character_once_in_order_with_sentence_blocks() -> None:
    blocks = highlight(BODY, SENTENCES, MENTIONS, EVENTS)
    assert "".join(p.text for b in blocks for p in b.pieces) == BODY
    assert [b.idx for b in blocks] == [0, None, 1]
    marked = [(p.text, p.css) for b in blocks for p in b.pieces if p.css]
    assert marked == [
        ("France", "mention m-country"),
        ("livre", "trigger t-arms_transfer"),  # wins over the overlapping mention
        ("Rafale", "mention m-system"),
        ("Inde", "mention m-country"),
    ]
    links = [p.href for b in blocks for p in b.pieces if p.css]
    assert links[0] == "/entities/FRA" and links[1] == "/api/events/e1"


def test_spans_outside_the_text_are_ignored() -> None:
    blocks = highlight("Court.", [{"idx": 0, "start": 0, "end": 6}], [{**MENTIONS[0], "start": 3, "end": 60}], [])
    assert [(p.text, p.css) for b in blocks for p in b.pieces] == [("Court.", None)]

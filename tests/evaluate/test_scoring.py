from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from veille.evaluate import score
from veille.evaluate.scoring import event_matches, line_kept, name_matches


def _doc(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"id": "d", "file": "d.txt", "published": None, "body": "", "entities": {}, "events": []}
    return base | kw


@pytest.mark.parametrize(
    ("pred", "gold", "person", "ok"),
    [
        ("Sergei Shoigu", "Sergei Shoigu|Sergey Shoigu", True, True),
        ("Sergey Shoigu", "Sergei Shoigu|Sergey Shoigu", True, True),
        ("Shoigu", "Sergei Shoigu", True, True),
        ("Mevlüt Cavusoglu", "Mevlut Cavusoglu|Mevlüt Çavuşoğlu", True, True),
        ("Sergey Lavrov", "Sergei Shoigu", True, False),
        ("S-400", "S-400", False, True),
        ("S400", "S-400", False, True),
        ("S-300", "S-400", False, False),
    ],
)
def test_name_matching(pred: str, gold: str, person: bool, ok: bool) -> None:
    assert name_matches(pred, gold, person=person) is ok


def test_events_match_on_core_fields_and_group_overlap() -> None:
    gold = {"type": "MEETING", "participants": ["Li Shangfu", "Vladimir Putin", "Sergei Shoigu"]}
    assert event_matches({"type": "MEETING", "participants": ["Li Shangfu", "Vladimir Putin"]}, gold)
    assert not event_matches({"type": "MEETING", "participants": ["Vladimir Putin"]}, gold)
    arms = {"type": "ARMS_TRANSFER", "supplier": "RUS", "recipient": "CHN", "system": None, "stage": "DELIVERY"}
    assert event_matches(dict(arms), arms)
    assert not event_matches(arms | {"system": "S-400"}, arms)


def test_scores_count_optional_events_neither_way_and_modality_only_strictly() -> None:
    gold = _doc(
        events=[
            {
                "type": "ARMS_TRANSFER",
                "supplier": "RUS",
                "recipient": "TUR",
                "system": "S-400",
                "stage": "CONTRACT",
                "modality": "ASSERTED",
                "when": "2017",
            }
        ],
        optional_events=[{"type": "SANCTION", "imposer": "USA", "target": "TUR"}],
        entities={"countries": ["RUS", "TUR"]},
        published="2021-06",
    )
    pred = _doc(
        events=[
            {
                "type": "ARMS_TRANSFER",
                "supplier": "RUS",
                "recipient": "TUR",
                "system": "S-400",
                "stage": "CONTRACT",
                "modality": "PLANNED",
                "when": "2017",
            },
            {"type": "SANCTION", "imposer": "USA", "target": "TUR", "modality": "ASSERTED"},
            {"type": "MEETING", "participants": ["Joe Biden", "Recep Tayyip Erdogan"], "modality": "ASSERTED"},
        ],
        entities={"countries": ["RUS", "TUR", "USA"]},
        published="2021-06-14",
    )
    s = score([gold], [pred])
    assert (s.lenient["ALL"].tp, s.lenient["ALL"].fp, s.lenient["ALL"].fn) == (1, 1, 0)
    assert s.strict["ALL"].tp == 0
    assert s.when_accuracy == 1.0
    assert s.published_accuracy == 1.0
    assert (s.entities["countries"].tp, s.entities["countries"].fp) == (2, 1)


def test_boilerplate_scoring_reads_the_raw_text(tmp_path: Path) -> None:
    (tmp_path / "d.txt").write_text(
        "Accueil > Monde\nLe corps du texte de cet article reste ici.AFP\nPartager cet article\n", encoding="utf-8"
    )
    gold = _doc(boilerplate_lines=[1, 3])
    pred = _doc(body="Le corps du texte de cet article reste ici.")
    s = score([gold], [pred], tmp_path)
    assert s.boilerplate is not None
    assert (s.boilerplate.tp, s.boilerplate.fp, s.boilerplate.fn) == (2, 0, 0)


def test_a_line_with_its_metadata_prefix_cut_still_counts_as_kept() -> None:
    assert line_kept(
        " date 2021-06 Alors que la Biélorussie a exprimé son souhait de moderniser son armée",
        "alorsquelabielorussieaexprimesonsouhaitdemodernisersonarmee",
    )

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from veille.errors import KnowledgeError
from veille.link.kb import KB_DIR, load_kb


def test_kb_covers_every_state_and_the_domain() -> None:
    kb = load_kb()
    kinds = [e.kind for e in kb.entities.values()]
    assert kinds.count("country") >= 193
    assert kinds.count("person") >= 250
    assert kinds.count("system") >= 300
    assert kinds.count("organization") >= 100


def test_kb_entities_have_stable_ids_and_known_origins() -> None:
    kb = load_kb()
    s400 = kb.get("system:s-400")
    assert s400 is not None and s400.country == "RUS" and s400.attrs["category"] == "air_defence"
    for entity in kb.entities.values():
        if entity.kind == "system" and entity.country:
            assert kb.get(entity.country) is not None, entity.id


@pytest.mark.parametrize(
    ("file", "line", "field"),
    [
        (
            "people.jsonl",
            '{"id": "person:x", "name": "X", "qid": "nope", "country": "RUS", "aliases": [], "surnames": [], "roles": []}',
            "qid",
        ),
        (
            "systems.jsonl",
            '{"id": "system:x", "name": "X", "qid": null, "family": "X", "aliases": [], "nato_name": null, "category": "spaceship", "origin": "RUS", "maker": null}',
            "category",
        ),
        (
            "countries.jsonl",
            '{"iso3": "ZZZ", "qid": null, "names": [], "demonyms": [], "capitals": [], "seats": [], "prefixes": [], "ambiguous_demonyms": []}',
            "iso3",
        ),
        (
            "organizations.jsonl",
            '{"id": "org:x", "name": "X", "qid": null, "kind": "club", "country": null, "aliases": [], "acronyms": [], "colour": "red"}',
            "colour",
        ),
    ],
)
def test_kb_loader_names_file_line_and_field_of_a_bad_entry(tmp_path: Path, file: str, line: str, field: str) -> None:
    folder = tmp_path / "kb"
    shutil.copytree(KB_DIR, folder)
    path = folder / file
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(2, line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as info:
        load_kb(folder)
    message = str(info.value)
    assert f"{file}:3" in message and f"'{field}'" in message


def test_kb_loader_rejects_broken_json(tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    shutil.copytree(KB_DIR, folder)
    with (folder / "places.jsonl").open("a", encoding="utf-8") as fh:
        fh.write('{"id": "place:x", "name": \n')
    with pytest.raises(KnowledgeError, match=r"places\.jsonl"):
        load_kb(folder)


def test_no_alias_names_two_systems() -> None:
    seen: dict[str, str] = {}
    for line in (KB_DIR / "systems.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        for alias in [row["name"], *row["aliases"]]:
            key = alias.casefold()
            assert seen.setdefault(key, row["id"]) == row["id"], (alias, seen[key], row["id"])

"""The knowledge base: states, people, organisations and weapon systems, loaded from data.

States come from pycountry (codes) and Babel/CLDR (French and English names); what CLDR lacks
(demonyms in every gender and number, capitals and seats of government used as metonyms,
journalistic short forms) is in ``data/kb/countries.jsonl``. People, organisations and
weapon systems are in their own JSONL files. Every file is validated at load and a malformed
line raises :class:`~veille.errors.KnowledgeError` with file, line and field.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pycountry
from babel import Locale

from veille.errors import KnowledgeError
from veille.resources import DATA, fold, read_jsonl

KB_DIR = DATA / "kb"
ARTICLE = re.compile(r"^(?:le|la|les|l['’])\s*", re.IGNORECASE)
PERSON_ROLES = {
    "head_of_state",
    "head_of_government",
    "defence_minister",
    "foreign_minister",
    "deputy_defence_minister",
    "deputy_foreign_minister",
    "chief_of_general_staff",
    "service_chief",
    "military_commission",
    "arms_agency_head",
    "company_head",
    "intelligence_head",
    "spokesperson",
    "ambassador",
    "secretary_general",
    "other",
}
ORG_KINDS = {
    "arms_agency",
    "defence_firm",
    "ministry",
    "military_body",
    "alliance",
    "forum",
    "intergovernmental",
    "news_agency",
    "outlet",
    "think_tank",
    "other",
}
SYSTEM_CATEGORIES = {
    "air_defence",
    "fighter",
    "bomber",
    "attack_aircraft",
    "trainer",
    "transport_aircraft",
    "tanker",
    "awacs",
    "maritime_patrol",
    "attack_helicopter",
    "utility_helicopter",
    "uav",
    "tank",
    "ifv",
    "apc",
    "artillery",
    "mlrs",
    "ballistic_missile",
    "cruise_missile",
    "anti_ship_missile",
    "anti_tank_missile",
    "air_to_air_missile",
    "submarine",
    "frigate",
    "corvette",
    "destroyer",
    "aircraft_carrier",
    "patrol_vessel",
    "amphibious_ship",
    "radar",
    "small_arms",
    "munition",
    "other",
}


@dataclass(frozen=True)
class Role:
    """A post a person held: role code, state, dates (ISO prefixes, end None = in office)."""

    role: str
    country: str | None
    start: str | None
    end: str | None
    org: str | None = None

    def held_on(self, day: str) -> bool:
        """Whether the post was held on ``day`` (any ISO prefix: year, month or day)."""
        start = self.start or "0000"
        end = self.end or "9999"
        return start[: len(day)] <= day <= end[: len(day)] or start <= day <= end


@dataclass(frozen=True)
class Entity:
    """One knowledge-base entry."""

    id: str
    kind: str  # country | person | organization | system | place
    name: str
    qid: str | None = None
    country: str | None = None
    roles: tuple[Role, ...] = ()
    attrs: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Surface:
    """One way an entity is written, with how it may be matched."""

    text: str
    entity_id: str
    via: str  # alias | name | demonym | capital | seat | surname | acronym | prefix
    case_sensitive: bool


@dataclass
class KnowledgeBase:
    """Entities by id plus every surface form to match."""

    entities: dict[str, Entity]
    surfaces: list[Surface]
    ambiguous: set[str]
    _by_role: dict[tuple[str, str | None], list[Entity]] | None = field(default=None, repr=False)

    def get(self, entity_id: str) -> Entity | None:
        """Entity by id."""
        return self.entities.get(entity_id)

    def people_with_role(self, role: str, country: str) -> list[Entity]:
        """Everybody who ever held ``role`` for ``country``."""
        return self._holders().get((role, country), [])

    def _holders(self) -> dict[tuple[str, str | None], list[Entity]]:
        # Built on first use, once per knowledge base: role resolution runs per mention.
        if self._by_role is None:
            index: dict[tuple[str, str | None], list[Entity]] = {}
            for e in self.entities.values():
                for key in dict.fromkeys((r.role, r.country) for r in e.roles):
                    index.setdefault(key, []).append(e)
            self._by_role = index
        return self._by_role


class _Validator:
    """Small field checker that reports file, line and field."""

    def __init__(self, path: Path, line: int, row: dict[str, Any]) -> None:
        self.path, self.line, self.row = path, line, row

    def fail(self, name: str, detail: str) -> KnowledgeError:
        return KnowledgeError(self.path.name, self.line, name, detail)

    def text(self, name: str, *, required: bool = True) -> str | None:
        value = self.row.get(name)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(name, "must be a non-empty string")
        return value.strip()

    def texts(self, name: str) -> list[str]:
        value = self.row.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(name, "must be a list of non-empty strings")
        return [v.strip() for v in value]

    def choice(self, name: str, allowed: set[str] | Callable[[str], bool], *, required: bool = True) -> str | None:
        value = self.text(name, required=required)
        if value is None:
            return None
        ok = value in allowed if isinstance(allowed, set) else allowed(value)
        if not ok:
            raise self.fail(name, f"unexpected value {value!r}")
        return value

    def known(self, allowed: set[str]) -> None:
        extra = set(self.row) - allowed
        if extra:
            raise self.fail(sorted(extra)[0], "unknown field")


def _iso3(value: str) -> bool:
    return value == "XKX" or pycountry.countries.get(alpha_3=value) is not None


def _qid(value: str) -> bool:
    return bool(re.fullmatch(r"Q\d+", value))


def _date(value: str) -> bool:
    return bool(re.fullmatch(r"\d{4}(?:-\d{2}(?:-\d{2})?)?", value))


def _load_countries(kb_dir: Path, entities: dict[str, Entity], surfaces: list[Surface], ambiguous: set[str]) -> None:
    fr, en = Locale("fr"), Locale("en")
    for country in pycountry.countries:
        iso3, iso2 = country.alpha_3, country.alpha_2
        names = {
            country.name,
            getattr(country, "common_name", country.name),
            fr.territories.get(iso2, country.name),
            en.territories.get(iso2, country.name),
        }
        entities[iso3] = Entity(iso3, "country", iso3, country=iso3)
        surfaces.extend(Surface(n, iso3, "name", False) for n in names if n)
    path = kb_dir / "countries.jsonl"
    fields = {"iso3", "qid", "names", "demonyms", "capitals", "seats", "prefixes", "ambiguous_demonyms"}
    for line, row in read_jsonl(path):
        v = _Validator(path, line, row)
        v.known(fields)
        iso3 = v.choice("iso3", _iso3)
        assert iso3 is not None
        qid = v.choice("qid", _qid, required=False)
        entities[iso3] = Entity(iso3, "country", iso3, qid=qid, country=iso3)
        for key, via in (("names", "name"), ("capitals", "capital"), ("seats", "seat")):
            surfaces.extend(Surface(t, iso3, via, False) for t in v.texts(key))
        surfaces.extend(Surface(t, iso3, "demonym", False) for t in v.texts("demonyms"))
        surfaces.extend(Surface(t, iso3, "prefix", False) for t in v.texts("prefixes"))
        ambiguous.update(fold(t) for t in v.texts("ambiguous_demonyms"))


def _load_people(kb_dir: Path, entities: dict[str, Entity], surfaces: list[Surface]) -> None:
    path = kb_dir / "people.jsonl"
    fields = {"id", "name", "qid", "country", "aliases", "surnames", "roles"}
    for line, row in read_jsonl(path):
        v = _Validator(path, line, row)
        v.known(fields)
        pid = v.choice("id", lambda s: s.startswith("person:"))
        name = v.text("name")
        assert pid and name
        roles = []
        raw_roles = row.get("roles", [])
        if not isinstance(raw_roles, list):
            raise v.fail("roles", "must be a list")
        for i, r in enumerate(raw_roles):
            rv = _Validator(path, line, r if isinstance(r, dict) else {})
            label = f"roles[{i}]"
            role = rv.choice("role", PERSON_ROLES)
            if role is None:
                raise v.fail(label, "missing role")
            start, end = r.get("start"), r.get("end")
            for key, value in (("start", start), ("end", end)):
                if value is not None and not (isinstance(value, str) and _date(value)):
                    raise v.fail(f"{label}.{key}", "must be YYYY, YYYY-MM or YYYY-MM-DD or null")
            roles.append(Role(role, r.get("country"), start, end, r.get("org")))
        entity = Entity(
            pid,
            "person",
            name,
            v.choice("qid", _qid, required=False),
            v.choice("country", _iso3, required=False),
            tuple(roles),
        )
        if pid in entities:
            raise v.fail("id", f"duplicate id {pid}")
        entities[pid] = entity
        surfaces.append(Surface(name, pid, "alias", False))
        surfaces.extend(Surface(a, pid, "alias", False) for a in v.texts("aliases"))
        surfaces.extend(Surface(s, pid, "surname", True) for s in v.texts("surnames"))


def _load_orgs(kb_dir: Path, entities: dict[str, Entity], surfaces: list[Surface]) -> None:
    path = kb_dir / "organizations.jsonl"
    fields = {"id", "name", "qid", "kind", "country", "aliases", "acronyms"}
    for line, row in read_jsonl(path):
        v = _Validator(path, line, row)
        v.known(fields)
        oid = v.choice("id", lambda s: s.startswith("org:"))
        name = v.text("name")
        assert oid and name
        if oid in entities:
            raise v.fail("id", f"duplicate id {oid}")
        entities[oid] = Entity(
            oid,
            "organization",
            name,
            v.choice("qid", _qid, required=False),
            v.choice("country", _iso3, required=False),
            attrs={"kind": v.choice("kind", ORG_KINDS)},
        )
        surfaces.append(Surface(name, oid, "alias", len(name) <= 4 and name.isupper()))
        surfaces.extend(Surface(a, oid, "alias", False) for a in v.texts("aliases"))
        surfaces.extend(Surface(a, oid, "acronym", True) for a in v.texts("acronyms"))


def _load_systems(kb_dir: Path, entities: dict[str, Entity], surfaces: list[Surface]) -> None:
    path = kb_dir / "systems.jsonl"
    fields = {"id", "name", "qid", "family", "aliases", "nato_name", "category", "origin", "maker"}
    for line, row in read_jsonl(path):
        v = _Validator(path, line, row)
        v.known(fields)
        sid = v.choice("id", lambda s: s.startswith("system:"))
        name = v.text("name")
        assert sid and name
        if sid in entities:
            raise v.fail("id", f"duplicate id {sid}")
        maker = v.text("maker", required=False)
        entities[sid] = Entity(
            sid,
            "system",
            name,
            v.choice("qid", _qid, required=False),
            v.choice("origin", _iso3, required=False),
            attrs={
                "family": v.text("family", required=False) or name,
                "category": v.choice("category", SYSTEM_CATEGORIES),
                "maker": maker,
                "nato_name": v.text("nato_name", required=False),
            },
        )
        surfaces.append(Surface(name, sid, "alias", False))
        surfaces.extend(Surface(a, sid, "alias", False) for a in v.texts("aliases"))
        nato = v.text("nato_name", required=False)
        if nato:
            surfaces.append(Surface(nato, sid, "alias", False))


def _load_places(kb_dir: Path, entities: dict[str, Entity], surfaces: list[Surface]) -> None:
    path = kb_dir / "places.jsonl"
    if not path.exists():
        return
    for line, row in read_jsonl(path):
        v = _Validator(path, line, row)
        v.known({"id", "name", "country", "aliases"})
        pid = v.choice("id", lambda s: s.startswith("place:"))
        name = v.text("name")
        assert pid and name
        entities[pid] = Entity(pid, "place", name, country=v.choice("country", _iso3, required=False))
        surfaces.append(Surface(name, pid, "alias", False))
        surfaces.extend(Surface(a, pid, "alias", False) for a in v.texts("aliases"))


def load_kb(kb_dir: Path | None = None) -> KnowledgeBase:
    """Load and validate every knowledge-base file (once per process and folder).

    ``VEILLE_KB_DIR`` points to another folder of the same files (a site's own KB).
    """
    folder = kb_dir or Path(os.environ.get("VEILLE_KB_DIR") or KB_DIR)
    return _load_kb(folder.resolve())


@cache
def _load_kb(kb_dir: Path) -> KnowledgeBase:
    for name in ("countries.jsonl", "people.jsonl", "organizations.jsonl", "systems.jsonl"):
        if not (kb_dir / name).is_file():
            raise KnowledgeError(str(kb_dir / name), 0, "(file)", "missing knowledge-base file")
    entities: dict[str, Entity] = {}
    surfaces: list[Surface] = []
    ambiguous: set[str] = set()
    _load_countries(kb_dir, entities, surfaces, ambiguous)
    _load_people(kb_dir, entities, surfaces)
    _load_orgs(kb_dir, entities, surfaces)
    _load_systems(kb_dir, entities, surfaces)
    _load_places(kb_dir, entities, surfaces)
    # Articles are stripped from state names only ("le Kremlin" matches "Kremlin"); for an
    # outlet the article is part of the name ("Le Monde" must not match "monde"). An all-caps
    # name is matched case-sensitively ("MICA" the missile, not "mica").
    cleaned = [
        Surface(
            (ARTICLE.sub("", s.text) if entities[s.entity_id].kind == "country" else s.text).strip(),
            s.entity_id,
            s.via,
            s.case_sensitive or (s.text.isupper() and sum(ch.isalpha() for ch in s.text) >= 2),
        )
        for s in surfaces
    ]
    cleaned = [s for s in cleaned if s.text and fold(s.text) not in ambiguous]
    # Pages write apostrophes both ways ("Côte d'Ivoire", "Côte d’Ivoire").
    cleaned += [
        Surface(s.text.replace("'", "’"), s.entity_id, s.via, s.case_sensitive) for s in cleaned if "'" in s.text
    ]
    return KnowledgeBase(entities, cleaned, ambiguous)

"""The network of states as GraphML (networkx), for Gephi and other graph tools.

Nodes are states (ISO3 id, English label). Edges, directed, one per relation:
``arms_transfer`` supplier → recipient, one edge per deal (system, stage, sources);
``sanction`` imposer → target, and ``meeting`` / ``exercise`` / ``agreement`` between the
states of the participants (people stand for their state), one edge per pair and kind with the
number of events as ``weight``. GraphML keeps only scalar attributes: lists are joined by ``;``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from itertools import combinations
from pathlib import Path
from typing import Any

import networkx as nx
from sqlalchemy import Connection, select

from veille.export.plover import actor_countries
from veille.export.sipri import country_name
from veille.store import schema as t


def _state(name: str | None, countries: dict[str, str]) -> str | None:
    if not name:
        return None
    if len(name) == 3 and name.isupper():
        return name
    return countries.get(name)


def state_network(conn: Connection) -> nx.MultiDiGraph:
    """The graph of states linked by deals and by the other stored events."""
    graph = nx.MultiDiGraph(name="veille state network")
    countries = actor_countries(conn)

    def node(iso3: str) -> None:
        if iso3 not in graph:
            graph.add_node(iso3, label=country_name(iso3))

    for row in conn.execute(select(t.deals.c.detail).order_by(t.deals.c.id)):
        d = json.loads(row[0])
        node(d["supplier"])
        node(d["recipient"])
        graph.add_edge(
            d["supplier"],
            d["recipient"],
            key=f"deal:{d['id']}",
            kind="arms_transfer",
            deal_id=d["id"],
            system=d["system"],
            order=d["order"],
            stage=d["latest_stage"],
            when=d["latest_when"] or "",
            weight=len(d["sources"]),
            sources=";".join(d["sources"]),
        )
    links: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    query = select(t.events.c.type, t.events.c.fields, t.events.c.doc_id).where(t.events.c.type != "ARMS_TRANSFER")
    for ev in conn.execute(query):
        f: dict[str, Any] = json.loads(ev.fields)
        kind = ev.type.lower()
        if ev.type == "SANCTION":
            a, b = _state(f.get("imposer"), countries), _state(f.get("target"), countries)
            pairs = [(a, b)] if a and b and a != b else []
        else:
            states = sorted({s for n in f.get("participants") or f.get("parties") or [] if (s := _state(n, countries))})
            pairs = list(combinations(states, 2))
        for a, b in pairs:
            assert a is not None and b is not None
            links[(kind, a, b)].add(ev.doc_id)
            counts[(kind, a, b)] += 1
    for (kind, a, b), docs in sorted(links.items()):
        node(a)
        node(b)
        graph.add_edge(
            a, b, key=f"{kind}:{a}-{b}", kind=kind, weight=counts[(kind, a, b)], sources=";".join(sorted(docs))
        )
    return graph


def write_graphml(conn: Connection, path: Path) -> tuple[int, int]:
    """Write the network to ``path``; returns (nodes, edges)."""
    graph = state_network(conn)
    nx.write_graphml(graph, path)
    return graph.number_of_nodes(), graph.number_of_edges()

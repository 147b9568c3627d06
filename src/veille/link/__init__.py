"""Link: spaCy Doc -> mentions linked to knowledge-base ids (or stable local ids)."""

from __future__ import annotations

from veille.link.kb import Entity, KnowledgeBase, load_kb
from veille.link.linker import link

__all__ = ["Entity", "KnowledgeBase", "family_map", "link", "load_kb"]


def family_map() -> dict[str, str]:
    """Canonical system name -> family, for grouping variants of one system into one deal."""
    return {e.name: str(e.attrs.get("family", e.name)) for e in load_kb().entities.values() if e.kind == "system"}

"""Consolidate: ARMS_TRANSFER events of all documents -> deals with timeline and conflicts."""

from veille.consolidate.deals import STAGE_ORDER, build_deals, consolidate

__all__ = ["STAGE_ORDER", "build_deals", "consolidate"]

"""Consolidate: ARMS_TRANSFER events of all documents -> deals with timeline and conflicts."""

from veille.consolidate.deals import STAGE_ORDER, build_deals, consolidate, deal_id, touched_keys
from veille.consolidate.story import timeline

__all__ = ["STAGE_ORDER", "build_deals", "consolidate", "deal_id", "timeline", "touched_keys"]

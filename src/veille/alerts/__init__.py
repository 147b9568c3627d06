"""Alerts: rules over what changed in the store, stored once with their evidence."""

from veille.alerts.rules import evaluate, snapshot
from veille.alerts.store import list_alerts, post_pending, record, write_atom

__all__ = ["evaluate", "list_alerts", "post_pending", "record", "snapshot", "write_atom"]

"""Serve: the REST API and the analyst's dashboard over a store (``veille serve``).

``create_app`` lives in :mod:`veille.serve.app`; it is imported lazily here so that the command
line does not load the web stack unless it serves.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from veille.serve.app import create_app

        return create_app
    raise AttributeError(name)

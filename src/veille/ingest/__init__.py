"""Ingest: paths on disk -> RawDocument | Rejection.

Reads ``.txt``, ``.html``/``.htm`` and ``.jsonl`` files (one article per line with ``text``
or ``html`` and optional ``url``, ``title``, ``published``, ``id``). Every failure becomes a
:class:`~veille.models.Rejection` naming the file and the reason; nothing raises out of here.
"""

from veille.ingest.files import MAX_BYTES, iter_inputs, read_path

__all__ = ["MAX_BYTES", "iter_inputs", "read_path"]

"""The daily digest (HTML and Markdown) of what changed in the store."""

from veille.digest.build import build_digest, cutoff, render, write_digest

__all__ = ["build_digest", "cutoff", "render", "write_digest"]

"""Export: the store -> document facts (JSONL per the evaluation contract), deals."""

from veille.export.facts import document_facts, write_facts

__all__ = ["document_facts", "write_facts"]

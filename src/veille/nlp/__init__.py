"""NLP: CleanDocument body -> spaCy Doc (sentences, parse, morphology) and time expressions."""

from veille.nlp.pipeline import load, parse
from veille.nlp.timex import Anchor, tag

__all__ = ["Anchor", "load", "parse", "tag"]

"""Evaluate: document facts against gold facts, scored as the evaluation contract says."""

from veille.evaluate.scoring import Scores, score

__all__ = ["Scores", "score"]

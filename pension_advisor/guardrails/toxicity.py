"""Toxicity score from alt-profanity-check's bundled model (offline, ~0.03 ms a text)."""

from __future__ import annotations

import warnings
from functools import lru_cache


@lru_cache(maxsize=1)
def _model():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn version notices from the pickled model
        from profanity_check import predict_prob
    return predict_prob


def toxicity(text: str) -> float:
    """Probability (0-1) that the text is offensive."""
    return float(_model()([text])[0])

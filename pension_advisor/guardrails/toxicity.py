"""Toxicity scores from alt-profanity-check's bundled model (offline).

Its predict_prob spends ~3 ms a call in scikit-learn's input validation; the model is five calibrated
linear SVMs, so we evaluate the same arithmetic directly (~0.3 ms; tests pin equality with predict_prob).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import lru_cache

import numpy as np


@dataclass(frozen=True)
class _Model:
    vectorizer: object
    weights: np.ndarray      # features x classifiers
    intercepts: np.ndarray   # classifiers
    sigmoid_a: np.ndarray
    sigmoid_b: np.ndarray


@lru_cache(maxsize=1)
def _model() -> _Model:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn version notices from the pickled model
        from profanity_check import profanity_check as pc
    parts = pc.model.calibrated_classifiers_
    return _Model(
        vectorizer=pc.vectorizer,
        weights=np.stack([c.estimator.coef_.ravel() for c in parts], axis=1),
        intercepts=np.array([c.estimator.intercept_[0] for c in parts]),
        sigmoid_a=np.array([c.calibrators[0].a_ for c in parts]),
        sigmoid_b=np.array([c.calibrators[0].b_ for c in parts]),
    )


def toxicity_scores(texts: list[str]) -> list[float]:
    """Probability (0-1) that each text is offensive; the mean of the calibrated classifiers, as sklearn does."""
    if not texts:
        return []
    m = _model()
    decision = m.vectorizer.transform(texts) @ m.weights + m.intercepts
    return (1.0 / (1.0 + np.exp(m.sigmoid_a * decision + m.sigmoid_b))).mean(axis=1).tolist()


def toxicity(text: str) -> float:
    return toxicity_scores([text])[0]

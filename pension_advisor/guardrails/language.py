"""Which questions are not in English (or Hinglish): the honest "English only for now" decline.

A reply in the member's language is out of reach offline, so such a question is declined with
``unsupported_language`` - never called out of scope. English with a few words of another language, and Hinglish
(Hindi written in Latin script, mixed with English pension terms), are read by the planner and pass.

Per sentence, a sentence is foreign when
- most of its letters are in a non-Latin script (Chinese, Devanagari, Greek, Tamil, Korean...), or
- py3langid (a naive Bayes identifier whose model ships inside its PyPI wheel; no network) calls it another
  language with probability >= ``MIN_PROBABILITY`` and fewer than ``MIN_KNOWN`` of its lower-case words are common
  English or Hinglish words, or
- it has six or more lower-case Latin words and almost none of them are English or Hinglish.
``foreign_share`` is the foreign sentences' share of the characters.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .normalise import KNOWN_WORDS

MIN_PROBABILITY = 0.5
MIN_KNOWN = 0.4
_SENTENCE = re.compile(r"(?<=[.!?？。！])\s*|\n+")
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_NOISE = re.compile(r"\S+@\S+|https?://\S+|www\.\S+|<[A-Z_]+>")


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def warm_up() -> None:
    _identifier().classify("When can I access my super?")


def _is_latin(ch: str) -> bool:
    return ch.isascii() or unicodedata.name(ch, "").startswith("LATIN")


def sentence_is_foreign(sentence: str) -> bool:
    sentence = _NOISE.sub(" ", sentence)
    letters = [ch for ch in sentence if ch.isalpha()]
    if not letters:
        return False
    if sum(not _is_latin(ch) for ch in letters) >= len(letters) / 2:
        return True
    words = [w.lower() for w in _WORD.findall(sentence) if w[0].islower() and all(_is_latin(c) for c in w)]
    if not words:
        return False
    known = sum(w in KNOWN_WORDS for w in words) / len(words)
    if len(words) >= 6 and known < 0.12:
        return True
    if known >= MIN_KNOWN:
        return False
    language, probability = _identifier().classify(sentence)
    return language != "en" and probability >= MIN_PROBABILITY


def foreign_share(text: str) -> float:
    """Share of ``text`` (by characters) in sentences that are neither English nor Hinglish."""
    foreign = sum(len(s) for s in _SENTENCE.split(text) if s.strip() and sentence_is_foreign(s))
    return foreign / max(1, len(text.strip()))

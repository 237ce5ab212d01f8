"""Offline retrieval over the knowledge base: BM25 (``bm25s``) on each country's confirmed passages.

A passage is indexed by its topic and keywords (twice: they are written to be found) and its text, stemmed and
without stop words. Scores are divided by the largest IDF a word can have in that country's index, so that the
threshold means about the same whatever the size of the knowledge base. A short question all of whose words are in
a passage's topic or keywords ("what is VPF?") is a match whatever its score. Below the threshold nothing is
retrieved: an unrelated question gets no passage at all rather than the least bad one.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import bm25s
import Stemmer
from bm25s.stopwords import STOPWORDS_EN_PLUS

from . import KNOWLEDGE_DIR, Passage, knowledge_base

# Words that say nothing about which rule is asked about, beyond bm25s's English list.
STOPWORDS = sorted(set(STOPWORDS_EN_PLUS) | {
    "get", "got", "getting", "much", "many", "tell", "know", "want", "need", "please", "like", "would", "could",
    "also", "im", "ive", "id", "thing", "things", "anything", "something", "explain", "mean", "means", "happen",
    "happens", "work", "works", "does", "doe", "rule", "rules", "counts", "count", "actually", "really",
})
_STEMMER = Stemmer.Stemmer("english")
# Words every passage of a country could be about: a question made of these alone ("what's my balance?") is not
# matched by the topic-words rule below.
GENERIC = frozenset(_STEMMER.stemWords(["super", "superannuation", "balance", "pension", "pensions", "money", "account",
                                         "fund", "retirement", "retire", "401k", "401", "ira", "pf", "epf", "pot", "savings",
                                         "tax", "age", "year", "years", "pay", "paid", "pays",
                                         # verbs any rule's question may use ("when I take it")
                                         "take", "taking", "took", "make", "go"]))
logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets its own logger to DEBUG on import
PHRASE_BONUS = 1.0
_LOCK = threading.Lock()  # bm25s tokenisation keeps per-call state only, but the stemmer is a C object: share it safely


@dataclass(frozen=True)
class Index:
    passages: tuple[Passage, ...]
    model: bm25s.BM25 | None
    max_idf: float
    about: tuple[frozenset[str], ...] = ()  # each passage's topic and keyword words (stemmed)
    phrases: tuple[tuple[frozenset[str], ...], ...] = ()  # each passage's topic and multi-word keywords, as stemmed word sets


def _tokens(texts: list[str]) -> list[list[str]]:
    with _LOCK:
        return bm25s.tokenize(texts, stopwords=STOPWORDS, stemmer=_STEMMER, return_ids=False, show_progress=False)


def _document(passage: Passage) -> str:
    return " ".join([passage.topic] * 2 + list(passage.keywords) * 2 + [passage.text])


@lru_cache(maxsize=32)
def index(country: str, folder: Path = KNOWLEDGE_DIR) -> Index:
    passages = tuple(knowledge_base(country, folder).usable())
    if not passages:
        return Index((), None, 1.0)
    model = bm25s.BM25()
    model.index(_tokens([_document(p) for p in passages]), show_progress=False)
    n = len(passages)
    about = tuple(frozenset(words) for words in _tokens([" ".join([p.topic, *p.keywords]) for p in passages]))
    # The topic in full, and keywords of two words or more of which one is telling ("pension pot" alone is every passage's).
    phrases = tuple(tuple(frozenset(t) for i, t in enumerate(_tokens([p.topic, *p.keywords]))
                          if len(t) >= 2 and (i == 0 or set(t) - GENERIC)) for p in passages)
    # The Lucene IDF (bm25s's default) of a word found in one passage only: the most a single word can weigh.
    return Index(passages, model, math.log(1 + (n - 0.5) / 1.5) or 1.0, about, phrases)


# Amounts in a question ("$50,000", "£30k", "₹5 lakh", "1,50,000") are the member's figures, not words of a rule: a
# passage that happens to name the same amount (the first home saver's "$50,000 in total") is not about the question.
_AMOUNT = re.compile(r"(?:[$£₹]|\b(?:rs\.?|inr|aud|usd|gbp)\s?)\s?\d[\d,]*(?:\.\d+)?\s?(?:k|m|lakhs?|crores?|million|thousand)?\b"
                     r"|\b\d{1,3}(?:,\d{2,3})+(?:\.\d+)?\b|\b\d+(?:\.\d+)?\s?(?:k|lakhs?|crores?)\b", re.IGNORECASE)

_PLAN_NAME = re.compile(r"(?:401|403|457)\s?\(?[kb]\)?", re.IGNORECASE)  # "401k" is a plan, not $401,000


def retrieve(text: str, country: str, limit: int = 3, min_score: float = 0.8,
             folder: Path = KNOWLEDGE_DIR) -> list[dict[str, Any]]:
    """The passages that explain ``text`` (contract §3 dicts plus ``score``), best first; [] when none is close."""
    found = index(country, folder)
    text = _AMOUNT.sub(lambda m: m.group(0) if _PLAN_NAME.fullmatch(m.group(0).strip()) else " ", text)
    query = _tokens([text])[0] if found.model is not None else []
    if not query:
        return []
    scores = found.model.get_scores(query) / found.max_idf
    # A passage whose topic or a multi-word keyword is said in the question, in any order and form ("how is my pension
    # taxed" says "tax on pension"), is about it even where its words are common: it ranks as one rare word more.
    words = set(query)
    scores = scores + [PHRASE_BONUS if _phrase_said(words, found.phrases[i], found.about[i]) else 0.0
                       for i in range(len(found.passages))]
    ranked = sorted(range(len(found.passages)), key=lambda i: -scores[i])
    return [found.passages[i].model_dump(mode="json") | {"score": round(float(scores[i]), 3)}
            for i in ranked[:limit] if scores[i] >= min_score or _about(set(query), found.about[i])]


def _phrase_said(query: set[str], phrases: tuple[frozenset[str], ...], about: frozenset[str]) -> bool:
    """One of a passage's phrases is in the question, and the question's other telling words are about it too
    ("my partner's super" says "put into super" but asks about a partner, which that passage is not about)."""
    return any(phrase <= query and (query - GENERIC - phrase) <= about for phrase in phrases)


def _about(query: set[str], about: frozenset[str]) -> bool:
    """Every telling word of a question is among a passage's topic and keyword words."""
    telling = query - GENERIC
    return bool(telling) and telling <= about

"""The vocabulary of the advisor's own subject, taken from what it can answer: the knowledge base's topics and
keyword phrases and the calculators' intents. A question that names one of them is in scope, so every rule the
knowledge base explains ("the bring-forward rule", "a condition of release", "the rule of 55") reaches the planner
without a second, hand-kept word list that drifts from it."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from pension_advisor.knowledge import KNOWLEDGE_DIR, knowledge_base
from pension_advisor.tools.base import CURRENCY


@lru_cache(maxsize=8)
def subject_vocabulary(folder: Path = KNOWLEDGE_DIR) -> re.Pattern:
    from pension_advisor.tools import TOOL_SPECS

    phrases = set()
    for country in CURRENCY:
        for passage in knowledge_base(country, folder).usable():
            # Single words ("tax", "retire") are too common to place a question on their own; phrases are not.
            phrases |= {p.lower() for p in [passage.topic, *passage.keywords] if len(p.split()) >= 2}
    words = sorted((re.escape(p).replace(r"\ ", r"[\s-]+") for p in phrases), key=len, reverse=True)
    intents = [p for spec in TOOL_SPECS.values() for p in spec.intents]
    return re.compile("|".join([rf"\b{w}\b" for w in words] + [f"(?:{p})" for p in intents]), re.IGNORECASE)


def names_the_subject(text: str, folder: Path = KNOWLEDGE_DIR) -> str | None:
    """The first knowledge phrase or calculator intent ``text`` names, or None."""
    m = subject_vocabulary(folder).search(text)
    return m.group(0) if m else None

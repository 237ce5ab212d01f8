"""Text that comes back from tools or member records is data, never instructions.

``sanitise(value, cfg)`` walks a tool outcome (or any JSON-like value) and replaces every string that reads as an
instruction to the model (the input guardrail's injection / jailbreak / extraction / obfuscation rules on its
normalised and decoded readings, plus the learned detector) with a neutral marker, returning the cleaned value and
what was removed. Numbers, dates and the structure are untouched, so calculations and the graph's routing
(which depends only on structured fields) stay exactly as they were.

Member records cannot carry instructions to a model at all: the only free-text field (the name) is never in the
view a model sees (members.model.Member.view_for_llm); tests/guardrails/test_tool_output.py checks both.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from . import detector, rules
from .normalise import normalise

REMOVED = "[removed: instruction-like text in tool output]"
_CODES = ("prompt_injection", "jailbreak", "system_prompt_extraction", "obfuscated_input")
# Tool text is short, formal and never addressed to the model: a higher bar than for member questions keeps
# ordinary rule-table prose ("Assumes you stop working at ...") well clear.
_MIN_DETECTOR = 0.9


@lru_cache(maxsize=8192)  # calculator text repeats (assumptions, citation titles): score each string once
def flag(text: str, use_detector: bool = True) -> str | None:
    """Why ``text`` must not reach a model as-is, or None."""
    if len(text) < 12 or not any(ch.isalpha() for ch in text):
        return None
    norm = normalise(text)
    for code in _CODES:
        for reading in norm.texts():
            if rules.first_match(rules.CATEGORIES[code], reading):
                return code
    if any(kind.split("+")[0] in {"tag_chars", "variation_selectors", "invisible_binary", "base64", "hex", "rot13"}
           for kind, _ in norm.views):
        return "obfuscated_input"
    if use_detector and len(text) >= 24:
        model = detector.model()
        if detector.attack_score(norm.texts()) >= max(model.threshold, _MIN_DETECTOR):
            return "suspected_attack"
    return None


def sanitise(value: Any, use_detector: bool = True, path: str = "") -> tuple[Any, list[dict]]:
    """(cleaned value, [{path, reason}]) for every string replaced."""
    if isinstance(value, str):
        reason = flag(value, use_detector)
        return (REMOVED, [{"path": path or "$", "reason": reason}]) if reason else (value, [])
    if isinstance(value, dict):
        out, found = {}, []
        for key, item in value.items():
            out[key], sub = sanitise(item, use_detector, f"{path}.{key}" if path else str(key))
            found += sub
        return out, found
    if isinstance(value, (list, tuple)):
        out_list, found = [], []
        for i, item in enumerate(value):
            cleaned, sub = sanitise(item, use_detector, f"{path}[{i}]")
            out_list.append(cleaned)
            found += sub
        return type(value)(out_list) if isinstance(value, tuple) else out_list, found
    return value, []

"""PII never reaches a trace: what the tracing span processor uses to mask every span before export.

The input guardrail registers each question it saw with its masked form and the PII strings it found
(:func:`remember`; a bounded in-memory map, never written anywhere). :func:`mask_text` then
- replaces a registered raw question wherever it appears (also in its JSON-escaped spelling, since span
  inputs and outputs are serialised JSON),
- replaces any registered PII string (e.g. a name found by NER) with a placeholder, and
- applies the regex PII masks to everything else (answers, tool output) as a floor.
pension_advisor.observability.processor calls mask_text on every span's inputs and outputs.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import Any

from . import rules

# Spans are exported seconds after their question; the last few hundred questions are plenty to keep.
_MAX_QUESTIONS = 3 * 256
_MAX_STRINGS = 1024
_lock = threading.Lock()
_questions: OrderedDict[str, str] = OrderedDict()   # raw question -> masked question
_strings: OrderedDict[str, str] = OrderedDict()     # raw PII string -> placeholder


def _spellings(text: str) -> set[str]:
    """The text as written and as it appears inside JSON (both ensure_ascii settings)."""
    return {text, json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1]}


def remember(raw: str, masked: str, found: list[str]) -> None:
    if not raw:
        return
    with _lock:
        for spelled, masked_spelled in zip(
                (raw, json.dumps(raw)[1:-1], json.dumps(raw, ensure_ascii=False)[1:-1]),
                (masked, json.dumps(masked)[1:-1], json.dumps(masked, ensure_ascii=False)[1:-1])):
            _questions[spelled] = masked_spelled
            _questions.move_to_end(spelled)
        for value in found:
            if len(value) >= 3:
                for spelled in _spellings(value):
                    _strings[spelled] = "<PII>"
                    _strings.move_to_end(spelled)
        while len(_questions) > _MAX_QUESTIONS:
            _questions.popitem(last=False)
        while len(_strings) > _MAX_STRINGS:
            _strings.popitem(last=False)


def mask_text(text: str) -> str:
    with _lock:
        questions = list(_questions.items())
        strings = list(_strings.items())
    for raw, masked in questions:
        if raw in text:
            text = text.replace(raw, masked)
    for raw, placeholder in strings:
        if raw in text:
            text = text.replace(raw, placeholder)
    return rules.mask_pii(text)[0]


def mask_value(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: mask_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(mask_value(v) for v in value)
    return value

"""PII redaction of a trace's payloads, given a small per-trace context: usable in the writer process.

The masks are the ones the span processor always applied to every span's serialised inputs and outputs, in the
same order: sensitive JSON keys, the run's member (name, name parts, birth date), member ids (to their
pseudonyms), the run's question as the input guardrail registered it (guardrails.redaction) and the PII strings
it found, then the regex floor (guardrails.rules.mask_pii). What changes is where the per-trace facts come from:
they are gathered once per trace (:func:`context`) instead of being searched for in every span, so redaction
can run wherever the trace is written - in the writer process, off the request's process entirely.

A context is plain data: {"member": <regex source> | None, "subs": [[raw, masked], ...], "strings": [raw, ...]},
or {"off": true} when tracing.redact_pii is false.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any, Iterable

import hashlib
import hmac

from pension_advisor.guardrails import redaction, rules

SENSITIVE_KEYS = ("name", "date_of_birth", "address", "email", "phone", "national_insurance_number", "ssn")
SENSITIVE_VALUE = re.compile(r'("(?:' + "|".join(SENSITIVE_KEYS) + r')"\s*:\s*)"(?:[^"\\]|\\.)*"')
MEMBER_ID_KEY = re.compile(r'"member_id"\s*:\s*"((?:AU|US|UK|IN)-\d{3})"')
MEMBER_ID = re.compile(r"\b(AU|US|UK|IN)-\d{3}\b")
INPUTS, OUTPUTS = "mlflow.spanInputs", "mlflow.spanOutputs"
# Trace-level copies of the root span's payloads (the MLflow UI's request/response columns).
PREVIEW_METADATA = ("mlflow.traceInputs", "mlflow.traceOutputs")
PREVIEW_FIELDS = ("request_preview", "response_preview")


def pseudonymise(member_id: str, salt: str) -> str:
    """pension_advisor.members.model.pseudonymise (tested equal), without importing the member and tool models:
    the writer process starts ~1 s sooner."""
    return f"member-{hmac.new(salt.encode(), member_id.encode(), hashlib.sha256).hexdigest()[:10]}"


def member_pattern_source(member) -> str:
    """A regex for the strings that identify a member (name, name parts, birth date in common formats)."""
    dob = member.date_of_birth
    words = sorted({member.name, *(p for p in member.name.split() if len(p) > 2)}, key=len, reverse=True)
    dates = {dob.isoformat(), dob.strftime("%d/%m/%Y"), dob.strftime("%m/%d/%Y"), f"{dob.day} {dob:%B %Y}"}
    return r"\b(?:" + "|".join(map(re.escape, words)) + r")\b|" + "|".join(map(re.escape, dates))


def _spellings(text: str) -> list[str]:
    """The text as written and as it appears inside JSON (both ensure_ascii settings)."""
    return list(dict.fromkeys((text, json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1])))


def _registered_strings() -> list[str]:
    # guardrails.redaction has no accessor for the PII strings it registered; read them under its lock.
    with redaction._lock:
        return list(redaction._strings)


def _registered_questions() -> list[tuple[str, str]]:
    with redaction._lock:
        return list(redaction._questions.items())


def registry_for_question(question: str | None) -> tuple[list[list[str]], list[str]]:
    """The run's question (every JSON spelling) with its registered masked form, and the PII strings found in it."""
    if not question:
        return [], []
    spellings = _spellings(question)
    subs = [[s, redaction.mask_text(s)] for s in spellings]
    strings = [s for s in _registered_strings() if any(s in sp for sp in spellings)]
    return [pair for pair in subs if pair[0] != pair[1]], strings


def registry_for_texts(texts: Iterable[str]) -> tuple[list[list[str]], list[str]]:
    """For a trace that is not a graph run: the registered questions and strings that occur in its payloads."""
    texts = [t for t in texts if t]
    subs = [[raw, masked] for raw, masked in _registered_questions() if any(raw in t for t in texts)]
    strings = [s for s in _registered_strings() if any(s in t for t in texts)]
    return subs, strings


class Redactor:
    def __init__(self, salt: str):
        self.salt = salt
        self._pseudonym = lru_cache(maxsize=4096)(lambda member_id: pseudonymise(member_id, salt))
        self._pattern = lru_cache(maxsize=1024)(re.compile)

    def text(self, text: str, ctx: dict[str, Any] | None) -> str:
        ctx = ctx or {}
        text = SENSITIVE_VALUE.sub(r'\1"<REDACTED>"', text)
        if member := ctx.get("member"):
            text = self._pattern(member).sub("<REDACTED>", text)
        text = MEMBER_ID.sub(lambda m: self._pseudonym(m.group(0)), text)
        for raw, masked in ctx.get("subs") or ():
            if raw in text:
                text = text.replace(raw, masked)
        for raw in ctx.get("strings") or ():
            if raw in text:
                text = text.replace(raw, "<PII>")
        return rules.mask_pii(text)[0]

    def trace_dict(self, trace: dict[str, Any], ctx: dict[str, Any] | None) -> None:
        """Mask a serialised trace (Trace.to_dict()) in place: span payloads and the trace's request/response.
        A context {"off": true} (tracing.redact_pii false) leaves it as it is."""
        if ctx and ctx.get("off"):
            return
        for span in trace["data"]["spans"]:
            attrs = span["attributes"]
            for key in (INPUTS, OUTPUTS):
                value = attrs.get(key)
                if isinstance(value, str) and value != "null":
                    attrs[key] = self.text(value, ctx)
        info = trace["info"]
        metadata = info.get("trace_metadata") or {}
        for key in PREVIEW_METADATA:
            if isinstance(metadata.get(key), str):
                metadata[key] = self.text(metadata[key], ctx)
        for key in PREVIEW_FIELDS:
            if isinstance(info.get(key), str):
                info[key] = self.text(info[key], ctx)

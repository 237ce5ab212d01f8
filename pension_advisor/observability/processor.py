"""The span processor every span passes through before it is exported to MLflow and OTLP alike.

It adds GenAI semantic-convention attributes (so an OTLP backend sees invoke_agent / execute_tool / chat /
apply_guardrail with models and token usage, and node names stay span names), writes the run summary onto the
root span and the trace tags, and applies the privacy settings: capture off, and PII redaction.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any, Callable

from mlflow.entities import SpanType

from pension_advisor.config import Settings
from pension_advisor.guardrails.redaction import mask_text
from pension_advisor.llm.usage import cost
from pension_advisor.members import MemberNotFound, MemberStore
from pension_advisor.members.model import pseudonymise

from .spans import GRAPH_NAME

log = logging.getLogger(__name__)

NODE_NAMES = {"input_guardrail", "plan", "tools", "synthesize", "judge", "retry", "fallback", "output_guardrail", "sample"}
SENSITIVE_KEYS = ("name", "date_of_birth", "address", "email", "phone", "national_insurance_number", "ssn")
_SENSITIVE_VALUE = re.compile(r'("(?:' + "|".join(SENSITIVE_KEYS) + r')"\s*:\s*)"(?:[^"\\]|\\.)*"')
_MEMBER_ID_KEY = re.compile(r'"member_id"\s*:\s*"((?:AU|US|UK|IN)-\d{3})"')
_INPUTS, _OUTPUTS = "mlflow.spanInputs", "mlflow.spanOutputs"
OPERATION = {SpanType.CHAT_MODEL: "chat", SpanType.LLM: "text_completion", SpanType.TOOL: "execute_tool",
             SpanType.GUARDRAIL: "apply_guardrail", SpanType.AGENT: "invoke_agent", SpanType.EVALUATOR: "evaluate"}
_MEMBER_ID = re.compile(r"\b(AU|US|UK|IN)-\d{3}\b")


def make_span_processor(settings: Settings, salt: str, members: MemberStore) -> Callable[[Any], None]:
    cfg = settings.tracing

    @lru_cache(maxsize=1024)
    def member_pattern(member_id: str) -> re.Pattern | None:
        """A regex for the strings that identify a member (name, name parts, birth date in common formats)."""
        try:
            m = members.get(member_id)
        except MemberNotFound:
            return None
        dob = m.date_of_birth
        words = sorted({m.name, *(p for p in m.name.split() if len(p) > 2)}, key=len, reverse=True)
        dates = {dob.isoformat(), dob.strftime("%d/%m/%Y"), dob.strftime("%m/%d/%Y"), f"{dob.day} {dob:%B %Y}"}
        return re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b|" + "|".join(map(re.escape, dates)))

    @lru_cache(maxsize=4096)
    def pseudonym(member_id: str) -> str:
        return pseudonymise(member_id, salt)

    def redact(text: str, member_id: str | None) -> str:
        """Mask a span's serialised JSON in one pass of compiled regexes (walking the objects costs ~10x more)."""
        text = _SENSITIVE_VALUE.sub(r'\1"<REDACTED>"', text)
        if member_id and (pattern := member_pattern(member_id)):
            text = pattern.sub("<REDACTED>", text)
        text = _MEMBER_ID.sub(lambda m: pseudonym(m.group(0)), text)
        return mask_text(text)

    def process(span) -> None:
        try:
            attrs = span._span.attributes or {}
            raw_inputs = attrs.get(_INPUTS)
            member_id = None
            if isinstance(raw_inputs, str) and (m := _MEMBER_ID_KEY.search(raw_inputs)):
                member_id = m.group(1)
            if span.name == GRAPH_NAME:
                _summarise_root(span, span.outputs, settings, salt, member_id)
            _semantic_conventions(span)
            for key, capture in ((_INPUTS, cfg.capture_inputs), (_OUTPUTS, cfg.capture_outputs)):
                value = attrs.get(key)
                if not isinstance(value, str):
                    continue
                if not capture:
                    _raw(span, key, "null")
                elif cfg.redact_pii:
                    _raw(span, key, redact(value, member_id))
        except Exception:  # a processor bug must never break the question; the span goes out unprocessed
            log.exception("span processor failed on %s", getattr(span, "name", "?"))

    return process


def _semantic_conventions(span) -> None:
    span_type = span.span_type
    if span.name in NODE_NAMES:
        _raw(span, "langgraph.node", span.name)
    if span_type in OPERATION:
        _raw(span, "gen_ai.operation.name", OPERATION[span_type])
    if span_type == SpanType.TOOL:
        _raw(span, "gen_ai.tool.name", span.name.removeprefix("execute_tool "))
    if span_type in (SpanType.CHAT_MODEL, SpanType.LLM):
        params = span.get_attribute("invocation_params") or {}
        model = params.get("model") or params.get("model_name")
        if model:
            _raw(span, "gen_ai.request.model", str(model))
        usage = span.get_attribute("mlflow.chat.tokenUsage") or {}
        if usage:
            _raw(span, "gen_ai.usage.input_tokens", int(usage.get("input_tokens", 0)))
            _raw(span, "gen_ai.usage.output_tokens", int(usage.get("output_tokens", 0)))


def _raw(span, key: str, value: Any) -> None:
    """Set an attribute as a plain OTel value (MLflow's set_attribute JSON-encodes; collectors expect raw)."""
    span._span.set_attribute(key, value)


def _summarise_root(span, state: Any, settings: Settings, salt: str, member_id: str | None) -> None:
    """The run at a glance: type AGENT, and tags for member pseudonym, country, attempts, verdict, cost."""
    span.set_span_type(SpanType.AGENT)
    _raw(span, "gen_ai.agent.name", GRAPH_NAME)
    if not isinstance(state, dict):
        return
    attempts = state.get("attempts") or []
    verdict = attempts[-1]["verdict"] if attempts else None
    guard = state.get("input_guardrail") or {}
    total, unpriced = cost(state.get("llm_usage") or [], settings.tracing.prices)
    tags = {
        "member": pseudonymise(member_id, salt) if member_id else "unknown",
        "country": (state.get("member") or {}).get("country", "unknown"),
        "status": state.get("status", "unknown"),
        "attempts": str(len(attempts)),
        "final_verdict": "none" if verdict is None else ("pass" if verdict["passed"] else "fail"),
        "guardrail": "allowed" if guard.get("allowed", True) else f"blocked:{guard.get('reason_code')}",
        "retry_reasons": ",".join(sorted({v["code"] for a in attempts[:-1] for v in a["verdict"]["violations"]})) or "none",
        "input_tokens": str(sum(u["input_tokens"] for u in state.get("llm_usage") or [])),
        "output_tokens": str(sum(u["output_tokens"] for u in state.get("llm_usage") or [])),
        "cost": f"{total:.6f}",
        "cost_currency": settings.tracing.cost_currency,
    }
    if unpriced:
        tags["cost_unpriced_models"] = ",".join(unpriced)
    for key, value in tags.items():
        _raw(span, f"pension_advisor.{key}", value)
    _set_trace_tags(span.trace_id, tags)


def _set_trace_tags(trace_id: str, tags: dict[str, str]) -> None:
    from mlflow.tracing.trace_manager import InMemoryTraceManager

    with InMemoryTraceManager.get_instance().get_trace(trace_id) as trace:
        if trace is not None:
            trace.info.tags.update({f"pension_advisor.{k}": v for k, v in tags.items()})

"""The span processor every span passes through before it is exported to MLflow and OTLP alike.

It adds GenAI semantic-convention attributes (so an OTLP backend sees invoke_agent / execute_tool / chat /
apply_guardrail with models and token usage, and node names stay span names), writes the run summary onto the
root span and the trace tags, and applies the privacy settings: capture off, and PII redaction.

It runs on the request thread for every span (~20 a question), so it reads the serialised attributes once and
never parses payloads back: the run summary is computed by the graph tracer from the final state itself
(:meth:`SpanPolicy.graph_ended`), and the facts redaction needs - the run's member and question - are taken
once per run from its inputs (:meth:`SpanPolicy.graph_started`), not searched for in every span.

Redaction itself (redact.py) happens where the trace is written: in the trace writer (export.py), once per
trace, when MLflow's tracer provider was built with it; on this thread, span by span, otherwise (MLflow's own
export pipeline, and mlflow.genai.evaluate runs, whose traces MLflow writes synchronously).
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from mlflow.entities import SpanType
from mlflow.tracing.constant import SpanAttributeKey
from mlflow.tracing.utils import maybe_get_request_id

from pension_advisor.config import Settings
from pension_advisor.llm.usage import cost
from pension_advisor.members import MemberNotFound, MemberStore
from pension_advisor.privacy import MEMBER_ID_KEY, current_run_member, mask, pseudonymise, trace_context

from . import export
from .redact import INPUTS, OUTPUTS, Redactor
from .spans import GRAPH_NAME, genai_attributes

log = logging.getLogger(__name__)

_TYPE, _REQUEST_ID = SpanAttributeKey.SPAN_TYPE, SpanAttributeKey.REQUEST_ID
class SpanPolicy:
    """The span processor (MLflow calls ``policy(span)``), the graph tracer's run hooks, and redaction contexts."""

    __name__ = "pension_advisor_span_policy"  # MLflow names a processor in its warnings

    def __init__(self, settings: Settings, salt: str, members: MemberStore):
        self.settings = settings
        self.cfg = settings.tracing
        self.salt = salt
        self.members = members
        self.redactor = Redactor(salt)
        self._runs: dict[str, dict[str, Any]] = {}  # MLflow trace id -> facts of the graph run: member_id, question
        self._member = lru_cache(maxsize=1024)(self._member_uncached)
        # Trace tags exist only in MLflow. With spans going to OTLP alone (MLflow down at start), MLflow 3.17's
        # OtelSpanProcessor copies a trace's tags onto its root span after the span has ended, which fails
        # ("Cannot mutate immutable BoundedAttributes") and loses the root span: the root's own
        # pension_advisor.* attributes carry the same summary there.
        self.trace_tags = True

    # --- graph tracer hooks -------------------------------------------------------------------------------
    def graph_started(self, span, inputs: Any) -> None:
        inputs = inputs if isinstance(inputs, dict) else {}
        question = inputs.get("question")
        # The member the run's entry point named (an API caller's input may name anyone); a graph invoked directly
        # has only its input's say.
        member_id = current_run_member() or inputs.get("member_id")
        self._runs[span.trace_id] = {"member_id": member_id if isinstance(member_id, str) else None,
                                     "question": question if isinstance(question, str) else None}

    def graph_ended(self, span, state: dict) -> None:
        """The run at a glance, from the final state: type AGENT, and tags for member, verdict, cost..."""
        try:
            _summarise_root(span, state, self.settings, self.salt, state.get("member_id"), self.trace_tags)
        except Exception:  # a summary bug must never break the question
            log.exception("run summary failed")

    def graph_closed(self, span) -> None:
        self._runs.pop(span.trace_id, None)

    # --- redaction contexts -------------------------------------------------------------------------------
    def take_context(self, trace_id: str) -> dict[str, Any] | None:
        """The run's facts, for the writer to resolve off the request thread (see context_for)."""
        facts = self._runs.get(trace_id)
        return {"facts": facts} if facts is not None else None

    def context_for(self, trace, ctx: dict[str, Any] | None = None) -> dict[str, Any]:
        """A redaction context (redact.py) for a finished trace: from its run's facts, else from its payloads."""
        if not self.cfg.redact_pii:
            return {"off": True}
        facts = (ctx or {}).get("facts")
        if facts is not None:
            return self._context(facts["member_id"], facts["question"])
        texts = [s._span.attributes.get(k) for s in trace.data.spans for k in (INPUTS, OUTPUTS)]
        texts = [t for t in texts if isinstance(t, str)]
        root = next((s for s in trace.data.spans if s.parent_id is None), None)
        raw = root._span.attributes.get(INPUTS) if root is not None else None
        m = MEMBER_ID_KEY.search(raw) if isinstance(raw, str) else None
        return trace_context(self._member(m.group(1)) if m else None, None, self.salt, texts)

    def _context(self, member_id: str | None, question: str | None):
        return trace_context(self._member(member_id) if member_id else None, question, self.salt)

    def _member_uncached(self, member_id: str):
        try:
            return self.members.get(member_id)
        except MemberNotFound:
            return None

    # --- the span processor -------------------------------------------------------------------------------
    def __call__(self, span) -> None:
        try:
            otel = span._span
            attrs = otel.attributes or {}
            _semantic_conventions(span, otel, attrs)
            redact_here = self.cfg.redact_pii and (not export.active or maybe_get_request_id(is_evaluate=True))
            redact = self._span_redactor(attrs) if redact_here else None
            for key, capture in ((INPUTS, self.cfg.capture_inputs), (OUTPUTS, self.cfg.capture_outputs)):
                value = attrs.get(key)
                if not isinstance(value, str):
                    continue
                if not capture:
                    otel.set_attribute(key, "null")
                elif redact is not None:
                    otel.set_attribute(key, redact(value))
        except Exception:  # a processor bug must never break the question; the span goes out unprocessed
            log.exception("span processor failed on %s", getattr(span, "name", "?"))

    def _span_redactor(self, attrs):
        """Masking for one span on this thread, decided before its inputs are rewritten."""
        trace_id = (attrs.get(_REQUEST_ID) or '""')[1:-1]
        facts = self._runs.get(trace_id)
        if facts is not None:  # a graph run: its member and question are known
            ctx = facts.get("ctx")
            if ctx is None:
                ctx = facts["ctx"] = self._context(facts["member_id"], facts["question"])
            return lambda text: self.redactor.text(text, ctx)
        # Any other span: its member from its own inputs, and the registered questions its payloads contain.
        raw = attrs.get(INPUTS)
        m = MEMBER_ID_KEY.search(raw) if isinstance(raw, str) else None
        ctx = trace_context(self._member(m.group(1)) if m else None, None, self.salt,
                            [v for v in (raw, attrs.get(OUTPUTS)) if isinstance(v, str)])
        return lambda text: mask(text, ctx).text


def make_span_processor(settings: Settings, salt: str, members: MemberStore) -> SpanPolicy:
    return SpanPolicy(settings, salt, members)


def _semantic_conventions(span, otel, attrs) -> None:
    """Plain OTel attributes (MLflow's set_attribute JSON-encodes; collectors expect raw values)."""
    span_type = attrs.get(_TYPE)  # JSON-encoded, e.g. '"TOOL"'
    plain = genai_attributes(otel.name, span_type[1:-1] if span_type else None, span.get_attribute)
    # GenAI attributes a node set itself (e.g. gen_ai.tool.call.source) went through MLflow's encoding too.
    plain.update({k: v[1:-1] for k, v in attrs.items()
                  if k.startswith("gen_ai.") and k not in plain and _json_string(v)})
    otel.set_attributes(plain)


def _json_string(value: Any) -> bool:
    """A JSON-encoded plain string ('"planner"'), which decodes by dropping its quotes."""
    return (isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"'
            and "\\" not in value and '"' not in value[1:-1])


def _summarise_root(span, state: dict, settings: Settings, salt: str, member_id: str | None,
                    trace_tags: bool = True) -> None:
    """Type AGENT, and tags for member pseudonym, country, attempts, verdict, cost, on the span and the trace."""
    span.set_span_type(SpanType.AGENT)
    otel = span._span
    otel.set_attribute("gen_ai.agent.name", GRAPH_NAME)
    attempts = state.get("attempts") or []
    verdict = attempts[-1]["verdict"] if attempts else None
    guard = state.get("input_guardrail") or {}
    usage = state.get("llm_usage") or []
    total, unpriced = cost(usage, settings.tracing.prices)
    tags = {
        "member": pseudonymise(member_id, salt) if member_id else "unknown",
        "country": (state.get("member") or {}).get("country", "unknown"),
        "status": state.get("status", "unknown"),
        "attempts": str(len(attempts)),
        "final_verdict": "none" if verdict is None else ("pass" if verdict["passed"] else "fail"),
        "guardrail": "allowed" if guard.get("allowed", True) else f"blocked:{guard.get('reason_code')}",
        "retry_reasons": ",".join(sorted({v["code"] for a in attempts[:-1] for v in a["verdict"]["violations"]})) or "none",
        "input_tokens": str(sum(u["input_tokens"] for u in usage)),
        "output_tokens": str(sum(u["output_tokens"] for u in usage)),
        "cost": f"{total:.6f}",
        "cost_currency": settings.tracing.cost_currency,
    }
    if unpriced:
        tags["cost_unpriced_models"] = ",".join(unpriced)
    for key, value in tags.items():
        otel.set_attribute(f"pension_advisor.{key}", value)
    if trace_tags:
        _set_trace_tags(span.trace_id, tags)


def _set_trace_tags(trace_id: str, tags: dict[str, str]) -> None:
    from mlflow.tracing.trace_manager import InMemoryTraceManager

    with InMemoryTraceManager.get_instance().get_trace(trace_id) as trace:
        if trace is not None:
            trace.info.tags.update({f"pension_advisor.{k}": v for k, v in tags.items()})

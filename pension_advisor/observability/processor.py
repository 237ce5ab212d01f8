"""The span processor every span passes through before it is exported to MLflow and OTLP alike
(`mlflow.tracing.configure(span_processors=[...])`, MLflow's public extension point).

It adds GenAI semantic-convention attributes (so an OTLP backend sees invoke_agent / execute_tool / chat /
apply_guardrail with models and token usage, and node names stay span names), writes the run summary onto the
root span and the trace tags, and applies the privacy settings: capture off, and PII redaction.

It runs on the request thread for every span (~20 a question), so it reads the serialised attributes once and
never parses payloads back: the run summary is computed by the graph tracer from the final state itself
(:meth:`SpanPolicy.graph_ended`), and the facts redaction needs - the run's member and question - are taken
once per run from its inputs (:meth:`SpanPolicy.graph_started`), not searched for in every span.
"""

from __future__ import annotations

import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

from mlflow.entities import SpanType

from pension_advisor.config import Settings
from pension_advisor.llm.usage import cost
from pension_advisor.members import MemberNotFound, MemberStore
from pension_advisor.privacy import (MEMBER_ID_KEY, MaskContext, current_run_member, mask_value, pseudonymise,
                                     trace_context)

from .compat import otel_span, record_joined_trace
from .redact import INPUTS, OUTPUTS, mask_payload
from .spans import GRAPH_NAME, genai_attributes

log = logging.getLogger(__name__)

# The caller's trace this context's run joined (tracing.caller_trace_context): its record is ours to write.
joined_trace: ContextVar[str | None] = ContextVar("pension_advisor_joined_trace", default=None)
PREVIEW_CHARS = 1000  # MLflow's request/response preview length


class SpanPolicy:
    """The span processor (MLflow calls ``policy(span)``), the graph tracer's run hooks, and redaction contexts."""

    __name__ = "pension_advisor_span_policy"  # MLflow names a processor in its warnings

    def __init__(self, settings: Settings, salt: str, members: MemberStore):
        self.settings = settings
        self.cfg = settings.tracing
        self.salt = salt
        self.members = members
        self._runs: dict[str, dict[str, Any]] = {}  # MLflow trace id -> facts of the graph run: member_id, question
        self._member = lru_cache(maxsize=1024)(self._member_uncached)
        # Trace tags exist only in MLflow. With spans going to OTLP alone (MLflow down at start), MLflow 3.17's
        # OtelSpanProcessor copies a trace's tags onto its root span after the span has ended, which fails
        # ("Cannot mutate immutable BoundedAttributes") and loses the root span: the root's own
        # pension_advisor.* attributes carry the same summary there.
        self.trace_tags = True
        self.experiment_id: str | None = None  # where the record of a joined trace goes (tracing.setup_tracing)
        self._records = ThreadPoolExecutor(1, thread_name_prefix="joined-trace-record")
        self._pending: list = []

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
            if state.get("status") == "degraded":
                # The model could not serve the run: an error for whoever watches the traces (MLflow's Overview
                # counts traces in state ERROR), which MLflow derives from the root span's status in every path
                # (its trace record, and the store's from the stored root span), though the member still got the
                # verified part of the answer.
                span.set_status("ERROR")
            tags = _summarise_root(span, state, self.settings, self.salt, state.get("member_id"), self.trace_tags)
            if span.trace_id in self._runs:
                self._runs[span.trace_id]["tags"] = tags  # for the record of a joined trace (graph_closed)
        except Exception:  # a summary bug must never break the question
            log.exception("run summary failed")

    def graph_closed(self, span) -> None:
        facts = self._runs.pop(span.trace_id, None)
        if span.parent_id is not None and joined_trace.get() == span.trace_id and self.trace_tags:
            self._record_joined(span, (facts or {}).get("tags") or {})

    def _record_joined(self, root, tags: dict[str, str]) -> None:
        """The record of a run that joined a caller's trace, which MLflow does not write (compat.py, item 2):
        state, times, previews and tags as MLflow writes them for a trace of its own; written off the request."""
        from mlflow.entities import TraceInfo, TraceLocation, TraceState

        if self.experiment_id is None:
            return
        failed = str(getattr(root.status, "status_code", "")).endswith("ERROR")
        otel = otel_span(root)
        raw = dict(otel.attributes or {}) if otel is not None else {}
        request = _preview(raw.get(INPUTS))
        response = _preview(raw.get(OUTPUTS))
        end_ns = root.end_time_ns or time.time_ns()
        info = TraceInfo(
            trace_id=root.trace_id, trace_location=TraceLocation.from_experiment_id(self.experiment_id),
            request_time=root.start_time_ns // 1_000_000,
            execution_duration=(end_ns - root.start_time_ns) // 1_000_000,
            state=TraceState.ERROR if failed else TraceState.OK,
            request_preview=request or None, response_preview=response or None,
            trace_metadata={"mlflow.traceInputs": request, "mlflow.traceOutputs": response},
            tags={f"pension_advisor.{k}": v for k, v in tags.items()})
        self._pending = [f for f in self._pending if not f.done()]
        self._pending.append(self._records.submit(self._write_record, info))

    def _write_record(self, info) -> None:
        try:
            record_joined_trace(info, self.settings.tracing.tracking_uri)
        except Exception as exc:
            log.warning("the record of trace %s (joined to a caller's trace) could not be written: %s",
                        info.trace_id, exc)

    def flush_records(self, timeout_s: float) -> bool:
        """Wait (bounded) for the records of joined traces still being written."""
        from concurrent.futures import wait

        pending = [f for f in self._pending if not f.done()]
        return not wait(pending, timeout=timeout_s).not_done if pending else True

    # --- redaction contexts -------------------------------------------------------------------------------
    def run_member(self, trace_id: str) -> str | None:
        """The member a graph run in progress is about (the run's context, else its input)."""
        return (self._runs.get(trace_id) or {}).get("member_id")

    def run_context(self, trace_id: str):
        """The masking context of a graph run in progress (its member and question), or None."""
        facts = self._runs.get(trace_id)
        if facts is None:
            return None
        if facts.get("ctx") is None:
            facts["ctx"] = self._context(facts["member_id"], facts["question"])
        return facts["ctx"]

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
            otel = otel_span(span)
            if otel is None:
                self._through_public_api(span)
                return
            attrs = otel.attributes or {}
            _semantic_conventions(span, otel, attrs)
            masking = self._masking(span.trace_id, attrs) if self.cfg.redact_pii else None
            for key, capture in ((INPUTS, self.cfg.capture_inputs), (OUTPUTS, self.cfg.capture_outputs)):
                value = attrs.get(key)
                if not isinstance(value, str):
                    continue
                if not capture:
                    otel.set_attribute(key, "null")
                elif masking is not None:
                    otel.set_attribute(key, mask_payload(value, *masking))
        except Exception:  # a processor bug must never break the question; the span goes out unprocessed
            log.exception("span processor failed on %s", getattr(span, "name", "?"))

    def _through_public_api(self, span) -> None:
        """Capture and masking when MLflow's span has no OpenTelemetry span where compat.py looks for it: slower
        (payloads are decoded and encoded again) but the privacy settings hold on any MLflow."""
        # As MLflow stores them: JSON (objects it cannot encode as their str), so masking sees plain values.
        encoded = {k: json.dumps(v, default=str) for k, v in ((INPUTS, span.inputs), (OUTPUTS, span.outputs))
                   if v is not None}
        masking = self._masking(span.trace_id, encoded) if self.cfg.redact_pii else None
        for key, capture, setter in ((INPUTS, self.cfg.capture_inputs, span.set_inputs),
                                     (OUTPUTS, self.cfg.capture_outputs, span.set_outputs)):
            if key not in encoded:
                continue
            if not capture:
                setter(None)
            elif masking is not None:
                setter(mask_value(json.loads(encoded[key]), *masking))

    def _masking(self, trace_id: str, attrs) -> tuple[MaskContext, dict[str, str]]:
        """The masking context and memo for one span, decided before its inputs are rewritten."""
        ctx = self.run_context(trace_id)
        if ctx is not None:  # a graph run: its member and question are known; its strings are masked once
            return ctx, (self._runs.get(trace_id) or {}).setdefault("memo", {})
        # Any other span: its member from its own inputs, and the registered questions its payloads contain.
        raw = attrs.get(INPUTS)
        m = MEMBER_ID_KEY.search(raw) if isinstance(raw, str) else None
        ctx = trace_context(self._member(m.group(1)) if m else None, None, self.salt,
                            [v for v in (raw, attrs.get(OUTPUTS)) if isinstance(v, str)])
        return ctx, {}


def make_span_processor(settings: Settings, salt: str, members: MemberStore) -> SpanPolicy:
    return SpanPolicy(settings, salt, members)


def _semantic_conventions(span, otel, attrs) -> None:
    """Plain OTel attributes (MLflow's set_attribute JSON-encodes; collectors expect raw values)."""
    plain = genai_attributes(span.name, span.span_type, span.get_attribute)
    # GenAI attributes a node set itself (e.g. gen_ai.tool.call.source) went through MLflow's encoding too.
    plain.update({k: v[1:-1] for k, v in attrs.items()
                  if k.startswith("gen_ai.") and k not in plain and _json_string(v)})
    otel.set_attributes(plain)


def _json_string(value: Any) -> bool:
    """A JSON-encoded plain string ('"planner"'), which decodes by dropping its quotes."""
    return (isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"'
            and "\\" not in value and '"' not in value[1:-1])


def _summarise_root(span, state: dict, settings: Settings, salt: str, member_id: str | None,
                    trace_tags: bool = True) -> dict[str, str]:
    """Type AGENT, and tags for member pseudonym, country, attempts, verdict, cost, on the span and the trace."""
    span.set_span_type(SpanType.AGENT)
    otel = otel_span(span)
    if otel is not None:
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
    if otel is not None:
        for key, value in tags.items():
            otel.set_attribute(f"pension_advisor.{key}", value)
    if trace_tags:
        import mlflow

        # The root is the active span here (its end callback runs inside it): MLflow keeps the tags with the trace.
        try:
            mlflow.update_current_trace(tags={f"pension_advisor.{k}": v for k, v in tags.items()})
        except Exception:
            log.debug("trace tags not set", exc_info=True)
    return tags


def _preview(value: Any) -> str:
    """A root payload as MLflow keeps it for the trace's request/response columns (truncated)."""
    return value[:PREVIEW_CHARS] if isinstance(value, str) and value != "null" else ""

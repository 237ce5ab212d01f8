"""Explicit spans for what autologging cannot see. No-ops when tracing is off (mlflow.tracing.disable())."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

from mlflow.entities import SpanEvent, SpanType

GRAPH_NAME = "pension_advisor"


@contextmanager
def span(name: str, span_type: str, inputs: Any = None, attributes: dict[str, Any] | None = None) -> Iterator[Any]:
    import mlflow

    with mlflow.start_span(name=name, span_type=span_type, attributes=attributes) as s:
        if inputs is not None:
            s.set_inputs(inputs)
        yield s


def guardrail_span(layer: str, allowed: bool, reason_code: str | None, score: float | None,
                   start_ns: int | None = None, end_ns: int | None = None) -> None:
    """One guardrail check as an apply_guardrail span with a gen_ai.guardrail.result event."""
    import mlflow

    from . import export

    parent = mlflow.get_current_active_span()
    event = {"gen_ai.guardrail.name": layer, "gen_ai.guardrail.decision": "allow" if allowed else "block"}
    if reason_code:
        event["gen_ai.guardrail.reason"] = reason_code
    if score is not None:
        event["gen_ai.guardrail.score"] = float(score)
    outputs = {"allowed": allowed, "reason_code": reason_code, "score": score}
    # A finished verdict: when the trace goes through the trace writer, it builds the span (export.defer_span).
    if parent is not None and export.defer_span(parent, f"guardrail:{layer}", SpanType.GUARDRAIL, start_ns, end_ns,
                                                outputs, [{"name": "gen_ai.guardrail.result", "attributes": event}]):
        return
    s = mlflow.start_span_no_context(f"guardrail:{layer}", span_type=SpanType.GUARDRAIL, parent_span=parent,
                                     start_time_ns=start_ns)
    s.add_event(SpanEvent(name="gen_ai.guardrail.result", attributes=event))
    s.set_outputs(outputs)
    s.end(end_time_ns=end_ns)


def current_trace_id() -> str | None:
    """The MLflow trace id of the run in progress, or None when tracing is off."""
    import mlflow

    return mlflow.get_active_trace_id()


def root_span_id(trace_id: str) -> str | None:
    """Hex id of the running trace's root span."""
    from mlflow.tracing.trace_manager import InMemoryTraceManager

    return InMemoryTraceManager.get_instance().get_root_span_id(trace_id)


def annotate_current(attributes: dict[str, Any]) -> None:
    """Add attributes to the span of the node that is running (e.g. why a retry happened)."""
    import mlflow

    current = mlflow.get_current_active_span()
    if current is not None:
        current.set_attributes(attributes)

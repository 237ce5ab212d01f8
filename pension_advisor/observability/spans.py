"""Explicit spans for what the graph tracer cannot see, on MLflow's public span API. No-ops when tracing is off
(mlflow.tracing.disable() makes every span a NoOpSpan)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Iterator

from mlflow.entities import SpanEvent, SpanType

GRAPH_NAME = "pension_advisor"


# gen_ai.operation.name per span type (OpenTelemetry GenAI semantic conventions).
GENAI_OPERATION = {SpanType.CHAT_MODEL: "chat", SpanType.LLM: "text_completion", SpanType.TOOL: "execute_tool",
                   SpanType.GUARDRAIL: "apply_guardrail", SpanType.AGENT: "invoke_agent",
                   SpanType.EVALUATOR: "evaluate"}


def genai_attributes(name: str, span_type: str | None, attribute: Callable[[str], Any]) -> dict[str, Any]:
    """A span's GenAI semantic-convention attributes, as raw values (MLflow JSON-encodes its own attributes;
    collectors expect raw ones): the operation, the tool name, the model and token usage. `attribute(key)` reads
    one of the span's attributes, decoded."""
    from .tracer import MODEL, TOKEN_USAGE

    out: dict[str, Any] = {}
    operation = GENAI_OPERATION.get(span_type)
    if operation is not None:
        out["gen_ai.operation.name"] = operation
    if operation == "execute_tool":
        out["gen_ai.tool.name"] = name.removeprefix("execute_tool ")
    if span_type in (SpanType.CHAT_MODEL, SpanType.LLM):
        params = attribute("invocation_params") or {}
        model = attribute(MODEL) or params.get("model") or params.get("model_name")
        if model:
            out["gen_ai.request.model"] = str(model)
        usage = attribute(TOKEN_USAGE) or {}
        if usage:
            out["gen_ai.usage.input_tokens"] = int(usage.get("input_tokens", 0))
            out["gen_ai.usage.output_tokens"] = int(usage.get("output_tokens", 0))
    return out


@contextmanager
def span(name: str, span_type: str, inputs: Any = None, attributes: dict[str, Any] | None = None) -> Iterator[Any]:
    """A span under the active one (the running node), open for the block."""
    import mlflow

    with mlflow.start_span(name=name, span_type=span_type, attributes=attributes) as s:
        if inputs is not None:
            s.set_inputs(inputs)
        yield s


def guardrail_span(layer: str, allowed: bool, reason_code: str | None, score: float | None,
                   start_ns: int | None = None, end_ns: int | None = None) -> None:
    """One guardrail check as an apply_guardrail span with a gen_ai.guardrail.result event."""
    import mlflow

    parent = mlflow.get_current_active_span()
    if parent is None:
        return  # outside a traced run: a span here would start a trace of its own
    event = {"gen_ai.guardrail.name": layer, "gen_ai.guardrail.decision": "allow" if allowed else "block"}
    if reason_code:
        event["gen_ai.guardrail.reason"] = reason_code
    if score is not None:
        event["gen_ai.guardrail.score"] = float(score)
    s = mlflow.start_span_no_context(f"guardrail:{layer}", span_type=SpanType.GUARDRAIL, parent_span=parent,
                                     start_time_ns=start_ns)
    s.add_event(SpanEvent(name="gen_ai.guardrail.result", attributes=event))
    s.set_outputs({"allowed": allowed, "reason_code": reason_code, "score": score})
    s.end(end_time_ns=end_ns)


def current_trace_id() -> str | None:
    """The MLflow trace id of the run in progress, or None when tracing is off."""
    import mlflow

    return mlflow.get_active_trace_id()


def root_span_id(trace_id: str) -> str | None:
    """Hex id of the running trace's root span (the graph run's)."""
    from .tracer import root_span_id as graph_root

    return graph_root(trace_id)


def annotate_current(attributes: dict[str, Any]) -> None:
    """Add attributes to the span of the node that is running (e.g. why a retry happened)."""
    import mlflow

    current = mlflow.get_current_active_span()
    if current is not None:
        current.set_attributes(attributes)

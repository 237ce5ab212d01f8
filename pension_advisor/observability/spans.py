"""Explicit spans for what autologging cannot see. No-ops when tracing is off (mlflow.tracing.disable()).

Inside a graph node recorded as plain data (tracer.py, when traces go through the trace writer) these spans are
plain data too, under that node; elsewhere they are MLflow spans.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Callable, Iterator

from mlflow.entities import SpanEvent, SpanType
from mlflow.tracing.constant import SpanAttributeKey

GRAPH_NAME = "pension_advisor"

# The innermost explicit plain-data span open on this thread (spans opened inside it hang under it).
_open: ContextVar[str | None] = ContextVar("pension_advisor_open_span", default=None)


class PlainSpan:
    """The part of MLflow's LiveSpan that the nodes and MLflow's LangChain callbacks use, recorded as plain data
    and handed to the trace's export when it ends (export.defer). Values are kept as they are: the writer
    process encodes them as MLflow would (sinks._materialise), so this thread never serialises a payload."""

    def __init__(self, name: str, span_type: str, parent_id: str, trace_id: str,
                 attributes: dict[str, Any] | None = None, start_ns: int | None = None):
        from . import export

        self.trace_id = trace_id
        self.span_id = export.new_span_id()
        self.capture = export.capture()
        self.record: dict[str, Any] = {"id": self.span_id, "name": name, "type": span_type, "parent": parent_id,
                                       "start": start_ns or time.time_ns(), "end": None, "attributes": {},
                                       "otel": {}, "inputs": None, "outputs": None, "events": [],
                                       # MLflow records the start as an attribute when a span is given one
                                       "start_attribute": start_ns is not None}
        self.set_attributes(attributes or {})

    def set_inputs(self, inputs: Any) -> None:
        self.record["inputs"] = inputs if self.capture[0] else None

    def set_outputs(self, outputs: Any) -> None:
        self.record["outputs"] = outputs if self.capture[1] else None

    def set_attribute(self, key: str, value: Any) -> None:
        self.record["attributes"][key] = value

    def set_attributes(self, attributes: dict[str, Any]) -> None:
        for key, value in attributes.items():
            self.set_attribute(key, value)

    def add_event(self, event: SpanEvent) -> None:
        self.record["events"].append({"name": event.name, "time": event.timestamp, "attributes": event.attributes})

    def end(self, outputs: Any = None, attributes: dict[str, Any] | None = None, status: Any = None,
            end_time_ns: int | None = None) -> None:
        from . import export

        if outputs is not None:
            self.set_outputs(outputs)
        self.set_attributes(attributes or {})
        if status is not None and getattr(status, "status_code", "OK") == "ERROR":
            self.record["status"] = {"code": "STATUS_CODE_ERROR", "message": status.description or ""}
        record = self.record
        record["otel"].update(genai_attributes(record["name"], record["type"], record["attributes"].get))
        record["end"] = end_time_ns or time.time_ns()
        export.defer(self.trace_id, record)

    def fail(self, error: BaseException) -> None:
        """As MLflow ends a span left by an exception: ERROR status and an exception event."""
        self.record.update(failure(error))


def failure(error: BaseException) -> dict[str, Any]:
    """A plain-data span's status and events after `error`, as MLflow records them (SpanEvent.from_exception)."""
    event = SpanEvent.from_exception(error)
    return {"status": {"code": "STATUS_CODE_ERROR", "message": f"{type(error).__name__}: {error}"},
            "events": [{"name": event.name, "time": event.timestamp, "attributes": event.attributes}]}


# gen_ai.operation.name per span type (OpenTelemetry GenAI semantic conventions).
GENAI_OPERATION = {SpanType.CHAT_MODEL: "chat", SpanType.LLM: "text_completion", SpanType.TOOL: "execute_tool",
                   SpanType.GUARDRAIL: "apply_guardrail", SpanType.AGENT: "invoke_agent",
                   SpanType.EVALUATOR: "evaluate"}


def genai_attributes(name: str, span_type: str | None, attribute: Callable[[str], Any]) -> dict[str, Any]:
    """A span's GenAI semantic-convention attributes, as raw values (MLflow JSON-encodes its own attributes;
    collectors expect raw ones): the operation, the tool name, the model and token usage. `attribute(key)` reads
    one of the span's attributes, decoded."""
    out: dict[str, Any] = {}
    operation = GENAI_OPERATION.get(span_type)
    if operation is not None:
        out["gen_ai.operation.name"] = operation
    if operation == "execute_tool":
        out["gen_ai.tool.name"] = name.removeprefix("execute_tool ")
    if span_type in (SpanType.CHAT_MODEL, SpanType.LLM):
        params = attribute("invocation_params") or {}
        model = attribute(SpanAttributeKey.MODEL) or params.get("model") or params.get("model_name")
        if model:
            out["gen_ai.request.model"] = str(model)
        usage = attribute(SpanAttributeKey.CHAT_USAGE) or {}
        if usage:
            out["gen_ai.usage.input_tokens"] = int(usage.get("input_tokens", 0))
            out["gen_ai.usage.output_tokens"] = int(usage.get("output_tokens", 0))
    return out


def _node():
    from . import export
    from .tracer import current_node

    return current_node() if export.deferring() else None


@contextmanager
def span(name: str, span_type: str, inputs: Any = None, attributes: dict[str, Any] | None = None) -> Iterator[Any]:
    node = _node()
    if node is not None:
        record, trace_id = node
        s = PlainSpan(name, span_type, _open.get() or record["id"], trace_id, attributes)
        if inputs is not None:
            s.set_inputs(inputs)
        token = _open.set(s.span_id)
        try:
            yield s
        except BaseException as exc:
            s.fail(exc)
            raise
        finally:
            _open.reset(token)
            s.end()
        return
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

    event = {"gen_ai.guardrail.name": layer, "gen_ai.guardrail.decision": "allow" if allowed else "block"}
    if reason_code:
        event["gen_ai.guardrail.reason"] = reason_code
    if score is not None:
        event["gen_ai.guardrail.score"] = float(score)
    outputs = {"allowed": allowed, "reason_code": reason_code, "score": score}
    node = _node()
    parent = None if node is not None else mlflow.get_current_active_span()
    if node is not None or (parent is not None and export.deferring()):
        # A finished verdict: plain data for the trace writer to build (~0.3 ms of span machinery saved).
        trace_id, parent_id = (node[1], _open.get() or node[0]["id"]) if node else (parent.trace_id, parent.span_id)
        s = PlainSpan(f"guardrail:{layer}", SpanType.GUARDRAIL, parent_id, trace_id,
                      start_ns=start_ns or time.time_ns())
    else:
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
    node = _node()
    if node is not None:
        node[0]["attributes"].update(attributes)
        return
    import mlflow

    current = mlflow.get_current_active_span()
    if current is not None:
        current.set_attributes(attributes)

"""Explicit spans for what autologging cannot see. No-ops when tracing is off (mlflow.tracing.disable()).

Inside a graph node recorded as plain data (tracer.py, when traces go through the trace writer) these spans are
plain data too, under that node; elsewhere they are MLflow spans.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Iterator

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
                 attributes: dict[str, Any] | None = None):
        from . import export

        self.trace_id = trace_id
        self.span_id = export.new_span_id()
        self.capture = export.capture()
        self.record: dict[str, Any] = {"id": self.span_id, "name": name, "type": span_type, "parent": parent_id,
                                       "start": time.time_ns(), "end": None, "attributes": {}, "otel": {},
                                       "inputs": None, "outputs": None, "events": []}
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

    def end(self, outputs: Any = None, attributes: dict[str, Any] | None = None, status: Any = None) -> None:
        from . import export

        if outputs is not None:
            self.set_outputs(outputs)
        self.set_attributes(attributes or {})
        if status is not None and getattr(status, "status_code", "OK") == "ERROR":
            self.record["status"] = {"code": "STATUS_CODE_ERROR", "message": status.description or ""}
        self.record["otel"].update(_model_conventions(self.record["type"], self.record["attributes"]))
        self.record["end"] = time.time_ns()
        export.defer(self.trace_id, self.record)

    def fail(self, error: BaseException) -> None:
        """As MLflow ends a span left by an exception: ERROR status and an exception event."""
        self.record.update(failure(error))


def failure(error: BaseException) -> dict[str, Any]:
    """A plain-data span's status and events after `error`, as MLflow records them (SpanEvent.from_exception)."""
    event = SpanEvent.from_exception(error)
    return {"status": {"code": "STATUS_CODE_ERROR", "message": f"{type(error).__name__}: {error}"},
            "events": [{"name": event.name, "time": event.timestamp, "attributes": event.attributes}]}


def _model_conventions(span_type: str, raw: dict[str, Any]) -> dict[str, Any]:
    """The GenAI attributes the span processor gives a live model span (processor._semantic_conventions)."""
    if span_type not in (SpanType.CHAT_MODEL, SpanType.LLM):
        return {}
    out: dict[str, Any] = {}
    params = raw.get("invocation_params") or {}
    model = raw.get(SpanAttributeKey.MODEL) or params.get("model") or params.get("model_name")
    if model:
        out["gen_ai.request.model"] = str(model)
    usage = raw.get(SpanAttributeKey.CHAT_USAGE) or {}
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
    events = [{"name": "gen_ai.guardrail.result", "attributes": event}]
    # A finished verdict: when the trace goes through the trace writer, it builds the span (export.defer_span).
    node = _node()
    if node is not None:
        export.defer_span(node[1], _open.get() or node[0]["id"], f"guardrail:{layer}", SpanType.GUARDRAIL,
                          start_ns, end_ns, outputs, events)
        return
    parent = mlflow.get_current_active_span()
    if parent is not None and export.defer_span(parent.trace_id, parent.span_id, f"guardrail:{layer}",
                                                SpanType.GUARDRAIL, start_ns, end_ns, outputs, events):
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
    node = _node()
    if node is not None:
        node[0]["attributes"].update(attributes)
        return
    import mlflow

    current = mlflow.get_current_active_span()
    if current is not None:
        current.set_attributes(attributes)

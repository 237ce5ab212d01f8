"""MLflow's LangChain tracer, attached once through LangChain's configure hook and recording node deltas.

`mlflow.langchain.autolog()` patches `BaseCallbackManager.__init__` through MLflow's safe_patch wrapper, which
costs ~50 µs of warning/session bookkeeping and an `inspect.signature` call for each of the ~50 callback
managers one question creates, and it records every LangGraph node with the whole graph state as input and
the root with the whole final state as output, so the same tool results and attempts are serialised, redacted
and stored again for every node. Here the same `MlflowLangchainTracer` (same span names, types, chat
attributes and token usage) is registered once with `langchain_core`'s configure hook, and:

- a node span's inputs are the state fields that changed since the previous node of the run started (the
  state a node sees is the run's inputs plus the outputs of the nodes before it, all on their own spans);
  its outputs are the node's update, which is what LangGraph reports anyway;
- the graph's root span keeps its inputs and records a summary as outputs (status, answer, attempts); the
  run summary tags are computed from the full final state before it is dropped;
- with capture_inputs / capture_outputs off, nothing is serialised at all;
- when the trace goes through the trace writer (export.deferring()), a node is not an MLflow span at all: it is
  recorded as plain data (name, times, payloads, attributes, status) that the writer builds into the same span
  (sinks._materialise); what runs inside it - chat model calls, explicit spans (spans.py) - is plain data under
  it, found through the run's parent id or :func:`current_node`. MLflow's span machinery
  (OTel span, processors, trace manager) costs ~0.4 ms a span on the request thread; a graph has ~9 nodes.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any
from uuid import UUID

from langgraph.constants import TAG_HIDDEN
from mlflow.langchain.langchain_tracer import MlflowLangchainTracer
from mlflow.tracing.constant import SpanAttributeKey
from mlflow.tracing.utils import dump_span_attribute_value
from mlflow.tracing.utils.token import SpanWithToken

from . import export
from .spans import GRAPH_NAME, PlainSpan, failure

_MISSING = object()
INPUTS, OUTPUTS = SpanAttributeKey.INPUTS, SpanAttributeKey.OUTPUTS
# LangGraph's per-task routing metadata: the step and node stay, the rest repeats on every span.
_ROUTING_METADATA = {"langgraph_triggers", "langgraph_path", "langgraph_checkpoint_ns", "checkpoint_ns"}


class _Switch:
    """Stands in for the ContextVar langchain_core's configure hook reads: one handler for every thread."""

    def __init__(self) -> None:
        self.handler: MlflowLangchainTracer | None = None

    def get(self) -> MlflowLangchainTracer | None:
        return self.handler


_switch = _Switch()
_registered = False
_lock = threading.Lock()


class GraphTracer(MlflowLangchainTracer):
    def __init__(self, capture_inputs: bool = True, capture_outputs: bool = True, hooks: Any = None):
        super().__init__(run_inline=True)  # inline: spans opened inside async nodes nest under the node
        self.capture_inputs = capture_inputs
        self.capture_outputs = capture_outputs
        self.hooks = hooks  # graph_started(span, inputs), graph_ended(span, state), graph_closed(span)
        # graph run id -> the last node input seen in that run (a reference: LangGraph hands each node a fresh
        # dict and keeps unchanged channel values as the same objects, so `is` finds what changed)
        self._graph_runs: dict[str, dict] = {}
        self._nodes: set[str] = set()
        # run id -> a node recorded as plain data: its record, its trace id, the root span (export.deferring())
        self._deferred: dict[str, tuple[dict[str, Any], str, Any]] = {}
        self._hidden: set[str] = set()  # run ids of hidden chain runs that have not ended

    def on_chain_start(self, serialized: dict[str, Any] | None, inputs: Any, *, run_id: UUID,
                       tags: list[str] | None = None, parent_run_id: UUID | None = None,
                       metadata: dict[str, Any] | None = None, run_type: str | None = None,
                       name: str | None = None, **kwargs: Any):
        key = str(run_id)
        graph = parent_run_id is None and name == GRAPH_NAME
        node = parent_run_id is not None and str(parent_run_id) in self._graph_runs
        if not (graph or node) and tags and TAG_HIDDEN in tags:  # a branch decision (graph/routes.py): no span
            self._hidden.add(key)
            return
        recorded = inputs
        if graph:
            self._graph_runs[key] = inputs if isinstance(inputs, dict) else {}
        elif node:
            self._nodes.add(key)
            if isinstance(inputs, dict):
                last = self._graph_runs[str(parent_run_id)]
                self._graph_runs[str(parent_run_id)] = inputs
                recorded = {k: v for k, v in inputs.items() if last.get(k, _MISSING) is not v}
        if not self.capture_inputs and (graph or node):
            recorded = None
        if metadata and (graph or node):
            metadata = {k: v for k, v in metadata.items() if k not in _ROUTING_METADATA}
        if node and export.deferring():
            root = self._run_span_mapping.get(str(parent_run_id))
            if root is not None:
                self._defer_node(key, root.span, name, recorded, metadata)
                return
        if not (graph or node):
            return super().on_chain_start(serialized or {}, inputs, run_id=run_id, tags=tags,
                                          parent_run_id=parent_run_id, metadata=metadata, run_type=run_type,
                                          name=name, **kwargs)
        super().on_chain_start(serialized or {}, None, run_id=run_id, tags=tags, parent_run_id=parent_run_id,
                               metadata=metadata, run_type=run_type, name=name, **kwargs)
        entry = self._run_span_mapping.get(key)
        if entry is None:
            return
        if graph:
            _remember_trace(key, entry.span.trace_id)
        if recorded is not None:
            _set_payload(entry.span, INPUTS, recorded)
        if node:
            entry.span._span.set_attribute("langgraph.node", name or "")
        elif graph and self.hooks is not None:
            self.hooks.graph_started(entry.span, inputs)

    def on_chain_end(self, outputs: Any, *, run_id: UUID, inputs: Any = None, **kwargs: Any):
        key = str(run_id)
        if key in self._hidden:
            self._hidden.discard(key)
            return
        if key in self._graph_runs:
            del self._graph_runs[key]
            span = self._get_span_by_run_id(run_id)
            if self.hooks is not None and isinstance(outputs, dict):
                self.hooks.graph_ended(span, outputs)
            try:
                if self.capture_outputs:
                    _set_payload(span, OUTPUTS, _summary(outputs))
                self._end_span(run_id, span)
            finally:
                self._forget_plain(span)
                if self.hooks is not None:
                    self.hooks.graph_closed(span)
            return
        deferred = self._deferred.pop(key, None)
        if deferred is not None:
            self._nodes.discard(key)
            record, trace_id, _ = deferred
            if self.capture_outputs and outputs is not None:
                record["outputs"] = outputs
            record["end"] = time.time_ns()
            export.defer(trace_id, record)
            return
        if key in self._nodes:  # its inputs were recorded at the start, as the delta
            self._nodes.discard(key)
            span = self._get_span_by_run_id(run_id)
            if self.capture_outputs and outputs is not None:
                _set_payload(span, OUTPUTS, outputs)
            self._end_span(run_id, span)
            return
        super().on_chain_end(outputs, run_id=run_id, inputs=inputs, **kwargs)

    def on_chain_error(self, error: BaseException, *, run_id: UUID, inputs: Any = None, **kwargs: Any):
        key = str(run_id)
        if key in self._hidden:
            self._hidden.discard(key)
            return
        deferred = self._deferred.pop(key, None)
        if deferred is not None:  # as MLflow ends a span on an exception: ERROR status and an exception event
            self._nodes.discard(key)
            record, trace_id, _ = deferred
            now = time.time_ns()
            record.update(end=now, **failure(error))
            export.defer(trace_id, record)
            return
        if key in self._graph_runs or key in self._nodes:
            inputs = None
        self._nodes.discard(key)
        if self._graph_runs.pop(key, None) is not None and key in self._run_span_mapping:
            span = self._run_span_mapping[key].span
            super().on_chain_error(error, run_id=run_id, inputs=None, **kwargs)
            self._forget_plain(span)
            if self.hooks is not None:
                self.hooks.graph_closed(span)
            return
        super().on_chain_error(error, run_id=run_id, inputs=inputs, **kwargs)

    def _forget_plain(self, root) -> None:
        """Drop what a finished graph run left unended (a cancelled run's nodes and model calls)."""
        for key in [k for k, v in self._deferred.items() if v[2] is root]:
            del self._deferred[key]
        for key in [k for k, v in self._run_span_mapping.items()
                    if isinstance(v.span, PlainSpan) and v.span.trace_id == root.trace_id]:
            self._run_span_mapping.pop(key, None)

    def _defer_node(self, key: str, root, name: str | None, inputs: Any, metadata: dict | None) -> None:
        """A node as plain data under the graph's root span; built into a span by the trace writer."""
        self._deferred[key] = ({
            "id": export.new_span_id(), "name": name or "", "type": "CHAIN", "parent": root.span_id,
            "start": time.time_ns(), "end": None, "attributes": {"metadata": metadata} if metadata else {},
            "otel": {"langgraph.node": name or ""}, "inputs": inputs, "outputs": None,
        }, root.trace_id, root)

    def node_record(self, run_id: Any) -> tuple[dict[str, Any], str] | None:
        """The plain-data record of a running node and its trace id, or None (a live span or no node)."""
        deferred = self._deferred.get(str(run_id)) if run_id is not None else None
        return deferred[:2] if deferred is not None else None

    def _plain_parent(self, parent_run_id) -> tuple[str, str] | None:
        """(span id, trace id) when a run's parent is recorded as plain data: a node, or a span under one."""
        if parent_run_id is None:
            return None
        key = str(parent_run_id)
        deferred = self._deferred.get(key)
        if deferred is not None:
            return deferred[0]["id"], deferred[1]
        entry = self._run_span_mapping.get(key)
        if entry is not None and isinstance(entry.span, PlainSpan):
            return entry.span.span_id, entry.span.trace_id
        return None

    def _start_span(self, span_name, parent_run_id, span_type, run_id, inputs=None, attributes=None):
        # Whatever runs inside a plain-data node (chat model calls) is plain data too, built by MLflow's own
        # callbacks through the part of LiveSpan they use (spans.PlainSpan).
        plain = self._plain_parent(parent_run_id)
        if plain is None:
            return super()._start_span(span_name, parent_run_id, span_type, run_id, inputs=inputs,
                                       attributes=attributes)
        span = PlainSpan(span_name, span_type, plain[0], plain[1], self._serialize_invocation_params(attributes))
        if inputs is not None:
            span.set_inputs(inputs)
        self._run_span_mapping[str(run_id)] = SpanWithToken(span, None)
        return span

    def _end_span(self, run_id, span, outputs=None, attributes=None, status=None):
        if not isinstance(span, PlainSpan):
            kwargs = {} if status is None else {"status": status}
            return super()._end_span(run_id, span, outputs=outputs, attributes=attributes, **kwargs)
        self._run_span_mapping.pop(str(run_id), None)
        span.end(outputs=outputs, attributes=attributes, status=status)


def current_node() -> tuple[dict[str, Any], str] | None:
    """The plain-data record (and trace id) of the graph node running on this thread, if it is one."""
    tracer = _switch.handler
    if tracer is None or not tracer._deferred:
        return None
    from langchain_core.runnables.config import var_child_runnable_config

    config = var_child_runnable_config.get()
    callbacks = config.get("callbacks") if config else None
    return tracer.node_record(getattr(callbacks, "parent_run_id", None))


def _set_payload(span, key: str, value: Any) -> None:
    """What LiveSpan.set_inputs/set_outputs store, without walking the value for attachments first (graph state
    holds no images or files; MLflow's walk visits every nested value of every node's state)."""
    span._span.set_attribute(key, dump_span_attribute_value(value))


def _summary(state: Any) -> Any:
    """The root span's outputs: the advice as the member got it; every intermediate result is on its node."""
    if not isinstance(state, dict):
        return state
    attempts = state.get("attempts") or []
    return {"status": state.get("status"), "final_answer": state.get("final_answer"), "attempts": len(attempts),
            "final_verdict": attempts[-1].get("verdict") if attempts else None}


# Root run id -> the MLflow trace id of that graph run, for the caller that chose the run id (Advisor.ask):
# "the last active trace" of the process is another question's under concurrency, and is not set at all when
# spans go only to OTLP or when the run joined a caller's trace.
_run_traces: OrderedDict[str, str] = OrderedDict()
_MAX_RUN_TRACES = 10_000


def _remember_trace(run_id: str, trace_id: str) -> None:
    with _lock:
        _run_traces[run_id] = trace_id
        while len(_run_traces) > _MAX_RUN_TRACES:  # runs whose caller never asked
            _run_traces.popitem(last=False)


def take_trace_id(run_id: Any) -> str | None:
    """The trace id of the graph run started with this run id (and forget it)."""
    with _lock:
        return _run_traces.pop(str(run_id), None)


def install(tracer: GraphTracer | None) -> None:
    """Attach `tracer` to every LangChain/LangGraph run in this process (None detaches)."""
    global _registered
    with _lock:
        if not _registered:
            from langchain_core.tracers.context import register_configure_hook

            register_configure_hook(_switch, inheritable=True)  # type: ignore[arg-type]
            _registered = True
        _switch.handler = tracer

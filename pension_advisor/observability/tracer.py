"""The graph's spans: one LangChain callback handler turning a LangGraph run into MLflow spans, through MLflow's
public span API only (`mlflow.start_span`, `LiveSpan`), attached once with langchain_core's configure hook.

Why not `mlflow.langchain.autolog()`: it patches every LangChain callback manager (~50 a question), records every
branch decision as a span, and records every node with the whole graph state as its input, so the same tool
results and attempts are serialised, masked and stored again for each of ~9 nodes. Here:

- the graph run is the root span; the span processor (processor.py) types it AGENT and sums the run up from the
  final state (`hooks.graph_ended`), and records the trace of a run that joined a caller's trace (`graph_closed`);
- a node span's inputs are the state fields that changed since the previous node started (a node sees the run's
  inputs plus the outputs of the nodes before it, all on their own spans); its outputs are its update;
- hidden runs (branch decisions, graph/routes.py) have no span;
- a chat model call is a CHAT_MODEL span with the messages, the reply, the model and the token usage, under the
  attribute names MLflow documents and its UI and Overview tab read (`mlflow.chat.tokenUsage`, `mlflow.llm.model`);
- each span is the active MLflow span while it runs (the `mlflow.start_span` block is entered in the start
  callback and left in the end callback, which LangChain calls inline, in the run's own context), so spans the
  nodes open themselves (spans.py) nest under their node.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langgraph.constants import TAG_HIDDEN

from .spans import GRAPH_NAME

log = logging.getLogger(__name__)

_MISSING = object()
# Attribute names MLflow documents for LLM spans (https://mlflow.org/docs/latest/genai/tracing/token-usage-cost).
TOKEN_USAGE, MODEL, MODEL_PROVIDER = "mlflow.chat.tokenUsage", "mlflow.llm.model", "mlflow.llm.provider"
SESSION = "mlflow.trace.session"  # trace metadata: the LangGraph thread id groups a conversation's traces
# LangGraph's per-task routing metadata: the step and node stay, the rest repeats on every span.
_ROUTING_METADATA = {"langgraph_triggers", "langgraph_path", "langgraph_checkpoint_ns", "checkpoint_ns"}
_ROLES = {"human": "user", "ai": "assistant", "system": "system", "tool": "tool"}


class _Switch:
    """Stands in for the ContextVar langchain_core's configure hook reads: one handler for every thread."""

    def __init__(self) -> None:
        self.handler: GraphTracer | None = None

    def get(self) -> GraphTracer | None:
        return self.handler


_switch = _Switch()
_registered = False
_lock = threading.Lock()


class GraphTracer(BaseCallbackHandler):
    run_inline = True  # in the run's own context: the span a callback opens is the active one inside the run
    raise_error = False

    def __init__(self, capture_inputs: bool = True, capture_outputs: bool = True, hooks: Any = None):
        self.capture_inputs = capture_inputs
        self.capture_outputs = capture_outputs
        self.hooks = hooks  # graph_started(span, inputs), graph_ended(span, state), graph_closed(span)
        self._open: dict[str, tuple[Any, Any]] = {}  # run id -> (the mlflow.start_span block, its span)
        # graph run id -> the last node input seen in that run (a reference: LangGraph hands each node a fresh
        # dict and keeps unchanged channel values as the same objects, so `is` finds what changed)
        self._graph_runs: dict[str, dict] = {}
        self._nodes: set[str] = set()
        self._roots: dict[str, str] = {}  # trace id -> root span id, while the run is open

    # --- chains: the graph, its nodes ---------------------------------------------------------------------
    def on_chain_start(self, serialized: dict[str, Any] | None, inputs: Any, *, run_id: UUID,
                       parent_run_id: UUID | None = None, tags: list[str] | None = None,
                       metadata: dict[str, Any] | None = None, name: str | None = None, **kwargs: Any) -> None:
        key = str(run_id)
        graph = parent_run_id is None and name == GRAPH_NAME
        node = parent_run_id is not None and str(parent_run_id) in self._graph_runs
        if not (graph or node) and (tags and TAG_HIDDEN in tags or str(parent_run_id) not in self._open):
            return  # a branch decision, or LangGraph's own plumbing under a node: no span
        recorded = inputs
        if graph:
            self._graph_runs[key] = inputs if isinstance(inputs, dict) else {}
        elif node:
            self._nodes.add(key)
            if isinstance(inputs, dict):
                last = self._graph_runs[str(parent_run_id)]
                self._graph_runs[str(parent_run_id)] = inputs
                recorded = {k: v for k, v in inputs.items() if last.get(k, _MISSING) is not v}
        metadata = {k: v for k, v in (metadata or {}).items() if k not in _ROUTING_METADATA}
        attributes = {"metadata": metadata} if metadata else {}
        span = self._start(key, name or "chain", "CHAIN", recorded if self.capture_inputs else None, attributes)
        if span is None:
            return
        if node:
            from .compat import otel_span

            otel = otel_span(span)
            if otel is not None:  # a plain value for OTLP collectors (MLflow JSON-encodes its own attributes)
                otel.set_attribute("langgraph.node", name or "")
        elif graph:
            self._roots[span.trace_id] = span.span_id
            _remember_trace(key, span.trace_id)
            if metadata.get("thread_id"):
                _update_trace(metadata={SESSION: str(metadata["thread_id"])})
            if self.hooks is not None:
                self.hooks.graph_started(span, inputs)

    def on_chain_end(self, outputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
        key = str(run_id)
        if key not in self._open:
            return
        if key in self._graph_runs:
            del self._graph_runs[key]
            span = self._open[key][1]
            try:
                if self.hooks is not None and isinstance(outputs, dict):
                    self.hooks.graph_ended(span, outputs)
                self._end(key, _summary(outputs))
            finally:
                self._roots.pop(span.trace_id, None)
                if self.hooks is not None:
                    self.hooks.graph_closed(span)
            return
        self._nodes.discard(key)
        self._end(key, outputs)

    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        key = str(run_id)
        if key not in self._open:
            return
        self._nodes.discard(key)
        root = self._graph_runs.pop(key, None) is not None
        span = self._open[key][1]
        self._end(key, error=error)
        if root:
            self._roots.pop(span.trace_id, None)
            if self.hooks is not None:
                self.hooks.graph_closed(span)

    # --- chat models -------------------------------------------------------------------------------------------
    def on_chat_model_start(self, serialized: dict[str, Any] | None, messages: list[list[Any]], *, run_id: UUID,
                            parent_run_id: UUID | None = None, metadata: dict[str, Any] | None = None,
                            name: str | None = None, invocation_params: dict[str, Any] | None = None,
                            **kwargs: Any) -> None:
        if str(parent_run_id) not in self._open and not _in_a_span():
            return  # a model called outside any traced run (a scorer's judge in the worker): no trace of its own
        params = invocation_params or {}
        attributes: dict[str, Any] = {"invocation_params": params, "mlflow.message.format": "langchain"}
        model = (metadata or {}).get("ls_model_name") or params.get("model") or params.get("model_name")
        if model:
            attributes[MODEL] = str(model)
        if (metadata or {}).get("ls_provider"):
            attributes[MODEL_PROVIDER] = metadata["ls_provider"]
        inputs = {"messages": [_message(m) for m in messages[0]]} if len(messages) == 1 else messages
        self._start(str(run_id), name or (serialized or {}).get("name") or "chat model", "CHAT_MODEL",
                    inputs if self.capture_inputs else None, attributes)

    def on_llm_end(self, response: Any, *, run_id: UUID, **kwargs: Any) -> None:
        key = str(run_id)
        if key not in self._open:
            return
        span = self._open[key][1]
        generations = [g for batch in (getattr(response, "generations", None) or []) for g in batch]
        message = getattr(generations[0], "message", None) if generations else None
        usage = getattr(message, "usage_metadata", None)
        if usage:
            span.set_attribute(TOKEN_USAGE, {"input_tokens": int(usage.get("input_tokens", 0)),
                                             "output_tokens": int(usage.get("output_tokens", 0)),
                                             "total_tokens": int(usage.get("total_tokens", 0))})
        if message is not None:
            outputs = {"choices": [{"index": 0, "message": _message(message),
                                    "finish_reason": (message.response_metadata or {}).get("finish_reason")}]}
        else:
            outputs = [getattr(g, "text", None) for g in generations]
        self._end(key, outputs)

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        if str(run_id) in self._open:
            self._end(str(run_id), error=error)

    # --- spans -------------------------------------------------------------------------------------------------
    def _start(self, key: str, name: str, span_type: str, inputs: Any, attributes: dict[str, Any]):
        import mlflow

        try:
            block = mlflow.start_span(name=name, span_type=span_type, attributes=attributes)
            span = block.__enter__()
            if inputs is not None:
                span.set_inputs(inputs)
        except Exception:  # tracing must never cost a question
            log.exception("could not open the span %s", name)
            return None
        self._open[key] = (block, span)
        return span

    def _end(self, key: str, outputs: Any = _MISSING, error: BaseException | None = None) -> None:
        block, span = self._open.pop(key)
        try:
            if outputs is not _MISSING and outputs is not None and self.capture_outputs:
                span.set_outputs(outputs)
            if error is None:
                block.__exit__(None, None, None)
            else:  # MLflow ends the span as for an exception in its block: ERROR status, an exception event
                block.__exit__(type(error), error, error.__traceback__)
        except ValueError:
            # A server that resumes a run's stream from another task ends it in a different context: the span
            # ended, only the context it was attached to is gone with the finished step.
            pass
        except Exception:
            log.exception("could not close the span %s", getattr(span, "name", "?"))

    def root_span_id(self, trace_id: str) -> str | None:
        return self._roots.get(trace_id)


def _message(message: Any) -> dict[str, Any]:
    """A LangChain message as a chat message ({role, content}), as MLflow's chat views show it."""
    role = _ROLES.get(getattr(message, "type", ""), getattr(message, "type", "user"))
    content = getattr(message, "content", None)  # not getattr's default: str() of a message is its whole repr
    out: dict[str, Any] = {"role": role, "content": str(message) if content is None else content}
    calls = getattr(message, "tool_calls", None)
    if calls:
        out["tool_calls"] = [{"id": c.get("id"), "type": "function",
                              "function": {"name": c.get("name"), "arguments": c.get("args")}} for c in calls]
    return out


def _in_a_span() -> bool:
    import mlflow

    return mlflow.get_current_active_span() is not None


def _update_trace(**fields: Any) -> None:
    import mlflow

    try:
        mlflow.update_current_trace(**fields)
    except Exception:
        log.debug("could not update the trace", exc_info=True)


def _summary(state: Any) -> Any:
    """The root span's outputs: the advice as the member got it; every intermediate result is on its node."""
    if not isinstance(state, dict):
        return state
    attempts = state.get("attempts") or []
    return {"status": state.get("status"), "final_answer": state.get("final_answer"), "attempts": len(attempts),
            "final_verdict": attempts[-1].get("verdict") if attempts else None}


def root_span_id(trace_id: str) -> str | None:
    """Hex id of the root span of a graph run in progress (the scorer events hang under it)."""
    tracer = _switch.handler
    return tracer.root_span_id(trace_id) if tracer is not None else None


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

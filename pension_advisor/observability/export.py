"""How finished traces leave the process: whole, once, through the trace writer (writer.py, sinks.py).

MLflow's default pipeline does, inside the advisor's process: a `log_spans` SQL transaction for every batch of 5
ended spans (from a BatchSpanProcessor thread that wakes every 5 spans), the trace info at the root, and with
OTLP dual export a second BatchSpanProcessor encoding every span to protobuf. Combined with the span processor
masking every payload on the request thread, that was ~40 ms of Python per question.

With `tracing.writer_process` (the default), MLflow's tracer provider is built with one span processor only:
MLflow's own `MlflowV3SpanProcessor` (trace bookkeeping, root-span handling, trace info), without a batch thread,
exporting through `WriterSpanExporter`, which ignores spans until their root ends and then hands the finished
trace, with its redaction context, to the trace writer. Redaction, the MLflow store writes and OTLP export all
happen there (in a child process), once per trace. While the trace runs, only its root is an MLflow span: graph
nodes and what runs inside them are recorded as plain data (`defer`, tracer.py, spans.py) that the writer builds
into spans (sinks._materialise).

Left to MLflow's own code, unchanged: mlflow.genai.evaluate runs (the harness reads its traces back at once;
their spans are masked on the request thread as before), traces with linked prompts, attachments or a workspace
(masked, then written in-process; not sent over OTLP), explicit trace destinations (`set_destination`),
Databricks model serving, and tracking URIs other than SQL stores and tracking servers.
"""

from __future__ import annotations

import logging
import os
import random
import threading
from collections import OrderedDict
from typing import Any, Sequence

from mlflow.tracing.export.mlflow_v3 import MlflowV3SpanExporter
from mlflow.tracing.utils import maybe_get_request_id

log = logging.getLogger(__name__)

# Tracking URIs whose writes go through the writer (SQLAlchemy stores, tracking servers).
WRITER_SCHEMES = ("sqlite:", "postgresql", "mysql", "mssql", "http:", "https:")
_config: dict[str, Any] = {"enabled": False, "salt": "", "otlp": False, "policy": None}
_writers: dict[str, Any] = {}
_retired: list = []  # writers for earlier tracking URIs, still handing over what they had
_lock = threading.Lock()
_original_get_span_processors = None
# True while MLflow's tracer provider was built by _span_processors (the span processor then leaves masking to
# the writer); read on every span, so a plain module global.
active = False
# MLflow trace id -> spans recorded as plain data (defer), built into real spans by the writer.
_deferred: OrderedDict[str, list] = OrderedDict()
_MAX_DEFERRED_TRACES = 10_000


class WriterSpanExporter(MlflowV3SpanExporter):
    def __init__(self, tracking_uri: str):
        super().__init__(tracking_uri)
        self._uri = tracking_uri

    def export(self, spans: Sequence[Any]) -> None:
        if maybe_get_request_id(is_evaluate=True):
            return super().export(spans)
        # Called inline as each span ends: only a root (or a root deferred earlier) has anything to do.
        roots = [s for s in spans if s._parent is None or s._parent.is_remote]
        if not roots and not self._deferred_root_spans:
            return
        for span in roots:
            if span._parent is not None:  # the local root of a run that joined a caller's trace
                self._export_distributed(span)
        self._export_traces(roots)

    def _export_distributed(self, local_root) -> None:
        """A run that joined a caller's trace (traceparent): MLflow keeps only a placeholder trace for it and logs
        its spans without trace info; hand over the spans under the local root the same way (spans only)."""
        from mlflow.entities import Trace, TraceData, TraceInfo, TraceLocation, TraceState
        from mlflow.tracing.trace_manager import InMemoryTraceManager
        from mlflow.tracing.utils import encode_span_id, get_experiment_id_for_trace

        manager = InMemoryTraceManager.get_instance()
        trace_id = manager.get_mlflow_trace_id_from_otel_id(local_root.context.trace_id)
        if trace_id is None:
            return
        with manager.get_trace(trace_id) as held:
            if held is None:
                return
            live = list(held.span_dict.values())
            held_info = held.info
        root_id = encode_span_id(local_root.context.span_id)
        children: dict[str | None, list] = {}
        for span in live:
            children.setdefault(span.parent_id, []).append(span)
        subtree, todo = [], [s for s in live if s.span_id == root_id]
        while todo:
            span = todo.pop()
            subtree.append(span.to_immutable_span())
            todo.extend(children.get(span.span_id, ()))
        if not subtree:
            return
        # The run's own record of the trace, as MLflow writes one for a local root (base_mlflow's
        # _update_trace_info): state from the root's status, times, the request/response the UI previews, and the
        # tags the run summary set on the placeholder (processor._set_trace_tags). Without it the store shows the
        # trace IN_PROGRESS, with no preview and none of the pension_advisor.* tags.
        from mlflow.tracing.constant import SpanAttributeKey, TraceMetadataKey

        failed = getattr(local_root.status, "status_code", None) is not None and \
            local_root.status.status_code.name == "ERROR"
        attributes = local_root.attributes or {}
        info = TraceInfo(
            trace_id=trace_id, request_time=local_root.start_time // 1_000_000,
            execution_duration=(local_root.end_time - local_root.start_time) // 1_000_000,
            state=TraceState.ERROR if failed else TraceState.OK,
            trace_location=TraceLocation.from_experiment_id(get_experiment_id_for_trace(local_root)),
            trace_metadata={**(held_info.trace_metadata or {}),
                            TraceMetadataKey.INPUTS: _preview(attributes.get(SpanAttributeKey.INPUTS)),
                            TraceMetadataKey.OUTPUTS: _preview(attributes.get(SpanAttributeKey.OUTPUTS))},
            tags=dict(held_info.tags or {}),
            # MLflow derives these from a root without a parent only (TraceData.request), so never for this one.
            request_preview=_preview(attributes.get(SpanAttributeKey.INPUTS)) or None,
            response_preview=_preview(attributes.get(SpanAttributeKey.OUTPUTS)) or None)
        trace = Trace(info=info, data=TraceData(spans=subtree))
        policy = _config["policy"]
        ctx = policy.take_context(trace_id) if policy is not None else None
        deferred = _take_deferred(trace_id)
        if not writer_for(self._uri).submit(trace, ctx, _resource(trace), _scope(trace), extra_spans=deferred):
            super()._export_spans_incrementally([local_root])  # a forked child: MLflow's own per-span path

    def _export_spans_incrementally(self, spans: Sequence[Any]) -> None:
        if maybe_get_request_id(is_evaluate=True):  # the evaluation harness reads its traces back at once
            super()._export_spans_incrementally(spans)
        # Otherwise each span goes with its trace when the root ends: one hand-over per trace.

    def _should_log_async(self) -> bool:
        return False  # the hand-over is a queue append; evaluation runs are synchronous in MLflow anyway

    def _log_trace(self, trace, prompts, workspace=None) -> None:
        if maybe_get_request_id(is_evaluate=True):
            return super()._log_trace(trace, prompts, workspace)  # spans logged incrementally, masked in-process
        policy = _config["policy"]
        ctx = policy.take_context(trace.info.trace_id) if policy is not None else None
        deferred = _take_deferred(trace.info.trace_id)
        if (prompts or workspace is not None or _has_attachments(trace)
                or not writer_for(self._uri).submit(trace, ctx, _resource(trace), _scope(trace),
                                                    extra_spans=deferred)):
            self._write_masked_in_process(trace, ctx, prompts, workspace, deferred)

    def _write_masked_in_process(self, trace, ctx, prompts, workspace, deferred=None) -> None:
        """MLflow's own store write (spans, then trace info), after masking the trace the same way."""
        from mlflow.entities import Trace

        from .redact import Redactor
        from .sinks import _materialise

        data = trace.to_dict()
        if deferred:
            _materialise(data, deferred)
        policy = _config["policy"]
        if policy is not None:
            ctx = policy.context_for(trace, ctx)
        Redactor(_config["salt"]).trace_dict(data, ctx)
        masked = Trace.from_dict(data)
        if self._store_supports_log_spans:
            self._log_spans(masked.info.experiment_id, list(masked.data.spans), workspace)
        super()._log_trace(masked, prompts, workspace)


def _preview(value: str | None, limit: int = 1000) -> str:
    """A root payload as MLflow keeps it for the trace's request/response columns (truncated)."""
    return "" if not isinstance(value, str) else value[:limit]


def deferring() -> bool:
    """Whether spans may be recorded as plain data for the writer to build (sinks._materialise): only when the
    trace goes through the writer, and never in an evaluation run (MLflow reads those traces back at once)."""
    return active and not maybe_get_request_id(is_evaluate=True)


def new_span_id() -> str:
    """A span id as MLflow writes it (16 hex digits), for a span recorded as plain data."""
    return f"{random.getrandbits(64) or 1:016x}"


def defer(trace_id: str, record: dict[str, Any]) -> None:
    """Hand a finished span recorded as plain data to its trace's export (the writer builds it: sinks.py).

    A record: id, name, type, parent (hex span ids), start/end (ns), inputs/outputs and attributes (values as they
    are, JSON-encoded as MLflow encodes them when the span is built), otel (attributes set as they are: GenAI and
    node names), events ({name, time, attributes}), and status when it failed."""
    with _lock:
        _deferred.setdefault(trace_id, []).append(record)
        while len(_deferred) > _MAX_DEFERRED_TRACES:  # traces that never reached the exporter
            _deferred.popitem(last=False)


def capture() -> tuple[bool, bool]:
    """tracing.capture_inputs / capture_outputs, for spans recorded as plain data."""
    policy = _config["policy"]
    return (policy.cfg.capture_inputs, policy.cfg.capture_outputs) if policy is not None else (True, True)


def _take_deferred(trace_id: str) -> list | None:
    with _lock:
        return _deferred.pop(trace_id, None)


def _has_attachments(trace) -> bool:
    return any(getattr(span, "_attachments", None) for span in trace.data.spans)


def _resource(trace) -> dict[str, Any]:
    spans = trace.data.spans
    resource = getattr(spans[0]._span, "resource", None) if spans else None
    return dict(resource.attributes) if resource is not None else {}


def _scope(trace) -> tuple | None:
    spans = trace.data.spans
    scope = getattr(spans[0]._span, "instrumentation_scope", None) if spans else None
    return (scope.name, scope.version) if scope is not None else None


def writer_for(tracking_uri: str):
    """This process's trace writer for the tracking URI (a fork gets its own; a new URI retires the old one)."""
    key = f"{os.getpid()}:{tracking_uri}"
    writer = _writers.get(key)
    if writer is None:
        with _lock:
            if key not in _writers:
                from .writer import TraceWriter

                # One writer per process: traces follow MLflow's tracking URI, so the previous one is done.
                for old_key in [k for k in _writers if k.startswith(f"{os.getpid()}:")]:
                    old = _writers.pop(old_key)
                    old.retire()
                    _retired.append(old)
                policy = _config["policy"]
                _writers[key] = TraceWriter(tracking_uri, _config["salt"], _config["otlp"],
                                            context_for=policy.context_for if policy is not None else lambda t, c: None)
            writer = _writers[key]
    return writer


def _mine():
    prefix = f"{os.getpid()}:"
    return [w for key, w in list(_writers.items()) if key.startswith(prefix)]


def flush_writers(timeout_s: float) -> bool:
    done = True
    for writer in _mine():
        done = writer.flush(timeout_s) and done
    return done


def close_writers(timeout_s: float, wait: bool = True) -> bool:
    """At exit: hand every queued trace over to the writers and (if `wait`) wait for them to write it all; one
    deadline, timeout_s, for everything."""
    import time

    deadline = time.monotonic() + timeout_s
    done = True
    for writer in _mine():
        done = writer.close(max(0.0, deadline - time.monotonic()), wait=wait) and done
    for writer in _retired:
        writer._sender.join(max(0.0, deadline - time.monotonic()))
    return done


def configure(enabled: bool, salt: str = "", otlp: bool = False, policy: Any = None) -> None:
    """Choose the pipeline MLflow builds its tracer provider with next (tracing.py resets the provider)."""
    global _original_get_span_processors, _original_get_tracer
    import mlflow.tracing.provider as provider

    if _original_get_span_processors is None:
        _original_get_span_processors = provider._get_span_processors
    if _original_get_tracer is None:
        _original_get_tracer = provider._get_tracer
        provider._get_tracer = _get_tracer
    _config.update(enabled=enabled, salt=salt, otlp=otlp, policy=policy)
    provider._get_span_processors = _span_processors if enabled else _original_get_span_processors


_original_get_tracer = None
_tracers: dict[str, tuple] = {}


def _get_tracer(module_name: str):
    """MLflow's `_get_tracer`, which asks the OTel provider for a new Tracer on every span (~30 µs: scope objects,
    a deprecation wrapper, warning filters), remembering it until the provider is replaced (reset, new URI)."""
    import mlflow.tracing.provider as provider

    current = provider.provider.get()
    hit = _tracers.get(module_name)
    if hit is not None and hit[0] is current:
        return hit[1]
    tracer = _original_get_tracer(module_name)  # initialises the provider if needed
    _tracers[module_name] = (provider.provider.get(), tracer)
    return tracer


def _span_processors(disabled: bool = False) -> list:
    """MLflow's `_get_span_processors`, with the writer pipeline in place of its exporters where it applies."""
    global active
    import mlflow
    from mlflow.tracing.processor.mlflow_v3 import MlflowV3SpanProcessor
    from mlflow.tracing.provider import _MLFLOW_TRACE_USER_DESTINATION
    from mlflow.utils.databricks_utils import is_in_databricks_model_serving_environment

    uri = mlflow.get_tracking_uri() or ""
    if (disabled or not uri.startswith(WRITER_SCHEMES) or _MLFLOW_TRACE_USER_DESTINATION.get() is not None
            or is_in_databricks_model_serving_environment()):
        active = False
        return _original_get_span_processors(disabled=disabled)
    active = True
    # No BatchSpanProcessor: ending a span calls export inline, which does nothing until the root ends; and no
    # OtelSpanProcessor: the writer sends the (masked) trace over OTLP.
    from mlflow.tracing.utils.otlp import should_export_otlp_metrics

    return [MlflowV3SpanProcessor(span_exporter=WriterSpanExporter(uri), export_metrics=should_export_otlp_metrics(),
                                  use_batch_processor=False)]

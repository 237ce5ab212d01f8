"""The MLflow internals tracing cannot do without: all of them, and only here (issue 16).

Checked against the MLflow version in `TESTED` (tests/observability/test_compat.py runs each against the installed
MLflow). Another version logs one warning at start-up; a function whose internal has moved degrades (a plain
attribute stays JSON-encoded, a joined trace stays IN_PROGRESS) and says so once, instead of failing a question.

1. `otel_span(span)` - the OpenTelemetry span inside an MLflow span (`LiveSpan._span`). MLflow's public
   `LiveSpan.set_attribute` JSON-encodes every value, so an OTLP collector reads `gen_ai.tool.name` as
   '"uk_state_pension_age"', quotes included; the OpenTelemetry GenAI conventions want plain values. The span
   processor also masks the payloads MLflow has already encoded here, as text, rather than decoding and
   re-encoding every payload of every span.

2. `record_joined_trace(info)` - writes the trace record (TraceInfo: state, request/response preview, tags) of a
   run that joined a caller's W3C trace, through MLflow's tracing client (`MlflowClient._tracing_client`), with
   the tag saying its spans are in the tracking store (`TraceTagKey`, `SpansLocation`: the record replaces the
   trace's tags, and without that one MLflow looks for the spans in the artifact store).
   MLflow 3.17 writes a trace's record only when a span *without a parent* ends
   (`BaseMlflowSpanProcessor.on_end` -> `_update_trace_info`; `MlflowV3SpanExporter._export_traces` skips a span
   whose parent is set), because its distributed tracing (https://github.com/mlflow/mlflow/pull/19920) expects
   the caller to be an MLflow-traced service that logs the record itself. A caller traced by anything else
   (Jaeger, an API gateway) leaves the spans in the store as an IN_PROGRESS trace with no preview and no tags.
   Upstream issue text (to file; related: https://github.com/mlflow/mlflow/issues/18847):

       [BUG] A trace joined with set_tracing_context_from_http_request_headers stays IN_PROGRESS when the
       caller is not MLflow-traced. The callee's local root span has a remote parent, so no span of the
       trace ever has parent None: the processor never updates the trace info and the exporter never logs
       it; log_spans creates the trace row as IN_PROGRESS with no request/response preview, and tags set
       with mlflow.set_trace_tag on the placeholder trace are dropped. Expected: the callee logs the trace
       info of its local root when the caller did not (or offers a public way to log a TraceInfo).

3. `hold_joined_trace(trace_id)` - keeps the caller's trace registered in MLflow's in-memory trace manager
   (`InMemoryTraceManager`) until MLflow's batch span exporter has taken the run's spans.
   `set_tracing_context_from_http_request_headers` registers a placeholder for the caller's trace and drops it
   when its block ends; the batch span processor exports the last spans of the run (the root among them) up to
   a second later, finds no trace for them and drops them (seen here: 1 span of 20 stored). A placeholder
   registered first, as a local trace, makes MLflow's function leave the registration alone; it is released
   `JOINED_TRACE_HOLD_S` later.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

log = logging.getLogger(__name__)

TESTED = ("3.17.",)
_warned: set[str] = set()


def check_version() -> bool:
    """Whether the installed MLflow is one these internals were checked against (warns once otherwise)."""
    import mlflow

    if mlflow.__version__.startswith(TESTED):
        return True
    _warn_once("version", "MLflow %s is not a version pension_advisor's tracing was checked against (%s): "
               "GenAI attributes or traces joined to a caller's trace may be incomplete",
               mlflow.__version__, ", ".join(v + "x" for v in TESTED))
    return False


def otel_span(span: Any) -> Any | None:
    """The OpenTelemetry span under an MLflow LiveSpan, or None (a no-op span, or an MLflow that moved it)."""
    try:
        inner = span._span
    except AttributeError:
        inner = None
    if inner is None or not hasattr(inner, "set_attribute"):
        if span is not None and type(span).__name__ == "LiveSpan":
            _warn_once("otel_span", "MLflow's LiveSpan has no OpenTelemetry span under _span: GenAI attributes "
                       "stay JSON-encoded and trace payloads are masked as MLflow encoded them")
        return None
    return inner


def record_joined_trace(info: Any, tracking_uri: str) -> None:
    """Write the TraceInfo of a run that joined a caller's trace (see the module docstring, item 2)."""
    import mlflow

    try:
        from mlflow.tracing.constant import SpansLocation, TraceTagKey

        start_trace = mlflow.MlflowClient(tracking_uri)._tracing_client.start_trace
    except (ImportError, AttributeError):
        _warn_once("record", "MLflow's tracing client has no start_trace: traces joined to a caller's trace "
                   "stay IN_PROGRESS in the store")
        return
    # The record replaces the trace's tags: keep the one saying its spans are in the store (log_spans sets it),
    # or MLflow looks for them in the artifact store and calls the trace corrupted.
    info.tags[TraceTagKey.SPANS_LOCATION] = SpansLocation.TRACKING_STORE.value
    start_trace(info)


JOINED_TRACE_HOLD_S = 10.0  # ten times the batch span processor's interval (tracing.py sets 1 s)
_held: list[tuple[float, int]] = []  # (release after, OTel trace id), oldest first
_held_lock = threading.Lock()
_reaper: list[threading.Thread] = []


def _reap() -> None:
    # While held, the placeholder is also what this process's mlflow.get_trace finds for the trace (a trace
    # without a root): release on time, not only when the next joined run comes.
    while True:
        time.sleep(JOINED_TRACE_HOLD_S / 4)
        try:
            release_joined_traces()
        except Exception:
            log.debug("releasing joined traces failed", exc_info=True)


def hold_joined_trace(trace_hex: str) -> None:
    """Register the caller's trace with MLflow before its context is set (see the module docstring, item 3)."""
    from mlflow.entities import TraceInfo, TraceState

    release_joined_traces()
    try:
        from mlflow.tracing.trace_manager import InMemoryTraceManager

        manager = InMemoryTraceManager.get_instance()
    except (ImportError, AttributeError):
        _warn_once("hold", "MLflow's trace manager moved: the last spans of a run joined to a caller's trace "
                   "may be lost")
        return
    trace_id, otel_id = f"tr-{trace_hex}", int(trace_hex, 16)
    with manager.get_trace(trace_id) as existing:
        if existing is not None:
            return  # this process already has the trace (two runs under one caller span)
    manager.register_trace(otel_id, TraceInfo(trace_id=trace_id, trace_location=None, request_time=None,
                                              state=TraceState.IN_PROGRESS))
    with _held_lock:
        _held.append((time.monotonic() + JOINED_TRACE_HOLD_S, otel_id))
        if not _reaper:
            _reaper.append(threading.Thread(target=_reap, name="joined-trace-release", daemon=True))
            _reaper[0].start()


def release_joined_traces(everything: bool = False) -> None:
    """Drop the placeholders held long enough (or all of them, once the exporters are flushed)."""
    now = time.monotonic()
    with _held_lock:
        due = [t for at, t in _held if everything or at <= now]
        _held[:] = [(at, t) for at, t in _held if not (everything or at <= now)]
    if not due:
        return
    from mlflow.tracing.trace_manager import InMemoryTraceManager

    manager = InMemoryTraceManager.get_instance()
    for otel_id in due:
        manager.pop_trace(otel_id)


def _warn_once(key: str, message: str, *args: Any) -> None:
    if key not in _warned:
        _warned.add(key)
        log.warning(message, *args)

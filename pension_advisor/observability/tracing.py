"""Tracing set-up and lifecycle: MLflow store + autolog, OTLP dual export, caller trace context, flushing."""

from __future__ import annotations

import atexit
import logging
import os
import signal
import sys
import threading
import time
from contextlib import contextmanager, nullcontext
from typing import Iterator

from pension_advisor.config import Settings

log = logging.getLogger(__name__)

_lock = threading.Lock()
_extra_flushes: list = []  # e.g. the scoring queue's writer: drained with the spans


def also_flush(fn) -> None:
    if fn not in _extra_flushes:
        _extra_flushes.append(fn)
_state: dict[str, object] = {"configured": None, "flush_timeout_s": 5.0}


def _export_otlp_settings(settings: Settings) -> bool:
    """Map tracing.otlp onto the standard variables MLflow's exporter reads; variables already set win."""
    otlp = settings.tracing.otlp
    if not (otlp.enabled or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")):
        return False
    # Without the dual flag MLflow would send spans ONLY to the collector (stack notes).
    os.environ["MLFLOW_TRACE_ENABLE_OTLP_DUAL_EXPORT"] = "true"
    os.environ.setdefault("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", otlp.endpoint)
    os.environ.setdefault("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", otlp.protocol)
    os.environ.setdefault("OTEL_SERVICE_NAME", otlp.service_name)
    os.environ.setdefault("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", str(otlp.timeout_s))
    if otlp.headers:
        os.environ.setdefault("OTEL_EXPORTER_OTLP_TRACES_HEADERS", ",".join(f"{k}={v}" for k, v in otlp.headers.items()))
    return True


def setup_tracing(settings: Settings, salt: str, members) -> bool:
    """Configure tracing once per process; returns whether traces are being recorded."""
    import mlflow

    cfg = settings.tracing
    with _lock:
        key = cfg.model_dump_json()
        if _state["configured"] == key:
            return cfg.enabled
        if not cfg.enabled:
            mlflow.tracing.disable()
            _detach_tracer()
            _state["configured"] = key
            return False
        os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
        # MLflow prices LLM spans from a model catalogue it downloads from github.com: never, offline; our own
        # price table (tracing.prices) gives the cost.
        os.environ.setdefault("MLFLOW_MODEL_CATALOG_URI", "")
        otlp = _export_otlp_settings(settings)
        # Spans never carry images or files here; scanning every payload for base64 attachments costs ~10 ms a run.
        os.environ.setdefault("MLFLOW_TRACE_EXTRACT_ATTACHMENTS", "false")
        # Trace export must give up quickly on a dead server instead of retrying for minutes.
        os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "1")
        os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", str(int(max(1, cfg.flush_timeout_s))))
        from .store import StoreUnreachable, open_store

        to_mlflow = True
        try:
            # A local store that cannot be opened raises StoreError (naming it): loud, never "tracing off".
            open_store(cfg.tracking_uri, cfg.experiment, probe_timeout_s=min(3.0, cfg.flush_timeout_s))
        except StoreUnreachable as exc:  # a tracking server that is down must not stop the advisor answering
            mlflow.set_tracking_uri(cfg.tracking_uri)
            if not otlp:
                log.warning("MLflow tracking server %s is unreachable (%s): traces for this process go nowhere",
                            cfg.tracking_uri, exc)
                mlflow.tracing.disable()
                _detach_tracer()
                _state["configured"] = key
                return False
            # Sinks are independent: the collector still gets every span (MLflow's own OTLP-only pipeline).
            log.warning("MLflow tracking server %s is unreachable (%s): traces go to the OTLP collector only",
                        cfg.tracking_uri, exc)
            os.environ["MLFLOW_TRACE_ENABLE_OTLP_DUAL_EXPORT"] = "false"
            to_mlflow = False
        from . import export
        from .processor import make_span_processor
        from .tracer import GraphTracer, install

        policy = make_span_processor(settings, salt, members)
        policy.trace_tags = to_mlflow
        # Finished traces go whole to the trace writer (export.py, writer.py), which masks them and writes them to
        # MLflow and OTLP from a child process; writer_process false keeps MLflow's own in-process pipeline.
        export.configure(cfg.writer_process and to_mlflow, salt=salt, otlp=otlp, policy=policy)
        mlflow.tracing.reset()  # (re)build MLflow's tracer provider with the pipeline just chosen
        mlflow.tracing.enable()
        mlflow.tracing.configure(span_processors=[policy])
        if "IPython" not in sys.modules:
            # Outside a notebook MLflow still tries `from IPython import get_ipython` at every trace end (~0.2 ms)
            mlflow.tracing.disable_notebook_display()
        # MLflow's LangChain tracer on every graph run, without autolog's per-callback-manager patch (tracer.py)
        install(GraphTracer(cfg.capture_inputs, cfg.capture_outputs, hooks=policy))
        if cfg.writer_process and to_mlflow and cfg.tracking_uri.startswith(export.WRITER_SCHEMES):
            export.writer_for(cfg.tracking_uri)  # start the writer process now, while the first question runs
        _state.update(configured=key, flush_timeout_s=cfg.flush_timeout_s)
        _install_flush_handlers()
        log.info("tracing to %s", " and ".join(([cfg.tracking_uri] if to_mlflow else []) + (["OTLP"] if otlp else [])))
        return True


def _detach_tracer() -> None:
    if "pension_advisor.observability.tracer" in sys.modules:
        from .tracer import install

        install(None)


def flush(timeout_s: float | None = None) -> bool:
    """Push queued spans out to every sink, waiting at most timeout_s in all for a slow or dead one.

    Returns whether everything was written in time (the trace writer goes on writing after a timeout)."""
    timeout_s = float(timeout_s or _state["flush_timeout_s"])
    deadline = time.monotonic() + timeout_s
    marker = _newest_trace()
    complete = _flush_in_process(timeout_s)
    if "pension_advisor.observability.export" in sys.modules:
        from .export import flush_writers

        # Bounded by the same deadline once the writer process is up (its start-up is not a slow sink).
        if not flush_writers(max(0.0, deadline - time.monotonic())):
            complete = False
            log.warning("trace writer still busy after %.1fs; it finishes writing on its own", timeout_s)
    # Whether or not it went through: a sink that did not take these traces within the timeout is down or slow,
    # and waiting for it again at exit would only double what the exit costs.
    _state["flushed_up_to"] = marker
    return complete


def _flush_in_process(timeout_s: float) -> bool:
    """MLflow's async export queue, the OTel provider's processors, and the extra flushes (scoring queue)."""
    done = threading.Event()
    complete = [True]

    def _flush() -> None:
        try:
            import mlflow
            from opentelemetry import trace

            mlflow.flush_trace_async_logging()
            for flush_jobs in _extra_flushes:
                flush_jobs(timeout_s)
            provider = trace.get_tracer_provider()
            if hasattr(provider, "force_flush"):
                provider.force_flush(int(timeout_s * 1000))
        except Exception as exc:
            complete[0] = False
            log.warning("flushing traces failed: %s", exc)
        finally:
            done.set()

    try:
        threading.Thread(target=_flush, name="trace-flush", daemon=True).start()
    except RuntimeError:  # interpreter shutdown: no new threads; each exporter still bounds itself by its timeout
        _flush()
    if not done.wait(timeout_s):
        log.warning("traces still queued after %.1fs: a sink is down or slow", timeout_s)
        complete[0] = False
    return complete[0]


def _newest_trace() -> str | None:
    try:
        import mlflow

        return mlflow.get_last_active_trace_id()
    except Exception:
        return None


def _at_exit() -> None:
    """Exit waits once, at most flush_timeout_s: not at all when a flush already covered every trace this process
    made (the CLI flushes before printing), otherwise for the in-process exporters and for the trace writer to
    take and write what is left. The writer child outlives us and writes whatever it was handed in any case."""
    timeout_s = float(_state["flush_timeout_s"])
    deadline = time.monotonic() + timeout_s
    wait = _state.get("flushed_up_to", _UNSET) != _newest_trace()
    if wait:
        _flush_in_process(timeout_s)
    if "pension_advisor.observability.export" in sys.modules:
        from .export import close_writers

        if not close_writers(max(0.0, deadline - time.monotonic()), wait=wait) and wait:
            log.warning("trace writer still writing after %.1fs; it finishes on its own", timeout_s)


_UNSET = object()


def _install_flush_handlers() -> None:
    if _state.get("handlers"):
        return
    _state["handlers"] = True
    atexit.register(_at_exit)
    if threading.current_thread() is threading.main_thread():
        previous = signal.getsignal(signal.SIGTERM)

        def on_sigterm(signum, frame):
            if callable(previous) and previous not in (signal.SIG_DFL, signal.SIG_IGN):
                flush()  # a host's own handler (a server's graceful stop) may not end in a normal exit
                previous(signum, frame)
            else:
                raise SystemExit(128 + signum)  # a normal exit: _at_exit flushes, once

        signal.signal(signal.SIGTERM, on_sigterm)


@contextmanager
def caller_trace_context(traceparent: str | None) -> Iterator[None]:
    """Make this run's trace a child of the caller's W3C trace context, when one is given."""
    if not traceparent:
        with nullcontext():
            yield
        return
    from mlflow.entities.trace_info import TraceInfo, TraceState
    from mlflow.tracing.provider import get_context_api
    from mlflow.tracing.trace_manager import InMemoryTraceManager
    from mlflow.tracing.utils import generate_mlflow_trace_id_from_otel_trace_id
    from opentelemetry import trace
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    # What mlflow.tracing.distributed.set_tracing_context_from_http_request_headers does, except that the
    # caller's trace stays registered until our spans are exported: MLflow's version forgets it on exit,
    # before the batch exporter has written the last spans (the root among them), which are then dropped.
    context = TraceContextTextMapPropagator().extract({"traceparent": traceparent})
    otel_trace_id = trace.get_current_span(context).get_span_context().trace_id
    manager = InMemoryTraceManager.get_instance()
    _release_remote_traces(manager)
    with manager.get_trace(generate_mlflow_trace_id_from_otel_trace_id(otel_trace_id)) as existing:
        registered = existing is None
    if registered:
        manager.register_trace(otel_trace_id, TraceInfo(
            trace_id=generate_mlflow_trace_id_from_otel_trace_id(otel_trace_id), trace_location=None,
            request_time=None, state=TraceState.IN_PROGRESS), is_remote_trace=True)
    context_api = get_context_api()  # MLflow keeps its own runtime context unless it shares OTel's
    token = context_api.attach(context)
    try:
        yield
    finally:
        try:
            context_api.detach(token)
        except ValueError:
            # A server that resumes the graph's stream from another task (langgraph-api does) ends the run in a
            # different context: the one we attached to belongs to a finished step, so nothing needs restoring.
            pass
        if registered:
            with _remote_lock:
                _remote_traces.append((time.monotonic() + REMOTE_TRACE_RELEASE_S, otel_trace_id))


REMOTE_TRACE_RELEASE_S = 60.0  # far beyond the span exporter's batch delay
_remote_traces: list[tuple[float, int]] = []  # (release after, otel trace id), oldest first
_remote_lock = threading.Lock()


def _release_remote_traces(manager, everything: bool = False) -> None:
    now = time.monotonic()
    with _remote_lock:
        due = [t for at, t in _remote_traces if everything or at <= now]
        _remote_traces[:] = [(at, t) for at, t in _remote_traces if not (everything or at <= now)]
    for otel_trace_id in due:
        manager.pop_trace(otel_trace_id)


def run_trace_id(run_id) -> str | None:
    """The trace id of the graph run invoked with `run_id` (config["run_id"]), or None without tracing."""
    if "pension_advisor.observability.tracer" not in sys.modules:
        return None
    from .tracer import take_trace_id

    return take_trace_id(run_id)


def last_trace_id() -> str | None:
    import mlflow

    return mlflow.get_last_active_trace_id()

"""Tracing set-up and lifecycle: the MLflow store, the graph tracer and span processor, OTLP dual export, a caller's
trace context, flushing and exit."""

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
        if _state["configured"] is not None:
            # Another configuration (a script or test switching stores): what the previous pipeline still holds is
            # written to its own store first, not left to MLflow's export threads while the provider is rebuilt.
            mlflow.flush_trace_async_logging()
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
        # MLflow's async export writes spans in batches of 5 (a store transaction each, ~20 spans a question) from
        # a queue of 1,000 tasks that drops what does not fit: under steady load on SQLite it fell behind and
        # discarded traces (294 of 400 questions' traces complete). Bigger batches, sent every second, and room
        # for bursts: 400 of 400, and the run 30 % quicker (tests/observability/test_trace_loss.py). MLflow drains
        # the queue at exit.
        os.environ.setdefault("MLFLOW_ASYNC_TRACE_LOGGING_MAX_SPAN_BATCH_SIZE", "500")
        os.environ.setdefault("MLFLOW_ASYNC_TRACE_LOGGING_MAX_INTERVAL_MILLIS", "1000")
        os.environ.setdefault("MLFLOW_ASYNC_TRACE_LOGGING_MAX_QUEUE_SIZE", "10000")
        if cfg.tracking_uri.startswith("sqlite:"):
            # SQLite takes one writer at a time: MLflow's 10 export workers only contend for its lock (a loaded CI
            # machine saw "Could not create trace_info for 75 trace(s) after 10 retries; spans ... dropped").
            os.environ.setdefault("MLFLOW_ASYNC_TRACE_LOGGING_MAX_WORKERS", "1")
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
        from .compat import check_version
        from .processor import make_span_processor
        from .tracer import GraphTracer, install

        check_version()
        policy = make_span_processor(settings, salt, members)
        policy.trace_tags = to_mlflow
        if to_mlflow:
            experiment = mlflow.get_experiment_by_name(cfg.experiment)
            policy.experiment_id = experiment.experiment_id if experiment is not None else None
        mlflow.tracing.reset()  # (re)build MLflow's tracer provider with the sinks just chosen (dual export)
        mlflow.tracing.enable()
        mlflow.tracing.configure(span_processors=[policy])
        if "IPython" not in sys.modules:
            # Outside a notebook MLflow still tries `from IPython import get_ipython` at every trace end (~0.2 ms)
            mlflow.tracing.disable_notebook_display()
        install(GraphTracer(cfg.capture_inputs, cfg.capture_outputs, hooks=policy))
        _state["policy"] = policy
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

    Returns whether everything was written in time."""
    timeout_s = float(timeout_s or _state["flush_timeout_s"])
    marker = _newest_trace()
    complete = _flush_in_process(timeout_s)
    # Whether or not it went through: a sink that did not take these traces within the timeout is down or slow,
    # and waiting for it again at exit would only double what the exit costs.
    _state["flushed_up_to"] = marker
    return complete


def _flush_in_process(timeout_s: float) -> bool:
    """MLflow's async export queue, the records of joined traces, the OTel provider's processors, and the extra
    flushes (scoring queue), all within timeout_s."""
    done = threading.Event()
    complete = [True]

    def _flush() -> None:
        try:
            import mlflow

            mlflow.flush_trace_async_logging()
            policy = _state.get("policy")
            if policy is not None and not policy.flush_records(timeout_s):
                complete[0] = False
            for flush_jobs in _extra_flushes:
                flush_jobs(timeout_s)
            provider = mlflow.tracing.get_bridged_tracer_provider()  # MLflow's own (its OTLP export among it)
            if hasattr(provider, "force_flush"):
                provider.force_flush(int(timeout_s * 1000))
        except Exception as exc:
            complete[0] = False
            log.warning("flushing traces failed: %s", exc)
        finally:
            done.set()

    _in_background(_flush)
    if not done.wait(timeout_s):
        log.warning("traces still being exported after %.1fs: a sink is slow or down", timeout_s)
        complete[0] = False
    return complete[0]


def _newest_trace() -> str | None:
    try:
        import mlflow

        return mlflow.get_last_active_trace_id()
    except Exception:
        return None


def _at_exit() -> None:
    """Exit waits once, at most flush_timeout_s, for the collector: not at all when a flush already covered every
    trace this process made (the CLI flushes before printing). MLflow's store queue is drained whatever the
    collector does. Then MLflow's tracer provider is shut down within what is left of the bound: OpenTelemetry's
    own exit hook would wait up to 30 s more for a collector that does not answer."""
    timeout_s = float(_state["flush_timeout_s"])
    deadline = time.monotonic()  # a flush that covered everything has had its wait already
    if _state.get("flushed_up_to", _UNSET) != _newest_trace():
        deadline += timeout_s
        _flush_in_process(timeout_s)
    try:
        import mlflow

        # The store's share, on this thread, as MLflow's own exit hook does it: every trace accepted is written
        # (a tracking server that died mid-run costs its HTTP timeout per queued batch here).
        mlflow.flush_trace_async_logging()
    except Exception as exc:
        log.warning("writing the last traces failed: %s", exc)
    _shutdown_provider(max(0.2, deadline - time.monotonic()))


class _ExitWorker:
    """A daemon thread started with tracing, for the work an exit must bound: Python 3.12 starts no new thread
    once the interpreter is exiting, and a call made on the exiting thread itself cannot be given up on."""

    def __init__(self) -> None:
        import queue

        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._run, name="trace-exit", daemon=True).start()

    def _run(self) -> None:
        while True:
            self.jobs.get()()


def _in_background(job) -> None:
    """Run `job` on a thread of its own, or on the exit worker once no thread can be started."""
    try:
        threading.Thread(target=job, name="trace-flush", daemon=True).start()
    except RuntimeError:
        worker = _state.get("exit_worker")
        if worker is None:
            job()  # tracing never set up in this process: nothing is queued that could hold the exit
        else:
            worker.jobs.put(job)


def _shutdown_provider(timeout_s: float) -> None:
    finished = threading.Event()

    def shutdown() -> None:
        try:
            import mlflow

            # Each processor's shutdown flushes it (MLflow's into its store queue). If the collector's holds this
            # thread past the bound, OpenTelemetry's exit hook shuts the rest down: a processor shut down once
            # returns at once the second time.
            provider = mlflow.tracing.get_bridged_tracer_provider()
            if hasattr(provider, "shutdown"):
                provider.shutdown()
        except Exception as exc:
            log.debug("tracer provider shutdown: %s", exc)
        finally:
            finished.set()

    _in_background(shutdown)
    finished.wait(timeout_s)


_UNSET = object()


def _install_flush_handlers() -> None:
    # Exit hooks run last-registered first: ours must run before the hooks OpenTelemetry and MLflow registered
    # when the tracer provider was built (just now, and again after each reset), so it is registered again.
    import mlflow

    mlflow.tracing.get_bridged_tracer_provider()
    atexit.unregister(_at_exit)
    atexit.register(_at_exit)
    if _state.get("handlers"):
        return
    _state["handlers"] = True
    _state["exit_worker"] = _ExitWorker()
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
    """Make this run's trace a child of the caller's W3C trace context, when one is given.

    MLflow joins the caller's trace (mlflow.tracing.set_tracing_context_from_http_request_headers); the trace's
    record, which MLflow leaves to an MLflow-traced caller, is written by the span processor (compat.py)."""
    if not traceparent:
        with nullcontext():
            yield
        return
    import mlflow

    from .compat import hold_joined_trace
    from .processor import joined_trace

    trace_hex = traceparent.split("-")[1].lower()
    hold_joined_trace(trace_hex)
    token = joined_trace.set(f"tr-{trace_hex}")
    try:
        with mlflow.tracing.set_tracing_context_from_http_request_headers({"traceparent": traceparent}):
            yield
    finally:
        try:
            joined_trace.reset(token)
        except ValueError:
            # A server that resumes the graph's stream from another task ends the run in a different context:
            # the one we set belongs to a finished step, so nothing needs restoring.
            pass


def run_trace_id(run_id) -> str | None:
    """The trace id of the graph run invoked with `run_id` (config["run_id"]), or None without tracing."""
    if "pension_advisor.observability.tracer" not in sys.modules:
        return None
    from .tracer import take_trace_id

    return take_trace_id(run_id)


def last_trace_id() -> str | None:
    import mlflow

    return mlflow.get_last_active_trace_id()

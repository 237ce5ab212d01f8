"""The scoring worker: runs the configured scorers on a sampled run and attaches each score to its trace,
in MLflow (as feedback) and on the OTLP side (as a gen_ai.evaluation.result event in the same trace)."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from pension_advisor.config import Settings
from pension_advisor.scorers.common import SCORED_FIELDS

log = logging.getLogger(__name__)
_KEEP_AFTER_S = 1.0  # scores computed for longer than this are written before the next scorer runs


class TraceNotReady(RuntimeError):
    """The trace has not reached the store yet (or the store is down): retry later."""


class TraceScorer:
    def __init__(self, settings: Settings):
        import mlflow

        from pension_advisor.scorers import build_scorers

        self.settings = settings
        self.scorers = build_scorers(settings)
        mlflow.set_tracking_uri(settings.tracing.tracking_uri)
        self.client = mlflow.MlflowClient(settings.tracing.tracking_uri)
        self.tracing = self.client._tracing_client  # one client for every read and write (log_feedback makes one a call)
        self.writer = _AssessmentWriter(self.tracing)
        self.events = _EvaluationEvents(settings)
        self._warm_up()

    def _warm_up(self) -> None:
        """Run the built-in deterministic scorers once on a sample reply, so their one-time loads (the toxicity
        model, ~3 s; the rule tables) happen at start-up rather than on the first jobs. They are pure functions:
        nothing is written. Custom and LLM scorers are not run here (they may cost money or have effects)."""
        from pension_advisor.scorers import DETERMINISTIC
        from pension_advisor.tools.base import CURRENCY

        warm = [s for s in self.scorers if DETERMINISTIC.get(s.name) is s]
        for country, currency in CURRENCY.items():  # rule tables are loaded per country
            inputs = {"question": "What is my preservation age?", "member_id": None}
            outputs = {"answer": f"Tax year 2026-27, amounts in {currency}.\nIt is 60 [1].\n\nSources:\n"
                                 "[1] Rules (2026-27): https://example.invalid/rules",
                       "tool_outcomes": [], "country": country, "member": None, "status": "answered"}
            for scorer in warm:
                try:
                    scorer(inputs=inputs, outputs=outputs)
                except Exception as exc:  # a cold start is only slower: the real job reports real errors
                    log.debug("warming up scorer %s failed: %s", scorer.name, exc)

    def __call__(self, payload: dict[str, Any], renew=lambda: None) -> list[str]:
        """Score one run; returns the scorer names it logged (already-logged ones are skipped: idempotent)."""
        from mlflow.entities import AssessmentSource, Feedback

        trace_id = payload["trace_id"]
        try:  # the trace's info (with its assessments) only: loading every span would cost more than scoring
            info = self.tracing.get_trace_info(trace_id)
        except Exception as exc:
            raise TraceNotReady(f"{trace_id}: {type(exc).__name__}: {str(exc)[:200]}") from None
        if info is None:
            raise TraceNotReady(f"{trace_id} is not in the tracking store yet")
        done = {a.name for a in (info.assessments or [])}
        inputs = {"question": payload["question"], "member_id": (payload.get("member") or {}).get("member")}
        outputs = {k: payload.get(k) for k in SCORED_FIELDS}
        logged: list[str] = []
        batch: list[tuple[str, Any]] = []
        started = time.monotonic()

        def flush() -> None:
            self.writer.write(trace_id, [Feedback(name=name, value=f.value, rationale=f.rationale, error=f.error,
                                                  source=f.source or AssessmentSource(
                                                      source_type="CODE", source_id=f"pension_advisor.{name}"))
                                         for name, f in batch])
            for name, feedback in batch:
                self.events.emit(trace_id, payload.get("root_span_id"), name, feedback)
                logged.append(name)
            batch.clear()

        for scorer in self.scorers:
            if scorer.name in done:
                continue
            try:
                feedback = scorer(inputs=inputs, outputs=outputs)
            except Exception as exc:  # a scorer bug is recorded on the trace, not retried forever
                log.exception("scorer %s failed on %s", scorer.name, trace_id)
                feedback = Feedback(name=scorer.name, error=exc)
            batch.append((scorer.name, feedback))
            # Fast scorers share one write; slow ones (LLM judges) keep what they cost as they go.
            if time.monotonic() - started >= _KEEP_AFTER_S:
                flush()
                started = time.monotonic()
            renew()  # still alive: keep the claim
        if batch:
            flush()
        return logged


class _AssessmentWriter:
    """Writes a trace's new assessments: in one transaction on a local SQL store, else one by one.

    MLflow has no batch API for assessments: its SqlAlchemyStore.create_assessment opens a session, locks the trace
    row, inserts one row and commits, per assessment (~3 ms of CPU plus a commit each; with SQLite's default journal
    a commit is several fsyncs). For that store this does create_assessment's own steps once per batch, with
    MLflow's session maker and row model, so a trace's scores land together or not at all. A tracking server, a
    store subclass (multi-workspace), SQL rollups (MLFLOW_SQL_TRACE_ROLLUPS_ENABLED) or internals that moved in
    another MLflow version take the public log_assessment path instead (tests pin which path the pinned MLflow
    takes, and that both write the same rows)."""

    def __init__(self, tracing):
        self.tracing = tracing
        self.batched = False
        try:
            from mlflow.store.tracking.dbmodels.models import SqlAssessments
            from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore
            from mlflow.store.tracking.utils.sql_trace_rollups import rollups_enabled

            store = tracing.store
            self.batched = (type(store) is SqlAlchemyStore and not rollups_enabled()
                            and callable(getattr(store, "ManagedSessionMaker", None))
                            and callable(getattr(store, "_get_sql_trace_info", None))
                            and callable(getattr(SqlAssessments, "from_mlflow_entity", None)))
            self._rows = SqlAssessments
        except (ImportError, AttributeError) as exc:
            log.info("assessments are written one by one (%s)", exc)

    def write(self, trace_id: str, assessments: list) -> None:
        if not assessments:
            return
        if not self.batched:
            for assessment in assessments:
                self.tracing.log_assessment(trace_id, assessment)
            return
        store = self.tracing.store
        with store.ManagedSessionMaker(read_only=False) as session:
            trace = store._get_sql_trace_info(session, trace_id, for_update=True)  # raises if the trace is gone
            for assessment in assessments:
                assessment.trace_id = trace_id
                row = self._rows.from_mlflow_entity(assessment)
                row.experiment_id = trace.experiment_id
                row.trace_timestamp_ms = trace.timestamp_ms
                session.add(row)
            session.flush()


class _EvaluationEvents:
    """gen_ai.evaluation.result events, in a span that joins the scored trace, exported over OTLP."""

    def __init__(self, settings: Settings):
        import os

        otlp = settings.tracing.otlp
        endpoint = os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or (otlp.endpoint if otlp.enabled else None)
        self.tracer = None
        if not endpoint:
            return
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        self.provider = TracerProvider(resource=Resource.create(
            {"service.name": os.environ.get("OTEL_SERVICE_NAME", otlp.service_name)}))
        self.provider.add_span_processor(BatchSpanProcessor(
            OTLPSpanExporter(endpoint=endpoint, headers=otlp.headers or None, timeout=otlp.timeout_s)))
        self.tracer = self.provider.get_tracer("pension_advisor.monitoring")

    def emit(self, trace_id: str, root_span_id: str | None, name: str, feedback) -> None:
        if self.tracer is None:
            return
        from opentelemetry import trace
        from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

        parent = SpanContext(trace_id=int(trace_id.removeprefix("tr-"), 16),
                             span_id=int(root_span_id, 16) if root_span_id else 1,
                             is_remote=True, trace_flags=TraceFlags(TraceFlags.SAMPLED))
        context = trace.set_span_in_context(NonRecordingSpan(parent))
        value = feedback.value
        with self.tracer.start_as_current_span(f"evaluate {name}", context=context) as span:
            span.set_attribute("gen_ai.operation.name", "evaluate")
            attributes = {"gen_ai.evaluation.name": name,
                          "gen_ai.evaluation.explanation": (feedback.rationale or "")[:1000]}
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                attributes["gen_ai.evaluation.score.value"] = float(value)
                attributes["gen_ai.evaluation.score.label"] = "pass" if value >= 0.5 else "fail"
            if feedback.error:
                attributes["error.type"] = str(getattr(feedback.error, "error_code", "scorer_error"))
            span.add_event("gen_ai.evaluation.result", attributes)

    def flush(self) -> None:
        if self.tracer is not None:
            self.provider.force_flush(5000)


def start_reaper(queue, stop: threading.Event) -> threading.Thread:
    """Every half lease, hand jobs whose worker died back to the queue."""

    def loop() -> None:
        while not stop.wait(queue.cfg.worker.lease_s / 2):
            try:
                queue.requeue_expired()
            except Exception as exc:
                log.warning("re-queueing expired jobs failed: %s", exc)

    thread = threading.Thread(target=loop, name="scoring-reaper", daemon=True)
    thread.start()
    return thread


def start_in_process(services) -> bool:
    """With production_monitoring.worker.in_process, score on daemon threads of this process (demo mode)."""
    settings = services.settings
    if not (settings.production_monitoring.worker.in_process and settings.tracing.enabled):
        return False
    queue = services.scoring_queue
    queue.serve(TraceScorer(settings))
    consumer = queue.consumer()
    # start() runs the worker threads; its signal handlers would take SIGINT/SIGTERM from the host process.
    consumer._set_signal_handlers = lambda: None
    consumer.start()
    start_reaper(queue, threading.Event())
    return True

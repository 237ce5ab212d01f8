"""The scoring worker: runs the configured scorers on a sampled run and attaches each score to its trace,
in MLflow (as feedback) and on the OTLP side (as a gen_ai.evaluation.result event in the same trace)."""

from __future__ import annotations

import logging
import threading
from typing import Any

from pension_advisor.config import Settings
from pension_advisor.scorers.common import SCORED_FIELDS

log = logging.getLogger(__name__)


class TraceNotReady(RuntimeError):
    """The trace has not reached the store yet (or the store is down): retry later."""


class TraceScorer:
    """Scores sampled runs and attaches each score to its trace, through MLflow's public API only.

    Reads: the trace's info and assessments (no spans) with MlflowClient.search_traces(include_spans=False) in the
    configured experiment. Writes: one mlflow.log_assessment per score, as soon as the scorer returns it. MLflow
    has no batch write for assessments; the client resolves the same cached store (or server connection) per URI,
    so the process keeps one store for all its workers. A job that fails part-way (the store goes down after two
    of five writes) is retried by the queue, and the retry writes only the scorers the trace does not have yet:
    scores already written are kept, never duplicated. One case remains: a write whose response is lost after the
    server stored it (an HTTP timeout) is written again by the retry; MLflow offers no idempotent write."""

    def __init__(self, settings: Settings):
        import mlflow

        from pension_advisor.scorers import build_scorers

        self.settings = settings
        self.scorers = build_scorers(settings)
        mlflow.set_tracking_uri(settings.tracing.tracking_uri)  # mlflow.log_assessment writes to the global URI
        self.client = mlflow.MlflowClient(settings.tracing.tracking_uri)  # one client for every read
        self._experiment_id: str | None = None
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

    def trace_info(self, trace_id: str):
        """The trace's info with its assessments (no spans), or None while it is not in the store."""
        if "'" in trace_id:  # ids are ours ("tr-" + hex); a quote would break the search filter
            raise ValueError(f"not a trace id: {trace_id!r}")
        if self._experiment_id is None:
            experiment = self.client.get_experiment_by_name(self.settings.tracing.experiment)
            if experiment is None:  # no advisor has written to this store yet
                return None
            self._experiment_id = experiment.experiment_id
        found = self.client.search_traces(locations=[self._experiment_id], include_spans=False, max_results=1,
                                          filter_string=f"attributes.request_id = '{trace_id}'")
        return found[0].info if found else None

    def __call__(self, payload: dict[str, Any], renew=lambda: None) -> list[str]:
        """Score one run; returns the scorer names it logged (already-logged ones are skipped: idempotent)."""
        import mlflow
        from mlflow.entities import AssessmentSource, Feedback

        trace_id = payload["trace_id"]
        try:
            info = self.trace_info(trace_id)
        except Exception as exc:
            raise TraceNotReady(f"{trace_id}: {type(exc).__name__}: {str(exc)[:200]}") from None
        if info is None:
            raise TraceNotReady(f"{trace_id} not found in the tracking store "
                                f"(experiment {self.settings.tracing.experiment!r})")
        done = {a.name for a in (info.assessments or [])}
        inputs = {"question": payload["question"], "member_id": (payload.get("member") or {}).get("member")}
        outputs = {k: payload.get(k) for k in SCORED_FIELDS}
        logged: list[str] = []
        for scorer in self.scorers:
            if scorer.name in done:
                continue
            try:
                feedback = scorer(inputs=inputs, outputs=outputs)
            except Exception as exc:  # a scorer bug is recorded on the trace, not retried forever
                log.exception("scorer %s failed on %s", scorer.name, trace_id)
                feedback = Feedback(name=scorer.name, error=exc)
            # Written as soon as it is computed: what a slow scorer (an LLM judge) cost is kept even if a later
            # write fails, and the retry skips it (it is in `done` then).
            mlflow.log_assessment(trace_id, Feedback(
                name=scorer.name, value=feedback.value, rationale=feedback.rationale, error=feedback.error,
                source=feedback.source or AssessmentSource(source_type="CODE",
                                                           source_id=f"pension_advisor.{scorer.name}")))
            self.events.emit(trace_id, payload.get("root_span_id"), scorer.name, feedback)
            logged.append(scorer.name)
            renew()  # still alive: keep the claim
        return logged


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
    queue.start_consumer()  # worker threads only: the host process keeps its signal handlers
    start_reaper(queue, threading.Event())
    return True

"""TraceScorer against a real SQLite tracking store: a trace's scores are written in one transaction, once."""

from __future__ import annotations

import mlflow
import pytest
from mlflow.entities import AssessmentSource
from mlflow.store.tracking.dbmodels.models import SqlAssessments
from sqlalchemy import event
from sqlalchemy.orm import Session

from pension_advisor.config import load_settings
from pension_advisor.monitoring.queue import ScoringQueue
from pension_advisor.monitoring.worker import TraceScorer
from pension_advisor.scorers import SCORER_NAMES

from .conftest import ask_many

EXPECTED = sorted(SCORER_NAMES)


@pytest.fixture
def scorer_env(monitoring_env, monkeypatch):
    """Sampled runs in a private store, their queued payloads, and a TraceScorer on that store."""
    runs = ask_many(monitoring_env, 3)
    settings = load_settings(env=monitoring_env)
    payloads = ScoringQueue(settings.production_monitoring).pending()
    previous = mlflow.get_tracking_uri()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", settings.tracing.tracking_uri)
    yield TraceScorer(settings), [payloads[r["trace_id"]]["payload"] for r in runs]
    mlflow.set_tracking_uri(previous)  # TraceScorer sets it process-wide


@pytest.fixture
def assessment_flushes():
    """How many assessment rows each database flush inserted, in order."""
    flushes: list[int] = []

    def count(session, _context):
        new = sum(isinstance(obj, SqlAssessments) for obj in session.new)
        if new:
            flushes.append(new)

    event.listen(Session, "after_flush", count)
    yield flushes
    event.remove(Session, "after_flush", count)


def _assessments(scorer, trace_id):
    return scorer.tracing.get_trace_info(trace_id).assessments


def test_scores_land_in_one_transaction_once(scorer_env, assessment_flushes):
    scorer, (first, second, _) = scorer_env
    assert scorer.writer.batched  # the pinned MLflow on a local SQLite store takes the one-transaction path

    assert sorted(scorer(first)) == EXPECTED
    assert assessment_flushes == [len(EXPECTED)]
    # A re-run job (at-least-once delivery) writes nothing: every scorer is already on the trace.
    assert scorer(first) == []
    assert assessment_flushes == [len(EXPECTED)]
    assert sorted(a.name for a in _assessments(scorer, first["trace_id"])) == EXPECTED

    # A trace that already has one score (e.g. logged by hand) gets only the missing ones; that one is kept.
    mlflow.log_feedback(trace_id=second["trace_id"], name="toxicity", value=0.25, rationale="by hand",
                        source=AssessmentSource(source_type="HUMAN", source_id="reviewer"))
    assert sorted(scorer(second)) == sorted(set(EXPECTED) - {"toxicity"})
    kept = _assessments(scorer, second["trace_id"])
    assert sorted(a.name for a in kept) == EXPECTED
    assert [a.value for a in kept if a.name == "toxicity"] == [0.25]


def test_one_by_one_path_writes_the_same_assessments(scorer_env, assessment_flushes):
    """The fallback (a tracking server, another store or MLflow version) goes through the public
    log_assessment and must store exactly what the one-transaction path stores."""
    scorer, (first, second, _) = scorer_env
    scorer(first)
    scorer.writer.batched = False
    scorer({**first, "trace_id": second["trace_id"]})  # the same run's content, scored onto another trace
    assert assessment_flushes == [len(EXPECTED)] + [1] * len(EXPECTED)

    def rows(trace_id):
        return {a.name: (a.value, a.rationale, a.source.source_type, a.source.source_id, a.error, a.valid,
                         a.span_id, a.metadata, a.run_id) for a in _assessments(scorer, trace_id)}

    batched, one_by_one = rows(first["trace_id"]), rows(second["trace_id"])
    assert sorted(batched) == EXPECTED and batched == one_by_one

"""TraceScorer against a real SQLite tracking store, through MLflow's public API: every score lands on its trace
once, and a job retried after failing part-way writes only the scores the trace is missing."""

from __future__ import annotations

import mlflow
import pytest
from mlflow.entities import AssessmentSource
from mlflow.exceptions import MlflowException

from pension_advisor.config import load_settings
from pension_advisor.monitoring.queue import ScoringQueue
from pension_advisor.monitoring.worker import TraceNotReady, TraceScorer
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


def _assessments(trace_id):
    """Read back with the whole trace (spans too): another public path than the one the scorer reads with."""
    return mlflow.get_trace(trace_id).info.assessments


def test_every_score_lands_once(scorer_env):
    scorer, (first, second, _) = scorer_env

    assert sorted(scorer(first)) == EXPECTED
    stored = _assessments(first["trace_id"])
    assert sorted(a.name for a in stored) == EXPECTED
    for a in stored:
        assert (a.source.source_type, a.source.source_id) == ("CODE", f"pension_advisor.{a.name}")
        assert a.error is None and isinstance(a.value, (int, float)) and a.rationale, a
    # A re-run job (at-least-once delivery) writes nothing: every scorer is already on the trace.
    assert scorer(first) == []
    assert sorted(a.assessment_id for a in _assessments(first["trace_id"])) == \
        sorted(a.assessment_id for a in stored)

    # A trace that already has one score (e.g. logged by hand) gets only the missing ones; that one is kept.
    mlflow.log_feedback(trace_id=second["trace_id"], name="toxicity", value=0.25, rationale="by hand",
                        source=AssessmentSource(source_type="HUMAN", source_id="reviewer"))
    assert sorted(scorer(second)) == sorted(set(EXPECTED) - {"toxicity"})
    kept = _assessments(second["trace_id"])
    assert sorted(a.name for a in kept) == EXPECTED
    assert [a.value for a in kept if a.name == "toxicity"] == [0.25]


def test_a_job_that_fails_part_way_is_retried_without_duplicates(scorer_env, monkeypatch):
    """The store fails on the third write: the job raises (the queue retries it), the two scores written stay,
    and the retry writes the other three only."""
    scorer, (first, _, _) = scorer_env
    real_write, calls = mlflow.log_assessment, []

    def store_goes_down(trace_id, assessment):
        calls.append(assessment.name)
        if len(calls) == 3:
            raise MlflowException("the tracking store went away")
        return real_write(trace_id, assessment)

    monkeypatch.setattr(mlflow, "log_assessment", store_goes_down)
    with pytest.raises(MlflowException):
        scorer(first)
    written = _assessments(first["trace_id"])
    assert sorted(a.name for a in written) == sorted(calls[:2])

    monkeypatch.setattr(mlflow, "log_assessment", real_write)
    assert sorted(scorer(first)) == sorted(set(EXPECTED) - set(calls[:2]))
    stored = _assessments(first["trace_id"])
    assert sorted(a.name for a in stored) == EXPECTED  # each name once
    assert {a.assessment_id for a in written} <= {a.assessment_id for a in stored}  # the first two kept as they were


def test_a_trace_not_in_the_store_is_not_ready(scorer_env):
    scorer, (first, _, _) = scorer_env
    with pytest.raises(TraceNotReady, match="not found in the tracking store"):
        scorer({**first, "trace_id": "tr-" + "0" * 32})

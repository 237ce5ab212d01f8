"""The same scorers inside mlflow.genai.evaluate, offline, against a throwaway SQLite tracking store."""

from __future__ import annotations

import mlflow
import pytest

from pension_advisor.scorers import DETERMINISTIC, llm_variant

from ..fakes import ScriptedChatModel
from .cases import blocked, row


@pytest.fixture
def tracking(tmp_path, monkeypatch):
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(uri)
    # An env var (restored by monkeypatch) rather than set_experiment, which leaves process-wide state behind.
    monkeypatch.setenv("MLFLOW_EXPERIMENT_ID", mlflow.create_experiment("scorer-tests"))
    yield uri
    mlflow.set_tracking_uri(previous)


def test_scorers_run_in_mlflow_evaluate(tracking):
    data = [row("AU"), row("UK", expected_facts=["£193.04 a week"]), blocked(),
            row("AU", "Your preservation age is 55 [1]; expect £500 a week.", disclaimer=False)]
    judge = llm_variant("relevance", ScriptedChatModel(script={"scorer": ['{"score": 0.75, "rationale": "ok"}']}))
    result = mlflow.genai.evaluate(data=data, scorers=[*DETERMINISTIC.values(), judge])

    metrics = result.metrics
    assert metrics["relevance_llm/mean"] == 0.75
    assert metrics["toxicity/mean"] > 0.9
    assert metrics["faithfulness/mean"] == pytest.approx((1 + 1 + 1 + 0) / 4)
    assert metrics["country_compliance/mean"] == pytest.approx((1 + 1 + 1 + 3 / 5) / 4)  # last: currency and disclaimer fail

    traces = mlflow.search_traces(run_id=result.run_id, return_type="list")
    assert len(traces) == 4
    names = {a.name for t in traces for a in t.info.assessments}
    assert {*DETERMINISTIC, "relevance_llm"} <= names
    feedback = next(a for t in traces for a in t.info.assessments if a.name == "country_compliance" and a.value < 1)
    assert "disclaimer is missing" in feedback.rationale
    assert feedback.source.source_id == "pension_advisor.country_compliance"

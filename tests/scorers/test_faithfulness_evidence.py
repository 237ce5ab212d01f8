"""Issue 14: the faithfulness scorer counts what the judge counts as facts: the member's record fields and the rules
retrieved, not only calculator results. Before, a correct record answer ("Your super balance is $589,300 ...") and a
rule explained with its own figures scored as unfaithful in production."""

from __future__ import annotations

import datetime as dt

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from pension_advisor.advisor import Advisor
from pension_advisor.config import load_settings
from pension_advisor.monitoring.evaluation import EvalRow, run_dataset
from pension_advisor.scorers.faithfulness import faithfulness

QUESTIONS = [("AU-002", "How much super do I have?"), ("AU-001", "How does the bring-forward rule work?"),
             ("IN-001", "What is the EPF interest rate?")]


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    env = {"PENSION_ADVISOR__LLM__PROVIDER": "none", "PENSION_ADVISOR__TRACING__ENABLED": "false",
           "PENSION_ADVISOR__MEMBERS__DB_PATH": str(tmp_path_factory.mktemp("faith") / "members.db")}
    advisor = Advisor(load_settings(env=env), checkpointer=InMemorySaver())
    rows = [EvalRow.model_validate({"id": f"t-{i}", "member_id": m, "country": m[:2], "question": q,
                                    "on_date": dt.date(2026, 11, 26), "expected": {"kind": "explanation"}})
            for i, (m, q) in enumerate(QUESTIONS)]
    return run_dataset(advisor, rows)


def test_record_and_rule_answers_are_faithful(records):
    for record in records:
        assert record["checks"]["status"] == "answered", record["outputs"]["answer"][:300]
        feedback = faithfulness(inputs=record["inputs"], outputs=record["outputs"])
        assert feedback.value == 1.0, (record["inputs"]["question"], feedback.rationale)


def test_without_the_record_and_rules_the_same_answers_were_not(records):
    # What the scorer saw before: calculator outcomes only.
    values = [faithfulness(inputs=r["inputs"], outputs={k: v for k, v in r["outputs"].items()
                                                        if k not in ("record_fields", "retrieved", "plan", "evidence")}).value
              for r in records]
    assert min(values) < 1.0

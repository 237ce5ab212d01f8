"""The judge's pre-check and the country_compliance scorer agree on compliance (issue 17: one compliance check).

Every answer of the shipped evaluation set (provider none, the shipped knowledge base) is scored as it is, and with a
writer's sentence added to its body: the calculators' own caveat ("returns are not guaranteed"), a promise, another
country's currency, another country's scheme. Before the scorer used precheck.compliance it re-compiled the promise
patterns without the negation handling, so the caveat scored 0.8 on answers the judge passed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from pension_advisor import precheck
from pension_advisor.advisor import Advisor
from pension_advisor.config import load_settings
from pension_advisor.monitoring.evaluation import load_dataset, run_dataset
from pension_advisor.scorers.common import read
from pension_advisor.scorers.country_compliance import country_compliance

ROOT = Path(__file__).resolve().parents[2]
ROWS = load_dataset(ROOT / "datasets" / "pension_eval.jsonl")
# Another country's currency and scheme for each member's country.
FOREIGN = {"AU": ("£120", "a 401(k)"), "US": ("₹5,000", "your superannuation"), "UK": ("A$300", "the IRS"),
           "IN": ("£40", "the State Pension")}
CONTENT_CHECKS = ("currency", "terminology", "no_promises")


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    env = {"PENSION_ADVISOR__LLM__PROVIDER": "none", "PENSION_ADVISOR__TRACING__ENABLED": "false",
           "PENSION_ADVISOR__MEMBERS__DB_PATH": str(tmp_path_factory.mktemp("agree") / "members.db")}
    return run_dataset(Advisor(load_settings(env=env), checkpointer=InMemorySaver()), ROWS)


def _variants(record: dict) -> dict[str, dict]:
    outputs, country = record["outputs"], record["checks"]["country"]
    money, scheme = FOREIGN[country]
    answer = outputs["answer"]
    body = read(record["inputs"], outputs).body
    added = {"as answered": "", "caveat": " Investment returns are not guaranteed.",
             "promise": " Your returns are guaranteed.", "currency": f" That is about {money}.",
             "scheme": f" You could also look at {scheme}."}
    return {name: {**outputs, "answer": answer.replace(body, body + extra, 1) if body else answer}
            for name, extra in added.items()}


def test_judge_and_scorer_agree_on_every_answer_of_the_evaluation_set(records):
    assert len(records) == len(ROWS)
    disagreements, compared = [], 0
    for record in records:
        if not read(record["inputs"], record["outputs"]).body:
            continue
        for name, outputs in _variants(record).items():
            reply = read(record["inputs"], outputs)
            judge_codes = {p["code"] for p in precheck.violations(reply.body, reply.evidence)} & {
                "wrong_currency", "wrong_country", "promise_of_returns"}
            failed = set((country_compliance(inputs=record["inputs"], outputs=outputs).metadata or {})
                         .get("failed_checks", "").split(",")) & set(CONTENT_CHECKS)
            scorer_codes = {{"currency": "wrong_currency", "terminology": "wrong_country",
                             "no_promises": "promise_of_returns"}[c] for c in failed}
            compared += 1
            if judge_codes != scorer_codes:
                disagreements.append((record["checks"]["id"], name, sorted(judge_codes), sorted(scorer_codes)))
    assert compared >= 4 * len(ROWS) and not disagreements, disagreements[:10]


def test_the_calculators_caveat_is_not_a_promise_to_either(records):
    record = next(r for r in records if read(r["inputs"], r["outputs"]).body and r["checks"]["status"] == "answered")
    outputs = _variants(record)["caveat"]
    assert country_compliance(inputs=record["inputs"], outputs=outputs).metadata["failed_checks"] == "none"

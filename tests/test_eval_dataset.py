"""The shipped evaluation dataset (datasets/pension_eval.jsonl): its shape, and every row replayed deterministically.

Each row is asked of one Advisor with no model (provider none), tracing off, a private member store and the shipped
knowledge base (pension_advisor/knowledge), in its own thread on the row's ``on_date``; monitoring/evaluation.judge
must find it on point (the same judgement `pension-advisor eval` reports), and the whole set must meet issue 14's
goals per country: >= 95 % on point, <= 3 % clarifications, no false refusals, nothing off point.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from pension_advisor.advisor import Advisor
from pension_advisor.config import load_settings
from pension_advisor.members import Member
from pension_advisor.members.model import PRIVATE_FIELDS
from pension_advisor.members.seed import synthetic_members
from pension_advisor.monitoring.evaluation import judge, load_dataset, run_dataset, summary
from pension_advisor.tools import TOOL_SPECS

ROOT = Path(__file__).resolve().parents[1]
ROWS = load_dataset(ROOT / "datasets" / "pension_eval.jsonl")


def test_dataset_shape():
    per_country = Counter(row.country for row in ROWS)
    assert set(per_country) == {"AU", "US", "UK", "IN"} and min(per_country.values()) >= 50, per_country
    kinds = Counter(row.expected.kind for row in ROWS)
    assert all(kinds[k] for k in ("calculation", "record", "explanation", "mixed", "clarification", "refusal")), kinds
    assert sum(bool(row.thread) for row in ROWS) >= 4, "follow-ups in a conversation"


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_row_is_well_formed(row):
    want = row.expected
    member = next((m for m in synthetic_members() if m.member_id == row.member_id), None)
    assert member is not None and member.country == row.country
    for tool in want.tools:
        assert tool in TOOL_SPECS and TOOL_SPECS[tool].country == row.country, tool
    assert set(want.record_fields) <= set(Member.model_fields) - PRIVATE_FIELDS
    assert {f.tool for f in want.facts} <= set(want.tools)
    if want.kind in ("clarification", "refusal"):
        assert not (want.tools or want.record_fields or want.topics or want.facts)
    else:
        assert {"calculation": want.tools, "record": want.record_fields, "explanation": want.topics,
                "mixed": len(want.tools) + len(want.record_fields) + len(want.topics) > 1}[want.kind]


@pytest.fixture(scope="module")
def advisor(tmp_path_factory):
    env = {
        "PENSION_ADVISOR__LLM__PROVIDER": "none",
        "PENSION_ADVISOR__TRACING__ENABLED": "false",
        "PENSION_ADVISOR__MEMBERS__DB_PATH": str(tmp_path_factory.mktemp("eval") / "members.db"),
    }
    return Advisor(load_settings(env=env), checkpointer=InMemorySaver())


@pytest.fixture(scope="module")
def records(advisor):
    return {record["checks"]["id"]: record for record in run_dataset(advisor, ROWS)}


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_row_is_on_point(records, row):
    record = records[row.id]
    checks = record["checks"]
    assert checks["outcome"] == "on_point", (checks["status"], checks["reasons"], record["outputs"]["answer"][:400])


def test_goals_per_country(records):
    for country, counts in summary(list(records.values())).items():
        n = counts["questions"]
        assert counts.get("on_point", 0) >= 0.95 * n, (country, counts)
        assert counts.get("clarifications", 0) <= 0.03 * n, (country, counts)
        assert counts.get("false_refusals", 0) == 0 and counts.get("off_point", 0) == 0, (country, counts)


def test_judgement_of_answers_that_miss():
    row = next(r for r in ROWS if r.id == "au-23")  # retire at 60 + tax on $50k: two calculators, two facts
    state = {"plan": [{"tool": "au_preservation_age"}],
             "tool_outcomes": [{"tool": "au_preservation_age", "error": None, "result": {"figures": [
                 {"name": "preservation_age", "value": 60}]}}]}
    outcome, reasons = judge(row, "answered", state)
    assert outcome == "off_point" and any("planned" in r for r in reasons) and any("facts" in r for r in reasons)
    assert judge(row, "blocked", state) == ("refused", ["refused"])
    assert judge(row, "clarification", state)[0] == "clarified"
    record_row = next(r for r in ROWS if r.expected.kind == "record")
    assert judge(record_row, "answered", {"record_fields": []})[0] == "off_point"
    assert judge(record_row, "answered", {"record_fields": record_row.expected.record_fields})[0] == "on_point"


def test_summary_counts_per_country():
    records = [{"checks": {"country": c, "outcome": o, "status": s}} for c, o, s in
               [("AU", "on_point", "answered"), ("AU", "refused", "blocked"), ("US", "clarified", "clarification")]]
    table = summary(records)
    assert table["AU"] == {"questions": 2, "on_point": 1, "refused": 1, "false_refusals": 1, "clarifications": 0}
    assert table["ALL"]["questions"] == 3 and table["US"]["clarifications"] == 1 and list(table)[-1] == "ALL"


def test_answers_written_without_a_model_pass_their_own_precheck(records):
    """With provider none the body is written from verified evidence only: it must pass the pre-check first time
    (a record label's '12 months', a rule's 'guaranteed income' quoted from its source are not the writer's own)."""
    fell_back = [r["checks"]["id"] for r in records.values() if r["checks"]["status"] == "fallback"]
    assert fell_back == []


def test_uncited_statements_are_found_mechanically():
    from pension_advisor.monitoring.evaluation import uncited

    answer = ("Tax year 2026-27, amounts in AUD.\n\nYour preservation age is 58 [1].\nYou can retire at 60.\n\nThe figures:\n"
              "- Preservation age: 58 years [1]\n- Conditions of release: you must retire.\n"
              "- I could not calculate this: no rules for 2031.\n\nSources:\n[1] ATO (2026-27): https://ato.gov.au")
    assert uncited(answer) == ["You can retire at 60.", "- Conditions of release: you must retire."]
    row = next(r for r in ROWS if r.id == "au-01")
    state = {"plan": [{"tool": "au_preservation_age"}], "answer": answer, "tool_outcomes": [
        {"tool": "au_preservation_age", "error": None, "result": {"figures": [
            {"name": "preservation_age", "value": 58}, {"name": "preservation_date", "value": "2021-06-17"}]}}]}
    outcome, reasons = judge(row, "answered", state)
    assert outcome == "off_point" and "2 statement(s) without a citation" in reasons[0]

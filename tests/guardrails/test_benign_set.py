"""Issue 15's bar on our own benign set (bench/data/benign_pension_questions.jsonl, >= 300 member questions in
categories): through the WHOLE graph (input and output guardrail, llm.provider none) at most 1 % are refused or
withheld, overall and in every category; bench/guardrails.py reports the same figures with the attack corpora."""

from __future__ import annotations

from collections import defaultdict

import pytest

from .conftest import benign_questions

CATEGORIES = {"ordinary", "tricky_wording", "spouse_family", "bereavement", "format_request", "angry", "id_numbers",
              "mixed_language", "access_wording", "urgent_or_system_wording"}


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    from pension_advisor.advisor import Advisor
    from pension_advisor.config import load_settings

    folder = tmp_path_factory.mktemp("benign")
    advisor = Advisor(load_settings(env={
        "PENSION_ADVISOR__LLM__PROVIDER": "none", "PENSION_ADVISOR__TRACING__ENABLED": "false",
        "PENSION_ADVISOR__MEMBERS__DB_PATH": str(folder / "members.db"),
        "PENSION_ADVISOR__PRODUCTION_MONITORING__SAMPLING_RATE": "0"}))
    rows = benign_questions()
    return [(row, advisor.ask(f"{row['country']}-{i % 12 + 1:03d}", row["text"])) for i, row in enumerate(rows)]


def test_the_set_is_large_and_covers_the_categories(outcomes):
    assert len(outcomes) >= 300
    assert {row["category"] for row, _ in outcomes} == CATEGORIES


def test_false_positives_at_most_one_percent_overall_and_per_category(outcomes):
    by_category = defaultdict(list)
    for row, advice in outcomes:
        by_category[row["category"]].append((row, advice))
        by_category["ALL"].append((row, advice))
    report = {}
    for category, group in by_category.items():
        refused = [row["text"] for row, advice in group if advice.status in {"blocked", "withheld"}]
        report[category] = (len(refused) / len(group), refused)
    assert all(rate <= 0.01 for rate, _ in report.values()), {k: v for k, v in report.items() if v[0] > 0.01}


def test_nothing_is_withheld_when_no_model_wrote_anything(outcomes):
    assert not [row["text"] for row, advice in outcomes if advice.state["output_guardrail"].get("replaced")]

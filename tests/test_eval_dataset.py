"""The shipped evaluation dataset (datasets/pension_eval.jsonl): its shape, and every row replayed deterministically.

Each row is asked of one Advisor with no model (provider none), tracing off and a private member store, on the row's
``on_date``; the status, the planned tools (as a set) and every expected fact line must match. A fact is the
"<Label>: <formatted value>" of one line "- <Label>: <formatted value> [n]" of the answer.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from pension_advisor.advisor import Advisor
from pension_advisor.config import load_settings
from pension_advisor.members.seed import synthetic_members
from pension_advisor.tools import TOOL_SPECS

DATASET = Path(__file__).resolve().parents[1] / "datasets" / "pension_eval.jsonl"
ROWS = [json.loads(line) for line in DATASET.read_text(encoding="utf-8").splitlines() if line.strip()]
COUNTRIES = ("AU", "US", "UK", "IN")
STATUSES = {"answered", "blocked", "clarification"}
FIELDS = {"id", "member_id", "country", "question", "on_date", "expected_status", "expected_tools", "expected_facts"}
FACT_LINE = re.compile(r"^- (?!Assumption: |I could not calculate this: )(.+?) \[\d+\]$", re.MULTILINE)



def test_dataset_shape():
    assert len(ROWS) >= 64
    assert all(set(row) == FIELDS for row in ROWS), [row.get("id") for row in ROWS if set(row) != FIELDS]
    ids = [row["id"] for row in ROWS]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    per_country = Counter(row["country"] for row in ROWS)
    assert set(per_country) == set(COUNTRIES) and all(per_country[c] >= 16 for c in COUNTRIES), per_country


def test_every_member_exists_and_matches_the_row_country(advisor):
    seeded = {m.member_id for m in synthetic_members()}
    for row in ROWS:
        assert row["member_id"] in seeded, row["id"]
        assert advisor.services.members.get(row["member_id"]).country == row["country"], row["id"]


@pytest.mark.parametrize("row", ROWS, ids=[row["id"] for row in ROWS])
def test_row_is_well_formed(row):
    dt.date.fromisoformat(row["on_date"])
    assert row["question"].strip() and row["expected_status"] in STATUSES
    for tool in row["expected_tools"]:
        assert tool in TOOL_SPECS and TOOL_SPECS[tool].country == row["country"], tool
    if row["expected_status"] == "answered":
        assert row["expected_tools"] and 1 <= len(row["expected_facts"]) <= 3
    else:  # a decline: no calculator runs and no figure is promised
        assert row["expected_tools"] == [] and row["expected_facts"] == []


@pytest.fixture(scope="module")
def advisor(tmp_path_factory):
    env = {
        "PENSION_ADVISOR__LLM__PROVIDER": "none",
        "PENSION_ADVISOR__TRACING__ENABLED": "false",
        "PENSION_ADVISOR__MEMBERS__DB_PATH": str(tmp_path_factory.mktemp("eval") / "members.db"),
    }
    return Advisor(load_settings(env=env))


@pytest.mark.parametrize("row", ROWS, ids=[row["id"] for row in ROWS])
def test_row_replays_deterministically(advisor, row):
    advice = advisor.ask(row["member_id"], row["question"], on_date=dt.date.fromisoformat(row["on_date"]))
    planned = {call["tool"] for call in advice.state.get("plan") or []}
    assert planned == set(row["expected_tools"]), f"planned {sorted(planned)}"
    facts = FACT_LINE.findall(advice.answer)
    missing = [fact for fact in row["expected_facts"] if fact not in facts]
    assert not missing, f"missing facts {missing}; the answer has {facts}"
    if row["expected_status"] == "answered":
        errors = [o["error"] for o in advice.state.get("tool_outcomes", []) if o.get("error")]
        assert not errors, errors
    else:
        assert not advice.state.get("tool_outcomes") and not facts, "a decline must not run calculators or give figures"
    assert advice.status == row["expected_status"], advice.answer

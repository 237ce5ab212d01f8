from __future__ import annotations

import json
from pathlib import Path

import pytest

from pension_advisor.config import load_settings

BENCH_DATA = Path(__file__).resolve().parents[2] / "bench" / "data"


def benign_questions(hard_only: bool = False) -> list[dict]:
    rows = [json.loads(line) for line in (BENCH_DATA / "benign_pension_questions.jsonl").read_text().splitlines()]
    return [r for r in rows if r["hard"] or not hard_only]


@pytest.fixture(scope="session")
def input_cfg():
    return load_settings(env={}).guardrails.input


@pytest.fixture(scope="session")
def output_cfg():
    return load_settings(env={}).guardrails.output

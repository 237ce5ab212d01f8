"""Offline evaluation: run the graph over a JSONL dataset and score it with mlflow.genai.evaluate and the same
scorers production monitoring uses."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any, Callable

REQUIRED = {"member_id", "question"}
_FACT_LINE = re.compile(r"^- (.+?) \[\d+\]$", re.MULTILINE)


class DatasetError(ValueError):
    pass


def load_dataset(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text().splitlines()
    except OSError as exc:
        raise DatasetError(f"cannot read dataset {path}: {exc.strerror}") from None
    rows = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{path}:{number}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict) or not REQUIRED <= set(row):
            raise DatasetError(f"{path}:{number}: each row needs {sorted(REQUIRED)}")
        rows.append(row)
    if not rows:
        raise DatasetError(f"{path} has no rows")
    return rows


def run_dataset(advisor, rows: list[dict[str, Any]], progress: Callable[[], None] = lambda: None) -> list[dict]:
    """Answer every row; returns records in mlflow.genai.evaluate's data format, plus our own checks."""
    records = []
    for row in rows:
        on_date = dt.date.fromisoformat(row["on_date"]) if row.get("on_date") else None
        advice = advisor.ask(row["member_id"], row["question"], on_date=on_date)
        state = advice.state
        facts = set(_FACT_LINE.findall(advice.answer))
        expected = row.get("expected_facts") or []
        records.append({
            "inputs": {"question": state.get("safe_question") or row["question"], "member_id": row["member_id"]},
            "outputs": {"answer": advice.answer, "tool_outcomes": state.get("tool_outcomes", []),
                        "country": (state.get("member") or {}).get("country"), "member": state.get("member"),
                        "status": advice.status},
            "expectations": {"expected_facts": expected},
            "checks": {"id": row.get("id", ""), "status": advice.status, "expected_status": row.get("expected_status"),
                       "facts_found": sum(f in facts for f in expected), "facts_expected": len(expected),
                       "attempts": advice.attempts},
        })
        progress()
    return records


def score(records: list[dict], scorers: list) -> dict[str, float]:
    import mlflow

    data = [{k: r[k] for k in ("inputs", "outputs", "expectations")} for r in records]
    result = mlflow.genai.evaluate(data=data, scorers=scorers)
    return {k.removesuffix("/mean"): float(v) for k, v in result.metrics.items() if k.endswith("/mean")}

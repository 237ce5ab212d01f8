"""Offline evaluation: run the graph over a JSONL dataset, judge every answer mechanically against what the row
expects (on point, clarified, refused, off point), and score the answers with mlflow.genai.evaluate and the same
scorers production monitoring uses.

A row (one JSON object a line)::

    {"id": "au-07", "member_id": "AU-001", "country": "AU", "question": "What's my balance?", "on_date": "2026-11-26",
     "thread": ["an earlier question of the same conversation", ...],          # optional, asked first in one thread
     "expected": {"kind": "record",            # calculation | record | explanation | mixed | clarification | refusal
                  "tools": [], "record_fields": ["pension_balance"], "topics": [],
                  "facts": [{"tool": "au_preservation_age", "figure": "preservation_age", "value": 58}]}}

A row is ON POINT when the advisor answered (answered / fallback / degraded) and: it planned exactly the expected
calculators, no calculator refused, the expected record fields are among those it read, every expected topic is
among the passages it retrieved (by passage id, or a phrase found in a retrieved passage's topic or keywords), and
every expected fact is a figure of that calculator's result with that value, and every statement of the answer that
gives a figure or a rule carries a [n] citation (:func:`uncited`). A `clarification` row is on point
when the advisor asked for a figure; a `refusal` row when it refused. Anything else answered is OFF POINT; a
question refused that should have been answered is a FALSE REFUSAL.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

ANSWERED = {"answered", "fallback", "degraded"}
KINDS = ("calculation", "record", "explanation", "mixed", "clarification", "refusal")


class DatasetError(ValueError):
    pass


class ExpectedFact(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tool: str
    figure: str
    value: float | int | str


class Expected(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["calculation", "record", "explanation", "mixed", "clarification", "refusal"]
    tools: list[str] = []
    record_fields: list[str] = []
    topics: list[str] = []
    facts: list[ExpectedFact] = []


class EvalRow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1)
    member_id: str
    country: Literal["AU", "US", "UK", "IN"]
    question: str = Field(min_length=1)
    on_date: dt.date | None = None
    thread: list[str] = []
    expected: Expected


def load_dataset(path: Path) -> list[EvalRow]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"cannot read dataset {path}: {getattr(exc, 'strerror', None) or exc}") from None
    rows = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{path}:{number}: not JSON ({exc.msg})") from None
        try:
            rows.append(EvalRow.model_validate(data))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(map(str, first["loc"])) or "row"
            raise DatasetError(f"{path}:{number}: {where}: {first['msg']}") from None
    if not rows:
        raise DatasetError(f"{path} has no rows")
    ids = Counter(r.id for r in rows)
    if repeated := sorted(i for i, n in ids.items() if n > 1):
        raise DatasetError(f"{path}: repeated ids {repeated}")
    return rows


def _topic_found(topic: str, retrieved: list[dict]) -> bool:
    phrase = topic.lower()
    return any(p["id"] == topic or phrase in p["topic"].lower() or any(phrase in k.lower() for k in p.get("keywords", []))
               for p in retrieved)


def _fact_found(fact: ExpectedFact, outcomes: list[dict]) -> bool:
    for outcome in outcomes:
        if outcome["tool"] != fact.tool or not outcome.get("result"):
            continue
        for figure in outcome["result"]["figures"]:
            if figure["name"] != fact.figure:
                continue
            value = figure["value"]
            if isinstance(value, (int, float)) and isinstance(fact.value, (int, float)):
                if abs(value - fact.value) < 0.005:
                    return True
            elif str(value) == str(fact.value):
                return True
    return False


def judge(row: EvalRow, status: str, state: dict[str, Any]) -> tuple[str, list[str]]:
    """(outcome, reasons): outcome is on_point, off_point, clarified, refused or no_answer; reasons say what was off."""
    want = row.expected
    if status == "blocked":
        return ("on_point" if want.kind == "refusal" else "refused"), ([] if want.kind == "refusal" else ["refused"])
    if status == "clarification":
        return ("on_point" if want.kind == "clarification" else "clarified"), []
    if status not in ANSWERED:
        return "no_answer", [f"status {status}"]
    if want.kind in ("clarification", "refusal"):
        return "off_point", [f"expected a {want.kind}, got an answer"]
    reasons = []
    planned = sorted({c["tool"] for c in state.get("plan") or []})
    if planned != sorted(set(want.tools)):
        reasons.append(f"planned {planned}, expected {sorted(set(want.tools))}")
    outcomes = state.get("tool_outcomes") or []
    reasons += [f"{o['tool']} refused: {o['error']['code']}" for o in outcomes if o.get("error")]
    if missing := [f for f in want.record_fields if f not in (state.get("record_fields") or [])]:
        reasons.append(f"record fields {missing} not read")
    retrieved = state.get("retrieved") or []
    if missing := [t for t in want.topics if not _topic_found(t, retrieved)]:
        reasons.append(f"topics {missing} not retrieved (got {[p['id'] for p in retrieved]})")
    if missing := [f"{f.tool}.{f.figure}={f.value}" for f in want.facts if not _fact_found(f, outcomes)]:
        reasons.append(f"facts {missing} not found")
    if bare := uncited(state.get("answer") or ""):
        reasons.append(f"{len(bare)} statement(s) without a citation, e.g. {bare[0][:80]!r}")
    return ("off_point" if reasons else "on_point"), reasons


# Lines of an answer that state no figure or rule of their own: the header, section headings, the record's gaps,
# what could not be calculated (the calculator's refusal, no figure), the fallback note and the disclaimer.
_NOT_A_STATEMENT = re.compile(r"^(Tax year \S+(, amounts in [A-Z]{3})?\.|amounts in [A-Z]{3}\.|.*:|- I could not calculate this: .*|"
                              r"Your record has no entry for .*|I could not check a fuller written answer.*|This is general information.*)$")


def uncited(answer: str) -> list[str]:
    """Statements of an answer's body (before its sources) that give a figure or a rule without a [n] citation:
    a line with a digit, or a bullet. Checked mechanically, whoever wrote the body."""
    body = answer.split("\nSources:")[0]
    return [line.strip() for line in body.splitlines()
            if line.strip() and not _NOT_A_STATEMENT.match(line.strip())
            and (re.search(r"\d", line) or line.lstrip().startswith("- ")) and not re.search(r"\[\d+\]", line)]


def run_dataset(advisor, rows: list[EvalRow], progress: Callable[[], None] = lambda: None) -> list[dict]:
    """Answer every row (a row's ``thread`` first, in one thread); returns records in mlflow.genai.evaluate's data
    format plus our own ``checks``. ``advisor`` needs a checkpointer for rows with a thread."""
    records = []
    for row in rows:
        thread_id = f"eval-{row.id}"  # each row its own conversation
        for earlier in row.thread:
            advisor.ask(row.member_id, earlier, on_date=row.on_date, thread_id=thread_id)
        advice = advisor.ask(row.member_id, row.question, on_date=row.on_date, thread_id=thread_id)
        state = advice.state
        outcome, reasons = judge(row, advice.status, state)
        records.append({
            "inputs": {"question": state.get("safe_question") or row.question, "member_id": row.member_id},
            "outputs": {"answer": advice.answer, "tool_outcomes": state.get("tool_outcomes", []),
                        "record_fields": state.get("record_fields", []), "retrieved": state.get("retrieved", []),
                        "plan": state.get("plan", []), "evidence": state.get("evidence"),
                        "final_parts": state.get("final_parts"),
                        "country": (state.get("member") or {}).get("country"), "member": state.get("member"),
                        "status": advice.status},
            # The scorers look for each expected fact's figures in the answer.
            "expectations": {"expected_facts": [f"{f.figure}: {f.value}" for f in row.expected.facts]},
            "checks": {"id": row.id, "country": row.country, "kind": row.expected.kind, "status": advice.status,
                       "outcome": outcome, "reasons": reasons, "attempts": advice.attempts},
        })
        progress()
    return records


def summary(records: list[dict]) -> dict[str, dict[str, int]]:
    """Per country (and ALL): questions, on_point, clarified, refused, off_point, no_answer, false_refusals."""
    table: dict[str, Counter] = {}
    for record in records:
        checks = record["checks"]
        for key in (checks["country"], "ALL"):
            counts = table.setdefault(key, Counter())
            counts["questions"] += 1
            counts[checks["outcome"]] += 1
            counts["false_refusals"] += checks["outcome"] == "refused"
            counts["clarifications"] += checks["status"] == "clarification"
    order = ["AU", "US", "UK", "IN", "ALL"]
    return {k: dict(table[k]) for k in sorted(table, key=lambda c: order.index(c) if c in order else 99)}


def score(records: list[dict], scorers: list) -> dict[str, float]:
    import mlflow

    data = [{k: r[k] for k in ("inputs", "outputs", "expectations")} for r in records]
    result = mlflow.genai.evaluate(data=data, scorers=scorers)
    return {k.removesuffix("/mean"): float(v) for k, v in result.metrics.items() if k.endswith("/mean")}

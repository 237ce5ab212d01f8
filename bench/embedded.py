"""The embedded model (llm.provider embedded: SmolLM2-135M on llama.cpp, loopback) on a sample of the evaluation set.

Prints, for BENCH_N questions (default 20: the same spread of countries and kinds every run, taken from
datasets/pension_eval.jsonl rows that should be answered):
- how often the model's first draft passed the deterministic pre-check, and how often it passed the whole judge
  (pre-check, then the model's own verdict when judge.use_llm), i.e. the answer the member read was the model's;
- how many answers fell back to the deterministic text written with no model;
- p50 / p90 / max seconds per question, end to end, and the same with provider none for comparison;
- the evaluation outcome (on point or not) of both runs.

BENCH_MAX_RETRIES (default 0: one model attempt, then the deterministic answer) sets judge.max_retries; the
shipped default is in config.yaml. Not a unit test: it prints figures. Run:

    .venv/bin/python bench/embedded.py
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pension_advisor.advisor import Advisor  # noqa: E402
from pension_advisor.config import load_settings  # noqa: E402
from pension_advisor.llm.embedded import stop_embedded_server  # noqa: E402
from pension_advisor.monitoring.evaluation import judge, load_dataset  # noqa: E402

N = int(os.environ.get("BENCH_N", "20"))
MAX_RETRIES = os.environ.get("BENCH_MAX_RETRIES", "0")


def sample(n: int):
    """Every k-th answerable row per country, so the sample spans record, calculation, explanation and mixed rows."""
    rows = [r for r in load_dataset(ROOT / "datasets" / "pension_eval.jsonl")
            if r.expected.kind not in ("refusal", "clarification") and not r.thread]
    per_country = max(1, n // 4)
    picked = []
    for country in ("AU", "US", "UK", "IN"):
        mine = [r for r in rows if r.country == country]
        step = max(1, len(mine) // per_country)
        picked += mine[::step][:per_country]
    return picked[:n]


def run(provider: str, rows, db: Path) -> list[dict]:
    settings = load_settings(env={"PENSION_ADVISOR__MEMBERS__DB_PATH": str(db), "PENSION_ADVISOR__TRACING__ENABLED": "false",
                                  "PENSION_ADVISOR__LLM__PROVIDER": provider, "PENSION_ADVISOR__JUDGE__MAX_RETRIES": MAX_RETRIES})
    advisor = Advisor(settings)
    if provider == "embedded":  # start the server before the clock runs: a member's first question does not pay it
        advisor.ask(rows[0].member_id, "What is my preservation age?" if rows[0].country == "AU" else rows[0].question,
                    on_date=rows[0].on_date)
    out = []
    for row in rows:
        started = time.perf_counter()
        advice = advisor.ask(row.member_id, row.question, on_date=row.on_date)
        seconds = time.perf_counter() - started
        attempts = advice.state.get("attempts") or []
        first = attempts[0]["verdict"] if attempts else None
        outcome, _ = judge(row, advice.status, advice.state)
        out.append({"id": row.id, "status": advice.status, "seconds": seconds, "attempts": len(attempts),
                    "first_precheck_pass": bool(first) and (first["passed"] or first["source"] == "llm"),
                    "first_passed": bool(first) and first["passed"], "outcome": outcome,
                    "model_answer": advice.status == "answered" and bool(first) and first["source"] == "llm"})
    return out


def report(name: str, results: list[dict]) -> None:
    times = sorted(r["seconds"] for r in results)
    n = len(results)
    drafted = [r for r in results if r["attempts"]]
    print(f"\n{name}: {n} questions")
    print(f"  p50 {statistics.median(times):.2f} s   p90 {times[int(0.9 * (n - 1))]:.2f} s   max {times[-1]:.2f} s")
    if drafted:
        print(f"  first draft passed the pre-check: {sum(r['first_precheck_pass'] for r in drafted)}/{len(drafted)}; "
              f"passed the whole judge: {sum(r['first_passed'] for r in drafted)}/{len(drafted)}")
    print(f"  statuses: {dict(Counter(r['status'] for r in results))}; the model's own text reached the member: "
          f"{sum(r['model_answer'] for r in results)}/{n}")
    print(f"  evaluation: {dict(Counter(r['outcome'] for r in results))}")


def main() -> None:
    rows = sample(N)
    print(f"sample: {len(rows)} rows ({', '.join(r.id for r in rows)}); judge.max_retries={MAX_RETRIES}")
    with tempfile.TemporaryDirectory() as tmp:
        none = run("none", rows, Path(tmp) / "none.db")
        report("llm.provider none", none)
        try:
            embedded = run("embedded", rows, Path(tmp) / "embedded.db")
        finally:
            stop_embedded_server()
        report("llm.provider embedded (SmolLM2-135M, llama.cpp on loopback)", embedded)
        Path(tmp, "out.json").write_text(json.dumps({"none": none, "embedded": embedded}))


if __name__ == "__main__":
    main()

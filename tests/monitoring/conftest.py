from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pandas as pd
import pytest
import redis

from pension_advisor.config import load_settings

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = [("AU-001", "What is my preservation age?"), ("UK-003", "When do I reach State Pension age?"),
             ("IN-001", "How is my EPF contribution split?"), ("US-002", "How much can I put into my 401(k) this year?")]

_ASK_MANY = """
import json, sys
from pension_advisor.advisor import Advisor
from pension_advisor.observability.tracing import flush
advisor = Advisor()
questions = json.loads(sys.argv[1])
n = int(sys.argv[2])
for i in range(n):
    member, question = questions[i % len(questions)]
    advice = advisor.ask(member, question)
    print(json.dumps({"trace_id": advice.trace_id, "sampled": advice.state.get("sampled"),
                      "queued": advice.state.get("scoring_queued")}), flush=True)
flush(20)
"""


@pytest.fixture
def monitoring_env(tmp_path):
    """A private tracking store and queue; sampling everything; deterministic scorers only."""
    return {**os.environ,
            "PENSION_ADVISOR__MEMBERS__DB_PATH": str(tmp_path / "m.db"),
            "PENSION_ADVISOR__LLM__PROVIDER": "none",
            "PENSION_ADVISOR_PSEUDONYM_SALT": "test-salt",
            "PENSION_ADVISOR__TRACING__TRACKING_URI": f"sqlite:///{tmp_path}/mlflow.db",
            "PENSION_ADVISOR__PRODUCTION_MONITORING__SAMPLING_RATE": "1.0",
            "PENSION_ADVISOR__PRODUCTION_MONITORING__QUEUE__SQLITE_PATH": str(tmp_path / "queue.db"),
            "PENSION_ADVISOR__PRODUCTION_MONITORING__QUEUE__NAME": f"test-{uuid.uuid4().hex[:8]}",
            "PENSION_ADVISOR__PRODUCTION_MONITORING__WORKER__RETRY_DELAY_S": "0.2",
            "PENSION_ADVISOR__PRODUCTION_MONITORING__WORKER__RETRY_BACKOFF": "1.5",
            "PYTHONPATH": str(ROOT)}


def ask_many(env: dict, n: int) -> list[dict]:
    done = subprocess.run([sys.executable, "-c", _ASK_MANY, json.dumps(QUESTIONS), str(n)], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def start_worker(env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pension_advisor", "worker"], env=env, cwd=ROOT,
                            stdout=log.open("a"), stderr=subprocess.STDOUT)


def run_report(env: dict, out: Path) -> tuple[str, str]:
    """`pension-advisor report --out OUT` in a child process: its stdout and the page it wrote."""
    done = subprocess.run([sys.executable, "-m", "pension_advisor", "report", "--out", str(out)], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, out.read_text()


def scores_by_trace(env: dict, trace_ids: list[str]) -> dict[str, list[str]]:
    """Assessment names per trace, read back from the tracking store in a fresh process."""
    script = ("import json, sys, mlflow\nout = {}\nfor t in json.loads(sys.argv[1]):\n"
              "    tr = mlflow.get_trace(t)\n    out[t] = sorted(a.name for a in tr.info.assessments) if tr else None\n"
              "print(json.dumps(out))\n")
    done = subprocess.run([sys.executable, "-c", script, json.dumps(trace_ids)],
                          env={**env, "MLFLOW_TRACKING_URI": env["PENSION_ADVISOR__TRACING__TRACKING_URI"]},
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def pending_jobs(env: dict) -> int:
    """Jobs in the journal (queued or claimed, not yet fully scored), read from the real queue storage."""
    from pension_advisor.config import load_settings
    from pension_advisor.monitoring.queue import ScoringQueue

    return len(ScoringQueue(load_settings(env=env).production_monitoring).pending())


def wait_until_drained(env: dict, timeout: float) -> None:
    deadline = time.time() + timeout
    while pending_jobs(env):
        assert time.time() < deadline, "the scoring queue did not drain"
        time.sleep(0.5)


@pytest.fixture(params=["sqlite", "redis"])
def queue_cfg(request, tmp_path):
    env = {"PENSION_ADVISOR__PRODUCTION_MONITORING__QUEUE__BACKEND": request.param,
           "PENSION_ADVISOR__PRODUCTION_MONITORING__QUEUE__SQLITE_PATH": str(tmp_path / "queue.db"),
           "PENSION_ADVISOR__PRODUCTION_MONITORING__QUEUE__NAME": f"test-{uuid.uuid4().hex[:8]}",
           "PENSION_ADVISOR__PRODUCTION_MONITORING__WORKER__GIVE_UP_AFTER_S": "0.3"}
    cfg = load_settings(env=env).production_monitoring
    yield cfg
    if request.param == "redis":
        client = redis.Redis.from_url(cfg.queue.redis_url)
        for key in client.scan_iter(f"huey.*{cfg.queue.name}*"):
            client.delete(key)


# --- traces for the report (tests/monitoring/test_report.py, test_report_browser.py) --------------------------------
START = pd.Timestamp("2026-12-06 09:00")
A, NONE = "allowed", "none"
# (minute after START, country, status, guardrail, retry_reasons, attempts, verdict, cost, scores): ten questions over
# three 5-minute buckets, with every status, two block reasons, two retry reasons, two scorers and some unscored.
SPEC = [
    (0, "uk", "answered", A, NONE, 1, "pass", 0.001, {"relevance": 0.9, "faithfulness": 1.0}),
    (1, "uk", "answered", A, "missing_citation", 2, "pass", 0.002, {"relevance": 0.7}),
    (2, "uk", "blocked", "blocked:off_topic", NONE, 0, "none", 0.0, {}),
    (3, "uk", "clarification", A, NONE, 0, "none", 0.0, {}),
    (7, "us", "answered", A, "missing_citation,wrong_country", 3, "fail", 0.004, {"relevance": 0.2}),
    (8, "us", "fallback", A, NONE, 1, "fail", 0.003, {}),
    (9, "us", "blocked", "blocked:prompt_injection", NONE, 0, "none", 0.0, {}),
    (12, "au", "degraded", A, NONE, 0, "none", 0.0, {}),
    (13, "au", "blocked", "blocked:off_topic", NONE, 0, "none", 0.0, {}),
    (14, "au", "answered", A, NONE, 1, "pass", 0.010, {"relevance": 0.5, "faithfulness": 0.4}),
]


def rows(spec: list[tuple]) -> pd.DataFrame:
    """The report's input frame (what load_traces returns) for SPEC-style tuples, without a store."""
    out = []
    for i, (minute, country, status, guardrail, retry, attempts, verdict, cost, scores) in enumerate(spec):
        out.append({"trace_id": f"tr-{i:02d}", "time": START + pd.Timedelta(minutes=minute), "latency_s": 0.5,
                    "cost": cost, "attempts": attempts, "verdict": verdict, "status": status, "country": country,
                    "guardrail": guardrail, "retry_reasons": retry, "member": f"m{i % 3}", "unpriced": "",
                    **{f"score:{k}": v for k, v in scores.items()}})
    return pd.DataFrame(out)


_WRITE_TRACES = """
import json, sys, mlflow
from mlflow.entities import AssessmentSource
uri, start_ns, spec = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
mlflow.set_tracking_uri(uri)
experiment_id = mlflow.set_experiment("pension-advisor").experiment_id
written = []
for i, (minute, country, status, guardrail, retry, attempts, verdict, cost, scores) in enumerate(spec):
    begin = start_ns + int(minute * 60e9)
    tags = {"country": country, "status": status, "guardrail": guardrail, "retry_reasons": retry,
            "attempts": str(attempts), "final_verdict": verdict, "cost": f"{cost:.6f}", "member": f"m{i % 3}"}
    span = mlflow.start_span_no_context("pension_advisor", inputs={"question": "q"}, start_time_ns=begin,
                                        tags={f"pension_advisor.{k}": v for k, v in tags.items()})
    span.end(end_time_ns=begin + 500_000_000)
    written.append((span.trace_id, scores))
mlflow.flush_trace_async_logging()  # the traces are in the store before their feedback
for trace_id, scores in written:
    for name, value in scores.items():
        mlflow.log_feedback(trace_id=trace_id, name=name, value=value,
                            source=AssessmentSource(source_type="CODE", source_id=f"pension_advisor.{name}"))
print(json.dumps({"experiment_id": experiment_id, "trace_ids": [t for t, _ in written]}))
"""


def write_store(uri: str, spec: list[tuple], then: str = "", args: tuple[str, ...] = (),
                env: dict | None = None) -> dict:
    """SPEC-style traces written to a real MLflow store (root span at START + minute, the tags the advisor sets, one
    CODE feedback per score), in a child process: {"experiment_id": ..., "trace_ids": [one per row, in order]}.
    `then`: more code for the same child (`written` holds (trace_id, scores) per row; sys.argv[4:] is `args`)."""
    env = {**os.environ, **(env or {}), "MLFLOW_DISABLE_TELEMETRY": "true", "PYTHONPATH": str(ROOT)}
    start_ns = int(START.tz_localize("UTC").value)
    done = subprocess.run([sys.executable, "-c", _WRITE_TRACES + then, uri, str(start_ns), json.dumps(spec), *args],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(next(line for line in done.stdout.splitlines() if line.startswith('{"experiment_id"')))

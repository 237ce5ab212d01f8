from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

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

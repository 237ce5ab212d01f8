"""Sinks are independent, and the SQLite MLflow store survives concurrent first use and a kill while created.

Real parts: the CLI in subprocesses, SQLite MLflow stores in tmp_path, an OTLP/HTTP receiver on loopback.
"""

from __future__ import annotations

import glob
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from mlflow import MlflowClient

from .conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "When do I reach State Pension age?"


def env_for(var: Path, **extra: str) -> dict:
    env = {**os.environ, "PENSION_ADVISOR__MEMBERS__DB_PATH": str(var / "m.db"),
           "PENSION_ADVISOR_PSEUDONYM_SALT": "test-salt", "PENSION_ADVISOR__LLM__PROVIDER": "none",
           "PENSION_ADVISOR__TRACING__ENABLED": "true",
           "PENSION_ADVISOR__TRACING__TRACKING_URI": f"sqlite:///{var}/mlflow.db",
           "PENSION_ADVISOR__PRODUCTION_MONITORING__SAMPLING_RATE": "0", "OTEL_BSP_SCHEDULE_DELAY": "200"}
    for key in [k for k in env if k.startswith("OTEL_EXPORTER_")]:
        env.pop(key)
    return {**env, **extra}


def cli(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pension_advisor", "ask", "--member", "UK-003", QUESTION, "--json",
                             *args], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def answered(proc: subprocess.Popen) -> dict:
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err[-3000:]
    return json.loads(out)


def stored(var: Path, trace_id: str, wait_s: float = 120):
    client = MlflowClient(f"sqlite:///{var}/mlflow.db")
    deadline = time.time() + wait_s
    while True:
        try:
            trace = client.get_trace(trace_id)
            if any(s.parent_id is None for s in trace.data.spans):
                return trace
        except Exception:
            pass
        assert time.time() < deadline, f"{trace_id} not in the store after {wait_s} s"
        time.sleep(0.5)


def test_mlflow_down_at_start_still_exports_to_otlp(otlp_receiver, tmp_path):
    dead = f"http://127.0.0.1:{free_port()}"
    advice = answered(cli(env_for(tmp_path, PENSION_ADVISOR__TRACING__TRACKING_URI=dead,
                                  PENSION_ADVISOR__TRACING__FLUSH_TIMEOUT_S="5",
                                  PENSION_ADVISOR__TRACING__OTLP__ENABLED="true",
                                  PENSION_ADVISOR__TRACING__OTLP__ENDPOINT=otlp_receiver.url)))
    assert advice["status"] == "answered" and advice["trace_id"], advice
    spans = otlp_receiver.spans_of(advice["trace_id"].removeprefix("tr-"), wait_s=30, at_least=6)
    assert {"pension_advisor", "plan", "tools", "synthesize"} <= {s.name for s in spans}


def test_three_clis_at_once_on_a_fresh_var(tmp_path):
    var = tmp_path / "var"  # does not exist yet: the first use creates the store
    procs = [cli(env_for(var)) for _ in range(3)]
    ids = [answered(p)["trace_id"] for p in procs]
    assert all(i and i.startswith("tr-") for i in ids), ids
    for trace_id in ids:
        stored(var, trace_id)
    after = answered(cli(env_for(var)))["trace_id"]  # and the next run traces normally
    assert stored(var, after).info.tags["pension_advisor.status"] == "answered"


def test_a_kill_while_the_store_is_created_leaves_the_next_run_tracing(tmp_path):
    """SIGKILL at points inside MLflow's first-use migrations of a fresh SQLite store (they take seconds)."""
    for delay in (1.0, 2.5):
        var = tmp_path / f"var-{delay}"
        proc = cli(env_for(var))
        deadline = time.time() + 300
        while not glob.glob(f"{var}/mlflow.db*"):  # the store (or its temporary file) is being written
            assert proc.poll() is None and time.time() < deadline, "the store was never created"
            time.sleep(0.02)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        trace_id = answered(cli(env_for(var)))["trace_id"]
        assert trace_id, f"tracing off after a kill {delay} s into creating the store"
        stored(var, trace_id)


def test_a_store_that_cannot_be_opened_is_a_one_line_error_naming_it(tmp_path):
    (tmp_path / "mlflow.db").write_bytes(b"this is not a database\n" * 100)
    done = subprocess.run([sys.executable, "-m", "pension_advisor", "ask", "--member", "UK-003", QUESTION],
                          env=env_for(tmp_path), cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 2, (done.stdout[-2000:], done.stderr[-2000:])
    assert str(tmp_path / "mlflow.db") in done.stderr and "Traceback" not in done.stderr
    assert len([line for line in done.stderr.splitlines() if line.strip()]) == 1, done.stderr

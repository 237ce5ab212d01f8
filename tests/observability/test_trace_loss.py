"""No trace is lost at a normal exit or at SIGTERM, and an exit waits for the sinks once, bounded.

Real parts only: the advisor in a child process (tracing is process-wide), a SQLite MLflow store, a listening
socket that never answers (a black-hole collector). The deterministic path (no model) keeps 400 questions quick.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from mlflow import MlflowClient

ROOT = Path(__file__).resolve().parents[2]

# Asks questions until told how many (or forever), writing each finished question's trace id, then simply ends:
# no flush, no close - what the process does at exit is what is under test.
ASKER = r"""
import sys
from pension_advisor.advisor import Advisor
count, ids = int(sys.argv[1]), open(sys.argv[2], "a")
advisor = Advisor()
questions = [("UK-003", "When do I reach State Pension age?"), ("AU-001", "What is my preservation age?")]
i = 0
while count < 0 or i < count:
    member, question = questions[i % 2]
    ids.write(advisor.ask(member, question).trace_id + "\n")
    ids.flush()
    i += 1
"""


def env_for(where: Path, **extra: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PENSION_ADVISOR__MEMBERS__DB_PATH": str(where / "m.db"),
           "PENSION_ADVISOR_PSEUDONYM_SALT": "test-salt", "PENSION_ADVISOR__LLM__PROVIDER": "none",
           "PENSION_ADVISOR__TRACING__ENABLED": "true",
           "PENSION_ADVISOR__TRACING__TRACKING_URI": f"sqlite:///{where}/mlflow.db",
           "PENSION_ADVISOR__PRODUCTION_MONITORING__SAMPLING_RATE": "0"}
    for key in [k for k in env if k.startswith("OTEL_")]:
        env.pop(key)
    return {**env, **extra}


def stored_complete(where: Path, ids: list[str], wait_s: float) -> set[str]:
    """Ids among `ids` whose trace is in the store complete: state OK and its root span stored. The writer may
    still be writing after the asking process has gone: poll until all are there or wait_s has passed."""
    client = MlflowClient(f"sqlite:///{where}/mlflow.db")
    experiment = client.get_experiment_by_name("pension-advisor").experiment_id
    wanted, complete = set(ids), set()
    deadline = time.time() + wait_s
    while True:
        traces, token = [], None
        while True:
            page = client.search_traces(locations=[experiment], max_results=500, page_token=token)
            traces += page
            token = page.token
            if not token:
                break
        for trace in traces:
            tid = trace.info.trace_id
            if tid in wanted and trace.info.state.value == "OK" and any(
                    s.parent_id is None and s.name == "pension_advisor" for s in trace.data.spans):
                complete.add(tid)
        if complete == wanted or time.time() > deadline:
            return complete
        time.sleep(2)


def test_400_questions_then_exit_store_400_complete_traces(tmp_path):
    ids_file = tmp_path / "ids"
    done = subprocess.run([sys.executable, "-c", ASKER, "400", str(ids_file)], env=env_for(tmp_path), cwd=ROOT,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr
    ids = ids_file.read_text().split()
    assert len(ids) == 400 and len(set(ids)) == 400
    complete = stored_complete(tmp_path, ids, wait_s=300)
    assert len(complete) == 400, f"{400 - len(complete)} of 400 traces lost at exit"


def test_sigterm_mid_run_keeps_every_finished_questions_trace(tmp_path):
    ids_file = tmp_path / "ids"
    ids_file.touch()
    proc = subprocess.Popen([sys.executable, "-c", ASKER, "-1", str(ids_file)], env=env_for(tmp_path), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=(tmp_path / "stderr").open("w"))
    deadline = time.time() + 300
    while len(ids_file.read_text().split()) < 60:
        assert proc.poll() is None, (tmp_path / "stderr").read_text()[-3000:]
        assert time.time() < deadline, "the asker did not finish 60 questions in 300 s"
        time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(120) in (128 + signal.SIGTERM, -signal.SIGTERM)
    ids = ids_file.read_text().split()  # every question that finished before the signal
    complete = stored_complete(tmp_path, ids, wait_s=300)
    assert len(complete) == len(ids), f"{len(ids) - len(complete)} of {len(ids)} finished questions' traces lost"


def test_exit_waits_for_a_black_hole_collector_once(tmp_path):
    """An OTLP collector that accepts connections and never answers: the CLI's flush gives up after
    flush_timeout_s and the exit does not wait for it a second time (one 'still ... after' warning, not two;
    logged with --verbose)."""
    hole = socket.socket()
    hole.bind(("127.0.0.1", 0))
    hole.listen(64)  # the kernel completes handshakes; nobody ever reads a request
    timeout_s = 15
    env = env_for(tmp_path, PENSION_ADVISOR__TRACING__FLUSH_TIMEOUT_S=str(timeout_s),
                  PENSION_ADVISOR__TRACING__OTLP__ENABLED="true",
                  PENSION_ADVISOR__TRACING__OTLP__ENDPOINT=f"http://127.0.0.1:{hole.getsockname()[1]}/v1/traces",
                  PENSION_ADVISOR__TRACING__OTLP__TIMEOUT_S="60")
    try:
        # Reference: the same run without a collector (start-up, the question, the MLflow write).
        (tmp_path / "ref").mkdir()
        start = time.monotonic()
        plain = subprocess.run([sys.executable, "-m", "pension_advisor", "ask", "--member", "UK-003",
                                "When do I reach State Pension age?"], env=env_for(tmp_path / "ref"), cwd=ROOT,
                               capture_output=True, text=True, timeout=300)
        reference = time.monotonic() - start
        assert plain.returncode == 0, plain.stderr[-3000:]
        start = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "pension_advisor", "-v", "ask", "--member", "UK-003",
                               "When do I reach State Pension age?"], env=env, cwd=ROOT, capture_output=True,
                              text=True, timeout=300)
        elapsed = time.monotonic() - start
    finally:
        hole.close()
    assert done.returncode == 0, done.stderr[-3000:]
    waits = [line for line in done.stderr.splitlines() if "still" in line and "after" in line]
    print(f"reference {reference:.1f}s, black hole {elapsed:.1f}s, flush_timeout_s {timeout_s}")
    assert len(waits) == 1, (reference, elapsed, done.stderr[-3000:])
    assert elapsed > timeout_s  # it did wait for the collector, once
    assert elapsed - reference < 1.6 * timeout_s, (reference, elapsed)  # twice would be >= 2 x timeout_s more

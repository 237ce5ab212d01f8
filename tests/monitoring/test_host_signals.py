"""A process that runs the scoring consumer inside itself (the advisor with worker.in_process, a server, the bench)
keeps its own signal handlers. Huey's Consumer.start() installs SIGINT/SIGTERM/SIGHUP handlers that only set a flag
for Consumer.run()'s loop; a host that does not run that loop would have its Ctrl+C and SIGTERM swallowed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from pension_advisor.monitoring.queue import ScoringQueue
from pension_advisor.scorers import SCORER_NAMES

from .conftest import QUESTIONS, ROOT

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _wait_for(condition, timeout_s: float = 60.0) -> None:
    deadline = time.time() + timeout_s
    while not condition():
        assert time.time() < deadline, "timed out"
        time.sleep(0.02)


@pytest.fixture
def host_handlers():
    """This (main) thread's handlers replaced by the host's own, which records what it receives; put back after."""
    seen: list[int] = []

    def host(signum, frame):
        seen.append(signum)

    saved = {signum: signal.getsignal(signum) for signum in SIGNALS}
    for signum in SIGNALS:
        signal.signal(signum, host)
    yield host, seen
    for signum, handler in saved.items():
        signal.signal(signum, handler)


def _serving(queue_cfg) -> tuple[ScoringQueue, list[str]]:
    queue = ScoringQueue(queue_cfg)
    done: list[str] = []
    queue.serve(lambda payload, renew: done.append(payload["trace_id"]))
    return queue, done


def test_the_host_keeps_its_handlers_and_receives_sigterm(queue_cfg, host_handlers):
    host, seen = host_handlers
    queue, done = _serving(queue_cfg)
    consumer = queue.start_consumer(threads=1)
    try:
        assert {signal.Signals(s).name: signal.getsignal(s) is host for s in SIGNALS} == \
            {signal.Signals(s).name: True for s in SIGNALS}
        queue.enqueue("tr-main", {"trace_id": "tr-main"})
        _wait_for(lambda: done == ["tr-main"])  # the consumer really runs jobs
        os.kill(os.getpid(), signal.SIGTERM)
        _wait_for(lambda: seen == [signal.SIGTERM])  # the host's handler got it, not Huey's
    finally:
        consumer.stop(graceful=True)


def test_started_off_the_main_thread(queue_cfg, host_handlers):
    """A server may build the app on a worker thread, where Python refuses to set signal handlers."""
    host, _ = host_handlers
    queue, done = _serving(queue_cfg)
    started, errors = [], []

    def start() -> None:
        try:
            started.append(queue.start_consumer(threads=1))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    thread = threading.Thread(target=start)
    thread.start()
    thread.join(30)
    assert not errors and started
    try:
        assert all(signal.getsignal(s) is host for s in SIGNALS)
        queue.enqueue("tr-thread", {"trace_id": "tr-thread"})
        _wait_for(lambda: done == ["tr-thread"])
    finally:
        started[0].stop(graceful=True)


_IN_PROCESS = """
import json, os, signal, sys, time
import mlflow
got = []
signal.signal(signal.SIGTERM, lambda signum, frame: got.append(signum))
from pension_advisor.advisor import Advisor
advisor = Advisor()  # production_monitoring.worker.in_process: starts the scoring consumer in this process
ids = [advisor.ask(member, question).trace_id for member, question in json.loads(sys.argv[1])]
deadline, scores = time.time() + 120, {}
while time.time() < deadline:
    traces = {t: mlflow.get_trace(t) for t in ids}
    scores = {t: sorted(a.name for a in tr.info.assessments) if tr else [] for t, tr in traces.items()}
    if all(len(names) >= int(sys.argv[2]) for names in scores.values()):
        break
    time.sleep(0.5)
os.kill(os.getpid(), signal.SIGTERM)
time.sleep(0.2)
print(json.dumps({"got": got, "scores": scores}))
"""


def test_in_process_worker_scores_and_leaves_sigterm_to_the_host(monitoring_env):
    env = {**monitoring_env, "PENSION_ADVISOR__PRODUCTION_MONITORING__WORKER__IN_PROCESS": "true",
           "MLFLOW_TRACKING_URI": monitoring_env["PENSION_ADVISOR__TRACING__TRACKING_URI"]}
    done = subprocess.run([sys.executable, "-c", _IN_PROCESS, json.dumps(QUESTIONS[:2]), str(len(SCORER_NAMES))],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    # Tracing's own SIGTERM flush may sit in front of the host's handler and call it; Huey's would not.
    assert result["got"] == [signal.SIGTERM]
    assert all(names == sorted(SCORER_NAMES) for names in result["scores"].values()), result["scores"]

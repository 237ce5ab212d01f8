"""The SQLite scoring queue's first use is safe under concurrent starts and kills, and a queue path that cannot be
opened is one line naming it (issue 18, "Stores").

Real processes (multiprocessing, spawn) on a real SQLite file in a fresh directory. Processes start together at a
Barrier, and a process to be killed is stopped at a chosen SQL statement by sqlite3's trace callback (patched into
the child only), so nothing here depends on how fast anything runs.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from pension_advisor.config import load_settings
from pension_advisor.config.schema import ProductionMonitoring
from pension_advisor.monitoring.queue import QueueUnavailable, ScoringQueue

ROOT = Path(__file__).resolve().parents[2]
SPAWN = multiprocessing.get_context("spawn")
SAFETY_S = 300  # only a guard against a hung child; no assertion depends on elapsed time
PROCESSES = 3
JOBS_EACH = 30


def monitoring_cfg(path: Path) -> ProductionMonitoring:
    return load_settings(env={"PENSION_ADVISOR__PRODUCTION_MONITORING__QUEUE__BACKEND": "sqlite",
                              "PENSION_ADVISOR__PRODUCTION_MONITORING__QUEUE__SQLITE_PATH": str(path),
                              "PENSION_ADVISOR__PRODUCTION_MONITORING__QUEUE__NAME": "first-use"}
                         ).production_monitoring


def job_ids(who: str, n: int) -> list[str]:
    return [f"tr-{who}-{i:03d}" for i in range(n)]


def enqueue_all_ways(queue: ScoringQueue, ids: list[str]) -> None:
    """Every way a job enters the queue: one at a time, in a batch, and through the writer thread (the sampler's)."""
    third = len(ids) // 3
    for trace_id in ids[:third]:
        queue.enqueue(trace_id, {"trace_id": trace_id})
    queue.enqueue_many([(t, {"trace_id": t}) for t in ids[third:2 * third]])
    for trace_id in ids[2 * third:]:
        queue.submit(trace_id, {"trace_id": trace_id})
    queue.flush(timeout_s=SAFETY_S)


class _Warnings(logging.Handler):
    """The queue's writer thread retries a failed write with only a warning: a child counts those as failures."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def _start_together(path: str, who: str, n: int, barrier, out: str) -> None:
    """Child: wait for the others, then open the queue (first use of a fresh file) and enqueue n jobs."""
    warnings = _Warnings()
    logging.getLogger("pension_advisor.monitoring.queue").addHandler(warnings)
    errors = []
    try:
        cfg = monitoring_cfg(Path(path))
        barrier.wait()
        enqueue_all_ways(ScoringQueue(cfg), job_ids(who, n))
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    Path(out).write_text(json.dumps({"errors": errors, "warnings": warnings.lines}))


def _stop_at(statement: str, stopped) -> None:
    """From now on, every SQLite connection this process opens stops for good when it starts running `statement`."""
    connect = sqlite3.connect

    def connect_and_trace(*args, **kwargs):
        conn = connect(*args, **kwargs)

        def trace(sql: str) -> None:
            if statement in " ".join(sql.lower().split()):
                stopped.set()
                threading.Event().wait()  # until the parent kills this process

        conn.set_trace_callback(trace)
        return conn

    sqlite3.connect = connect_and_trace


def _killed_midway(path: str, statement: str, arm_after_open: bool, stopped) -> None:
    """Child: open the queue and write a batch; stops at `statement` (while opening, or while writing)."""
    cfg = monitoring_cfg(Path(path))
    if not arm_after_open:
        _stop_at(statement, stopped)
    queue = ScoringQueue(cfg)
    if arm_after_open:
        _stop_at(statement, stopped)
    queue.enqueue_many([(t, {"trace_id": t}) for t in job_ids("killed", 10)])


def _enqueue(path: str, who: str, n: int) -> None:
    enqueue_all_ways(ScoringQueue(monitoring_cfg(Path(path))), job_ids(who, n))


def run_child(target, *args) -> None:
    proc = SPAWN.Process(target=target, args=args)
    proc.start()
    proc.join(SAFETY_S)
    assert proc.exitcode == 0, f"{target.__name__} exited with {proc.exitcode}"


def drain(cfg: ProductionMonitoring) -> list[str]:
    """Run every queued task the way a worker does (Huey dequeue + execute) with a handler that records its job."""
    queue = ScoringQueue(cfg)
    scored = []
    queue.serve(lambda payload, renew: scored.append(payload["trace_id"]))
    while (task := queue.huey.dequeue()) is not None:
        queue.huey.execute(task)
    assert queue.pending() == {} and queue.huey.pending_count() == 0
    return sorted(scored)


def queued(cfg: ProductionMonitoring) -> tuple[list[str], list[str]]:
    """(jobs in the journal, trace ids of queued tasks), both sorted, so a duplicate task shows."""
    queue = ScoringQueue(cfg)
    return sorted(queue.pending()), sorted(task.args[0] for task in queue.huey.pending())


def test_three_processes_at_once_on_a_fresh_path_queue_every_job_once(tmp_path):
    path = tmp_path / "var" / "queue.db"  # neither the directory nor the file exists yet
    barrier = SPAWN.Barrier(PROCESSES)
    procs = [SPAWN.Process(target=_start_together,
                           args=(str(path), f"p{i}", JOBS_EACH, barrier, str(tmp_path / f"p{i}.json")))
             for i in range(PROCESSES)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(SAFETY_S)
    assert [p.exitcode for p in procs] == [0] * PROCESSES
    reports = {i: json.loads((tmp_path / f"p{i}.json").read_text()) for i in range(PROCESSES)}
    assert all(r == {"errors": [], "warnings": []} for r in reports.values()), reports

    expected = sorted(t for i in range(PROCESSES) for t in job_ids(f"p{i}", JOBS_EACH))
    cfg = monitoring_cfg(path)
    assert queued(cfg) == (expected, expected)
    assert drain(cfg) == expected


@pytest.mark.parametrize("statement, earlier_jobs, arm_after_open", [
    ("pragma journal_mode", 0, False),                   # switching a new file to WAL
    ("create table if not exists schedule", 0, False),   # inside the schema transaction of a new file
    ("create table if not exists schedule", 5, False),   # the same, on a file holding committed jobs
    ("insert into task", 5, True),                       # inside a batch: journal rows written, tasks not yet
], ids=["wal-switch", "schema-fresh", "schema-existing", "mid-batch"])
def test_a_kill_during_first_use_leaves_a_store_the_next_process_uses(tmp_path, statement, earlier_jobs,
                                                                      arm_after_open):
    path = tmp_path / "var" / "queue.db"
    if earlier_jobs:
        run_child(_enqueue, str(path), "earlier", earlier_jobs)
    stopped = SPAWN.Event()
    victim = SPAWN.Process(target=_killed_midway, args=(str(path), statement, arm_after_open, stopped))
    victim.start()
    try:
        assert stopped.wait(SAFETY_S), f"the child never reached {statement!r}"
    finally:
        os.kill(victim.pid, signal.SIGKILL)
        victim.join(SAFETY_S)
    assert victim.exitcode == -signal.SIGKILL

    run_child(_enqueue, str(path), "after", 6)
    # Committed jobs are all there, the killed batch is all or nothing (here: nothing, it never committed).
    expected = sorted(job_ids("earlier", earlier_jobs) + job_ids("after", 6))
    cfg = monitoring_cfg(path)
    assert queued(cfg) == (expected, expected)
    assert drain(cfg) == expected


def _not_a_database(tmp_path: Path) -> Path:
    path = tmp_path / "queue.db"
    path.write_bytes(b"this is not a database\n" * 200)
    return path


def _a_directory(tmp_path: Path) -> Path:
    path = tmp_path / "queue.db"
    path.mkdir()
    return path


def _under_a_file(tmp_path: Path) -> Path:
    (tmp_path / "var").write_text("a file where the queue's directory should be")
    return tmp_path / "var" / "queue.db"


@pytest.mark.parametrize("make_path", [_a_directory, _under_a_file, _not_a_database])
def test_a_queue_path_that_cannot_be_opened_is_one_line_naming_it(tmp_path, make_path):
    path = make_path(tmp_path)
    with pytest.raises(QueueUnavailable) as raised:
        ScoringQueue(monitoring_cfg(path)).check()
    message = str(raised.value)
    assert str(path) in message and "\n" not in message, message


def test_the_worker_cli_reports_an_unopenable_queue_on_one_line(tmp_path):
    path = _a_directory(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PENSION_ADVISOR__LLM__PROVIDER": "none",
           "PENSION_ADVISOR__TRACING__TRACKING_URI": f"sqlite:///{tmp_path}/mlflow.db",
           "PENSION_ADVISOR__PRODUCTION_MONITORING__QUEUE__BACKEND": "sqlite",
           "PENSION_ADVISOR__PRODUCTION_MONITORING__QUEUE__SQLITE_PATH": str(path)}
    done = subprocess.run([sys.executable, "-m", "pension_advisor", "worker"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=SAFETY_S)
    assert done.returncode == 2, (done.stdout[-2000:], done.stderr[-2000:])
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and str(path) in lines[0] and "Traceback" not in done.stderr, done.stderr

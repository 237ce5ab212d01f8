"""Jobs that keep failing are dead-lettered after production_monitoring.worker.give_up_after_s: kept in the journal
with their reason, reported, never retried again, and never counted as pending (so nothing waits on them forever)."""

from __future__ import annotations

import json
import signal
import time
import uuid

import pytest
import redis

from pension_advisor.config import load_settings
from pension_advisor.monitoring.queue import ScoringQueue
from pension_advisor.scorers import SCORER_NAMES

from .conftest import ask_many, pending_jobs, run_report, scores_by_trace, start_worker

EXPECTED = sorted(SCORER_NAMES)
GIVE_UP_S = 2.0
LEASE_S = 1.0


def _wait(condition, timeout: float, what: str, log=None):
    deadline = time.time() + timeout
    while not condition():
        assert time.time() < deadline, f"{what} within {timeout:.0f}s" + (f"\n{log.read_text()[-3000:]}" if log else "")
        time.sleep(0.2)


def test_missing_trace_is_dead_lettered_within_the_bound_and_reported(monitoring_env, tmp_path):
    # One Huey retry only: after it the reaper must carry the job on (it used to re-queue it forever).
    env = {**monitoring_env,
           "PENSION_ADVISOR__PRODUCTION_MONITORING__WORKER__GIVE_UP_AFTER_S": str(GIVE_UP_S),
           "PENSION_ADVISOR__PRODUCTION_MONITORING__WORKER__RETRIES": "1",
           "PENSION_ADVISOR__PRODUCTION_MONITORING__WORKER__LEASE_S": str(LEASE_S)}
    runs = ask_many(env, 2)
    queue = ScoringQueue(load_settings(env=env).production_monitoring)
    ghost = f"tr-{uuid.uuid4().hex}"  # well-formed, but no such trace ever reaches the store
    queue.enqueue(ghost, {"trace_id": ghost, "question": "What is my preservation age?", "answer": "58 [1].",
                          "tool_outcomes": [], "country": "AU", "member": None, "status": "answered"})
    log = tmp_path / "worker.log"
    worker = start_worker(env, log)
    try:
        _wait(lambda: ghost in queue.dead_letters(), 120, "the job for a missing trace was dead-lettered", log)
        _wait(lambda: pending_jobs(env) == 0, 60, "the real jobs were scored", log)
    finally:
        worker.send_signal(signal.SIGINT)
        worker.wait(30)

    job = queue.dead_letters()[ghost]
    failing_for = job["dead_at"] - job["first_failure"]
    # Given up on at the first attempt after the bound. The latest that attempt can come is a reaper cycle
    # (1 to 1.5 leases) after the previous failure, plus an idle worker's poll (<= 1 s) and Huey's 1 s scheduler tick.
    assert GIVE_UP_S <= failing_for <= GIVE_UP_S + 1.5 * LEASE_S + 2.5, job
    assert job["status"] == "dead" and job["attempts"] >= 3, job  # Huey's retry, then the reaper's re-queues
    assert "not found" in job["reason"] and f"give_up_after_s={GIVE_UP_S:g}" in job["reason"], job["reason"]
    assert job["payload"]["trace_id"] == ghost  # kept whole: it can be inspected or re-queued by hand
    text = log.read_text()
    assert f"scoring job for trace {ghost} dead-lettered after {job['attempts']} attempt(s)" in text, text[-3000:]
    assert "1 dead-lettered job(s) in the journal" in text
    # The dead letter held up nothing: the real runs got every score.
    scores = scores_by_trace(env, [r["trace_id"] for r in runs])
    assert all(names == EXPECTED for names in scores.values()), scores

    # Never re-queued, however stale it looks; a new worker says it is there at start-up.
    assert queue.requeue_expired(now=time.time() + 10 * 86400) == 0
    second_log = tmp_path / "worker2.log"
    second = start_worker(env, second_log)
    try:
        _wait(lambda: "dead-lettered scoring job(s)" in second_log.read_text(), 120, "the second worker reported it",
              second_log)
    finally:
        second.send_signal(signal.SIGINT)
        second.wait(30)
    assert f"1 dead-lettered scoring job(s) in the journal (kept, not retried); latest: trace {ghost}" \
        in second_log.read_text()
    assert queue.dead_letters()[ghost]["attempts"] == job["attempts"]
    # The report lists it with its reason, beside the scored traces.
    stdout, page = run_report(env, tmp_path / "report.html")
    assert "dead_lettered=1" in stdout
    assert "Scoring jobs given up on (1)" in page and ghost in page and "give_up_after_s" in page


def test_failures_are_counted_then_the_job_is_dead_lettered(queue_cfg):
    """The journal bookkeeping on a real queue (SQLite and Redis), driving the task body directly."""
    queue = ScoringQueue(queue_cfg)
    calls = []

    def failing(payload, renew):
        calls.append(payload["trace_id"])
        raise RuntimeError("store says no")

    queue.serve(failing)
    queue.enqueue("tr-ok", {"trace_id": "tr-ok"})
    queue.enqueue("tr-bad", {"trace_id": "tr-bad"})

    with pytest.raises(RuntimeError):  # inside the bound the failure propagates, so Huey retries it
        queue._run("tr-bad")
    job = queue.pending()["tr-bad"]
    assert job["attempts"] == 1 and job["last_error"] == "RuntimeError: store says no" and "status" not in job
    first_failure = job["first_failure"]

    time.sleep(0.35)  # past give_up_after_s (0.3 s) since the first failure
    queue._run("tr-bad")  # dead-lettered: returns quietly, so Huey does not retry it either
    dead = queue.dead_letters()
    assert set(dead) == {"tr-bad"} and set(queue.pending()) == {"tr-ok"}
    assert dead["tr-bad"]["attempts"] == 2 and dead["tr-bad"]["first_failure"] == first_failure
    assert json.dumps(dead["tr-bad"])  # the journal entry stays plain JSON

    queue._run("tr-bad")  # a stray copy of the task does not run a dead job
    assert calls == ["tr-bad", "tr-bad"]
    while queue.huey.dequeue() is not None:  # the tasks were taken (this test ran them by hand)
        pass
    assert queue.requeue_expired(now=time.time() + 86400) == 1  # only the live job is handed back

"""The reaper hands back only jobs that no task will run any more; a backlog waiting for workers is left alone.

Before: every job untouched for a lease was re-queued, so a backlog older than lease_s got a second task per job
(383 extra tasks for 300 jobs in a repro)."""

from __future__ import annotations

import time

from pension_advisor.monitoring.queue import ScoringQueue


def test_a_waiting_backlog_is_never_requeued(queue_cfg):
    queue = ScoringQueue(queue_cfg)
    queue.enqueue_many([(f"tr-{i}", {"trace_id": f"tr-{i}"}) for i in range(300)])
    assert queue.huey.pending_count() == 300
    # Long past the lease: the jobs are old, but every one still has its task in the queue.
    assert queue.requeue_expired(now=time.time() + 10 * queue_cfg.worker.lease_s) == 0
    assert queue.huey.pending_count() == 300


def test_a_job_whose_worker_died_holding_it_is_requeued_once(queue_cfg):
    queue = ScoringQueue(queue_cfg)
    queue.enqueue("tr-held", {"trace_id": "tr-held"})
    queue.enqueue("tr-waiting", {"trace_id": "tr-waiting"})
    taken = queue.huey.dequeue()  # a worker took the first task ...
    assert taken.args == ("tr-held",)
    assert queue._claim("tr-held")  # ... and claimed its job, then died
    later = time.time() + 2 * queue_cfg.worker.lease_s
    assert queue.requeue_expired(now=time.time()) == 0  # the claim is still live
    assert queue.requeue_expired(now=later) == 1  # lease gone: handed back
    assert sorted(t.args[0] for t in queue.huey.pending()) == ["tr-held", "tr-waiting"]
    queue._put("tr-held", {**queue._get("tr-held"), "touched": time.time()})
    assert queue.requeue_expired(now=later) == 0  # its new task is queued: not again


def test_a_job_whose_retries_ran_out_is_requeued(queue_cfg):
    queue = ScoringQueue(queue_cfg)
    queue.enqueue("tr-spent", {"trace_id": "tr-spent"})
    queue.huey.dequeue()  # the task is gone (Huey gave up on it) and nobody holds the job
    assert queue.requeue_expired(now=time.time() + 2 * queue_cfg.worker.lease_s) == 1
    assert [t.args[0] for t in queue.huey.pending()] == ["tr-spent"]

"""The durable scoring queue: Huey (SQLite on one machine, Redis for several) plus a journal for at-least-once.

Huey removes a task from its queue when a worker takes it, so a worker killed mid-task would lose it. Every job is
therefore also written to a journal in Huey's own key-value storage (the same SQLite file or Redis database).
A worker takes an atomic claim on the job (put_if_empty) with a lease it renews after each scorer, and deletes the
job when every score is attached; a reaper re-queues jobs nobody has touched for a lease. A duplicate copy of a job
finds it claimed or gone and does nothing, and scoring skips scorers already on the trace, so each scores once.
"""

from __future__ import annotations

import atexit
import json
import logging
import queue as queue_module
import threading
import time
from typing import Any, Callable

from huey import Huey, RedisHuey, SqliteHuey

from pension_advisor.config.schema import ProductionMonitoring

log = logging.getLogger(__name__)

_writer_lock = threading.Lock()
TASK_NAME = "score_trace"
_JOB = "job:"
_CLAIM = "claim:"


def _huey(cfg: ProductionMonitoring) -> Huey:
    # One Huey per ScoringQueue: each registers its own task (a Huey refuses the same task name twice).
    if cfg.queue.backend == "redis":
        return RedisHuey(cfg.queue.name, url=cfg.queue.redis_url, results=False)
    path = cfg.queue.sqlite_path.expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(cfg.queue.name, filename=str(path), results=False)


class ScoringQueue:
    def __init__(self, cfg: ProductionMonitoring):
        self.cfg = cfg
        self.huey = _huey(cfg)
        self._handler: Callable[[dict[str, Any]], None] | None = None
        self._writer: threading.Thread | None = None
        self._buffer: queue_module.Queue | None = None
        worker = cfg.worker
        # The task only carries the trace id: the payload lives in the journal, which outlives any one worker.
        self.task = self.huey.task(name=TASK_NAME, retries=worker.retries, retry_delay=worker.retry_delay_s,
                                   retry_backoff=worker.retry_backoff)(self._run)

    # --- request path ------------------------------------------------------------------------------------
    def enqueue(self, trace_id: str, payload: dict[str, Any]) -> None:
        """Record the job and queue it durably (journal, then task)."""
        self._put(trace_id, {"payload": payload, "touched": time.time(), "claimed": False})
        self.task(trace_id)

    def submit(self, trace_id: str, payload: dict[str, Any]) -> None:
        """Hand a job to this process's writer thread: all a request pays (a blocking write on the request thread
        waits ~5 ms for the GIL while tracing's export threads run). Written within milliseconds; flushed at exit
        and on SIGTERM; a full buffer makes the caller write it itself rather than drop it."""
        if self._writer is None:
            with _writer_lock:
                if self._writer is None:
                    self._buffer = queue_module.Queue(maxsize=10_000)
                    self._writer = threading.Thread(target=self._write_loop, name="scoring-writer", daemon=True)
                    self._writer.start()
                    atexit.register(self.flush)
        try:
            self._buffer.put_nowait((trace_id, payload))
        except queue_module.Full:
            self.enqueue(trace_id, payload)

    def flush(self, timeout_s: float = 10.0) -> None:
        """Wait until every submitted job is written (or timeout_s passes)."""
        if self._writer is None:
            return
        deadline = time.time() + timeout_s
        while self._buffer.unfinished_tasks and time.time() < deadline:
            time.sleep(0.01)
        if self._buffer.unfinished_tasks:
            log.warning("%d scoring job(s) not yet written after %.1fs", self._buffer.unfinished_tasks, timeout_s)

    def _write_loop(self) -> None:
        while True:
            trace_id, payload = self._buffer.get()
            try:
                for attempt in range(5):
                    try:
                        self.enqueue(trace_id, payload)
                        break
                    except Exception as exc:  # queue storage briefly unavailable: back off, then keep trying
                        log.warning("writing scoring job %s failed (%s); retrying", trace_id, exc)
                        time.sleep(0.2 * 2 ** attempt)
                else:
                    log.error("scoring job %s could not be written: dropped", trace_id)
            finally:
                self._buffer.task_done()

    # --- worker side -------------------------------------------------------------------------------------
    def serve(self, handler: Callable[[dict[str, Any]], None]) -> None:
        """Register what a claimed job runs (the worker sets this before consuming)."""
        self._handler = handler

    def _run(self, trace_id: str) -> None:
        if self._handler is None:
            raise RuntimeError("no scoring handler registered in this process")
        job = self._get(trace_id)
        if job is None or not self._claim(trace_id):  # done already, or another worker holds it
            return
        try:
            job.update(touched=time.time(), claimed=True)
            self._put(trace_id, job)
            # Raises while MLflow is unreachable: Huey retries with backoff (the claim is released first).
            self._handler(job["payload"], renew=lambda: self._renew(trace_id))
            self.huey.storage.delete_data(_JOB + trace_id)
        finally:
            self.huey.storage.delete_data(_CLAIM + trace_id)

    def _claim(self, trace_id: str) -> bool:
        from huey.constants import EmptyData

        storage, key, now = self.huey.storage, _CLAIM + trace_id, time.time()
        if storage.put_if_empty(key, str(now + self.cfg.worker.lease_s).encode()):
            return True
        held = storage.peek_data(key)
        if held is not EmptyData and float(_text(held)) > now:
            return False
        storage.delete_data(key)  # its holder died: take over
        return storage.put_if_empty(key, str(now + self.cfg.worker.lease_s).encode())

    def _renew(self, trace_id: str) -> None:
        now = time.time()
        self.huey.storage.put_data(_CLAIM + trace_id, str(now + self.cfg.worker.lease_s).encode())
        job = self._get(trace_id)
        if job is not None:
            job["touched"] = now
            self._put(trace_id, job)

    def requeue_expired(self, now: float | None = None) -> int:
        """Re-queue jobs nobody has touched for a lease (their worker died); returns how many."""
        now = now or time.time()
        count = 0
        for trace_id, job in self.pending().items():
            if now - job["touched"] >= self.cfg.worker.lease_s and not self._claimed(trace_id, now):
                job["touched"] = now
                self._put(trace_id, job)
                self.task(trace_id)
                count += 1
        if count:
            log.warning("re-queued %d scoring job(s) whose worker stopped", count)
        return count

    def _claimed(self, trace_id: str, now: float) -> bool:
        from huey.constants import EmptyData

        held = self.huey.storage.peek_data(_CLAIM + trace_id)
        return held is not EmptyData and float(_text(held)) > now

    def pending(self) -> dict[str, dict[str, Any]]:
        items = self.huey.storage.result_items()
        return {k[len(_JOB):]: json.loads(_text(v)) for k, v in items.items() if _text(k).startswith(_JOB)} \
            if items else {}

    def consumer(self, threads: int | None = None):
        return self.huey.create_consumer(workers=threads or self.cfg.worker.threads, worker_type="thread",
                                         periodic=False, check_worker_health=True)

    def _put(self, trace_id: str, job: dict[str, Any]) -> None:
        self.huey.storage.put_data(_JOB + trace_id, json.dumps(job, default=str).encode())

    def _get(self, trace_id: str) -> dict[str, Any] | None:
        raw = self.huey.storage.peek_data(_JOB + trace_id)
        from huey.constants import EmptyData

        return None if raw is EmptyData else json.loads(_text(raw))


def _text(value) -> str:
    return value.decode() if isinstance(value, (bytes, bytearray)) else value

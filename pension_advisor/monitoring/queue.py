"""The durable scoring queue: Huey (SQLite on one machine, Redis for several) plus a journal for at-least-once.

Huey removes a task from its queue when a worker takes it, so a worker killed mid-task would lose it. Every job is
therefore also written to a journal in Huey's own key-value storage (the same SQLite file or Redis database).
A worker takes an atomic claim on the job (put_if_empty) with a lease it renews while scoring, and deletes the
job when every score is attached; a reaper re-queues jobs that no task will run any more (a worker died
holding the claim, or Huey's retries ran out), never jobs still waiting in the backlog. A duplicate copy of a job
finds it claimed or gone and does nothing, and scoring skips scorers already on the trace, so each scores once.

A job that keeps failing (its trace never reached the store, or the store stays down) is not retried forever:
give_up_after_s after its first failure it is dead-lettered: kept in the journal with status "dead", the reason
and its attempts, skipped by the reaper, and reported as a warning with the count of dead letters.
"""

from __future__ import annotations

import atexit
import json
import logging
import queue as queue_module
import signal
import threading
import time
from typing import Any, Callable

from huey import Huey, RedisHuey
from huey.storage import SqliteStorage

from pension_advisor.config.schema import ProductionMonitoring

log = logging.getLogger(__name__)
# The CLI keeps the root logger at ERROR to hide library chatter; re-queued and dead-lettered jobs are facts an
# operator must see, so this module's warnings pass unless someone configured its level.
if log.level == logging.NOTSET:
    log.setLevel(logging.WARNING)

_writer_lock = threading.Lock()
TASK_NAME = "score_trace"
_JOB = "job:"
_CLAIM = "claim:"
DEAD = "dead"
_GATHER_S = 0.1  # how long the writer thread lets jobs gather before writing them together
_HOST_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


class _SqliteStorage(SqliteStorage):
    """Huey's SQLite storage (WAL journal) with synchronous=NORMAL: a commit does not wait for an fsync, so a
    write costs ~0.2 ms instead of ~0.9 ms (~0.55 ms of CPU) and a worker's per-job claim/dequeue/delete stop
    queueing behind the disk. A committed write still survives the process crashing; an OS crash or power cut can
    undo the last writes (never corrupt the file). Undone worker writes only make a job run again (scoring skips
    what is on the trace); an undone enqueue loses a sample, a smaller window than the advisor's in-memory
    hand-over buffer, which a crash of its process loses anyway."""

    def _create_connection(self):
        conn = super()._create_connection()
        conn.execute("pragma synchronous=NORMAL")
        return conn

    def put_jobs(self, journal: list[tuple[str, bytes]], tasks: list[bytes]) -> None:
        """Journal entries and their tasks in one transaction: the rows Huey's put_data and enqueue write."""
        with self.db(commit=True) as curs:
            curs.executemany("insert or replace into kv (queue, key, value) values (?, ?, ?)",
                             [(self.name, key, self.to_blob(value)) for key, value in journal])
            curs.executemany("insert into task (queue, data, priority) values (?, ?, ?)",
                             [(self.name, self.to_blob(data), 0) for data in tasks])


def _huey(cfg: ProductionMonitoring) -> Huey:
    # One Huey per ScoringQueue: each registers its own task (a Huey refuses the same task name twice).
    if cfg.queue.backend == "redis":
        return RedisHuey(cfg.queue.name, url=cfg.queue.redis_url, results=False)
    path = cfg.queue.sqlite_path.expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    return Huey(cfg.queue.name, storage_class=_SqliteStorage, filename=str(path), results=False)


class QueueUnavailable(Exception):
    """The queue's storage cannot be reached; the message names it and says why, on one line."""


class ScoringQueue:
    def __init__(self, cfg: ProductionMonitoring):
        self.cfg = cfg
        try:
            # On SQLite this opens the file and creates Huey's tables: one exclusive transaction of idempotent
            # "create ... if not exists", so concurrent first uses wait for each other and a kill leaves no half.
            self.huey = _huey(cfg)
        except Exception as exc:  # a directory, a parent that is a file, not a database, no permission
            raise self._unavailable("opened", exc) from None
        self._handler: Callable[[dict[str, Any]], None] | None = None
        self._writer: threading.Thread | None = None
        self._buffer: queue_module.Queue | None = None
        worker = cfg.worker
        # The task only carries the trace id: the payload lives in the journal, which outlives any one worker.
        self.task = self.huey.task(name=TASK_NAME, retries=worker.retries, retry_delay=worker.retry_delay_s,
                                   retry_backoff=worker.retry_backoff)(self._run)

    def where(self) -> str:
        q = self.cfg.queue
        return q.redis_url if q.backend == "redis" else str(q.sqlite_path)

    def check(self) -> None:
        """Raise QueueUnavailable unless the queue's storage answers (a worker checks before it starts)."""
        try:
            self.huey.pending_count()
        except Exception as exc:
            raise self._unavailable("reached", exc) from None

    def _unavailable(self, what: str, exc: Exception) -> QueueUnavailable:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        return QueueUnavailable(f"the scoring queue ({self.cfg.queue.backend} at {self.where()}) cannot be "
                                f"{what}: {reason}")

    # --- request path ------------------------------------------------------------------------------------
    def enqueue(self, trace_id: str, payload: dict[str, Any]) -> None:
        """Record the job and queue it durably (journal, then task)."""
        self._put(trace_id, {"payload": payload, "touched": time.time(), "attempts": 0})
        self.task(trace_id)

    def submit(self, trace_id: str, payload: dict[str, Any]) -> None:
        """Hand a job to this process's writer thread: all a request pays (a blocking write on the request thread
        waits ~5 ms for the GIL while tracing's export threads run). Written within ~0.1 s; flushed at exit
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
            batch = [self._buffer.get()]
            # Let a few more arrive, then write them together: one transaction and one wake-up of this thread for
            # several questions, so fewer GIL hand-overs with the threads answering them.
            time.sleep(_GATHER_S)
            while len(batch) < 1000:
                try:
                    batch.append(self._buffer.get_nowait())
                except queue_module.Empty:
                    break
            try:
                for attempt in range(5):
                    try:
                        self.enqueue_many(batch)
                        break
                    except Exception as exc:  # queue storage briefly unavailable: back off, then keep trying
                        log.warning("writing %d scoring job(s) failed (%s); retrying", len(batch), exc)
                        time.sleep(0.2 * 2 ** attempt)
                else:
                    log.error("%d scoring job(s) could not be written: dropped (traces %s)", len(batch),
                              ", ".join(t for t, _ in batch[:5]) + (" ..." if len(batch) > 5 else ""))
            finally:
                for _ in batch:
                    self._buffer.task_done()

    def enqueue_many(self, jobs: list[tuple[str, dict[str, Any]]]) -> None:
        """enqueue() for several jobs; on SQLite in one transaction."""
        storage = self.huey.storage
        if not isinstance(storage, _SqliteStorage):
            for trace_id, payload in jobs:
                self.enqueue(trace_id, payload)
            return
        now = time.time()
        storage.put_jobs([(_JOB + trace_id, json.dumps({"payload": payload, "touched": now, "attempts": 0},
                                                        default=str).encode()) for trace_id, payload in jobs],
                         [self.huey.serialize_task(self.task.s(trace_id)) for trace_id, _ in jobs])

    # --- worker side -------------------------------------------------------------------------------------
    def serve(self, handler: Callable[..., Any]) -> None:
        """Register what a claimed job runs (the worker sets this before consuming); warns of dead letters."""
        self._handler = handler
        dead = self.dead_letters()
        if dead:
            latest = max(dead.items(), key=lambda item: item[1].get("dead_at", 0))
            log.warning("%d dead-lettered scoring job(s) in the journal (kept, not retried); latest: trace %s: %s",
                        len(dead), latest[0], latest[1].get("reason"))

    def _run(self, trace_id: str) -> None:
        if self._handler is None:
            raise RuntimeError("no scoring handler registered in this process")
        job = self._get(trace_id)
        # Done already, dead-lettered, or another worker holds it. The claim is the only write before scoring (each
        # write is a transaction or a round trip); the journal's "touched" only matters once a claim has lapsed.
        if job is None or job.get("status") == DEAD or not self._claim(trace_id):
            return
        try:
            # Raises while MLflow is unreachable or the trace is not there yet: Huey retries with backoff.
            self._handler(job["payload"], renew=self._renewer(trace_id))
        except Exception as exc:
            if not self._failed(trace_id, job, exc):
                raise
        else:
            self.huey.storage.delete_data(_JOB + trace_id)
        finally:
            self.huey.storage.delete_data(_CLAIM + trace_id)

    def _failed(self, trace_id: str, job: dict[str, Any], exc: Exception) -> bool:
        """Record a failed attempt; dead-letter the job (and return True) once it has failed for give_up_after_s."""
        now = time.time()
        job["attempts"] = job.get("attempts", 0) + 1
        job["first_failure"] = job.get("first_failure") or now
        job["last_error"] = f"{type(exc).__name__}: {exc}"[:500]
        job["touched"] = now
        failing_for = now - job["first_failure"]
        if failing_for < self.cfg.worker.give_up_after_s:
            self._put(trace_id, job)
            return False
        job.update(status=DEAD, dead_at=now,
                   reason=f"still failing {failing_for:.0f}s after the first failure "
                          f"(give_up_after_s={self.cfg.worker.give_up_after_s:g}): {job['last_error']}")
        self._put(trace_id, job)
        log.warning("scoring job for trace %s dead-lettered after %d attempt(s): %s; %d dead-lettered job(s) in the "
                    "journal", trace_id, job["attempts"], job["reason"], len(self.dead_letters()))
        return True

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

    def _renewer(self, trace_id: str) -> Callable[[], None]:
        """What the handler calls between scorers: extends the claim once a quarter of the lease has passed
        (fast scorers finish well inside a lease, so most jobs never pay this write)."""
        last = time.time()

        def renew() -> None:
            nonlocal last
            now = time.time()
            if now - last >= self.cfg.worker.lease_s / 4:
                self.huey.storage.put_data(_CLAIM + trace_id, str(now + self.cfg.worker.lease_s).encode())
                last = now

        return renew

    def requeue_expired(self, now: float | None = None) -> int:
        """Re-queue jobs that no task will run any more: their worker died holding them (the claim's lease ran
        out), or a failing job used up Huey's retries (it goes on until give_up_after_s dead-letters it). A job
        still waiting in the queue or the retry schedule is left alone, however long the backlog; returns how many."""
        now = now or time.time()
        waiting = None  # trace ids with a queued or scheduled task: read once, and only if some job is a candidate
        count = 0
        for trace_id, job in self.pending().items():
            if now - job["touched"] < self.cfg.worker.lease_s or self._claimed(trace_id, now):
                continue
            if waiting is None:
                waiting = {task.args[0] for task in (*self.huey.pending(), *self.huey.scheduled()) if task.args}
            if trace_id in waiting:
                continue
            job = self._get(trace_id)  # re-read: a worker may have finished or dead-lettered it meanwhile
            if job is None or job.get("status") == DEAD:
                continue
            job["touched"] = now
            self._put(trace_id, job)
            self.task(trace_id)
            count += 1
        if count:
            log.warning("re-queued %d scoring job(s) that no task would run (their worker stopped, or Huey's "
                        "retries ran out)", count)
        return count

    def _claimed(self, trace_id: str, now: float) -> bool:
        from huey.constants import EmptyData

        held = self.huey.storage.peek_data(_CLAIM + trace_id)
        return held is not EmptyData and float(_text(held)) > now

    def pending(self) -> dict[str, dict[str, Any]]:
        """Jobs still to score (queued, claimed or waiting for a retry); dead letters are not pending."""
        return {t: job for t, job in self._journal().items() if job.get("status") != DEAD}

    def dead_letters(self) -> dict[str, dict[str, Any]]:
        """Jobs given up on, with their reason, attempts and first_failure / dead_at times."""
        return {t: job for t, job in self._journal().items() if job.get("status") == DEAD}

    def _journal(self) -> dict[str, dict[str, Any]]:
        items = self.huey.storage.result_items()
        return {k[len(_JOB):]: json.loads(_text(v)) for k, v in ((_text(k), v) for k, v in (items or {}).items())
                if k.startswith(_JOB)}

    def consumer(self, threads: int | None = None):
        # An idle Huey worker polls less and less often, up to every 10 s by default; 1 s keeps a re-queued or
        # newly queued job from waiting that long (an empty poll is one cheap read).
        return self.huey.create_consumer(workers=threads or self.cfg.worker.threads, worker_type="thread",
                                         periodic=False, check_worker_health=True, max_delay=1.0)

    def start_consumer(self, threads: int | None = None):
        """Start a consumer's worker threads inside a host process (the advisor, a server, a bench) and return it;
        stop it with consumer.stop(graceful=True). The host keeps its own signal handlers: Huey's
        Consumer.start() ends by installing handlers for SIGINT, SIGTERM and SIGHUP that only set a flag for
        Consumer.run()'s loop, which a host does not run, so they would swallow the host's Ctrl+C and SIGTERM.
        The handlers are read before start() and put back right after it (a signal arriving in the microseconds
        between the two is lost). Python lets only the main thread set handlers: off it (a server importing the
        graph on a worker thread), start() raises ValueError at that last step, after starting its threads, and
        the host's handlers are untouched; that error is taken as success once the threads are seen running."""
        consumer = self.consumer(threads)
        if threading.current_thread() is not threading.main_thread():
            try:
                consumer.start()
            except ValueError:
                running = [consumer.scheduler, *(thread for _, thread in consumer.worker_threads)]
                if not all(thread.is_alive() for thread in running):
                    raise
            return consumer
        saved = {signum: signal.getsignal(signum) for signum in _HOST_SIGNALS}
        try:
            consumer.start()
        finally:
            for signum, handler in saved.items():
                if handler is None:  # installed outside Python: it cannot be put back from here
                    log.warning("the scoring consumer replaced a non-Python handler for %s",
                                signal.Signals(signum).name)
                else:
                    signal.signal(signum, handler)
        return consumer

    def _put(self, trace_id: str, job: dict[str, Any]) -> None:
        self.huey.storage.put_data(_JOB + trace_id, json.dumps(job, default=str).encode())

    def _get(self, trace_id: str) -> dict[str, Any] | None:
        raw = self.huey.storage.peek_data(_JOB + trace_id)
        from huey.constants import EmptyData

        return None if raw is EmptyData else json.loads(_text(raw))


def _text(value) -> str:
    return value.decode() if isinstance(value, (bytes, bytearray)) else value

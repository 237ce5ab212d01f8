"""The trace writer: finished traces leave the advisor's process whole, and are written by a child process.

Why: writing one trace into MLflow's SQLAlchemy store is ~50-60 ms of Python (ORM statements, span JSON,
usage/cost roll-ups, ~25 merged tag/metadata rows) plus an fsync per transaction; masking its payloads is
~9 ms of regexes, and OTLP encoding a few ms more. Inside the advisor's process all of that competes with the
questions for the GIL. Here the request thread only appends the finished trace to a queue; a sender thread
(waking every 50 ms, not once per trace) pickles it - `Trace.to_dict()` plus its redaction context, one
length-prefixed frame - into the pipe of a child process, which redacts it and writes it to both sinks (sinks.py).

Guarantees:
- a question never waits for a sink: `submit` appends to a bounded queue; when the child is that far behind the
  trace is dropped with a warning (MLflow's own async queue does the same);
- nothing is lost on exit or SIGTERM: the child ignores SIGINT/SIGTERM, reads its input to the end, writes
  everything and exits, whether or not this process is still there to read its acknowledgements; `flush` waits
  (bounded) until the child has written everything submitted before it; `close` (at exit) hands over whatever is
  still queued, closes the pipe and waits once, bounded, for the child to finish;
- nothing is lost if the child cannot start or dies: every trace it has not acknowledged, and every later one,
  is written by the same sink code on the sender thread of this process (writes are upserts: replays are
  harmless).
"""

from __future__ import annotations

import logging
import os
import pickle
import signal
import struct
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from typing import Any, Callable

log = logging.getLogger(__name__)

MAX_QUEUED = 2000     # traces accepted but not yet written by the child
STARTUP_S = 60.0      # longest a flush waits for the child to start (imports, store), before its own timeout
MAX_BATCH = 200       # traces the child writes in one go
SEND_INTERVAL_S = 0.05  # the sender wakes this often (or at SEND_BATCH queued traces): no thread switch per trace
SEND_BATCH = 64
NICE = 10             # the child's scheduling niceness


class _Flush:
    __slots__ = ("timeout_s",)

    def __init__(self, timeout_s: float):
        self.timeout_s = timeout_s


class TraceWriter:
    def __init__(self, tracking_uri: str, salt: str, otlp: bool,
                 context_for: Callable[[Any, dict | None], dict | None] = lambda trace, ctx: None,
                 max_queued: int = MAX_QUEUED, spawn: bool = True):
        self.tracking_uri, self.salt, self.otlp = tracking_uri, salt, otlp
        self.context_for = context_for    # (trace, ctx given at submit) -> the redaction context to send
        self.max_queued = max_queued
        self._cond = threading.Condition()
        self._unacked: OrderedDict[int, Any] = OrderedDict()  # seq -> item, until the sinks have it
        self._sent = 0                    # highest seq handed to the child (or written here)
        self._seq = 0
        self._acked = 0
        self._closed = False
        self._dropped = 0
        self._last_drop_warning = 0.0
        self._pid = os.getpid()
        self._local = None                # TraceSinks in this process, once the child is gone
        self._ready = threading.Event()   # the child has started (or is gone): flush timeouts count from here
        self._finished = threading.Event()  # the child has written all its input and closed its sinks
        self._proc = None
        if spawn:
            try:
                self._proc = self._spawn()
            except Exception as exc:
                log.warning("trace writer process could not start (%s): traces are written in-process", exc)
        if self._proc is None:
            self._ready.set()
        self._sender = threading.Thread(target=self._send_loop, name="trace-writer-send", daemon=True)
        self._sender.start()
        if self._proc is not None:
            threading.Thread(target=self._ack_loop, args=(self._proc,), name="trace-writer-ack", daemon=True).start()

    def _spawn(self) -> subprocess.Popen:
        proc = subprocess.Popen(
            [sys.executable, "-m", "pension_advisor.observability.writer", self.tracking_uri],
            # Its stderr is relayed by a thread of ours, not inherited: a shell or a caller capturing our output
            # must not wait for the child, which may go on writing after we are gone (it then logs to nobody).
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True,  # a Ctrl-C or a process-group SIGTERM must not kill it before it has drained
            env={**os.environ, "MLFLOW_ENABLE_ASYNC_TRACE_LOGGING": "false"})
        threading.Thread(target=_relay, args=(proc.stderr,), name="trace-writer-stderr", daemon=True).start()
        # The salt travels on the pipe, not on the command line (which `ps` shows).
        proc.stdin.write(_frame({"config": {"salt": self.salt, "otlp": self.otlp}}))
        proc.stdin.flush()
        return proc

    @property
    def in_child(self) -> bool:
        return self._proc is not None

    # --- request side ---------------------------------------------------------------------------------------
    def submit(self, trace: Any, ctx: dict | None = None, resource: dict | None = None,
               scope: tuple | None = None, spans_only: bool = False, extra_spans: list | None = None) -> bool:
        """Queue a finished trace. Never blocks; False only in a forked child (whose parent owns this writer)."""
        if os.getpid() != self._pid or self._closed:
            return False
        with self._cond:
            if len(self._unacked) >= self.max_queued:
                self._dropped += 1
                now = time.monotonic()
                if now - self._last_drop_warning > 30:
                    self._last_drop_warning = now
                    log.warning("trace writer is %d traces behind: %d trace(s) dropped so far", len(self._unacked),
                                self._dropped)
                return True
            self._seq += 1
            self._unacked[self._seq] = (trace, ctx, resource, scope, spans_only, extra_spans)
            if self._seq - self._sent >= SEND_BATCH:
                self._cond.notify_all()
        return True

    def flush(self, timeout_s: float) -> bool:
        """Wait until everything submitted so far is in the sinks (OTLP flushed too); False on timeout."""
        if os.getpid() != self._pid:
            return True
        self._ready.wait(STARTUP_S)  # our own child starting up is not a slow sink
        deadline = time.monotonic() + timeout_s
        with self._cond:
            if self._closed:
                return not self._unacked
            self._seq += 1
            target = self._seq
            self._unacked[target] = _Flush(timeout_s)
            self._cond.notify_all()
            while self._acked < target:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    def retire(self) -> None:
        """Stop taking traces without waiting: what is queued goes into the pipe, then the child finishes and
        exits (the tracking URI changed; a process keeps one writer)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def close(self, timeout_s: float, wait: bool = True) -> bool:
        """Hand everything queued over to the child and close its input, then (if `wait`) wait until it has
        written it all, OTLP included. One wait, bounded by timeout_s in all; whatever the child has not written
        by then it writes after this process is gone (it outlives us). Returns whether everything was written."""
        if os.getpid() != self._pid or self._closed:
            return True
        deadline = time.monotonic() + timeout_s
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._sender.join(max(0.0, deadline - time.monotonic()))
        if self._sender.is_alive():
            log.warning("trace writer did not take %d trace(s) within %.1fs: they are lost",
                        sum(1 for v in self._unacked.values() if not isinstance(v, _Flush)), timeout_s)
            return False
        if not wait or self._proc is None or self._seq == 0:  # nothing was ever handed over: nothing to wait for
            return not self._unacked
        return self._finished.wait(max(0.0, deadline - time.monotonic()))

    # --- sender ---------------------------------------------------------------------------------------------
    def _send_loop(self) -> None:
        while True:
            with self._cond:
                while self._sent >= self._seq and not self._closed:
                    self._cond.wait(SEND_INTERVAL_S)
                items = [(seq, item) for seq, item in self._unacked.items() if seq > self._sent]
                if items:
                    self._sent = items[-1][0]
                closing = self._closed and not items
            if items:
                proc = self._proc
                if proc is not None:
                    self._send(proc, items)  # on failure the items are taken again, for _write_here
                else:
                    self._write_here(items)
            if closing:
                if self._proc is not None:
                    try:
                        self._proc.stdin.close()
                    except OSError:
                        pass
                if self._local is not None:
                    self._local.close()
                return

    def _frame(self, seq: int, item: Any) -> bytes:
        if isinstance(item, _Flush):
            return _frame({"seq": seq, "flush": item.timeout_s})
        payload = self._payload(item)
        try:
            return _frame({"seq": seq, **payload})
        except Exception:  # a payload value that cannot be pickled: send its spans' payloads JSON-encoded instead
            from .sinks import encode_records

            encode_records(payload["extra_spans"])
            return _frame({"seq": seq, **payload})

    def _payload(self, item) -> dict[str, Any]:
        trace, ctx, resource, scope, spans_only, extra_spans = item
        try:
            ctx = self.context_for(trace, ctx)
        except Exception:
            log.exception("redaction context failed for %s: the regex masks alone apply", trace.info.trace_id)
            ctx = None
        data = trace.to_dict()
        for span in data["data"]["spans"]:
            for event in span["events"]:  # OTel's BoundedAttributes (it holds a lock) as a plain dict
                event["attributes"] = dict(event["attributes"] or {})
        return {"trace": data, "ctx": ctx, "resource": resource or {}, "scope": scope,
                "spans_only": spans_only, "extra_spans": extra_spans or []}

    def _send(self, proc, items) -> None:
        frames = []
        for seq, item in items:
            try:
                frames.append(self._frame(seq, item))
            except Exception:
                log.exception("could not serialise a trace for the writer; it is dropped")
                frames.append(_frame({"seq": seq, "skip": True}))
        try:
            proc.stdin.write(b"".join(frames))
            proc.stdin.flush()
        except (OSError, ValueError):
            self._child_gone("its input pipe broke")

    def _ack_loop(self, proc) -> None:
        for line in proc.stdout:
            if line.startswith(b"ready"):
                self._ready.set()
                continue
            if line.startswith(b"done"):
                self._finished.set()
                continue
            try:
                self._ack(int(line.split()[1]))
            except (IndexError, ValueError):
                continue
        if self._closed:
            self._finished.set()  # the child exited: nothing more will come, whether it said "done" or not
        else:
            self._child_gone(f"it exited with status {proc.wait()}")

    def _ack(self, seq: int) -> None:
        with self._cond:
            self._acked = max(self._acked, seq)
            while self._unacked and next(iter(self._unacked)) <= seq:
                self._unacked.popitem(last=False)
            self._cond.notify_all()

    def _child_gone(self, why: str) -> None:
        """Everything the child did not acknowledge is re-sent to the in-process sinks, and so is all that follows."""
        with self._cond:
            if self._proc is None:
                return
            self._proc = None
            pending = sum(1 for v in self._unacked.values() if not isinstance(v, _Flush))
            self._sent = self._acked
            self._cond.notify_all()
        self._ready.set()
        log.warning("trace writer process stopped (%s): %d trace(s) and all later ones are written in-process",
                    why, pending)

    def _write_here(self, items) -> None:
        from .sinks import TraceSinks

        if self._local is None:
            try:
                self._local = TraceSinks(self.tracking_uri, self.salt, self.otlp)
            except Exception:
                log.exception("in-process trace sinks could not start: %d trace(s) lost", len(items))
                self._ack(items[-1][0])
                return
        batch = []
        for seq, item in items:
            if isinstance(item, _Flush):
                self._write_batch(batch)
                batch = []
                self._local.flush(item.timeout_s)
                continue
            try:
                batch.append(self._payload(item))
            except Exception:
                log.exception("could not serialise a trace; it is dropped")
        self._write_batch(batch)
        self._ack(items[-1][0])

    def _write_batch(self, batch) -> None:
        if batch:
            try:
                self._local.write(batch)
            except Exception:
                log.exception("in-process trace write failed")


def _relay(stream) -> None:
    for line in stream:
        try:
            sys.stderr.write(line.decode("utf-8", "replace"))
            sys.stderr.flush()
        except (OSError, ValueError):
            return


# --- the child ---------------------------------------------------------------------------------------------

def _child(tracking_uri: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # the parent decides when we stop: by closing our input
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    logging.basicConfig(level=logging.WARNING, format="trace-writer: %(levelname)s %(name)s: %(message)s")
    from queue import Queue

    from .sinks import TraceSinks

    stdin = sys.stdin.buffer
    config = _read_frame(stdin)["config"]
    sinks = TraceSinks(tracking_uri, config["salt"], config["otlp"])
    out = _say(sys.stdout, "ready")
    try:  # background work: when CPU is short, the questions come first and the writer catches up afterwards
        os.nice(NICE)
    except OSError:
        pass
    inbox: Queue = Queue()

    def read() -> None:
        while (item := _read_frame(stdin)) is not None:
            inbox.put(item)
        inbox.put(None)

    threading.Thread(target=read, daemon=True).start()
    eof = False
    while not eof:
        items = [inbox.get()]
        while len(items) < MAX_BATCH and not inbox.empty():
            items.append(inbox.get_nowait())
        batch, last = [], 0
        for item in items:
            if item is None:
                eof = True
                continue
            last = max(last, item["seq"])
            if "flush" in item:
                sinks.write(batch)
                batch = []
                sinks.flush(float(item["flush"]))
            elif "trace" in item:
                batch.append(item)
        sinks.write(batch)
        if last:
            out = _say(out, f"ack {last}")
    sinks.close()  # the OTLP exporter sends what it still holds
    _say(out, "done")


def _say(out, line: str):
    """Tell the parent how far we are; once it has exited (it handed everything over first) nobody reads this
    any more, but what is in our input is still to be written: carry on without a reader."""
    if out is None:
        return None
    try:
        out.write(line + "\n")
        out.flush()
        return out
    except (OSError, ValueError):
        sys.stdout = open(os.devnull, "w")  # nor may the interpreter's own flush at exit fail on it
        return None


def _frame(obj: Any) -> bytes:
    """One message on the pipe: length, then a pickle (parent and child are the same program)."""
    body = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return struct.pack(">I", len(body)) + body


def _read_frame(stream) -> Any:
    head = stream.read(4)
    if len(head) < 4:
        return None
    (size,) = struct.unpack(">I", head)
    body = stream.read(size)
    if len(body) < size:
        return None
    return pickle.loads(body)


if __name__ == "__main__":
    _child(sys.argv[1])

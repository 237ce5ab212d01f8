"""Production monitoring costs, in one run.

1. Question p50 with sampling 0.0 vs 1.0 (tracing on, local SQLite MLflow store, instant scripted model): the
   difference is what forking a run to the scoring queue costs the member. Goal: <= 1 ms. Both configurations
   run in one process, interleaved in turns of BLOCK questions (every order in rotation), so machine noise and
   drift hit both alike; both p50s, their difference and the median paired difference (the same question in
   neighbouring turns), each with a bootstrap 95% interval, are printed, next to the same figures for sampling
   0.0 against a second sampling-0.0 advisor: the noise floor on this machine at that moment.
2. Worker throughput with the deterministic scorers: the sampled runs from (1) are scored by a real worker
   (Huey SQLite queue, feedback written to the MLflow store, default thread count). It first waits until every
   trace is in the store (the trace writer may still be finishing), so the rate is scoring, not trace arrival.
   Goal: >= 50 traces/s.

Every wait is bounded: a phase that overruns stops with a message saying which and why, never a hang.
BENCH_N (default 200) questions per configuration.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
N = int(os.environ.get("BENCH_N", "200"))
WARM_UP = 10
# Questions per configuration turn. Not 1: a sampled question's queue write finishes on a background thread and
# can land in the next question's time, charged to whichever configuration runs next. A multiple of the 4
# scripted questions, so each turn has the same mix and the i-th samples of both configurations pair up.
BLOCK = 8
SAMPLING = "PENSION_ADVISOR__PRODUCTION_MONITORING__SAMPLING_RATE"
CONFIGS = ("0.0", "1.0", "0.0 again")
ASK_TIMEOUT_S = 300 + 6.0 * N  # ~0.5 s per three questions on a busy 2-core machine, with a wide margin
TRACES_TIMEOUT_S = 120  # for the trace writer to finish storing the traces of phase 1
DEAD_LETTER_AFTER_S = 15  # a trace still missing is given up on this long after its first failed attempt


def child_ask() -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    from overhead import scripted_asker  # noqa: PLC0415

    from pension_advisor.config import load_settings  # noqa: PLC0415
    from pension_advisor.observability.tracing import flush  # noqa: PLC0415

    # "0.0 again" is a second advisor with sampling off: how far two identical configurations drift apart here
    # is the noise floor the 0.0 vs 1.0 difference must be read against.
    askers = {name: scripted_asker(load_settings(env={**os.environ, SAMPLING: name.split()[0]})) for name in CONFIGS}
    for i in range(WARM_UP):  # imports, the toxicity model, SQLite pages, the queue's writer thread
        for ask in askers.values():
            ask(i)
    samples: dict[str, list[float]] = {name: [] for name in askers}
    orders = list(itertools.permutations(CONFIGS))  # each configuration takes each place in a turn equally often
    for turn in range((N + BLOCK - 1) // BLOCK):
        for name in orders[turn % len(orders)]:
            for i in range(turn * BLOCK, min(N, (turn + 1) * BLOCK)):
                start = time.perf_counter()
                askers[name](i)
                samples[name].append(time.perf_counter() - start)
    flush(60)
    print(json.dumps(samples))


def child_worker() -> None:
    from pension_advisor.config import load_settings  # noqa: PLC0415
    from pension_advisor.monitoring.queue import ScoringQueue  # noqa: PLC0415
    from pension_advisor.monitoring.worker import TraceScorer  # noqa: PLC0415

    settings = load_settings()
    queue = ScoringQueue(settings.production_monitoring)
    jobs = queue.pending()
    started = time.perf_counter()
    scorer = TraceScorer(settings)  # loads the scorers' models: start-up, not throughput
    startup_s = time.perf_counter() - started

    missing = set(jobs)
    deadline = time.time() + TRACES_TIMEOUT_S
    while missing and time.time() < deadline:
        for trace_id in list(missing):
            try:
                if scorer.trace_info(trace_id) is not None:
                    missing.discard(trace_id)
            except Exception:  # not written yet
                pass
        if missing:
            time.sleep(0.5)

    finished: list[float] = []

    def handler(payload, renew):
        scorer(payload, renew=renew)
        finished.append(time.perf_counter())

    queue.serve(handler)
    expect = len(jobs) - len(missing)
    # Jobs whose trace never arrived are dead-lettered after DEAD_LETTER_AFTER_S: wait for that, and a margin.
    deadline = time.time() + 60 + expect / 5 + (DEAD_LETTER_AFTER_S + 10 if missing else 0)
    start, cpu = time.perf_counter(), time.process_time()
    consumer = queue.start_consumer()  # this process is not the CLI: it keeps the default signals
    try:
        while len(finished) < expect or (missing and set(queue.pending()) & missing):
            if time.time() > deadline:
                print(json.dumps({"error": f"scoring did not finish in time: {len(finished)} of {expect} jobs "
                                           f"scored, {len(queue.pending())} still pending"}))
                return
            time.sleep(0.02)
    finally:
        cpu = time.process_time() - cpu
        consumer.stop(graceful=True)
    print(json.dumps({"jobs": len(jobs), "scored": len(finished), "seconds": finished[-1] - start if finished else 0,
                      "cpu_ms_per_trace": 1000 * cpu / max(1, len(finished)), "threads": settings.production_monitoring
                     .worker.threads, "startup_s": startup_s, "missing_traces": len(missing),
                      "dead_letters": len(queue.dead_letters())}))


def run(mode: str, env: dict, timeout_s: float) -> dict:
    try:
        done = subprocess.run([sys.executable, __file__, "--child", mode], env=env, capture_output=True, text=True,
                              timeout=timeout_s)
    except subprocess.TimeoutExpired:
        raise SystemExit(f"bench: the {mode} phase did not finish within {timeout_s:.0f} s; stopped it") from None
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"bench: the {mode} phase failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    result = json.loads(lines[-1])
    if "error" in result:
        raise SystemExit(f"bench: the {mode} phase: {result['error']}")
    return result


def p50(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[94] * 1000


def compare(a: list[float], b: list[float], rounds: int = 2000) -> str:
    """p50(b) - p50(a) and the median paired difference (the same question in neighbouring turns, so drift and
    question mix cancel), each with a bootstrap 95% interval (questions, or question pairs, resampled)."""
    rng = random.Random(0)
    pairs = [y - x for x, y in zip(a, b)]
    p50_diffs = sorted(p50(rng.choices(b, k=len(b))) - p50(rng.choices(a, k=len(a))) for _ in range(rounds))
    paired = sorted(p50(rng.choices(pairs, k=len(pairs))) for _ in range(rounds))
    lo, hi = int(0.025 * rounds), int(0.975 * rounds) - 1
    return (f"{p50(b) - p50(a):.2f} ms p50 (95% interval {p50_diffs[lo]:.2f} to {p50_diffs[hi]:.2f}); median paired "
            f"difference {p50(pairs):.2f} ms (95% interval {paired[lo]:.2f} to {paired[hi]:.2f})")


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    base = {**os.environ, "PENSION_ADVISOR__MEMBERS__DB_PATH": str(tmp / "m.db"), "MLFLOW_DISABLE_TELEMETRY": "true",
            "PENSION_ADVISOR__LLM__PROVIDER": "openai_compatible", "PENSION_ADVISOR__LLM__BASE_URL": "http://127.0.0.1:9/v1",
            "PENSION_ADVISOR_PSEUDONYM_SALT": "bench", "PENSION_ADVISOR__TRACING__TRACKING_URI": f"sqlite:///{tmp}/mlflow.db",
            "PENSION_ADVISOR__PRODUCTION_MONITORING__QUEUE__SQLITE_PATH": str(tmp / "queue.db")}
    load_before = os.getloadavg()[0]
    samples = run("ask", base, ASK_TIMEOUT_S)
    off, on, again = (samples[name] for name in CONFIGS)
    worker = run("worker", {**base, "PENSION_ADVISOR__LLM__PROVIDER": "none",
                            "PENSION_ADVISOR__PRODUCTION_MONITORING__WORKER__GIVE_UP_AFTER_S": str(DEAD_LETTER_AFTER_S),
                            "PENSION_ADVISOR__PRODUCTION_MONITORING__WORKER__RETRY_DELAY_S": "0.5",
                            "PENSION_ADVISOR__PRODUCTION_MONITORING__WORKER__RETRY_BACKOFF": "1.0"},
                 TRACES_TIMEOUT_S + 300 + N)
    print(f"questions: {N} per configuration, interleaved in turns of {BLOCK} (after {WARM_UP} warm-up each), "
          f"tracing on (local SQLite), instant scripted LLM")
    print(f"{'sampling':<12}{'p50 ms':>9}{'p95 ms':>9}")
    for name in CONFIGS:
        print(f"{name:<12}{p50(samples[name]):>9.2f}{p95(samples[name]):>9.2f}")
    print(f"sampling 1.0 adds {compare(off, on)} (goal <= 1 ms)")
    print(f"noise floor: sampling 0.0 run twice differs by {compare(off, again)}")
    rate = worker["scored"] / worker["seconds"] if worker["seconds"] else 0.0
    print(f"worker: {worker['scored']} of {worker['jobs']} traces scored by 5 deterministic scorers on "
          f"{worker['threads']} threads in {worker['seconds']:.2f} s = {rate:.1f} traces/s (goal >= 50); "
          f"{worker['cpu_ms_per_trace']:.1f} ms CPU per trace; start-up {worker['startup_s']:.1f} s")
    if worker["missing_traces"] or worker["dead_letters"]:
        print(f"worker: {worker['missing_traces']} trace(s) never reached the store; "
              f"{worker['dead_letters']} job(s) dead-lettered")
    print(f"machine load (1-min average, 2 cores shared): {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child_ask() if sys.argv[2] == "ask" else child_worker()
    else:
        main()

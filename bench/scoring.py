"""Production monitoring costs, in one run.

1. Question p50 with sampling 0.0 vs 1.0 (tracing on, local SQLite MLflow store, instant scripted model): the
   difference is what forking a run to the scoring queue costs the member. Goal: <= 1 ms.
2. Worker throughput with the deterministic scorers: the sampled runs from (1) are scored by a real worker
   (Huey SQLite queue, feedback written to the MLflow store). Goal: >= 50 traces/s.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
N = int(os.environ.get("BENCH_N", "200"))


def child(mode: str) -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    from overhead import percentiles, scripted_asker, time_runs  # noqa: PLC0415

    from pension_advisor.config import load_settings  # noqa: PLC0415

    settings = load_settings()
    if mode == "worker":
        from pension_advisor.monitoring.queue import ScoringQueue  # noqa: PLC0415
        from pension_advisor.monitoring.worker import TraceScorer  # noqa: PLC0415

        queue = ScoringQueue(settings.production_monitoring)
        jobs = len(queue.pending())
        queue.serve(TraceScorer(settings))
        consumer = queue.consumer()
        consumer._set_signal_handlers = lambda: None
        start = time.perf_counter()
        consumer.start()
        while queue.pending():
            time.sleep(0.05)
        elapsed = time.perf_counter() - start
        consumer.stop(graceful=True)
        print(json.dumps({"jobs": jobs, "seconds": elapsed}))
        return

    from pension_advisor.observability.tracing import flush  # noqa: PLC0415

    ask = scripted_asker(settings)
    p50, p95 = percentiles(time_runs(ask, N))
    flush(30)
    print(json.dumps({"p50": p50, "p95": p95}))


def run(mode: str, env: dict) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", mode], env=env, capture_output=True, text=True,
                          timeout=1800)
    if done.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    base = {**os.environ, "PENSION_ADVISOR__MEMBERS__DB_PATH": str(tmp / "m.db"), "MLFLOW_DISABLE_TELEMETRY": "true",
            "PENSION_ADVISOR__LLM__PROVIDER": "openai_compatible", "PENSION_ADVISOR__LLM__BASE_URL": "http://127.0.0.1:9/v1",
            "PENSION_ADVISOR_PSEUDONYM_SALT": "bench", "PENSION_ADVISOR__TRACING__TRACKING_URI": f"sqlite:///{tmp}/mlflow.db",
            "PENSION_ADVISOR__PRODUCTION_MONITORING__QUEUE__SQLITE_PATH": str(tmp / "queue.db")}
    off = run("ask", {**base, "PENSION_ADVISOR__PRODUCTION_MONITORING__SAMPLING_RATE": "0.0"})
    on = run("ask", {**base, "PENSION_ADVISOR__PRODUCTION_MONITORING__SAMPLING_RATE": "1.0"})
    worker = run("worker", {**base, "PENSION_ADVISOR__LLM__PROVIDER": "none"})
    print(f"questions: {N} per configuration (after 10 warm-up), tracing on (local SQLite), instant scripted LLM")
    print(f"{'sampling':<12}{'p50 ms':>9}{'p95 ms':>9}")
    print(f"{'0.0':<12}{off['p50']:>9.2f}{off['p95']:>9.2f}")
    print(f"{'1.0':<12}{on['p50']:>9.2f}{on['p95']:>9.2f}")
    print(f"sampling 1.0 adds {on['p50'] - off['p50']:.2f} ms p50 (goal <= 1 ms)")
    rate = worker["jobs"] / worker["seconds"]
    print(f"worker: {worker['jobs']} traces scored by 5 deterministic scorers in {worker['seconds']:.1f} s = "
          f"{rate:.1f} traces/s (goal >= 50)")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main()

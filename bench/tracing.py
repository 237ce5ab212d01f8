"""What tracing costs per question, in one run: off, MLflow only, MLflow + OTLP, MLflow + OTLP with the collector down.

Each configuration runs in its own process (tracing is process-wide), answering the same questions with an instant
scripted model; MLflow writes to a fresh local SQLite store (the embedded default) and OTLP goes to a real
OTLP/HTTP receiver (oteltap) on loopback. Goal: tracing adds <= 3 ms p50; a down collector adds <= 1 ms.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.fakes import free_port  # noqa: E402
N = int(os.environ.get("BENCH_N", "200"))


def measure(mode: str) -> None:
    """Child process: answer N questions under the configured tracing and print p50/p95 as JSON."""
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    from overhead import percentiles, scripted_asker, time_runs  # noqa: PLC0415

    from pension_advisor.config import load_settings  # noqa: PLC0415
    from pension_advisor.observability.tracing import flush  # noqa: PLC0415

    settings = load_settings()
    ask = scripted_asker(settings)
    p50, p95 = percentiles(time_runs(ask, N))
    flush(10)
    print(json.dumps({"mode": mode, "p50": p50, "p95": p95}))


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    port = free_port()
    dead = free_port()
    receiver = subprocess.Popen([sys.executable, "-m", "oteltap", "--port", str(port)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
    base = {**os.environ, "PENSION_ADVISOR__MEMBERS__DB_PATH": str(tmp / "m.db"), "MLFLOW_DISABLE_TELEMETRY": "true",
            "PENSION_ADVISOR__LLM__PROVIDER": "openai_compatible", "PENSION_ADVISOR__LLM__BASE_URL": "http://127.0.0.1:9/v1",
            "PENSION_ADVISOR_PSEUDONYM_SALT": "bench"}
    modes = {
        "tracing off": {"PENSION_ADVISOR__TRACING__ENABLED": "false"},
        "MLflow only": {"PENSION_ADVISOR__TRACING__TRACKING_URI": f"sqlite:///{tmp}/a.db"},
        "MLflow + OTLP": {"PENSION_ADVISOR__TRACING__TRACKING_URI": f"sqlite:///{tmp}/b.db",
                          "PENSION_ADVISOR__TRACING__OTLP__ENABLED": "true",
                          "PENSION_ADVISOR__TRACING__OTLP__ENDPOINT": f"http://127.0.0.1:{port}/v1/traces"},
        "MLflow + OTLP, collector down": {"PENSION_ADVISOR__TRACING__TRACKING_URI": f"sqlite:///{tmp}/c.db",
                                          "PENSION_ADVISOR__TRACING__OTLP__ENABLED": "true",
                                          "PENSION_ADVISOR__TRACING__OTLP__ENDPOINT": f"http://127.0.0.1:{dead}/v1/traces"},
    }
    results = {}
    try:
        for mode, env in modes.items():
            done = subprocess.run([sys.executable, __file__, "--child", mode], env={**base, **env},
                                  capture_output=True, text=True, timeout=1200)
            if done.returncode != 0:
                raise SystemExit(f"{mode} failed:\n{done.stderr[-3000:]}")
            results[mode] = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        receiver.terminate()
    off = results["tracing off"]["p50"]
    print(f"questions: {N} per configuration (after 10 warm-up), instant scripted LLM, MLflow on local SQLite")
    print(f"{'configuration':<34}{'p50 ms':>9}{'p95 ms':>9}{'p50 vs off':>12}")
    for mode, r in results.items():
        print(f"{mode:<34}{r['p50']:>9.2f}{r['p95']:>9.2f}{r['p50'] / off:>11.2f}x")
    added = results["MLflow + OTLP"]["p50"] - off
    down = results["MLflow + OTLP, collector down"]["p50"] - results["MLflow + OTLP"]["p50"]
    print(f"tracing adds {added:.2f} ms p50 (goal <= 3 ms); a down collector adds {down:.2f} ms (goal <= 1 ms)")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        measure(sys.argv[2])
    else:
        main()

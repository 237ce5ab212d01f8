"""What tracing costs per question, in one run: off, MLflow only, MLflow + OTLP, MLflow + OTLP with the collector down,
and MLflow through a tracking server (`mlflow server` on SQLite, started here; BENCH_SERVER=0 skips it).

Each configuration runs in its own process (tracing is process-wide) answering the same questions with an instant
scripted model; MLflow writes to a fresh local SQLite store (the embedded default) and OTLP goes to a real
OTLP/HTTP receiver (oteltap) on loopback, or to a port nobody listens on. The configurations are interleaved:
every round runs each once, in a rotated order, so load from elsewhere on the machine falls on all of them alike;
percentiles are over all rounds' questions. Each process waits until its traces are written before it exits, so
one configuration's backlog never runs during the next one.

Per configuration it prints p50/p95 wall time per question, the difference and ratio to tracing off, and CPU
figures that other load on the machine distorts much less: CPU time of the thread answering (p50), and CPU time
per question of the process's other threads (MLflow's async export queue and the OTLP batch exporter, which
compete with the questions for the GIL). Everything runs in the advisor's process (MLflow's own export pipeline).
Goal (issue 16): tracing to a tracking server adds <= 5 ms p50 per question; SQLite is reported too.

    BENCH_N=200 BENCH_ROUNDS=3 python bench/tracing.py
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.fakes import free_port  # noqa: E402

N = int(os.environ.get("BENCH_N", "200"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
WARMUP = 10
OFF, MLFLOW, OTLP, DOWN = "tracing off", "MLflow only", "MLflow + OTLP", "MLflow + OTLP, collector down"
SERVER = "MLflow tracking server"
BARE = "tracking server, no payloads"  # the span tree alone: MLflow's span pipeline, no inputs/outputs to mask


def measure(mode: str) -> None:
    """Child process: answer WARMUP + N questions under the configured tracing; print the samples as JSON."""
    sys.path.insert(0, str(ROOT / "bench"))
    from overhead import scripted_asker  # noqa: PLC0415

    from pension_advisor.config import load_settings  # noqa: PLC0415
    from pension_advisor.observability.tracing import flush  # noqa: PLC0415

    settings = load_settings()
    ask = scripted_asker(settings)
    for i in range(WARMUP):  # imports, the toxicity model, SQLite pages
        ask(i)
    flush(120)
    wall, cpu = [], []
    process_cpu = time.process_time()
    for i in range(N):
        start, start_cpu = time.perf_counter(), time.thread_time()
        ask(i)
        cpu.append(time.thread_time() - start_cpu)
        wall.append(time.perf_counter() - start)
    background = time.process_time() - process_cpu - sum(cpu)  # this process's other threads
    drained = time.perf_counter()
    written = flush(300) if settings.tracing.enabled else True
    drained = time.perf_counter() - drained
    spans = None
    if settings.tracing.enabled:  # the span tree's size, from the last questions' stored traces
        import mlflow  # noqa: PLC0415

        traces = mlflow.search_traces(max_results=20, return_type="list")
        spans = statistics.mean(len(t.data.spans) for t in traces) if traces else None
    print(json.dumps({"mode": mode, "wall": wall, "cpu": cpu, "background_cpu_s": background,
                      "drain_s": drained, "written": written is not False, "spans_per_question": spans}))


def _run(mode: str, env: dict, base: dict) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", mode], env={**base, **env},
                          capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _pct(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100)[q - 1] * 1000


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    port, dead = free_port(), free_port()
    receiver = subprocess.Popen([sys.executable, "-m", "oteltap", "--port", str(port)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
    base = {**os.environ, "PENSION_ADVISOR__MEMBERS__DB_PATH": str(tmp / "m.db"), "MLFLOW_DISABLE_TELEMETRY": "true",
            "PENSION_ADVISOR__LLM__PROVIDER": "openai_compatible", "PENSION_ADVISOR__LLM__BASE_URL": "http://127.0.0.1:9/v1",
            "PENSION_ADVISOR_PSEUDONYM_SALT": "bench"}
    for key in [k for k in base if k.startswith(("OTEL_", "PENSION_ADVISOR__TRACING__"))]:
        base.pop(key)
    server, server_url = None, None
    if os.environ.get("BENCH_SERVER", "1") != "0":
        server, server_url = _start_server(tmp)

    def env_for(mode: str, r: int) -> dict:
        if mode == OFF:
            return {"PENSION_ADVISOR__TRACING__ENABLED": "false"}
        if mode == SERVER:
            return {"PENSION_ADVISOR__TRACING__TRACKING_URI": server_url}
        if mode == BARE:
            return {"PENSION_ADVISOR__TRACING__TRACKING_URI": server_url,
                    "PENSION_ADVISOR__TRACING__CAPTURE_INPUTS": "false",
                    "PENSION_ADVISOR__TRACING__CAPTURE_OUTPUTS": "false"}
        env = {"PENSION_ADVISOR__TRACING__TRACKING_URI": f"sqlite:///{tmp}/r{r}-{len(mode)}.db"}
        if mode in (OTLP, DOWN):
            env |= {"PENSION_ADVISOR__TRACING__OTLP__ENABLED": "true",
                    "PENSION_ADVISOR__TRACING__OTLP__ENDPOINT": f"http://127.0.0.1:{port if mode == OTLP else dead}/v1/traces"}
        return env

    modes = [OFF, MLFLOW, OTLP, DOWN] + ([SERVER, BARE] if server_url else [])
    results: dict[str, dict] = {m: {"wall": [], "cpu": [], "background_cpu_s": 0.0,
                                    "round_p50": [], "drain_s": 0.0, "written": True} for m in modes}
    try:
        time.sleep(2)  # the receiver
        for r in range(ROUNDS):
            order = modes[r % len(modes):] + modes[:r % len(modes)]
            for mode in order:
                got = _run(mode, env_for(mode, r), base)
                res = results[mode]
                res["wall"] += got["wall"]
                res["cpu"] += got["cpu"]
                res["background_cpu_s"] += got.get("background_cpu_s", 0.0)
                res["drain_s"] = max(res["drain_s"], got["drain_s"])
                res["written"] &= got["written"]
                res["spans_per_question"] = got.get("spans_per_question")
                res["round_p50"].append(statistics.median(got["wall"]) * 1000)
                print(f"  round {r + 1}/{ROUNDS} {mode:<32} p50 {res['round_p50'][-1]:7.2f} ms", file=sys.stderr)
    finally:
        receiver.terminate()
        if server is not None:
            os.killpg(server.pid, 15)

    off50, off_cpu = _pct(results[OFF]["wall"], 50), _pct(results[OFF]["cpu"], 50)
    print(f"questions: {N} per configuration per round x {ROUNDS} interleaved rounds (after {WARMUP} warm-up each), "
          f"instant scripted LLM, MLflow on local SQLite")
    print(f"{'configuration':<32}{'p50 ms':>8}{'p95 ms':>8}{'+p50 vs off':>12}{'p50/off':>9}"
          f"{'req CPU p50':>12}{'+CPU':>7}{'bg CPU/q':>9}   per-round p50 ms")
    for mode in modes:
        res = results[mode]
        p50, p95, c50 = _pct(res["wall"], 50), _pct(res["wall"], 95), _pct(res["cpu"], 50)
        background = res["background_cpu_s"] / len(res["wall"]) * 1000
        rounds = " ".join(f"{x:.1f}" for x in res["round_p50"])
        flag = "" if res["written"] else "  (export not drained)"
        print(f"{mode:<32}{p50:>8.2f}{p95:>8.2f}{p50 - off50:>+12.2f}{p50 / off50:>8.2f}x"
              f"{c50:>12.2f}{c50 - off_cpu:>+7.2f}{background:>9.1f}   {rounds}{flag}")
    added = _pct(results[OTLP]["wall"], 50) - off50
    down = _pct(results[DOWN]["wall"], 50) - _pct(results[OTLP]["wall"], 50)
    added_cpu = _pct(results[OTLP]["cpu"], 50) - off_cpu
    down_cpu = _pct(results[DOWN]["cpu"], 50) - _pct(results[OTLP]["cpu"], 50)
    print(f"tracing (MLflow + OTLP) adds {added:.2f} ms p50 wall, {added_cpu:.2f} ms p50 request CPU (goal <= 3 ms); "
          f"a down collector adds {down:.2f} ms wall, {down_cpu:.2f} ms CPU (goal <= 1 ms)")
    if server_url:
        added = _pct(results[SERVER]["wall"], 50) - off50
        added_cpu = _pct(results[SERVER]["cpu"], 50) - off_cpu
        print(f"tracing to a tracking server adds {added:.2f} ms p50 wall, {added_cpu:.2f} ms p50 request CPU "
              f"(goal <= 5 ms)")
        bare = _pct(results[BARE]["wall"], 50) - off50
        bare_cpu = _pct(results[BARE]["cpu"], 50) - off_cpu
        spans = results[SERVER].get("spans_per_question")
        print(f"  of which the span tree alone{f' ({spans:.0f} spans a question)' if spans else ''}, without inputs "
              f"and outputs: {bare:.2f} ms wall, {bare_cpu:.2f} ms request CPU; recording, masking and serialising "
              f"the payloads: {added - bare:.2f} ms wall, {added_cpu - bare_cpu:.2f} ms request CPU")


def _start_server(tmp: Path) -> tuple[subprocess.Popen, str]:
    """`mlflow server` on its own SQLite store, as production docs run it (one worker, no job execution)."""
    import urllib.request

    port = free_port()
    env = {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true", "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    proc = subprocess.Popen([str(Path(sys.executable).parent / "mlflow"), "server", "--backend-store-uri",
                             f"sqlite:///{tmp}/server.db", "--default-artifact-root", str(tmp / "artifacts"),
                             "--host", "127.0.0.1", "--port", str(port), "--workers", "1"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/health", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.5)
    os.killpg(proc.pid, 9)
    raise SystemExit("mlflow server did not start in 180 s")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        measure(sys.argv[2])
    else:
        main()

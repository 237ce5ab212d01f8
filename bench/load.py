"""Load on the deployed graph API: `pension-advisor serve` (Aegra on PostgreSQL) with an OpenAI-compatible mock LLM
that takes a fixed 200 ms per completion; CLIENTS concurrent clients ask for DURATION seconds.

Prints throughput, p50/p99 latency and errors next to the LLM-bound limit: a client can finish at most one question
per (LLM calls per question x 200 ms), so CLIENTS / that is the most any server could do. Goal: >= 90 % of it, 0 errors.

    .venv/bin/python bench/load.py                      # 64 clients, 60 s, 2 server workers
    LOAD_CLIENTS=16 LOAD_DURATION_S=20 LOAD_WORKERS=1 .venv/bin/python bench/load.py
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.fakes import free_port, wait_for_http  # noqa: E402

CLIENTS = int(os.environ.get("LOAD_CLIENTS", "64"))
DURATION_S = float(os.environ.get("LOAD_DURATION_S", "60"))
WORKERS = int(os.environ.get("LOAD_WORKERS", "2"))
LLM_DELAY_S = float(os.environ.get("LOAD_LLM_DELAY_MS", "200")) / 1000
TRACING = os.environ.get("LOAD_TRACING", "true")  # the deployed default traces every question
PG_ADMIN = "postgresql://127.0.0.1:5432/postgres"
KEY = "load-test-key"
QUESTIONS = ["What will my Social Security benefit be?", "What is my full retirement age?",
             "How much can I put into my 401(k) this year?", "What if I claim Social Security at 70?"]
BIN = Path(sys.executable).parent


def cpu_seconds(root_pid: int) -> float:
    """User + system CPU time of a process and its descendants (the server's workers), from /proc."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))
    tree, frontier = {root_pid}, [root_pid]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, (ppid, _) in stats.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(stats[pid][1] for pid in tree if pid in stats)


def wait_until(url: str, timeout_s: float, proc: subprocess.Popen, log: Path) -> None:
    try:
        wait_for_http(url, proc, log, timeout_s)
    except RuntimeError as exc:
        sys.exit(str(exc))


async def client(api: str, deadline: float, latencies: list[float], errors: list[str]) -> None:
    headers = {"Authorization": f"Bearer {KEY}"}
    async with httpx.AsyncClient(base_url=api, headers=headers, timeout=120) as http:
        i = 0
        while time.time() < deadline:
            started = time.perf_counter()
            try:
                response = await http.post("/runs/wait", json={"assistant_id": "pension_advisor",
                                                               "input": {"question": QUESTIONS[i % len(QUESTIONS)]}})
                body = response.json() if response.status_code == 200 else {}
                if response.status_code != 200:
                    errors.append(f"HTTP {response.status_code}: {response.text[:200]}")
                elif body.get("status") != "answered":
                    errors.append(f"run ended {body.get('status') or body.get('__error__')}")
                else:
                    latencies.append(time.perf_counter() - started)
            except httpx.HTTPError as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
            i += 1


async def drive(api: str) -> tuple[list[float], list[str], float]:
    latencies: list[float] = []
    errors: list[str] = []
    started = time.time()
    await asyncio.gather(*(client(api, started + DURATION_S, latencies, errors) for _ in range(CLIENTS)))
    return latencies, errors, time.time() - started


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="pa-load-"))
    database = f"pa_load_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{database}"')
    llm_port, api_port = free_port(), free_port()
    llm_log, api_log = tmp / "llm.log", tmp / "server.log"
    llm = subprocess.Popen([sys.executable, "-m", "tests.mock_openai", "--port", str(llm_port),
                            "--delay-ms", str(LLM_DELAY_S * 1000)], cwd=ROOT, stdout=llm_log.open("w"),
                           stderr=subprocess.STDOUT)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PENSION_ADVISOR__")}
    env.update({
        "PENSION_ADVISOR__SERVER__PORT": str(api_port), "PENSION_ADVISOR__SERVER__WORKERS": str(WORKERS),
        "PENSION_ADVISOR__SERVER__DATABASE_URL": f"postgresql://127.0.0.1:5432/{database}",
        "PENSION_ADVISOR__SERVER__AUTH__API_KEYS":
            f"[{{name: load, member_id: US-002, key_sha256: {hashlib.sha256(KEY.encode()).hexdigest()}}}]",
        "PENSION_ADVISOR__LLM__PROVIDER": "openai_compatible",
        "PENSION_ADVISOR__LLM__BASE_URL": f"http://127.0.0.1:{llm_port}/v1", "OPENAI_API_KEY": "not-used",
        "PENSION_ADVISOR__LLM__TIMEOUT_S": "60",
        "PENSION_ADVISOR__TRACING__ENABLED": TRACING,
        "PENSION_ADVISOR__TRACING__TRACKING_URI": f"sqlite:///{tmp / 'mlflow.db'}",
        "PENSION_ADVISOR__MEMBERS__DB_PATH": str(tmp / "members.db"),
        "PENSION_ADVISOR__PRODUCTION_MONITORING__QUEUE__SQLITE_PATH": str(tmp / "scoring.db"),
        "PENSION_ADVISOR_PSEUDONYM_SALT": "load-bench", "MLFLOW_DISABLE_TELEMETRY": "true",
    })
    server = subprocess.Popen([str(BIN / "pension-advisor"), "serve"], cwd=tmp, env=env,
                              stdout=api_log.open("w"), stderr=subprocess.STDOUT)
    api = f"http://127.0.0.1:{api_port}"
    try:
        wait_until(f"http://127.0.0.1:{llm_port}/stats", 30, llm, llm_log)
        wait_until(api + "/ready", 120, server, api_log)
        # Warm every worker (graph import, model client, first checkpoint) outside the measured window.
        asyncio.run(_warm(api))
        alone = asyncio.run(_one_at_a_time(api, 5))
        before = httpx.get(f"http://127.0.0.1:{llm_port}/stats").json()
        cpu_before = cpu_seconds(server.pid)
        latencies, errors, elapsed = asyncio.run(drive(api))
        server_cpu = cpu_seconds(server.pid) - cpu_before
        after = httpx.get(f"http://127.0.0.1:{llm_port}/stats").json()
    finally:
        server.send_signal(signal.SIGTERM)
        llm.terminate()
        for proc in (server, llm):
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
        with psycopg.connect(PG_ADMIN, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    report(latencies, errors, elapsed, sum(after.values()) - sum(before.values()), server_cpu, alone)


async def _one_at_a_time(api: str, n: int) -> float:
    """Median latency of a question on an otherwise idle server."""
    times = []
    async with httpx.AsyncClient(base_url=api, headers={"Authorization": f"Bearer {KEY}"}, timeout=120) as http:
        for _ in range(n):
            started = time.perf_counter()
            await http.post("/runs/wait", json={"assistant_id": "pension_advisor", "input": {"question": QUESTIONS[0]}})
            times.append(time.perf_counter() - started)
    return statistics.median(times)


async def _warm(api: str) -> None:
    async with httpx.AsyncClient(base_url=api, headers={"Authorization": f"Bearer {KEY}"}, timeout=120) as http:
        await asyncio.gather(*(http.post("/runs/wait", json={"assistant_id": "pension_advisor",
                                                             "input": {"question": QUESTIONS[0]}})
                               for _ in range(WORKERS * 4)))


def report(latencies: list[float], errors: list[str], elapsed: float, llm_calls: int, server_cpu: float,
           alone: float) -> None:
    done = len(latencies)
    calls_per_question = llm_calls / max(done + len(errors), 1)
    limit = CLIENTS / (calls_per_question * LLM_DELAY_S) if calls_per_question else float("nan")
    throughput = done / elapsed
    q = statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else [float("nan")] * 99
    print(f"load: {CLIENTS} clients for {elapsed:.0f}s against {WORKERS} server worker(s), tracing {TRACING}, "
          f"LLM {LLM_DELAY_S * 1000:.0f} ms per completion")
    print(f"  questions answered   {done}  ({throughput:.1f}/s)")
    print(f"  errors               {len(errors)}")
    print(f"  latency p50 / p99    {q[49] * 1000:.0f} ms / {q[98] * 1000:.0f} ms  (one question alone: "
          f"{alone * 1000:.0f} ms)")
    print(f"  LLM calls / question {calls_per_question:.2f}  -> LLM-bound limit {limit:.1f}/s")
    print(f"  share of the limit   {throughput / limit * 100:.0f} %  (goal >= 90 %, 0 errors)")
    print(f"  server CPU           {server_cpu / max(done, 1) * 1000:.0f} ms per question, "
          f"{server_cpu / elapsed:.2f} of {os.cpu_count()} cores busy")
    for message in sorted(set(errors))[:5]:
        print(f"  e.g. {message}")


if __name__ == "__main__":
    main()

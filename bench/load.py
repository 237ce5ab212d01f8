"""Load on the advisor with an OpenAI-compatible mock LLM that takes a fixed 200 ms per completion; CLIENTS concurrent
clients ask for DURATION seconds.

LOAD_TARGET=server (default): against the deployed graph API, `pension-advisor serve` (Aegra on PostgreSQL) with
WORKERS processes, over HTTP (`POST /runs/wait`). LOAD_TARGET=inprocess: the same questions straight into
`pension_advisor.advisor.Advisor` in WORKERS processes (CLIENTS threads between them), no HTTP, no server, no
checkpointer: the most the graph itself can do on this machine, i.e. the ceiling for any server in front of it.

Prints throughput, p50/p99 latency and errors next to the LLM-bound limit: a client can finish at most one question
per (LLM calls per question x 200 ms), so CLIENTS / that is the most any server could do. Goal: >= 90 % of it, 0 errors.
Also prints where the machine's CPU went during the measured window, per question: the advisor (server workers and
their children, or the in-process workers, whose threads are then the clients), its PostgreSQL backends, the mock
LLM, this client, and everything else on the machine (the bench and the mock LLM share the cores with the server;
another job on the machine shows up as "rest of the machine" and makes the figures worse).

    .venv/bin/python bench/load.py                      # 64 clients, 60 s, 2 server workers
    LOAD_TARGET=inprocess .venv/bin/python bench/load.py
    LOAD_CLIENTS=16 LOAD_DURATION_S=20 LOAD_WORKERS=1 .venv/bin/python bench/load.py
"""

from __future__ import annotations

import asyncio
import hashlib
import multiprocessing
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.fakes import free_port, wait_for_http  # noqa: E402

TARGET = os.environ.get("LOAD_TARGET", "server")
CLIENTS = int(os.environ.get("LOAD_CLIENTS", "64"))
DURATION_S = float(os.environ.get("LOAD_DURATION_S", "60"))
WORKERS = int(os.environ.get("LOAD_WORKERS", "2"))
LLM_DELAY_S = float(os.environ.get("LOAD_LLM_DELAY_MS", "200")) / 1000
TRACING = os.environ.get("LOAD_TRACING", "true")  # the deployed default traces every question
PG_ADMIN = "postgresql://127.0.0.1:5432/postgres"
KEY = "load-test-key"
MEMBER = "US-002"
QUESTIONS = ["What will my Social Security benefit be?", "What is my full retirement age?",
             "How much can I put into my 401(k) this year?", "What if I claim Social Security at 70?"]
BIN = Path(sys.executable).parent
TICK = os.sysconf("SC_CLK_TCK")


# --- CPU accounting, from /proc -------------------------------------------------------------------------------------

def _processes() -> dict[int, tuple[int, float, str]]:
    """pid -> (parent pid, user + system CPU seconds, command line) of every process on the machine."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            found[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK, cmdline)
    return found


def _tree(procs: dict[int, tuple[int, float, str]], roots: list[int]) -> set[int]:
    tree, frontier = set(roots), list(roots)
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, (ppid, _, _) in procs.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    return tree


def _machine_busy_s() -> float:
    """CPU seconds all cores spent on anything but idle and iowait since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / TICK


PARTS = ("advisor", "PostgreSQL", "mock LLM", "bench client")


class CpuMeter:
    """CPU seconds spent between start() and stop() by the advisor's processes (and their children), the PostgreSQL
    backends serving ``database``, the mock LLM, this process, and the rest of the machine."""

    def __init__(self, advisor_pids: list[int], llm_pid: int, database: str | None):
        self.advisor_pids, self.llm_pid, self.database = advisor_pids, llm_pid, database

    def _snapshot(self) -> tuple[dict[int, tuple[str, float]], float]:
        procs = _processes()
        parts = {pid: "advisor" for pid in _tree(procs, self.advisor_pids)}
        parts.update({pid: "mock LLM" for pid in _tree(procs, [self.llm_pid])})
        parts[os.getpid()] = "bench client"
        if self.database:
            parts.update({pid: "PostgreSQL" for pid, (_, _, cmd) in procs.items()
                          if cmd.startswith("postgres:") and f" {self.database} " in cmd})
        return {pid: (part, procs[pid][1]) for pid, part in parts.items() if pid in procs}, _machine_busy_s()

    def start(self) -> None:
        self.before = self._snapshot()

    def stop(self) -> dict[str, float]:
        """CPU seconds by part (a process that started meanwhile counts whole; one that exited is missed)."""
        (after, machine), (before, machine_before) = self._snapshot(), self.before
        used = dict.fromkeys(PARTS, 0.0)
        for pid, (part, cpu) in after.items():
            used[part] += cpu - before.get(pid, (part, 0.0))[1]
        used["rest of the machine"] = machine - machine_before - sum(used.values())
        return used


# --- the stack under test -------------------------------------------------------------------------------------------

@contextmanager
def mock_llm(tmp: Path) -> Iterator[tuple[subprocess.Popen, str]]:
    port, log = free_port(), tmp / "llm.log"
    proc = subprocess.Popen([sys.executable, "-m", "tests.mock_openai", "--port", str(port),
                             "--delay-ms", str(LLM_DELAY_S * 1000)], cwd=ROOT, stdout=log.open("w"),
                            stderr=subprocess.STDOUT)
    try:
        wait_until(f"http://127.0.0.1:{port}/stats", 30, proc, log)
        yield proc, f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


def advisor_env(tmp: Path, llm_url: str) -> dict[str, str]:
    """The advisor's configuration, as environment overrides on a copy of this environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PENSION_ADVISOR__")}
    env.update({
        "PENSION_ADVISOR__LLM__PROVIDER": "openai_compatible", "PENSION_ADVISOR__LLM__BASE_URL": f"{llm_url}/v1",
        "OPENAI_API_KEY": "not-used", "PENSION_ADVISOR__LLM__TIMEOUT_S": "60",
        "PENSION_ADVISOR__TRACING__ENABLED": TRACING,
        "PENSION_ADVISOR__TRACING__TRACKING_URI": f"sqlite:///{tmp / 'mlflow.db'}",
        "PENSION_ADVISOR__MEMBERS__DB_PATH": str(tmp / "members.db"),
        "PENSION_ADVISOR__PRODUCTION_MONITORING__QUEUE__SQLITE_PATH": str(tmp / "scoring.db"),
        "PENSION_ADVISOR_PSEUDONYM_SALT": "load-bench", "MLFLOW_DISABLE_TELEMETRY": "true",
    })
    return env


@contextmanager
def api_server(tmp: Path, llm_url: str, database: str) -> Iterator[tuple[subprocess.Popen, str]]:
    port, log = free_port(), tmp / "server.log"
    env = advisor_env(tmp, llm_url)
    env.update({
        "PENSION_ADVISOR__SERVER__PORT": str(port), "PENSION_ADVISOR__SERVER__WORKERS": str(WORKERS),
        "PENSION_ADVISOR__SERVER__DATABASE_URL": f"postgresql://127.0.0.1:5432/{database}",
        "PENSION_ADVISOR__SERVER__AUTH__API_KEYS":
            f"[{{name: load, member_id: {MEMBER}, key_sha256: {hashlib.sha256(KEY.encode()).hexdigest()}}}]",
    })
    with psycopg.connect(PG_ADMIN, autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{database}"')
    proc = subprocess.Popen([str(BIN / "pension-advisor"), "serve"], cwd=tmp, env=env, stdout=log.open("w"),
                            stderr=subprocess.STDOUT)
    try:
        wait_until(f"http://127.0.0.1:{port}/ready", 120, proc, log)
        yield proc, f"http://127.0.0.1:{port}"
    finally:
        stop(proc)
        with psycopg.connect(PG_ADMIN, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        proc.kill()


def wait_until(url: str, timeout_s: float, proc: subprocess.Popen, log: Path) -> None:
    try:
        wait_for_http(url, proc, log, timeout_s)
    except RuntimeError as exc:
        sys.exit(str(exc))


# --- LOAD_TARGET=server: clients over HTTP --------------------------------------------------------------------------

async def ask_http(http: httpx.AsyncClient, question: str) -> str | None:
    """Ask one question; None if it was answered, else what went wrong."""
    try:
        response = await http.post("/runs/wait", json={"assistant_id": "pension_advisor", "input": {"question": question}})
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}"
    if response.status_code != 200:
        return f"HTTP {response.status_code}: {response.text[:200]}"
    body = response.json()
    return None if body.get("status") == "answered" else f"run ended {body.get('status') or body.get('__error__')}"


async def http_clients(api: str, clients: int, duration_s: float) -> tuple[list[float], list[str]]:
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.time() + duration_s

    async def client() -> None:
        async with httpx.AsyncClient(base_url=api, headers={"Authorization": f"Bearer {KEY}"}, timeout=120) as http:
            i = 0
            while time.time() < deadline:
                started = time.perf_counter()
                error = await ask_http(http, QUESTIONS[i % len(QUESTIONS)])
                if error:
                    errors.append(error)
                else:
                    latencies.append(time.perf_counter() - started)
                i += 1

    await asyncio.gather(*(client() for _ in range(clients)))
    return latencies, errors


def run_server(tmp: Path, llm_url: str, meter_for) -> tuple[list[float], list[str], float, float, dict[str, float]]:
    database = f"pa_load_{uuid.uuid4().hex[:8]}"
    with api_server(tmp, llm_url, database) as (server, api):
        async def warm() -> None:  # every worker: graph import, model client, first checkpoint
            async with httpx.AsyncClient(base_url=api, headers={"Authorization": f"Bearer {KEY}"}, timeout=120) as http:
                await asyncio.gather(*(ask_http(http, QUESTIONS[0]) for _ in range(WORKERS * 4)))
        asyncio.run(warm())
        alone = statistics.median(asyncio.run(http_clients(api, 1, 3))[0] or [float("nan")])
        meter = meter_for([server.pid], database)
        meter.start()
        started = time.time()
        latencies, errors = asyncio.run(http_clients(api, CLIENTS, DURATION_S))
        elapsed = time.time() - started
        return latencies, errors, elapsed, alone, meter.stop()


# --- LOAD_TARGET=inprocess: threads calling Advisor.ask in WORKERS processes ----------------------------------------

def _inprocess_worker(env: dict[str, str], clients: int, ready, go, results) -> None:
    os.environ.clear()
    os.environ.update(env)
    from pension_advisor.advisor import Advisor

    advisor = Advisor()

    def ask(question: str) -> str | None:
        try:
            advice = advisor.ask(MEMBER, question)
        except Exception as exc:  # counted, as the HTTP target counts a 500
            return f"{type(exc).__name__}: {exc}"
        return None if advice.status == "answered" else f"run ended {advice.status}"

    for _ in range(4):
        ask(QUESTIONS[0])
    alone = []
    for _ in range(3):
        started = time.perf_counter()
        ask(QUESTIONS[0])
        alone.append(time.perf_counter() - started)
    ready.set()
    go.wait()
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.time() + DURATION_S

    def client() -> None:
        i = 0
        while time.time() < deadline:
            started = time.perf_counter()
            error = ask(QUESTIONS[i % len(QUESTIONS)])
            if error:
                errors.append(error)
            else:
                latencies.append(time.perf_counter() - started)
            i += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    results.put((latencies, errors, statistics.median(alone)))
    from pension_advisor.observability.tracing import flush
    flush()


def run_inprocess(tmp: Path, llm_url: str, meter_for) -> tuple[list[float], list[str], float, float, dict[str, float]]:
    spawn = multiprocessing.get_context("spawn")
    env, go, results, procs = advisor_env(tmp, llm_url), spawn.Event(), spawn.Queue(), []
    env["PENSION_ADVISOR__TRACING__FLUSH_TIMEOUT_S"] = "120"  # a worker writes its backlog of traces before it exits
    for n in range(WORKERS):  # one at a time: the first creates the member records the others read
        ready = spawn.Event()
        proc = spawn.Process(target=_inprocess_worker, args=(env, CLIENTS // WORKERS + (n < CLIENTS % WORKERS),
                                                             ready, go, results))
        proc.start()
        procs.append(proc)
        while not ready.wait(1):
            if not proc.is_alive():
                sys.exit(f"in-process worker exited with {proc.exitcode}")
    meter = meter_for([p.pid for p in procs], None)
    meter.start()
    started = time.time()
    go.set()
    latencies, errors, alone = [], [], []
    for _ in procs:
        got = results.get()
        latencies += got[0]
        errors += got[1]
        alone.append(got[2])
    elapsed = time.time() - started
    cpu = meter.stop()
    for proc in procs:
        proc.join(60)
    return latencies, errors, elapsed, statistics.median(alone), cpu


# --- main -----------------------------------------------------------------------------------------------------------

def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="pa-load-"))
    run = {"server": run_server, "inprocess": run_inprocess}.get(TARGET)
    if run is None:
        sys.exit(f"LOAD_TARGET={TARGET}: use server or inprocess")
    with mock_llm(tmp) as (llm, llm_url):
        meter_for = lambda pids, database: CpuMeter(pids, llm.pid, database)  # noqa: E731
        calls_before = sum(httpx.get(f"{llm_url}/stats").json().values())
        latencies, errors, elapsed, alone, cpu = run(tmp, llm_url, meter_for)
        llm_calls = sum(httpx.get(f"{llm_url}/stats").json().values()) - calls_before
    report(latencies, errors, elapsed, llm_calls, cpu, alone)


def report(latencies: list[float], errors: list[str], elapsed: float, llm_calls: int, cpu: dict[str, float],
           alone: float) -> None:
    done = len(latencies)
    calls_per_question = llm_calls / max(done + len(errors), 1)
    limit = CLIENTS / (calls_per_question * LLM_DELAY_S) if calls_per_question else float("nan")
    throughput = done / elapsed
    q = statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else [float("nan")] * 99
    where = "server worker(s)" if TARGET == "server" else "in-process worker(s), no HTTP server"
    print(f"load: {CLIENTS} clients for {elapsed:.0f}s against {WORKERS} {where}, tracing {TRACING}, "
          f"LLM {LLM_DELAY_S * 1000:.0f} ms per completion")
    print(f"  questions answered   {done}  ({throughput:.1f}/s)")
    print(f"  errors               {len(errors)}")
    print(f"  latency p50 / p99    {q[49] * 1000:.0f} ms / {q[98] * 1000:.0f} ms  (one question alone: "
          f"{alone * 1000:.0f} ms)")
    print(f"  LLM calls / question {calls_per_question:.2f}  -> LLM-bound limit {limit:.1f}/s")
    print(f"  share of the limit   {throughput / limit * 100:.0f} %  (goal >= 90 %, 0 errors)")
    print(f"  CPU per question     (machine: {os.cpu_count()} cores)")
    for part, seconds in cpu.items():
        print(f"    {part:<20} {seconds / max(done, 1) * 1000:5.0f} ms  {seconds / elapsed:.2f} cores")
    for message in sorted(set(errors))[:5]:
        print(f"  e.g. {message}")


if __name__ == "__main__":
    main()

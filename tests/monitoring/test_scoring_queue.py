"""Real MLflow store, real Huey queue (SQLite and Redis), real worker processes."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import redis

from pension_advisor.scorers import SCORER_NAMES

from .conftest import ask_many, pending_jobs, run_report, scores_by_trace, start_worker, wait_until_drained

EXPECTED = sorted(SCORER_NAMES)


def run_and_score(env, tmp_path, n=8):
    runs = ask_many(env, n)
    assert all(r["sampled"] and r["queued"] for r in runs)
    assert pending_jobs(env) == n
    worker = start_worker(env, tmp_path / "worker.log")
    try:
        wait_until_drained(env, 120)
    finally:
        worker.send_signal(signal.SIGINT)
        worker.wait(30)
    return runs


def test_every_sampled_run_gets_every_score_sqlite(monitoring_env, tmp_path):
    runs = run_and_score(monitoring_env, tmp_path)
    scores = scores_by_trace(monitoring_env, [r["trace_id"] for r in runs])
    assert all(names == EXPECTED for names in scores.values()), scores
    # The report reads the same store: every scorer shows up with a mean over every trace.
    _, page = run_report(monitoring_env, tmp_path / "report.html")
    assert "Scorer trends" in page
    # One row per scorer (its mean over all buckets first); every run was scored.
    assert re.search(rf"<tr><td>scored</td><td class='n'>{len(runs)}</td>", page)
    for name in SCORER_NAMES:
        assert re.search(rf"<tr><td>{name}</td><td class='n'>[01]\.\d{{3}}</td>", page), name
    # The traces' own tags reach the page: every question is counted under its member's country.
    countries = re.search(r"Answers by country and status.*?<tr class='total'><td>all countries</td>"
                          r"<td class='n'>(\d+)</td>", page, re.S)
    assert countries and int(countries.group(1)) == len(runs)
    per_country = dict(re.findall(r"<tr><td>([A-Z]{2})</td><td class='n'>(\d+)</td>", page))
    assert per_country == {c: str(len(runs) // 4) for c in ("AU", "IN", "UK", "US")}, per_country


def test_every_sampled_run_gets_every_score_redis(monitoring_env, tmp_path):
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    client.ping()
    name = monitoring_env["PENSION_ADVISOR__PRODUCTION_MONITORING__QUEUE__NAME"]
    env = {**monitoring_env, "PENSION_ADVISOR__PRODUCTION_MONITORING__QUEUE__BACKEND": "redis"}
    try:
        runs = run_and_score(env, tmp_path)
        scores = scores_by_trace(env, [r["trace_id"] for r in runs])
        assert all(names == EXPECTED for names in scores.values()), scores
    finally:
        for key in client.scan_iter(f"huey.*{name}*"):
            client.delete(key)


def test_sampling_off_queues_nothing(monitoring_env):
    env = {**monitoring_env, "PENSION_ADVISOR__PRODUCTION_MONITORING__SAMPLING_RATE": "0.0"}
    runs = ask_many(env, 4)
    assert not any(r["sampled"] for r in runs) and pending_jobs(env) == 0


def test_sigkilled_worker_loses_nothing_and_scores_once(monitoring_env, tmp_path):
    env = {**monitoring_env,
           "PENSION_ADVISOR__PRODUCTION_MONITORING__CUSTOM_SCORERS": "['tests.monitoring.slow:slow_check']",
           "PENSION_ADVISOR__PRODUCTION_MONITORING__WORKER__LEASE_S": "3",
           "PENSION_ADVISOR__PRODUCTION_MONITORING__WORKER__THREADS": "2"}
    runs = ask_many(env, 40)
    log = tmp_path / "worker.log"
    first = start_worker(env, log)
    deadline = time.time() + 120
    while pending_jobs(env) > 30:  # let it get part-way through the backlog
        assert time.time() < deadline and first.poll() is None, log.read_text()[-2000:]
        time.sleep(0.3)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    left = pending_jobs(env)
    assert 0 < left < 40
    second = start_worker(env, log)
    try:
        wait_until_drained(env, 180)
    finally:
        second.send_signal(signal.SIGINT)
        second.wait(30)
    scores = scores_by_trace(env, [r["trace_id"] for r in runs])
    expected = sorted([*SCORER_NAMES, "slow_check"])
    assert all(names == expected for names in scores.values()), {t: n for t, n in scores.items() if n != expected}


def test_mlflow_down_jobs_wait_then_succeed(monitoring_env, tmp_path):
    """The worker talks to a tracking server that is down; jobs retry with backoff and succeed once it is back."""
    from tests.observability.conftest import free_port

    port = free_port()
    db = tmp_path / "server.db"
    server_env = {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true", "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    cmd = [str(os.path.join(os.path.dirname(sys.executable), "mlflow")), "server", "--backend-store-uri",
           f"sqlite:///{db}", "--default-artifact-root", str(tmp_path / "art"), "--host", "127.0.0.1",
           "--port", str(port), "--workers", "1"]

    def start_server():
        proc = subprocess.Popen(cmd, env=server_env, stdout=(tmp_path / "server.log").open("a"),
                                stderr=subprocess.STDOUT, start_new_session=True)
        import httpx
        for _ in range(240):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    return proc
            except httpx.HTTPError:
                time.sleep(0.5)
        raise AssertionError("mlflow server did not start")

    env = {**monitoring_env, "PENSION_ADVISOR__TRACING__TRACKING_URI": f"http://127.0.0.1:{port}",
           "PENSION_ADVISOR__PRODUCTION_MONITORING__WORKER__RETRIES": "40",
           "PENSION_ADVISOR__PRODUCTION_MONITORING__WORKER__RETRY_DELAY_S": "1",
           "PENSION_ADVISOR__PRODUCTION_MONITORING__WORKER__RETRY_BACKOFF": "1.0"}
    server = start_server()
    runs = ask_many(env, 4)
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(30)
    worker = start_worker(env, tmp_path / "worker.log")
    try:
        time.sleep(6)
        assert pending_jobs(env) == 4  # nothing lost, nothing done while MLflow is down
        server = start_server()
        wait_until_drained(env, 120)
    finally:
        worker.send_signal(signal.SIGINT)
        worker.wait(30)
    try:
        scores = scores_by_trace(env, [r["trace_id"] for r in runs])
        assert all(names == EXPECTED for names in scores.values()), scores
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)

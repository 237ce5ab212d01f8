"""Deployments side by side (issue 12): instances started at the same moment on a fresh database all come up;
deployments with different databases on one Redis never take each other's runs."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
import redis
from langgraph_sdk import get_sync_client

from pension_advisor.config import load_settings
from pension_advisor.server.serve import command, redis_prefix
from tests.fakes import free_port

from .conftest import PG_ADMIN, Server, headers

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
REDIS = "redis://127.0.0.1:6379/8"
QUESTION = "What will my Social Security benefit be?"


def _deployment(server_env, tmp_path_factory, database: str, instances: int) -> list[Server]:
    env = {**server_env, "PENSION_ADVISOR__SERVER__DATABASE_URL": f"postgresql://127.0.0.1:5432/{database}",
           "PENSION_ADVISOR__SERVER__REDIS_URL": REDIS}
    return [Server({**env, "PENSION_ADVISOR__SERVER__PORT": str(free_port())}, tmp_path_factory.mktemp(database))
            for _ in range(instances)]


@pytest.fixture(scope="module")
def deployments(server_env, tmp_path_factory):
    names = [f"pa_test_{uuid.uuid4().hex[:10]}" for _ in range(2)]  # neither exists yet: serve creates them
    first = _deployment(server_env, tmp_path_factory, names[0], 2)
    second = _deployment(server_env, tmp_path_factory, names[1], 1)
    servers = first + second
    try:
        for server in servers:  # all at the same moment: both of the first race to create and migrate its database
            server.launch()
        for server in servers:
            server.wait_ready(timeout_s=180)
        yield first, second
    finally:
        for server in servers:
            if server.proc and server.proc.poll() is None:
                server.stop()
        with psycopg.connect(PG_ADMIN, autocommit=True) as db:
            for name in names:
                db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_instances_started_together_on_a_fresh_database_all_come_up(deployments):
    first, _ = deployments
    assert all(s.proc.poll() is None for s in first)
    for server in first:
        assert "Online migration expected" not in server.log.read_text()
    # Both instances serve the same threads (one database, one queue).
    alice = [get_sync_client(url=s.url, headers=headers("alice")) for s in first]
    thread = alice[0].threads.create()["thread_id"]
    assert alice[1].runs.wait(thread, "pension_advisor", input={"question": QUESTION})["member_id"] == "US-002"


def test_deployments_on_one_redis_answer_their_runs_under_their_own_keys(deployments):
    first, second = deployments
    clients = [get_sync_client(url=first[0].url, headers=headers("alice")),
               get_sync_client(url=second[0].url, headers=headers("alice"))]

    def ask(deployment):
        client = clients[deployment]
        thread = client.threads.create()["thread_id"]
        run = client.runs.create(thread, "pension_advisor", input={"question": QUESTION})
        return deployment, run["run_id"], client.runs.join(thread, run["run_id"])

    # Runs queued through Redis on both deployments at once. On a shared queue a worker pops the other
    # deployment's run, cannot find it in its own database and skips it, and the run waits for a lease reaper.
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(ask, [0, 1] * 6))
    assert all(r.get("member_id") == "US-002" and r.get("status") for _, _, r in results), results
    # Each run's completion signal sits under its own deployment's prefix (its queue key has the same prefix).
    store = redis.Redis.from_url(REDIS)
    databases = [first[0].env["PENSION_ADVISOR__SERVER__DATABASE_URL"].rsplit("/", 1)[1],
                 second[0].env["PENSION_ADVISOR__SERVER__DATABASE_URL"].rsplit("/", 1)[1]]
    for deployment, run_id, _ in results:
        mine = f"pension-advisor:127.0.0.1:5432/{databases[deployment]}:run:done:{run_id}"
        assert store.exists(mine), (mine, sorted(k.decode() for k in store.keys(f"*{run_id}*")))


def test_the_redis_prefix_comes_from_the_database_unless_configured(tmp_path):
    base = {"PENSION_ADVISOR__SERVER__REDIS_URL": REDIS}
    one = load_settings(env={**base, "PENSION_ADVISOR__SERVER__DATABASE_URL": "postgresql://db1:5433/alpha"})
    two = load_settings(env={**base, "PENSION_ADVISOR__SERVER__DATABASE_URL": "postgresql://db1:5433/beta"})
    assert redis_prefix(one) == "pension-advisor:db1:5433/alpha:" != redis_prefix(two)
    _, env = command(one, tmp_path)
    assert env["WORKER_QUEUE_KEY"] == "pension-advisor:db1:5433/alpha:jobs"
    assert env["REDIS_CHANNEL_PREFIX"] == "pension-advisor:db1:5433/alpha:run:"
    named = load_settings(env={**base, "PENSION_ADVISOR__SERVER__REDIS_PREFIX": "blue:"})
    assert command(named, tmp_path)[1]["WORKER_QUEUE_KEY"] == "blue:jobs"

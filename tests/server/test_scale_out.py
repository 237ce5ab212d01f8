"""The scale-out configuration: several server processes sharing PostgreSQL, runs queued through Redis."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from langgraph_sdk import get_sync_client

from tests.fakes import free_port

from .conftest import PG_ADMIN, Server, headers

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def scaled_api(server_env, tmp_path_factory):
    name = f"pa_test_{uuid.uuid4().hex[:10]}"
    env = {**server_env, "PENSION_ADVISOR__SERVER__PORT": str(free_port()),
           "PENSION_ADVISOR__SERVER__DATABASE_URL": f"postgresql://127.0.0.1:5432/{name}",  # serve creates it
           "PENSION_ADVISOR__SERVER__REDIS_URL": "redis://127.0.0.1:6379/7",
           "PENSION_ADVISOR__SERVER__WORKERS": "2"}
    server = Server(env, tmp_path_factory.mktemp("scaled"))
    server.start(timeout_s=120)
    yield server
    server.stop()
    with psycopg.connect(PG_ADMIN, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_two_workers_on_redis_answer_and_share_threads(scaled_api):
    assert "Running without Redis broker" not in scaled_api.log.read_text()
    alice = get_sync_client(url=scaled_api.url, headers=headers("alice"))
    thread = alice.threads.create()["thread_id"]
    # Several questions on one thread: whichever worker takes each run sees the thread's earlier turns.
    first = alice.runs.wait(thread, "pension_advisor", input={"question": "What will my Social Security benefit be?"})
    follow_up = alice.runs.wait(thread, "pension_advisor", input={"question": "What if I claim at 70?"})
    assert first["status"] == follow_up["status"] == "answered"
    assert follow_up["plan"][0]["args"]["claim_age_years"] == 70
    streamed = [e.event for e in alice.runs.stream(thread, "pension_advisor",
                                                  input={"question": "What if I claim at 62 instead?"},
                                                  stream_mode="updates")]
    assert "updates" in streamed
    state = alice.threads.get_state(thread)["values"]
    assert state["plan"][0]["args"]["claim_age_years"] == 62 and len(state["turns"]) == 2

"""`langgraph dev` serves the graph offline; a langgraph_sdk client runs it over real HTTP."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from langgraph_sdk import get_client

from .fakes import free_port

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dev")
    port = free_port()
    env = {**os.environ, "LANGGRAPH_CLI_NO_ANALYTICS": "1", "LANGGRAPH_NO_VERSION_CHECK": "1",
           "LANGSMITH_TRACING": "false", "PENSION_ADVISOR__MEMBERS__DB_PATH": str(tmp / "members.db"),
           "PENSION_ADVISOR__TRACING__TRACKING_URI": f"sqlite:///{tmp}/mlflow.db",
           "PENSION_ADVISOR__LLM__PROVIDER": "embedded", "PENSION_ADVISOR__JUDGE__MAX_RETRIES": "0"}
    log = (tmp / "dev.log").open("w")
    langgraph = Path(sys.executable).with_name("langgraph")
    proc = subprocess.Popen([str(langgraph), "dev", "--no-browser", "--no-reload", "--port", str(port),
                             "--host", "127.0.0.1"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"langgraph dev exited: {(tmp / 'dev.log').read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/ok", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.5)
    else:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail(f"langgraph dev did not come up: {(tmp / 'dev.log').read_text()[-2000:]}")
    yield url
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def test_run_through_langgraph_sdk(dev_server):
    async def scenario():
        client = get_client(url=dev_server)
        assistants = await client.assistants.search(graph_id="pension_advisor")
        assert assistants, "the graph is not registered"
        thread = await client.threads.create()
        state = await client.runs.wait(thread["thread_id"], "pension_advisor",
                                       input={"member_id": "UK-003", "question": "When do I reach State Pension age?"})
        return state

    state = asyncio.run(asyncio.wait_for(scenario(), timeout=180))
    assert state["status"] in {"answered", "fallback"}
    assert "State Pension age" in state["final_answer"] and "general information" in state["final_answer"]
    assert state["tool_outcomes"][0]["tool"] == "uk_state_pension_age"
    assert len(state["attempts"]) == 1


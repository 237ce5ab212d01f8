"""`langgraph dev` serves the graph offline; a langgraph_sdk client runs it over real HTTP."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from langgraph_sdk import get_client
from mlflow import MlflowClient

from .fakes import free_port, stop_group, wait_for_http

ROOT = Path(__file__).resolve().parents[1]
DEV_TRACKING: dict[str, str] = {}


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory, mock_llm):
    tmp = tmp_path_factory.mktemp("dev")
    port = free_port()
    env = {**os.environ, "LANGGRAPH_CLI_NO_ANALYTICS": "1", "LANGGRAPH_NO_VERSION_CHECK": "1",
           "LANGSMITH_TRACING": "false", "PENSION_ADVISOR__MEMBERS__DB_PATH": str(tmp / "members.db"),
           "PENSION_ADVISOR__TRACING__TRACKING_URI": f"sqlite:///{tmp}/mlflow.db",
           "PENSION_ADVISOR__LLM__PROVIDER": "openai_compatible", "PENSION_ADVISOR__LLM__BASE_URL": mock_llm.base_url,
           "OPENAI_API_KEY": "not-used",
           # langgraph dev checks no credentials: each run names its member in its context (development only).
           "PENSION_ADVISOR__SERVER__AUTH__ENABLED": "false"}
    DEV_TRACKING["uri"] = f"sqlite:///{tmp}/mlflow.db"
    log = (tmp / "dev.log").open("w")
    langgraph = Path(sys.executable).with_name("langgraph")
    proc = subprocess.Popen([str(langgraph), "dev", "--no-browser", "--no-reload", "--port", str(port),
                             "--host", "127.0.0.1"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{url}/ok", proc, tmp / "dev.log", 90, "langgraph dev")
    except RuntimeError as exc:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail(str(exc))
    yield url
    stop_group(proc)


def test_run_through_langgraph_sdk(dev_server):
    async def scenario():
        client = get_client(url=dev_server)
        assistants = await client.assistants.search(graph_id="pension_advisor")
        assert assistants, "the graph is not registered"
        thread = await client.threads.create()
        state = await client.runs.wait(thread["thread_id"], "pension_advisor",
                                       input={"question": "When do I reach State Pension age?"},
                                       context={"member_id": "UK-003"})
        return state

    state = asyncio.run(asyncio.wait_for(scenario(), timeout=180))
    assert state["status"] == "answered"
    assert state["final_answer"].startswith("Tax year ") and "general information" in state["final_answer"]
    assert "legislation.gov.uk" in state["final_answer"]  # UK rules; an age alone names no currency (issue 14)
    assert state["tool_outcomes"][0]["tool"] == "uk_state_pension_age"
    assert len(state["attempts"]) == 1



@pytest.mark.parametrize("via", ["metadata", "header"])
def test_caller_traceparent_through_the_api(dev_server, via):
    caller_trace, caller_span = uuid.uuid4().hex, uuid.uuid4().hex[:16]
    traceparent = f"00-{caller_trace}-{caller_span}-01"

    async def scenario():
        client = get_client(url=dev_server, headers={"traceparent": traceparent} if via == "header" else None)
        thread = await client.threads.create()
        return await client.runs.wait(thread["thread_id"], "pension_advisor",
                                      input={"question": "What is my preservation age?"},
                                      context={"member_id": "AU-001"},
                                      metadata={"traceparent": traceparent} if via == "metadata" else None)

    state = asyncio.run(asyncio.wait_for(scenario(), timeout=180))
    assert state["status"] == "answered"
    client = MlflowClient(DEV_TRACKING["uri"])
    deadline, spans = time.time() + 60, []
    while time.time() < deadline:  # spans reach the store in batches as they end; the root ends last
        trace = client.get_trace(f"tr-{caller_trace}") if _exists(client, caller_trace) else None
        spans = trace.data.spans if trace else []
        if any(s.name == "pension_advisor" for s in spans) and any(s.name == "sample" for s in spans):
            break
        time.sleep(0.5)
    root = next((s for s in spans if s.name == "pension_advisor"), None)
    assert root is not None, f"no root span in tr-{caller_trace}: {[s.name for s in spans]}"
    assert root.parent_id == caller_span


def _exists(client, trace_hex: str) -> bool:
    try:
        client.get_trace(f"tr-{trace_hex}")
        return True
    except Exception:  # not written yet
        return False

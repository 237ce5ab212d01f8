"""What a user runs: `pension-advisor package`, then `mlflow models serve -m models:/pension-advisor@champion`, then
POST /invocations. Real processes and the logged default config, offline; the LLM's text comes from the
OpenAI-compatible mock on loopback (the embedded model takes minutes per answer on two cores; tests/test_embedded_model.py
drives it)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from ..fakes import free_port, stop_group, wait_for_http

BIN = Path(sys.executable).parent
QUESTION = "When do I reach State Pension age?"


@pytest.fixture(scope="module")
def served(tmp_path_factory, mock_llm):
    tmp = tmp_path_factory.mktemp("serve")
    store = f"sqlite:///{tmp}/registry/mlflow.db"
    # The user's environment: an OpenAI-compatible endpoint, MLflow pointed at the registry store.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PENSION_ADVISOR__") and k != "OPENAI_API_KEY"}
    env.update({"MLFLOW_TRACKING_URI": store, "MLFLOW_DISABLE_TELEMETRY": "true", "OPENAI_API_KEY": "not-used",
                "PENSION_ADVISOR__LLM__PROVIDER": "openai_compatible", "PENSION_ADVISOR__LLM__BASE_URL": mock_llm.base_url,
                "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",  # `mlflow models serve` starts `uvicorn` from PATH
                # Only where the server keeps its files; every other key comes from the logged config.yaml.
                "PENSION_ADVISOR__MEMBERS__DB_PATH": str(tmp / "members.db"),
                "PENSION_ADVISOR__TRACING__TRACKING_URI": f"sqlite:///{tmp}/traces.db"})
    started = time.perf_counter()
    done = subprocess.run([str(BIN / "pension-advisor"), "package", "--alias", "champion"], cwd=tmp, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "model URI: models:/pension-advisor@champion (= models:/pension-advisor/1)" in done.stdout
    print(f"package: {time.perf_counter() - started:.1f}s")

    port = free_port()
    log = (tmp / "serve.log").open("w")
    started = time.perf_counter()
    proc = subprocess.Popen([str(BIN / "mlflow"), "models", "serve", "-m", "models:/pension-advisor@champion",
                             "--env-manager", "local", "-h", "127.0.0.1", "-p", str(port), "-t", "600"],
                            cwd=tmp, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{url}/ping", proc, tmp / "serve.log", 180, "mlflow models serve")
    except RuntimeError as exc:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail(str(exc))
    print(f"serve ready: {time.perf_counter() - started:.1f}s")
    yield url, tmp
    stop_group(proc, grace_s=30)


@pytest.mark.slow
def test_served_champion_answers_a_member_question(served, mock_llm):
    url, tmp = served
    started = time.perf_counter()
    response = httpx.post(f"{url}/invocations", timeout=660, json={
        "input": [{"role": "user", "content": QUESTION}], "custom_inputs": {"member_id": "UK-003"}})
    assert response.status_code == 200, response.text
    body = response.json()
    text = body["output"][0]["content"][0]["text"]
    custom = body["custom_outputs"]
    print(f"first answer: {time.perf_counter() - started:.1f}s, {custom['status']} after {custom['attempts']} attempt(s)")
    assert custom["member_id"] == "UK-003" and custom["country"] == "UK"
    assert custom["status"] == "answered" and custom["attempts"] == 1
    # UK-appropriate: the UK tax year and currency, UK legislation as the source, the disclaimer.
    assert text.startswith("Tax year 2026-27.\n")  # State Pension age is a date: no "amounts in GBP" (issue 14)
    assert "legislation.gov.uk" in text and "general information, not personal financial advice" in text
    assert custom["sources"][0]["url"].startswith("https://www.legislation.gov.uk/")
    assert mock_llm.calls.get("writer", 0) >= 1  # the served model's own advisor called the configured endpoint
    # Tracing is on in the logged config: the answer names its trace in the served model's store.
    assert custom["trace_id"].startswith("tr-")


@pytest.mark.slow
@pytest.mark.parametrize("custom_inputs, message", [
    ({"member_id": "ZZ-999"}, "unknown member 'ZZ-999'"),
    ({}, "custom_inputs.member_id is required"),
])
def test_served_model_rejects_a_bad_member_clearly(served, custom_inputs, message):
    url, _ = served
    response = httpx.post(f"{url}/invocations", timeout=120, json={
        "input": [{"role": "user", "content": QUESTION}], "custom_inputs": custom_inputs})
    assert response.status_code == 400
    body = response.json()
    assert body["error_code"] == "INVALID_PARAMETER_VALUE" and message in body["message"]
    assert "Traceback" not in response.text and "stack_trace" not in body

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

# Property tests draw the same examples on every run (a failure found once is found again, in CI too), with no
# per-example deadline: a busy machine must not turn a slow example into a failure.
hypothesis_settings.register_profile("pension-advisor", derandomize=True, deadline=None, print_blob=True)
hypothesis_settings.load_profile("pension-advisor")

# No test may reach the network or a model hub; the MLflow client must not phone home.
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", " ")
os.environ.setdefault("PENSION_ADVISOR_PSEUDONYM_SALT", "test-salt")

from pension_advisor.advisor import Advisor  # noqa: E402
from pension_advisor.config import load_settings  # noqa: E402
from pension_advisor.services import Services  # noqa: E402

from .fakes import ScriptedChatModel, free_port, stop_group, wait_for_http  # noqa: E402
from .mock_openai import MockOpenAI  # noqa: E402

PASS_VERDICT = '{"passed": true, "confidence": 0.9, "violations": [], "feedback": ""}'


@pytest.fixture
def settings_env(tmp_path):
    """Config overrides every test starts from: private member store, tracing off, an 'endpoint' LLM."""
    return {
        "PENSION_ADVISOR__MEMBERS__DB_PATH": str(tmp_path / "members.db"),
        "PENSION_ADVISOR__TRACING__ENABLED": "false",
        "PENSION_ADVISOR__LLM__PROVIDER": "openai_compatible",
        "PENSION_ADVISOR__LLM__BASE_URL": "http://127.0.0.1:9/v1",
    }


@pytest.fixture
def make_advisor(settings_env):
    """make_advisor(script, **overrides) -> (Advisor, ScriptedChatModel)."""

    def make(script: dict | None = None, **overrides: str):
        env = {**settings_env, **{f"PENSION_ADVISOR__{k.upper()}": v for k, v in overrides.items()}}
        fake = ScriptedChatModel(script=script or {}) if script is not None else None
        settings = load_settings(env=env)
        services = Services(settings, model_factory=lambda: fake)
        return Advisor(settings, services), fake

    return make


@pytest.fixture(scope="session")
def mock_llm():
    """An OpenAI-compatible endpoint on loopback for the servers the tests start (tests/mock_openai.py)."""
    with MockOpenAI(delay_s=0.01) as mock:
        yield mock


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory):
    """A real `mlflow server` on SQLite, shared by the session (it takes ~20 s to start)."""
    tmp = tmp_path_factory.mktemp("mlflow-server")
    port = free_port()
    env = {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true", "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    log = (tmp / "server.log").open("w")
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("mlflow")), "server", "--backend-store-uri", f"sqlite:///{tmp}/mlflow.db",
         "--default-artifact-root", str(tmp / "artifacts"), "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{url}/health", proc, tmp / "server.log", 120, "mlflow server")
    except RuntimeError as exc:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail(str(exc))
    yield url
    stop_group(proc)

"""Issue 18: a model endpoint that is down or refuses the key is loud. The answer's status is `degraded`, the member
is told in plain words and gets the calculators' results, the state and trace record the fault, the first failure is
logged at WARNING, and `ask` / `demo` print one line and exit 3 when the model cannot be reached or refuses the key (a slow model: a warning line, exit 0). Against real sockets: a closed port on loopback and
an OpenAI-compatible endpoint answering 401."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from pension_advisor.advisor import Advisor
from pension_advisor.answer import DISCLAIMER
from pension_advisor.cli import MODEL_UNAVAILABLE_EXIT, app
from pension_advisor.config import load_settings
from pension_advisor.llm import faults

from .fakes import free_port
from .mock_openai import MockOpenAI

QUESTION = "What is my preservation age?"


@pytest.fixture
def closed_port_url():
    return f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there: connection refused


@pytest.fixture
def rejecting_endpoint():
    with MockOpenAI(delay_s=0.0, error_status=401) as mock:
        yield mock


@pytest.fixture(autouse=True)
def fresh_fault_log(monkeypatch):
    monkeypatch.setattr(faults, "_logged", set())  # "first failure" is per process: start each test afresh


def model_env(tmp_path, base_url: str) -> dict:
    return {"PENSION_ADVISOR__MEMBERS__DB_PATH": str(tmp_path / "members.db"),
            "PENSION_ADVISOR__TRACING__ENABLED": "false", "PENSION_ADVISOR__LLM__PROVIDER": "openai_compatible",
            "PENSION_ADVISOR__LLM__BASE_URL": base_url, "PENSION_ADVISOR__LLM__TIMEOUT_S": "2",
            "PENSION_ADVISOR__LLM__MAX_RETRIES": "1", "PENSION_ADVISOR__PRODUCTION_MONITORING__SAMPLING_RATE": "0"}


def test_unreachable_endpoint_is_degraded_told_recorded_and_logged_once(tmp_path, closed_port_url, caplog):
    advisor = Advisor(load_settings(env=model_env(tmp_path, closed_port_url)))
    with caplog.at_level(logging.INFO, logger="pension_advisor.llm.faults"):
        first = advisor.ask("AU-001", QUESTION)
        second = advisor.ask("UK-003", "When do I reach State Pension age?")
    for advice in (first, second):
        assert advice.status == "degraded"
        assert "could not be reached" in advice.answer and "only what our calculators worked out" in advice.answer
        assert DISCLAIMER in advice.answer and "follow up" not in advice.answer.lower()
        assert {f["kind"] for f in advice.state["model_faults"]} == {"unreachable"}
        assert {f["node"] for f in advice.state["model_faults"]} >= {"planner", "writer"}
    assert "- Preservation age: 58 years [1]" in first.answer  # the deterministic answer, framed and cited
    # Our own warnings (MLflow's exporter may warn about an earlier test's tracking store in the same process).
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and r.name.startswith("pension_advisor")]
    assert len(warnings) == 1 and "could not be reached" in warnings[0].getMessage()
    assert any(r.levelno == logging.INFO and "(again)" in r.getMessage() for r in caplog.records)


def test_rejected_key_is_degraded_and_the_log_never_shows_the_servers_message(tmp_path, rejecting_endpoint, caplog):
    advisor = Advisor(load_settings(env=model_env(tmp_path, rejecting_endpoint.base_url)))
    with caplog.at_level(logging.WARNING, logger="pension_advisor.llm.faults"):
        advice = advisor.ask("AU-001", QUESTION)
    assert advice.status == "degraded" and "refused our connection" in advice.answer
    fault = advice.state["model_faults"][-1]
    assert fault["node"] == "writer" and fault["kind"] == "key_rejected" and fault["detail"].endswith("(HTTP 401)")
    assert "sk-te" not in caplog.text and "HTTP 401" in caplog.text
    # A rejected key is not retried: one planner call and one writer call.
    assert sum(rejecting_endpoint.calls.values()) == 2


def test_a_working_endpoint_is_not_degraded(tmp_path):
    with MockOpenAI(delay_s=0.0) as mock:
        advice = Advisor(load_settings(env=model_env(tmp_path, mock.base_url))).ask("AU-001", QUESTION)
    assert advice.status == "answered" and not advice.state.get("model_faults")


def run_cli(args: list[str], env: dict) -> "object":
    # CliRunner runs the real command in this process; the settings come from the environment it sets.
    return CliRunner().invoke(app, args, env=env, catch_exceptions=False)


@pytest.mark.parametrize("endpoint", ["closed_port_url", "rejecting_endpoint"])
def test_ask_prints_the_answer_then_one_line_and_exits_3(tmp_path, request, endpoint):
    target = request.getfixturevalue(endpoint)
    url = target if isinstance(target, str) else target.base_url
    result = run_cli(["ask", "--member", "AU-001", QUESTION], model_env(tmp_path, url))
    assert result.exit_code == MODEL_UNAVAILABLE_EXIT == 3
    assert "Preservation age" in result.stdout and "status: degraded" in result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and url in errors[0] and "the answer above comes from the calculators only" in errors[0]
    assert ("could not be reached" if endpoint == "closed_port_url" else "refused our connection") in errors[0]
    assert "Traceback" not in result.stderr + result.stdout


def test_ask_json_still_prints_the_result_and_exits_3(tmp_path, closed_port_url):
    result = run_cli(["ask", "--member", "AU-001", QUESTION, "--json"], model_env(tmp_path, closed_port_url))
    assert result.exit_code == 3 and json.loads(result.stdout)["status"] == "degraded"


def test_demo_stops_at_the_first_degraded_answer_with_one_line(tmp_path, closed_port_url):
    result = run_cli(["demo"], model_env(tmp_path, closed_port_url))
    assert result.exit_code == 3
    assert result.stdout.count("could not be reached") == 1  # one question answered (degraded), then stopped
    assert len([line for line in result.stderr.splitlines() if line.startswith("error:")]) == 1


def test_ask_with_a_working_model_exits_0(tmp_path):
    with MockOpenAI(delay_s=0.0) as mock:
        result = run_cli(["ask", "--member", "AU-001", QUESTION], model_env(tmp_path, mock.base_url))
    assert result.exit_code == 0 and "status: answered" in result.stdout


def test_the_trace_records_the_degraded_status_and_the_fault(tmp_path, closed_port_url):
    store = f"sqlite:///{tmp_path}/mlflow.db"
    env = {**os.environ, **model_env(tmp_path, closed_port_url), "PENSION_ADVISOR__TRACING__ENABLED": "true",
           "PENSION_ADVISOR__TRACING__TRACKING_URI": store}
    done = subprocess.run([sys.executable, "-m", "pension_advisor", "ask", "--member", "AU-001", QUESTION, "--json"],
                          capture_output=True, text=True, env=env, timeout=180)
    assert done.returncode == 3, done.stderr
    assert len([line for line in done.stderr.splitlines() if line.startswith("WARNING")]) == 1
    import mlflow

    mlflow.set_tracking_uri(store)
    trace = mlflow.get_trace(json.loads(done.stdout)["trace_id"])
    assert trace.info.tags.get("pension_advisor.status") == "degraded"
    fallback = next(s for s in trace.data.spans if s.name == "fallback")
    assert fallback.attributes["pension_advisor.degraded"] == "unreachable"
    assert fallback.attributes["pension_advisor.degraded_by"] == "writer"
    assert "pension_advisor.model_fault" in next(s for s in trace.data.spans if s.name == "synthesize").attributes


def test_the_deterministic_scorers_read_a_degraded_answer_as_a_framed_one(tmp_path, closed_port_url):
    from pension_advisor.scorers.registry import DETERMINISTIC

    advice = Advisor(load_settings(env=model_env(tmp_path, closed_port_url))).ask("AU-001", QUESTION)
    assert advice.status == "degraded"
    inputs = {"question": advice.state["safe_question"], "member_id": "AU-001"}
    feedback = {name: s(inputs=inputs, outputs=advice.state) for name, s in DETERMINISTIC.items()}
    assert all(f.error is None for f in feedback.values()), {n: f.error for n, f in feedback.items()}
    compliance = feedback["country_compliance"]
    assert compliance.value == 1.0 and "disclaimer" in compliance.rationale  # checked as a framed answer


def test_a_slow_model_is_a_warning_not_a_failed_command(tmp_path):
    # A model that is too slow (the embedded default on a busy machine) degrades the answer and says so on one
    # warning line, but `ask` and `demo` exit 0: the setup is right, and the member got the verified answer.
    env = {**model_env(tmp_path, ""), "PENSION_ADVISOR__LLM__TIMEOUT_S": "0.3", "PENSION_ADVISOR__LLM__MAX_RETRIES": "0"}
    with MockOpenAI(delay_s=2.0) as mock:
        env["PENSION_ADVISOR__LLM__BASE_URL"] = mock.base_url
        result = run_cli(["ask", "--member", "AU-001", QUESTION], env)
    assert result.exit_code == 0 and "status: degraded" in result.stdout and "did not reply in time" in result.stdout
    # (The mock server's own thread may print a broken-pipe report into the captured stderr: count our lines only.)
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and warnings[0].startswith("warning: the model at ") and "did not reply in time" in warnings[0]
    assert not [line for line in result.stderr.splitlines() if line.startswith("error:")]

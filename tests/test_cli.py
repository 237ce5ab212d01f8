"""The CLI in-process with typer's CliRunner (one-line errors, exit codes, output), plus one real subprocess as a
user runs it: no traceback, the exit code reaches the shell."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from pension_advisor.cli import app


@pytest.fixture
def run(tmp_path, monkeypatch):
    env = {"PENSION_ADVISOR__MEMBERS__DB_PATH": str(tmp_path / "m.db"),
           "PENSION_ADVISOR__TRACING__ENABLED": "false", "PENSION_ADVISOR__LLM__PROVIDER": "none", "COLUMNS": "200"}

    def run(*args, extra_env=None):
        done = CliRunner().invoke(app, list(args), env={**env, **(extra_env or {})})
        return SimpleNamespace(returncode=done.exit_code, stdout=done.stdout, stderr=done.stderr,
                               exception=done.exception)
    return run


@pytest.fixture
def installed(tmp_path):
    """The CLI as a user runs it: a real process (tracing sets process-wide state, so it is not run in-process)."""
    env = {**os.environ, "PENSION_ADVISOR__MEMBERS__DB_PATH": str(tmp_path / "m.db"),
           "PENSION_ADVISOR__TRACING__ENABLED": "false", "PENSION_ADVISOR__LLM__PROVIDER": "none"}

    def run(*args, extra_env=None):
        return subprocess.run([sys.executable, "-m", "pension_advisor", *args], capture_output=True, text=True,
                              env={**env, **(extra_env or {})}, timeout=300)
    return run


@pytest.mark.parametrize("args, message", [
    (["ask", "--member", "AU-001", ""], "error: the question is empty"),
    (["ask", "--member", "AU-001", "x" * 4001], "error: the question is 4,001 characters; the limit is 4,000"),
    (["ask", "--member", "ZZ-001", "What is my preservation age?"], "error: unknown member 'ZZ-001'"),
    (["ask", "--member", "AU-001", "--country", "NZ", "pension?"],
     "error: Invalid value for '--country': 'NZ' is not one of"),
    (["ask", "--member", "AU-001", "--country", "UK", "pension?"], "error: member AU-001 is in AU, not UK"),
    (["ask", "--member", "AU-001", "--date", "26/11/2026", "pension?"],
     "error: Invalid value for '--date': '26/11/2026' does not match the formats '%Y-%m-%d'."),
    (["ask", "What is my preservation age?"], "error: Missing option '--member'"),
    (["rules", "--country", "FR"], "error: Invalid value for '--country': 'FR' is not one of"),
])
def test_bad_input_is_one_line_and_non_zero(run, args, message):
    done = run(*args)
    assert done.returncode == 2
    assert done.stderr.strip().startswith(message) and len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr + done.stdout


def test_malformed_config_is_one_line(run, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("judge:\n  max_retries: -1\n")
    done = run("ask", "--member", "AU-001", "pension?", "--config", str(bad))
    assert done.returncode == 2 and "judge.max_retries" in done.stderr and "Traceback" not in done.stderr


def test_ask_prints_answer_verdict_attempts_and_trace(run):
    done = run("ask", "--member", "UK-003", "When do I reach State Pension age?")
    assert done.returncode == 0, done.stderr
    assert "State Pension age" in done.stdout
    assert "status: answered | attempts: 1 | judge: pass (precheck) | trace: tracing off" in done.stdout


def test_ask_json_has_the_whole_result(run):
    done = run("ask", "--member", "IN-001", "How is my EPF contribution split?", "--json")
    result = json.loads(done.stdout)
    assert result["status"] == "answered" and result["attempts"] == 1
    assert result["state"]["tool_outcomes"][0]["tool"] == "in_epf_contribution"
    assert set(result) >= {"answer", "verdict", "trace_id", "member_id", "question"}


def test_trace_id_printed_when_tracing_on(installed, tmp_path):
    done = installed("ask", "--member", "AU-001", "What is my preservation age?", "--json",
               extra_env={"PENSION_ADVISOR__TRACING__ENABLED": "true",
                          "PENSION_ADVISOR__TRACING__TRACKING_URI": f"sqlite:///{tmp_path}/mlflow.db"})
    assert done.returncode == 0, done.stderr
    trace_id = json.loads(done.stdout)["trace_id"]
    assert trace_id and trace_id.startswith("tr-")
    import mlflow
    mlflow.set_tracking_uri(f"sqlite:///{tmp_path}/mlflow.db")
    trace = mlflow.get_trace(trace_id)
    names = {span.name for span in trace.data.spans}
    assert {"input_guardrail", "plan", "tools", "synthesize", "judge", "output_guardrail"} <= names


def test_as_installed_errors_are_one_line_and_reach_the_shell(installed):
    # The commands' behaviour is tested in-process above and in tests/tools/test_rules_cli.py; here: a real process.
    done = installed("rules", "--json")
    assert done.returncode == 0, done.stderr
    assert set(json.loads(done.stdout)) == {"AU", "US", "UK", "IN"}
    for args in (["rules", "--country", "FR"], ["ask", "--member", "ZZ-001", "What is my preservation age?"],
                 ["ask", "--member", "AU-001", "--date", "tomorrow", "pension?"]):
        bad = installed(*args)
        assert bad.returncode == 2 and "Traceback" not in bad.stderr + bad.stdout, args
        assert len(bad.stderr.strip().splitlines()) == 1 and bad.stderr.startswith("error: "), bad.stderr


def test_no_arguments_prints_help(run):
    done = run()
    assert done.returncode == 0 and "Usage" in done.stdout and "ask" in done.stdout

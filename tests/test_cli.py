"""The CLI as a user runs it: a real subprocess, one-line errors, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


@pytest.fixture
def run(tmp_path):
    env = {**os.environ, "PENSION_ADVISOR__MEMBERS__DB_PATH": str(tmp_path / "m.db"),
           "PENSION_ADVISOR__TRACING__ENABLED": "false", "PENSION_ADVISOR__LLM__PROVIDER": "none"}

    def run(*args, extra_env=None):
        return subprocess.run([sys.executable, "-m", "pension_advisor", *args], capture_output=True, text=True,
                              env={**env, **(extra_env or {})}, timeout=120)
    return run


@pytest.mark.parametrize("args, message", [
    (["ask", "--member", "AU-001", ""], "error: the question is empty"),
    (["ask", "--member", "AU-001", "x" * 4001], "error: the question is 4,001 characters; the limit is 4,000"),
    (["ask", "--member", "ZZ-001", "What is my preservation age?"], "error: unknown member 'ZZ-001'"),
    (["ask", "--member", "AU-001", "--country", "NZ", "pension?"], "error: unknown country 'NZ'"),
    (["ask", "--member", "AU-001", "--country", "UK", "pension?"], "error: member AU-001 is in AU, not UK"),
    (["ask", "--member", "AU-001", "--date", "26/11/2026", "pension?"], "error: --date must be YYYY-MM-DD"),
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


def test_trace_id_printed_when_tracing_on(run, tmp_path):
    done = run("ask", "--member", "AU-001", "What is my preservation age?", "--json",
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


def test_rules_lists_tax_years_and_sources(run):
    # The command's behaviour is tested in-process (tests/tools/test_rules_cli.py); here: it runs as installed.
    done = run("rules", "--json")
    assert done.returncode == 0, done.stderr
    assert set(json.loads(done.stdout)) == {"AU", "US", "UK", "IN"}
    text = run("rules", "--country", "UK", extra_env={"COLUMNS": "300"})
    assert text.returncode == 0 and "UK: 2025-26 (6 April 2025 to 5 April 2026)" in text.stdout and "legislation.gov.uk" in text.stdout
    bad = run("rules", "--country", "FR")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr

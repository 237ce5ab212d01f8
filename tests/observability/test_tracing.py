"""One question -> one trace in MLflow and the same trace, node names and GenAI attributes on the OTLP side."""

from __future__ import annotations

import json
import time

import pytest
from mlflow import MlflowClient

from pension_advisor.members.seed import synthetic_members

from .conftest import attributes, free_port

NODES = ["input_guardrail", "plan", "tools", "synthesize", "judge", "output_guardrail"]


def tracing_env(mlflow_url: str, otlp_url: str | None, **extra) -> dict:
    env = {"PENSION_ADVISOR__TRACING__ENABLED": "true", "PENSION_ADVISOR__TRACING__TRACKING_URI": mlflow_url,
           "PENSION_ADVISOR__TRACING__EXPERIMENT": "tracing-tests"}
    if otlp_url:
        env |= {"PENSION_ADVISOR__TRACING__OTLP__ENABLED": "true", "PENSION_ADVISOR__TRACING__OTLP__ENDPOINT": otlp_url}
    return env | extra


def ask(run_cli, env, member="UK-003", question="When do I reach State Pension age?", *extra_args):
    done = run_cli("ask", "--member", member, question, "--json", *extra_args, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def wait_for_trace(client: MlflowClient, trace_id: str, timeout: float = 60):
    """The trace once it is complete in the store: spans reach it first, then the trace info with the run's tags
    (a CLI whose flush timed out on a loaded machine exits and leaves the rest to the trace writer)."""
    deadline = time.time() + timeout
    while True:
        try:
            trace = client.get_trace(trace_id)
            if any(s.name == "pension_advisor" for s in trace.data.spans) and \
                    "pension_advisor.status" in trace.info.tags:
                return trace
        except Exception:
            if time.time() > deadline:
                raise
        if time.time() > deadline:
            raise AssertionError(f"{trace_id} has no root span after {timeout} s")
        time.sleep(0.5)


@pytest.mark.slow
def test_one_trace_with_span_tree_in_mlflow_and_otlp(mlflow_server, otlp_receiver, run_cli):
    advice = ask(run_cli, tracing_env(mlflow_server, otlp_receiver.url, PENSION_ADVISOR__LLM__PROVIDER="embedded",
                                      PENSION_ADVISOR__JUDGE__MAX_RETRIES="1"))
    trace = wait_for_trace(MlflowClient(mlflow_server), advice["trace_id"])
    spans = trace.data.spans
    by_id = {s.span_id: s for s in spans}
    root = [s for s in spans if s.parent_id is None]
    assert len(root) == 1 and root[0].name == "pension_advisor" and root[0].span_type == "AGENT"
    children = {s.name for s in spans if s.parent_id == root[0].span_id}
    assert set(NODES) <= children
    # Branch decisions are hidden (graph/routes.py): routing shows in the node sequence.
    assert not {s.name for s in spans} & {"after_input_guardrail", "after_plan", "after_synthesize", "after_judge"}
    tool = next(s for s in spans if s.name == "execute_tool uk_state_pension_age")
    assert tool.span_type == "TOOL" and by_id[tool.parent_id].name == "tools"
    assert tool.outputs["citations"] and tool.attributes["citations"][0].startswith("https://")
    verdicts = [s for s in spans if s.name.startswith("judge_verdict attempt")]
    assert len(verdicts) == advice["attempts"] and all(by_id[v.parent_id].name == "judge" for v in verdicts)
    guards = [s for s in spans if s.span_type == "GUARDRAIL"]
    assert {by_id[g.parent_id].name for g in guards} == {"input_guardrail", "output_guardrail"}
    assert any(g.name == "guardrail:input.rules" for g in guards)
    assert all(e.name == "gen_ai.guardrail.result" for g in guards for e in g.events)
    # Token usage on every chat call that returned (a call that timed out on a loaded machine has none to report).
    chats = [s for s in spans if s.span_type == "CHAT_MODEL" and s.status.status_code == "OK"]
    assert chats and all(s.attributes["gen_ai.usage.output_tokens"] > 0 for s in chats)
    tags = trace.info.tags
    assert tags["pension_advisor.attempts"] == str(advice["attempts"])
    assert tags["pension_advisor.country"] == "UK" and tags["pension_advisor.status"] == advice["status"]
    assert tags["pension_advisor.member"].startswith("member-") and tags["pension_advisor.guardrail"] == "allowed"
    assert int(tags["pension_advisor.output_tokens"]) > 0 and tags["pension_advisor.cost_currency"] == "USD"
    if advice["attempts"] > 1:
        retry = next(s for s in spans if s.name == "retry")
        assert retry.attributes["retry.reason"]

    # The same trace, with node names and GenAI attributes, reached the OTLP collector.
    otel_hex = advice["trace_id"].removeprefix("tr-")
    otlp = otlp_receiver.spans_of(otel_hex, at_least=len(spans))
    assert {s.name for s in otlp} == {s.name for s in spans}
    otlp_root = next(s for s in otlp if s.name == "pension_advisor")
    assert attributes(otlp_root)["gen_ai.operation.name"] == "invoke_agent"
    otlp_tool = next(s for s in otlp if s.name.startswith("execute_tool"))
    assert attributes(otlp_tool)["gen_ai.operation.name"] == "execute_tool"
    assert attributes(otlp_tool)["gen_ai.tool.name"] == "uk_state_pension_age"
    otlp_chat = next(s for s in otlp if attributes(s).get("gen_ai.operation.name") == "chat"
                     and s.status.code != 2)  # STATUS_CODE_ERROR: a call that timed out reports no usage
    assert attributes(otlp_chat)["gen_ai.request.model"] and attributes(otlp_chat)["gen_ai.usage.input_tokens"] > 0
    assert any(attributes(s).get("langgraph.node") == "plan" for s in otlp)
    otlp_guard = next(s for s in otlp if s.name == "guardrail:input.rules")
    assert attributes(otlp_guard)["gen_ai.operation.name"] == "apply_guardrail"
    assert [e.name for e in otlp_guard.events] == ["gen_ai.guardrail.result"]


def test_caller_traceparent_makes_the_run_a_child(mlflow_server, otlp_receiver, run_cli):
    caller_trace, caller_span = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
    advice = ask(run_cli, tracing_env(mlflow_server, otlp_receiver.url), "UK-003", "When do I reach State Pension age?",
                 "--traceparent", f"00-{caller_trace}-{caller_span}-01")
    assert advice["trace_id"] == f"tr-{caller_trace}"
    otlp = otlp_receiver.spans_of(caller_trace, at_least=6)
    root = next(s for s in otlp if s.name == "pension_advisor")
    assert root.parent_span_id.hex() == caller_span
    # MLflow holds the same trace, its root hanging under the caller's span.
    stored = wait_for_trace(MlflowClient(mlflow_server), f"tr-{caller_trace}")
    assert next(s for s in stored.data.spans if s.name == "pension_advisor").parent_id == caller_span


def test_bad_traceparent_is_a_one_line_error(run_cli):
    done = run_cli("ask", "--member", "UK-003", "State Pension age?", "--traceparent", "not-a-trace")
    assert done.returncode == 2 and "is not a W3C trace context" in done.stderr and "Traceback" not in done.stderr


UK_001 = next(m for m in synthetic_members() if m.member_id == "UK-001")  # the seeded record the CLI uses
PII_QUESTION = (f"I'm {UK_001.name}, born {UK_001.date_of_birth.isoformat()}, email amelia@example.com, "
                "member UK-001. When is my State Pension age?")


def test_pii_is_redacted_in_both_sinks(mlflow_server, otlp_receiver, run_cli):
    advice = ask(run_cli, tracing_env(mlflow_server, otlp_receiver.url), "UK-001", PII_QUESTION)
    secrets = [*UK_001.name.split(), UK_001.date_of_birth.isoformat(), "amelia@example.com", "UK-001"]
    trace = wait_for_trace(MlflowClient(mlflow_server), advice["trace_id"])
    mlflow_text = trace.to_json()
    otlp_text = " ".join(str(s) for s in otlp_receiver.spans_of(advice["trace_id"].removeprefix("tr-"), at_least=6))
    for secret in secrets:
        assert secret not in mlflow_text, f"{secret} leaked into MLflow"
        assert secret not in otlp_text, f"{secret} leaked over OTLP"
    assert "<REDACTED>" in mlflow_text and "<EMAIL>" in mlflow_text


def test_capture_off_keeps_structure_without_payloads(mlflow_server, run_cli):
    advice = ask(run_cli, tracing_env(mlflow_server, None, PENSION_ADVISOR__TRACING__CAPTURE_INPUTS="false",
                                      PENSION_ADVISOR__TRACING__CAPTURE_OUTPUTS="false"), "UK-001", PII_QUESTION)
    trace = wait_for_trace(MlflowClient(mlflow_server), advice["trace_id"])
    assert {s.name for s in trace.data.spans} >= set(NODES)
    assert all(s.inputs is None and s.outputs is None for s in trace.data.spans)
    assert "State Pension" not in trace.to_json()


def test_dead_sinks_leave_answers_unaffected(run_cli):
    dead = f"http://127.0.0.1:{free_port()}"
    start = time.monotonic()
    advice = ask(run_cli, tracing_env(dead, f"{dead}/v1/traces", PENSION_ADVISOR__TRACING__FLUSH_TIMEOUT_S="2"))
    elapsed = time.monotonic() - start
    assert advice["status"] == "answered" and "State Pension age" in advice["answer"]
    assert elapsed < 60, f"a dead sink held the CLI for {elapsed:.0f}s"


def test_dead_collector_only(mlflow_server, run_cli):
    dead = f"http://127.0.0.1:{free_port()}/v1/traces"
    advice = ask(run_cli, tracing_env(mlflow_server, dead, PENSION_ADVISOR__TRACING__FLUSH_TIMEOUT_S="2"))
    assert advice["status"] == "answered"
    trace = wait_for_trace(MlflowClient(mlflow_server), advice["trace_id"])
    assert {s.name for s in trace.data.spans} >= set(NODES)


def test_sigterm_flushes_queued_spans(mlflow_server, otlp_receiver, tmp_path):
    """Spans still queued (a 60 s export delay) when SIGTERM arrives are flushed before the process exits."""
    import os
    import signal
    import subprocess
    import sys

    script = ("import time\nfrom pension_advisor.advisor import Advisor\n"
              "advice = Advisor().ask('UK-003', 'When do I reach State Pension age?')\n"
              "print(advice.trace_id, flush=True)\ntime.sleep(120)\n")
    env = {**os.environ, **tracing_env(mlflow_server, otlp_receiver.url), "OTEL_BSP_SCHEDULE_DELAY": "60000",
           "PENSION_ADVISOR__MEMBERS__DB_PATH": str(tmp_path / "m.db"), "PENSION_ADVISOR__LLM__PROVIDER": "none"}
    proc = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    trace_id = proc.stdout.readline().strip()
    assert trace_id.startswith("tr-"), proc.stderr.read()[-2000:]
    time.sleep(1)
    assert otlp_receiver.spans_of(trace_id.removeprefix("tr-"), wait_s=1) == []  # still queued
    proc.send_signal(signal.SIGTERM)
    proc.wait(30)
    assert len(otlp_receiver.spans_of(trace_id.removeprefix("tr-"), wait_s=10, at_least=6)) >= 6
    assert wait_for_trace(MlflowClient(mlflow_server), trace_id).info.tags["pension_advisor.status"] == "answered"

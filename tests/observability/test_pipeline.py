"""Traces through MLflow's own export pipeline, configured on its public extension points: node deltas, guardrail
verdicts, run tags, failing nodes as error spans, and PII masked in every span (graph run or not)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from mlflow import MlflowClient

from pension_advisor.members.model import pseudonymise
from pension_advisor.members.seed import synthetic_members

ROOT = Path(__file__).resolve().parents[2]
UK_001 = next(m for m in synthetic_members() if m.member_id == "UK-001")
PII_QUESTION = (f"I'm {UK_001.name}, born {UK_001.date_of_birth.isoformat()}, email amelia@example.com, "
                "member UK-001. When is my State Pension age?")
SECRETS = [*UK_001.name.split(), UK_001.date_of_birth.isoformat(), "amelia@example.com", "UK-001"]

# Runs in a child process (tracing is process-wide): an Advisor on a scripted model, then the given steps.
SCRIPT = r"""
import json, os, signal, sys, time
from tests.fakes import ScriptedChatModel, good_writer
from pension_advisor.advisor import Advisor
from pension_advisor.config import load_settings
from pension_advisor.services import Services
from pension_advisor.observability.tracing import flush

PASS = '{"passed": true, "confidence": 0.9, "violations": [], "feedback": ""}'
fake = ScriptedChatModel(script={"writer": [good_writer], "reviewer": [PASS]})
settings = load_settings()
advisor = Advisor(settings, Services(settings, model_factory=lambda: fake))
question = sys.argv[2]
out = {"ids": [], "times": []}

def ask():
    start = time.perf_counter()
    out["ids"].append(advisor.ask("UK-001", question).trace_id)
    out["times"].append(time.perf_counter() - start)

for step in sys.argv[1].split(","):
    if step == "ask":
        ask()
    elif step == "no-otel-span":  # as if an MLflow release had moved LiveSpan._span (compat.otel_span)
        import pension_advisor.observability.processor as processor
        processor.otel_span = lambda span: None
    elif step == "flush":
        start = time.perf_counter()
        out.setdefault("flushed", []).append([flush(float(os.environ.get("FLUSH_S", "60"))), time.perf_counter() - start])
print(json.dumps(out), flush=True)
"""


def run_script(tmp_path: Path, steps: str, question: str = PII_QUESTION, **env: str) -> dict:
    base = {**os.environ, "PYTHONPATH": str(ROOT), "PENSION_ADVISOR__MEMBERS__DB_PATH": str(tmp_path / "m.db"),
            "PENSION_ADVISOR_PSEUDONYM_SALT": "test-salt", "PENSION_ADVISOR__TRACING__ENABLED": "true",
            "PENSION_ADVISOR__TRACING__TRACKING_URI": f"sqlite:///{tmp_path}/mlflow.db",
            "PENSION_ADVISOR__LLM__PROVIDER": "openai_compatible", "PENSION_ADVISOR__LLM__BASE_URL": "http://127.0.0.1:9/v1",
            # Sampling follows the trace id: a run sampled in one pipeline and not the other has another shape.
            "PENSION_ADVISOR__PRODUCTION_MONITORING__SAMPLING_RATE": "0"}
    for key in [k for k in base if k.startswith("OTEL_")]:
        base.pop(key)
    done = subprocess.run([sys.executable, "-c", SCRIPT, steps, question], env={**base, **env}, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def traces(tmp_path: Path, ids: list[str], wait_s: float = 60) -> list:
    client = MlflowClient(f"sqlite:///{tmp_path}/mlflow.db")
    deadline, found = time.time() + wait_s, {}
    while len(found) < len(ids):
        for trace_id in ids:
            if trace_id not in found:
                try:
                    trace = client.get_trace(trace_id)
                except Exception:
                    continue
                if any(s.parent_id is None for s in trace.data.spans):  # the root span is stored last
                    found[trace_id] = trace
        if len(found) < len(ids):
            assert time.time() < deadline, f"only {len(found)} of {len(ids)} traces reached the store"
            time.sleep(0.5)
    return [found[i] for i in ids]


def assert_redacted(trace) -> None:
    text = trace.to_json()
    for secret in SECRETS:
        assert secret not in text, f"{secret} leaked into MLflow"
    assert "<REDACTED>" in text and "<EMAIL>" in text


def test_one_question_is_one_masked_trace_with_node_deltas(tmp_path):
    out = run_script(tmp_path, "ask,flush")
    assert out["flushed"][0][0]
    [trace] = traces(tmp_path, out["ids"])
    assert_redacted(trace)
    assert trace.info.state.value == "OK" and trace.info.tags["pension_advisor.status"] == "answered"
    spans = {s.name: s for s in trace.data.spans}
    # Node spans carry what changed: the node's update, and the fields changed since the previous node.
    assert list(spans["synthesize"].inputs) == ["tool_outcomes", "evidence"]
    assert spans["synthesize"].attributes["langgraph.node"] == "synthesize"
    assert set(spans["pension_advisor"].outputs) == {"status", "final_answer", "attempts", "final_verdict"}
    assert spans["pension_advisor"].span_type == "AGENT"
    guard = spans["guardrail:input.rules"]
    assert guard.span_type == "GUARDRAIL" and guard.outputs["allowed"] is True
    assert guard.attributes["gen_ai.operation.name"] == "apply_guardrail"
    assert [e.name for e in guard.events] == ["gen_ai.guardrail.result"]
    assert guard.events[0].attributes["gen_ai.guardrail.name"] == "input.rules"
    # The scripted model's calls: chat spans under the node that made them, messages in, reply out
    # (token usage on chat spans: test_tracing.py, with a real model).
    by_id = {s.span_id: s for s in trace.data.spans}
    chats = [s for s in trace.data.spans if s.span_type == "CHAT_MODEL"]
    assert {by_id[s.parent_id].name for s in chats} == {"plan", "synthesize", "judge"}
    replies = {by_id[s.parent_id].name: s.outputs["choices"][0]["message"] for s in chats}
    assert all(s.inputs["messages"][0]["role"] == "system" for s in chats)
    assert replies["synthesize"]["content"] and replies["judge"]["content"].startswith('{"passed": true')


# A graph named like the advisor's, whose second node fails after the first opened an explicit span.
FAILING_GRAPH = r"""
import json, sys
from typing import TypedDict
import mlflow
from langgraph.graph import END, START, StateGraph
from pension_advisor.advisor import Advisor
from pension_advisor.observability.spans import GRAPH_NAME, span
from pension_advisor.observability.tracing import flush

Advisor()  # tracing set up as the advisor sets it up

class State(TypedDict):
    x: int

def fine(state):
    with span("execute_tool lookup", "TOOL", inputs={"x": state["x"]}) as s:
        s.set_outputs({"y": 2})
    return {"x": 1}

def boom(state):
    raise ValueError("boom in the node")

builder = StateGraph(State)
builder.add_node("fine", fine)
builder.add_node("boom", boom)
builder.add_edge(START, "fine")
builder.add_edge("fine", "boom")
builder.add_edge("boom", END)
try:
    builder.compile(name=GRAPH_NAME).invoke({"x": 0})
except ValueError:
    pass
print(json.dumps({"ids": [mlflow.get_last_active_trace_id()], "flushed": flush(60)}))
"""


def test_a_failing_node_is_an_error_span_and_its_spans_stay_under_it(tmp_path):
    """A node that raises ends as MLflow ends a span on an exception: ERROR status, an exception event, under the
    root; a span opened inside a node stays under that node; the trace is an ERROR trace."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PENSION_ADVISOR__MEMBERS__DB_PATH": str(tmp_path / "m.db"),
           "PENSION_ADVISOR_PSEUDONYM_SALT": "test-salt", "PENSION_ADVISOR__LLM__PROVIDER": "none",
           "PENSION_ADVISOR__TRACING__TRACKING_URI": f"sqlite:///{tmp_path}/mlflow.db"}
    done = subprocess.run([sys.executable, "-c", FAILING_GRAPH], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    [trace] = traces(tmp_path, out["ids"])
    spans = {s.name: s for s in trace.data.spans}
    by_id = {s.span_id: s for s in trace.data.spans}
    boom = spans["boom"]
    assert boom.status.status_code == "ERROR" and "boom in the node" in boom.status.description
    assert [e.name for e in boom.events] == ["exception"]
    assert boom.events[0].attributes["exception.type"] == "ValueError"
    assert by_id[boom.parent_id].name == "pension_advisor"
    assert by_id[spans["execute_tool lookup"].parent_id].name == "fine"
    assert spans["execute_tool lookup"].outputs == {"y": 2} and spans["fine"].status.status_code == "OK"
    assert spans["pension_advisor"].status.status_code == "ERROR" and trace.info.state.value == "ERROR"


def test_traces_outside_a_graph_run_are_masked_too(tmp_path):
    """An @mlflow.trace span (no graph run, so no run facts): member from its inputs, every registered question."""
    script = (
        "import mlflow, json\n"
        "from pension_advisor.advisor import Advisor\n"
        "from pension_advisor.observability.tracing import flush\n"
        "Advisor()\n"
        "@mlflow.trace\n"
        "def lookup(member_id, note):\n"
        "    return {'echo': note}\n"
        f"lookup('UK-001', {PII_QUESTION!r})\n"
        "print(json.dumps({'id': mlflow.get_last_active_trace_id(), 'flushed': flush(60)}))\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PENSION_ADVISOR__MEMBERS__DB_PATH": str(tmp_path / "m.db"),
           "PENSION_ADVISOR_PSEUDONYM_SALT": "test-salt", "PENSION_ADVISOR__LLM__PROVIDER": "none",
           "PENSION_ADVISOR__TRACING__TRACKING_URI": f"sqlite:///{tmp_path}/mlflow.db"}
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    [trace] = traces(tmp_path, [out["id"]])
    text = trace.to_json()
    for secret in SECRETS:
        assert secret not in text, f"{secret} leaked into MLflow"
    assert pseudonymise("UK-001", "test-salt") in text


def test_redaction_off_is_honoured(tmp_path):
    out = run_script(tmp_path, "ask,flush", PENSION_ADVISOR__TRACING__REDACT_PII="false")
    [trace] = traces(tmp_path, out["ids"])
    assert "amelia@example.com" in trace.to_json()

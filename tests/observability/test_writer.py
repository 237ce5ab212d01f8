"""The trace writer: same traces as MLflow's in-process pipeline, never in a question's way, nothing lost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from mlflow import MlflowClient

from pension_advisor.members.model import pseudonymise
from pension_advisor.members.seed import synthetic_members
from pension_advisor.observability.redact import pseudonymise as writer_pseudonymise

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
from pension_advisor.observability import export
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

def child():
    writer = export.writer_for(settings.tracing.tracking_uri)
    return writer._proc.pid

for step in sys.argv[1].split(","):
    if step == "ask":
        ask()
    elif step == "flush":
        start = time.perf_counter()
        out.setdefault("flushed", []).append([flush(float(os.environ.get("FLUSH_S", "60"))), time.perf_counter() - start])
    elif step == "spy":  # record what is handed over as plain data instead of MLflow spans
        real_defer = export.defer
        out["plain"] = []
        export.defer = lambda trace_id, record: (out["plain"].append(record["name"]), real_defer(trace_id, record))
    elif step in ("stop", "cont", "kill"):
        os.kill(child(), {"stop": signal.SIGSTOP, "cont": signal.SIGCONT, "kill": signal.SIGKILL}[step])
        time.sleep(0.5)
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


def shape(trace) -> Counter:
    """What must not depend on the pipeline: names, types, parents, attribute keys, events, payload keys, status
    and log level."""
    by_id = {s.span_id: s for s in trace.data.spans}

    def keys(value):
        return tuple(sorted(value)) if isinstance(value, dict) else type(value).__name__

    return Counter(
        (s.name, s.span_type, by_id[s.parent_id].name if s.parent_id else None, tuple(sorted(s.attributes)),
         tuple(e.name for e in s.events), keys(s.inputs), keys(s.outputs), s.status.status_code,
         s.attributes.get("mlflow.spanLogLevel"))
        for s in trace.data.spans)


def assert_redacted(trace) -> None:
    text = trace.to_json()
    for secret in SECRETS:
        assert secret not in text, f"{secret} leaked into MLflow"
    assert "<REDACTED>" in text and "<EMAIL>" in text


def test_writer_pseudonyms_match_the_member_model():
    assert writer_pseudonymise("UK-001", "salt") == pseudonymise("UK-001", "salt")


def test_writer_and_in_process_pipelines_store_the_same_trace(tmp_path):
    via_writer = run_script(tmp_path / "w", "ask,flush")
    in_process = run_script(tmp_path / "p", "ask,flush", PENSION_ADVISOR__TRACING__WRITER_PROCESS="false")
    assert via_writer["flushed"][0][0] and in_process["flushed"][0][0]
    [written] = traces(tmp_path / "w", via_writer["ids"])
    [reference] = traces(tmp_path / "p", in_process["ids"])
    assert shape(written) == shape(reference)
    assert {k: v for k, v in written.info.tags.items() if k.startswith("pension_advisor.")} == \
        {k: v for k, v in reference.info.tags.items() if k.startswith("pension_advisor.")}
    for trace in (written, reference):
        assert_redacted(trace)
        spans = {s.name: s for s in trace.data.spans}
        # Node spans carry what changed: the node's update, and the fields changed since the previous node.
        assert list(spans["synthesize"].inputs) == ["tool_outcomes", "evidence"]
        assert spans["synthesize"].attributes["langgraph.node"] == "synthesize"
        assert set(spans["pension_advisor"].outputs) == {"status", "final_answer", "attempts", "final_verdict"}
        guard = spans["guardrail:input.rules"]
        assert guard.span_type == "GUARDRAIL" and guard.outputs["allowed"] is True
        assert guard.attributes["gen_ai.operation.name"] == "apply_guardrail"
        assert [e.name for e in guard.events] == ["gen_ai.guardrail.result"]
        assert guard.events[0].attributes["gen_ai.guardrail.name"] == "input.rules"


# A graph named like the advisor's, whose second node fails after the first opened an explicit span.
FAILING_GRAPH = r"""
import json, sys, threading
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
        s.set_outputs({"y": 2, "handle": threading.Lock()})  # cannot be pickled: sent JSON-encoded instead
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


def test_through_the_writer_only_the_root_is_an_mlflow_span_on_the_request_thread(tmp_path):
    """Nodes, chat model calls, tool and judge spans and guardrail verdicts are plain data the writer builds."""
    out = run_script(tmp_path, "spy,ask,flush")
    [trace] = traces(tmp_path, out["ids"])
    stored = sorted(s.name for s in trace.data.spans if s.parent_id is not None)
    assert stored == sorted(out["plain"])
    assert {"plan", "synthesize", "judge", "sample", "execute_tool uk_state_pension_age"} <= set(out["plain"])
    assert any(name.startswith("judge_verdict attempt") for name in out["plain"])


def test_a_failing_node_is_the_same_error_span_in_both_pipelines(tmp_path):
    """Nodes recorded as plain data for the writer end like MLflow's spans when they raise: ERROR status, an
    exception event, the error log level, under the root; spans opened inside them stay under them, and a
    payload that cannot be pickled for the writer still arrives, encoded as MLflow encodes it."""
    found = {}
    for pipeline, writer_process in (("writer", "true"), ("in_process", "false")):
        where = tmp_path / pipeline
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PENSION_ADVISOR__MEMBERS__DB_PATH": str(where / "m.db"),
               "PENSION_ADVISOR_PSEUDONYM_SALT": "test-salt", "PENSION_ADVISOR__LLM__PROVIDER": "none",
               "PENSION_ADVISOR__TRACING__TRACKING_URI": f"sqlite:///{where}/mlflow.db",
               "PENSION_ADVISOR__TRACING__WRITER_PROCESS": writer_process}
        done = subprocess.run([sys.executable, "-c", FAILING_GRAPH], env=env, cwd=ROOT, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        out = json.loads(done.stdout.strip().splitlines()[-1])
        [found[pipeline]] = traces(where, out["ids"])
    assert shape(found["writer"]) == shape(found["in_process"])
    spans = {s.name: s for s in found["writer"].data.spans}
    by_id = {s.span_id: s for s in found["writer"].data.spans}
    boom = spans["boom"]
    assert boom.status.status_code == "ERROR" and "boom in the node" in boom.status.description
    assert [e.name for e in boom.events] == ["exception"]
    assert boom.events[0].attributes["exception.type"] == "ValueError"
    assert by_id[boom.parent_id].name == "pension_advisor"
    assert by_id[spans["execute_tool lookup"].parent_id].name == "fine"
    outputs = spans["execute_tool lookup"].outputs
    assert outputs["y"] == 2 and "lock" in outputs["handle"] and spans["fine"].status.status_code == "OK"


def test_a_stalled_writer_never_holds_a_question_and_nothing_is_lost_at_exit(tmp_path):
    """The writer process frozen (SIGSTOP): questions take as long as before, a flush gives up after its
    timeout, and the process exits; once the writer runs again it writes every trace."""
    out = run_script(tmp_path, "ask,ask,flush,stop,ask,ask,ask,flush,cont", FLUSH_S="1",
                     PENSION_ADVISOR__TRACING__FLUSH_TIMEOUT_S="0.5")
    before, stalled = out["times"][1], out["times"][2:]
    assert max(stalled) < 3 * before + 0.5, (before, stalled)
    assert out["flushed"][0][0] is True
    gave_up, waited = out["flushed"][1]
    assert gave_up is False and waited < 5
    for trace in traces(tmp_path, out["ids"]):
        assert trace.info.tags["pension_advisor.status"] == "answered"
        assert_redacted(trace)


def test_a_dead_writer_hands_its_traces_back_to_the_process(tmp_path):
    out = run_script(tmp_path, "ask,flush,kill,ask,ask,flush")
    assert out["flushed"][1][0] is True
    for trace in traces(tmp_path, out["ids"], wait_s=5):
        assert len(trace.data.spans) > 15 and trace.info.tags["pension_advisor.attempts"] == "1"
        assert_redacted(trace)


@pytest.mark.parametrize("writer_process", ["true", "false"])
def test_traces_outside_a_graph_run_are_masked_too(tmp_path, writer_process):
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
           "PENSION_ADVISOR__TRACING__TRACKING_URI": f"sqlite:///{tmp_path}/mlflow.db",
           "PENSION_ADVISOR__TRACING__WRITER_PROCESS": writer_process}
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    [trace] = traces(tmp_path, [out["id"]])
    text = trace.to_json()
    for secret in SECRETS:
        assert secret not in text, f"{secret} leaked into MLflow"
    assert pseudonymise("UK-001", "test-salt") in text


def test_redaction_off_is_honoured_by_the_writer(tmp_path):
    out = run_script(tmp_path, "ask,flush", PENSION_ADVISOR__TRACING__REDACT_PII="false")
    [trace] = traces(tmp_path, out["ids"])
    assert "amelia@example.com" in trace.to_json()


def test_one_writer_per_process_across_tracking_uris(tmp_path):
    """Tracing re-configured to another store (tests, scripts) retires the previous writer instead of keeping it."""
    script = (
        "import json, os, time\n"
        "from pathlib import Path\n"
        "from pension_advisor.advisor import Advisor\n"
        "from pension_advisor.config import load_settings\n"
        "from pension_advisor.observability import export\n"
        "from pension_advisor.observability.tracing import flush\n"
        "pids = []\n"
        "for name in ('a', 'b', 'c'):\n"
        f"    uri = 'sqlite:///{tmp_path}/' + name + '.db'\n"
        "    advisor = Advisor(load_settings(env={**os.environ, 'PENSION_ADVISOR__TRACING__TRACKING_URI': uri}))\n"
        "    advisor.ask('AU-001', 'What is my preservation age?')\n"
        "    flush(60)\n"
        "    pids.append(export.writer_for(uri)._proc.pid)\n"
        "alive = lambda pid: Path(f'/proc/{pid}').exists() and 'zombie' not in Path(f'/proc/{pid}/status').read_text()\n"
        "deadline = time.time() + 30\n"
        "while any(alive(p) for p in pids[:2]) and time.time() < deadline:\n"
        "    time.sleep(0.2)\n"
        "print(json.dumps({'pids': pids, 'mine': len(export._mine()), 'retired_gone': not any(map(alive, pids[:2])),\n"
        "                  'current_alive': alive(pids[2])}))\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PENSION_ADVISOR__MEMBERS__DB_PATH": str(tmp_path / "m.db"),
           "PENSION_ADVISOR_PSEUDONYM_SALT": "test-salt", "PENSION_ADVISOR__LLM__PROVIDER": "none"}
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["mine"] == 1 and len(set(out["pids"])) == 3
    assert out["retired_gone"] and out["current_alive"]
    for name in ("a", "b", "c"):  # each store got its question's trace
        client = MlflowClient(f"sqlite:///{tmp_path}/{name}.db")
        assert client.search_traces(locations=[client.get_experiment_by_name("pension-advisor").experiment_id])

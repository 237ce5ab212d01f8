"""A run under a caller's traceparent is a complete trace in MLflow, and ask returns that run's own trace id;
GenAI attributes a node sets are plain strings on OTLP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from mlflow import MlflowClient

from .conftest import attributes

ROOT = Path(__file__).resolve().parents[2]
CALLER_TRACE, CALLER_SPAN = "5cf92f3577b34da6a3ce929d0e0e4799", "10f067aa0ba902b8"

# A question without a caller's context first: the second one's id must not be the first one's.
SCRIPT = r"""
import json, sys
from pension_advisor.advisor import Advisor
from pension_advisor.observability.tracing import flush
advisor = Advisor()
first = advisor.ask("UK-003", "When do I reach State Pension age?").trace_id
second = advisor.ask("UK-003", "When do I reach State Pension age?", traceparent=sys.argv[1]).trace_id
print(json.dumps({"first": first, "second": second, "flushed": flush(60)}))
"""


def test_a_run_under_a_callers_traceparent_is_complete_and_its_id_returned(tmp_path, otlp_receiver):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PENSION_ADVISOR__MEMBERS__DB_PATH": str(tmp_path / "m.db"),
           "PENSION_ADVISOR_PSEUDONYM_SALT": "test-salt", "PENSION_ADVISOR__LLM__PROVIDER": "none",
           "PENSION_ADVISOR__TRACING__ENABLED": "true",
           "PENSION_ADVISOR__TRACING__TRACKING_URI": f"sqlite:///{tmp_path}/mlflow.db",
           "PENSION_ADVISOR__TRACING__OTLP__ENABLED": "true",
           "PENSION_ADVISOR__TRACING__OTLP__ENDPOINT": otlp_receiver.url,
           "PENSION_ADVISOR__PRODUCTION_MONITORING__SAMPLING_RATE": "0", "OTEL_BSP_SCHEDULE_DELAY": "200"}
    done = subprocess.run([sys.executable, "-c", SCRIPT, f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["first"] and out["first"] != out["second"]
    assert out["second"] == f"tr-{CALLER_TRACE}"

    client = MlflowClient(f"sqlite:///{tmp_path}/mlflow.db")
    deadline = time.time() + 120
    while True:
        try:
            trace = client.get_trace(out["second"])
            if any(s.name == "pension_advisor" for s in trace.data.spans) and trace.info.state.value != "IN_PROGRESS":
                break
        except Exception:
            pass
        assert time.time() < deadline, "the traceparent run never became a complete trace in MLflow"
        time.sleep(0.5)
    info = trace.info
    assert info.state.value == "OK"
    assert info.request_preview and info.response_preview
    assert info.tags["pension_advisor.status"] == "answered" and info.tags["pension_advisor.country"] == "UK"
    assert info.tags["pension_advisor.member"].startswith("member-")
    root = next(s for s in trace.data.spans if s.name == "pension_advisor")
    assert root.parent_id == CALLER_SPAN

    # On OTLP: the tool span's call source is the plain string, not its JSON encoding.
    spans = otlp_receiver.spans_of(CALLER_TRACE, wait_s=30, at_least=6)
    tool = next(s for s in spans if s.name.startswith("execute_tool "))
    assert attributes(tool)["gen_ai.tool.call.source"] == "planner"

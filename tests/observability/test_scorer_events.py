"""Scorer feedback joins the trace it scores: five assessments on the MLflow trace, and on OTLP one
`evaluate <scorer>` span per scorer under the run's root span - for a run of its own and for a run that joined a
caller's W3C trace (whose root hangs under the caller's span)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from mlflow import MlflowClient

from .conftest import attributes

ROOT = Path(__file__).resolve().parents[2]
CALLER_TRACE, CALLER_SPAN = "6af92f3577b34da6a3ce929d0e0e4711", "20f067aa0ba902c9"
SCORERS = {"relevance", "faithfulness", "toxicity", "country_compliance", "citation_quality"}

# Asks twice (the second under a caller's traceparent), then waits for the in-process worker to score both.
SCRIPT = r"""
import json, sys, time
from mlflow import MlflowClient
from pension_advisor.advisor import Advisor
from pension_advisor.observability.tracing import flush
advisor = Advisor()
ids = [advisor.ask("UK-003", "When do I reach State Pension age?").trace_id,
       advisor.ask("AU-001", "What is my preservation age?", traceparent=sys.argv[1]).trace_id]
flush(60)
client = MlflowClient(advisor.settings.tracing.tracking_uri)
deadline = time.time() + 240
while time.time() < deadline:
    try:
        scored = [len(client.get_trace(t).info.assessments) for t in ids]
    except Exception:
        scored = [0, 0]
    if min(scored) >= 5:
        break
    time.sleep(1)
time.sleep(2)  # the worker's evaluation events leave with its span exporter at exit
print(json.dumps({"ids": ids, "scored": scored}))
"""


def test_scorer_events_hang_under_the_root_span_of_the_run_they_score(tmp_path, otlp_receiver):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PENSION_ADVISOR__MEMBERS__DB_PATH": str(tmp_path / "m.db"),
           "PENSION_ADVISOR_PSEUDONYM_SALT": "test-salt", "PENSION_ADVISOR__LLM__PROVIDER": "none",
           "PENSION_ADVISOR__TRACING__TRACKING_URI": f"sqlite:///{tmp_path}/mlflow.db",
           "PENSION_ADVISOR__TRACING__OTLP__ENABLED": "true",
           "PENSION_ADVISOR__TRACING__OTLP__ENDPOINT": otlp_receiver.url,
           "PENSION_ADVISOR__PRODUCTION_MONITORING__SAMPLING_RATE": "1.0",
           "PENSION_ADVISOR__PRODUCTION_MONITORING__WORKER__IN_PROCESS": "true",
           "PENSION_ADVISOR__PRODUCTION_MONITORING__QUEUE__SQLITE_PATH": str(tmp_path / "queue.db"),
           "OTEL_BSP_SCHEDULE_DELAY": "200"}
    done = subprocess.run([sys.executable, "-c", SCRIPT, f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["scored"] == [5, 5], out
    own, joined = out["ids"]
    assert joined == f"tr-{CALLER_TRACE}"

    client = MlflowClient(f"sqlite:///{tmp_path}/mlflow.db")
    for trace_id in (own, joined):
        assert {a.name for a in client.get_trace(trace_id).info.assessments} == SCORERS
        spans = otlp_receiver.spans_of(trace_id.removeprefix("tr-"), wait_s=30, at_least=20)
        [root] = [s for s in spans if s.name == "pension_advisor"]
        events = [s for s in spans if s.name.startswith("evaluate ")]
        assert all(attributes(s)["gen_ai.operation.name"] == "evaluate" for s in events)
        assert {attributes(s.events[0])["gen_ai.evaluation.name"] for s in events} == SCORERS, trace_id
        assert {s.parent_span_id for s in events} == {root.span_id}, trace_id
    # The joined run's root hangs under the caller's span.
    [root] = [s for s in otlp_receiver.spans_of(CALLER_TRACE) if s.name == "pension_advisor"]
    assert root.parent_span_id.hex() == CALLER_SPAN

"""The MLflow internals in observability/compat.py, each checked against the installed MLflow; and what happens
when one has moved (the privacy settings still hold)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import mlflow

from .test_pipeline import PII_QUESTION, ROOT, SECRETS, run_script, traces

COMPAT_SCRIPT = r"""
import json, sys, time, uuid
import mlflow
from mlflow import MlflowClient
from mlflow.entities import TraceInfo, TraceLocation, TraceState
from pension_advisor.observability import compat

uri = sys.argv[1]
mlflow.set_tracking_uri(uri)
experiment = mlflow.set_experiment("compat").experiment_id
out = {"version_checked": compat.check_version()}

span = mlflow.start_span_no_context("probe")
otel = compat.otel_span(span)
otel.set_attribute("gen_ai.tool.name", "plain")
span.set_attribute("via_public", "plain")
out["raw"] = [otel.attributes["gen_ai.tool.name"], otel.attributes["via_public"]]
span.end()

trace_id = "tr-" + uuid.uuid4().hex
now = int(time.time() * 1000)
compat.record_joined_trace(TraceInfo(
    trace_id=trace_id, trace_location=TraceLocation.from_experiment_id(experiment), request_time=now,
    execution_duration=12, state=TraceState.OK, request_preview="q", response_preview="a",
    trace_metadata={}, tags={"pension_advisor.status": "answered"}), uri)
[info] = [t.info for t in MlflowClient(uri).search_traces(locations=[experiment], max_results=10, include_spans=False,
                                                             filter_string=f"trace.request_id = '{trace_id}'")]
out["record"] = [info.state.value, info.request_preview, info.response_preview, info.tags["pension_advisor.status"]]
print(json.dumps(out))
"""


def test_each_internal_works_on_the_installed_mlflow(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MLFLOW_DISABLE_TELEMETRY": "true"}
    done = subprocess.run([sys.executable, "-c", COMPAT_SCRIPT, f"sqlite:///{tmp_path}/mlflow.db"], env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["version_checked"] is True, mlflow.__version__
    # A plain value through the OpenTelemetry span; MLflow's public setter JSON-encodes (why compat has it).
    assert out["raw"] == ["plain", '"plain"']
    assert out["record"] == ["OK", "q", "a", "answered"]


def test_without_the_internal_span_payloads_are_still_masked_and_capture_off_holds(tmp_path):
    """If an MLflow release moves LiveSpan._span, the processor falls back to the public payload API: slower,
    but no PII reaches the store and capture off still drops payloads."""
    out = run_script(tmp_path / "masked", "no-otel-span,ask,flush")
    [trace] = traces(tmp_path / "masked", out["ids"])
    text = trace.to_json()
    for secret in SECRETS:
        assert secret not in text, f"{secret} leaked into MLflow"
    out = run_script(tmp_path / "off", "no-otel-span,ask,flush", PENSION_ADVISOR__TRACING__CAPTURE_INPUTS="false")
    [trace] = traces(tmp_path / "off", out["ids"])
    assert PII_QUESTION not in trace.to_json() and "amelia@example.com" not in trace.to_json()
    assert all(s.inputs is None for s in trace.data.spans if s.name in ("plan", "synthesize"))

"""Where a finished trace goes: redaction, then the MLflow store and (if configured) an OTLP collector.

Runs in the writer process (writer.py) - or, if that cannot run, on a thread of the advisor's process. It takes
traces serialised by `Trace.to_dict()` plus their redaction context, so everything costly - masking every
payload, MLflow's SQL writes, OTLP protobuf encoding and HTTP - happens here, once per trace, for both sinks.

MLflow: MLflow's own exporter code (`MlflowV3SpanExporter._log_spans` / `_log_trace`), one `log_spans` call for
all the spans of a batch of traces, then each trace's info. OTLP: the same OTel exporter MLflow builds from the
OTEL_EXPORTER_OTLP_* variables (`get_otlp_exporter`) behind a BatchSpanProcessor, fed with OTel spans rebuilt
from the redacted trace (same ids, parents, times, attributes, events, status and resource).
"""

from __future__ import annotations

import base64
import logging
from typing import Any

from .redact import Redactor

log = logging.getLogger(__name__)


class TraceSinks:
    def __init__(self, tracking_uri: str, salt: str, otlp: bool):
        from mlflow.tracing.export.mlflow_v3 import MlflowV3SpanExporter

        self.redactor = Redactor(salt)
        self.mlflow = MlflowV3SpanExporter(tracking_uri)
        self.otlp = None
        if otlp:
            from mlflow.tracing.utils.otlp import get_otlp_exporter
            from opentelemetry.sdk.trace.export import BatchSpanProcessor

            try:
                self.otlp = BatchSpanProcessor(get_otlp_exporter())
            except Exception:
                log.exception("OTLP exporter could not be built: spans go to MLflow only")

    def write(self, items: list[dict[str, Any]]) -> None:
        """items: {"trace": Trace.to_dict(), "ctx": redaction context, "resource": {...}, "scope": [name, version]}"""
        from mlflow.entities import Trace
        from opentelemetry.sdk.resources import Resource

        traces, spans_only, otel_spans = [], [], []
        for item in items:
            try:
                if item.get("extra_spans"):
                    _materialise(item["trace"], item["extra_spans"])
                self.redactor.trace_dict(item["trace"], item.get("ctx"))
                resource = Resource(item.get("resource") or {})
                trace = Trace.from_dict(item["trace"])
                for span in trace.data.spans:
                    span._span._resource = resource
                (spans_only if item.get("spans_only") else traces).append(trace)
                if self.otlp is not None:
                    otel_spans += [_otel_span(s, resource, item.get("scope")) for s in item["trace"]["data"]["spans"]]
            except Exception:
                log.exception("unreadable trace dropped")
        if traces or spans_only:
            _write_mlflow(self.mlflow, traces, spans_only)
        for span in otel_spans:
            self.otlp.on_end(span)

    def flush(self, timeout_s: float) -> None:
        if self.otlp is not None:
            self.otlp.force_flush(int(timeout_s * 1000))

    def close(self) -> None:
        if self.otlp is not None:
            self.otlp.shutdown()


def _write_mlflow(exporter, traces: list, spans_only: list = ()) -> None:
    """One log_spans call per experiment for all the batch's spans, then each trace's info (MLflow's order).

    `spans_only`: runs that joined a caller's trace, for which MLflow logs spans and no trace info."""
    by_experiment: dict[str, list] = {}
    for trace in [*traces, *spans_only]:
        by_experiment.setdefault(trace.info.experiment_id, []).extend(trace.data.spans)
    if exporter._store_supports_log_spans:
        for experiment_id, spans in by_experiment.items():
            exporter._log_spans(experiment_id, spans)
    for trace in traces:
        exporter._log_trace(trace, prompts=[])


def _materialise(trace: dict[str, Any], records: list[dict[str, Any]]) -> None:
    """Build the spans recorded as plain data (export.defer: tracer.py, spans.PlainSpan) as MLflow would have: same
    attributes (values JSON-encoded here as MLflow encodes them, unless already encoded), ids, parents, status
    and events."""
    import json

    from mlflow.entities.span_log_level import SpanLogLevel
    from mlflow.tracing.utils import dump_span_attribute_value
    from mlflow.tracing.utils.default_log_level import default_log_level_for_span_type

    spans = trace["data"]["spans"]
    if not spans:
        return
    trace_id, request_id = spans[0]["trace_id"], json.dumps(trace["info"]["trace_id"])
    for r in records:
        level = int(default_log_level_for_span_type(r["type"]))
        if any(e["name"] == "exception" for e in r.get("events") or ()):  # as LiveSpan.add_event raises it
            level = max(level, int(SpanLogLevel.ERROR))
        attributes = {"mlflow.traceRequestId": request_id, "mlflow.spanType": json.dumps(r["type"]),
                      "mlflow.spanLogLevel": json.dumps(level)}
        if r.get("start_attribute"):  # MLflow records it when a span is given its start time
            attributes["mlflow.spanStartTimeNs"] = json.dumps(r["start"])
        encode = (lambda value: value) if r.get("encoded") else dump_span_attribute_value
        # GenAI semantic-convention attributes stay plain values, as OTLP collectors read them.
        attributes.update({key: value if key.startswith("gen_ai.") and isinstance(value, (str, bool, int, float))
                           else encode(value) for key, value in (r.get("attributes") or {}).items()})
        attributes.update(r.get("otel") or {})
        for key, field in (("mlflow.spanInputs", "inputs"), ("mlflow.spanOutputs", "outputs")):
            if r.get(field) is not None:
                attributes[key] = encode(r[field])
        spans.append({
            "trace_id": trace_id,
            "span_id": _b64(r["id"]),
            "parent_span_id": _b64(r["parent"]),
            "name": r["name"], "start_time_unix_nano": r["start"], "end_time_unix_nano": r["end"],
            "events": [{"name": e["name"], "time_unix_nano": e["time"], "attributes": e["attributes"]}
                       for e in r.get("events") or ()],
            "status": r.get("status") or {"code": "STATUS_CODE_OK", "message": ""}, "attributes": attributes,
            "links": [],
        })


def encode_records(records: list[dict[str, Any]]) -> None:
    """Encode the payloads of plain-data spans in place (for a trace whose raw values cannot be pickled)."""
    from mlflow.tracing.utils import dump_span_attribute_value

    for r in records:
        if r.get("encoded"):
            continue
        r["attributes"] = {k: dump_span_attribute_value(v) for k, v in (r.get("attributes") or {}).items()}
        for field in ("inputs", "outputs"):
            if r.get(field) is not None:
                r[field] = dump_span_attribute_value(r[field])
        r["encoded"] = True


def _b64(hex_id: str) -> str:
    """A hex span id as Trace.to_dict() writes it."""
    return base64.b64encode(int(hex_id, 16).to_bytes(8, "big")).decode()


_STATUS = {"STATUS_CODE_OK": "OK", "STATUS_CODE_ERROR": "ERROR", "STATUS_CODE_UNSET": "UNSET"}


def _id(value: str | None) -> int | None:
    return int.from_bytes(base64.b64decode(value), "big") if value else None


def _otel_span(d: dict[str, Any], resource, scope):
    """An OTel ReadableSpan for OTLP export, from a serialised MLflow span (Span.to_dict())."""
    from opentelemetry.sdk.trace import Event, ReadableSpan
    from opentelemetry.sdk.util.instrumentation import InstrumentationScope
    from opentelemetry.trace import SpanContext, SpanKind, Status, StatusCode, TraceFlags

    trace_id, span_id, parent_id = _id(d["trace_id"]), _id(d["span_id"]), _id(d.get("parent_span_id"))
    sampled = TraceFlags(TraceFlags.SAMPLED)
    status = d.get("status") or {}
    code = StatusCode[_STATUS.get(status.get("code"), "UNSET")]
    return ReadableSpan(
        name=d["name"],
        context=SpanContext(trace_id, span_id, is_remote=False, trace_flags=sampled),
        parent=SpanContext(trace_id, parent_id, is_remote=False, trace_flags=sampled) if parent_id else None,
        resource=resource,
        attributes=d.get("attributes") or {},
        events=[Event(e["name"], e.get("attributes") or {}, int(e["time_unix_nano"])) for e in d.get("events") or []],
        kind=SpanKind.INTERNAL,
        status=Status(code, status.get("message") or None) if code is StatusCode.ERROR else Status(code),
        start_time=int(d["start_time_unix_nano"]),
        end_time=int(d["end_time_unix_nano"]) if d.get("end_time_unix_nano") else None,
        instrumentation_scope=InstrumentationScope(*scope) if scope else None,
    )

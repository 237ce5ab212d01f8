"""PII redaction of a trace's payloads, given a per-trace privacy.MaskContext: usable in the writer process.

The masking is privacy.mask (one definition for guardrails and traces): sensitive JSON keys, the run's member
(name, name parts, birth date), member ids (to their pseudonyms), the run's question as the input guardrail
registered it (privacy.REGISTRY) and the PII strings it found, then the regex floor. The per-trace facts are
gathered once per trace (processor.SpanPolicy.context_for) instead of being searched for in every span, so redaction
can run wherever the trace is written - in the writer process, off the request's process entirely.

A context is a privacy.MaskContext (plain, picklable data), or {"off": true} when tracing.redact_pii is false.
"""

from __future__ import annotations

from typing import Any

from pension_advisor.privacy import MaskContext, mask, pseudonymise  # noqa: F401  (pseudonymise: the writer's ids)

INPUTS, OUTPUTS = "mlflow.spanInputs", "mlflow.spanOutputs"
# Trace-level copies of the root span's payloads (the MLflow UI's request/response columns).
PREVIEW_METADATA = ("mlflow.traceInputs", "mlflow.traceOutputs")
PREVIEW_FIELDS = ("request_preview", "response_preview")


class Redactor:
    def __init__(self, salt: str):
        self.salt = salt

    def text(self, text: str, ctx: MaskContext | None) -> str:
        return mask(text, ctx if isinstance(ctx, MaskContext) else MaskContext(salt=self.salt, json_keys=True)).text

    def trace_dict(self, trace: dict[str, Any], ctx: MaskContext | dict | None) -> None:
        """Mask a serialised trace (Trace.to_dict()) in place: span payloads and the trace's request/response.
        A context {"off": true} (tracing.redact_pii false) leaves it as it is."""
        if isinstance(ctx, dict) and ctx.get("off"):
            return
        for span in trace["data"]["spans"]:
            attrs = span["attributes"]
            for key in (INPUTS, OUTPUTS):
                value = attrs.get(key)
                if isinstance(value, str) and value != "null":
                    attrs[key] = self.text(value, ctx)
        info = trace["info"]
        metadata = info.get("trace_metadata") or {}
        for key in PREVIEW_METADATA:
            if isinstance(metadata.get(key), str):
                metadata[key] = self.text(metadata[key], ctx)
        for key in PREVIEW_FIELDS:
            if isinstance(info.get(key), str):
                info[key] = self.text(info[key], ctx)

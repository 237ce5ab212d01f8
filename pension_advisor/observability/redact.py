"""PII redaction of span payloads, given a per-run privacy.MaskContext.

The masking is privacy.mask (one definition for guardrails and traces): sensitive JSON keys, the run's member
(name, name parts, birth date), member ids (to their pseudonyms), the run's question as the input guardrail
registered it (privacy.REGISTRY) and the PII strings it found, then the regex floor. The per-run facts are
gathered once per run (processor.SpanPolicy) instead of being searched for in every span.
"""

from __future__ import annotations

from pension_advisor.privacy import MaskContext, mask

# The span attributes MLflow keeps a span's inputs and outputs in, JSON-encoded (its stored span format).
INPUTS, OUTPUTS = "mlflow.spanInputs", "mlflow.spanOutputs"


class Redactor:
    def __init__(self, salt: str):
        self.salt = salt

    def text(self, text: str, ctx: MaskContext | None) -> str:
        return mask(text, ctx if isinstance(ctx, MaskContext) else MaskContext(salt=self.salt, json_keys=True)).text

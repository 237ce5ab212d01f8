"""PII redaction of span payloads, given a per-run privacy.MaskContext.

The masking is privacy.mask (one definition for guardrails and traces): sensitive JSON keys, the run's member
(name, name parts, birth date), member ids (to their pseudonyms), the run's question as the input guardrail
registered it (privacy.REGISTRY) and the PII strings it found, then the regex floor. The per-run facts are
gathered once per run (processor.SpanPolicy) instead of being searched for in every span.

Payloads are masked value by value (privacy.mask_value) with a memo kept for the run: a run's spans repeat the
question, the calculators' results and the drafts many times over (~4,000 strings a question, a few hundred
distinct), and masking the serialised text instead cost most of what tracing added to a question.
"""

from __future__ import annotations

import json

from pension_advisor.privacy import MaskContext, mask, mask_value

# The span attributes MLflow keeps a span's inputs and outputs in, JSON-encoded (its stored span format).
INPUTS, OUTPUTS = "mlflow.spanInputs", "mlflow.spanOutputs"


def mask_payload(encoded: str, ctx: MaskContext, memo: dict[str, str] | None = None) -> str:
    """A JSON-encoded span payload, masked value by value (``memo``: the run's already-masked strings); a payload
    that is not JSON is masked as text."""
    try:
        value = json.loads(encoded)
    except ValueError:
        return mask(encoded, ctx).text
    return json.dumps(mask_value(value, ctx, memo), ensure_ascii=False)

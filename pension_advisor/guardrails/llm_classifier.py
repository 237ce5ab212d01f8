"""Layer 4 (optional): the configured LLM as an attack classifier.

Used only when ``guardrails.input.llm_classifier`` is ``borderline`` (detector score between
``llm_borderline_min`` and the detector threshold) or ``always``, and only with a capable endpoint: the embedded
SmolLM2-135M's verdicts are noise (stack notes), so with the embedded model this layer stays off and says so once.
The model sees the PII-masked question inside a data block, never the member's raw text. Any failure or an
unparseable reply counts as "no verdict" (layers 1-3 have already run), recorded in the layer entry.
"""

from __future__ import annotations

import logging
from typing import Callable

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field, field_validator

from pension_advisor.llm import faults
from pension_advisor.llm.structured import structured_call
from pension_advisor.prompts import GUARD_SYSTEM, GUARD_USER

log = logging.getLogger(__name__)


class AttackVerdict(BaseModel):
    attack: bool
    confidence: float = Field(default=0.5, ge=0.0, le=1.0)

    @field_validator("confidence", mode="before")
    @classmethod
    def _clamp(cls, value):
        # A confidence a little outside 0-1 is still a verdict: clamped, as this layer always has.
        try:
            return min(1.0, max(0.0, float(value)))
        except (TypeError, ValueError):
            return value  # not a number: validation reports it


_warned = False


def make_classifier(model) -> Callable[[str], tuple[bool, float, dict]]:
    def classify(masked_question: str) -> tuple[bool, float, dict]:
        reply = structured_call(model, AttackVerdict, [SystemMessage(GUARD_SYSTEM),
                                                       HumanMessage(GUARD_USER.format(question=masked_question))],
                                name="attack_verdict")
        if reply.unavailable:  # an endpoint failure must not take the question down: layers 1-3 decided
            faults.record("input_classifier", reply.error)  # the first outage at WARNING, like every model call
            return False, 0.0, {"error": type(reply.error).__name__}
        if reply.parsed is None:
            return False, 0.0, {"error": "unparseable"}
        verdict = reply.parsed
        return verdict.attack, verdict.confidence if verdict.attack else 1.0 - verdict.confidence, {}

    return classify


def classifier_for(services) -> Callable[[str], tuple[bool, float, dict]] | None:
    """The layer-4 classifier for these services, or None when it is off or no capable model is configured."""
    global _warned
    cfg = services.settings.guardrails.input
    if cfg.llm_classifier == "off":
        return None
    from pension_advisor.llm import resolved_provider

    provider = resolved_provider(services.settings.llm)
    if provider in {"none", "embedded"}:
        if not _warned:
            log.warning("guardrails.input.llm_classifier=%s ignored: provider %s is not a usable classifier",
                        cfg.llm_classifier, provider)
            _warned = True
        return None
    model = services.model
    return make_classifier(model) if model is not None else None

"""Output guardrail: mask PII and re-check toxicity on the final text before anyone reads it."""

from __future__ import annotations

import re

from pension_advisor.graph.state import AdvisorState
from pension_advisor.guardrails import rules
from pension_advisor.guardrails.toxicity import toxicity_scores
from pension_advisor.services import Services

SAFE_REPLACEMENT = ("I'm sorry, I couldn't produce a suitable answer to that. "
                    "An adviser will follow up with you.")


def output_guardrail(state: AdvisorState, services: Services) -> dict:
    cfg = services.settings.guardrails.output
    text = state.get("answer", "")
    status = state.get("status") or "answered"
    report = {"masked": [], "toxicity": None, "replaced": False}
    if cfg.enabled:
        if cfg.mask_pii:
            text, report["masked"] = rules.mask_pii(text)
        # Scored per sentence: a long, polite frame must not dilute one abusive line.
        sentences = [s for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()] or [""]
        report["toxicity"] = round(max(toxicity_scores(sentences)), 4)
        if report["toxicity"] > cfg.toxicity_threshold:
            text, report["replaced"] = SAFE_REPLACEMENT, True
    return {"final_answer": text, "status": status, "output_guardrail": report}

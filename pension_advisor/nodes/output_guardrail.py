"""Output guardrail: what a model wrote is checked like an attacker's input; the deterministic frame is left alone.

Runs on the final text before anything is returned or logged (checks in pension_advisor/guardrails/output.py). The
model-written part is the draft the writer produced for an answered question; a fallback, a refusal, a
clarification and an answer written without a model are the code's own text (only the disclaimer is checked). An
answer the guardrail replaces gets status ``withheld``: nobody (member, trace, scorer) is told it was answered.
"""

from __future__ import annotations

import time

from pension_advisor import answer, privacy
from pension_advisor.graph.state import AdvisorState
from pension_advisor.guardrails import output
from pension_advisor.members import MemberNotFound
from pension_advisor.nodes.member import run_member_id
from pension_advisor.observability.spans import guardrail_span
from pension_advisor.services import Services

SAFE_REPLACEMENT = output.SAFE_REPLACEMENT


def output_guardrail(state: AdvisorState, services: Services) -> dict:
    cfg = services.settings.guardrails.output
    text = state.get("answer", "")
    status = state.get("status") or "answered"
    parts = state.get("answer_parts") or answer.plain(text)
    if not cfg.enabled:
        return {"final_answer": text, "final_parts": _agreeing(parts, text), "status": status,
                "output_guardrail": {"masked": [], "toxicity": None, "replaced": False}}
    model_written = state.get("draft_body") if status == "answered" and services.model is not None else None
    member = None
    if model_written:
        try:
            member = services.members.get(run_member_id(state))  # the run's authenticated member
        except MemberNotFound:
            member = None
    others = privacy.member_index(services.members) if model_written and cfg.mask_pii else None
    report = output.check(text, status, cfg, member=member, model_written=model_written, others=others)
    end_ns = time.time_ns()
    for check in reversed(report.checks):  # the checks ran back to back: lay their spans end to end
        start_ns = end_ns - int(check["ms"] * 1e6)
        guardrail_span(f"output.{check['check']}", check.get("allowed", True), check.get("reason_code"),
                       check.get("score"), start_ns, end_ns)
        end_ns = start_ns
    return {"final_answer": report.text, "final_parts": _final_parts(parts, report, model_written),
            "status": "withheld" if report.replaced else status, "output_guardrail": report.as_dict()}


def _final_parts(parts: dict, report, model_written: str | None) -> dict | None:
    """The parts of what the member reads: a withheld answer is plain text; masking changes the body only; an added
    disclaimer is a part too."""
    if report.replaced:
        return _agreeing(answer.plain(report.text), report.text)
    final = {**parts, "disclaimer": parts["disclaimer"] or report.disclaimer_added}
    if report.masked_part is not None and model_written:
        final["body"] = final["body"].replace(model_written.strip(), report.masked_part)
    return _agreeing(final, report.text)


def _agreeing(parts: dict, text: str) -> dict | None:
    # Never parts that say something other than the text: a reader of None falls back to the text itself.
    return parts if answer.render(parts) == text else None

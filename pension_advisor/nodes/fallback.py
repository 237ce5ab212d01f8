"""Fallback: after the last failed attempt, answer only from verified results, and say plainly that this is all it
could check (no promise of a follow-up: nobody stands behind this software).

When the model itself could not be used (its endpoint unreachable, too slow, busy, or refusing the key: llm/faults.py)
the answer is ``degraded`` instead: the member is told plainly that the model could not be reached and what they get
instead (the calculators' verified results, if there are any), and the trace says why and ends in state ERROR.
"""

from __future__ import annotations

from pension_advisor import answer
from pension_advisor.evidence import evidence_of
from pension_advisor.graph.state import AdvisorState
from pension_advisor.llm import faults
from pension_advisor.observability.spans import annotate_current
from pension_advisor.services import Services

NOTHING_VERIFIED = "There are no calculator results, record entries or official rules for this question, so I can't " \
                   "answer it without the model. Please try again a little later."


def fallback(state: AdvisorState, services: Services) -> dict:
    evidence = evidence_of(state)
    outage = faults.outage(state.get("model_faults"))
    if outage is None:
        return {**answer.framed(answer.fallback_body(evidence, services.settings.judge.escalation_text), evidence),
                "status": "fallback"}
    annotate_current({"pension_advisor.degraded": outage["kind"], "pension_advisor.degraded_by": outage["node"],
                      "pension_advisor.model_fault": outage["detail"]})
    verified = (evidence.facts or evidence.assumptions or evidence.errors or evidence.record_facts
                or evidence.explanations or evidence.summaries)
    body = answer.verified_body(evidence) if verified else NOTHING_VERIFIED
    return {**answer.framed(f"{faults.member_notice(outage['kind'])}\n\n{body}", evidence), "status": "degraded"}

"""Fallback: after the last failed attempt, answer only from verified tool results and promise a follow-up.

When the model itself could not be used (its endpoint unreachable, too slow, busy, or refusing the key: llm/faults.py)
the answer is ``degraded`` instead: the member is told plainly that the model could not be reached and what they get
instead (the calculators' verified results, if there are any), and the trace says why.
"""

from __future__ import annotations

from pension_advisor import answer
from pension_advisor.evidence import gather
from pension_advisor.graph.state import AdvisorState
from pension_advisor.llm import faults
from pension_advisor.observability.spans import annotate_current

NOTHING_CALCULATED = "There are no calculator results for this question, so I can't answer it without the model. " \
                     "Please try again a little later."


def fallback(state: AdvisorState) -> dict:
    evidence = gather(state.get("tool_outcomes", []), state.get("member"), state.get("safe_question", ""))
    outage = faults.outage(state.get("model_faults"))
    if outage is None:
        return {"answer": answer.fallback(evidence), "status": "fallback"}
    annotate_current({"pension_advisor.degraded": outage["kind"], "pension_advisor.degraded_by": outage["node"],
                      "pension_advisor.model_fault": outage["detail"]})
    calculated = evidence.facts or evidence.assumptions or evidence.errors
    body = answer.verified_body(evidence) if calculated else NOTHING_CALCULATED
    return {"answer": answer.frame(f"{faults.member_notice(outage['kind'])}\n\n{body}", evidence), "status": "degraded"}

"""Retry: hand the judge's feedback on the last attempt to the next synthesis."""

from __future__ import annotations

from pension_advisor.graph.state import AdvisorState
from pension_advisor.observability.spans import annotate_current


def retry(state: AdvisorState) -> dict:
    verdict = state["attempts"][-1]["verdict"]
    annotate_current({"retry.attempt": len(state["attempts"]) + 1,
                      "retry.reason": ",".join(v["code"] for v in verdict["violations"]) or "failed"})
    return {"retry_feedback": verdict["feedback"] or "; ".join(v["detail"] for v in verdict["violations"])}

"""Retry: hand the judge's feedback on the last attempt to the next synthesis."""

from __future__ import annotations

from pension_advisor.graph.state import AdvisorState


def retry(state: AdvisorState) -> dict:
    verdict = state["attempts"][-1]["verdict"]
    return {"retry_feedback": verdict["feedback"] or "; ".join(v["detail"] for v in verdict["violations"])}

"""Fallback: after the last failed attempt, answer only from verified results, and say plainly that this is all it could check (no promise of a follow-up: nobody stands behind this software)."""

from __future__ import annotations

from pension_advisor import answer
from pension_advisor.evidence import gather
from pension_advisor.graph.state import AdvisorState


def fallback(state: AdvisorState) -> dict:
    evidence = gather(state.get("tool_outcomes", []), state.get("member"), state.get("safe_question", ""))
    return {"answer": answer.fallback(evidence), "status": "fallback"}

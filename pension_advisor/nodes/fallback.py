"""Fallback: after the last failed attempt, answer only from verified results, and say plainly that this is all it could check (no promise of a follow-up: nobody stands behind this software)."""

from __future__ import annotations

from pension_advisor import answer
from pension_advisor.evidence import evidence_for
from pension_advisor.graph.state import AdvisorState


def fallback(state: AdvisorState) -> dict:
    evidence = evidence_for(state)
    return {"answer": answer.fallback(evidence), "status": "fallback"}

"""How answers are framed: the tax-year/currency header, the sources list and the disclaimer.

The model writes only the body; everything here is deterministic so it is always present and correct.
"""

from __future__ import annotations

from .evidence import Evidence

DISCLAIMER = (
    "This is general information, not personal financial advice. "
    "It does not take your full circumstances into account; consider speaking to a licensed adviser."
)
ADVISER_FOLLOW_UP = "An adviser will follow up with you to go through this in more detail."


def header(evidence: Evidence) -> str:
    parts = []
    if evidence.tax_years:
        parts.append(f"Tax year {', '.join(evidence.tax_years)}")
    if evidence.currency:
        parts.append(f"amounts in {evidence.currency}")
    return (", ".join(parts) + ".") if parts else ""


def frame(body: str, evidence: Evidence) -> str:
    sections = [header(evidence), body.strip()]
    if evidence.citations:
        sections.append("Sources:\n" + evidence.sources_text())
    sections.append(DISCLAIMER)
    return "\n\n".join(s for s in sections if s)


def verified_body(evidence: Evidence) -> str:
    """An answer body written only from verified calculator output (no model involved)."""
    lines = [f"- {f.label}: {f.text} [{f.citation}]" for f in evidence.facts]
    lines += [f"- Assumption: {a}" for a in evidence.assumptions]
    lines += [f"- I could not calculate this: {e}" for e in evidence.errors]
    if not lines:
        return "I could not work this out from the calculators available."
    return "Here is what the calculators show:\n" + "\n".join(lines)


def fallback(evidence: Evidence) -> str:
    return frame(verified_body(evidence) + "\n\n" + ADVISER_FOLLOW_UP, evidence)

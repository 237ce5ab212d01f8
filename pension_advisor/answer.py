"""How answers are framed: the tax-year/currency header, the sources list and the disclaimer.

The model writes only the body; everything here is deterministic so it is always present and correct.
"""

from __future__ import annotations

from .evidence import Evidence

DISCLAIMER = (
    "This is general information, not personal financial advice. "
    "It does not take your full circumstances into account; consider speaking to a licensed adviser."
)
# What the fallback says about itself: plainly what the software did and did not do. Nobody stands behind this
# software to call a member back, so nothing here may promise a follow-up (tests/test_answer_text.py).
FALLBACK_NOTE = ("I could not check a fuller written answer this time, so this shows only what I could verify: "
                 "the calculators' figures, your record and the rules' official sources. "
                 "You can ask again, or ask about one part of your question at a time.")


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
    return frame(verified_body(evidence) + "\n\n" + FALLBACK_NOTE, evidence)

"""How answers are framed (the tax-year/currency header, the sources list and the disclaimer) and the answer body
written with no model at all, from verified evidence only.

A model writes only the body; everything here is deterministic so it is always present and correct.
"""

from __future__ import annotations

import re

from .evidence import Evidence, Fact, source_line

DISCLAIMER = (
    "This is general information, not personal financial advice. "
    "It does not take your full circumstances into account; consider speaking to a licensed adviser."
)
# What the fallback says about itself: plainly what the software did and did not do. Nobody stands behind this
# software to call a member back, so nothing here may promise a follow-up (tests/test_answer_text.py).
FALLBACK_NOTE = ("I could not check a fuller written answer this time, so this shows only what I could verify: "
                 "the calculators' figures, your record and the rules' official sources. "
                 "You can ask again, or ask about one part of your question at a time.")


def named_currency(evidence: Evidence) -> str | None:
    """The currency the header names: only where an amount follows ("amounts in AUD" before an age alone reads as a
    mistake)."""
    if evidence.currency and any(f.unit == evidence.currency for f in [*evidence.facts, *evidence.record_facts]):
        return evidence.currency
    return None


def header(evidence: Evidence) -> str:
    parts = []
    if evidence.tax_years:
        parts.append(f"Tax year {', '.join(evidence.tax_years)}")
    if currency := named_currency(evidence):
        parts.append(f"amounts in {currency}")
    return (", ".join(parts) + ".") if parts else ""


def parts(body: str, evidence: Evidence) -> dict:
    """A framed answer as data: the header line (and the currency it names), the body, the sources (numbered as
    cited) and whether the disclaimer closes it. The graph carries these beside the text (``answer_parts``,
    ``final_parts``) so scorers read fields, not the text parsed back."""
    return {"header": header(evidence), "currency": named_currency(evidence), "body": body.strip(),
            "sources": evidence.sources(), "disclaimer": True}


def plain(text: str) -> dict:
    """The parts of a reply written without a frame (a refusal, a clarifying question, a withheld answer)."""
    return {"header": "", "currency": None, "body": text.replace(DISCLAIMER, "").strip(), "sources": [],
            "disclaimer": DISCLAIMER in text}


def render(answer_parts: dict) -> str:
    """The text a member reads for ``answer_parts``."""
    sections = [answer_parts["header"], answer_parts["body"]]
    if answer_parts["sources"]:
        sections.append("Sources:\n" + "\n".join(source_line(s) for s in answer_parts["sources"]))
    if answer_parts["disclaimer"]:
        sections.append(DISCLAIMER)
    return "\n\n".join(s for s in sections if s)


def frame(body: str, evidence: Evidence) -> str:
    return render(parts(body, evidence))


def framed(body: str, evidence: Evidence) -> dict:
    """The state update for a framed answer: its text and its parts."""
    answer_parts = parts(body, evidence)
    return {"answer": render(answer_parts), "answer_parts": answer_parts}


# Record labels that name more than one thing take "are".
_PLURAL = re.compile(r"\b(beneficiaries|years)\b(?!.*\b(is|was)\b)")


def _record_sentence(fact: Fact, as_of: str | None) -> str:
    when = f", from your record as of {as_of}" if as_of and fact.source != "record:record_as_of" else ""
    verb = "are" if _PLURAL.search(fact.label) else "is"
    return f"{fact.label} {verb} {fact.text}{when} [{fact.citation}]."


def verified_body(evidence: Evidence) -> str:
    """An answer body written only from verified evidence (no model involved): a direct answer first (the record
    fields asked about, then each calculator's one-sentence answer), then the figures, then the rules explained.
    Every figure and every rule statement carries its citation mark."""
    direct = list(evidence.notices)
    direct += [_record_sentence(f, evidence.record_as_of) for f in evidence.record_facts]
    direct += evidence.gap_sentences()
    direct += evidence.summaries
    sections = []
    if direct:
        sections.append("\n".join(direct))
    if evidence.facts:
        sections.append("The figures:\n" + "\n".join(f"- {f.label}: {f.text} [{f.citation}]" for f in evidence.facts))
    if evidence.explanations:
        intro = "How the rules work:" if direct or evidence.facts else "Here is how it works:"
        sections.append(intro + "\n" + "\n".join(f"- {e.topic}: {e.text} [{e.citation}]" for e in evidence.explanations))
    notes = [f"- Assumption: {a}" for a in evidence.assumptions] + [f"- I could not calculate this: {e}" for e in evidence.errors]
    if notes:
        sections.append("\n".join(notes))
    if not sections:
        return "I could not work this out from the calculators, your record or the rules I have."
    return "\n\n".join(sections)


def fallback_body(evidence: Evidence, escalation_text: str | None = None) -> str:
    """The answer body after the last failed attempt: verified evidence only, what it is, and the operator's
    escalation text when one is configured (judge.escalation_text)."""
    note = FALLBACK_NOTE + (f" {escalation_text.strip()}" if escalation_text and escalation_text.strip() else "")
    return verified_body(evidence) + "\n\n" + note


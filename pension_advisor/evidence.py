"""The verified facts an answer may use: tool figures with numbered citations, and the numbers they allow.

Synthesis shows these facts to the model, the judge checks answers against them, the fallback is
written from them, and the scorers reuse them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable

CURRENCY_SYMBOL = {"AUD": "$", "USD": "$", "GBP": "£", "INR": "₹"}

_NUMBER = re.compile(r"\d{1,3}(?:,\d{2,3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_CITATION_MARK = re.compile(r"\[\d+\]")
_LIST_MARK = re.compile(r"^\s*\d{1,2}[.)]\s", re.MULTILINE)


def numbers_in(text: str) -> list[float]:
    """Every number written in ``text`` (thousands separators allowed, incl. Indian 1,50,000), ignoring [n] marks."""
    text = _LIST_MARK.sub(" ", _CITATION_MARK.sub(" ", text))
    return [float(m.replace(",", "")) for m in _NUMBER.findall(text)]


def number_forms(value: Any) -> set[float]:
    """The values a writer may legitimately show for ``value``: itself and its usual roundings."""
    if isinstance(value, bool):
        return set()
    if isinstance(value, (int, float)):
        return {float(value), round(float(value)), round(float(value), 1), round(float(value), 2)}
    if isinstance(value, str):
        return set(numbers_in(value))
    if isinstance(value, dict):
        return set().union(*(number_forms(v) for v in value.values())) if value else set()
    if isinstance(value, (list, tuple)):
        return set().union(*(number_forms(v) for v in value)) if value else set()
    return set()


def format_value(value: Any, unit: str, period: str | None = None) -> str:
    if unit in CURRENCY_SYMBOL and isinstance(value, (int, float)):
        text = f"{CURRENCY_SYMBOL[unit]}{value:,.2f}".replace(".00", "")
    elif unit == "%":
        text = f"{value:g}%"
    elif unit in {"years", "months", "weeks"} and isinstance(value, (int, float)):
        text = f"{value:g} {unit if value != 1 else unit[:-1]}"
    else:
        text = str(value)
    return f"{text} a {period}" if period else text


@dataclass
class Fact:
    label: str
    text: str       # the formatted value, e.g. "$1,234.50 a year"
    citation: int   # 1-based number shown to readers


@dataclass
class Evidence:
    country: str | None
    currency: str | None
    tax_years: list[str] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    citations: list[dict] = field(default_factory=list)  # each: title, url, tax_year, rule
    assumptions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    allowed_numbers: set[float] = field(default_factory=set)
    figure_numbers: set[float] = field(default_factory=set)  # the calculators' own figures: these need a citation

    def allows(self, number: float) -> bool:
        return any(abs(number - a) < 0.005 for a in self.allowed_numbers)

    def is_figure(self, number: float) -> bool:
        return any(abs(number - a) < 0.005 for a in self.figure_numbers)

    def facts_text(self) -> str:
        lines = [f"[{f.citation}] {f.label}: {f.text}" for f in self.facts]
        lines += [f"Assumption: {a}" for a in self.assumptions]
        lines += [f"Could not calculate: {e}" for e in self.errors]
        return "\n".join(lines) or "(no calculator results)"

    def sources_text(self) -> str:
        return "\n".join(f"[{i}] {c['title']} ({c['tax_year']}): {c['url']}" for i, c in enumerate(self.citations, 1))


def gather(outcomes: Iterable[dict], member: dict | None = None, question: str = "") -> Evidence:
    """Build the evidence from tool outcomes (as stored in graph state) and the member's LLM-visible record."""
    outcomes = list(outcomes)
    results = [o["result"] for o in outcomes if o.get("result")]
    first = results[0] if results else None
    evidence = Evidence(
        country=(member or {}).get("country") or (first or {}).get("country"),
        currency=(member or {}).get("currency") or (first or {}).get("currency"),
    )
    for outcome in outcomes:
        evidence.allowed_numbers |= number_forms(outcome.get("args", {}))
        if outcome.get("error"):
            evidence.errors.append(f"{outcome['tool']}: {outcome['error']['message']}")
            evidence.allowed_numbers |= number_forms(outcome["error"]["message"])
            continue
        result = outcome["result"]
        if result["tax_year"] not in evidence.tax_years:
            evidence.tax_years.append(result["tax_year"])
        local_to_global = {}
        for i, citation in enumerate(result["citations"]):
            if citation not in evidence.citations:
                evidence.citations.append(citation)
            local_to_global[i] = evidence.citations.index(citation) + 1
        for fig in result["figures"]:
            text = format_value(fig["value"], fig["unit"], fig.get("period"))
            evidence.facts.append(Fact(fig["label"], text, local_to_global[fig["citation"]]))
            forms = number_forms(fig["value"]) | number_forms(text)
            evidence.allowed_numbers |= forms | number_forms(fig["label"])  # "Benefit if claimed at 62"
            evidence.figure_numbers |= forms
        # An assumption is backed by the same sources as the result it qualifies.
        mark = f" [{local_to_global[0]}]" if local_to_global else ""
        evidence.assumptions += [a + mark for a in result["assumptions"] if a + mark not in evidence.assumptions]
        evidence.allowed_numbers |= number_forms(result["assumptions"]) | number_forms(result["tax_year"])
    for citation in evidence.citations:
        evidence.allowed_numbers |= number_forms(citation["title"]) | number_forms(citation["tax_year"])
    # The pseudonym is an identifier, not a figure: its hex digits must not license numbers.
    figures = {k: v for k, v in (member or {}).items() if k != "member"}
    evidence.allowed_numbers |= number_forms(figures) | number_forms(question)
    return evidence

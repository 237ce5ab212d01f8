"""Country compliance: the member's currency, scheme terms and rules, the disclaimer, and no promised returns."""

from __future__ import annotations

import re
from typing import Any

from mlflow.entities import Feedback
from mlflow.genai.scorers import scorer

from pension_advisor.precheck import COUNTRY_TERMS, CURRENCY_MARKERS, PROMISE_PATTERNS
from pension_advisor.tools.base import CURRENCY

from .common import FRAMED, code_feedback, read

NAME = "country_compliance"
# precheck's tables, compiled once: one pattern per country (the scorer runs for every sampled trace).
_CURRENCY = {c: re.compile("|".join(f"(?:{m})" for m in ms), re.IGNORECASE) for c, ms in CURRENCY_MARKERS.items()}
_TERMS = {c: re.compile("|".join(f"(?:{t})" for t in ts)) for c, ts in COUNTRY_TERMS.items()}
_PROMISE = [re.compile(p, re.IGNORECASE) for p in PROMISE_PATTERNS]


# No MLflow timeout: it costs a thread per call (~1 ms), more than this scorer itself (< 0.5 ms).
@scorer(name=NAME, timeout=0,
        description="Share of the country checks passed: currency, scheme terms, country rules, disclaimer, no "
                    "promised returns (1 = all passed).")
def country_compliance(inputs: Any = None, outputs: Any = None) -> Feedback:
    """The share of these checks the answer passes (each counts once; not-applicable checks are left out):

    - currency: no other country's currency markers (``precheck.CURRENCY_MARKERS``, e.g. £ or ₹ for an AU
      member) in the header or body, and a header currency, when there is one, that is the member's;
    - terminology: no other country's scheme or agency names (``precheck.COUNTRY_TERMS``, e.g. "401(k)" for AU);
    - rules: every calculator used and every result belongs to the member's country;
    - disclaimer: answered and fallback replies carry ``answer.DISCLAIMER``;
    - no promises: nothing promises returns or outcomes (``precheck.PROMISE_PATTERNS``).

    When the member's country is unknown, the currency, terminology and rules checks fail only on a mix of
    countries. The Sources list is not checked here (citation_quality checks it).
    """
    reply = read(inputs, outputs)
    country = reply.country
    text = f"{reply.header}\n{reply.body}"
    currencies = {c for c, pattern in _CURRENCY.items() if pattern.search(text)}
    if reply.header_currency:
        currencies |= {c for c, code in CURRENCY.items() if code == reply.header_currency}
    terms = {c: m.group(0) for c, pattern in _TERMS.items() if (m := pattern.search(reply.body))}
    tool_countries = _tool_countries(reply.outcomes)

    checks: dict[str, str | None] = {}  # check -> problem (None = passed)
    checks["currency"] = _mix("currency", currencies, country)
    checks["terminology"] = _mix("scheme terms", set(terms), country, terms)
    if tool_countries:
        checks["rules"] = _mix("calculators/rules", tool_countries, country)
    if reply.status in FRAMED:
        checks["disclaimer"] = None if reply.has_disclaimer else "the general-information disclaimer is missing"
    promise = next((m.group(0) for p in _PROMISE if (m := p.search(reply.body))), None)
    checks["no_promises"] = f"it promises outcomes (\"{promise}\")" if promise else None

    failed = {k: v for k, v in checks.items() if v}
    value = 1 - len(failed) / len(checks)
    where = f"the {country} member" if country else "a member of unknown country"
    why = (f"Passes all {len(checks)} checks for {where} ({', '.join(checks)})." if not failed else
           f"Fails {len(failed)} of {len(checks)} checks for {where}: " + "; ".join(failed.values()) + ".")
    return code_feedback(NAME, value, why, failed_checks=",".join(failed) or "none", country=country or "unknown")


def _tool_countries(outcomes: list[dict]) -> set[str]:
    from pension_advisor.tools import TOOL_SPECS

    found = set()
    for o in outcomes:
        if spec := TOOL_SPECS.get(o.get("tool", "")):
            found.add(spec.country)
        if o.get("result") and o["result"].get("country"):
            found.add(o["result"]["country"])
    return found


def _mix(what: str, countries: set[str], country: str | None, examples: dict[str, str] | None = None) -> str | None:
    others = sorted(countries - {country}) if country else (sorted(countries) if len(countries) > 1 else [])
    if not others:
        return None
    shown = ", ".join(f"{c} ({examples[c]})" if examples else c for c in others)
    return f"{what} of {shown}" + (f" in an answer for {country}" if country else " mixed in one answer")

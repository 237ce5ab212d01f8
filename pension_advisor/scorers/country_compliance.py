"""Country compliance: the member's currency, scheme terms and rules, the disclaimer, and no promised returns."""

from __future__ import annotations

from typing import Any

from mlflow.entities import Feedback
from mlflow.genai.scorers import scorer

from pension_advisor import precheck
from pension_advisor.tools.base import CURRENCY

from .common import FRAMED, code_feedback, read

NAME = "country_compliance"


# No MLflow timeout: it costs a thread per call (~1 ms), more than this scorer itself (< 0.5 ms).
@scorer(name=NAME, timeout=0,
        description="Share of the country checks passed: currency, scheme terms, country rules, disclaimer, no "
                    "promised returns (1 = all passed).")
def country_compliance(inputs: Any = None, outputs: Any = None) -> Feedback:
    """The share of these checks the answer passes (each counts once; not-applicable checks are left out):

    - currency, terminology, no promises: ``precheck.compliance`` (the judge's pre-check) on what the writer added
      (the calculators' verified text taken out): no other country's currency or scheme names, no promised
      returns ("returns are not guaranteed" is not a promise); plus a header currency that is the member's;
    - rules: every calculator used and every result belongs to the member's country;
    - disclaimer: answered and fallback replies carry ``answer.DISCLAIMER``.

    When the member's country is unknown, the checks fail only on a mix of countries. The Sources list is not
    checked here (citation_quality checks it).
    """
    reply = read(inputs, outputs)
    country = reply.country
    # The content checks are the judge's own (precheck.compliance on what the writer added): one definition.
    problems: dict[str, str] = {}
    for problem in precheck.compliance(precheck.writer_text(reply.body, reply.evidence), country):
        problems.setdefault(problem["code"], problem["detail"])
    header_countries = {c for c, code in CURRENCY.items() if code == reply.header_currency}
    tool_countries = _tool_countries(reply.outcomes)

    checks: dict[str, str | None] = {}  # check -> problem (None = passed)
    checks["currency"] = problems.get("wrong_currency") or _mix("header currency", header_countries, country)
    checks["terminology"] = problems.get("wrong_country")
    if tool_countries:
        checks["rules"] = _mix("calculators/rules", tool_countries, country)
    if reply.status in FRAMED:
        checks["disclaimer"] = None if reply.has_disclaimer else "the general-information disclaimer is missing"
    checks["no_promises"] = problems.get("promise_of_returns")

    failed = {k: v for k, v in checks.items() if v}
    value = 1 - len(failed) / len(checks)
    where = f"the {country} member" if country else "a member of unknown country"
    why = (f"Passes all {len(checks)} checks for {where} ({', '.join(checks)})." if not failed else
           f"Fails {len(failed)} of {len(checks)} checks for {where}: " + "; ".join(v.rstrip(".") for v in failed.values()) + ".")
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

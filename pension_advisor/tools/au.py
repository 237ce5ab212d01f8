"""Australia: superannuation calculators. Figures come from rules/au/<tax year>.yaml."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from .base import (
    CalcResult, CitationList, Figure, ToolError, add_years, age_on, build_result, check_non_negative, money, percent,
    rules_for,
)
from .registry import ToolSpec

FEB_29_NOTE = "A 29 February birthday is taken to fall on 28 February in years that are not leap years."


class PreservationAgeArgs(BaseModel):
    date_of_birth: dt.date = Field(description="The member's date of birth (YYYY-MM-DD).")
    on_date: dt.date | None = Field(default=None, description="Date the question is about; picks the tax year. Default today.")


def preservation_age(date_of_birth: dt.date, on_date: dt.date | None = None) -> CalcResult:
    """The age from which an Australian can access preserved super (once a condition of release is met)."""
    on_date = on_date or dt.date.today()
    if date_of_birth >= on_date:
        raise ToolError("date_of_birth_in_future", "date_of_birth must be before the date asked about.")
    rules = rules_for("AU", on_date)
    cite = CitationList(rules)
    ref = cite("preservation_age")
    band = next(b for b in rules.value("preservation_age") if b["born_before"] is None or date_of_birth < b["born_before"])
    age = band["age"]
    reached = add_years(date_of_birth, age)
    figures = [
        Figure(name="preservation_age", label="Preservation age", value=age, unit="years", citation=ref),
        Figure(name="preservation_date", label="Date preservation age is reached", value=reached.isoformat(), unit="date", citation=ref),
        Figure(name="current_age", label="Age on the date asked about", value=age_on(date_of_birth, on_date), unit="years", citation=ref),
    ]
    born_before = band["born_before"]
    band_text = (f"born before {born_before:%-d %B %Y}: preservation age {age}" if born_before
                 else f"born on or after 1 July 1964: preservation age {age}")
    assumptions = ["Access also needs a condition of release (for example retiring)."]
    if (date_of_birth.month, date_of_birth.day) == (2, 29):
        assumptions.append(FEB_29_NOTE)
    return build_result("au_preservation_age", rules, cite, figures, assumptions, [band_text])


class SuperGuaranteeArgs(BaseModel):
    salary: float = Field(ge=0, description="Annual ordinary time earnings (qualifying earnings from 1 July 2026), AUD.")
    on_date: dt.date | None = Field(default=None, description="Date the question is about; picks the financial year. Default today.")


def super_guarantee(salary: float, on_date: dt.date | None = None) -> CalcResult:
    """Minimum employer super guarantee on an annual salary at the SG rate in force, capped at the maximum contribution base."""
    check_non_negative("salary", salary)
    rules = rules_for("AU", on_date or dt.date.today())
    cite = CitationList(rules)
    rate = rules.value("super_guarantee_rate")
    figures = [Figure(name="sg_rate", label="Super guarantee rate", value=percent(rate), unit="%", citation=cite("super_guarantee_rate"))]
    assumptions = ["Salary is paid evenly through the year and is all ordinary time earnings."]
    rule_path = [f"SG rate {percent(rate):g}% for {rules.tax_year}"]
    earnings_base = salary
    if "max_contribution_base_quarter" in rules.rules:
        # The cap applies per quarter, so an even salary is capped at four times the quarterly base.
        quarter_cap = rules.value("max_contribution_base_quarter")
        ref = cite("max_contribution_base_quarter")
        figures.append(Figure(name="max_contribution_base_quarter", label="Maximum super contribution base",
                              value=money(quarter_cap), unit="AUD", period="quarter", citation=ref))
        if salary / 4 > quarter_cap:
            earnings_base = quarter_cap * 4
            rule_path.append("salary above the maximum contribution base: SG capped")
        else:
            rule_path.append("salary within the maximum contribution base")
    else:
        assumptions.append(f"The {rules.tax_year} maximum contributions base is not applied: its figure is not confirmed in the rule table.")
    sg_ref = cite("super_guarantee_rate")
    annual = money(earnings_base * rate)
    figures += [
        Figure(name="employer_sg", label="Minimum employer super guarantee", value=annual, unit="AUD", period="year", citation=sg_ref),
        Figure(name="employer_sg_month", label="Minimum employer super guarantee", value=money(annual / 12), unit="AUD", period="month", citation=sg_ref),
    ]
    return build_result("au_super_guarantee", rules, cite, figures, assumptions, rule_path)


SPECS = [
    ToolSpec(
        name="au_preservation_age",
        country="AU",
        function=preservation_age,
        args_schema=PreservationAgeArgs,
        description="Australia: the member's superannuation preservation age and the date they reach it, from their date of birth.",
        intents=(r"preservation age", r"access (to )?(my )?super", r"get (at )?my super", r"withdraw (my )?super",
                 r"when can i (access|touch|get|use) (my )?super"),
        member_args={"date_of_birth": "date_of_birth"},
        question_args={"on_date": "on_date", "date_of_birth": "date_of_birth"},
    ),
    ToolSpec(
        name="au_super_guarantee",
        country="AU",
        function=super_guarantee,
        args_schema=SuperGuaranteeArgs,
        description=("Australia: the minimum super guarantee (SG) an employer must pay on a salary in a financial year: "
                     "the SG rate (12% from 1 July 2025) and the annual and monthly amount, capped at the maximum "
                     "contribution base where the base is known."),
        intents=(r"super(annuation)? guarantee", r"\bSG\b", r"employer('?s)? (super|contribution)",
                 r"(how much|what) super (will|does|should|must) my employer", r"employer (pay|put|contribute)s? .*super"),
        member_args={"salary": "annual_salary"},
        question_args={"salary": "salary", "on_date": "on_date"},
    ),
]

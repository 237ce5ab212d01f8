"""United Kingdom: State Pension calculators. Figures come from rules/uk/<tax year>.yaml (6 April - 5 April)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from .base import (
    CalcResult, CitationList, Figure, ToolError, add_months, age_on, build_result, check_non_negative, money,
    rules_for,
)
from .registry import ToolSpec

WEEKS_PER_YEAR = 52


class StatePensionAgeArgs(BaseModel):
    date_of_birth: dt.date = Field(description="The member's date of birth (YYYY-MM-DD).")
    on_date: dt.date | None = Field(default=None, description="Date the question is about; picks the tax year. Default today.")


def state_pension_age(date_of_birth: dt.date, on_date: dt.date | None = None) -> CalcResult:
    """The member's UK State Pension age and the date they reach it, under current legislation."""
    on_date = on_date or dt.date.today()
    if date_of_birth >= on_date:
        raise ToolError("date_of_birth_in_future", "date_of_birth must be before the date asked about.")
    rules = rules_for("UK", on_date)
    cite = CitationList(rules)
    ref = cite("state_pension_age")
    bands = rules.value("state_pension_age")
    if date_of_birth < bands[0]["born_from"]:
        raise ToolError("not_modelled", "State Pension age for people born before 6 December 1953 depends on sex "
                        "and is not modelled; they have all reached it.")
    band = next((b for b in bands if b["born_from"] <= date_of_birth <= b["born_to"]), None)
    current_age = Figure(name="current_age", label="Age on the date asked about", value=age_on(date_of_birth, on_date), unit="years", citation=ref)
    if band is None:
        # Born on or after 6 April 1977: State Pension age rises from 67 to 68 between 2044 and 2046 under the
        # Pensions Act 2007, but the date table could not be confirmed, so no date is given.
        figures = [Figure(name="state_pension_age", label="State Pension age", value="between 67 and 68", unit="years", citation=ref), current_age]
        assumptions = ["Not modelled: the legislated rise from 67 to 68 (2044 to 2046) for people born on or after "
                       "6 April 1977; check the exact date with GOV.UK's State Pension age checker."]
        return build_result("uk_state_pension_age", rules, cite, figures, assumptions,
                            ["born on or after 6 April 1977: 67 to 68 transition not modelled"])
    if "reached_on" in band:
        reached = band["reached_on"]
        months = (reached.year - date_of_birth.year) * 12 + reached.month - date_of_birth.month - (reached.day < date_of_birth.day)
        path = f"born {band['born_from']:%-d %b %Y} to {band['born_to']:%-d %b %Y}: reaches State Pension age on a set date (65 to 66 transition)"
    else:
        months = band["years"] * 12 + band["months"]
        reached = add_months(date_of_birth, months)
        path = f"born {band['born_from']:%-d %b %Y} to {band['born_to']:%-d %b %Y}: State Pension age {months // 12} years {months % 12} months"
    figures = [
        Figure(name="state_pension_age", label="State Pension age", value=f"{months // 12} years {months % 12} months", unit="years", citation=ref),
        Figure(name="state_pension_age_months", label="State Pension age in months", value=months, unit="months", citation=ref),
        Figure(name="state_pension_date", label="Date State Pension age is reached", value=reached.isoformat(), unit="date", citation=ref),
        current_age,
    ]
    assumptions = ["Under current legislation; future reviews may change State Pension age.",
                   "The State Pension must be claimed; it is not paid automatically."]
    if (date_of_birth.month, date_of_birth.day) == (2, 29):
        assumptions.append("A 29 February birthday is taken to fall on 28 February in years that are not leap years.")
    return build_result("uk_state_pension_age", rules, cite, figures, assumptions, [path])


class NewStatePensionArgs(BaseModel):
    qualifying_years: int = Field(ge=0, le=80, description="Qualifying years on the member's National Insurance record.")
    on_date: dt.date | None = Field(default=None, description="Date the question is about; picks the tax year's rate. Default today.")


def new_state_pension(qualifying_years: int, on_date: dt.date | None = None) -> CalcResult:
    """The weekly new State Pension for a number of National Insurance qualifying years, at the tax year's full rate."""
    check_non_negative("qualifying_years", qualifying_years)
    rules = rules_for("UK", on_date or dt.date.today())
    cite = CitationList(rules)
    full_rate = rules.value("new_state_pension_full_weekly")
    years_rule = rules.value("new_state_pension_qualifying_years")
    rate_ref, years_ref = cite("new_state_pension_full_weekly"), cite("new_state_pension_qualifying_years")
    if qualifying_years < years_rule["minimum"]:
        weekly, path = 0.0, f"{qualifying_years} qualifying years: fewer than {years_rule['minimum']}, no new State Pension"
    elif qualifying_years >= years_rule["full"]:
        weekly, path = full_rate, f"{qualifying_years} qualifying years: {years_rule['full']} or more, full rate"
    else:
        weekly = full_rate * qualifying_years / years_rule["full"]
        path = f"{qualifying_years} qualifying years: {qualifying_years}/{years_rule['full']} of the full rate"
    weekly = money(weekly)
    figures = [
        Figure(name="full_rate_weekly", label="Full new State Pension", value=money(full_rate), unit="GBP", period="week", citation=rate_ref),
        Figure(name="qualifying_years_for_full_rate", label="Qualifying years for the full rate", value=years_rule["full"], unit="years", citation=years_ref),
        Figure(name="minimum_qualifying_years", label="Minimum qualifying years for any new State Pension", value=years_rule["minimum"], unit="years", citation=years_ref),
        Figure(name="weekly_pension", label="Estimated new State Pension", value=weekly, unit="GBP", period="week", citation=rate_ref),
        Figure(name="annual_pension", label="Estimated new State Pension (52 weeks)", value=money(weekly * WEEKS_PER_YEAR), unit="GBP", period="year", citation=rate_ref),
    ]
    assumptions = [
        "All qualifying years are under the new State Pension rules; a starting amount from a pre-2016 record "
        "(contracting out, protected payment) is not modelled, so a GOV.UK forecast can differ.",
        f"Uses the {rules.tax_year} full rate; the rate is uprated each April.",
    ]
    return build_result("uk_new_state_pension", rules, cite, figures, assumptions, [path])


SPECS = [
    ToolSpec(
        name="uk_state_pension_age",
        country="UK",
        function=state_pension_age,
        args_schema=StatePensionAgeArgs,
        description=("United Kingdom: the member's State Pension age and the date they reach it, from their date of "
                     "birth, under current legislation (65 to 66 and 66 to 67 transitions)."),
        intents=(r"state pension age", r"\bSPA\b",
                 r"when (can|do|will|could) i (get|receive|claim|draw|start) (my |the )?state pension",
                 r"what age .*state pension"),
        member_args={"date_of_birth": "date_of_birth"},
        question_args={"date_of_birth": "date_of_birth", "on_date": "on_date"},
    ),
    ToolSpec(
        name="uk_new_state_pension",
        country="UK",
        function=new_state_pension,
        args_schema=NewStatePensionArgs,
        description=("United Kingdom: the weekly and annual new State Pension for a number of National Insurance "
                     "qualifying years (35 for the full rate, nothing below 10) at the tax year's full rate."),
        intents=(r"how much (new |basic )?state pension", r"(full|new) state pension", r"state pension (amount|rate|worth|forecast)",
                 r"qualifying years", r"national insurance (record|years|contributions?)",
                 r"state pension .*(how much|per week|a week|weekly)"),
        member_args={"qualifying_years": "ni_qualifying_years"},
        question_args={"qualifying_years": "years", "on_date": "on_date"},
    ),
]

"""United Kingdom: the extra State Pension for deferring it (the new State Pension rules for State Pension age from
6 April 2016, the older rules before). Figures come from rules/uk/<tax year>.yaml."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction
from typing import Annotated

from pydantic import Field

from .base import Calc, CalcResult, Figure, ToolError, add_months, amount_text, money
from .registry import TaxYearArg, calculator
from .uk import WEEKS_PER_YEAR, OnDate, new_state_pension_weekly, state_pension_band


def floor_pence(amount: float) -> float:
    """Down to the penny, as GOV.UK's deferral examples do (GBP 169.50 x 10.4% = 17.628 is shown as GBP 17.62)."""
    return float(Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_DOWN))


@calculator(
    name="uk_state_pension_deferral", country="UK", title="the extra State Pension for deferring it",
    rules=("state_pension_deferral", "new_state_pension_full_weekly", "new_state_pension_qualifying_years", "state_pension_age",
           "state_pension_age_67_to_68"),
    intents=(r"defer(ring|red|ral)?\b.*state pension", r"state pension\b.*\bdefer", r"(delay|put off|postpone)\w*\b.*state pension",
             r"state pension\b.*\b(delay|put off|postpone)"),
    member_args={"date_of_birth": "date_of_birth", "qualifying_years": "ni_qualifying_years"},
    question_args={"weekly_pension": "amount", "date_of_birth": "date_of_birth", "on_date": "on_date", "tax_year": "tax_year"},
)
def state_pension_deferral(
    weeks_deferred: Annotated[int, Field(ge=0, le=1040, description="Whole weeks the State Pension is (or will be) deferred after State Pension age. Default 52 (a year).")] = 52,
    weekly_pension: Annotated[float | None, Field(ge=0, description="The weekly State Pension being deferred, GBP. Default: the full new State Pension rate in force.")] = None,
    date_of_birth: Annotated[dt.date | None, Field(description="The member's date of birth; decides whether State Pension age falls before 6 April 2016 (older deferral rules) or on or after it.")] = None,
    state_pension_age_date: Annotated[dt.date | None, Field(description="The date the member reached (or reaches) State Pension age, when known; overrides date_of_birth for choosing the rules.")] = None,
    qualifying_years: Annotated[int | None, Field(ge=0, le=80, description="Qualifying years on the member's National Insurance record; when weekly_pension is not given, the new State Pension they give is the amount deferred.")] = None,
    on_date: OnDate = None,
    tax_year: TaxYearArg = None,
) -> CalcResult:
    """United Kingdom: how much a weekly State Pension rises when it is deferred for a number of weeks (the new State Pension rules for State Pension age from 6 April 2016, the older rules before), with the minimum deferral that earns anything."""
    calc = Calc("UK", on_date, tax_year)
    rule, ref = calc.value("state_pension_deferral"), calc.cite("state_pension_deferral")
    reached = state_pension_age_date
    if reached is None and date_of_birth is not None:
        if date_of_birth < dt.date(1953, 12, 6):
            raise ToolError("need_state_pension_date", "For people born before 6 December 1953 State Pension age "
                            "depended on sex, so I need the date you reached it to know which deferral rules apply.",
                            field="state_pension_age_date")
        band, key = state_pension_band(calc, date_of_birth)
        months = band["years"] * 12 + band["months"] if "reached_on" not in band else None
        reached = band["reached_on"] if months is None else add_months(date_of_birth, months)
    old = reached is not None and reached < rule["new_rules_from"]
    terms = rule["old" if old else "new"]
    if weekly_pension is None:
        if old:
            raise ToolError("missing_weekly_pension", "I need the weekly State Pension you are deferring: the full "
                            "new State Pension rate doesn't apply to people who reached State Pension age before 6 April 2016.",
                            field="weekly_pension")
        pension_ref = calc.cite("new_state_pension_full_weekly")
        if qualifying_years is None:
            weekly_pension = calc.value("new_state_pension_full_weekly")
            assumed = f"The weekly pension is the full new State Pension for {calc.tax_year}."
        else:
            weekly_pension, years_path = new_state_pension_weekly(calc, qualifying_years)
            calc.cite("new_state_pension_qualifying_years")
            assumed = f"The weekly pension is the new State Pension for {qualifying_years} qualifying years at the {calc.tax_year} rate ({years_path})."
    else:
        pension_ref, assumed = ref, None
    rules_words = "before 6 April 2016" if old else "on or after 6 April 2016"
    if reached is None:
        rules_words += " (assumed: no date of birth given)"
    counted = weeks_deferred if weeks_deferred >= terms["minimum_weeks"] else 0
    # Each week adds percent/per_weeks of 1% (1/9 of 1% under the new rules), worked exactly as a fraction.
    increase_share = Fraction(terms["percent"], 100) * Fraction(counted, terms["per_weeks"])
    extra = floor_pence(float(Fraction(str(weekly_pension)) * increase_share))
    path = [f"State Pension age {rules_words}: {terms['percent']}% for every {terms['per_weeks']} weeks, at least {terms['minimum_weeks']} weeks"]
    if weeks_deferred and not counted:
        path.append(f"{weeks_deferred} weeks is fewer than {terms['minimum_weeks']}: no increase")
    figures = [
        Figure(name="weeks_deferred", label="Weeks deferred", value=weeks_deferred, unit="weeks", citation=ref),
        Figure(name="minimum_weeks", label="Fewest weeks that earn an increase", value=terms["minimum_weeks"], unit="weeks", citation=ref),
        Figure(name="increase_percent", label="Increase to the weekly pension", value=round(float(increase_share) * 100, 4), unit="%", citation=ref),
        Figure(name="weekly_pension_before", label="Weekly State Pension before the increase", value=money(weekly_pension), unit="GBP", period="week", citation=pension_ref),
        Figure(name="extra_weekly", label="Extra State Pension a week", value=extra, unit="GBP", period="week", citation=ref),
        Figure(name="weekly_pension_after", label="Weekly State Pension with the increase", value=money(weekly_pension + extra), unit="GBP", period="week", citation=ref),
        Figure(name="extra_yearly", label="Extra State Pension for 52 weeks", value=money(extra * WEEKS_PER_YEAR), unit="GBP", period="year", citation=ref),
    ]
    assumptions = ["The State Pension is not uprated during the deferral; yearly increases would make the extra larger.",
                   "Weeks in prison or while you or your partner get certain benefits do not count.",
                   "Amounts are rounded down to the penny."]
    if old:
        assumptions.append("Under the older rules the extra can instead be taken as a one-off lump sum after 12 months; that option is not worked out here.")
    if assumed:
        assumptions.insert(0, assumed)
    if extra:
        summary = (f"Your State Pension would be {amount_text('GBP', extra)} a week higher if you defer it for {weeks_deferred} "
                   f"weeks ({round(float(increase_share) * 100, 2):g}% more).")
    else:
        summary = (f"You would get no extra State Pension for deferring {weeks_deferred} weeks: at least "
                   f"{terms['minimum_weeks']} weeks are needed.")
    return calc.result(figures, summary, assumptions, path)

"""United States: Social Security and 401(k) calculators. Figures come from rules/us/<year>.yaml."""

from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction

from pydantic import BaseModel, Field

from .base import (
    CalcResult, CitationList, Figure, RuleTable, ToolError, add_months, age_at_year_end, build_result, check_age,
    check_non_negative, money, rules_for,
)
from .registry import ToolSpec


def ssa_birth_year(date_of_birth: dt.date) -> int:
    """SSA treats someone born on 1 January as born in the previous year (they attain each age the day before)."""
    return date_of_birth.year - 1 if (date_of_birth.month, date_of_birth.day) == (1, 1) else date_of_birth.year


def full_retirement_age_months(rules: RuleTable, date_of_birth: dt.date) -> int:
    year = ssa_birth_year(date_of_birth)
    for band in rules.value("full_retirement_age"):
        if year >= band["birth_year_from"] and (band["birth_year_to"] is None or year <= band["birth_year_to"]):
            return band["years"] * 12 + band["months"]
    raise ToolError("not_modelled", "Full retirement age is modelled for people born in 1943 or later (SSA birth year).")


def benefit_factor(rules: RuleTable, fra_months: int, claim_months: int) -> Fraction:
    """Share of the PIA paid when benefits start at ``claim_months`` of age."""
    if claim_months < fra_months:
        early = rules.value("early_retirement_reduction")
        months_early = fra_months - claim_months
        first = min(months_early, early["first_months"])
        later = months_early - first
        return 1 - first * Fraction(early["first_rate_per_month"]) - later * Fraction(early["later_rate_per_month"])
    delayed = rules.value("delayed_retirement_credit")
    return 1 + (claim_months - fra_months) * Fraction(delayed["rate_per_month"])


def monthly_benefit(pia: float, factor: Fraction) -> float:
    amount = Fraction(str(pia)) * factor
    if factor < 1:
        # POMS RS 00615.101: reduced benefits are rounded down to the next lower dime.
        return math.floor(amount * 10) / 10
    return money(float(amount))


def years_months(months: int) -> str:
    return f"{months // 12} years {months % 12} months"


class SocialSecurityArgs(BaseModel):
    pia_monthly: float = Field(ge=0, description="Primary Insurance Amount: the monthly benefit at full retirement age, USD (from the SSA statement).")
    date_of_birth: dt.date = Field(description="The member's date of birth (YYYY-MM-DD).")
    claim_age_years: int | None = Field(default=None, description="Age in whole years when benefits start, 62 to 70. Default: full retirement age.")
    claim_age_months: int = Field(default=0, description="Extra months on top of claim_age_years, 0 to 11.")
    on_date: dt.date | None = Field(default=None, description="Date the question is about; picks the rule year. Default today.")


def social_security_benefit(pia_monthly: float, date_of_birth: dt.date, claim_age_years: int | None = None,
                            claim_age_months: int = 0, on_date: dt.date | None = None) -> CalcResult:
    """Monthly Social Security retirement benefit when claimed at a given age, from the PIA and date of birth."""
    check_non_negative("pia_monthly", pia_monthly)
    rules = rules_for("US", on_date or dt.date.today())
    cite = CitationList(rules)
    fra = full_retirement_age_months(rules, date_of_birth)
    earliest = rules.value("early_retirement_reduction")["earliest_claim_age_years"] * 12
    latest = rules.value("delayed_retirement_credit")["latest_claim_age_years"] * 12
    rule_path = [f"SSA birth year {ssa_birth_year(date_of_birth)}: full retirement age {years_months(fra)}"]
    if claim_age_years is None:
        claim = fra
        rule_path.append("no claiming age given: benefit at full retirement age")
    else:
        claim = claim_age_years * 12 + claim_age_months
        if not 0 <= claim_age_months <= 11 or not earliest <= claim <= latest:
            raise ToolError("claim_age_out_of_range",
                            "Retirement benefits can start from age 62 years 0 months to 70 years 0 months "
                            f"(claim_age_months 0-11); got {claim_age_years} years {claim_age_months} months.")
    fra_ref, early_ref, late_ref = cite("full_retirement_age"), cite("early_retirement_reduction"), cite("delayed_retirement_credit")
    factor = benefit_factor(rules, fra, claim)
    if claim < fra:
        rule_path.append(f"{fra - claim} months early: reduced 5/9 of 1% a month for up to 36 months, 5/12 of 1% beyond")
        ref = early_ref
    elif claim > fra:
        rule_path.append(f"{claim - fra} months delayed: credits of 2/3 of 1% a month")
        ref = late_ref
    else:
        rule_path.append("claimed at full retirement age: 100% of PIA")
        ref = fra_ref
    amount = monthly_benefit(pia_monthly, factor)
    figures = [
        Figure(name="full_retirement_age", label="Full retirement age", value=years_months(fra), unit="years", citation=fra_ref),
        Figure(name="full_retirement_age_months", label="Full retirement age in months", value=fra, unit="months", citation=fra_ref),
        Figure(name="full_retirement_date", label="Date full retirement age is reached", value=add_months(date_of_birth, fra).isoformat(), unit="date", citation=fra_ref),
        Figure(name="claim_age", label="Claiming age", value=years_months(claim), unit="years", citation=ref),
        Figure(name="months_from_fra", label="Months before (-) or after (+) full retirement age", value=claim - fra, unit="months", citation=ref),
        Figure(name="percent_of_pia", label="Benefit as a share of the PIA", value=round(float(factor) * 100, 4), unit="%", citation=ref),
        Figure(name="monthly_benefit", label="Monthly benefit at the claiming age", value=amount, unit="USD", period="month", citation=ref),
        Figure(name="annual_benefit", label="Benefit for 12 months at the claiming age", value=money(amount * 12), unit="USD", period="year", citation=ref),
        Figure(name="benefit_at_62", label="Monthly benefit if claimed at 62", value=monthly_benefit(pia_monthly, benefit_factor(rules, fra, earliest)), unit="USD", period="month", citation=early_ref),
        Figure(name="benefit_at_70", label="Monthly benefit if claimed at 70", value=monthly_benefit(pia_monthly, benefit_factor(rules, fra, latest)), unit="USD", period="month", citation=late_ref),
    ]
    assumptions = [
        "The PIA is in today's dollars; cost-of-living adjustments after today are not included.",
        "Reduced benefits are rounded down to the dime as SSA does; delayed amounts are shown to the cent.",
        "Delayed credits earned in the year benefits start are paid from the following January; the full amount is shown.",
        "The earnings test (benefits withheld when working before full retirement age) is not applied.",
    ]
    return build_result("us_social_security_benefit", rules, cite, figures, assumptions, rule_path)


class ContributionLimit401kArgs(BaseModel):
    age: int | None = Field(default=None, description="Age the member reaches by 31 December of the year asked about. Give this or date_of_birth.")
    date_of_birth: dt.date | None = Field(default=None, description="The member's date of birth (YYYY-MM-DD); used when age is not given.")
    on_date: dt.date | None = Field(default=None, description="Date the question is about; picks the calendar (plan) year. Default today.")


def contribution_limit_401k(age: int | None = None, date_of_birth: dt.date | None = None,
                            on_date: dt.date | None = None) -> CalcResult:
    """The employee elective deferral limit for a 401(k) in a year, with the catch-up the member's age allows."""
    rules = rules_for("US", on_date or dt.date.today())
    year = int(rules.tax_year)
    if age is None:
        if date_of_birth is None:
            raise ToolError("missing_age", "Give the member's age at the end of the year or their date_of_birth.")
        age = age_at_year_end(date_of_birth, year)
    check_age("age", age)
    cite = CitationList(rules)
    base = rules.value("elective_deferral_limit")
    if 60 <= age <= 63:
        key, path = "catch_up_limit_60_63", f"age {age} at the end of {year}: higher catch-up for ages 60 to 63"
    elif age >= 50:
        key, path = "catch_up_limit_50", f"age {age} at the end of {year}: age-50 catch-up"
    else:
        key, path = None, f"age {age} at the end of {year}: no catch-up (under 50)"
    catch_up = rules.value(key) if key else 0
    base_ref = cite("elective_deferral_limit")
    catch_ref = cite(key or "catch_up_limit_50")
    figures = [
        Figure(name="elective_deferral_limit", label="Employee elective deferral limit", value=money(base), unit="USD", period="year", citation=base_ref),
        Figure(name="catch_up_limit", label="Catch-up contribution allowed", value=money(catch_up), unit="USD", period="year", citation=catch_ref),
        Figure(name="total_employee_limit", label="Total employee contributions allowed", value=money(base + catch_up), unit="USD", period="year", citation=base_ref),
    ]
    assumptions = [
        "The limit covers the employee's pre-tax and Roth deferrals across all 401(k), 403(b) and similar plans; employer contributions are not included.",
        "Catch-up contributions need the plan to allow them; higher earners may have to make them as Roth contributions (threshold not modelled).",
    ]
    return build_result("us_401k_contribution_limit", rules, cite, figures, assumptions, [path])


SPECS = [
    ToolSpec(
        name="us_social_security_benefit",
        country="US",
        function=social_security_benefit,
        args_schema=SocialSecurityArgs,
        description=("United States: full retirement age from date of birth, and the monthly Social Security retirement "
                     "benefit when claimed at an age from 62y0m to 70y0m, given the Primary Insurance Amount (early "
                     "reduction and delayed retirement credits applied). Also gives the benefit at 62 and at 70."),
        intents=(r"social security", r"full retirement age", r"\bFRA\b", r"delayed retirement credit",
                 r"claim(ing)? (my )?(benefits?|ss)\b", r"\bPIA\b", r"primary insurance amount"),
        member_args={"pia_monthly": "ss_pia_monthly", "date_of_birth": "date_of_birth"},
        question_args={"claim_age_years": "claim_age_years", "claim_age_months": "claim_age_months",
                       "date_of_birth": "date_of_birth", "on_date": "on_date"},
    ),
    ToolSpec(
        name="us_401k_contribution_limit",
        country="US",
        function=contribution_limit_401k,
        args_schema=ContributionLimit401kArgs,
        description=("United States: how much an employee can defer into a 401(k) in a calendar year: the elective "
                     "deferral limit plus the age-50 catch-up or the higher age 60-63 catch-up, by the age reached "
                     "by 31 December."),
        intents=(r"401\s*\(?k\)?.*(limit|max|most|contribut|catch|defer|put in|save)",
                 r"(limit|max|most|contribut|catch|defer|put in|save).*401\s*\(?k\)?",
                 r"elective deferral", r"403\s*\(?b\)?.*(limit|max|contribut)"),
        member_args={"date_of_birth": "date_of_birth"},
        question_args={"age": "age", "date_of_birth": "date_of_birth", "on_date": "on_date"},
    ),
]

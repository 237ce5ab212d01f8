"""United States: Social Security and 401(k) calculators. Figures come from rules/us/<year>.yaml."""

from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction
from typing import Literal

from pydantic import BaseModel, Field

from .base import (
    CalcResult, CitationList, Figure, RuleTable, ToolError, add_months, age_at_year_end, age_on, build_result, check_age,
    check_non_negative, money, percent, rules_for,
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


class IraLimitArgs(BaseModel):
    age: int | None = Field(default=None, description="Age the member reaches by 31 December of the year asked about. Give this or date_of_birth.")
    date_of_birth: dt.date | None = Field(default=None, description="The member's date of birth; used when age is not given.")
    earned_income: float | None = Field(default=None, ge=0, description="Taxable compensation for the year, USD; contributions cannot exceed it.")
    on_date: dt.date | None = Field(default=None, description="Date the question is about; picks the tax year. Default today.")


def ira_contribution_limit(age: int | None = None, date_of_birth: dt.date | None = None, earned_income: float | None = None,
                           on_date: dt.date | None = None) -> CalcResult:
    """The IRA contribution limit for a year (traditional and Roth combined), with the age-50 catch-up."""
    rules = rules_for("US", on_date or dt.date.today())
    year = int(rules.tax_year)
    if age is None:
        if date_of_birth is None:
            raise ToolError("missing_age", "Give the member's age at the end of the year or their date_of_birth.")
        age = age_at_year_end(date_of_birth, year)
    check_age("age", age)
    cite = CitationList(rules)
    base, base_ref = rules.value("ira_contribution_limit"), cite("ira_contribution_limit")
    catch_ref = cite("ira_catch_up_50")
    catch_up = rules.value("ira_catch_up_50") if age >= 50 else 0
    total = base + catch_up
    path = [f"age {age} at the end of {year}: " + ("age-50 catch-up" if catch_up else "no catch-up (under 50)")]
    if earned_income is not None and earned_income < total:
        total = earned_income
        path.append("limited to taxable compensation")
    figures = [
        Figure(name="ira_limit", label="IRA contribution limit", value=money(base), unit="USD", period="year", citation=base_ref),
        Figure(name="ira_catch_up", label="IRA catch-up allowed", value=money(catch_up), unit="USD", period="year", citation=catch_ref),
        Figure(name="total_ira_limit", label="Total IRA contributions allowed", value=money(total), unit="USD", period="year", citation=base_ref),
    ]
    assumptions = ["The limit is shared by all traditional and Roth IRAs.",
                   "Income limits on Roth contributions and on deducting traditional IRA contributions are not modelled."]
    return build_result("us_ira_contribution_limit", rules, cite, figures, assumptions, path)


EXCEPTIONS = ("none", "disability", "death", "substantially_equal_payments")


class EarlyWithdrawalArgs(BaseModel):
    amount: float = Field(ge=0, description="Taxable amount withdrawn, USD.")
    account: Literal["401k", "ira"] = Field(default="401k", description="'401k' (employer plan, incl. 403(b)) or 'ira'.")
    date_of_birth: dt.date | None = Field(default=None, description="The member's date of birth; gives the exact 59 1/2 date. Give this or age.")
    age: float | None = Field(default=None, description="Age at the withdrawal in years (e.g. 57 or 59.5) when date_of_birth is not known.")
    separation_age: int | None = Field(default=None, description="Age in the calendar year the member left the employer sponsoring the plan (rule of 55), if they have left.")
    public_safety_employee: bool = Field(default=False, description="Qualified public safety employee of a governmental plan (rule applies from age 50).")
    exception: Literal["none", "disability", "death", "substantially_equal_payments"] = Field(default="none", description="Another exception that applies: disability, death (paid to a beneficiary) or a series of substantially equal periodic payments.")
    on_date: dt.date | None = Field(default=None, description="Date of the withdrawal; picks the tax year. Default today.")


def early_withdrawal_penalty(amount: float, account: str = "401k", date_of_birth: dt.date | None = None,
                             age: float | None = None, separation_age: int | None = None,
                             public_safety_employee: bool = False, exception: str = "none",
                             on_date: dt.date | None = None) -> CalcResult:
    """Whether the 10% additional tax on early distributions applies to a 401(k) or IRA withdrawal, and how much it is."""
    check_non_negative("amount", amount)
    on_date = on_date or dt.date.today()
    rules = rules_for("US", on_date)
    cite = CitationList(rules)
    rule, ref = rules.value("early_withdrawal"), cite("early_withdrawal")
    if date_of_birth is not None:
        reached_59_half = add_months(date_of_birth, rule["no_penalty_age_months"]) <= on_date
        age_text = f"age {age_on_months(date_of_birth, on_date) // 12}"
    elif age is not None:
        check_age("age", age)
        reached_59_half = age * 12 >= rule["no_penalty_age_months"]
        age_text = f"age {age:g}"
    else:
        raise ToolError("missing_age", "Give the member's date_of_birth or age at the withdrawal.")
    rule_of_55_age = rule["public_safety_separation_age"] if public_safety_employee else rule["separation_from_service_age"]
    if reached_59_half:
        penalty, path = False, f"{age_text}: 59 1/2 or older, no additional tax"
    elif exception != "none":
        penalty, path = False, f"{age_text}: exception for {exception.replace('_', ' ')}"
    elif account == "401k" and separation_age is not None and separation_age >= rule_of_55_age:
        penalty, path = False, f"left the employer in the year of age {separation_age}: separation-from-service exception (age {rule_of_55_age}+), plan withdrawals only"
    else:
        penalty, path = True, f"{age_text}: under 59 1/2 and no exception given: 10% additional tax"
        if account == "ira" and separation_age is not None:
            path += " (the age-55 separation rule does not apply to IRAs)"
    extra_tax = amount * rule["additional_tax_rate"] if penalty else 0.0
    figures = [
        Figure(name="additional_tax_rate", label="Additional tax on early distributions", value=percent(rule["additional_tax_rate"]), unit="%", citation=ref),
        Figure(name="additional_tax", label="Additional tax on this withdrawal", value=money(extra_tax), unit="USD", citation=ref),
        Figure(name="penalty_applies", label="Additional 10% tax applies", value="yes" if penalty else "no", unit="count", citation=ref),
    ]
    if date_of_birth is not None:
        figures.append(Figure(name="age_59_half_date", label="Date the member reaches 59 1/2", value=add_months(date_of_birth, rule["no_penalty_age_months"]).isoformat(), unit="date", citation=ref))
    assumptions = ["Ordinary income tax on the withdrawal is due as well and is not calculated here.",
                   "Other exceptions exist (e.g. some medical expenses, IRA first-home or education withdrawals); see the IRS list."]
    return build_result("us_early_withdrawal_penalty", rules, cite, figures, assumptions, [path])


def age_on_months(date_of_birth: dt.date, on_date: dt.date) -> int:
    months = (on_date.year - date_of_birth.year) * 12 + on_date.month - date_of_birth.month
    return months - (on_date.day < date_of_birth.day)


class RmdArgs(BaseModel):
    date_of_birth: dt.date = Field(description="The account owner's date of birth (YYYY-MM-DD).")
    balance: float = Field(default=0, ge=0, description="Account balance on 31 December of the previous year, USD.")
    on_date: dt.date | None = Field(default=None, description="Date in the distribution year asked about. Default today.")


def required_minimum_distribution(date_of_birth: dt.date, balance: float = 0, on_date: dt.date | None = None) -> CalcResult:
    """RMD start age by birth date, and the year's required minimum distribution from the Uniform Lifetime Table."""
    check_non_negative("balance", balance)
    rules = rules_for("US", on_date or dt.date.today())
    year = int(rules.tax_year)
    cite = CitationList(rules)
    start_ref, table_ref = cite("rmd_start_age"), cite("uniform_lifetime_table")
    band = next((b for b in rules.value("rmd_start_age")
                 if b["born_from"] <= date_of_birth and (b["born_to"] is None or date_of_birth <= b["born_to"])), None)
    if band is None:
        raise ToolError("not_modelled", "RMD start age is modelled for people born on or after 1 July 1949.")
    start_age = band["age"]
    first_year = date_of_birth.year + start_age
    age = age_at_year_end(date_of_birth, year)
    figures = [
        Figure(name="rmd_start_age", label="Age RMDs start", value=start_age, unit="years", citation=start_ref),
        Figure(name="first_rmd_year", label="First distribution year", value=first_year, unit="count", citation=start_ref),
        Figure(name="first_rmd_deadline", label="Deadline for the first RMD", value=dt.date(first_year + 1, 4, 1).isoformat(), unit="date", citation=start_ref),
    ]
    if year < first_year:
        path = [f"age {age} at the end of {year}: before the first distribution year ({first_year})"]
        figures.append(Figure(name="rmd_amount", label=f"RMD for {year}", value=0.0, unit="USD", period="year", citation=start_ref))
    else:
        table = rules.value("uniform_lifetime_table")
        period = table[min(max(age, min(table)), max(table))]
        path = [f"age {age} at the end of {year}: distribution period {period}"]
        figures += [
            Figure(name="distribution_period", label="Uniform Lifetime Table distribution period", value=period, unit="years", citation=table_ref),
            Figure(name="rmd_amount", label=f"RMD for {year}", value=money(balance / period), unit="USD", period="year", citation=table_ref),
        ]
    assumptions = ["Uses the Uniform Lifetime Table: not for a sole beneficiary spouse more than 10 years younger, nor for inherited accounts.",
                   "Later RMDs are due by 31 December; a first RMD delayed to 1 April means two in that year.",
                   "Roth IRAs have no lifetime RMDs; a still-working employee may delay RMDs from the current employer's plan."]
    return build_result("us_required_minimum_distribution", rules, cite, figures, assumptions, path)


class Projection401kArgs(BaseModel):
    balance: float = Field(ge=0, description="Current 401(k) balance, USD.")
    salary: float = Field(default=0, ge=0, description="Annual salary, USD.")
    years: int | None = Field(default=None, ge=0, le=60, description="Years to project. Default: until retirement_age, from date_of_birth.")
    date_of_birth: dt.date | None = Field(default=None, description="The member's date of birth; used for catch-up eligibility and when years is not given.")
    retirement_age: int = Field(default=67, ge=40, le=80, description="Age the projection runs to when years is not given (assumption, default 67).")
    employee_rate: float = Field(default=0.06, ge=0, le=1, description="Employee deferral as a ratio of salary (0.06 = 6%), capped at each year's limit.")
    employer_rate: float = Field(default=0.0, ge=0, le=1, description="Employer contribution as a ratio of salary.")
    annual_return: float = Field(default=0.06, ge=-0.5, le=0.5, description="Assumed investment return a year net of fees, as a ratio.")
    on_date: dt.date | None = Field(default=None, description="Date the projection starts; picks the limits. Default today.")


def project_401k(balance: float, salary: float = 0, years: int | None = None, date_of_birth: dt.date | None = None,
                 retirement_age: int = 67, employee_rate: float = 0.06, employer_rate: float = 0.0,
                 annual_return: float = 0.06, on_date: dt.date | None = None) -> CalcResult:
    """Project a 401(k) balance with capped employee deferrals and employer contributions at a stated return."""
    check_non_negative("balance", balance)
    check_non_negative("salary", salary)
    on_date = on_date or dt.date.today()
    rules = rules_for("US", on_date)
    year0 = int(rules.tax_year)
    if years is None:
        if date_of_birth is None:
            raise ToolError("missing_years", "Give the number of years to project or the member's date_of_birth.")
        years = max(0, retirement_age - age_on(date_of_birth, on_date))
    cite = CitationList(rules)
    limit_ref = cite("elective_deferral_limit")
    total_in, capped = 0.0, False
    for n in range(years):
        age = age_at_year_end(date_of_birth, year0 + n) if date_of_birth else None
        limit = contribution_limit_401k(age=age, on_date=on_date).figure("total_employee_limit").value if age else rules.value("elective_deferral_limit")
        deferral = salary * employee_rate
        if deferral > limit:
            deferral, capped = limit, True
        contribution = deferral + salary * employer_rate
        # Contributions are spread through the year, so on average they earn half a year's return.
        balance = balance * (1 + annual_return) + contribution * (1 + annual_return / 2)
        total_in += contribution
    figures = [
        Figure(name="years", label="Years projected", value=years, unit="years", citation=limit_ref),
        Figure(name="total_contributions", label="Employee and employer contributions, all years", value=money(total_in), unit="USD", citation=limit_ref),
        Figure(name="projected_balance", label="Projected balance (not adjusted for inflation)", value=money(balance), unit="USD", citation=limit_ref),
    ]
    assumptions = [f"Return {annual_return * 100:g}% a year net of fees, constant; returns are not guaranteed.",
                   f"Salary and the {rules.tax_year} contribution limits are held flat for every year (limits are really indexed).",
                   "Amounts are in future dollars, not adjusted for inflation; taxes on withdrawal are ignored."]
    path = [f"{years} years at {annual_return * 100:g}%"] + (["employee deferrals capped at the annual limit"] if capped else [])
    return build_result("us_401k_projection", rules, cite, figures, assumptions, path)


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
    ToolSpec(
        name="us_ira_contribution_limit",
        country="US",
        function=ira_contribution_limit,
        args_schema=IraLimitArgs,
        description=("United States: the IRA contribution limit for a tax year (traditional and Roth combined) with the "
                     "age-50 catch-up, limited to taxable compensation when given."),
        intents=(r"\bIRA\b.*(limit|max|most|contribut|catch|put in)", r"(limit|max|most|contribut|catch|put in).*\bIRA\b",
                 r"roth .*(limit|max|contribut)"),
        member_args={"date_of_birth": "date_of_birth", "earned_income": "annual_salary"},
        question_args={"age": "age", "date_of_birth": "date_of_birth", "on_date": "on_date"},
    ),
    ToolSpec(
        name="us_early_withdrawal_penalty",
        country="US",
        function=early_withdrawal_penalty,
        args_schema=EarlyWithdrawalArgs,
        description=("United States: whether the 10% additional tax on early distributions applies to a 401(k) or IRA "
                     "withdrawal (under 59 1/2; rule of 55 for plans; disability, death and substantially-equal-payment "
                     "exceptions), and the amount."),
        intents=(r"early withdrawal", r"(withdraw|take out|cash out|tap).*(401\s*\(?k\)?|\bIRA\b).*(penalt|before|early|59)",
                 r"10\s?% (penalty|additional tax)", r"59\s?(1/2|½|and a half|\.5)", r"rule of 55", r"penalt.*(401\s*\(?k\)?|\bIRA\b)"),
        member_args={"date_of_birth": "date_of_birth", "amount": "pension_balance"},
        question_args={"amount": "amount", "age": "age", "date_of_birth": "date_of_birth", "on_date": "on_date"},
    ),
    ToolSpec(
        name="us_required_minimum_distribution",
        country="US",
        function=required_minimum_distribution,
        args_schema=RmdArgs,
        description=("United States: the age required minimum distributions (RMDs) start by date of birth (72, 73 or 75), "
                     "the first RMD deadline, and the year's RMD from the prior year-end balance and the Uniform Lifetime Table."),
        intents=(r"\bRMDs?\b", r"required minimum distribution", r"minimum distribution", r"have to (start )?(withdraw|take).*(401|IRA|retirement account)"),
        member_args={"date_of_birth": "date_of_birth", "balance": "pension_balance"},
        question_args={"balance": "amount", "date_of_birth": "date_of_birth", "on_date": "on_date"},
    ),
    ToolSpec(
        name="us_401k_projection",
        country="US",
        function=project_401k,
        args_schema=Projection401kArgs,
        description=("United States: project a 401(k) balance with employee deferrals (capped at each year's limit incl. "
                     "catch-up) and employer contributions at a stated return, to a number of years or a retirement age."),
        intents=(r"(project|projection|forecast|grow|growth).*401\s*\(?k\)?", r"401\s*\(?k\)? .*(be worth|have) .*(retire|when i'?m|at \d\d)",
                 r"how much will (i|my 401\s*\(?k\)?) have"),
        member_args={"balance": "pension_balance", "salary": "annual_salary", "date_of_birth": "date_of_birth"},
        question_args={"years": "years", "salary": "salary", "date_of_birth": "date_of_birth", "on_date": "on_date"},
    ),
]

"""United States: Social Security and 401(k) calculators. Figures come from rules/us/<year>.yaml."""

from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction
from typing import Annotated, Literal

from pydantic import Field

from .base import (
    Calc, CalcResult, Figure, ToolError, add_months, age_at_year_end, age_from, age_text, amount_text, check_age,
    date_text, money, percent, years_until,
)
from .registry import ProjectionYears, RetirementAge, TaxYearArg, calculator

DateOfBirth = Annotated[dt.date, Field(description="The member's date of birth (YYYY-MM-DD).")]
AgeAtYearEnd = Annotated[int | None, Field(description="Age the member reaches by 31 December of the year asked about. Give this or date_of_birth.")]


def ssa_birth_year(date_of_birth: dt.date) -> int:
    """SSA treats someone born on 1 January as born in the previous year (they attain each age the day before)."""
    return date_of_birth.year - 1 if (date_of_birth.month, date_of_birth.day) == (1, 1) else date_of_birth.year


def full_retirement_age_months(calc: Calc, date_of_birth: dt.date) -> int:
    year = ssa_birth_year(date_of_birth)
    for band in calc.value("full_retirement_age"):
        if year >= band["birth_year_from"] and (band["birth_year_to"] is None or year <= band["birth_year_to"]):
            return band["years"] * 12 + band["months"]
    raise ToolError("not_modelled", "Full retirement age is only covered for people born in 1943 or later.", field="date_of_birth")


def benefit_factor(calc: Calc, fra_months: int, claim_months: int) -> Fraction:
    """Share of the PIA paid when benefits start at ``claim_months`` of age (credits stop at the latest claiming age)."""
    if claim_months < fra_months:
        early = calc.value("early_retirement_reduction")
        months_early = fra_months - claim_months
        first = min(months_early, early["first_months"])
        later = months_early - first
        return 1 - first * Fraction(early["first_rate_per_month"]) - later * Fraction(early["later_rate_per_month"])
    delayed = calc.value("delayed_retirement_credit")
    credited = min(claim_months, delayed["latest_claim_age_years"] * 12) - fra_months
    return 1 + max(0, credited) * Fraction(delayed["rate_per_month"])


def monthly_benefit(pia: float, factor: Fraction) -> float:
    amount = Fraction(str(pia)) * factor
    if factor < 1:
        # POMS RS 00615.101: reduced benefits are rounded down to the next lower dime.
        return math.floor(amount * 10) / 10
    return money(float(amount))


def years_months(months: int) -> str:
    return f"{months // 12} years {months % 12} months"


@calculator(
    name="us_social_security_benefit", country="US", title="your Social Security benefit",
    rules=("full_retirement_age", "early_retirement_reduction", "delayed_retirement_credit"),
    intents=(r"social security", r"full retirement age", r"\bFRA\b", r"delayed retirement credit",
             r"claim(ing)? (my )?(benefits?|ss)\b", r"\bPIA\b", r"primary insurance amount"),
    member_args={"pia_monthly": "ss_pia_monthly", "date_of_birth": "date_of_birth"},
    question_args={"claim_age_years": "claim_age_years", "claim_age_months": "claim_age_months",
                   "date_of_birth": "date_of_birth", "on_date": "on_date", "tax_year": "tax_year"},
)
def social_security_benefit(
    pia_monthly: Annotated[float, Field(ge=0, description="Primary Insurance Amount: the monthly benefit at full retirement age, USD (from the SSA statement).")],
    date_of_birth: DateOfBirth,
    claim_age_years: Annotated[int | None, Field(description="Age in whole years when benefits start, from the earliest claiming age (claiming after the age delayed credits stop adds nothing). Default: full retirement age.")] = None,
    claim_age_months: Annotated[int, Field(description="Extra months on top of claim_age_years, 0 to 11.")] = 0,
    on_date: Annotated[dt.date | None, Field(description="Date the question is about; picks the rule year. Default today.")] = None,
    tax_year: TaxYearArg = None,
) -> CalcResult:
    """United States: full retirement age from date of birth, and the monthly Social Security retirement benefit when claimed at a given age, given the Primary Insurance Amount (early reduction and delayed retirement credits applied; credits stop at the latest claiming age). Also gives the benefit at the earliest and latest claiming ages."""
    calc = Calc("US", on_date, tax_year)
    fra = full_retirement_age_months(calc, date_of_birth)
    earliest = calc.value("early_retirement_reduction")["earliest_claim_age_years"] * 12
    latest = calc.value("delayed_retirement_credit")["latest_claim_age_years"] * 12
    fra_ref, early_ref, late_ref = calc.cite("full_retirement_age"), calc.cite("early_retirement_reduction"), calc.cite("delayed_retirement_credit")
    rule_path = [f"SSA birth year {ssa_birth_year(date_of_birth)}: full retirement age {years_months(fra)}"]
    if claim_age_years is None:
        claim = fra
        rule_path.append("no claiming age given: benefit at full retirement age")
    else:
        claim = claim_age_years * 12 + claim_age_months
        if not 0 <= claim_age_months <= 11:
            raise ToolError("claim_age_out_of_range", f"The extra months must be 0 to 11; {claim_age_months} was given.",
                            field="claim_age_months")
        if claim < earliest:
            raise ToolError("claim_age_out_of_range", f"Retirement benefits can start from age {earliest // 12} at the "
                            f"earliest; {claim_age_years} years {claim_age_months} months was given.", field="claim_age_years")
        check_age(claim_age_years)
    factor = benefit_factor(calc, fra, claim)
    if claim < fra:
        rule_path.append(f"{fra - claim} months early: reduced 5/9 of 1% a month for up to 36 months, 5/12 of 1% beyond")
        ref = early_ref
    elif claim > latest:
        rule_path.append(f"claimed after age {latest // 12}: credits stop at {latest // 12}, so the benefit is the age-{latest // 12} amount")
        ref = late_ref
    elif claim > fra:
        rule_path.append(f"{claim - fra} months delayed: credits of 2/3 of 1% a month")
        ref = late_ref
    else:
        rule_path.append("claimed at full retirement age: 100% of PIA")
        ref = fra_ref
    amount = monthly_benefit(pia_monthly, factor)
    share = round(float(factor) * 100, 4)
    figures = [
        Figure(name="full_retirement_age", label="Full retirement age", value=years_months(fra), unit="years", citation=fra_ref),
        Figure(name="full_retirement_age_months", label="Full retirement age in months", value=fra, unit="months", citation=fra_ref),
        Figure(name="full_retirement_date", label="Date full retirement age is reached", value=add_months(date_of_birth, fra).isoformat(), unit="date", citation=fra_ref),
        Figure(name="claim_age", label="Claiming age", value=years_months(claim), unit="years", citation=ref),
        Figure(name="months_from_fra", label="Months before (-) or after (+) full retirement age", value=claim - fra, unit="months", citation=ref),
        Figure(name="percent_of_pia", label="Benefit as a share of the PIA", value=share, unit="%", citation=ref),
        Figure(name="monthly_benefit", label="Monthly benefit at the claiming age", value=amount, unit="USD", period="month", citation=ref),
        Figure(name="annual_benefit", label="Benefit for 12 months at the claiming age", value=money(amount * 12), unit="USD", period="year", citation=ref),
        Figure(name="benefit_at_62", label=f"Monthly benefit if claimed at {earliest // 12}", value=monthly_benefit(pia_monthly, benefit_factor(calc, fra, earliest)), unit="USD", period="month", citation=early_ref),
        Figure(name="benefit_at_70", label=f"Monthly benefit if claimed at {latest // 12}", value=monthly_benefit(pia_monthly, benefit_factor(calc, fra, latest)), unit="USD", period="month", citation=late_ref),
    ]
    assumptions = [
        "The PIA is in today's dollars; cost-of-living adjustments after today are not included.",
        "Reduced benefits are rounded down to the dime as SSA does; delayed amounts are shown to the cent.",
        "Delayed credits earned in the year benefits start are paid from the following January; the full amount is shown.",
        "The earnings test (benefits withheld when working before full retirement age) is not applied.",
    ]
    summary = (f"Starting at {age_text(claim)}, your Social Security would be {amount_text('USD', amount)} a month "
               f"({round(share, 2):g}% of your PIA); your full retirement age is {age_text(fra)}.")
    return calc.result(figures, summary, assumptions, rule_path)


def age_this_year(calc: Calc, age: int | None, date_of_birth: dt.date | None) -> int:
    """``age`` if given, else the age reached by 31 December of the year asked about (how US limits count age)."""
    year = calc.on_date.year
    return age_from(age, date_of_birth, calc.on_date, what="your age at the end of the year",
                    counted=lambda born: age_at_year_end(born, year))


def employee_limit(calc: Calc, age: int) -> tuple[float, float, str | None, str]:
    """The elective deferral limit, the catch-up an age allows, the catch-up's key and the branch taken."""
    base = calc.value("elective_deferral_limit")
    if 60 <= age <= 63:
        key, path = "catch_up_limit_60_63", "higher catch-up for ages 60 to 63"
        if calc.value(key) == calc.value("catch_up_limit_50"):  # before 2025 there was no higher catch-up
            path = "age-50 catch-up (no higher catch-up for ages 60 to 63 that year)"
    elif age >= 50:
        key, path = "catch_up_limit_50", "age-50 catch-up"
    else:
        key, path = None, "no catch-up (under 50)"
    return base, calc.value(key) if key else 0.0, key, path


@calculator(
    name="us_401k_contribution_limit", country="US", title="your 401(k) contribution limit",
    rules=("elective_deferral_limit", "catch_up_limit_50", "catch_up_limit_60_63"),
    intents=(r"401\s*\(?k\)?.*(limit|max|most|contribut|catch|defer|put in|save)",
             r"(limit|max|most|contribut|catch|defer|put in|save).*401\s*\(?k\)?",
             r"elective deferral", r"403\s*\(?b\)?.*(limit|max|contribut)"),
    member_args={"date_of_birth": "date_of_birth"},
    question_args={"age": "age", "date_of_birth": "date_of_birth", "on_date": "on_date", "tax_year": "tax_year"},
)
def contribution_limit_401k(
    age: AgeAtYearEnd = None,
    date_of_birth: Annotated[dt.date | None, Field(description="The member's date of birth (YYYY-MM-DD); used when age is not given.")] = None,
    on_date: Annotated[dt.date | None, Field(description="Date the question is about; picks the calendar (plan) year. Default today.")] = None,
    tax_year: TaxYearArg = None,
) -> CalcResult:
    """United States: how much an employee can defer into a 401(k) in a calendar year: the elective deferral limit plus the catch-up the age reached by 31 December allows."""
    calc = Calc("US", on_date, tax_year)
    year, age = calc.on_date.year, age_this_year(calc, age, date_of_birth)
    base, catch_up, key, branch = employee_limit(calc, age)
    base_ref = calc.cite("elective_deferral_limit")
    catch_ref = calc.cite(key or "catch_up_limit_50")
    total = money(base + catch_up)
    figures = [
        Figure(name="elective_deferral_limit", label="Employee elective deferral limit", value=money(base), unit="USD", period="year", citation=base_ref),
        Figure(name="catch_up_limit", label="Catch-up contribution allowed", value=money(catch_up), unit="USD", period="year", citation=catch_ref),
        Figure(name="total_employee_limit", label="Total employee contributions allowed", value=total, unit="USD", period="year", citation=base_ref),
    ]
    assumptions = [
        "The limit covers the employee's pre-tax and Roth deferrals across all 401(k), 403(b) and similar plans; employer contributions are not included.",
        "Catch-up contributions need the plan to allow them; higher earners may have to make them as Roth contributions (threshold not modelled).",
    ]
    summary = f"You can defer up to {amount_text('USD', total)} into your 401(k) in {year}"
    summary += f", including a {amount_text('USD', catch_up)} catch-up." if catch_up else "."
    return calc.result(figures, summary, assumptions, [f"age {age} at the end of {year}: {branch}"])


@calculator(
    name="us_ira_contribution_limit", country="US", title="your IRA contribution limit",
    rules=("ira_contribution_limit", "ira_catch_up_50"),
    intents=(r"\bIRA\b.*(limit|max|most|contribut|catch|put in)", r"(limit|max|most|contribut|catch|put in).*\bIRA\b",
             r"roth .*(limit|max|contribut)"),
    member_args={"date_of_birth": "date_of_birth", "earned_income": "annual_salary"},
    question_args={"age": "age", "date_of_birth": "date_of_birth", "on_date": "on_date", "tax_year": "tax_year"},
)
def ira_contribution_limit(
    age: AgeAtYearEnd = None,
    date_of_birth: Annotated[dt.date | None, Field(description="The member's date of birth; used when age is not given.")] = None,
    earned_income: Annotated[float | None, Field(ge=0, description="Taxable compensation for the year, USD; contributions cannot exceed it.")] = None,
    on_date: Annotated[dt.date | None, Field(description="Date the question is about; picks the tax year. Default today.")] = None,
    tax_year: TaxYearArg = None,
) -> CalcResult:
    """United States: the IRA contribution limit for a tax year (traditional and Roth combined) with the age-50 catch-up, limited to taxable compensation when given."""
    calc = Calc("US", on_date, tax_year)
    year, age = calc.on_date.year, age_this_year(calc, age, date_of_birth)
    base, base_ref = calc.value("ira_contribution_limit"), calc.cite("ira_contribution_limit")
    catch_ref = calc.cite("ira_catch_up_50")
    catch_up = calc.value("ira_catch_up_50") if age >= 50 else 0
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
    summary = f"You can contribute up to {amount_text('USD', money(total))} to your IRAs for {year}."
    return calc.result(figures, summary, assumptions, path)


@calculator(
    name="us_early_withdrawal_penalty", country="US", title="the early withdrawal tax", rules=("early_withdrawal",),
    intents=(r"early withdrawal", r"(withdraw|take out|cash out|tap).*(401\s*\(?k\)?|\bIRA\b).*(penalt|before|early|59)",
             r"10\s?% (penalty|additional tax)", r"59\s?(1/2|½|and a half|\.5)", r"rule of 55", r"penalt.*(401\s*\(?k\)?|\bIRA\b)"),
    member_args={"date_of_birth": "date_of_birth", "amount": "pension_balance"},
    question_args={"amount": "amount", "age": "age", "date_of_birth": "date_of_birth", "on_date": "on_date", "tax_year": "tax_year"},
)
def early_withdrawal_penalty(
    amount: Annotated[float, Field(ge=0, description="Taxable amount withdrawn, USD.")],
    account: Annotated[Literal["401k", "ira"], Field(description="'401k' (employer plan, incl. 403(b)) or 'ira'.")] = "401k",
    date_of_birth: Annotated[dt.date | None, Field(description="The member's date of birth; gives the exact no-penalty date. Give this or age.")] = None,
    age: Annotated[float | None, Field(description="Age at the withdrawal in years (e.g. 57 or 59.5) when date_of_birth is not known.")] = None,
    separation_age: Annotated[int | None, Field(description="Age in the calendar year the member left the employer sponsoring the plan (rule of 55), if they have left.")] = None,
    public_safety_employee: Annotated[bool, Field(description="Qualified public safety employee of a governmental plan (the separation-from-service exception then starts at a younger age).")] = False,
    exception: Annotated[Literal["none", "disability", "death", "substantially_equal_payments"], Field(description="Another exception that applies: disability, death (paid to a beneficiary) or a series of substantially equal periodic payments.")] = "none",
    on_date: Annotated[dt.date | None, Field(description="Date of the withdrawal; picks the tax year. Default today.")] = None,
    tax_year: TaxYearArg = None,
) -> CalcResult:
    """United States: whether the additional tax on early distributions applies to a 401(k) or IRA withdrawal (before the no-penalty age; the separation-from-service rule for plans; disability, death and substantially-equal-payment exceptions), and the amount."""
    calc = Calc("US", on_date, tax_year)
    rule, ref = calc.value("early_withdrawal"), calc.cite("early_withdrawal")
    no_penalty = rule["no_penalty_age_months"]
    no_penalty_words = f"{no_penalty // 12}{' 1/2' if no_penalty % 12 == 6 else ''}"
    if date_of_birth is not None:
        reached = add_months(date_of_birth, no_penalty) <= calc.on_date
        age_text = f"age {age_on_months(date_of_birth, calc.on_date) // 12}"
    elif age is not None:
        check_age(age)
        reached = age * 12 >= no_penalty
        age_text = f"age {age:g}"
    else:
        raise ToolError("missing_age", "I need your date of birth or your age at the withdrawal.", field="date_of_birth")
    rule_of_55_age = rule["public_safety_separation_age"] if public_safety_employee else rule["separation_from_service_age"]
    if reached:
        penalty, path, why = False, f"{age_text}: {no_penalty_words} or older, no additional tax", f"you are {no_penalty_words} or older"
    elif exception != "none":
        words = exception.replace("_", " ")
        penalty, path, why = False, f"{age_text}: exception for {words}", f"the exception for {words} applies"
    elif account == "401k" and separation_age is not None and separation_age >= rule_of_55_age:
        penalty = False
        path = f"left the employer in the year of age {separation_age}: separation-from-service exception (age {rule_of_55_age}+), plan withdrawals only"
        why = f"you left your employer in or after the year you turned {rule_of_55_age}"
    else:
        penalty, path, why = True, f"{age_text}: under {no_penalty_words} and no exception given: additional tax applies", ""
        if account == "ira" and separation_age is not None:
            path += " (the age-55 separation rule does not apply to IRAs)"
    rate = rule["additional_tax_rate"]
    extra_tax = money(amount * rate) if penalty else 0.0
    figures = [
        Figure(name="additional_tax_rate", label="Additional tax on early distributions", value=percent(rate), unit="%", citation=ref),
        Figure(name="additional_tax", label="Additional tax on this withdrawal", value=extra_tax, unit="USD", citation=ref),
        Figure(name="penalty_applies", label=f"Additional {percent(rate):g}% tax applies", value="yes" if penalty else "no", unit="count", citation=ref),
    ]
    if date_of_birth is not None:
        figures.append(Figure(name="age_59_half_date", label=f"Date you reach {no_penalty_words}", value=add_months(date_of_birth, no_penalty).isoformat(), unit="date", citation=ref))
    assumptions = ["Ordinary income tax on the withdrawal is due as well and is not calculated here.",
                   "Other exceptions exist (e.g. some medical expenses, IRA first-home or education withdrawals); see the IRS list."]
    if penalty:
        summary = f"The additional {percent(rate):g}% tax applies: {amount_text('USD', extra_tax)} on this withdrawal."
    else:
        summary = f"No additional tax applies to this withdrawal: {why}."
    return calc.result(figures, summary, assumptions, [path])


def age_on_months(date_of_birth: dt.date, on_date: dt.date) -> int:
    months = (on_date.year - date_of_birth.year) * 12 + on_date.month - date_of_birth.month
    return months - (on_date.day < date_of_birth.day)


@calculator(
    name="us_required_minimum_distribution", country="US", title="your required minimum distribution",
    rules=("rmd_start_age", "uniform_lifetime_table"),
    intents=(r"\bRMDs?\b", r"required minimum distribution", r"minimum distribution", r"have to (start )?(withdraw|take).*(401|IRA|retirement account)"),
    member_args={"date_of_birth": "date_of_birth", "balance": "pension_balance"},
    question_args={"balance": "amount", "date_of_birth": "date_of_birth", "on_date": "on_date", "tax_year": "tax_year"},
)
def required_minimum_distribution(
    date_of_birth: Annotated[dt.date, Field(description="The account owner's date of birth (YYYY-MM-DD).")],
    balance: Annotated[float, Field(ge=0, description="Account balance on 31 December of the previous year, USD.")] = 0,
    on_date: Annotated[dt.date | None, Field(description="Date in the distribution year asked about. Default today.")] = None,
    tax_year: TaxYearArg = None,
) -> CalcResult:
    """United States: the age required minimum distributions (RMDs) start by date of birth, the first RMD deadline, and the year's RMD from the prior year-end balance and the Uniform Lifetime Table."""
    calc = Calc("US", on_date, tax_year)
    year = calc.on_date.year
    start_ref, table_ref = calc.cite("rmd_start_age"), calc.cite("uniform_lifetime_table")
    band = next(b for b in calc.value("rmd_start_age")
                if (b["born_from"] is None or b["born_from"] <= date_of_birth) and (b["born_to"] is None or date_of_birth <= b["born_to"]))
    start_age = band["age"]
    # The first distribution year is the year the owner reaches the start age (70 1/2 counts in months).
    first_year = add_months(date_of_birth, round(start_age * 12)).year
    deadline = dt.date(first_year + 1, 4, 1)
    age = age_at_year_end(date_of_birth, year)
    start_words = "70 1/2" if start_age == 70.5 else f"{start_age:g}"
    figures = [
        Figure(name="rmd_start_age", label="Age RMDs start", value=start_age, unit="years", citation=start_ref),
        Figure(name="first_rmd_year", label="First distribution year", value=first_year, unit="count", citation=start_ref),
        Figure(name="first_rmd_deadline", label="Deadline for the first RMD", value=deadline.isoformat(), unit="date", citation=start_ref),
    ]
    if year < first_year:
        path = [f"age {age} at the end of {year}: before the first distribution year ({first_year})"]
        figures.append(Figure(name="rmd_amount", label=f"RMD for {year}", value=0.0, unit="USD", period="year", citation=start_ref))
        summary = (f"Your RMDs start at age {start_words}: your first distribution year is {first_year}, "
                   f"due by {date_text(deadline)}; nothing is required for {year}.")
    else:
        table = calc.value("uniform_lifetime_table")
        period = table[min(max(age, min(table)), max(table))]
        amount = money(balance / period)
        path = [f"age {age} at the end of {year}: distribution period {period}"]
        figures += [
            Figure(name="distribution_period", label="Uniform Lifetime Table distribution period", value=period, unit="years", citation=table_ref),
            Figure(name="rmd_amount", label=f"RMD for {year}", value=amount, unit="USD", period="year", citation=table_ref),
        ]
        summary = f"Your required minimum distribution for {year} is {amount_text('USD', amount)} (your balance divided by {period:g})."
    assumptions = ["Uses the Uniform Lifetime Table: not for a sole beneficiary spouse more than 10 years younger, nor for inherited accounts.",
                   "Later RMDs are due by 31 December; a first RMD delayed to 1 April means two in that year.",
                   "Roth IRAs have no lifetime RMDs; a still-working employee may delay RMDs from the current employer's plan."]
    return calc.result(figures, summary, assumptions, path)


@calculator(
    name="us_401k_projection", country="US", title="a projection of your 401(k)",
    rules=("elective_deferral_limit", "catch_up_limit_50", "catch_up_limit_60_63"),
    intents=(r"(project|projection|forecast|grow|growth).*401\s*\(?k\)?", r"401\s*\(?k\)? .*(be worth|have) .*(retire|when i'?m|at \d\d)",
             r"how much will (i|my 401\s*\(?k\)?) have"),
    member_args={"balance": "pension_balance", "salary": "annual_salary", "date_of_birth": "date_of_birth"},
    question_args={"years": "years", "salary": "salary", "date_of_birth": "date_of_birth", "on_date": "on_date", "tax_year": "tax_year"},
)
def project_401k(
    balance: Annotated[float, Field(ge=0, description="Current 401(k) balance, USD.")],
    salary: Annotated[float, Field(ge=0, description="Annual salary, USD.")] = 0,
    years: ProjectionYears = None,
    date_of_birth: Annotated[dt.date | None, Field(description="The member's date of birth; used for catch-up eligibility and when years is not given.")] = None,
    retirement_age: RetirementAge = 67,
    employee_rate: Annotated[float, Field(ge=0, le=1, description="Employee deferral as a ratio of salary (0.06 = 6%), capped at each year's limit.")] = 0.06,
    employer_rate: Annotated[float, Field(ge=0, le=1, description="Employer contribution as a ratio of salary.")] = 0.0,
    annual_return: Annotated[float, Field(ge=-0.5, le=0.5, description="Assumed investment return a year net of fees, as a ratio.")] = 0.06,
    on_date: Annotated[dt.date | None, Field(description="Date the projection starts; picks the limits. Default today.")] = None,
    tax_year: TaxYearArg = None,
) -> CalcResult:
    """United States: project a 401(k) balance with employee deferrals (capped at each year's limit incl. catch-up) and employer contributions at a stated return, to a number of years or a retirement age."""
    calc = Calc("US", on_date, tax_year)
    year0 = calc.on_date.year
    years = years_until(years, date_of_birth, retirement_age, calc.on_date)
    limit_ref = calc.cite("elective_deferral_limit")
    total_in, capped = 0.0, False
    for n in range(years):
        if date_of_birth:
            base, catch_up, _, _ = employee_limit(calc, age_at_year_end(date_of_birth, year0 + n))
            limit = base + catch_up
        else:
            limit = calc.value("elective_deferral_limit")
        deferral = salary * employee_rate
        if deferral > limit:
            deferral, capped = limit, True
        contribution = deferral + salary * employer_rate
        # Contributions are spread through the year, so on average they earn half a year's return.
        balance = balance * (1 + annual_return) + contribution * (1 + annual_return / 2)
        total_in += contribution
    projected = money(balance)
    figures = [
        Figure(name="years", label="Years projected", value=years, unit="years", citation=limit_ref),
        Figure(name="total_contributions", label="Employee and employer contributions, all years", value=money(total_in), unit="USD", citation=limit_ref),
        Figure(name="projected_balance", label="Projected balance (not adjusted for inflation)", value=projected, unit="USD", citation=limit_ref),
    ]
    assumptions = [f"Return {annual_return * 100:g}% a year net of fees, constant; returns are not guaranteed.",
                   f"Salary and the {calc.tax_year} contribution limits are held flat for every year (limits are really indexed).",
                   "Amounts are in future dollars, not adjusted for inflation; taxes on withdrawal are ignored."]
    path = [f"{years} years at {annual_return * 100:g}%"] + (["employee deferrals capped at the annual limit"] if capped else [])
    summary = f"Your 401(k) could be about {amount_text('USD', projected)} after {years} years, before inflation."
    return calc.result(figures, summary, assumptions, path)

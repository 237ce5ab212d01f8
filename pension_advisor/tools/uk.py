"""United Kingdom: State Pension calculators. Figures come from rules/uk/<tax year>.yaml (6 April - 5 April)."""

from __future__ import annotations

import datetime as dt
import math

from pydantic import BaseModel, Field

from .base import (
    CalcResult, CitationList, Figure, ToolError, add_months, add_years, age_on, build_result, check_non_negative, money,
    percent, rules_for,
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


class PensionAccessAgeArgs(BaseModel):
    date_of_birth: dt.date = Field(description="The member's date of birth (YYYY-MM-DD).")
    on_date: dt.date | None = Field(default=None, description="Date the question is about; picks the tax year. Default today.")


def pension_access_age(date_of_birth: dt.date, on_date: dt.date | None = None) -> CalcResult:
    """Earliest date a private or workplace pension can normally be taken (normal minimum pension age)."""
    on_date = on_date or dt.date.today()
    if date_of_birth >= on_date:
        raise ToolError("date_of_birth_in_future", "date_of_birth must be before the date asked about.")
    rules = rules_for("UK", on_date)
    cite = CitationList(rules)
    rule, ref = rules.value("normal_minimum_pension_age"), cite("normal_minimum_pension_age")
    at_55, at_57 = add_years(date_of_birth, rule["age"]), add_years(date_of_birth, rule["new_age"])
    change = rule["new_age_from"]
    # Someone who is 57 by 6 April 2028 (born on or before 6 April 1971) keeps access throughout: no pause.
    if at_57 <= change or at_55 >= change:
        earliest = at_57 if at_55 >= change else at_55
        age = rule["new_age"] if at_55 >= change else rule["age"]
        path = [f"reaches {age} {'on or after' if age == rule['new_age'] else 'before'} {change:%-d %B %Y}"]
        gap = None
    else:
        # Turns 55 before 6 April 2028 but is under 57 then: access opens at 55, closes on 6 April 2028, reopens at 57.
        earliest, age = at_55, rule["age"]
        path = [f"reaches 55 before {change:%-d %B %Y} but is under 57 then: access pauses until 57 unless a protected pension age applies"]
        gap = (change, at_57)
    figures = [
        Figure(name="normal_minimum_pension_age", label="Normal minimum pension age that applies", value=age, unit="years", citation=ref),
        Figure(name="earliest_access_date", label="Earliest date a pension can normally be taken", value=earliest.isoformat(), unit="date", citation=ref),
    ]
    if gap:
        figures.append(Figure(name="access_paused_until", label="Access paused from 6 April 2028 until", value=gap[1].isoformat(), unit="date", citation=ref))
    assumptions = ["No protected pension age (some schemes' members keep an earlier age) and no ill-health early retirement.",
                   "The State Pension is separate: see State Pension age."]
    return build_result("uk_pension_access_age", rules, cite, figures, assumptions, path)


class TaxFreeLumpSumArgs(BaseModel):
    pot: float = Field(ge=0, description="Value of the pension pot being taken (crystallised), GBP.")
    allowance_used: float = Field(default=0, ge=0, description="Lump Sum Allowance already used by earlier tax-free lump sums, GBP.")
    on_date: dt.date | None = Field(default=None, description="Date the question is about; picks the tax year. Default today.")


def tax_free_lump_sum(pot: float, allowance_used: float = 0, on_date: dt.date | None = None) -> CalcResult:
    """The tax-free lump sum from a pension pot: usually 25%, within the remaining Lump Sum Allowance."""
    check_non_negative("pot", pot)
    check_non_negative("allowance_used", allowance_used)
    rules = rules_for("UK", on_date or dt.date.today())
    cite = CitationList(rules)
    rule, ref = rules.value("tax_free_lump_sum"), cite("tax_free_lump_sum")
    remaining = max(0.0, rule["lump_sum_allowance"] - allowance_used)
    quarter = pot * rule["fraction"]
    tax_free = min(quarter, remaining)
    path = ["25% of the pot, within the Lump Sum Allowance" if tax_free == quarter else "capped by the remaining Lump Sum Allowance"]
    figures = [
        Figure(name="tax_free_fraction", label="Share of the pot usually tax-free", value=percent(rule["fraction"]), unit="%", citation=ref),
        Figure(name="lump_sum_allowance", label="Lump Sum Allowance", value=money(rule["lump_sum_allowance"]), unit="GBP", citation=ref),
        Figure(name="allowance_remaining", label="Lump Sum Allowance remaining before this", value=money(remaining), unit="GBP", citation=ref),
        Figure(name="tax_free_lump_sum", label="Tax-free lump sum", value=money(tax_free), unit="GBP", citation=ref),
        Figure(name="taxable_remainder", label="Rest of the pot (taxed as income when drawn)", value=money(pot - tax_free), unit="GBP", citation=ref),
    ]
    assumptions = ["No protected tax-free cash or transitional protection giving a higher allowance.",
                   "Defined contribution pot; defined benefit schemes work out the lump sum by commutation."]
    return build_result("uk_tax_free_lump_sum", rules, cite, figures, assumptions, path)


class AnnualAllowanceArgs(BaseModel):
    threshold_income: float = Field(default=0, ge=0, description="Threshold income for the tax year (broadly net income before pension contributions), GBP.")
    adjusted_income: float = Field(default=0, ge=0, description="Adjusted income for the tax year (threshold income plus all pension contributions), GBP.")
    money_purchase_accessed: bool = Field(default=False, description="Whether the member has flexibly accessed a money purchase pension (triggers the MPAA).")
    contributions: float | None = Field(default=None, ge=0, description="Total pension contributions this tax year (member + employer), GBP, to compare with the allowance.")
    on_date: dt.date | None = Field(default=None, description="Date the question is about; picks the tax year. Default today.")


def annual_allowance(threshold_income: float = 0, adjusted_income: float = 0, money_purchase_accessed: bool = False,
                     contributions: float | None = None, on_date: dt.date | None = None) -> CalcResult:
    """The pension annual allowance after the taper, and the money purchase annual allowance if triggered."""
    rules = rules_for("UK", on_date or dt.date.today())
    cite = CitationList(rules)
    aa, ref = rules.value("annual_allowance"), cite("annual_allowance")
    allowance = aa["standard"]
    if threshold_income > aa["threshold_income"] and adjusted_income > aa["adjusted_income"]:
        # £1 less allowance for every £2 of adjusted income over the limit, down to the minimum; the reduction is
        # rounded down to a whole pound (Finance Act 2004 s228ZA(2)).
        reduction = math.floor((adjusted_income - aa["adjusted_income"]) * aa["taper_per_2"] / 2)
        allowance = max(aa["minimum"], aa["standard"] - reduction)
        path = [f"threshold income over {aa['threshold_income']:,} and adjusted income over {aa['adjusted_income']:,}: tapered"]
    else:
        path = ["no taper: standard annual allowance"]
    figures = [Figure(name="standard_annual_allowance", label="Standard annual allowance", value=money(aa["standard"]), unit="GBP", period="year", citation=ref),
               Figure(name="annual_allowance", label="Annual allowance after taper", value=money(allowance), unit="GBP", period="year", citation=ref)]
    if money_purchase_accessed:
        figures.append(Figure(name="money_purchase_annual_allowance", label="Money purchase annual allowance", value=money(aa["money_purchase"]), unit="GBP", period="year", citation=ref))
        path.append("money purchase pension flexibly accessed: MPAA limits money purchase contributions")
    if contributions is not None:
        limit = min(allowance, aa["money_purchase"]) if money_purchase_accessed else allowance
        figures.append(Figure(name="excess_contributions", label="Contributions over the allowance (taxed at the member's marginal rate)", value=money(max(0.0, contributions - limit)), unit="GBP", citation=ref))
    assumptions = ["Carry forward of unused allowance from the previous three tax years is not included.",
                   "Tax relief on the member's own contributions is also limited to 100% of relevant UK earnings."]
    return build_result("uk_annual_allowance", rules, cite, figures, assumptions, path)


def income_tax(rule: dict, income: float) -> float:
    """Income tax (England, Wales, NI) on non-savings income, with the personal allowance taper above £100,000."""
    allowance = max(0.0, rule["personal_allowance"] - max(0.0, income - rule["allowance_taper_from"]) / 2)
    taxable, tax, lower = max(0.0, income - allowance), 0.0, 0.0
    for band in rule["bands"]:
        upper = band["up_to"] if band["up_to"] is not None else float("inf")
        tax += max(0.0, min(taxable, upper) - lower) * band["rate"]
        lower = upper
    return tax


class DrawdownTaxArgs(BaseModel):
    drawdown: float = Field(ge=0, description="Taxable pension drawdown in the tax year, GBP (the tax-free part excluded).")
    other_income: float = Field(default=0, ge=0, description="Other taxable income in the tax year (State Pension, salary, other pensions), GBP.")
    on_date: dt.date | None = Field(default=None, description="Date in the tax year asked about. Default today.")


def drawdown_income_tax(drawdown: float, other_income: float = 0, on_date: dt.date | None = None) -> CalcResult:
    """Income tax on a year's pension drawdown on top of other income, with the tax year's bands (not Scotland)."""
    check_non_negative("drawdown", drawdown)
    check_non_negative("other_income", other_income)
    rules = rules_for("UK", on_date or dt.date.today())
    cite = CitationList(rules)
    rule, ref = rules.value("income_tax_england"), cite("income_tax_england")
    total_tax, other_tax = income_tax(rule, drawdown + other_income), income_tax(rule, other_income)
    on_drawdown = total_tax - other_tax
    figures = [
        Figure(name="personal_allowance", label="Personal Allowance", value=money(rule["personal_allowance"]), unit="GBP", period="year", citation=ref),
        Figure(name="total_income", label="Total taxable income", value=money(drawdown + other_income), unit="GBP", period="year", citation=ref),
        Figure(name="total_income_tax", label="Income tax on all income", value=money(total_tax), unit="GBP", period="year", citation=ref),
        Figure(name="tax_on_drawdown", label="Extra income tax because of the drawdown", value=money(on_drawdown), unit="GBP", period="year", citation=ref),
        Figure(name="drawdown_after_tax", label="Drawdown after tax", value=money(drawdown - on_drawdown), unit="GBP", period="year", citation=ref),
        Figure(name="effective_rate_on_drawdown", label="Effective tax rate on the drawdown", value=round(on_drawdown / drawdown * 100, 2) if drawdown else 0.0, unit="%", citation=ref),
    ]
    total = drawdown + other_income
    path = ["England, Wales or Northern Ireland rates"]
    if total > rule["allowance_taper_from"]:
        path.append(f"income over {rule['allowance_taper_from']:,}: Personal Allowance reduced by 1 for every 2")
    assumptions = ["Scottish income tax rates are not modelled.",
                   "Tax is for the whole year; emergency tax codes on a first withdrawal can take more at first and are refunded later.",
                   "No other allowances or reliefs (marriage allowance, blind person's allowance, Gift Aid) are applied."]
    return build_result("uk_drawdown_income_tax", rules, cite, figures, assumptions, path)


class DrawdownSustainabilityArgs(BaseModel):
    pot: float = Field(ge=0, description="Pension pot in drawdown, GBP.")
    annual_withdrawal: float | None = Field(default=None, ge=0, description="Withdrawal in the first year, GBP. If not given, the withdrawal that lasts exactly horizon_years is worked out.")
    annual_return: float = Field(default=0.04, ge=-0.5, le=0.5, description="Assumed investment return a year net of charges, as a ratio (0.04 = 4%).")
    withdrawal_growth: float = Field(default=0.0, ge=0, le=0.2, description="Assumed yearly increase in the withdrawal (e.g. inflation 0.02).")
    horizon_years: int = Field(default=40, ge=1, le=80, description="How many years to test.")
    on_date: dt.date | None = Field(default=None, description="Date the drawdown starts; picks the tax year. Default today.")


def drawdown_sustainability(pot: float, annual_withdrawal: float | None = None, annual_return: float = 0.04, withdrawal_growth: float = 0.0,
                            horizon_years: int = 40, on_date: dt.date | None = None) -> CalcResult:
    """How many years a drawdown pot lasts at a withdrawal, return and withdrawal growth (deterministic)."""
    check_non_negative("pot", pot)
    rules = rules_for("UK", on_date or dt.date.today())
    cite = CitationList(rules)
    ref = cite("tax_free_lump_sum")
    solved = annual_withdrawal is None
    if solved:
        # Level-growth withdrawal taken at the start of each year that uses the pot up over the horizon exactly.
        ratio = (1 + withdrawal_growth) / (1 + annual_return)
        annual_withdrawal = pot / sum(ratio ** k for k in range(horizon_years))
    check_non_negative("annual_withdrawal", annual_withdrawal)
    balance, withdrawal, lasted = pot, annual_withdrawal, None
    for year in range(1, horizon_years + 1):
        # Withdrawals are taken at the start of each year; the rest earns the year's return.
        if balance < withdrawal - 1e-6:
            lasted = year - 1 + (balance / withdrawal if withdrawal else 0)
            balance = 0.0
            break
        balance = (balance - withdrawal) * (1 + annual_return)
        withdrawal *= 1 + withdrawal_growth
    if lasted is None and annual_withdrawal and balance < 1e-6:
        # The last withdrawal within the horizon used the pot up exactly: it lasts the horizon, not "more than" it.
        lasted, balance = horizon_years, 0.0
    figures = [
        Figure(name="initial_withdrawal_rate", label="First-year withdrawal as a share of the pot", value=round(annual_withdrawal / pot * 100, 2) if pot else 0.0, unit="%", citation=ref),
        Figure(name="years_lasting", label="Years the pot lasts", value=round(lasted, 1) if lasted is not None else f"more than {horizon_years}", unit="years", citation=ref),
        Figure(name="balance_at_horizon", label=f"Balance left after {horizon_years} years", value=money(balance), unit="GBP", citation=ref),
    ]
    if solved:
        figures.insert(0, Figure(name="sustainable_withdrawal", label=f"First-year withdrawal that lasts {horizon_years} years", value=money(annual_withdrawal), unit="GBP", period="year", citation=ref))
    path = [f"pot runs out after about {lasted:.1f} years" if lasted is not None else f"pot lasts the {horizon_years}-year horizon"]
    if solved:
        path.insert(0, "no withdrawal given: solved for the withdrawal that lasts the horizon")
    assumptions = [f"Return {annual_return * 100:g}% a year every year and withdrawals rising {withdrawal_growth * 100:g}% a year; real returns vary and sequence risk is not modelled.",
                   "Withdrawals are before income tax (see the drawdown income tax tool) and the pot's tax-free cash is assumed already taken.",
                   "The citation is the pension lump sum rule; no official figure enters this projection."]
    return build_result("uk_drawdown_sustainability", rules, cite, figures, assumptions, path)


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
    ToolSpec(
        name="uk_pension_access_age",
        country="UK",
        function=pension_access_age,
        args_schema=PensionAccessAgeArgs,
        description=("United Kingdom: the earliest date a private or workplace pension can normally be taken: normal "
                     "minimum pension age 55, rising to 57 from 6 April 2028."),
        intents=(r"minimum pension age", r"\bNMPA\b", r"when can i (access|take|get|draw|touch) (my )?(private |workplace |personal )?pension(?! credit)",
                 r"access (my )?(private |workplace |personal )?pension", r"pension .*at 55", r"pension .*at 57"),
        member_args={"date_of_birth": "date_of_birth"},
        question_args={"date_of_birth": "date_of_birth", "on_date": "on_date"},
    ),
    ToolSpec(
        name="uk_tax_free_lump_sum",
        country="UK",
        function=tax_free_lump_sum,
        args_schema=TaxFreeLumpSumArgs,
        description=("United Kingdom: the tax-free lump sum from a pension pot (usually 25%) within the remaining Lump Sum "
                     "Allowance (GBP 268,275), and the taxable remainder."),
        intents=(r"tax[- ]free (lump sum|cash)", r"\b25 ?%", r"lump sum allowance", r"\bPCLS\b", r"pension commencement lump sum"),
        member_args={"pot": "pension_balance"},
        question_args={"pot": "amount", "on_date": "on_date"},
    ),
    ToolSpec(
        name="uk_annual_allowance",
        country="UK",
        function=annual_allowance,
        args_schema=AnnualAllowanceArgs,
        description=("United Kingdom: the pension annual allowance (GBP 60,000) after the taper for high incomes, the money "
                     "purchase annual allowance (MPAA) once a pension has been flexibly accessed, and any excess contributions."),
        intents=(r"annual allowance", r"\bMPAA\b", r"money purchase annual allowance", r"tapered allowance",
                 r"how much can i (pay|put|contribute) into (my )?pension"),
        member_args={"threshold_income": "annual_salary", "adjusted_income": "annual_salary"},
        question_args={"threshold_income": "salary", "contributions": "amount", "on_date": "on_date"},
    ),
    ToolSpec(
        name="uk_drawdown_income_tax",
        country="UK",
        function=drawdown_income_tax,
        args_schema=DrawdownTaxArgs,
        description=("United Kingdom: income tax on a year's pension drawdown on top of other income (e.g. State Pension), "
                     "using the tax year's Personal Allowance and bands for England, Wales and Northern Ireland."),
        intents=(r"tax\b.*\bdrawdown", r"drawdown\b.*\btax", r"tax on (my )?pension (withdrawal|income)", r"(withdraw|take|draw) .*pension .*tax",
                 r"income tax .*pension", r"pension .*income tax"),
        member_args={"drawdown": "pension_balance", "other_income": "annual_salary"},
        question_args={"drawdown": "amount", "on_date": "on_date"},
    ),
    ToolSpec(
        name="uk_drawdown_sustainability",
        country="UK",
        function=drawdown_sustainability,
        args_schema=DrawdownSustainabilityArgs,
        description=("United Kingdom: how many years a drawdown pot lasts at a yearly withdrawal, assumed return and "
                     "withdrawal growth (deterministic projection)."),
        intents=(r"(how long|last).*(pot|pension|drawdown|savings)", r"run out", r"sustainab", r"withdrawal rate"),
        member_args={"pot": "pension_balance"},
        question_args={"annual_withdrawal": "amount", "horizon_years": "years", "on_date": "on_date"},
    ),
]

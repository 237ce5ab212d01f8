"""United Kingdom: State Pension calculators. Figures come from rules/uk/<tax year>.yaml (6 April - 5 April)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated

from pydantic import Field

from .base import (
    Calc, CalcResult, Figure, ToolError, add_months, add_years, age_on, age_text, amount_text, born_before, date_text,
    money, percent,
)
from .registry import TaxYearArg, calculator
from .uk_income import REGION_WORDS, RULE_FOR_REGION, Region, income_tax

WEEKS_PER_YEAR = 52
DateOfBirth = Annotated[dt.date, Field(description="The member's date of birth (YYYY-MM-DD).")]
OnDate = Annotated[dt.date | None, Field(description="Date the question is about; picks the tax year. Default today.")]


def state_pension_band(calc: Calc, date_of_birth: dt.date) -> tuple[dict, str]:
    """The date-of-birth band of the State Pension age tables (``born_to`` null: no upper bound) and its figure."""
    key = "state_pension_age"
    bands = calc.value(key)
    if date_of_birth < bands[0]["born_from"]:
        raise ToolError("not_modelled", "State Pension age for people born before 6 December 1953 depends on sex and "
                        "isn't covered; everyone born then has already reached it.", field="date_of_birth")
    if bands[-1]["born_to"] is not None and date_of_birth > bands[-1]["born_to"]:
        # The 67-to-68 bands, where a table keeps them as their own figure.
        key = "state_pension_age_67_to_68"
        bands = calc.value(key)
    band = next(b for b in bands if b["born_from"] <= date_of_birth and (b["born_to"] is None or date_of_birth <= b["born_to"]))
    return band, key


@calculator(
    name="uk_state_pension_age", country="UK", title="your State Pension age",
    rules=("state_pension_age", "state_pension_age_67_to_68"),
    intents=(r"state pension age", r"\bSPA\b",
             r"when (can|do|will|could) i (get|receive|claim|draw|start) (my |the )?state pension",
             r"what age .*state pension"),
    member_args={"date_of_birth": "date_of_birth"},
    question_args={"date_of_birth": "date_of_birth", "on_date": "on_date", "tax_year": "tax_year"},
)
def state_pension_age(date_of_birth: DateOfBirth, on_date: OnDate = None, tax_year: TaxYearArg = None) -> CalcResult:
    """United Kingdom: the member's State Pension age and the date they reach it, from their date of birth, under current legislation (the 65 to 66, 66 to 67 and 67 to 68 transitions)."""
    calc = Calc("UK", on_date, tax_year)
    born_before(date_of_birth, calc.on_date)
    band, key = state_pension_band(calc, date_of_birth)
    ref = calc.cite(key)
    until = "onwards" if band["born_to"] is None else f"to {band['born_to']:%-d %b %Y}"
    if "reached_on" in band:
        reached = band["reached_on"]
        months = (reached.year - date_of_birth.year) * 12 + reached.month - date_of_birth.month - (reached.day < date_of_birth.day)
        path = f"born {band['born_from']:%-d %b %Y} {until}: reaches State Pension age on a set date"
    else:
        months = band["years"] * 12 + band["months"]
        reached = add_months(date_of_birth, months)
        path = f"born {band['born_from']:%-d %b %Y} {until}: State Pension age {months // 12} years {months % 12} months"
    age_words = f"{months // 12} years {months % 12} months"
    figures = [
        Figure(name="state_pension_age", label="State Pension age", value=age_words, unit="years", citation=ref),
        Figure(name="state_pension_age_months", label="State Pension age in months", value=months, unit="months", citation=ref),
        Figure(name="state_pension_date", label="Date State Pension age is reached", value=reached.isoformat(), unit="date", citation=ref),
        Figure(name="current_age", label="Age on the date asked about", value=age_on(date_of_birth, calc.on_date), unit="years", citation=ref),
    ]
    assumptions = ["Under current legislation; future reviews may change State Pension age.",
                   "The State Pension must be claimed; it is not paid automatically."]
    if (date_of_birth.month, date_of_birth.day) == (2, 29):
        assumptions.append("A 29 February birthday is taken to fall on 28 February in years that are not leap years.")
    when = "reached it" if reached <= calc.on_date else "reach it"
    summary = f"Your State Pension age is {age_text(months)}; you {when} on {date_text(reached)}."
    return calc.result(figures, summary, assumptions, [path])


def new_state_pension_weekly(calc: Calc, qualifying_years: int) -> tuple[float, str]:
    """The weekly new State Pension for a number of qualifying years (pro rata between the minimum and the full
    number), and the branch taken."""
    full_rate, years_rule = calc.value("new_state_pension_full_weekly"), calc.value("new_state_pension_qualifying_years")
    if qualifying_years < years_rule["minimum"]:
        return 0.0, f"{qualifying_years} qualifying years: fewer than {years_rule['minimum']}, no new State Pension"
    if qualifying_years >= years_rule["full"]:
        return money(full_rate), f"{qualifying_years} qualifying years: {years_rule['full']} or more, full rate"
    return (money(full_rate * qualifying_years / years_rule["full"]),
            f"{qualifying_years} qualifying years: {qualifying_years}/{years_rule['full']} of the full rate")


@calculator(
    name="uk_new_state_pension", country="UK", title="your new State Pension",
    rules=("new_state_pension_full_weekly", "new_state_pension_qualifying_years"),
    intents=(r"how much (new |basic )?state pension", r"(full|new) state pension", r"state pension (amount|rate|worth|forecast)",
             r"qualifying years", r"national insurance (record|years|contributions?)",
             r"state pension .*(how much|per week|a week|weekly)"),
    member_args={"qualifying_years": "ni_qualifying_years"},
    question_args={"qualifying_years": "years", "on_date": "on_date", "tax_year": "tax_year"},
)
def new_state_pension(
    qualifying_years: Annotated[int, Field(ge=0, le=80, description="Qualifying years on the member's National Insurance record.")],
    on_date: Annotated[dt.date | None, Field(description="Date the question is about; picks the tax year's rate. Default today.")] = None,
    tax_year: TaxYearArg = None,
) -> CalcResult:
    """United Kingdom: the weekly and annual new State Pension for a number of National Insurance qualifying years (a set number for the full rate, nothing below the minimum) at the tax year's full rate."""
    calc = Calc("UK", on_date, tax_year)
    full_rate, years_rule = calc.value("new_state_pension_full_weekly"), calc.value("new_state_pension_qualifying_years")
    rate_ref, years_ref = calc.cite("new_state_pension_full_weekly"), calc.cite("new_state_pension_qualifying_years")
    weekly, path = new_state_pension_weekly(calc, qualifying_years)
    annual = money(weekly * WEEKS_PER_YEAR)
    figures = [
        Figure(name="full_rate_weekly", label="Full new State Pension", value=money(full_rate), unit="GBP", period="week", citation=rate_ref),
        Figure(name="qualifying_years_for_full_rate", label="Qualifying years for the full rate", value=years_rule["full"], unit="years", citation=years_ref),
        Figure(name="minimum_qualifying_years", label="Minimum qualifying years for any new State Pension", value=years_rule["minimum"], unit="years", citation=years_ref),
        Figure(name="weekly_pension", label="Estimated new State Pension", value=weekly, unit="GBP", period="week", citation=rate_ref),
        Figure(name="annual_pension", label="Estimated new State Pension (52 weeks)", value=annual, unit="GBP", period="year", citation=rate_ref),
    ]
    assumptions = [
        "All qualifying years are under the new State Pension rules; a starting amount from a pre-2016 record "
        "(contracting out, protected payment) is not modelled, so a GOV.UK forecast can differ.",
        f"Uses the {calc.tax_year} full rate; the rate is uprated each April.",
    ]
    if weekly:
        summary = (f"With {qualifying_years} qualifying years your new State Pension would be about "
                   f"{amount_text('GBP', weekly)} a week ({amount_text('GBP', annual)} a year).")
    else:
        summary = f"With {qualifying_years} qualifying years you would get no new State Pension: at least {years_rule['minimum']} are needed."
    return calc.result(figures, summary, assumptions, [path])


@calculator(
    name="uk_pension_access_age", country="UK", title="when you can take your pension", rules=("normal_minimum_pension_age",),
    intents=(r"minimum pension age", r"\bNMPA\b", r"when can i (access|take|get|draw|touch) (my )?(private |workplace |personal )?pension(?! credit)",
             r"access (my )?(private |workplace |personal )?pension", r"pension .*at 55", r"pension .*at 57"),
    member_args={"date_of_birth": "date_of_birth"},
    question_args={"date_of_birth": "date_of_birth", "on_date": "on_date", "tax_year": "tax_year"},
)
def pension_access_age(date_of_birth: DateOfBirth, on_date: OnDate = None, tax_year: TaxYearArg = None) -> CalcResult:
    """United Kingdom: the earliest date a private or workplace pension can normally be taken: the normal minimum pension age, and its legislated rise."""
    calc = Calc("UK", on_date, tax_year)
    born_before(date_of_birth, calc.on_date)
    rule, ref = calc.value("normal_minimum_pension_age"), calc.cite("normal_minimum_pension_age")
    at_old, at_new = add_years(date_of_birth, rule["age"]), add_years(date_of_birth, rule["new_age"])
    change = rule["new_age_from"]
    # Someone who reaches the new age by the change keeps access throughout: no pause.
    if at_new <= change or at_old >= change:
        earliest = at_new if at_old >= change else at_old
        age = rule["new_age"] if at_old >= change else rule["age"]
        path = [f"reaches {age} {'on or after' if age == rule['new_age'] else 'before'} {date_text(change)}"]
        gap = None
    else:
        # Reaches the old age before the change but is under the new age then: access opens, closes on the change
        # date, and reopens at the new age.
        earliest, age = at_old, rule["age"]
        path = [f"reaches {rule['age']} before {date_text(change)} but is under {rule['new_age']} then: access pauses "
                f"until {rule['new_age']} unless a protected pension age applies"]
        gap = (change, at_new)
    figures = [
        Figure(name="normal_minimum_pension_age", label="Normal minimum pension age that applies", value=age, unit="years", citation=ref),
        Figure(name="earliest_access_date", label="Earliest date a pension can normally be taken", value=earliest.isoformat(), unit="date", citation=ref),
    ]
    summary = f"You can normally take your pension from {date_text(earliest)} (age {age})"
    if gap:
        figures.append(Figure(name="access_paused_until", label=f"Access paused from {date_text(change)} until", value=gap[1].isoformat(), unit="date", citation=ref))
        summary += f", but access pauses from {date_text(gap[0])} until {date_text(gap[1])}."
    else:
        summary += "."
    assumptions = ["No protected pension age (some schemes' members keep an earlier age) and no ill-health early retirement.",
                   "The State Pension is separate: see State Pension age."]
    return calc.result(figures, summary, assumptions, path)


@calculator(
    name="uk_tax_free_lump_sum", country="UK", title="your tax-free lump sum", rules=("tax_free_lump_sum",),
    intents=(r"tax[- ]free (lump sum|cash)", r"\b25 ?%", r"lump sum allowance", r"\bPCLS\b", r"pension commencement lump sum"),
    member_args={"pot": "pension_balance"},
    question_args={"pot": "amount", "on_date": "on_date", "tax_year": "tax_year"},
)
def tax_free_lump_sum(
    pot: Annotated[float, Field(ge=0, description="Value of the pension pot being taken (crystallised), GBP.")],
    allowance_used: Annotated[float, Field(ge=0, description="Lump Sum Allowance already used by earlier tax-free lump sums, GBP.")] = 0,
    on_date: OnDate = None,
    tax_year: TaxYearArg = None,
) -> CalcResult:
    """United Kingdom: the tax-free lump sum from a pension pot (usually a quarter) within the remaining Lump Sum Allowance, and the taxable remainder."""
    calc = Calc("UK", on_date, tax_year)
    rule, ref = calc.value("tax_free_lump_sum"), calc.cite("tax_free_lump_sum")
    remaining = max(0.0, rule["lump_sum_allowance"] - allowance_used)
    share = pot * rule["fraction"]
    tax_free = money(min(share, remaining))
    rest = money(pot - tax_free)
    path = [f"{percent(rule['fraction']):g}% of the pot, within the Lump Sum Allowance" if min(share, remaining) == share
            else "capped by the remaining Lump Sum Allowance"]
    figures = [
        Figure(name="tax_free_fraction", label="Share of the pot usually tax-free", value=percent(rule["fraction"]), unit="%", citation=ref),
        Figure(name="lump_sum_allowance", label="Lump Sum Allowance", value=money(rule["lump_sum_allowance"]), unit="GBP", citation=ref),
        Figure(name="allowance_remaining", label="Lump Sum Allowance remaining before this", value=money(remaining), unit="GBP", citation=ref),
        Figure(name="tax_free_lump_sum", label="Tax-free lump sum", value=tax_free, unit="GBP", citation=ref),
        Figure(name="taxable_remainder", label="Rest of the pot (taxed as income when drawn)", value=rest, unit="GBP", citation=ref),
    ]
    assumptions = ["No protected tax-free cash or transitional protection giving a higher allowance.",
                   "Defined contribution pot; defined benefit schemes work out the lump sum by commutation."]
    summary = (f"You can usually take {amount_text('GBP', tax_free)} tax-free; the other {amount_text('GBP', rest)} "
               "is taxed as income when you draw it.")
    return calc.result(figures, summary, assumptions, path)


@calculator(
    name="uk_annual_allowance", country="UK", title="your pension annual allowance", rules=("annual_allowance",),
    intents=(r"annual allowance", r"\bMPAA\b", r"money purchase annual allowance", r"tapered allowance",
             r"how much can i (pay|put|contribute) into (my )?pension"),
    member_args={"threshold_income": "annual_salary", "adjusted_income": "annual_salary"},
    question_args={"threshold_income": "salary", "contributions": "amount", "on_date": "on_date", "tax_year": "tax_year"},
)
def annual_allowance(
    threshold_income: Annotated[float, Field(ge=0, description="Threshold income for the tax year (broadly net income before pension contributions), GBP.")] = 0,
    adjusted_income: Annotated[float, Field(ge=0, description="Adjusted income for the tax year (threshold income plus all pension contributions), GBP.")] = 0,
    money_purchase_accessed: Annotated[bool, Field(description="Whether the member has flexibly accessed a money purchase pension (triggers the MPAA).")] = False,
    contributions: Annotated[float | None, Field(ge=0, description="Total pension contributions this tax year (member + employer), GBP, to compare with the allowance.")] = None,
    on_date: OnDate = None,
    tax_year: TaxYearArg = None,
) -> CalcResult:
    """United Kingdom: the pension annual allowance after the taper for high incomes, the money purchase annual allowance (MPAA) once a pension has been flexibly accessed, and any excess contributions."""
    calc = Calc("UK", on_date, tax_year)
    aa, ref = calc.value("annual_allowance"), calc.cite("annual_allowance")
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
    summary = f"Your annual allowance for {calc.tax_year} is {amount_text('GBP', allowance)}"
    if money_purchase_accessed:
        figures.append(Figure(name="money_purchase_annual_allowance", label="Money purchase annual allowance", value=money(aa["money_purchase"]), unit="GBP", period="year", citation=ref))
        path.append("money purchase pension flexibly accessed: MPAA limits money purchase contributions")
        summary += f", and {amount_text('GBP', aa['money_purchase'])} for money purchase pensions"
    summary += "."
    if contributions is not None:
        limit = min(allowance, aa["money_purchase"]) if money_purchase_accessed else allowance
        excess = money(max(0.0, contributions - limit))
        figures.append(Figure(name="excess_contributions", label="Contributions over the allowance (taxed at your marginal rate)", value=excess, unit="GBP", citation=ref))
        if excess:
            summary += f" Your contributions are {amount_text('GBP', excess)} over it."
    assumptions = ["Carry forward of unused allowance from the previous three tax years is not included.",
                   "Tax relief on your own contributions is also limited to 100% of your relevant UK earnings."]
    return calc.result(figures, summary, assumptions, path)


@calculator(
    name="uk_drawdown_income_tax", country="UK", title="the income tax on your pension drawdown",
    rules=("income_tax_england", "income_tax_scotland"),
    intents=(r"tax\b.*\bdrawdown", r"drawdown\b.*\btax", r"tax on (my )?pension (withdrawal|income)", r"(withdraw|take|draw) .*pension .*tax",
             r"income tax .*pension", r"pension .*income tax"),
    member_args={"drawdown": "pension_balance", "other_income": "annual_salary"},
    question_args={"drawdown": "amount", "on_date": "on_date", "tax_year": "tax_year"},
)
def drawdown_income_tax(
    drawdown: Annotated[float, Field(ge=0, description="Taxable pension drawdown in the tax year, GBP (the tax-free part excluded).")],
    other_income: Annotated[float, Field(ge=0, description="Other taxable income in the tax year (State Pension, salary, other pensions), GBP.")] = 0,
    on_date: Annotated[dt.date | None, Field(description="Date in the tax year asked about. Default today.")] = None,
    tax_year: TaxYearArg = None,
    region: Annotated[Region, Field(description="Where the member is a taxpayer: 'england_wales_ni' (England, Wales or Northern Ireland) or 'scotland' (Scottish income tax on wages and pensions).")] = "england_wales_ni",
) -> CalcResult:
    """United Kingdom: income tax on a year's pension drawdown on top of other income (e.g. State Pension), using the tax year's Personal Allowance and bands for England, Wales and Northern Ireland, or Scotland's."""
    calc = Calc("UK", on_date, tax_year)
    key = RULE_FOR_REGION[region]
    rule, ref = calc.value(key), calc.cite(key)
    total_tax, other_tax = income_tax(rule, drawdown + other_income), income_tax(rule, other_income)
    on_drawdown = money(total_tax - other_tax)
    kept = money(drawdown - on_drawdown)
    figures = [
        Figure(name="personal_allowance", label="Personal Allowance", value=money(rule["personal_allowance"]), unit="GBP", period="year", citation=ref),
        Figure(name="total_income", label="Total taxable income", value=money(drawdown + other_income), unit="GBP", period="year", citation=ref),
        Figure(name="total_income_tax", label="Income tax on all income", value=money(total_tax), unit="GBP", period="year", citation=ref),
        Figure(name="tax_on_drawdown", label="Extra income tax because of the drawdown", value=on_drawdown, unit="GBP", period="year", citation=ref),
        Figure(name="drawdown_after_tax", label="Drawdown after tax", value=kept, unit="GBP", period="year", citation=ref),
        Figure(name="effective_rate_on_drawdown", label="Effective tax rate on the drawdown", value=round(on_drawdown / drawdown * 100, 2) if drawdown else 0.0, unit="%", citation=ref),
    ]
    path = [f"{REGION_WORDS[region]} rates"]
    if drawdown + other_income > rule["allowance_taper_from"]:
        path.append(f"income over {rule['allowance_taper_from']:,}: Personal Allowance reduced by 1 for every 2")
    assumptions = ["Tax is for the whole year; emergency tax codes on a first withdrawal can take more at first and are refunded later.",
                   "No other allowances or reliefs (marriage allowance, blind person's allowance, Gift Aid) are applied."]
    summary = (f"Your drawdown adds {amount_text('GBP', on_drawdown)} of income tax for the year, "
               f"so you keep {amount_text('GBP', kept)} of it.")
    return calc.result(figures, summary, assumptions, path)


@calculator(
    name="uk_drawdown_sustainability", country="UK", title="how long your pension pot lasts", rules=("tax_free_lump_sum",),
    intents=(r"(how long|last).*(pot|pension|drawdown|savings)", r"run out", r"sustainab", r"withdrawal rate"),
    member_args={"pot": "pension_balance"},
    question_args={"annual_withdrawal": "amount", "horizon_years": "years", "on_date": "on_date", "tax_year": "tax_year"},
)
def drawdown_sustainability(
    pot: Annotated[float, Field(ge=0, description="Pension pot in drawdown, GBP.")],
    annual_withdrawal: Annotated[float | None, Field(ge=0, description="Withdrawal in the first year, GBP. If not given, the withdrawal that lasts exactly horizon_years is worked out.")] = None,
    annual_return: Annotated[float, Field(ge=-0.5, le=0.5, description="Assumed investment return a year net of charges, as a ratio (0.04 = 4%).")] = 0.04,
    withdrawal_growth: Annotated[float, Field(ge=0, le=0.2, description="Assumed yearly increase in the withdrawal (e.g. inflation 0.02).")] = 0.0,
    horizon_years: Annotated[int, Field(ge=1, le=80, description="How many years to test.")] = 40,
    on_date: Annotated[dt.date | None, Field(description="Date the drawdown starts; picks the tax year. Default today.")] = None,
    tax_year: TaxYearArg = None,
) -> CalcResult:
    """United Kingdom: how many years a drawdown pot lasts at a yearly withdrawal, assumed return and withdrawal growth (deterministic projection)."""
    calc = Calc("UK", on_date, tax_year)
    ref = calc.cite("tax_free_lump_sum")
    solved = annual_withdrawal is None
    if solved:
        # Level-growth withdrawal taken at the start of each year that uses the pot up over the horizon exactly.
        ratio = (1 + withdrawal_growth) / (1 + annual_return)
        annual_withdrawal = pot / sum(ratio ** k for k in range(horizon_years))
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
    years_text = round(lasted, 1) if lasted is not None else f"more than {horizon_years}"
    figures = [
        Figure(name="initial_withdrawal_rate", label="First-year withdrawal as a share of the pot", value=round(annual_withdrawal / pot * 100, 2) if pot else 0.0, unit="%", citation=ref),
        Figure(name="years_lasting", label="Years the pot lasts", value=years_text, unit="years", citation=ref),
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
    first = amount_text("GBP", money(annual_withdrawal))
    summary = (f"Taking {first} in the first year, your pot would last about {years_text} years." if lasted is not None
               else f"Taking {first} in the first year, your pot would last {years_text} years.")
    return calc.result(figures, summary, assumptions, path)

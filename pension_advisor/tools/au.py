"""Australia: superannuation calculators. Figures come from rules/au/<tax year>.yaml."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from .base import (
    Calc, CalcResult, Figure, MissingFigure, ToolError, add_years, age_from, age_on, amount_text, born_before,
    date_text, money, percent, years_until,
)
from .registry import ProjectionYears, RetirementAge, TaxYearArg, calculator

FEB_29_NOTE = "A 29 February birthday is taken to fall on 28 February in years that are not leap years."
DateOfBirth = Annotated[dt.date, Field(description="The member's date of birth (YYYY-MM-DD).")]
OnDateYear = Annotated[dt.date | None, Field(description="Date the question is about; picks the financial year. Default today.")]


def preservation_band(calc: Calc, date_of_birth: dt.date) -> tuple[int, str]:
    """Preservation age for a date of birth, and the band it falls in (words)."""
    band = next(b for b in calc.value("preservation_age") if b["born_before"] is None or date_of_birth < b["born_before"])
    born = band["born_before"]
    return band["age"], (f"born before {date_text(born)}: preservation age {band['age']}" if born
                         else f"born on or after 1 July 1964: preservation age {band['age']}")


@calculator(
    name="au_preservation_age", country="AU", title="your preservation age", rules=("preservation_age",),
    intents=(r"preservation age", r"access (to )?(my )?super", r"get (at )?my super", r"withdraw (my )?super",
             r"when can i (access|touch|get|use) (my )?super"),
    member_args={"date_of_birth": "date_of_birth"},
    question_args={"on_date": "on_date", "date_of_birth": "date_of_birth", "tax_year": "tax_year"},
)
def preservation_age(
    date_of_birth: DateOfBirth,
    on_date: Annotated[dt.date | None, Field(description="Date the question is about; picks the tax year. Default today.")] = None,
    tax_year: TaxYearArg = None,
) -> CalcResult:
    """Australia: the member's superannuation preservation age and the date they reach it, from their date of birth."""
    calc = Calc("AU", on_date, tax_year)
    born_before(date_of_birth, calc.on_date)
    ref = calc.cite("preservation_age")
    age, band_text = preservation_band(calc, date_of_birth)
    reached = add_years(date_of_birth, age)
    figures = [
        Figure(name="preservation_age", label="Preservation age", value=age, unit="years", citation=ref),
        Figure(name="preservation_date", label="Date preservation age is reached", value=reached.isoformat(), unit="date", citation=ref),
        Figure(name="current_age", label="Age on the date asked about", value=age_on(date_of_birth, calc.on_date), unit="years", citation=ref),
    ]
    assumptions = ["Access also needs a condition of release (for example retiring)."]
    if (date_of_birth.month, date_of_birth.day) == (2, 29):
        assumptions.append(FEB_29_NOTE)
    when = "reached it" if reached <= calc.on_date else "reach it"
    summary = f"Your preservation age is {age}; you {when} on {date_text(reached)}."
    return calc.result(figures, summary, assumptions, [band_text])


def sg_earnings_cap(calc: Calc) -> tuple[float, float, str, str]:
    """The most earnings in a year SG is due on: (annual cap, the figure, its key, its period).

    Up to 30 June 2026 the maximum contribution base is per quarter (four of them for an even salary); from
    1 July 2026 (Payday Super) it is per financial year. A date with neither loaded names the quarterly figure.
    """
    if calc.loaded("max_contributions_base_year"):
        base = calc.value("max_contributions_base_year")
        return base, base, "max_contributions_base_year", "year"
    base = calc.value("max_contribution_base_quarter")
    return base * 4, base, "max_contribution_base_quarter", "quarter"


@calculator(
    name="au_super_guarantee", country="AU", title="your employer's super guarantee",
    rules=("super_guarantee_rate", "max_contribution_base_quarter", "max_contributions_base_year"),
    intents=(r"super(annuation)? guarantee", r"\bSG\b", r"employer('?s)? (super|contribution)",
             r"(how much|what) super (will|does|should|must) my employer", r"employer (pay|put|contribute)s? .*super"),
    member_args={"salary": "annual_salary"},
    question_args={"salary": "salary", "on_date": "on_date", "tax_year": "tax_year"},
)
def super_guarantee(
    salary: Annotated[float, Field(ge=0, description="Annual ordinary time earnings (qualifying earnings from 1 July 2026), AUD.")],
    on_date: OnDateYear = None,
    tax_year: TaxYearArg = None,
) -> CalcResult:
    """Australia: the minimum super guarantee (SG) an employer must pay on a salary in a financial year: the SG rate in force and the annual and monthly amount, capped at the maximum contribution base."""
    calc = Calc("AU", on_date, tax_year)
    rate, rate_ref = calc.value("super_guarantee_rate"), calc.cite("super_guarantee_rate")
    annual_cap, base, cap_key, period = sg_earnings_cap(calc)
    figures = [
        Figure(name="sg_rate", label="Super guarantee rate", value=percent(rate), unit="%", citation=rate_ref),
        Figure(name="max_contribution_base", label="Maximum super contribution base", value=money(base), unit="AUD",
               period=period, citation=calc.cite(cap_key)),
    ]
    rule_path = [f"SG rate {percent(rate):g}% for {calc.tax_year}"]
    if salary > annual_cap:
        earnings, on_what = annual_cap, f"earnings up to {amount_text('AUD', annual_cap)} a year"
        rule_path.append("salary above the maximum contribution base: SG capped")
    else:
        earnings, on_what = salary, f"a salary of {amount_text('AUD', salary)}"
        rule_path.append("salary within the maximum contribution base")
    annual = money(earnings * rate)
    figures += [
        Figure(name="employer_sg", label="Minimum employer super guarantee", value=annual, unit="AUD", period="year", citation=rate_ref),
        Figure(name="employer_sg_month", label="Minimum employer super guarantee", value=money(annual / 12), unit="AUD", period="month", citation=rate_ref),
    ]
    assumptions = ["Salary is paid evenly through the year and is all ordinary time earnings."]
    summary = (f"Your employer must pay at least {amount_text('AUD', annual)} a year in super guarantee: "
               f"{percent(rate):g}% of {on_what}.")
    return calc.result(figures, summary, assumptions, rule_path)


@calculator(
    name="au_contribution_caps", country="AU", title="your super contribution caps",
    rules=("concessional_cap", "non_concessional_cap", "general_transfer_balance_cap"),
    intents=(r"contribution caps?", r"concessional", r"bring[- ]forward", r"how much can i (contribute|put) (in)?to (my )?super",
             r"salary sacrifice .*(cap|limit|max)"),
    member_args={"total_super_balance": "pension_balance", "date_of_birth": "date_of_birth"},
    question_args={"age": "age", "date_of_birth": "date_of_birth", "on_date": "on_date", "tax_year": "tax_year"},
)
def contribution_caps(
    total_super_balance: Annotated[float, Field(ge=0, description="Total super balance at the previous 30 June, AUD.")],
    age: Annotated[int | None, Field(description="Age at the start of the financial year (1 July). Give this or date_of_birth.")] = None,
    date_of_birth: Annotated[dt.date | None, Field(description="The member's date of birth; used when age is not given.")] = None,
    on_date: OnDateYear = None,
    tax_year: TaxYearArg = None,
) -> CalcResult:
    """Australia: the concessional and non-concessional super contribution caps for the financial year, and how many years of non-concessional cap the bring-forward rule allows given the total super balance and age."""
    calc = Calc("AU", on_date, tax_year)
    age = age_from(age, date_of_birth, calc.year.starts, what="your age at 1 July")
    cc, ncc, tbc = calc.value("concessional_cap"), calc.value("non_concessional_cap"), calc.value("general_transfer_balance_cap")
    cc_ref, ncc_ref, tbc_ref = calc.cite("concessional_cap"), calc.cite("non_concessional_cap"), calc.cite("general_transfer_balance_cap")
    # ITAA 1997 s292-85: the non-concessional cap and bring-forward period depend on the total super
    # balance against the general transfer balance cap, stepped down by one and two years' caps.
    if total_super_balance >= tbc:
        years, path = 0, f"total super balance at or above ${tbc:,.0f}: non-concessional cap is nil"
    elif age >= 75:
        years, path = 1, "aged 75 or over: no bring-forward (contributions accepted only up to 28 days after the month of turning 75)"
    elif total_super_balance < tbc - 2 * ncc:
        years, path = 3, f"total super balance under ${tbc - 2 * ncc:,.0f}: bring forward 3 years' caps"
    elif total_super_balance < tbc - ncc:
        years, path = 2, f"total super balance ${tbc - 2 * ncc:,.0f} to under ${tbc - ncc:,.0f}: bring forward 2 years' caps"
    else:
        years, path = 1, f"total super balance ${tbc - ncc:,.0f} to under ${tbc:,.0f}: the annual cap only, no bring-forward"
    most = money(ncc * years)
    figures = [
        Figure(name="concessional_cap", label="Concessional (before-tax) contributions cap", value=money(cc), unit="AUD", period="year", citation=cc_ref),
        Figure(name="non_concessional_cap", label="Non-concessional (after-tax) contributions cap", value=money(ncc), unit="AUD", period="year", citation=ncc_ref),
        Figure(name="bring_forward_years", label="Years of non-concessional cap available now", value=years, unit="years", citation=ncc_ref),
        Figure(name="max_non_concessional_now", label="Most non-concessional contributions allowed this year", value=most, unit="AUD", citation=ncc_ref),
        Figure(name="general_transfer_balance_cap", label="General transfer balance cap (sets the balance thresholds)", value=money(tbc), unit="AUD", citation=tbc_ref),
    ]
    assumptions = [
        "You are not already inside a bring-forward period started in an earlier year.",
        "Carry-forward of unused concessional cap (total super balance under $500,000) is not included.",
        "Age tests use age at 1 July of the financial year (a simplification of the ATO's age tests).",
    ]
    summary = (f"Your concessional cap is {amount_text('AUD', cc)} a year, and you can make up to "
               f"{amount_text('AUD', most)} of non-concessional contributions now.")
    return calc.result(figures, summary, assumptions, [path])


@calculator(
    name="au_transfer_balance_cap", country="AU", title="the transfer balance cap", rules=("general_transfer_balance_cap",),
    intents=(r"transfer balance cap", r"\bTBC\b", r"(tax[- ]free )?(retirement|pension) phase", r"how much .*into (an? )?(account[- ]based )?pension"),
    member_args={"amount": "pension_balance"},
    question_args={"amount": "amount", "on_date": "on_date", "tax_year": "tax_year"},
)
def transfer_balance_cap(
    amount: Annotated[float, Field(ge=0, description="Super the member wants to move into retirement-phase pensions, AUD.")],
    on_date: OnDateYear = None,
    tax_year: TaxYearArg = None,
) -> CalcResult:
    """Australia: the general transfer balance cap (the most super that can move into tax-free retirement-phase pensions) and how much of an amount fits under it."""
    calc = Calc("AU", on_date, tax_year)
    tbc, ref = calc.value("general_transfer_balance_cap"), calc.cite("general_transfer_balance_cap")
    excess = max(0.0, amount - tbc)
    moved = money(min(amount, tbc))
    figures = [
        Figure(name="general_transfer_balance_cap", label="General transfer balance cap", value=money(tbc), unit="AUD", citation=ref),
        Figure(name="transferable", label="Amount that can move into retirement phase", value=moved, unit="AUD", citation=ref),
        Figure(name="excess", label="Amount that must stay in accumulation (or leave super)", value=money(excess), unit="AUD", citation=ref),
    ]
    assumptions = ["This is your first retirement-phase income stream, so your personal cap equals the general cap; "
                   "proportional indexation of an existing transfer balance account is not modelled."]
    summary = f"The general transfer balance cap is {amount_text('AUD', tbc)}, so {amount_text('AUD', moved)} can move into retirement phase"
    summary += f" and {amount_text('AUD', excess)} must stay in accumulation or leave super." if excess else "."
    return calc.result(figures, summary, assumptions, ["amount above the cap" if excess else "amount within the cap"])


@calculator(
    name="au_super_lump_sum_tax", country="AU", title="the tax on your super lump sum",
    rules=("lump_sum_tax_rates", "medicare_levy_rate", "untaxed_plan_cap", "preservation_age", "low_rate_cap"),
    intents=(r"tax\b.*\bsuper(annuation)? lump sum", r"super(annuation)? lump sum.*\btax", r"tax on (a |my )?lump sum", r"tax .*(withdraw|cash out|take out) .*super",
             r"(withdraw|cash out|take out) .*super .*tax", r"untaxed element"),
    member_args={"taxed_element": "pension_balance", "date_of_birth": "date_of_birth"},
    question_args={"taxed_element": "amount", "date_of_birth": "date_of_birth", "on_date": "on_date", "tax_year": "tax_year"},
)
def super_lump_sum_tax(
    taxed_element: Annotated[float, Field(ge=0, description="Taxable component - taxed element of the lump sum, AUD (most fund benefits).")],
    untaxed_element: Annotated[float, Field(ge=0, description="Taxable component - untaxed element, AUD (mainly some public sector schemes).")] = 0,
    tax_free_component: Annotated[float, Field(ge=0, description="Tax-free component (e.g. from non-concessional contributions), AUD.")] = 0,
    *,
    date_of_birth: DateOfBirth,
    on_date: Annotated[dt.date | None, Field(description="Date the lump sum is paid; picks the financial year. Default today.")] = None,
    tax_year: TaxYearArg = None,
) -> CalcResult:
    """Australia: tax on a superannuation lump sum (member benefit) by age and component: taxed and untaxed elements of the taxable component, tax-free component, untaxed plan cap, plus Medicare levy."""
    calc = Calc("AU", on_date, tax_year)
    born_before(date_of_birth, calc.on_date)
    age = age_on(date_of_birth, calc.on_date)
    rates = calc.value("lump_sum_tax_rates")
    # Between preservation age and 60 a low rate cap applies (ATO Table 13); from 1 July 2024 nobody is in that band.
    in_band = 60 > age >= preservation_band(calc, date_of_birth)[0]
    if in_band and "preservation_age_to_59" not in rates:
        raise ToolError("not_modelled", "Tax on a lump sum paid between your preservation age and 60 isn't covered for this date.",
                        field="date_of_birth")
    rates_ref, levy_ref = calc.cite("lump_sum_tax_rates"), calc.cite("medicare_levy_rate")
    levy_rate = calc.value("medicare_levy_rate")
    # The untaxed plan cap only matters when there is an untaxed element; without its figure that case is refused.
    cap = calc.value("untaxed_plan_cap") if untaxed_element else 0.0
    untaxed_to_cap = min(untaxed_element, cap)
    untaxed_high = untaxed_element - untaxed_to_cap
    extra_figures: list[Figure] = []
    if in_band:
        band = rates["preservation_age_to_59"]
        low_cap, low_ref = calc.value("low_rate_cap"), calc.cite("low_rate_cap")
        # The low rate cap is used by the taxed element first, then by the untaxed element.
        taxed_low = min(taxed_element, low_cap)
        untaxed_low = min(untaxed_to_cap, low_cap - taxed_low)
        tax_taxed = taxed_low * band["taxed_to_low_rate_cap"] + (taxed_element - taxed_low) * band["taxed_above_low_rate_cap"]
        tax_untaxed = (untaxed_low * band["untaxed_to_low_rate_cap"] + (untaxed_to_cap - untaxed_low) * band["untaxed_to_cap"]
                       + untaxed_high * band["untaxed_above_cap"])
        levied = (taxed_element - taxed_low if band["taxed_above_low_rate_cap"] else 0) + untaxed_element
        extra_figures = [
            Figure(name="low_rate_cap", label="Low rate cap", value=money(low_cap), unit="AUD", citation=low_ref),
            Figure(name="low_rate_cap_used", label="Part of the lump sum within the low rate cap", value=money(taxed_low + untaxed_low), unit="AUD", citation=low_ref),
        ]
    else:
        band = rates["age_60_plus" if age >= 60 else "under_60"]
        tax_taxed = taxed_element * band["taxed"]
        tax_untaxed = untaxed_to_cap * band["untaxed_to_cap"] + untaxed_high * band["untaxed_above_cap"]
        levied = (taxed_element if band["taxed"] else 0) + untaxed_element
    levy = levied * levy_rate
    total = money(tax_taxed + tax_untaxed + levy)
    net = money(taxed_element + untaxed_element + tax_free_component - total)
    untaxed_ref = calc.cite("untaxed_plan_cap") if untaxed_element else rates_ref
    figures = [
        Figure(name="age_at_payment", label="Age when paid", value=age, unit="years", citation=rates_ref),
        Figure(name="tax_on_taxed_element", label="Tax on the taxed element", value=money(tax_taxed), unit="AUD", citation=rates_ref),
        Figure(name="tax_on_untaxed_element", label="Tax on the untaxed element", value=money(tax_untaxed), unit="AUD", citation=untaxed_ref),
        Figure(name="medicare_levy", label="Medicare levy", value=money(levy), unit="AUD", citation=levy_ref),
        Figure(name="total_tax", label="Total tax withheld", value=total, unit="AUD", citation=rates_ref),
        Figure(name="net_payment", label="Lump sum after tax", value=net, unit="AUD", citation=rates_ref),
    ]
    if untaxed_element:
        figures.insert(3, Figure(name="untaxed_plan_cap", label="Untaxed plan cap", value=money(cap), unit="AUD", citation=untaxed_ref))
    figures[1:1] = extra_figures
    if age >= 60:
        path = [f"age {age}: 60 or over, taxed element tax-free"]
    elif in_band:
        path = [f"age {age}: preservation age to 59, the low rate cap applies"]
    else:
        path = [f"age {age}: under preservation age"]
    if untaxed_high:
        path.append("untaxed element above the untaxed plan cap taxed at the top rate")
    assumptions = ["Rates are the ATO maximum rates withheld; the final tax is worked out in the tax return.",
                   "Medicare levy is added to every taxed amount at the full rate (low-income reductions not applied)."]
    if in_band:
        assumptions.append("None of your low rate cap has been used by earlier lump sums.")
    summary = f"At most {amount_text('AUD', total)} tax is withheld from this lump sum, leaving you {amount_text('AUD', net)}."
    return calc.result(figures, summary, assumptions, path)


def deemed_income(calc: Calc, financial_assets: float, marital_status: str) -> tuple[float, dict | None]:
    """Income a year deemed on financial assets: the lower rate up to the threshold, the upper rate above it."""
    if financial_assets <= 0:
        return 0.0, None
    rule = calc.value("age_pension_deeming")
    threshold = rule["threshold"]["single" if marital_status == "single" else "couple_combined"]
    lower = min(financial_assets, threshold)
    return lower * rule["lower_rate"] + (financial_assets - lower) * rule["upper_rate"], rule


@calculator(
    name="au_age_pension", country="AU", title="your Age Pension",
    rules=("age_pension_age", "age_pension_rates", "age_pension_assets_test", "age_pension_income_test", "age_pension_deeming"),
    intents=(r"age pension", r"centrelink", r"assets test", r"income test", r"pension age"),
    member_args={"date_of_birth": "date_of_birth", "marital_status": "marital_status", "homeowner": "homeowner",
                 "assessable_assets": "other_assets", "super_balance": "pension_balance"},
    question_args={"assessable_assets": "amount", "date_of_birth": "date_of_birth", "on_date": "on_date", "tax_year": "tax_year"},
)
def age_pension(
    date_of_birth: DateOfBirth,
    marital_status: Annotated[Literal["single", "couple"], Field(description="'single' or 'couple' (a couple's assets and income are combined).")],
    homeowner: Annotated[bool, Field(description="Whether the member (or couple) owns their home.")],
    assessable_assets: Annotated[float, Field(ge=0, description="Assessable assets excluding the home (super, savings, investments, cars, contents), AUD; combined for a couple.")],
    annual_assessable_income: Annotated[float, Field(ge=0, description="Assessable income a year other than deemed income on financial assets (e.g. earnings, other pensions), AUD; combined for a couple.")] = 0,
    super_balance: Annotated[float, Field(ge=0, description="Super balance, AUD; counted as an asset once Age Pension age is reached.")] = 0,
    on_date: Annotated[dt.date | None, Field(description="Date the question is about; picks the rates in force. Default today.")] = None,
    financial_assets: Annotated[float | None, Field(ge=0, description="Financial assets whose income is deemed (bank accounts, shares, managed funds; super once Age Pension age is reached), AUD; combined for a couple. Default: the assessable assets plus the super counted.")] = None,
    tax_year: TaxYearArg = None,
) -> CalcResult:
    """Australia: Age Pension age and an estimate of the fortnightly Age Pension under the assets and income tests (single or couple, homeowner or not, income deemed on financial assets), where the rates in force on the date are loaded."""
    calc = Calc("AU", on_date, tax_year)
    age_rule, age_ref = calc.value("age_pension_age"), calc.cite("age_pension_age")
    if date_of_birth < age_rule["born_from"]:
        figures = [Figure(name="age_pension_age", label="Age Pension age", value="reached (born before 1 January 1957)", unit="years", citation=age_ref)]
        reached, age_words = True, "You have reached Age Pension age"
    else:
        when = add_years(date_of_birth, age_rule["years"])
        figures = [Figure(name="age_pension_age", label="Age Pension age", value=age_rule["years"], unit="years", citation=age_ref),
                   Figure(name="age_pension_date", label="Date Age Pension age is reached", value=when.isoformat(), unit="date", citation=age_ref)]
        reached = when <= calc.on_date
        age_words = f"Your Age Pension age is {age_rule['years']} ({'reached on' if reached else 'you reach it on'} {date_text(when)})"
    rule_path = ["Age Pension age reached" if reached else "Age Pension age not yet reached"]
    assumptions = ["Residence rules (generally 10 years' Australian residence) are assumed to be met."]
    # Super in accumulation is exempt until Age Pension age, then counts under the assets and income tests.
    counted_super = super_balance if reached else 0.0
    assets = assessable_assets + counted_super
    if financial_assets is None:
        financial_assets = assets
        assumptions.append("All assessable assets and the super counted are taken as financial assets for deeming "
                           "(cars and home contents are not deemed: give the financial assets to exclude them).")
    try:
        amounts = _means_tested(calc, marital_status, homeowner, assets, annual_assessable_income, financial_assets, reached)
    except MissingFigure as missing:
        summary = f"{age_words}; the amount can't be worked out for {date_text(calc.on_date)}."
        return calc.result(figures, summary, assumptions, rule_path, notices=[f"No Age Pension amount is shown. {missing.message}"])
    more_figures, pension, test, path = amounts
    figures += more_figures
    rule_path.append(path)
    if not reached:
        assumptions.append("You are under Age Pension age, so nothing is payable yet; the test rates show what the current rules would give.")
        summary = f"{age_words}; nothing is payable before then."
    elif money(pension) == next(f.value for f in more_figures if f.name == "max_rate_fortnight"):  # neither test reduces it
        summary = f"Your estimated Age Pension is the full rate, {amount_text('AUD', money(pension))} a fortnight."
    elif pension > 0:
        summary = f"Your estimated Age Pension is {amount_text('AUD', money(pension))} a fortnight, set by the {test}."
    else:
        summary = f"No Age Pension is payable: the {test} reduces it to nothing."
        rule_path.append("no Age Pension payable under the means tests")
    return calc.result(figures, summary, assumptions, rule_path)


def _means_tested(calc: Calc, marital_status: str, homeowner: bool, assets: float, income: float, financial: float,
                  reached: bool):
    """The figures, the fortnightly pension (nil before Age Pension age), the test that sets it and the rule path."""
    rates, assets_rule, income_rule = (calc.value("age_pension_rates"), calc.value("age_pension_assets_test"),
                                       calc.value("age_pension_income_test"))
    deemed, deeming = deemed_income(calc, financial, marital_status)
    rate_ref, assets_ref, income_ref = calc.cite("age_pension_rates"), calc.cite("age_pension_assets_test"), calc.cite("age_pension_income_test")
    who = "combined" if marital_status == "couple" else "single"
    maximum = rates["single"] if marital_status == "single" else rates["couple_combined"]
    limit = assets_rule["full_pension_limit"][f"{marital_status}_{'homeowner' if homeowner else 'non_homeowner'}"]
    assets_rate = max(0.0, maximum - max(0.0, assets - limit) / 1000 * assets_rule["taper_per_1000_fortnight"])
    free_area = income_rule["free_area_fortnight"]["single" if marital_status == "single" else "couple_combined"]
    income_rate = max(0.0, maximum - max(0.0, (income + deemed) / 26 - free_area) * income_rule["taper"])
    pension = min(assets_rate, income_rate) if reached else 0.0
    test = "assets test" if assets_rate < income_rate else "income test"
    figures = [
        Figure(name="max_rate_fortnight", label=f"Maximum Age Pension ({who})", value=money(maximum), unit="AUD", period="fortnight", citation=rate_ref),
        Figure(name="assets_test_limit", label="Assets limit for the full pension", value=money(limit), unit="AUD", citation=assets_ref),
        Figure(name="assets_test_rate", label="Rate under the assets test", value=money(assets_rate), unit="AUD", period="fortnight", citation=assets_ref),
        Figure(name="income_free_area", label="Income free area", value=money(free_area), unit="AUD", period="fortnight", citation=income_ref),
        Figure(name="income_test_rate", label="Rate under the income test", value=money(income_rate), unit="AUD", period="fortnight", citation=income_ref),
        Figure(name="estimated_pension_fortnight", label=f"Estimated Age Pension ({who})", value=money(pension), unit="AUD", period="fortnight", citation=rate_ref),
        Figure(name="estimated_pension_year", label=f"Estimated Age Pension ({who}, 26 fortnights)", value=money(pension * 26), unit="AUD", period="year", citation=rate_ref),
    ]
    if deeming:
        figures.insert(4, Figure(name="deemed_income", label="Income deemed on financial assets", value=money(deemed),
                                 unit="AUD", period="year", citation=calc.cite("age_pension_deeming")))
    path = f"{marital_status}, {'homeowner' if homeowner else 'non-homeowner'}: {test} gives the lower rate"
    return figures, pension, test, path


@calculator(
    name="au_super_projection", country="AU", title="a projection of your super",
    rules=("super_guarantee_rate", "contributions_tax_rate", "concessional_cap", "max_contribution_base_quarter",
           "max_contributions_base_year"),
    intents=(r"(project|projection|forecast|grow|growth).*super", r"super .*(be worth|have) .*(retire|when i'?m|at \d\d)",
             r"how much (super )?will i have"),
    member_args={"balance": "pension_balance", "salary": "annual_salary", "date_of_birth": "date_of_birth"},
    question_args={"years": "years", "salary": "salary", "date_of_birth": "date_of_birth", "on_date": "on_date", "tax_year": "tax_year"},
)
def super_projection(
    balance: Annotated[float, Field(ge=0, description="Current super balance, AUD.")],
    salary: Annotated[float, Field(ge=0, description="Annual salary on which employer super guarantee is paid, AUD.")] = 0,
    years: ProjectionYears = None,
    date_of_birth: Annotated[dt.date | None, Field(description="The member's date of birth; used when years is not given.")] = None,
    retirement_age: RetirementAge = 67,
    annual_return: Annotated[float, Field(ge=-0.5, le=0.5, description="Assumed investment return a year after investment tax, as a ratio (0.06 = 6%).")] = 0.06,
    annual_fee: Annotated[float, Field(ge=0, le=0.1, description="Assumed fees a year as a ratio of the balance (0.01 = 1%).")] = 0.0,
    extra_concessional: Annotated[float, Field(ge=0, description="Extra before-tax (salary sacrifice) contributions a year, AUD.")] = 0,
    salary_growth: Annotated[float, Field(ge=-0.5, le=0.5, description="Assumed salary growth a year as a ratio.")] = 0.0,
    on_date: Annotated[dt.date | None, Field(description="Date the projection starts; picks the SG rate and caps. Default today.")] = None,
    tax_year: TaxYearArg = None,
) -> CalcResult:
    """Australia: project a super balance forward with employer SG and extra before-tax contributions (less contributions tax) at a stated return and fee, to a number of years or a retirement age."""
    calc = Calc("AU", on_date, tax_year)
    years = years_until(years, date_of_birth, retirement_age, calc.on_date)
    sg_rate, tax_rate, cap = calc.value("super_guarantee_rate"), calc.value("contributions_tax_rate"), calc.value("concessional_cap")
    sg_ref, tax_ref, cap_ref = calc.cite("super_guarantee_rate"), calc.cite("contributions_tax_rate"), calc.cite("concessional_cap")
    earnings_cap, _, cap_key, _ = sg_earnings_cap(calc)
    growth = annual_return - annual_fee
    total_contributions = 0.0
    over_cap = sg_capped = False
    for year in range(years):
        pay = salary * (1 + salary_growth) ** year
        if pay > earnings_cap:
            # SG is only due on earnings up to the maximum contribution base.
            pay, sg_capped = earnings_cap, True
        concessional = pay * sg_rate + extra_concessional
        over_cap = over_cap or concessional > cap
        net = concessional * (1 - tax_rate)
        # Contributions arrive through the year, so on average they earn half a year's return.
        balance = balance * (1 + growth) + net * (1 + growth / 2)
        total_contributions += net
    projected = money(balance)
    figures = [
        Figure(name="years", label="Years projected", value=years, unit="years", citation=sg_ref),
        Figure(name="sg_rate", label="Super guarantee rate used", value=percent(sg_rate), unit="%", citation=sg_ref),
        Figure(name="contributions_tax_rate", label="Contributions tax", value=percent(tax_rate), unit="%", citation=tax_ref),
        Figure(name="net_contributions", label="Contributions after contributions tax, all years", value=money(total_contributions), unit="AUD", citation=tax_ref),
        Figure(name="projected_balance", label="Projected balance (not adjusted for inflation)", value=projected, unit="AUD", citation=sg_ref),
    ]
    assumptions = [
        f"Investment return {annual_return * 100:g}% a year and fees {annual_fee * 100:g}% a year, constant; returns are not guaranteed.",
        f"Salary growth {salary_growth * 100:g}% a year; the {calc.tax_year} SG rate and caps are used for every year.",
        "Contributions are spread through the year (half a year's return on each year's contributions).",
        "Amounts are in future dollars, not adjusted for inflation; Division 293 tax and insurance premiums are ignored.",
    ]
    path = [f"{years} years at {growth * 100:g}% net growth"]
    if sg_capped:
        path.append("salary above the maximum contribution base: SG capped")
        figures.append(Figure(name="sg_earnings_cap", label="Most earnings a year SG is due on (maximum contribution base)",
                              value=money(earnings_cap), unit="AUD", period="year", citation=calc.cite(cap_key)))
    if over_cap:
        path.append("concessional contributions exceed the concessional cap in at least one year")
        figures.append(Figure(name="concessional_cap", label="Concessional contributions cap", value=money(cap), unit="AUD", period="year", citation=cap_ref))
    summary = f"Your super could be about {amount_text('AUD', projected)} after {years} years, before inflation."
    return calc.result(figures, summary, assumptions, path)

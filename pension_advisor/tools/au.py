"""Australia: superannuation calculators. Figures come from rules/au/<tax year>.yaml."""

from __future__ import annotations

import datetime as dt

from typing import Literal

from pydantic import BaseModel, Field

from .base import (
    CalcResult, CitationList, Figure, ToolError, add_years, age_on, build_result, check_age, check_non_negative, money,
    percent, rules_for,
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


def sg_earnings_cap(rules) -> tuple[float, str] | None:
    """The most earnings in a year that SG is due on, and the rule-table key it comes from (None if not loaded).

    Up to 30 June 2026 the maximum contribution base is per quarter (four of them for an even salary); from
    1 July 2026 (Payday Super) it is per financial year.
    """
    if "max_contribution_base_quarter" in rules.rules:
        return rules.value("max_contribution_base_quarter") * 4, "max_contribution_base_quarter"
    if "max_contributions_base_year" in rules.rules:
        return rules.value("max_contributions_base_year"), "max_contributions_base_year"
    return None


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
        # Up to 30 June 2026 the cap applies per quarter, so an even salary is capped at four quarterly bases.
        cap, cap_key, period = rules.value("max_contribution_base_quarter"), "max_contribution_base_quarter", "quarter"
        annual_cap = cap * 4
    elif "max_contributions_base_year" in rules.rules:
        # From 1 July 2026 (Payday Super) the cap is on a financial year's qualifying earnings.
        cap, cap_key, period = rules.value("max_contributions_base_year"), "max_contributions_base_year", "year"
        annual_cap = cap
    else:
        cap_key = None
        assumptions.append(f"The {rules.tax_year} maximum contributions base is not applied: its figure is not confirmed in the rule table.")
    if cap_key:
        figures.append(Figure(name="max_contribution_base", label="Maximum super contribution base",
                              value=money(cap), unit="AUD", period=period, citation=cite(cap_key)))
        if salary > annual_cap:
            earnings_base = annual_cap
            rule_path.append("salary above the maximum contribution base: SG capped")
        else:
            rule_path.append("salary within the maximum contribution base")
    sg_ref = cite("super_guarantee_rate")
    annual = money(earnings_base * rate)
    figures += [
        Figure(name="employer_sg", label="Minimum employer super guarantee", value=annual, unit="AUD", period="year", citation=sg_ref),
        Figure(name="employer_sg_month", label="Minimum employer super guarantee", value=money(annual / 12), unit="AUD", period="month", citation=sg_ref),
    ]
    return build_result("au_super_guarantee", rules, cite, figures, assumptions, rule_path)


class ContributionCapsArgs(BaseModel):
    total_super_balance: float = Field(ge=0, description="Total super balance at the previous 30 June, AUD.")
    age: int | None = Field(default=None, description="Age at the start of the financial year (1 July). Give this or date_of_birth.")
    date_of_birth: dt.date | None = Field(default=None, description="The member's date of birth; used when age is not given.")
    on_date: dt.date | None = Field(default=None, description="Date the question is about; picks the financial year. Default today.")


def contribution_caps(total_super_balance: float, age: int | None = None, date_of_birth: dt.date | None = None,
                      on_date: dt.date | None = None) -> CalcResult:
    """Concessional and non-concessional caps for the year, and how much the bring-forward rule allows now."""
    check_non_negative("total_super_balance", total_super_balance)
    rules = rules_for("AU", on_date or dt.date.today())
    if age is None:
        if date_of_birth is None:
            raise ToolError("missing_age", "Give the member's age at 1 July or their date_of_birth.")
        age = age_on(date_of_birth, rules.starts)
    check_age("age", age)
    cite = CitationList(rules)
    cc, ncc, tbc = rules.value("concessional_cap"), rules.value("non_concessional_cap"), rules.value("general_transfer_balance_cap")
    cc_ref, ncc_ref, tbc_ref = cite("concessional_cap"), cite("non_concessional_cap"), cite("general_transfer_balance_cap")
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
    figures = [
        Figure(name="concessional_cap", label="Concessional (before-tax) contributions cap", value=money(cc), unit="AUD", period="year", citation=cc_ref),
        Figure(name="non_concessional_cap", label="Non-concessional (after-tax) contributions cap", value=money(ncc), unit="AUD", period="year", citation=ncc_ref),
        Figure(name="bring_forward_years", label="Years of non-concessional cap available now", value=years, unit="years", citation=ncc_ref),
        Figure(name="max_non_concessional_now", label="Most non-concessional contributions allowed this year", value=money(ncc * years), unit="AUD", citation=ncc_ref),
        Figure(name="general_transfer_balance_cap", label="General transfer balance cap (sets the balance thresholds)", value=money(tbc), unit="AUD", citation=tbc_ref),
    ]
    assumptions = [
        "The member is not already inside a bring-forward period started in an earlier year.",
        "Carry-forward of unused concessional cap (total super balance under $500,000) is not included.",
        "Age tests use age at 1 July of the financial year (a simplification of the ATO's age tests).",
    ]
    return build_result("au_contribution_caps", rules, cite, figures, assumptions, [path])


class TransferBalanceCapArgs(BaseModel):
    amount: float = Field(ge=0, description="Super the member wants to move into retirement-phase pensions, AUD.")
    on_date: dt.date | None = Field(default=None, description="Date the question is about; picks the financial year. Default today.")


def transfer_balance_cap(amount: float, on_date: dt.date | None = None) -> CalcResult:
    """How much of a balance can move into tax-free retirement phase under the general transfer balance cap."""
    check_non_negative("amount", amount)
    rules = rules_for("AU", on_date or dt.date.today())
    cite = CitationList(rules)
    tbc = rules.value("general_transfer_balance_cap")
    ref = cite("general_transfer_balance_cap")
    excess = max(0.0, amount - tbc)
    figures = [
        Figure(name="general_transfer_balance_cap", label="General transfer balance cap", value=money(tbc), unit="AUD", citation=ref),
        Figure(name="transferable", label="Amount that can move into retirement phase", value=money(min(amount, tbc)), unit="AUD", citation=ref),
        Figure(name="excess", label="Amount that must stay in accumulation (or leave super)", value=money(excess), unit="AUD", citation=ref),
    ]
    path = ["amount above the cap" if excess else "amount within the cap"]
    assumptions = ["This is the member's first retirement-phase income stream, so their personal cap equals the general cap; "
                   "proportional indexation of an existing transfer balance account is not modelled."]
    return build_result("au_transfer_balance_cap", rules, cite, figures, assumptions, path)


class LumpSumTaxArgs(BaseModel):
    taxed_element: float = Field(ge=0, description="Taxable component - taxed element of the lump sum, AUD (most fund benefits).")
    untaxed_element: float = Field(default=0, ge=0, description="Taxable component - untaxed element, AUD (mainly some public sector schemes).")
    tax_free_component: float = Field(default=0, ge=0, description="Tax-free component (e.g. from non-concessional contributions), AUD.")
    date_of_birth: dt.date = Field(description="The member's date of birth (YYYY-MM-DD).")
    on_date: dt.date | None = Field(default=None, description="Date the lump sum is paid; picks the financial year. Default today.")


def super_lump_sum_tax(taxed_element: float, date_of_birth: dt.date, untaxed_element: float = 0,
                       tax_free_component: float = 0, on_date: dt.date | None = None) -> CalcResult:
    """Maximum tax withheld on a super lump sum (member benefit) by age and component, plus Medicare levy."""
    for name, amount in (("taxed_element", taxed_element), ("untaxed_element", untaxed_element), ("tax_free_component", tax_free_component)):
        check_non_negative(name, amount)
    on_date = on_date or dt.date.today()
    if date_of_birth >= on_date:
        raise ToolError("date_of_birth_in_future", "date_of_birth must be before the payment date.")
    rules = rules_for("AU", on_date)
    cite = CitationList(rules)
    age = age_on(date_of_birth, on_date)
    if age < 60 and age >= preservation_age(date_of_birth, on_date).figure("preservation_age").value:
        raise ToolError("not_modelled", "Lump sums between preservation age and 60 (low rate cap) are not modelled.")
    band_key = "age_60_plus" if age >= 60 else "under_60"
    band = rules.value("lump_sum_tax_rates")[band_key]
    rates_ref, levy_ref = cite("lump_sum_tax_rates"), cite("medicare_levy_rate")
    levy_rate = rules.value("medicare_levy_rate")
    assumptions = ["Rates are the ATO maximum rates withheld; the final tax is worked out in the tax return.",
                   "Medicare levy is added to every taxed amount at the full rate (low-income reductions not applied)."]
    if "untaxed_plan_cap" in rules.rules:
        cap = rules.value("untaxed_plan_cap")
        cap_ref = cite("untaxed_plan_cap")
    else:
        cap, cap_ref = float("inf"), rates_ref
        if untaxed_element:
            assumptions.append(f"The {rules.tax_year} untaxed plan cap is not confirmed; the untaxed element is assumed to be below it.")
    untaxed_low = min(untaxed_element, cap)
    untaxed_high = untaxed_element - untaxed_low
    tax_taxed = taxed_element * band["taxed"]
    tax_untaxed = untaxed_low * band["untaxed_to_cap"] + untaxed_high * band["untaxed_above_cap"]
    levied = (taxed_element if band["taxed"] else 0) + untaxed_element
    levy = levied * levy_rate
    total = money(tax_taxed + tax_untaxed + levy)
    gross = taxed_element + untaxed_element + tax_free_component
    figures = [
        Figure(name="age_at_payment", label="Age when paid", value=age, unit="years", citation=rates_ref),
        Figure(name="tax_on_taxed_element", label="Tax on the taxed element", value=money(tax_taxed), unit="AUD", citation=rates_ref),
        Figure(name="tax_on_untaxed_element", label="Tax on the untaxed element", value=money(tax_untaxed), unit="AUD", citation=cap_ref if untaxed_high else rates_ref),
        Figure(name="medicare_levy", label="Medicare levy", value=money(levy), unit="AUD", citation=levy_ref),
        Figure(name="total_tax", label="Total tax withheld", value=total, unit="AUD", citation=rates_ref),
        Figure(name="net_payment", label="Lump sum after tax", value=money(gross - total), unit="AUD", citation=rates_ref),
    ]
    path = [f"age {age}: " + ("60 or over, taxed element tax-free" if age >= 60 else "under preservation age")]
    if untaxed_high:
        path.append("untaxed element above the untaxed plan cap taxed at the top rate")
    return build_result("au_super_lump_sum_tax", rules, cite, figures, assumptions, path)


class AgePensionArgs(BaseModel):
    date_of_birth: dt.date = Field(description="The member's date of birth (YYYY-MM-DD).")
    marital_status: Literal["single", "couple"] = Field(description="'single' or 'couple' (a couple's assets and income are combined).")
    homeowner: bool = Field(description="Whether the member (or couple) owns their home.")
    assessable_assets: float = Field(ge=0, description="Assessable assets excluding the home (super, savings, investments, cars, contents), AUD; combined for a couple.")
    annual_assessable_income: float = Field(default=0, ge=0, description="Assessable income a year under the income test (including deemed income on financial assets), AUD; combined for a couple.")
    super_balance: float = Field(default=0, ge=0, description="Super balance, AUD; counted as an asset once Age Pension age is reached.")
    on_date: dt.date | None = Field(default=None, description="Date the question is about; picks the rates in force. Default today.")


def rate_period(entries, on_date: dt.date):
    return next((e for e in entries if e["valid_from"] <= on_date <= e["valid_to"]), None)


def age_pension(date_of_birth: dt.date, marital_status: str, homeowner: bool, assessable_assets: float,
                annual_assessable_income: float = 0, super_balance: float = 0, on_date: dt.date | None = None) -> CalcResult:
    """Age Pension age, and the Age Pension the assets and income tests allow (the lower result applies)."""
    check_non_negative("assessable_assets", assessable_assets)
    check_non_negative("annual_assessable_income", annual_assessable_income)
    check_non_negative("super_balance", super_balance)
    if marital_status not in ("single", "couple"):
        raise ToolError("bad_marital_status", "marital_status must be 'single' or 'couple'.")
    on_date = on_date or dt.date.today()
    rules = rules_for("AU", on_date)
    cite = CitationList(rules)
    age_rule = rules.value("age_pension_age")
    age_ref = cite("age_pension_age")
    if date_of_birth < age_rule["born_from"]:
        figures = [Figure(name="age_pension_age", label="Age Pension age", value="reached (born before 1 January 1957)", unit="years", citation=age_ref)]
        reached = True
    else:
        when = add_years(date_of_birth, age_rule["years"])
        figures = [Figure(name="age_pension_age", label="Age Pension age", value=age_rule["years"], unit="years", citation=age_ref),
                   Figure(name="age_pension_date", label="Date Age Pension age is reached", value=when.isoformat(), unit="date", citation=age_ref)]
        reached = when <= on_date
    rule_path = ["Age Pension age reached" if reached else "Age Pension age not yet reached"]
    if reached:
        # Super in accumulation is exempt until Age Pension age, then counts under the assets test.
        assessable_assets += super_balance
    assumptions = ["Residence rules (generally 10 years' Australian residence) are assumed to be met.",
                   "Income is taken as given; deemed income on financial assets is not calculated here."]
    rates = rate_period(rules.value("age_pension_rates"), on_date) if "age_pension_rates" in rules.rules else None
    if rates is None:
        assumptions.append(f"Age Pension rates and means-test limits in force on {on_date.isoformat()} are not loaded, so no amount is given.")
        return build_result("au_age_pension", rules, cite, figures, assumptions, rule_path)
    assets_rule, income_rule = rules.value("age_pension_assets_test"), rules.value("age_pension_income_test")
    rate_ref, assets_ref, income_ref = cite("age_pension_rates"), cite("age_pension_assets_test"), cite("age_pension_income_test")
    maximum = rates["single"] if marital_status == "single" else rates["couple_combined"]
    limit = assets_rule["full_pension_limit"][f"{marital_status}_{'homeowner' if homeowner else 'non_homeowner'}"]
    assets_rate = max(0.0, maximum - max(0.0, assessable_assets - limit) / 1000 * assets_rule["taper_per_1000_fortnight"])
    free_area = income_rule["free_area_fortnight"]["single" if marital_status == "single" else "couple_combined"]
    income_rate = max(0.0, maximum - max(0.0, annual_assessable_income / 26 - free_area) * income_rule["taper"])
    pension = min(assets_rate, income_rate) if reached else 0.0
    test = "assets test" if assets_rate < income_rate else "income test"
    rule_path.append(f"{marital_status}, {'homeowner' if homeowner else 'non-homeowner'}: {test} gives the lower rate")
    if pension <= 0 and reached:
        rule_path.append("no Age Pension payable under the means tests")
    who = "combined" if marital_status == "couple" else "single"
    figures += [
        Figure(name="max_rate_fortnight", label=f"Maximum Age Pension ({who})", value=money(maximum), unit="AUD", period="fortnight", citation=rate_ref),
        Figure(name="assets_test_limit", label="Assets limit for the full pension", value=money(limit), unit="AUD", citation=assets_ref),
        Figure(name="assets_test_rate", label="Rate under the assets test", value=money(assets_rate), unit="AUD", period="fortnight", citation=assets_ref),
        Figure(name="income_free_area", label="Income free area", value=money(free_area), unit="AUD", period="fortnight", citation=income_ref),
        Figure(name="income_test_rate", label="Rate under the income test", value=money(income_rate), unit="AUD", period="fortnight", citation=income_ref),
        Figure(name="estimated_pension_fortnight", label=f"Estimated Age Pension ({who})", value=money(pension), unit="AUD", period="fortnight", citation=rate_ref),
        Figure(name="estimated_pension_year", label=f"Estimated Age Pension ({who}, 26 fortnights)", value=money(pension * 26), unit="AUD", period="year", citation=rate_ref),
    ]
    if not reached:
        assumptions.append("The member is under Age Pension age, so nothing is payable yet; the test rates show what the current rules would give.")
    return build_result("au_age_pension", rules, cite, figures, assumptions, rule_path)


class SuperProjectionArgs(BaseModel):
    balance: float = Field(ge=0, description="Current super balance, AUD.")
    salary: float = Field(default=0, ge=0, description="Annual salary on which employer super guarantee is paid, AUD.")
    years: int | None = Field(default=None, ge=0, le=60, description="Years to project. Default: until retirement_age, from date_of_birth.")
    date_of_birth: dt.date | None = Field(default=None, description="The member's date of birth; used when years is not given.")
    retirement_age: int = Field(default=67, ge=40, le=80, description="Age the projection runs to when years is not given (assumption, default 67).")
    annual_return: float = Field(default=0.06, ge=-0.5, le=0.5, description="Assumed investment return a year after investment tax, as a ratio (0.06 = 6%).")
    annual_fee: float = Field(default=0.0, ge=0, le=0.1, description="Assumed fees a year as a ratio of the balance (0.01 = 1%).")
    extra_concessional: float = Field(default=0, ge=0, description="Extra before-tax (salary sacrifice) contributions a year, AUD.")
    salary_growth: float = Field(default=0.0, ge=-0.5, le=0.5, description="Assumed salary growth a year as a ratio.")
    on_date: dt.date | None = Field(default=None, description="Date the projection starts; picks the SG rate and caps. Default today.")


def super_projection(balance: float, salary: float = 0, years: int | None = None, date_of_birth: dt.date | None = None,
                     retirement_age: int = 67, annual_return: float = 0.06, annual_fee: float = 0.0,
                     extra_concessional: float = 0, salary_growth: float = 0.0, on_date: dt.date | None = None) -> CalcResult:
    """Project a super balance with SG and extra contributions (less 15% contributions tax) at stated return and fees."""
    for name, amount in (("balance", balance), ("salary", salary), ("extra_concessional", extra_concessional)):
        check_non_negative(name, amount)
    on_date = on_date or dt.date.today()
    rules = rules_for("AU", on_date)
    if years is None:
        if date_of_birth is None:
            raise ToolError("missing_years", "Give the number of years to project or the member's date_of_birth.")
        years = max(0, retirement_age - age_on(date_of_birth, on_date))
    cite = CitationList(rules)
    sg_rate, tax_rate, cap = rules.value("super_guarantee_rate"), rules.value("contributions_tax_rate"), rules.value("concessional_cap")
    sg_ref, tax_ref, cap_ref = cite("super_guarantee_rate"), cite("contributions_tax_rate"), cite("concessional_cap")
    growth = annual_return - annual_fee
    total_contributions = 0.0
    over_cap = sg_capped = False
    earnings_cap = sg_earnings_cap(rules)
    for year in range(years):
        pay = salary * (1 + salary_growth) ** year
        if earnings_cap and pay > earnings_cap[0]:
            # SG is only due on earnings up to the maximum contribution base.
            pay, sg_capped = earnings_cap[0], True
        concessional = pay * sg_rate + extra_concessional
        over_cap = over_cap or concessional > cap
        net = concessional * (1 - tax_rate)
        # Contributions arrive through the year, so on average they earn half a year's return.
        balance = balance * (1 + growth) + net * (1 + growth / 2)
        total_contributions += net
    figures = [
        Figure(name="years", label="Years projected", value=years, unit="years", citation=sg_ref),
        Figure(name="sg_rate", label="Super guarantee rate used", value=percent(sg_rate), unit="%", citation=sg_ref),
        Figure(name="contributions_tax_rate", label="Contributions tax", value=percent(tax_rate), unit="%", citation=tax_ref),
        Figure(name="net_contributions", label="Contributions after contributions tax, all years", value=money(total_contributions), unit="AUD", citation=tax_ref),
        Figure(name="projected_balance", label="Projected balance (not adjusted for inflation)", value=money(balance), unit="AUD", citation=sg_ref),
    ]
    assumptions = [
        f"Investment return {annual_return * 100:g}% a year and fees {annual_fee * 100:g}% a year, constant; returns are not guaranteed.",
        f"Salary growth {salary_growth * 100:g}% a year; the {rules.tax_year} SG rate and caps are used for every year.",
        "Contributions are spread through the year (half a year's return on each year's contributions).",
        "Amounts are in future dollars, not adjusted for inflation; Division 293 tax and insurance premiums are ignored.",
    ]
    path = [f"{years} years at {growth * 100:g}% net growth"]
    if sg_capped:
        path.append("salary above the maximum contribution base: SG capped")
        figures.append(Figure(name="sg_earnings_cap", label="Most earnings a year SG is due on (maximum contribution base)",
                              value=money(earnings_cap[0]), unit="AUD", period="year", citation=cite(earnings_cap[1])))
    if over_cap:
        path.append("concessional contributions exceed the concessional cap in at least one year")
        figures.append(Figure(name="concessional_cap", label="Concessional contributions cap", value=money(cap), unit="AUD", period="year", citation=cap_ref))
    return build_result("au_super_projection", rules, cite, figures, assumptions, path)


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
    ToolSpec(
        name="au_contribution_caps",
        country="AU",
        function=contribution_caps,
        args_schema=ContributionCapsArgs,
        description=("Australia: the concessional and non-concessional super contribution caps for the financial year, "
                     "and how many years of non-concessional cap the bring-forward rule allows given the total super balance and age."),
        intents=(r"contribution caps?", r"concessional", r"bring[- ]forward", r"how much can i (contribute|put) (in)?to (my )?super",
                 r"salary sacrifice .*(cap|limit|max)"),
        member_args={"total_super_balance": "pension_balance", "date_of_birth": "date_of_birth"},
        question_args={"age": "age", "date_of_birth": "date_of_birth", "on_date": "on_date"},
    ),
    ToolSpec(
        name="au_transfer_balance_cap",
        country="AU",
        function=transfer_balance_cap,
        args_schema=TransferBalanceCapArgs,
        description=("Australia: the general transfer balance cap (the most super that can move into tax-free retirement-phase "
                     "pensions) and how much of an amount fits under it."),
        intents=(r"transfer balance cap", r"TBC", r"(tax[- ]free )?(retirement|pension) phase", r"how much .*into (an? )?(account[- ]based )?pension"),
        member_args={"amount": "pension_balance"},
        question_args={"amount": "amount", "on_date": "on_date"},
    ),
    ToolSpec(
        name="au_super_lump_sum_tax",
        country="AU",
        function=super_lump_sum_tax,
        args_schema=LumpSumTaxArgs,
        description=("Australia: tax on a superannuation lump sum (member benefit) by age and component: taxed and untaxed "
                     "elements of the taxable component, tax-free component, untaxed plan cap, plus Medicare levy."),
        intents=(r"tax\b.*\bsuper(annuation)? lump sum", r"super(annuation)? lump sum.*\btax", r"tax on (a |my )?lump sum", r"tax .*(withdraw|cash out|take out) .*super",
                 r"(withdraw|cash out|take out) .*super .*tax", r"untaxed element"),
        member_args={"taxed_element": "pension_balance", "date_of_birth": "date_of_birth"},
        question_args={"taxed_element": "amount", "date_of_birth": "date_of_birth", "on_date": "on_date"},
    ),
    ToolSpec(
        name="au_age_pension",
        country="AU",
        function=age_pension,
        args_schema=AgePensionArgs,
        description=("Australia: Age Pension age and an estimate of the fortnightly Age Pension under the assets and income "
                     "tests (single or couple, homeowner or not), where the rates in force on the date are loaded."),
        intents=(r"age pension", r"centrelink", r"assets test", r"income test", r"pension age"),
        member_args={"date_of_birth": "date_of_birth", "marital_status": "marital_status", "homeowner": "homeowner",
                     "assessable_assets": "other_assets", "super_balance": "pension_balance"},
        question_args={"assessable_assets": "amount", "date_of_birth": "date_of_birth", "on_date": "on_date"},
    ),
    ToolSpec(
        name="au_super_projection",
        country="AU",
        function=super_projection,
        args_schema=SuperProjectionArgs,
        description=("Australia: project a super balance forward with employer SG and extra before-tax contributions (less 15% "
                     "contributions tax) at a stated return and fee, to a number of years or a retirement age."),
        intents=(r"(project|projection|forecast|grow|growth).*super", r"super .*(be worth|have) .*(retire|when i'?m|at \d\d)",
                 r"how much (super )?will i have"),
        member_args={"balance": "pension_balance", "salary": "annual_salary", "date_of_birth": "date_of_birth"},
        question_args={"years": "years", "salary": "salary", "date_of_birth": "date_of_birth", "on_date": "on_date"},
    ),
]

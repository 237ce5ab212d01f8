"""United Kingdom: income tax on a year's income (England, Wales and Northern Ireland, or Scotland) and the tax on an
uncrystallised funds pension lump sum (UFPLS). Figures come from rules/uk/<tax year>.yaml."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from .base import Calc, CalcResult, Figure, amount_text, money, percent
from .registry import TaxYearArg, calculator
from .uk_income import REGION_WORDS, RULE_FOR_REGION, Region, band_taxes, income_tax, personal_allowance

OnDate = Annotated[dt.date | None, Field(description="Date in the tax year asked about. Default today.")]
RegionArg = Annotated[Region, Field(description="Where the member is a taxpayer: 'england_wales_ni' (England, Wales or Northern Ireland) or 'scotland' (Scottish income tax on wages and pensions).")]
BAND_NAMES = {
    "income_tax_england": ("basic rate", "higher rate", "additional rate"),
    "income_tax_scotland": ("starter rate", "basic rate", "intermediate rate", "higher rate", "advanced rate", "top rate"),
}


def marginal_rate(rule: dict, income: float) -> float:
    """Tax on the next pound, as a ratio (the Personal Allowance taper makes it 1.5 times the band rate)."""
    return income_tax(rule, income + 1) - income_tax(rule, income)


@calculator(
    name="uk_income_tax", country="UK", title="your income tax", rules=("income_tax_england", "income_tax_scotland"),
    # Not "how much tax would I pay" alone: on a pension withdrawal that is the drawdown or UFPLS calculator's question.
    intents=(r"how much income tax\b(?!.*\b(pension|pot|drawdown|withdraw\w*|lump sum|ufpls)\b)",
             r"(income )?tax (on|for) (my )?(salary|wages?|earnings)",
             r"scottish (income )?tax", r"tax (band|bracket|rate)s?\b", r"(higher|basic|additional|starter|intermediate|top) rate tax",
             r"personal allowance", r"marginal (tax )?rate"),
    member_args={"income": "annual_salary"},
    question_args={"income": "salary", "on_date": "on_date", "tax_year": "tax_year"},
)
def uk_income_tax(
    income: Annotated[float, Field(ge=0, description="Taxable non-savings income for the tax year (salary, pensions, State Pension), GBP, before the Personal Allowance.")],
    region: RegionArg = "england_wales_ni",
    on_date: OnDate = None,
    tax_year: TaxYearArg = None,
) -> CalcResult:
    """United Kingdom: income tax for a tax year on wages and pensions, band by band, with the Personal Allowance (tapered on high incomes), for England, Wales and Northern Ireland or for Scotland's own bands."""
    calc = Calc("UK", on_date, tax_year)
    key = RULE_FOR_REGION[region]
    rule, ref = calc.value(key), calc.cite(key)
    allowance = personal_allowance(rule, income)
    bands = band_taxes(rule, income)
    tax = money(sum(b.tax for b in bands))
    marginal = marginal_rate(rule, income)
    figures = [
        Figure(name="personal_allowance", label="Personal Allowance after any taper", value=money(allowance), unit="GBP", period="year", citation=ref),
        Figure(name="taxable_income", label="Income above the Personal Allowance", value=money(max(0.0, income - allowance)), unit="GBP", period="year", citation=ref),
    ]
    names = [n for n in BAND_NAMES[key] if len(bands) == len(BAND_NAMES[key]) or n != "advanced rate"]  # no advanced band before 2024-25
    for name, band in zip(names, bands):
        if band.taxed:
            figures.append(Figure(name=f"tax_at_{name.replace(' ', '_')}", label=f"Tax at the {name} ({percent(band.rate):g}%)",
                                  value=money(band.tax), unit="GBP", period="year", citation=ref))
    figures += [
        Figure(name="income_tax", label="Income tax for the year", value=tax, unit="GBP", period="year", citation=ref),
        Figure(name="effective_rate", label="Income tax as a share of income", value=round(tax / income * 100, 2) if income else 0.0, unit="%", citation=ref),
        Figure(name="marginal_rate", label="Tax on the next pound of income", value=round(marginal * 100, 2), unit="%", citation=ref),
    ]
    path = [f"{REGION_WORDS[region]} rates for {calc.tax_year}"]
    if allowance < rule["personal_allowance"]:
        path.append(f"income over {rule['allowance_taper_from']:,}: Personal Allowance reduced by 1 for every 2")
    assumptions = ["All the income is non-savings income (wages, pensions); savings and dividend income have their own rates.",
                   "No other allowances or reliefs (marriage allowance, blind person's allowance, pension or Gift Aid relief) are applied.",
                   "National Insurance is not included."]
    summary = f"Your income tax for {calc.tax_year} would be {amount_text('GBP', tax)} on income of {amount_text('GBP', money(income))}."
    return calc.result(figures, summary, assumptions, path)


@calculator(
    name="uk_ufpls_tax", country="UK", title="the tax on a lump sum from your pension pot",
    rules=("tax_free_lump_sum", "income_tax_england", "income_tax_scotland"),
    intents=(r"\bUFPLS\b", r"uncrystalli[sz]ed funds? pension lump sum", r"(cash(ing)? (in|out)|take|taking|withdraw\w*) (out )?(of )?(my )?(whole |entire |all (of )?)(my )?(pension )?pot",
             r"cash(ing)? in (my )?(pension|pot)",
             r"lump sums? (straight )?(from|out of) (my )?(pension|pot)", r"pension (pot )?(as|in) (cash|a lump sum)"),
    member_args={"amount": "pension_balance", "other_income": "annual_salary"},
    question_args={"amount": "amount", "on_date": "on_date", "tax_year": "tax_year"},
)
def ufpls_tax(
    amount: Annotated[float, Field(ge=0, description="The lump sum taken straight from an untouched (uncrystallised) pension pot, GBP.")],
    other_income: Annotated[float, Field(ge=0, description="Other taxable income in the same tax year (salary, State Pension, other pensions), GBP.")] = 0,
    allowance_used: Annotated[float, Field(ge=0, description="Lump Sum Allowance already used by earlier tax-free lump sums, GBP.")] = 0,
    region: RegionArg = "england_wales_ni",
    on_date: OnDate = None,
    tax_year: TaxYearArg = None,
) -> CalcResult:
    """United Kingdom: an uncrystallised funds pension lump sum (UFPLS): the tax-free part of the payment (usually a quarter, within the remaining Lump Sum Allowance), the taxable rest added to the year's other income, the extra income tax and what you keep."""
    calc = Calc("UK", on_date, tax_year)
    lump, lump_ref = calc.value("tax_free_lump_sum"), calc.cite("tax_free_lump_sum")
    key = RULE_FOR_REGION[region]
    rule, tax_ref = calc.value(key), calc.cite(key)
    amount = money(amount)
    remaining = max(0.0, lump["lump_sum_allowance"] - allowance_used)
    share = amount * lump["fraction"]
    tax_free = money(min(share, remaining))
    taxable = money(amount - tax_free)
    # Kept is worked from the unrounded tax, so it is never below zero however small the payment.
    raw_tax = income_tax(rule, other_income + taxable) - income_tax(rule, other_income)
    extra_tax, kept = money(raw_tax), money(amount - raw_tax)
    figures = [
        Figure(name="tax_free_part", label="Tax-free part of the lump sum", value=tax_free, unit="GBP", citation=lump_ref),
        Figure(name="taxable_part", label="Taxable part of the lump sum", value=taxable, unit="GBP", citation=lump_ref),
        Figure(name="allowance_remaining_after", label="Lump Sum Allowance left afterwards", value=money(remaining - tax_free), unit="GBP", citation=lump_ref),
        Figure(name="tax_on_lump_sum", label="Extra income tax for the year because of the lump sum", value=extra_tax, unit="GBP", period="year", citation=tax_ref),
        Figure(name="lump_sum_after_tax", label="Lump sum after tax", value=kept, unit="GBP", citation=tax_ref),
        Figure(name="effective_rate_on_lump_sum", label="Tax as a share of the whole lump sum", value=round(extra_tax / amount * 100, 2) if amount else 0.0, unit="%", citation=tax_ref),
    ]
    path = [f"{percent(lump['fraction']):g}% of the payment tax-free, within the Lump Sum Allowance" if share <= remaining
            else "tax-free part capped by the remaining Lump Sum Allowance",
            f"taxable part added to other income: {REGION_WORDS[region]} rates for {calc.tax_year}"]
    assumptions = [
        "The payment comes from a defined contribution pot not yet used for drawdown or an annuity, and no protection changes the tax-free share.",
        "Tax is for the whole year; the provider usually deducts emergency tax on a first payment, and any overpayment is refunded by HMRC.",
        "Taking a taxable lump sum this way limits future money purchase contributions to the money purchase annual allowance.",
    ]
    summary = (f"You keep {amount_text('GBP', kept)} of your {amount_text('GBP', money(amount))} lump sum: "
               f"{amount_text('GBP', tax_free)} is tax-free and the rest adds {amount_text('GBP', extra_tax)} of income tax for the year.")
    return calc.result(figures, summary, assumptions, path)

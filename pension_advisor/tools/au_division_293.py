"""Australia: Division 293 tax, the extra tax on concessional super contributions of high-income earners.

ITAA 1997 Division 293: the taxable contributions are the lesser of the low-tax contributions and the amount by which
income for Division 293 purposes plus those contributions exceeds the threshold; the tax is the rate times that.
Figures come from rules/au/<tax year>.yaml (``division_293``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from .au import sg_earnings_cap
from .base import Calc, CalcResult, Figure, amount_text, money, percent
from .registry import TaxYearArg, calculator


@calculator(
    name="au_division_293_tax", country="AU", title="your Division 293 tax",
    rules=("division_293", "concessional_cap", "super_guarantee_rate", "max_contribution_base_quarter",
           "max_contributions_base_year"),
    intents=(r"\bdiv(ision|\.)? ?293\b", r"high[- ]income earners?.*(super|contribution)", r"(super|contribution).*high[- ]income earners?",
             r"extra (15 ?%|tax) on (my )?(super )?contributions", r"(income|earn).*over \$?250,?000.*super"),
    member_args={"income": "annual_salary"},
    question_args={"income": "amount", "on_date": "on_date", "tax_year": "tax_year"},
)
def division_293_tax(
    income: Annotated[float, Field(ge=0, description="Income for Division 293 purposes a year, AUD: taxable income plus reportable fringe benefits, net investment losses and family trust distributions taxed, not counting the super contributions themselves.")],
    concessional_contributions: Annotated[float | None, Field(ge=0, description="Concessional (before-tax) super contributions in the year, AUD: employer super guarantee, salary sacrifice and personal deductible contributions. Default: the super guarantee due on the income.")] = None,
    on_date: Annotated[dt.date | None, Field(description="Date in the financial year asked about. Default today.")] = None,
    tax_year: TaxYearArg = None,
) -> CalcResult:
    """Australia: Division 293 tax, the extra tax on the concessional super contributions of people whose income plus those contributions is above the Division 293 threshold."""
    calc = Calc("AU", on_date, tax_year)
    rule, ref = calc.value("division_293"), calc.cite("division_293")
    threshold, rate = rule["threshold"], rule["rate"]
    assumptions = ["No carried-forward unused concessional cap is used (it would raise the cap this year).",
                   "The ATO works this out from your tax return and your fund's reports; this is an estimate."]
    path = []
    if concessional_contributions is None:
        sg_rate, (earnings_cap, _, cap_key, _) = calc.value("super_guarantee_rate"), sg_earnings_cap(calc)
        concessional_contributions = money(min(income, earnings_cap) * sg_rate)
        calc.cite("super_guarantee_rate")
        calc.cite(cap_key)
        assumptions.insert(0, "Your concessional contributions are taken to be your employer's super guarantee on this "
                              "income only; give them to include salary sacrifice or personal deductible contributions.")
    cc_cap, cap_ref = calc.value("concessional_cap"), calc.cite("concessional_cap")
    # Excess concessional contributions are taxed at your marginal rate instead, so they are not low-tax contributions.
    low_tax = min(concessional_contributions, cc_cap)
    if concessional_contributions > cc_cap:
        path.append("contributions above the concessional cap are not low-tax contributions")
    combined = income + low_tax
    over = max(0.0, combined - threshold)
    taxable = min(low_tax, over)
    tax = money(taxable * rate)
    figures = [
        Figure(name="division_293_threshold", label="Division 293 threshold", value=money(threshold), unit="AUD", period="year", citation=ref),
        Figure(name="low_tax_contributions", label="Low-tax (concessional) contributions counted", value=money(low_tax), unit="AUD", period="year", citation=cap_ref),
        Figure(name="income_and_contributions", label="Income plus low-tax contributions", value=money(combined), unit="AUD", period="year", citation=ref),
        Figure(name="amount_over_threshold", label="Amount over the threshold", value=money(over), unit="AUD", period="year", citation=ref),
        Figure(name="taxable_contributions", label="Contributions Division 293 tax applies to", value=money(taxable), unit="AUD", period="year", citation=ref),
        Figure(name="division_293_rate", label="Division 293 tax rate", value=percent(rate), unit="%", citation=ref),
        Figure(name="division_293_tax", label="Division 293 tax", value=tax, unit="AUD", period="year", citation=ref),
    ]
    if not over:
        path.append(f"income plus contributions within {amount_text('AUD', threshold)}: no Division 293 tax")
        summary = (f"You have no Division 293 tax: your income plus contributions, {amount_text('AUD', money(combined))}, "
                   f"is not over {amount_text('AUD', threshold)}.")
    else:
        which = "all your low-tax contributions" if taxable == low_tax else "the amount over the threshold"
        path.append(f"over the threshold: {percent(rate):g}% on the lesser of the contributions and the excess ({which})")
        summary = (f"Your Division 293 tax is about {amount_text('AUD', tax)}: {percent(rate):g}% of "
                   f"{amount_text('AUD', money(taxable))}, {which}.")
    return calc.result(figures, summary, assumptions, path)

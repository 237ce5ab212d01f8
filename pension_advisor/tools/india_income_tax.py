"""India: income tax under the new (default) regime for a resident individual: slabs, the s87A rebate with marginal
relief, the standard deduction on salary, and the health and education cess. Figures come from
rules/in/<financial year>.yaml (``income_tax_new_regime``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from .base import Calc, CalcResult, Figure, ToolError, amount_text, money, percent
from .registry import TaxYearArg, calculator


def slab_tax(income: float, slabs: list[dict]) -> tuple[float, list[str]]:
    """Tax on ``income`` by slabs, and each taxed slab in words."""
    tax, lower, words = 0.0, 0.0, []
    for slab in slabs:
        upper = slab["up_to"] if slab["up_to"] is not None else float("inf")
        part = max(0.0, min(income, upper) - lower)
        if part and slab["rate"]:
            tax += part * slab["rate"]
            words.append(f"{percent(slab['rate']):g}% on Rs {part:,.0f}")
        lower = upper
    return tax, words


@calculator(
    name="in_income_tax_new_regime", country="IN", title="your income tax under the new regime",
    rules=("income_tax_new_regime",),
    intents=(r"income[- ]tax", r"new (tax )?regime", r"\b87 ?A\b", r"tax slabs?", r"standard deduction",
             r"how much tax .*(salary|income|earn)", r"tax on (my )?(salary|income)"),
    member_args={"salary": "annual_salary"},
    question_args={"salary": "salary", "on_date": "on_date", "tax_year": "tax_year"},
)
def income_tax_new_regime(
    salary: Annotated[float, Field(ge=0, description="Gross salary (or pension from an employer) for the financial year, INR, before the standard deduction.")],
    other_income: Annotated[float, Field(ge=0, description="Other income taxed at the slab rates for the year (interest, rent after its deductions), INR.")] = 0,
    on_date: Annotated[dt.date | None, Field(description="Date in the financial year asked about. Default today.")] = None,
    tax_year: TaxYearArg = None,
) -> CalcResult:
    """India: income tax for a resident individual under the new (default) tax regime for a financial year: the standard deduction on salary, the slab rates, the section 87A rebate (with marginal relief just above its limit) and the health and education cess."""
    calc = Calc("IN", on_date, tax_year)
    rule, ref = calc.value("income_tax_new_regime"), calc.cite("income_tax_new_regime")
    deduction = min(salary, rule["standard_deduction_salary"])
    total_income = salary - deduction + other_income
    if total_income > rule["surcharge_from"]:
        raise ToolError("not_modelled", f"Tax on income over {amount_text('INR', rule['surcharge_from'])} (where a surcharge "
                        "applies) isn't covered.", field="salary")
    tax, slabs_used = slab_tax(total_income, rule["slabs"])
    rebate_rule = rule["rebate_87a"]
    limit = rebate_rule["income_up_to"]
    if total_income <= limit:
        rebate = min(tax, rebate_rule["max_rebate"])
        path = [f"total income within Rs {limit:,}: section 87A rebate"] if rebate else []
    else:
        # Marginal relief: the tax may not exceed the income above the rebate limit.
        rebate = max(0.0, tax - (total_income - limit))
        path = [f"total income just over Rs {limit:,}: marginal relief"] if rebate else []
    after_rebate = tax - rebate
    cess = after_rebate * rule["cess_rate"]
    total = money(after_rebate + cess)
    path.insert(0, "slabs: " + ("; ".join(slabs_used) if slabs_used else "all within the nil slab"))
    figures = [
        Figure(name="standard_deduction", label="Standard deduction on salary", value=money(deduction), unit="INR", period="year", citation=ref),
        Figure(name="total_income", label="Total income taxed at slab rates", value=money(total_income), unit="INR", period="year", citation=ref),
        Figure(name="tax_on_slabs", label="Tax at the slab rates", value=money(tax), unit="INR", period="year", citation=ref),
        Figure(name="rebate_87a", label="Section 87A rebate (incl. marginal relief)", value=money(rebate), unit="INR", period="year", citation=ref),
        Figure(name="cess", label=f"Health and education cess ({percent(rule['cess_rate']):g}%)", value=money(cess), unit="INR", period="year", citation=ref),
        Figure(name="total_tax", label="Income tax payable", value=total, unit="INR", period="year", citation=ref),
    ]
    assumptions = ["You are a resident individual and have not opted out of the new regime.",
                   "Capital gains and other income taxed at special rates are not included; no deductions other than the standard deduction (the new regime allows few)."]
    if total:
        summary = f"Your income tax for {calc.tax_year} under the new regime is {amount_text('INR', total)}, cess included."
    else:
        summary = f"You pay no income tax for {calc.tax_year} under the new regime: your total income is {amount_text('INR', money(total_income))}."
    return calc.result(figures, summary, assumptions, path)

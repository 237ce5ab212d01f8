"""Calculator inputs in a member's words, and invalid inputs turned into one plain sentence naming the input.

Every parameter of every calculator has an entry in WORDS (a test checks it), so no message shows a parameter name.
"""

from __future__ import annotations

from pydantic import ValidationError

from .errors import ToolError

WORDS: dict[str, str] = {
    # dates and ages
    "date_of_birth": "your date of birth",
    "on_date": "the date asked about",
    "tax_year": "the tax year",
    "age": "your age",
    "retirement_age": "the retirement age",
    "claim_age_years": "the age you start your benefits",
    "claim_age_months": "the extra months on top of that age",
    "separation_age": "your age in the year you left your employer",
    "pension_age": "the age your pension starts",
    "years": "the number of years",
    "horizon_years": "the number of years to test",
    "qualifying_years": "your National Insurance qualifying years",
    "service_years": "your years of pensionable service",
    "continuous_service_years": "your years of continuous service",
    # amounts
    "salary": "the salary",
    "balance": "the balance",
    "amount": "the amount",
    "total_super_balance": "your total super balance",
    "taxed_element": "the taxed element",
    "untaxed_element": "the untaxed element",
    "tax_free_component": "the tax-free component",
    "assessable_assets": "your assessable assets",
    "financial_assets": "your financial assets",
    "annual_assessable_income": "your assessable income",
    "super_balance": "your super balance",
    "extra_concessional": "the extra before-tax contributions",
    "pia_monthly": "your Primary Insurance Amount",
    "earned_income": "your taxable compensation",
    "pot": "the pension pot",
    "allowance_used": "the Lump Sum Allowance already used",
    "threshold_income": "your threshold income",
    "adjusted_income": "your adjusted income",
    "contributions": "the pension contributions",
    "drawdown": "the drawdown",
    "other_income": "your other income",
    "annual_withdrawal": "the yearly withdrawal",
    "monthly_basic_wage": "your monthly basic wage",
    "pensionable_salary": "your pensionable salary",
    "corpus": "your NPS corpus",
    "annual_employee_contribution": "your own contributions this year",
    # rates and choices
    "annual_return": "the investment return",
    "annual_fee": "the yearly fee",
    "salary_growth": "the salary growth",
    "wage_growth": "the wage growth",
    "withdrawal_growth": "the yearly rise in withdrawals",
    "employee_rate": "your contribution rate",
    "employer_rate": "your employer's contribution rate",
    "marital_status": "whether you are single or a couple",
    "homeowner": "whether you own your home",
    "account": "the kind of account",
    "exception": "the exception that applies",
    "public_safety_employee": "whether you are a public safety employee",
    "money_purchase_accessed": "whether you have flexibly accessed a pension",
    "employer_contributes": "whether your employer contributes",
    "contributions_on_capped_wage": "whether contributions are paid on the capped wage",
    # calc-au-in additions (issue 13)
    "income": "your income",
    "concessional_contributions": "your before-tax super contributions",
    "started_on": "the date your pension started",
    "years_in_nps": "your years in NPS",
    "exit_type": "the kind of exit",
    # calc-us-uk additions (issue 13)
    "region": "where you pay income tax",
    "weeks_deferred": "the number of weeks deferred",
    "weekly_pension": "the weekly State Pension",
    "state_pension_age_date": "the date you reach State Pension age",
    "filing_status": "your filing status",
    "spouse_65_or_older": "whether your spouse is 65 or older",
    "earnings": "your earnings from work",
}


def words(name: str) -> str:
    return WORDS.get(name, "one of the inputs")


def invalid_input(error: ValidationError) -> ToolError:
    """The first problem in ``error`` as a ToolError in plain words, with ``field`` naming the input."""
    problem = error.errors()[0]
    name = str(problem["loc"][0]) if problem["loc"] else ""
    what = words(name)
    kind, ctx = problem["type"], problem.get("ctx") or {}
    if kind == "missing":
        text = f"I need {what}."
    elif kind in ("greater_than_equal", "greater_than"):
        text = f"{what} can't be negative." if ctx.get("ge", ctx.get("gt")) == 0 else f"{what} must be at least {ctx.get('ge', ctx.get('gt'))}."
    elif kind in ("less_than_equal", "less_than"):
        text = f"{what} must be at most {ctx.get('le', ctx.get('lt'))}."
    elif kind.startswith("date") or kind.startswith("datetime"):
        text = f"{what} should be a date such as 2026-07-01."
    elif kind.startswith(("float", "int", "decimal")):
        text = f"{what} should be a number."
    elif kind.startswith("bool"):
        text = f"{what} should be yes or no."
    elif kind == "literal_error":
        text = f"{what} isn't one I recognise."
    else:
        text = f"{what} isn't valid."
    return ToolError("invalid_input", text[0].upper() + text[1:], field=name or None)

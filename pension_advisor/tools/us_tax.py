"""United States: federal income tax for a year (brackets and standard deduction by filing status, the extra
deductions at 65, the 2025-2028 senior deduction) and Social Security's yearly figures (COLA, taxable maximum,
earnings test). Figures come from rules/us/<year>.yaml."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from .base import Calc, CalcResult, Figure, ToolError, add_months, age_at_year_end, amount_text, date_text, money, percent
from .registry import TaxYearArg, calculator
from .us import full_retirement_age_months

FilingStatus = Literal["single", "married_filing_jointly", "married_filing_separately", "head_of_household"]
STATUS_WORDS = {"single": "single", "married_filing_jointly": "married filing jointly",
                "married_filing_separately": "married filing separately", "head_of_household": "head of household"}
OnDate = Annotated[dt.date | None, Field(description="Date in the calendar (tax) year asked about. Default today.")]


def is_65_by_year_end(date_of_birth: dt.date, year: int) -> bool:
    """IRS: you are 65 on the day before your 65th birthday, so someone born on 1 January is 65 at the end of the
    year before."""
    return age_at_year_end(date_of_birth, year) >= 65 or date_of_birth == dt.date(year - 64, 1, 1)


def bracket_taxes(brackets: list[dict], taxable: float) -> list[tuple[float, float, float]]:
    """(rate, amount taxed at it, tax) for each bracket of taxable income."""
    lower, out = 0.0, []
    for bracket in brackets:
        upper = bracket["up_to"] if bracket["up_to"] is not None else float("inf")
        taxed = max(0.0, min(taxable, upper) - lower)
        out.append((bracket["rate"], taxed, taxed * bracket["rate"]))
        lower = upper
    return out


def federal_tax(brackets: list[dict], taxable: float) -> float:
    return sum(tax for _, _, tax in bracket_taxes(brackets, taxable))


@calculator(
    name="us_federal_income_tax", country="US", title="your federal income tax",
    rules=("federal_income_tax", "senior_deduction"),
    # Not "how much tax would I pay" alone: on a 401(k) or IRA withdrawal that is the early withdrawal calculator's question.
    intents=(r"federal (income )?tax\b(?!.*\b(401\s*\(?k\)?|ira|withdraw\w*|distribution|penalt\w*)\b)", r"(income )?tax (bracket|rate)s?\b",
             r"standard deduction", r"how much income tax\b(?!.*\b(401\s*\(?k\)?|ira|withdraw\w*|distribution|penalt\w*)\b)",
             r"senior (bonus )?deduction", r"big beautiful bill", r"\bOBBBA?\b", r"marginal (tax )?rate", r"taxable income"),
    member_args={"income": "annual_salary", "date_of_birth": "date_of_birth"},
    question_args={"income": "salary", "date_of_birth": "date_of_birth", "on_date": "on_date", "tax_year": "tax_year"},
)
def federal_income_tax(
    income: Annotated[float, Field(ge=0, description="Adjusted gross income for the year (wages, taxable pension and IRA withdrawals, the taxable part of Social Security, less above-the-line adjustments), USD.")],
    filing_status: Annotated[FilingStatus, Field(description="'single', 'married_filing_jointly', 'married_filing_separately' or 'head_of_household'.")] = "single",
    date_of_birth: Annotated[dt.date | None, Field(description="The member's date of birth; at 65 or older by the end of the year the extra standard deduction and the senior deduction apply.")] = None,
    spouse_65_or_older: Annotated[bool, Field(description="Married filing jointly: whether the spouse is 65 or older by the end of the year.")] = False,
    on_date: OnDate = None,
    tax_year: TaxYearArg = None,
) -> CalcResult:
    """United States: federal income tax for a calendar year on ordinary income, by filing status: the standard deduction (with the extra amount at 65 and the temporary senior deduction, as the law now in force sets them), the tax in each bracket, the effective and marginal rates."""
    calc = Calc("US", on_date, tax_year)
    year = calc.on_date.year
    rule, ref = calc.value("federal_income_tax"), calc.cite("federal_income_tax")
    owner_65 = date_of_birth is not None and is_65_by_year_end(date_of_birth, year)
    spouse_65 = spouse_65_or_older and filing_status == "married_filing_jointly"
    people_65 = owner_65 + spouse_65
    standard = rule["standard_deduction"][filing_status]
    extra_65 = rule["additional_65_or_blind"][filing_status] * people_65
    path = [f"{STATUS_WORDS[filing_status]}, {year}: standard deduction {standard:,}"]
    if people_65:
        path.append(f"{people_65} {'person' if people_65 == 1 else 'people'} 65 or older: extra standard deduction {extra_65:,}")
    senior, senior_ref = 0.0, None
    if people_65 and calc.loaded("senior_deduction"):
        rules = calc.value("senior_deduction")
        senior_ref = calc.cite("senior_deduction")
        if year > rules["last_year"]:
            path.append(f"senior deduction ended after {rules['last_year']}")
        elif filing_status == "married_filing_separately":
            path.append("married filing separately: no senior deduction")
        else:
            threshold = rules["phase_out_from"][filing_status]
            each = max(0.0, rules["amount"] - rules["phase_out_rate"] * max(0.0, income - threshold))
            senior = each * people_65
            path.append(f"senior deduction {rules['amount']:,} each, less {percent(rules['phase_out_rate']):g}% of income over {threshold:,}")
    deductions = standard + extra_65 + senior
    taxable = max(0.0, income - deductions)
    brackets = rule["brackets"][filing_status]
    parts = bracket_taxes(brackets, taxable)
    tax = money(sum(t for _, _, t in parts))
    marginal = next((r for r, taxed, _ in reversed(parts) if taxed), brackets[0]["rate"]) if taxable else 0.0
    figures = [
        Figure(name="standard_deduction", label="Standard deduction", value=money(standard), unit="USD", period="year", citation=ref),
        Figure(name="additional_standard_deduction", label="Extra standard deduction at 65 or older", value=money(extra_65), unit="USD", period="year", citation=ref),
    ]
    if senior_ref is not None:
        figures.append(Figure(name="senior_deduction", label="Senior deduction", value=money(senior), unit="USD", period="year", citation=senior_ref))
    figures.append(Figure(name="taxable_income", label="Taxable income", value=money(taxable), unit="USD", period="year", citation=ref))
    for rate, taxed, part in parts:
        if taxed:
            figures.append(Figure(name=f"tax_at_{percent(rate):g}_percent", label=f"Tax in the {percent(rate):g}% bracket",
                                  value=money(part), unit="USD", period="year", citation=ref))
    figures += [
        Figure(name="federal_income_tax", label="Federal income tax for the year", value=tax, unit="USD", period="year", citation=ref),
        Figure(name="effective_rate", label="Tax as a share of income", value=round(tax / income * 100, 2) if income else 0.0, unit="%", citation=ref),
        Figure(name="marginal_rate", label="Tax bracket of the last dollar", value=percent(marginal), unit="%", citation=ref),
    ]
    notices = []
    change = rule.get("law_change")
    if change:
        before = change["standard_deduction_before"][filing_status]
        notices.append(f"The {change['law']}, signed on {date_text(change['enacted'])}, raised the {year} standard deduction "
                       f"for the whole year from {amount_text('USD', before)} to {amount_text('USD', standard)}; figures "
                       f"published before then show the old amount.")
    assumptions = ["All income is ordinary income; capital gains and qualified dividends have their own rates.",
                   "The standard deduction is taken (no itemizing); credits, the alternative minimum tax and state tax are not included.",
                   "Blindness, which also adds to the standard deduction, is not included."]
    if date_of_birth is None:
        assumptions.append("No date of birth given: the deductions for people 65 or older are not applied.")
    summary = f"Your federal income tax for {year} would be {amount_text('USD', tax)} on income of {amount_text('USD', money(income))}."
    return calc.result(figures, summary, assumptions, path, notices)


@calculator(
    name="us_social_security_figures", country="US", title="this year's Social Security figures",
    rules=("social_security_annual", "full_retirement_age"),
    intents=(r"\bCOLA\b", r"cost[- ]of[- ]living (adjustment|increase|raise)", r"earnings (test|limit)", r"(taxable|wage base|earnings) (maximum|max|limit|cap)",
             r"social security (wage base|tax (cap|limit|maximum))", r"(work|working|earn\w*) .*(while|and) (collect|claim|get|receiv)\w* social security",
             r"social security .*(withheld|reduced) .*(work|earn)"),
    member_args={"date_of_birth": "date_of_birth", "earnings": "annual_salary"},
    question_args={"earnings": "salary", "date_of_birth": "date_of_birth", "on_date": "on_date", "tax_year": "tax_year"},
)
def social_security_figures(
    earnings: Annotated[float | None, Field(ge=0, description="Wages and net self-employment earnings for the year, USD; in the year full retirement age is reached, only the earnings before that month. Gives the benefits withheld under the earnings test.")] = None,
    date_of_birth: Annotated[dt.date | None, Field(description="The member's date of birth; decides which earnings limit applies (none from the month full retirement age is reached).")] = None,
    on_date: OnDate = None,
    tax_year: TaxYearArg = None,
) -> CalcResult:
    """United States: Social Security's figures for a calendar year: the cost-of-living adjustment paid from January, the maximum earnings taxed for Social Security, and the retirement earnings test limits, with the benefits withheld for given earnings while claiming before full retirement age."""
    calc = Calc("US", on_date, tax_year)
    year = calc.on_date.year
    rule, ref = calc.value("social_security_annual"), calc.cite("social_security_annual")
    test = rule["earnings_test"]
    figures = [
        Figure(name="cola", label=f"Cost-of-living adjustment paid from January {year}", value=rule["cola_percent"], unit="%", citation=ref),
        Figure(name="taxable_maximum", label="Maximum earnings taxed for Social Security", value=money(rule["taxable_maximum"]), unit="USD", period="year", citation=ref),
        Figure(name="earnings_limit_under_fra", label="Earnings limit before the year full retirement age is reached", value=money(test["under_fra_annual"]), unit="USD", period="year", citation=ref),
        Figure(name="earnings_limit_fra_year", label="Earnings limit in the year full retirement age is reached (earnings before that month)", value=money(test["fra_year_annual"]), unit="USD", period="year", citation=ref),
    ]
    path = [f"{year} figures"]
    summary = (f"The {year} cost-of-living adjustment is {rule['cola_percent']:g}%, earnings up to "
               f"{amount_text('USD', rule['taxable_maximum'])} are taxed for Social Security, and the earnings limit is "
               f"{amount_text('USD', test['under_fra_annual'])} ({amount_text('USD', test['fra_year_annual'])} in the year you reach full retirement age).")
    if earnings is not None:
        if date_of_birth is None:
            raise ToolError("missing_date_of_birth", "I need your date of birth to know which earnings limit applies.", field="date_of_birth")
        fra_ref = calc.cite("full_retirement_age")
        fra_date = add_months(date_of_birth, full_retirement_age_months(calc, date_of_birth))
        if fra_date.year < year or fra_date == dt.date(year, 1, 1):
            limit, per, case = None, None, "full retirement age reached before the year: no earnings limit"
        elif fra_date.year == year:
            limit, per = test["fra_year_annual"], test["fra_year_withhold_one_per"]
            case = f"full retirement age reached in {fra_date:%B %Y}: {amount_text('USD', limit)} limit on earnings before then, 1 withheld for every {per} over"
        else:
            limit, per = test["under_fra_annual"], test["under_fra_withhold_one_per"]
            case = f"under full retirement age all of {year}: {amount_text('USD', limit)} limit, 1 withheld for every {per} over"
        withheld = money(max(0.0, earnings - limit) / per) if limit is not None else 0.0
        path.append(case)
        figures += [
            Figure(name="full_retirement_date", label="Date full retirement age is reached", value=fra_date.isoformat(), unit="date", citation=fra_ref),
            Figure(name="benefits_withheld", label="Benefits withheld for the year under the earnings test", value=withheld, unit="USD", period="year", citation=ref),
        ]
        summary += (f" On {amount_text('USD', money(earnings))} of earnings, {amount_text('USD', withheld)} of your benefits would be withheld."
                    if limit is not None else " You have reached full retirement age, so your earnings don't reduce your benefits.")
    assumptions = ["Benefits withheld under the earnings test are not lost: the monthly benefit is recalculated upward at full retirement age.",
                   "Only wages and net self-employment earnings count for the earnings test; pensions, investment income and withdrawals do not.",
                   "A special monthly limit can apply in the first year of retirement; it is not modelled."]
    return calc.result(figures, summary, assumptions, path)

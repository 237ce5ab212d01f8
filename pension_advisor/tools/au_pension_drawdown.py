"""Australia: the minimum yearly payment from an account-based pension (SIS Regulations 1994, Schedule 7).

Minimum = the balance on 1 July (or on the day the pension started) x the percentage factor for the age then,
pro-rated by the days left in the financial year when the pension started during it, rounded to the nearest $10.
Figures come from rules/au/<tax year>.yaml (``minimum_drawdown_rates``).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import Field

from .base import Calc, CalcResult, Figure, ToolError, age_from, amount_text, date_text, money, percent
from .registry import TaxYearArg, calculator


def round_to(amount: float, step: int) -> float:
    """To the nearest ``step`` dollars, an exact half rounded up (Schedule 7: 'the nearest 10 whole dollars')."""
    return float((Decimal(str(amount)) / step).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * step)


@calculator(
    name="au_minimum_pension_drawdown", country="AU", title="your minimum pension payment", rules=("minimum_drawdown_rates",),
    intents=(r"minimum (pension )?(drawdown|payment|withdrawal)s?", r"drawdown (rate|minimum)", r"minimum .*account[- ]based",
             r"account[- ]based pension.*(minimum|how much .*(take|withdraw|draw))", r"(have|need|must) to (withdraw|take|draw) .*pension"),
    member_args={"balance": "pension_balance", "date_of_birth": "date_of_birth"},
    question_args={"balance": "amount", "age": "age", "date_of_birth": "date_of_birth", "on_date": "on_date", "tax_year": "tax_year"},
)
def minimum_pension_drawdown(
    balance: Annotated[float, Field(ge=0, description="Account-based pension balance on 1 July of the financial year (or on the day it started), AUD.")],
    age: Annotated[int | None, Field(description="Age on 1 July of the financial year (or on the day the pension started). Give this or date_of_birth.")] = None,
    date_of_birth: Annotated[dt.date | None, Field(description="The member's date of birth; used when age is not given.")] = None,
    started_on: Annotated[dt.date | None, Field(description="The day the pension started, when that was during the financial year asked about (the minimum is then pro-rated). Default: it started before the year.")] = None,
    on_date: Annotated[dt.date | None, Field(description="Date in the financial year asked about. Default today.")] = None,
    tax_year: TaxYearArg = None,
) -> CalcResult:
    """Australia: the minimum yearly payment from an account-based pension: the balance times the percentage factor for the age, pro-rated in the year the pension starts."""
    calc = Calc("AU", on_date, tax_year)
    rule, ref = calc.value("minimum_drawdown_rates"), calc.cite("minimum_drawdown_rates")
    year = calc.year
    if started_on is not None and not year.starts <= started_on <= year.ends:
        raise ToolError("start_outside_year", f"The pension start date must fall in the {year.label} financial year "
                        f"({date_text(year.starts)} to {date_text(year.ends)}).", field="started_on")
    counted_from = started_on or year.starts
    age = age_from(age, date_of_birth, counted_from, what="your age on 1 July")
    factor = next(band["rate"] for band in reversed(rule["bands"]) if age >= band["from_age"])
    full = balance * factor
    path = [f"age {age}: {percent(factor):g}% of the balance"]
    days_in_year = (year.ends - year.starts).days + 1
    days = (year.ends - counted_from).days + 1
    late = rule["none_if_started_from"]
    if started_on and started_on >= dt.date(year.ends.year, late["month"], late["day"]):
        minimum = 0.0
        path.append(f"started on or after {late['day']} June: no minimum payment this financial year")
    else:
        minimum = round_to(full * days / days_in_year, rule["round_to_dollars"])
        if started_on and started_on != year.starts:
            path.append(f"started {date_text(started_on)}: pro-rated for {days} of {days_in_year} days")
    figures = [
        Figure(name="percentage_factor", label=f"Minimum payment percentage at age {age}", value=percent(factor), unit="%", citation=ref),
        Figure(name="minimum_payment", label=f"Minimum pension payment for {year.label}", value=money(minimum), unit="AUD", period="year", citation=ref),
        Figure(name="minimum_payment_month", label="Minimum pension payment, spread monthly over the year", value=money(minimum / 12), unit="AUD", period="month", citation=ref),
    ]
    assumptions = [f"Rounded to the nearest ${rule['round_to_dollars']}, as the regulations require.",
                   "This is an account-based (not transition to retirement) pension; there is no maximum except the balance."]
    if started_on and days != days_in_year and minimum:
        figures.append(Figure(name="days_counted", label="Days of the financial year counted", value=days, unit="count", citation=ref))
    if minimum or not started_on or started_on < dt.date(year.ends.year, late["month"], late["day"]):
        summary = f"Your minimum pension payment for {year.label} is {amount_text('AUD', minimum)}: {percent(factor):g}% of your balance at age {age}."
    else:
        summary = f"You have no minimum pension payment for {year.label}, because your pension started in June."
    return calc.result(figures, summary, assumptions, path)

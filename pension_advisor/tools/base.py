"""What every calculator returns, the one view of the rule tables a calculation reads, and shared helpers.

A calculator opens a :class:`Calc` for its country and date, reads figures through it (each cited once), and ends
with :meth:`Calc.result`. Dates after the last loaded tax year use the last loaded figures and say so in
``notices``; a figure that is not loaded or not confirmed for the date raises ``MissingFigure``.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .errors import MissingFigure, ToolError
from .tables import COUNTRY_NAME, CURRENCY, Country, InForce, figure_on, rule_tables, tax_year_named, tax_year_of

__all__ = ["CURRENCY", "Country", "Calc", "CalcResult", "Citation", "Figure", "MissingFigure", "ToolError"]


class Citation(BaseModel):
    model_config = ConfigDict(frozen=True)
    title: str
    url: str
    tax_year: str
    rule: str = Field(description="The rule-table key this citation backs, e.g. 'preservation_age'.")


class Figure(BaseModel):
    """One number (or date) a calculator produced, with the citation that backs it."""

    name: str
    label: str
    value: float | int | str
    unit: str = Field(description="A currency code (AUD, USD, GBP, INR), '%', 'years', 'months', 'weeks', 'date' or 'count'.")
    period: str | None = Field(default=None, description="'week', 'fortnight', 'month', 'quarter', 'year' for amounts paid per period.")
    citation: int = Field(description="Index into CalcResult.citations.")
    valid_from: dt.date | None = Field(default=None, description="Set when a tax year is split: the first day this value applies.")
    valid_to: dt.date | None = Field(default=None, description="Set when a tax year is split: the last day this value applies.")


class CalcResult(BaseModel):
    tool: str = ""
    country: Country
    tax_year: str
    currency: str
    summary: str = Field(description="One plain sentence, second person, answering the calculator's question from its figures.")
    notices: list[str] = Field(default_factory=list, description="Statements the member must see first (old figures used, a figure changed).")
    figures: list[Figure]
    assumptions: list[str] = []
    rule_path: list[str] = Field(default_factory=list, description="The branches of the rule the calculation took.")
    citations: list[Citation]

    def figure(self, name: str) -> Figure:
        for f in self.figures:
            if f.name == name:
                return f
        raise KeyError(name)


class Calc:
    """One calculation's view of the rule tables.

    ``on_date`` is the day asked about (default today; with ``tax_year``, that year's first day unless ``on_date``
    falls inside it). Figures are read for that day; after the last loaded year, for the last loaded day, with a
    notice saying so.
    """

    def __init__(self, country: str, on_date: dt.date | None = None, tax_year: str | None = None):
        self.country = country
        if tax_year:
            year = tax_year_named(country, tax_year)
            day = on_date if on_date and year.starts <= on_date <= year.ends else year.starts
        else:
            day = on_date or dt.date.today()
        tables = rule_tables(country)
        if not tables:
            raise ToolError("no_rules_loaded", f"No {COUNTRY_NAME[country]} rules are loaded, so I can't work this out.")
        last = tables[-1]
        self.on_date = day
        self.rule_date = min(day, last.ends)
        self.notices: list[str] = []
        if day > last.ends:
            self.notices.append(f"The {tax_year_of(country, day).label} figures are not loaded yet; "
                                f"these are the {last.tax_year} figures.")
        self.year = tax_year_of(country, self.rule_date)
        self.citations: list[Citation] = []

    @property
    def tax_year(self) -> str:
        return self.year.label

    @property
    def currency(self) -> str:
        return CURRENCY[self.country]

    def figure(self, key: str) -> InForce:
        return figure_on(self.country, key, self.rule_date)

    def value(self, key: str) -> Any:
        return self.figure(key).value

    def loaded(self, key: str) -> bool:
        """Whether the tables hold ``key`` (confirmed or not) for the day used: which of two alternative figures applies."""
        try:
            self.figure(key)
        except MissingFigure as missing:
            return missing.code == "figure_not_confirmed"
        return True

    def cite(self, key: str) -> int:
        """The index of ``key``'s source in this result's citations (added once)."""
        source = self.figure(key).period.sources[0]
        citation = Citation(title=source.title, url=source.url, tax_year=self.tax_year, rule=key)
        if citation not in self.citations:
            self.citations.append(citation)
        return self.citations.index(citation)

    def result(self, figures: list[Figure], summary: str, assumptions: list[str] | None = None,
               rule_path: list[str] | None = None, notices: list[str] | None = None) -> CalcResult:
        return CalcResult(country=self.country, tax_year=self.tax_year, currency=self.currency, summary=summary,
                          notices=self.notices + (notices or []), figures=figures, assumptions=assumptions or [],
                          rule_path=rule_path or [], citations=self.citations)


# --- shared preambles -------------------------------------------------------------------------------------------

def age_from(age: int | float | None, date_of_birth: dt.date | None, on: dt.date, *, what: str,
             counted=None) -> int | float:
    """``age`` if given, else the age from ``date_of_birth`` (``counted(date_of_birth)``, default completed years on
    ``on``); a ToolError asking for either when both are missing."""
    if age is None:
        if date_of_birth is None:
            raise ToolError("missing_age", f"I need {what} or your date of birth.", field="date_of_birth")
        age = counted(date_of_birth) if counted else age_on(date_of_birth, on)
    check_age(age)
    return age


def years_until(years: int | None, date_of_birth: dt.date | None, age: int, on: dt.date) -> int:
    """``years`` if given, else the whole years from ``on`` until ``age`` (at least 0)."""
    if years is None:
        if date_of_birth is None:
            raise ToolError("missing_years", "I need the number of years to project or your date of birth.", field="years")
        years = max(0, age - age_on(date_of_birth, on))
    return years


def born_before(date_of_birth: dt.date, on: dt.date) -> None:
    if date_of_birth >= on:
        raise ToolError("date_of_birth_in_future", "The date of birth must be before the date asked about.",
                        field="date_of_birth")


def check_age(age: float, low: float = 15, high: float = 110) -> None:
    if not low <= age <= high:
        raise ToolError("age_out_of_range", f"The age must be between {low:g} and {high:g}; {age:g} was given.", field="age")


# --- dates and amounts ------------------------------------------------------------------------------------------

def age_on(date_of_birth: dt.date, on_date: dt.date) -> int:
    """Completed years of age on ``on_date``."""
    years = on_date.year - date_of_birth.year
    if (on_date.month, on_date.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


def age_at_year_end(date_of_birth: dt.date, year: int) -> int:
    """Age reached by 31 December of ``year`` (how US plan limits count age)."""
    return year - date_of_birth.year


def add_months(start: dt.date, months: int) -> dt.date:
    """``start`` moved by whole months; a day past the end of the target month becomes its last day.

    This is how the UK Pensions Act 2014 s26 treats e.g. 31 July 1960 + 66y4m (30 November 2026).
    """
    total = start.year * 12 + (start.month - 1) + months
    year, month = divmod(total, 12)
    month += 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def add_years(start: dt.date, years: int) -> dt.date:
    """The ``years``-th anniversary of ``start``; 29 February falls on 28 February in common years."""
    return add_months(start, 12 * years)


def money(amount: float) -> float:
    """Round to cents, halves away from zero (not banker's rounding)."""
    return float(Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def percent(ratio: float) -> float:
    """A ratio from a rule table (0.12) as the percent number reported in figures (12)."""
    return float(Decimal(str(ratio)) * 100)


# --- words for summaries ----------------------------------------------------------------------------------------

SYMBOL = {"AUD": "$", "USD": "$", "GBP": "£", "INR": "Rs "}


def amount_text(currency: str, amount: float) -> str:
    """$1,234.50 / £60,000 / Rs 1,250: cents only when there are some."""
    number = f"{amount:,.2f}" if round(amount, 2) != round(amount) else f"{amount:,.0f}"
    return f"{SYMBOL[currency]}{number}"


def date_text(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def age_text(months: int) -> str:
    """An age in months as words: '67', '66 years and 1 month', '66 years and 10 months'."""
    years, extra = divmod(months, 12)
    return f"{years}" if not extra else f"{years} years and {extra} month{'s' if extra > 1 else ''}"

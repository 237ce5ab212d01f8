"""What every calculator returns, and the rule tables they read.

Rules are data: one YAML file per country and tax year under ``tools/rules/<cc>/``. Each file
declares the period it covers; :func:`rules_for` picks the file whose period contains the date
asked about, and refuses (``NoRulesForDate``) rather than reuse another year's numbers.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

RULES_DIR = Path(__file__).parent / "rules"

Country = Literal["AU", "US", "UK", "IN"]
CURRENCY: dict[str, str] = {"AU": "AUD", "US": "USD", "UK": "GBP", "IN": "INR"}


class ToolError(Exception):
    """A calculator refused its inputs. ``code`` is stable; ``message`` tells the caller what to fix."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class NoRulesForDate(ToolError):
    def __init__(self, country: str, on_date: dt.date, loaded: list[str]):
        super().__init__(
            "no_rules_for_year",
            f"No {country} rules are loaded for {on_date.isoformat()} "
            f"(loaded tax years: {', '.join(loaded) or 'none'}).",
        )


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
    period: str | None = Field(default=None, description="'week', 'month', 'year' for amounts paid per period.")
    citation: int = Field(description="Index into CalcResult.citations.")


class CalcResult(BaseModel):
    tool: str
    country: Country
    tax_year: str
    currency: str
    figures: list[Figure]
    assumptions: list[str] = []
    rule_path: list[str] = Field(default_factory=list, description="The branches of the rule the calculation took.")
    citations: list[Citation]

    def figure(self, name: str) -> Figure:
        for f in self.figures:
            if f.name == name:
                return f
        raise KeyError(name)


class RuleFigure(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: Any
    applies_from: dt.date
    source_title: str
    source_url: str
    note: str | None = None


class RuleTable(BaseModel):
    """One country's rules for one tax year, as loaded from YAML."""

    model_config = ConfigDict(extra="forbid")
    country: Country
    tax_year: str
    starts: dt.date
    ends: dt.date
    currency: str
    rules: dict[str, RuleFigure]

    def value(self, key: str) -> Any:
        return self._get(key).value

    def cite(self, key: str) -> Citation:
        rule = self._get(key)
        return Citation(title=rule.source_title, url=rule.source_url, tax_year=self.tax_year, rule=key)

    def _get(self, key: str) -> RuleFigure:
        try:
            return self.rules[key]
        except KeyError:
            raise ToolError(
                "rule_not_loaded", f"The {self.country} {self.tax_year} rule table has no '{key}' figure."
            ) from None


def use_rules_dir(folder: Path) -> Path:
    """Read rule tables from ``folder`` from now on (a logged model's copies); returns the folder used before.
    Process-wide, like the cache it clears."""
    global RULES_DIR
    previous, RULES_DIR = RULES_DIR, Path(folder)
    rule_tables.cache_clear()
    return previous


@lru_cache(maxsize=None)
def rule_tables(country: str) -> tuple[RuleTable, ...]:
    folder = RULES_DIR / country.lower()
    tables = [RuleTable.model_validate(yaml.safe_load(p.read_text())) for p in sorted(folder.glob("*.yaml"))]
    return tuple(sorted(tables, key=lambda t: t.starts))


def rules_for(country: str, on_date: dt.date | None = None) -> RuleTable:
    """The rule table in force in ``country`` on ``on_date`` (default: today)."""
    on_date = on_date or dt.date.today()
    tables = rule_tables(country)
    for table in tables:
        if table.starts <= on_date <= table.ends:
            return table
    raise NoRulesForDate(country, on_date, [t.tax_year for t in tables])


class CitationList:
    """Collects citations for one result so each figure can point at its source by index."""

    def __init__(self, table: RuleTable):
        self.table = table
        self.items: list[Citation] = []

    def __call__(self, key: str) -> int:
        citation = self.table.cite(key)
        if citation not in self.items:
            self.items.append(citation)
        return self.items.index(citation)


def check_age(name: str, age: float, low: float = 15, high: float = 110) -> None:
    if not low <= age <= high:
        raise ToolError("age_out_of_range", f"{name} must be between {low:g} and {high:g}; got {age:g}.")


def check_non_negative(name: str, amount: float) -> None:
    if amount < 0:
        raise ToolError("negative_amount", f"{name} cannot be negative; got {amount:g}.")


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


def build_result(tool: str, rules: RuleTable, cite: CitationList, figures: list[Figure],
                 assumptions: list[str] | None = None, rule_path: list[str] | None = None) -> CalcResult:
    """A CalcResult for ``tool`` from the rule table used and the citations collected."""
    return CalcResult(
        tool=tool, country=rules.country, tax_year=rules.tax_year, currency=rules.currency,
        figures=figures, assumptions=assumptions or [], rule_path=rule_path or [], citations=cite.items,
    )

"""Rule tables: every cap, rate and age as data, each with its own effective dates, confirmation and sources.

One YAML file per country and tax year under ``tools/rules/<cc>/`` (format: /work/plan/contracts.md section 1).
A figure is either one value with ``effective_from``/``effective_to`` or a list of ``periods`` when it changes
inside the year; ``confirmation: not_confirmed`` carries no value, and calculators refuse the dates it covers.

:func:`figure_on` answers "which value of this figure was in force on this day": from the table whose year contains
the day, else (for a day before every loaded year, or in a gap between years) from the next table's first period
when its own ``effective_from`` says it was already in force. Days after the last loaded year are the caller's
choice (the calculators answer with the last figures and say so, see ``base.Calc``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from .errors import MissingFigure, ToolError

RULES_DIR = Path(__file__).parent / "rules"

Country = Literal["AU", "US", "UK", "IN"]
CURRENCY: dict[str, str] = {"AU": "AUD", "US": "USD", "UK": "GBP", "IN": "INR"}
COUNTRY_NAME = {"AU": "Australian", "US": "US", "UK": "UK", "IN": "Indian"}
# First day (month, day) of a tax year: AU financial year, UK tax year, Indian financial year, US calendar year.
YEAR_START = {"AU": (7, 1), "UK": (4, 6), "IN": (4, 1), "US": (1, 1)}
Confirmation = Literal["official", "secondary", "not_confirmed"]
ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class TaxYear:
    label: str
    starts: dt.date
    ends: dt.date


def tax_year_of(country: str, day: dt.date) -> TaxYear:
    """The tax year of ``country`` that contains ``day``."""
    month, first = YEAR_START[country]
    year = day.year if (day.month, day.day) >= (month, first) else day.year - 1
    return _tax_year(country, year)


def tax_year_named(country: str, label: str) -> TaxYear:
    """The tax year called ``label`` ("2025-26"; US "2026"); a ToolError naming the input otherwise."""
    text = label.strip()
    if country == "US":
        if re.fullmatch(r"20\d\d", text):
            return _tax_year(country, int(text))
        example = "a calendar year such as 2026"
    else:
        m = re.fullmatch(r"(20\d\d)\s?[-/–]\s?(\d\d|20\d\d)", text)
        if m and (int(m.group(1)) + 1) % 100 == int(m.group(2)) % 100:
            return _tax_year(country, int(m.group(1)))
        example = "a year such as 2025-26"
    raise ToolError("bad_tax_year", f"The tax year '{label}' isn't one I recognise: give {example}.", field="tax_year")


def _tax_year(country: str, year: int) -> TaxYear:
    month, first = YEAR_START[country]
    starts = dt.date(year, month, first)
    ends = dt.date(year + 1, month, first) - ONE_DAY
    label = str(year) if country == "US" else f"{year}-{(year + 1) % 100:02d}"
    return TaxYear(label, starts, ends)


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str = Field(min_length=1)
    url: str = Field(pattern=r"^https?://\S+$")
    # The day the text was read; null only for figures migrated from tables that did not record it.
    read_on: dt.date | None = None


class RulePeriod(BaseModel):
    """One value of a figure and the days it applies (``effective_to`` null: to the end of its table; a later
    ``effective_to`` says the figure is known to last beyond the table, which other tables then confirm)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    value: Any = None
    effective_from: dt.date
    effective_to: dt.date | None = None
    confirmation: Confirmation
    sources: list[Source] = Field(min_length=1)
    secondary: list[Source] = []
    note: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> RulePeriod:
        if self.confirmation == "not_confirmed" and self.value is not None:
            raise ValueError("a not_confirmed figure has value null")
        if self.confirmation != "not_confirmed" and self.value is None:
            raise ValueError(f"value is null but confirmation is {self.confirmation}; use not_confirmed")
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError(f"effective_to {self.effective_to} is before effective_from {self.effective_from}")
        return self


class Rule(BaseModel):
    """A figure: one period (written flat in YAML) or several, in date order, without overlaps."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    label: str | None = Field(default=None, description="The figure's name in plain words (default: from its key).")
    periods: list[RulePeriod] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _flat_form(cls, data: Any) -> Any:
        if isinstance(data, dict) and "periods" not in data:
            period = dict(data)
            label = period.pop("label", None)
            return {"label": label, "periods": [period]}
        return data

    @model_validator(mode="after")
    def _ordered(self) -> Rule:
        for before, after in zip(self.periods, self.periods[1:]):
            if before.effective_to is None or before.effective_to >= after.effective_from:
                raise ValueError(f"periods overlap or are out of order at {after.effective_from}")
        return self


class RuleTable(BaseModel):
    """One country's rules for one tax year, as loaded from YAML."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    country: Country
    tax_year: str
    starts: dt.date
    ends: dt.date
    currency: str
    rules: dict[str, Rule]

    @model_validator(mode="after")
    def _fits_its_year(self) -> RuleTable:
        try:
            year = tax_year_named(self.country, self.tax_year)
        except ToolError:
            raise ValueError(f"tax_year {self.tax_year!r} is not how {self.country} tax years are named") from None
        if (year.starts, year.ends) != (self.starts, self.ends):
            raise ValueError(f"{self.country} tax year {self.tax_year} runs {year.starts} to {year.ends}, "
                             f"not {self.starts} to {self.ends}")
        if self.currency != CURRENCY[self.country]:
            raise ValueError(f"currency is {self.currency}; {self.country} uses {CURRENCY[self.country]}")
        for key, rule in self.rules.items():
            first, last = rule.periods[0], rule.periods[-1]
            if first.effective_from > self.ends or (last.effective_to and last.effective_to < self.starts):
                raise ValueError(f"{key}: no period falls inside {self.starts} to {self.ends}")
            if any(p.effective_from < self.starts for p in rule.periods[1:]):
                raise ValueError(f"{key}: only the first period may start before the table")
            if any(p.effective_from > self.ends for p in rule.periods):
                raise ValueError(f"{key}: a period starts after the table ends ({self.ends}): it belongs in a later table")
        return self

    def label(self, key: str) -> str:
        rule = self.rules.get(key)
        return (rule.label if rule and rule.label else key.replace("_", " "))

    def spans(self, key: str) -> list[tuple[dt.date, dt.date, RulePeriod | None]]:
        """The table's days for ``key``, in order: (first day, last day, period), with None for days no period covers."""
        out: list[tuple[dt.date, dt.date, RulePeriod | None]] = []
        day = self.starts
        for period in self.rules[key].periods if key in self.rules else []:
            start, end = max(period.effective_from, self.starts), min(period.effective_to or self.ends, self.ends)
            if start > day:
                out.append((day, start - ONE_DAY, None))
            out.append((start, end, period))
            day = end + ONE_DAY
        if day <= self.ends:
            out.append((day, self.ends, None))
        return out


@dataclass(frozen=True)
class InForce:
    """The value of one figure on one day, and where it comes from."""

    key: str
    label: str
    period: RulePeriod
    table: RuleTable

    @property
    def value(self) -> Any:
        return self.period.value


def use_rules_dir(folder: Path) -> Path:
    """Read rule tables from ``folder`` from now on (a logged model's copies); returns the folder used before.
    Process-wide, like the cache it clears."""
    global RULES_DIR
    previous, RULES_DIR = RULES_DIR, Path(folder)
    rule_tables.cache_clear()
    return previous


def load_table(path: Path) -> RuleTable:
    return RuleTable.model_validate(yaml.safe_load(path.read_text()))


@lru_cache(maxsize=None)
def rule_tables(country: str) -> tuple[RuleTable, ...]:
    tables = sorted((load_table(p) for p in (RULES_DIR / country.lower()).glob("*.yaml")), key=lambda t: t.starts)
    for before, after in zip(tables, tables[1:]):
        if after.starts <= before.ends:
            raise ValueError(f"{country} rule tables {before.tax_year} and {after.tax_year} overlap")
    return tuple(tables)


def label_of(country: str, key: str) -> str:
    """A figure's plain-words name, from the latest table that has it."""
    for table in reversed(rule_tables(country)):
        if key in table.rules:
            return table.label(key)
    return key.replace("_", " ")


def figure_on(country: str, key: str, day: dt.date) -> InForce:
    """The value of ``key`` in force in ``country`` on ``day``; MissingFigure when none is loaded or confirmed."""
    tables = rule_tables(country)
    table = next((t for t in tables if t.starts <= day <= t.ends), None)
    if table is None:
        # Before every loaded year, or in a gap: the next table's figure, if it says it was already in force then.
        table = next((t for t in tables if t.starts > day and key in t.rules), None)
    period = None
    if table is not None and key in table.rules:
        period = next((p for p in table.rules[key].periods
                       if p.effective_from <= day <= (p.effective_to or table.ends)), None)
    if period is None or period.confirmation == "not_confirmed":
        raise MissingFigure(key, label_of(country, key), day, not_confirmed=period is not None,
                            note=period.note if period else None)
    return InForce(key, table.label(key), period, table)


def change_days(country: str, keys: list[str] | tuple[str, ...], first: dt.date, last: dt.date) -> list[dt.date]:
    """Days after ``first`` and up to ``last`` on which any of ``keys`` may take a new value (a period or a table
    starts or ends), in order."""
    days: set[dt.date] = set()
    for table in rule_tables(country):
        days.update((table.starts, table.ends + ONE_DAY))
        for key in keys:
            for period in table.rules[key].periods if key in table.rules else []:
                days.add(period.effective_from)
                days.add((period.effective_to or table.ends) + ONE_DAY)
    return sorted(d for d in days if first < d <= last)


@dataclass(frozen=True)
class Gap:
    """Days inside a loaded table for which a figure has no confirmed value."""

    country: str
    tax_year: str
    key: str
    label: str
    first: dt.date
    last: dt.date
    why: str


def gaps(country: str) -> list[Gap]:
    """Every not_confirmed or unloaded stretch of every figure inside the loaded tables of ``country``."""
    out = []
    for table in rule_tables(country):
        for key in table.rules:
            for start, end, period in table.spans(key):
                if period is None:
                    out.append(Gap(country, table.tax_year, key, table.label(key), start, end, "not loaded"))
                elif period.confirmation == "not_confirmed":
                    out.append(Gap(country, table.tax_year, key, table.label(key), start, end,
                                   "not confirmed" + (f": {period.note}" if period.note else "")))
    return out


def source_urls(country: str | None = None) -> frozenset[str]:
    """Every source URL (sources of record and secondary copies) in the loaded tables of ``country`` (all when None)."""
    return frozenset(source.url for c in ([country] if country else list(CURRENCY)) for table in rule_tables(c)
                     for rule in table.rules.values() for period in rule.periods
                     for source in period.sources + period.secondary)

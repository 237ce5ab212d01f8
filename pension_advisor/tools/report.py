"""What the rule tables cover, for people: the `rules` command's listing, its --check, and the README's
calculator tables (`rules --markdown`), all read from the loaded tables and the calculators' declarations."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from .base import date_text
from .registry import TOOL_SPECS
from .tables import CURRENCY, ONE_DAY, RuleTable, gaps, rule_tables, tax_year_of

COUNTRY_TITLE = {"AU": "Australia", "US": "United States", "UK": "United Kingdom", "IN": "India"}
CHECK_DAYS = 60


@dataclass(frozen=True)
class Row:
    tax_year: str
    key: str
    label: str
    value: str
    in_force: str
    confirmation: str
    sources: str
    note: str


def rows(country: str) -> list[Row]:
    """One row per period of every figure of every loaded table of ``country``."""
    out = []
    for table in rule_tables(country):
        for key, rule in table.rules.items():
            for period in rule.periods:
                value = "-" if period.value is None else json.dumps(period.value, default=str)
                until = date_text(period.effective_to) if period.effective_to else f"{date_text(table.ends)} (table end)"
                sources = [f"{s.title} {s.url} (read {s.read_on or 'on: not recorded'})" for s in period.sources]
                sources += [f"copy: {s.title} {s.url} (read {s.read_on or 'on: not recorded'})" for s in period.secondary]
                out.append(Row(table.tax_year, key, table.label(key), value, f"{date_text(period.effective_from)} to {until}",
                               period.confirmation, "\n".join(sources), period.note or ""))
    return out


def periods_text(tables: tuple[RuleTable, ...]) -> str:
    return ", ".join(f"{t.tax_year} ({date_text(t.starts)} to {date_text(t.ends)})" for t in tables) or "none"


def check(today: dt.date, days: int = CHECK_DAYS) -> tuple[list[str], list[str]]:
    """``(due, gaps)``: a country whose loaded years end within ``days`` of ``today`` (due: the tables are about to
    run out, so maintainers must add a year), and every not-confirmed or unloaded stretch of a figure inside a
    loaded year (a known gap: calculators refuse those dates, naming the figure, until its official figure is added)."""
    problems, known = [], []
    for country in CURRENCY:
        tables = rule_tables(country)
        if not tables:
            problems.append(f"{country}: no rule tables are loaded: add rules/{country.lower()}/<tax year>.yaml.")
            continue
        last = tables[-1]
        left = (last.ends - today).days
        if left <= days:
            following = tax_year_of(country, last.ends + ONE_DAY).label
            when = f"{-left} days ago" if left < 0 else f"in {left} days"
            problems.append(f"{country}: the loaded rules end on {date_text(last.ends)} ({when}, within {days} days of "
                            f"{date_text(today)}): add rules/{country.lower()}/{following}.yaml (tax year {following}).")
        for gap in gaps(country):
            known.append(f"{country} {gap.tax_year}: {gap.label} ({gap.key}) {gap.why.split(':')[0]} from "
                            f"{date_text(gap.first)} to {date_text(gap.last)}: add its official figure.")
    return problems, known


def markdown() -> str:
    """Per country: the calculators, the periods loaded, and what is refused for lack of a figure, and why."""
    parts = []
    for country in CURRENCY:
        tables = rule_tables(country)
        specs = [s for s in TOOL_SPECS.values() if s.country == country]
        counts = {c: sum(1 for t in tables for r in t.rules.values() for p in r.periods if p.confirmation == c)
                  for c in ("official", "secondary", "not_confirmed")}
        parts += [f"### {COUNTRY_TITLE[country]}", "",
                  f"Periods loaded: {periods_text(tables)}. Figures: {counts['official']} official, "
                  f"{counts['secondary']} secondary (official page not available; copies agree), "
                  f"{counts['not_confirmed']} not confirmed.", "",
                  "| Calculator | Answers | Figures it reads |", "| --- | --- | --- |"]
        parts += [f"| `{s.name}` | {s.title} | {', '.join(s.rules)} |" for s in specs]
        country_gaps = gaps(country)
        parts += ["", "Refused (no confirmed figure for these dates):" if country_gaps else "Refused: nothing inside the loaded years.", ""]
        if country_gaps:
            parts += ["| Figure | Dates | Why | Calculators affected |", "| --- | --- | --- | --- |"]
            for gap in country_gaps:
                users = ", ".join(f"`{s.name}`" for s in specs if gap.key in s.rules) or "none"
                parts.append(f"| {gap.label} | {date_text(gap.first)} to {date_text(gap.last)} | {gap.why} | {users} |")
            parts.append("")
    parts.append("Dates after the last loaded year get the last loaded figures with a notice saying so; dates before "
                 "the first get a figure only where its own effective date covers them, else a refusal naming it.")
    return "\n".join(parts) + "\n"

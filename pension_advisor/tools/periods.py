"""A question about a named tax year: the figures in force through that year, each period shown where one changes.

The calculation runs once per stretch of the year in which none of the calculator's figures changes; stretches that
give the same result are joined. One stretch left: that result. Several: one result whose changed figures appear per
period (``valid_from``/``valid_to``), with a notice saying so; a stretch whose figure is missing becomes a notice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, Sequence

from .base import CalcResult, Citation, Figure, date_text
from .errors import MissingFigure
from .tables import ONE_DAY, change_days, rule_tables, tax_year_named


@dataclass
class Stretch:
    first: dt.date
    last: dt.date
    outcome: CalcResult | MissingFigure

    @property
    def words(self) -> str:
        return f"{date_text(self.first)} to {date_text(self.last)}"


def over_tax_year(run: Callable[[dict], CalcResult], args: dict, country: str, rules: Sequence[str]) -> CalcResult:
    """``run(args)`` for each stretch of ``args['tax_year']`` (``on_date`` set to the stretch's first day), combined."""
    year = tax_year_named(country, args["tax_year"])
    tables = rule_tables(country)
    # After the last loaded day every stretch would use the same (last) figures.
    end = min(year.ends, max(tables[-1].ends, year.starts)) if tables else year.starts
    firsts = [year.starts] + change_days(country, rules, year.starts, end)
    stretches: list[Stretch] = []
    for i, first in enumerate(firsts):
        last = firsts[i + 1] - ONE_DAY if i + 1 < len(firsts) else year.ends
        try:
            outcome: CalcResult | MissingFigure = run({**args, "on_date": first})
        except MissingFigure as missing:
            outcome = missing
        if stretches and _same(stretches[-1].outcome, outcome):
            stretches[-1].last = last
            if isinstance(outcome, CalcResult):  # same figures: keep what the later days add to the notices
                kept = stretches[-1].outcome
                kept.notices += [n for n in outcome.notices if n not in kept.notices]
        else:
            stretches.append(Stretch(first, last, outcome))
    answered = [s for s in stretches if isinstance(s.outcome, CalcResult)]
    if not answered:
        raise stretches[0].outcome
    if len(stretches) == 1:
        return answered[0].outcome
    return _combine(stretches, answered, year.label)


def _same(a: CalcResult | MissingFigure, b: CalcResult | MissingFigure) -> bool:
    if isinstance(a, MissingFigure) or isinstance(b, MissingFigure):
        return isinstance(a, MissingFigure) and isinstance(b, MissingFigure) and (a.code, a.figure) == (b.code, b.figure)
    return _key(a) == _key(b)


def _key(result: CalcResult) -> tuple:
    return tuple((f.name, f.value, f.unit, f.period) for f in result.figures)


def _combine(stretches: list[Stretch], answered: list[Stretch], tax_year: str) -> CalcResult:
    citations: list[Citation] = []

    def cite(stretch: Stretch, index: int) -> int:
        citation = stretch.outcome.citations[index]
        if citation not in citations:
            citations.append(citation)
        return citations.index(citation)

    names = list(dict.fromkeys(f.name for s in answered for f in s.outcome.figures))
    figures: list[Figure] = []
    for name in names:
        found = [(s, f) for s in answered for f in s.outcome.figures if f.name == name]
        if len(found) == len(answered) and len({(f.value, f.unit, f.period) for _, f in found}) == 1:
            stretch, figure = found[0]
            figures.append(figure.model_copy(update={"citation": cite(stretch, figure.citation)}))
            continue
        for stretch, figure in found:
            figures.append(figure.model_copy(update={
                "label": f"{figure.label} ({stretch.words})", "valid_from": stretch.first, "valid_to": stretch.last,
                "citation": cite(stretch, figure.citation)}))
    changes = ", ".join(date_text(s.first) for s in stretches[1:])
    notices = [f"Figures changed during {tax_year} (on {changes}), so each period is shown."]
    for stretch in stretches:
        if isinstance(stretch.outcome, MissingFigure):
            notices.append(f"Nothing is shown for {stretch.words}: {stretch.outcome.message}")
        else:
            notices += [n for n in stretch.outcome.notices if n not in notices]
    first = answered[0].outcome
    return CalcResult(
        tool=first.tool, country=first.country, tax_year=tax_year, currency=first.currency,
        summary=" ".join(f"From {s.words}: {s.outcome.summary}" for s in answered),
        notices=notices, figures=figures,
        assumptions=list(dict.fromkeys(a for s in answered for a in s.outcome.assumptions)),
        rule_path=list(dict.fromkeys(p for s in answered for p in s.outcome.rule_path)),
        citations=citations)

"""Properties every calculator must have, over dates of birth, dates asked about and amounts (hypothesis).

The date range is read from the loaded tables (2023-07-01 to the end of the latest loaded year), so tables added
later (2023-24, 2024-25, ...) are covered without touching this file.

- Every date gets a number or a refusal that names the missing figure (one the calculator declares it reads).
- Amounts are never negative; every figure cites one of the result's sources; the summary is a sentence.
- After the last loaded year, the answer says the figures are last year's.
- Continuity at table boundaries: where none of a calculator's figures changes between the last day of one year and
  the first of the next, neither does its answer.
- A named tax year gives a number or a refusal too, and its periods stay inside the year.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pension_advisor.tools import TOOL_SPECS, CalcResult, MissingFigure, ToolError
from pension_advisor.tools.tables import CURRENCY, ONE_DAY, figure_on, rule_tables, tax_year_of

FIRST_DAY = dt.date(2023, 7, 1)
LAST_DAY = max(rule_tables(c)[-1].ends for c in CURRENCY)
PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SPECS = sorted(TOOL_SPECS)

# A member record per country, every field a calculator may read; amounts and the birth date are drawn.
RECORD = {
    "AU": dict(marital_status="couple", homeowner=True, other_assets=40_000.0),
    "US": dict(ss_pia_monthly=2_850.0),
    "UK": dict(ni_qualifying_years=31),
    "IN": dict(epf_service_years=15, monthly_basic_wage=60_000.0, nps_balance=250_000.0),
}
# Birth dates each country's calculators cover (UK State Pension age before 6 December 1953 depends on sex; SSA
# full retirement age is tabulated from 1943).
BORN = {"AU": (dt.date(1940, 1, 1), dt.date(2004, 12, 31)), "US": (dt.date(1943, 1, 2), dt.date(2004, 12, 31)),
        "UK": (dt.date(1953, 12, 6), dt.date(2004, 12, 31)), "IN": (dt.date(1960, 1, 1), dt.date(2004, 12, 31))}
# Refusals that are about the member's inputs, not a missing figure: allowed, with the input named.
SCOPE = {"au_super_lump_sum_tax": {"not_modelled"}}


@st.composite
def member(draw, country: str) -> dict:
    low, high = BORN[country]
    return {**RECORD[country], "date_of_birth": draw(st.dates(low, high)),
            "pension_balance": draw(st.floats(0, 3_000_000, allow_nan=False)),
            "annual_salary": draw(st.floats(0, 400_000, allow_nan=False))}


def call(spec, record: dict, **extra) -> CalcResult | ToolError:
    args = {arg: record[field] for arg, field in spec.member_args.items() if record.get(field) is not None}
    try:
        return spec.run({**args, **extra})
    except ToolError as refusal:
        return refusal


def check_outcome(spec, outcome: CalcResult | ToolError, asked: dt.date | None) -> None:
    if isinstance(outcome, MissingFigure):
        assert outcome.figure in spec.rules, f"{spec.name} read {outcome.figure}, which it does not declare"
        assert outcome.label in outcome.message and "_" not in outcome.message
        return
    if isinstance(outcome, ToolError):
        assert outcome.code in SCOPE.get(spec.name, ()), f"{spec.name}: {outcome.code}: {outcome.message}"
        assert outcome.field and "_" not in outcome.message
        return
    assert outcome.tool == spec.name and outcome.currency == CURRENCY[spec.country]
    assert outcome.summary.endswith(".") and "_" not in outcome.summary
    for figure in outcome.figures:
        assert 0 <= figure.citation < len(outcome.citations)
        if figure.unit == outcome.currency:
            assert figure.value >= 0, f"{spec.name}: {figure.name} = {figure.value}"
    assert {c.rule for c in outcome.citations} <= set(spec.rules), spec.name
    last = rule_tables(spec.country)[-1]
    if asked and asked > last.ends:
        assert outcome.notices[0] == (f"The {tax_year_of(spec.country, asked).label} figures are not loaded yet; "
                                      f"these are the {last.tax_year} figures.")
    elif asked:
        assert not any("not loaded yet" in n for n in outcome.notices)


@pytest.mark.parametrize("name", SPECS)
@PROPERTY
@given(data=st.data(), asked=st.dates(FIRST_DAY, LAST_DAY))
def test_every_date_gets_a_number_or_a_refusal_naming_the_missing_figure(name, data, asked):
    spec = TOOL_SPECS[name]
    record = data.draw(member(spec.country))
    check_outcome(spec, call(spec, record, on_date=asked), asked)


@pytest.mark.parametrize("name", SPECS)
@PROPERTY
@given(data=st.data())
def test_a_named_tax_year_gets_numbers_or_refusals_and_its_periods_stay_inside_it(name, data):
    spec = TOOL_SPECS[name]
    record = data.draw(member(spec.country))
    years = {tax_year_of(spec.country, d).label for d in (FIRST_DAY, LAST_DAY)} | {t.tax_year for t in rule_tables(spec.country)}
    label = data.draw(st.sampled_from(sorted(years)))
    outcome = call(spec, record, tax_year=label, on_date=dt.date(2000, 1, 1))  # on_date is ignored with tax_year
    check_outcome(spec, outcome, None)
    if isinstance(outcome, CalcResult):
        assert outcome.tax_year == label or any("not loaded yet" in n for n in outcome.notices)
        split = [f for f in outcome.figures if f.valid_from]
        if split:
            assert outcome.notices[0].startswith(f"Figures changed during {label}")
            for f in split:
                assert f.valid_from <= f.valid_to and tax_year_of(spec.country, f.valid_from).label == label


def _boundaries(country: str) -> list[dt.date]:
    tables = rule_tables(country)
    return [after.starts for before, after in zip(tables, tables[1:]) if before.ends + ONE_DAY == after.starts]


def _value(country: str, key: str, day: dt.date):
    try:
        return figure_on(country, key, day).value
    except MissingFigure as missing:
        return missing.code


# Figures that depend on the calendar, not on the rules: the member's age or years to go, the distribution year.
DATE_FIGURES = {"current_age", "age_at_payment", "years", "rmd_amount", "distribution_period", "catch_up_limit",
                "total_employee_limit", "ira_catch_up", "total_ira_limit",
                # the minimum pension payment depends on the age on 1 July of each financial year
                "percentage_factor", "minimum_payment", "minimum_payment_month"}


@pytest.mark.parametrize("name", [n for n in SPECS if _boundaries(TOOL_SPECS[n].country)])
@PROPERTY
@given(data=st.data())
def test_answers_are_continuous_across_a_year_boundary_where_no_figure_changes(name, data):
    spec = TOOL_SPECS[name]
    record = data.draw(member(spec.country))
    for first in _boundaries(spec.country):
        before = first - ONE_DAY
        if any(_value(spec.country, key, before) != _value(spec.country, key, first) for key in spec.rules):
            continue
        a, b = call(spec, record, on_date=before), call(spec, record, on_date=first)
        assert type(a) is type(b), (spec.name, first)
        if isinstance(a, CalcResult):
            values = lambda r, dated=False: {f.name: f.value for f in r.figures if (f.name in DATE_FIGURES) == dated}  # noqa: E731
            # A birthday on the boundary day changes the years projected, and so everything projected from them.
            if values(a, dated=True) == values(b, dated=True):
                assert values(a) == values(b), (spec.name, first)

"""A question about a named tax year: the figures in force through it, each period shown where one changes."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
import yaml

from pension_advisor.tools import MissingFigure, ToolError
from pension_advisor.tools import tables
from pension_advisor.tools.au import age_pension, contribution_caps
from pension_advisor.tools.uk import new_state_pension


@pytest.fixture
def uk_rate_changes_on_1_october(tmp_path):
    """A copy of the tables in which the UK full new State Pension rate changes inside 2026-27 (made up for the test)."""
    folder = tmp_path / "rules"
    shutil.copytree(tables.RULES_DIR, folder)
    path = folder / "uk" / "2026-27.yaml"
    data = yaml.safe_load(path.read_text())
    rate = data["rules"]["new_state_pension_full_weekly"]
    base = {k: rate[k] for k in ("confirmation", "sources")}
    data["rules"]["new_state_pension_full_weekly"] = {"label": rate["label"], "periods": [
        {**base, "value": 241.30, "effective_from": "2026-04-06", "effective_to": "2026-09-30"},
        {**base, "value": 250.00, "effective_from": "2026-10-01"}]}
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    previous = tables.use_rules_dir(folder)
    yield
    tables.use_rules_dir(previous)


def test_a_figure_changing_inside_the_year_shows_both_periods(uk_rate_changes_on_1_october):
    result = new_state_pension(35, tax_year="2026-27")
    assert result.tax_year == "2026-27"
    assert result.notices == ["Figures changed during 2026-27 (on 1 October 2026), so each period is shown."]
    weekly = [f for f in result.figures if f.name == "weekly_pension"]
    assert [(f.value, f.valid_from, f.valid_to) for f in weekly] == [
        (241.30, dt.date(2026, 4, 6), dt.date(2026, 9, 30)), (250.00, dt.date(2026, 10, 1), dt.date(2027, 4, 5))]
    assert weekly[0].label == "Estimated new State Pension (6 April 2026 to 30 September 2026)"
    # A figure that did not change is shown once, without dates.
    (years,) = [f for f in result.figures if f.name == "qualifying_years_for_full_rate"]
    assert years.value == 35 and years.valid_from is None
    assert result.summary.startswith("From 6 April 2026 to 30 September 2026: With 35 qualifying years")
    assert "From 1 October 2026 to 5 April 2027:" in result.summary
    # A date inside the year gets only that day's figure.
    assert new_state_pension(35, dt.date(2026, 11, 1)).figure("weekly_pension").value == 250.00


def test_a_year_with_no_change_is_one_result():
    by_year = contribution_caps(500_000, age=50, tax_year="2025-26")
    assert by_year.notices == [] and all(f.valid_from is None for f in by_year.figures)
    assert by_year.figure("concessional_cap").value == 30_000


# Services Australia publishes Age Pension rates from 20 March and 20 September. "How much Age Pension in 2025-26?"
# used to land on 1 July 2025 and get no amount; now each loaded period is shown (20 March 2025 rates to 19 September,
# then the 20 September 2025 rates) and the one not confirmed (from 20 March 2026) is refused, naming the figure.
def test_age_pension_for_2025_26_shows_the_loaded_periods_and_names_the_missing_one():
    result = age_pension(dt.date(1950, 1, 1), "single", True, 100_000, financial_assets=0, tax_year="2025-26")
    assert result.notices[0] == "Figures changed during 2025-26 (on 20 September 2025, 20 March 2026), so each period is shown."
    assert sum("maximum Age Pension rates" in n and "not been confirmed" in n for n in result.notices) == 1
    amounts = [(f.value, f.valid_from, f.valid_to) for f in result.figures if f.name == "estimated_pension_fortnight"]
    assert amounts == [(1149.00, dt.date(2025, 7, 1), dt.date(2025, 9, 19)), (1178.70, dt.date(2025, 9, 20), dt.date(2026, 3, 19))]


def test_a_year_after_the_loaded_ones_is_answered_with_a_notice():
    result = contribution_caps(500_000, age=50, tax_year="2027-28")
    assert result.notices == ["The 2027-28 figures are not loaded yet; these are the 2026-27 figures."]
    assert result.figure("concessional_cap").value == 32_500


def test_a_year_whose_figures_are_all_missing_is_refused():
    with pytest.raises(MissingFigure) as err:
        contribution_caps(500_000, age=50, tax_year="2019-20")
    assert err.value.figure == "concessional_cap"  # in force from 1 July 2024 only


@pytest.mark.parametrize("label", ["2025", "2025-27", "next year", "FY26"])
def test_a_tax_year_that_is_not_one_is_refused_in_plain_words(label):
    with pytest.raises(ToolError) as err:
        contribution_caps(500_000, age=50, tax_year=label)
    assert (err.value.code, err.value.field) == ("bad_tax_year", "tax_year")
    assert err.value.message == f"The tax year '{label}' isn't one I recognise: give a year such as 2025-26."

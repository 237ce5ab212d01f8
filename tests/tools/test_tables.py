"""The rule-table format (contract section 1) and which value of a figure is in force on a day."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from pydantic import ValidationError

from pension_advisor.tools import MissingFigure, tables
from pension_advisor.tools.tables import RuleTable, figure_on, tax_year_named, tax_year_of

SOURCE = [{"title": "Official page", "url": "https://example.gov/page", "read_on": "2026-12-06"}]


def table(year: str, starts: str, ends: str, rules: dict) -> dict:
    return {"country": "UK", "tax_year": year, "starts": starts, "ends": ends, "currency": "GBP", "rules": rules}


def flat(value, effective_from, **more) -> dict:
    return {"value": value, "effective_from": effective_from, "confirmation": "official", "sources": SOURCE, **more}


@pytest.fixture
def uk_tables(tmp_path):
    """Two UK years with a gap year between them (2024-25 missing)."""
    folder = tmp_path / "rules"
    (folder / "uk").mkdir(parents=True)
    (folder / "uk" / "2023-24.yaml").write_text(yaml.safe_dump(table("2023-24", "2023-04-06", "2024-04-05", {
        "rate": flat(100, "2023-04-06")})))
    (folder / "uk" / "2025-26.yaml").write_text(yaml.safe_dump(table("2025-26", "2025-04-06", "2026-04-05", {
        "old_rule": flat(7, "1990-01-01", label="an old rule"),
        "rate": {"periods": [flat(120, "2025-04-06", effective_to="2025-09-30"),
                             {"value": None, "effective_from": "2025-10-01", "confirmation": "not_confirmed",
                              "sources": SOURCE, "note": "not published yet"}]},
        "new_rule": flat(3, "2025-06-01")})))
    previous = tables.use_rules_dir(folder)
    yield
    tables.use_rules_dir(previous)


def test_the_value_in_force_on_each_day(uk_tables):
    assert figure_on("UK", "rate", dt.date(2023, 4, 6)).value == 100
    assert figure_on("UK", "rate", dt.date(2025, 9, 30)).value == 120
    # A later table's figure counts for earlier days when its own effective_from says so (gap year and before).
    assert figure_on("UK", "old_rule", dt.date(2024, 12, 1)).value == 7
    assert figure_on("UK", "old_rule", dt.date(2001, 1, 1)).value == 7
    assert figure_on("UK", "old_rule", dt.date(2024, 12, 1)).label == "an old rule"
    with pytest.raises(MissingFigure) as err:  # the gap year, and a figure not yet in force
        figure_on("UK", "rate", dt.date(2024, 12, 1))
    assert err.value.code == "figure_not_loaded"
    with pytest.raises(MissingFigure):
        figure_on("UK", "new_rule", dt.date(2025, 5, 31))
    assert figure_on("UK", "new_rule", dt.date(2025, 6, 1)).value == 3
    with pytest.raises(MissingFigure) as err:  # not_confirmed: refused, naming the figure in words
        figure_on("UK", "rate", dt.date(2025, 10, 1))
    assert err.value.code == "figure_not_confirmed" and err.value.note == "not published yet"
    assert err.value.message == ("I can't work this out for 1 October 2025, because the figure for the rate in force "
                                 "then has not been confirmed from an official source.")


def test_gaps_list_every_unconfirmed_or_unloaded_stretch(uk_tables):
    found = {(g.tax_year, g.key, g.first, g.last, g.why.split(":")[0]) for g in tables.gaps("UK")}
    assert found == {("2025-26", "rate", dt.date(2025, 10, 1), dt.date(2026, 4, 5), "not confirmed"),
                     ("2025-26", "new_rule", dt.date(2025, 4, 6), dt.date(2025, 5, 31), "not loaded")}


@pytest.mark.parametrize("rules, error", [
    ({"x": flat(None, "2025-04-06")}, "use not_confirmed"),
    ({"x": {**flat(1, "2025-04-06"), "confirmation": "not_confirmed"}}, "has value null"),
    ({"x": {"periods": [flat(1, "2025-04-06", effective_to="2025-10-01"), flat(2, "2025-10-01")]}}, "overlap"),
    ({"x": {"periods": [flat(1, "2025-04-06"), flat(2, "2025-10-01")]}}, "overlap"),
    ({"x": {"periods": [flat(1, "2025-04-06", effective_to="2025-09-30"), flat(2, "2024-10-01")]}}, "overlap or are out of order"),
    ({"x": flat(1, "2026-04-06")}, "no period falls inside"),
    ({"x": {"periods": [flat(1, "2025-04-06", effective_to="2026-04-05"), flat(2, "2026-04-06")]}}, "after the table ends"),
    ({"x": flat(1, "2025-04-06", effective_to="2025-01-01")}, "is before effective_from"),
    ({"x": {**flat(1, "2025-04-06"), "sources": []}}, "at least 1 item"),
    ({"x": {**flat(1, "2025-04-06"), "sources": [{"title": "t", "url": "ftp://x"}]}}, "should match pattern"),
    ({"x": {**flat(1, "2025-04-06"), "surprise": 1}}, "Extra inputs are not permitted"),
])
def test_malformed_figures_are_rejected(rules, error):
    with pytest.raises(ValidationError, match=error):
        RuleTable.model_validate(table("2025-26", "2025-04-06", "2026-04-05", rules))


def test_the_table_must_be_its_countrys_tax_year():
    with pytest.raises(ValidationError, match="runs 2025-04-06 to 2026-04-05"):
        RuleTable.model_validate(table("2025-26", "2025-04-01", "2026-03-31", {"x": flat(1, "2025-04-01")}))


def test_an_effective_to_past_the_table_is_kept_and_clipped():
    # "This figure applies until 5 April 2027", stated in the 2025-26 table: allowed; the table covers its own days.
    ok = RuleTable.model_validate(table("2025-26", "2025-04-06", "2026-04-05", {"x": flat(1, "2020-01-01", effective_to="2027-04-05")}))
    assert ok.spans("x") == [(dt.date(2025, 4, 6), dt.date(2026, 4, 5), ok.rules["x"].periods[0])]


@pytest.mark.parametrize("country, day, label", [
    ("AU", dt.date(2025, 6, 30), "2024-25"), ("AU", dt.date(2025, 7, 1), "2025-26"),
    ("UK", dt.date(2026, 4, 5), "2025-26"), ("UK", dt.date(2026, 4, 6), "2026-27"),
    ("IN", dt.date(2026, 3, 31), "2025-26"), ("IN", dt.date(2026, 4, 1), "2026-27"),
    ("US", dt.date(2026, 12, 31), "2026"), ("US", dt.date(2027, 1, 1), "2027"),
])
def test_tax_years_by_country(country, day, label):
    year = tax_year_of(country, day)
    assert year.label == label and year.starts <= day <= year.ends
    assert tax_year_named(country, label) == year

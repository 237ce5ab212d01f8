"""United Kingdom calculators against the legislated State Pension age tables and GOV.UK rates."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pension_advisor.tools import ToolError
from pension_advisor.tools.base import NoRulesForDate
from pension_advisor.tools.uk import new_state_pension, state_pension_age

TODAY = dt.date(2026, 11, 26)
LAST_YEAR = dt.date(2026, 1, 10)  # 2025-26 tax year


# Pensions Act 2014 explanatory notes, section 26 (worked examples and the three month-end cases)
# https://www.legislation.gov.uk/ukpga/2014/19/notes/division/6/3/1
# https://www.legislation.gov.uk/ukpga/2014/19/section/26
@pytest.mark.parametrize("born, reached, age", [
    (dt.date(1960, 4, 15), "2026-05-15", "66 years 1 months"),
    (dt.date(1960, 9, 10), "2027-03-10", "66 years 6 months"),
    (dt.date(1961, 1, 22), "2027-11-22", "66 years 10 months"),
    (dt.date(1960, 7, 31), "2026-11-30", "66 years 4 months"),
    (dt.date(1960, 12, 31), "2027-09-30", "66 years 9 months"),
    (dt.date(1961, 1, 31), "2027-11-30", "66 years 10 months"),
    (dt.date(1961, 3, 5), "2028-02-05", "66 years 11 months"),
    (dt.date(1961, 3, 6), "2028-03-06", "67 years 0 months"),
    (dt.date(1977, 4, 5), "2044-04-05", "67 years 0 months"),
    (dt.date(1960, 4, 5), "2026-04-05", "66 years 0 months"),
    (dt.date(1954, 10, 6), "2020-10-06", "66 years 0 months"),
])
def test_state_pension_age_66_to_67(born, reached, age):
    result = state_pension_age(born, TODAY)
    assert result.figure("state_pension_date").value == reached
    assert result.figure("state_pension_age").value == age


# Pensions Act 2011 s1, table 2 (65 to 66 on set dates) https://www.legislation.gov.uk/ukpga/2011/19/section/1
@pytest.mark.parametrize("born, reached", [
    (dt.date(1953, 12, 6), "2019-03-06"),
    (dt.date(1954, 1, 5), "2019-03-06"),
    (dt.date(1954, 4, 20), "2019-11-06"),
    (dt.date(1954, 10, 5), "2020-09-06"),
])
def test_state_pension_age_65_to_66_set_dates(born, reached):
    assert state_pension_age(born, TODAY).figure("state_pension_date").value == reached


def test_born_from_6_april_1977_is_not_modelled_and_says_so():
    result = state_pension_age(dt.date(1980, 6, 1), TODAY)
    assert result.figure("state_pension_age").value == "between 67 and 68"
    assert any("Not modelled" in a for a in result.assumptions)
    assert "not modelled" in result.rule_path[0]


def test_born_before_6_december_1953_is_refused():
    with pytest.raises(ToolError) as err:
        state_pension_age(dt.date(1953, 12, 5), TODAY)
    assert err.value.code == "not_modelled"


def test_state_pension_age_rejects_future_birth():
    with pytest.raises(ToolError):
        state_pension_age(dt.date(2030, 1, 1), TODAY)


@given(st.dates(dt.date(1953, 12, 6), dt.date(1977, 4, 5)), st.dates(dt.date(1953, 12, 6), dt.date(1977, 4, 5)))
def test_later_birth_never_gives_earlier_state_pension_age(a, b):
    earlier, later = sorted((a, b))
    first, second = state_pension_age(earlier, TODAY), state_pension_age(later, TODAY)
    assert first.figure("state_pension_date").value <= second.figure("state_pension_date").value
    # Age in whole months never falls (a set-date band can land a day past a whole month).
    assert first.figure("state_pension_age_months").value <= second.figure("state_pension_age_months").value + 1


# Full new State Pension: GOV.UK https://www.gov.uk/new-state-pension/what-youll-get
# 2025-26 £230.25 a week; 2026-27 £241.30 (4.8% triple-lock uprating).
@pytest.mark.parametrize("years, when, weekly", [
    (35, TODAY, 241.30), (45, TODAY, 241.30), (20, TODAY, 137.89), (10, TODAY, 68.94), (9, TODAY, 0.0), (0, TODAY, 0.0),
    (35, LAST_YEAR, 230.25), (30, LAST_YEAR, 197.36), (10, LAST_YEAR, 65.79),
])
def test_new_state_pension_pro_rata(years, when, weekly):
    result = new_state_pension(years, when)
    assert result.figure("weekly_pension").value == weekly
    assert result.figure("weekly_pension").unit == "GBP"
    assert result.figure("weekly_pension").period == "week"
    assert result.figure("annual_pension").value == round(weekly * 52, 2)


def test_new_state_pension_cites_gov_uk_and_tax_year():
    result = new_state_pension(35, TODAY)
    assert result.tax_year == "2026-27"
    assert result.citations[result.figure("full_rate_weekly").citation].url.startswith("https://www.gov.uk/")


def test_new_state_pension_rejects_negative_years():
    with pytest.raises(ToolError):
        new_state_pension(-1, TODAY)


@given(st.integers(0, 60), st.integers(0, 60))
def test_more_qualifying_years_never_pay_less(a, b):
    low, high = sorted((a, b))
    assert new_state_pension(low, TODAY).figure("weekly_pension").value <= new_state_pension(high, TODAY).figure("weekly_pension").value


def test_no_uk_rules_for_2019():
    with pytest.raises(NoRulesForDate):
        new_state_pension(35, dt.date(2019, 6, 1))
    with pytest.raises(NoRulesForDate):
        new_state_pension(35, dt.date(2027, 4, 6))

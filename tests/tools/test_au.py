"""Australia calculators against ATO tables and worked examples."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pension_advisor.tools import ToolError
from pension_advisor.tools.au import preservation_age, super_guarantee
from pension_advisor.tools.base import NoRulesForDate

TODAY = dt.date(2026, 11, 26)
LAST_YEAR = dt.date(2026, 1, 15)  # 2025-26 financial year


# Preservation age bands: ATO Schedule 11, preservation age table
# https://www.ato.gov.au/Rates/Schedule-11---Tax-table-for-employment-termination-payments/?page=6
@pytest.mark.parametrize("born, age", [
    (dt.date(1960, 6, 30), 55),
    (dt.date(1960, 7, 1), 56),
    (dt.date(1961, 6, 30), 56),
    (dt.date(1961, 7, 1), 57),
    (dt.date(1962, 7, 1), 58),
    (dt.date(1963, 7, 1), 59),
    (dt.date(1964, 6, 30), 59),
    (dt.date(1964, 7, 1), 60),
    (dt.date(1990, 1, 1), 60),
])
def test_preservation_age_bands(born, age):
    result = preservation_age(born, TODAY)
    assert result.figure("preservation_age").value == age
    assert result.tax_year == "2026-27"
    assert result.citations[0].url.startswith("https://www.ato.gov.au/")


def test_preservation_date_is_the_birthday_and_feb_29_falls_on_feb_28():
    assert preservation_age(dt.date(1975, 3, 14), TODAY).figure("preservation_date").value == "2035-03-14"
    result = preservation_age(dt.date(1964, 2, 29), TODAY)  # age 59; 2023 is not a leap year
    assert result.figure("preservation_date").value == "2023-02-28"
    assert any("29 February" in a for a in result.assumptions)
    # 1968 + 60 = 2028, a leap year: the real birthday exists.
    assert preservation_age(dt.date(1968, 2, 29), TODAY).figure("preservation_date").value == "2028-02-29"


def test_preservation_age_last_year_uses_last_years_table():
    assert preservation_age(dt.date(1980, 5, 1), LAST_YEAR).tax_year == "2025-26"


def test_preservation_age_rejects_future_birth():
    with pytest.raises(ToolError) as err:
        preservation_age(dt.date(2027, 1, 1), TODAY)
    assert err.value.code == "date_of_birth_in_future"


@given(st.dates(dt.date(1940, 1, 1), dt.date(2005, 12, 31)), st.dates(dt.date(1940, 1, 1), dt.date(2005, 12, 31)))
def test_later_birth_never_lowers_preservation_age(a, b):
    earlier, later = sorted((a, b))
    first = preservation_age(earlier, TODAY).figure("preservation_age").value
    second = preservation_age(later, TODAY).figure("preservation_age").value
    assert first <= second
    assert 55 <= first <= 60


# SG rate 12% from 1 July 2025 (ATO key super rates, Table 21)
# https://www.ato.gov.au/rates/key-superannuation-rates-and-thresholds/?anchor=Superguaranteepercentage
def test_super_guarantee_on_salary():
    result = super_guarantee(80_000, TODAY)
    assert result.figure("sg_rate").value == 12
    assert result.figure("sg_rate").unit == "%"
    assert result.figure("employer_sg").value == 9_600.00
    assert result.figure("employer_sg").period == "year"
    assert result.figure("employer_sg_month").value == 800.00


def test_super_guarantee_2025_26_capped_at_maximum_contribution_base():
    # 2025-26 maximum contribution base $62,500 a quarter: at most 12% x 62,500 x 4 = $30,000 a year.
    result = super_guarantee(300_000, LAST_YEAR)
    assert result.tax_year == "2025-26"
    assert result.figure("max_contribution_base_quarter").value == 62_500
    assert result.figure("employer_sg").value == 30_000.00
    assert "capped" in " ".join(result.rule_path)
    assert super_guarantee(200_000, LAST_YEAR).figure("employer_sg").value == 24_000.00


def test_super_guarantee_2026_27_says_base_not_applied():
    result = super_guarantee(300_000, TODAY)
    assert result.figure("employer_sg").value == 36_000.00
    assert any("maximum contributions base is not applied" in a for a in result.assumptions)


def test_super_guarantee_rejects_negative_salary():
    with pytest.raises(ToolError) as err:
        super_guarantee(-1, TODAY)
    assert err.value.code == "negative_amount"


@pytest.mark.parametrize("when", [dt.date(2019, 3, 1), dt.date(2024, 7, 1), dt.date(2027, 7, 1)])
def test_no_rules_for_other_years(when):
    with pytest.raises(NoRulesForDate) as err:
        super_guarantee(80_000, when)
    assert err.value.code == "no_rules_for_year"
    assert "2025-26" in err.value.message and "2026-27" in err.value.message
    with pytest.raises(NoRulesForDate):
        preservation_age(dt.date(1960, 1, 1), when)


@given(st.floats(0, 2_000_000, allow_nan=False), st.floats(0, 2_000_000, allow_nan=False))
def test_super_guarantee_grows_with_salary_and_never_exceeds_the_rate(a, b):
    low, high = sorted((a, b))
    for when in (LAST_YEAR, TODAY):
        sg_low = super_guarantee(low, when).figure("employer_sg").value
        sg_high = super_guarantee(high, when).figure("employer_sg").value
        assert sg_low <= sg_high
        assert sg_high <= high * 0.12 + 0.005

"""India EPF / EPS contribution split."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pension_advisor.tools import ToolError
from pension_advisor.tools.base import NoRulesForDate
from pension_advisor.tools.india import epf_contribution

TODAY = dt.date(2026, 11, 26)


# EPFO: employee 12% of basic + DA; employer 12%, of which 8.33% of wages up to Rs 15,000 (max Rs 1,250) to EPS.
# https://www.epfindia.gov.in/site_en/FAQ.php
@pytest.mark.parametrize("wage, employee, eps, employer_epf", [
    (15_000, 1_800, 1_250, 550),
    (10_000, 1_200, 833, 367),
    (40_000, 4_800, 1_250, 3_550),
    (0, 0, 0, 0),
])
def test_epf_split(wage, employee, eps, employer_epf):
    result = epf_contribution(wage, TODAY)
    assert result.figure("employee_contribution").value == employee
    assert result.figure("employer_eps_contribution").value == eps
    assert result.figure("employer_epf_contribution").value == employer_epf
    assert result.figure("total_to_epf_account").value == employee + employer_epf
    assert result.figure("eps_rate").value == 8.33
    assert result.currency == "INR"


def test_epf_uses_financial_year_tables():
    assert epf_contribution(20_000, TODAY).tax_year == "2026-27"
    assert epf_contribution(20_000, dt.date(2026, 3, 31)).tax_year == "2025-26"
    with pytest.raises(NoRulesForDate):
        epf_contribution(20_000, dt.date(2019, 6, 1))


def test_epf_rejects_negative_wage():
    with pytest.raises(ToolError):
        epf_contribution(-100, TODAY)


@given(st.floats(0, 1_000_000, allow_nan=False))
def test_employer_share_adds_up_and_eps_is_capped(wage):
    result = epf_contribution(wage, TODAY)
    eps = result.figure("employer_eps_contribution").value
    assert eps <= 1_250
    assert abs(eps + result.figure("employer_epf_contribution").value - result.figure("employer_contribution").value) < 0.005
    assert result.figure("employer_epf_contribution").value >= 0

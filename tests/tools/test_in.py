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


# --- phase 2 -----------------------------------------------------------------------------------------

from pension_advisor.tools.india import (  # noqa: E402
    epf_interest_tax, epf_projection, epf_withdrawal_tax, eps_pension, nps_exit,
)

LAST_YEAR = dt.date(2026, 2, 1)  # 2025-26


def test_epf_projection_interest_on_balance_only():
    # No contributions: one year at 8.25% on Rs 1,00,000.
    assert epf_projection(100_000, 0, years=1, on_date=TODAY).figure("projected_balance").value == 108_250


def test_epf_projection_monthly_running_balance():
    # Rs 15,000 wage: Rs 2,350 a month credited (1,800 + 550). Interest on running balances 0, 2,350, ... 25,850:
    # 2,350 x 66 x 0.0825 / 12 = 1,066.31.
    result = epf_projection(0, 15_000, years=1, on_date=TODAY)
    assert result.figure("monthly_credit_now").value == 2_350
    assert result.figure("projected_balance").value == round(28_200 + 2_350 * 66 * 0.0825 / 12, 2)
    assert epf_projection(0, 15_000, date_of_birth=dt.date(1990, 1, 1), on_date=TODAY).figure("years").value == 22
    with pytest.raises(ToolError):
        epf_projection(0, 15_000, on_date=TODAY)


# EPS 1995 para 12: pensionable salary x service / 70; 2 years' weightage at 20+ years; 4% a year reduction from 50;
# minimum Rs 1,000. https://www.epfindia.gov.in/site_en/FAQ.php
@pytest.mark.parametrize("salary, service, age, pension", [
    (15_000, 35, 58, 15_000 * 37 / 70),          # 7,928.57
    (25_000, 35, 58, 15_000 * 37 / 70),          # salary capped at 15,000
    (15_000, 19, 58, 15_000 * 19 / 70),          # no weightage below 20 years
    (15_000, 20, 55, 15_000 * 22 / 70 * 0.88),  # 3 years early: -12%
    (5_000, 10, 58, 1_000),                      # 714.29 raised to the minimum
])
def test_eps_pension(salary, service, age, pension):
    assert eps_pension(salary, service, age, TODAY).figure("monthly_pension").value == round(pension, 2)


def test_eps_pension_refusals():
    with pytest.raises(ToolError) as err:
        eps_pension(15_000, 9, 58, TODAY)
    assert err.value.code == "service_too_short"
    with pytest.raises(ToolError) as err:
        eps_pension(15_000, 20, 49, TODAY)
    assert err.value.code == "age_out_of_range"


@given(st.integers(50, 57), st.integers(50, 58), st.floats(10, 40))
def test_later_eps_start_never_pays_less(a, b, service):
    early, late = sorted((a, b))
    assert eps_pension(15_000, service, early, TODAY).figure("monthly_pension").value <= eps_pension(15_000, service, late, TODAY).figure("monthly_pension").value


# NPS exit (non-government), PIB 19 Dec 2025: https://pib.gov.in/PressReleasePage.aspx?PRID=2206763
@pytest.mark.parametrize("corpus, lump", [(500_000, 500_000), (800_000, 800_000), (1_000_000, 600_000), (1_200_000, 600_000), (5_000_000, 4_000_000)])
def test_nps_exit(corpus, lump):
    result = nps_exit(corpus, TODAY)
    assert result.figure("max_lump_sum").value == lump
    assert result.figure("min_annuity_or_withdrawal").value == corpus - lump


def test_nps_exit_before_amendment_not_modelled():
    with pytest.raises(ToolError):
        nps_exit(1_000_000, dt.date(2025, 10, 1))
    assert nps_exit(1_000_000, LAST_YEAR).tax_year == "2025-26"


# EPF withdrawal TDS: s192A (1961 Act) / s392(7) (2025 Act): 10% on Rs 50,000 or more before 5 years' service.
@pytest.mark.parametrize("amount, service, tds", [(200_000, 3, 20_000), (49_999, 3, 0), (200_000, 5, 0), (200_000, 12, 0)])
def test_epf_withdrawal_tax(amount, service, tds):
    assert epf_withdrawal_tax(amount, service, TODAY).figure("tds").value == tds
    assert epf_withdrawal_tax(amount, service, LAST_YEAR).figure("tds").value == tds


def test_epf_interest_tax_threshold():
    result = epf_interest_tax(300_000, on_date=LAST_YEAR)
    assert result.figure("excess_contribution").value == 50_000
    assert result.figure("taxable_interest_estimate").value == 4_125
    assert epf_interest_tax(300_000, employer_contributes=False, on_date=LAST_YEAR).figure("excess_contribution").value == 0
    # 12% of Rs 2,50,000 a month = Rs 3,60,000 a year.
    assert epf_interest_tax(monthly_basic_wage=250_000, on_date=LAST_YEAR).figure("excess_contribution").value == 110_000
    later = epf_interest_tax(300_000, on_date=TODAY)
    assert any("not confirmed" in a for a in later.assumptions)

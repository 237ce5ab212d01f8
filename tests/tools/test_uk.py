"""United Kingdom calculators against the legislated State Pension age tables and GOV.UK rates."""

import datetime as dt

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pension_advisor.tools import ToolError
from pension_advisor.tools import MissingFigure
from pension_advisor.tools.uk import new_state_pension, state_pension_age

TODAY = dt.date(2026, 11, 26)
LAST_YEAR = dt.date(2026, 1, 10)  # 2025-26 tax year
# Property tests stay small: the machine has 2 cores.
PROPERTY = settings(max_examples=60, deadline=None)


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


# Pensions Act 2007 Schedule 3 (Pensions Act 1995 Schedule 4, 67 to 68): born 6 April 1977 - 5 May 1977 reach State
# Pension age on 6 May 2044, each later month two months later, to 6 March 2046 for 6 March - 5 April 1978; from
# 6 April 1978, the 68th birthday. https://www.legislation.gov.uk/ukpga/2007/22/schedule/3
# (only the start of the Schedule was readable in the search corpus; the dates are as in DWP's own
# get-state-pension-date code, so the rule table marks them `secondary`.)
@pytest.mark.parametrize("born, reached, age", [
    (dt.date(1977, 4, 5), "2044-04-05", "67 years 0 months"),   # last day of the 67 band
    (dt.date(1977, 4, 6), "2044-05-06", "67 years 1 months"),   # first day of the transition
    (dt.date(1977, 5, 5), "2044-05-06", "67 years 0 months"),
    (dt.date(1977, 5, 6), "2044-07-06", "67 years 2 months"),
    (dt.date(1978, 4, 5), "2046-03-06", "67 years 11 months"),
    (dt.date(1978, 4, 6), "2046-04-06", "68 years 0 months"),   # 68th birthday from here
    (dt.date(1980, 6, 1), "2048-06-01", "68 years 0 months"),
    (dt.date(1980, 2, 29), "2048-02-29", "68 years 0 months"),
])
def test_state_pension_age_67_to_68(born, reached, age):
    result = state_pension_age(born, TODAY)
    assert result.figure("state_pension_date").value == reached
    assert result.figure("state_pension_age").value == age
    years, months = int(age.split()[0]), int(age.split()[2])
    words = f"{years}" if not months else f"{years} years and {months} month{'s' if months > 1 else ''}"
    assert result.summary == f"Your State Pension age is {words}; you reach it on {result.summary.split(' on ')[-1]}"


def test_born_before_6_december_1953_is_refused():
    with pytest.raises(ToolError) as err:
        state_pension_age(dt.date(1953, 12, 5), TODAY)
    assert (err.value.code, err.value.field) == ("not_modelled", "date_of_birth")


def test_state_pension_age_rejects_future_birth():
    with pytest.raises(ToolError):
        state_pension_age(dt.date(2030, 1, 1), TODAY)


@PROPERTY
@given(st.dates(dt.date(1953, 12, 6), dt.date(1977, 4, 5)), st.dates(dt.date(1953, 12, 6), dt.date(1977, 4, 5)))
def test_later_birth_never_gives_earlier_state_pension_age(a, b):
    earlier, later = sorted((a, b))
    first, second = state_pension_age(earlier, TODAY), state_pension_age(later, TODAY)
    assert first.figure("state_pension_date").value <= second.figure("state_pension_date").value
    # Age in whole months never falls (a set-date band can land a day past a whole month).
    assert first.figure("state_pension_age_months").value <= second.figure("state_pension_age_months").value + 1


# Full new State Pension: GOV.UK https://www.gov.uk/new-state-pension/what-youll-get
# 2025-26 £230.25 a week; 2026-27 £241.30 (4.8% triple-lock uprating).
# Pro rata: full rate / 35 x qualifying years, nothing under 10 years (Pensions Act 2014 s2-s4); amounts worked by hand.
# (GOV.UK's page is not in the search corpus; £230.25 and the 35 / 10 qualifying years are as reported from it.)
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


@PROPERTY
@given(st.integers(0, 60), st.integers(0, 60))
def test_more_qualifying_years_never_pay_less(a, b):
    low, high = sorted((a, b))
    assert new_state_pension(low, TODAY).figure("weekly_pension").value <= new_state_pension(high, TODAY).figure("weekly_pension").value


def test_state_pension_rate_before_the_tables_is_refused_and_after_them_labelled():
    with pytest.raises(MissingFigure) as err:
        new_state_pension(35, dt.date(2019, 6, 1))
    assert err.value.figure == "new_state_pension_full_weekly" and "full new State Pension rate" in err.value.message
    later = new_state_pension(35, dt.date(2027, 4, 6))
    assert later.figure("weekly_pension").value == 241.30
    assert later.notices == ["The 2027-28 figures are not loaded yet; these are the 2026-27 figures."]


# --- phase 2 -----------------------------------------------------------------------------------------

from pension_advisor.tools.uk import (  # noqa: E402
    annual_allowance, drawdown_income_tax, drawdown_sustainability, pension_access_age, tax_free_lump_sum,
)


# Normal minimum pension age 55 -> 57 from 6 April 2028 (Finance Act 2022 s10)
# https://www.legislation.gov.uk/ukpga/2022/3/section/10
# (s10 as enacted is in the search corpus: NMPA is 55 "on and after [6 April 2010] but before 6 April 2028" and 57
# "on and after 6 April 2028"; the dates below are worked by hand from it.)
def test_pension_access_age():
    assert pension_access_age(dt.date(1970, 6, 1), TODAY).figure("earliest_access_date").value == "2025-06-01"
    later = pension_access_age(dt.date(1975, 6, 1), TODAY)
    assert later.figure("normal_minimum_pension_age").value == 57
    assert later.figure("earliest_access_date").value == "2032-06-01"
    gap = pension_access_age(dt.date(1972, 1, 10), TODAY)  # 55 in 2027, still 56 on 6 April 2028
    assert gap.figure("earliest_access_date").value == "2027-01-10"
    assert gap.figure("access_paused_until").value == "2029-01-10"
    # 57 before the change: 55 applies, no pause.
    assert "access_paused_until" not in {f.name for f in pension_access_age(dt.date(1971, 4, 5), TODAY).figures}
    # Born 6 April 1971: 57 on 6 April 2028, the day the age rises, so access never pauses.
    boundary = pension_access_age(dt.date(1971, 4, 6), TODAY)
    assert "access_paused_until" not in {f.name for f in boundary.figures}
    assert boundary.figure("earliest_access_date").value == "2026-04-06"
    # Born 7 April 1971: 56 on 6 April 2028, so access pauses for a day.
    assert pension_access_age(dt.date(1971, 4, 7), TODAY).figure("access_paused_until").value == "2028-04-07"


# Tax-free lump sum: 25% within the £268,275 Lump Sum Allowance ("You can usually take up to 25% of the amount built up
# in any pension as a tax-free lump sum. The most you can take is £268,275.")
# https://www.gov.uk/tax-on-your-private-pension/lump-sum-allowance
def test_tax_free_lump_sum():
    assert tax_free_lump_sum(200_000, on_date=TODAY).figure("tax_free_lump_sum").value == 50_000
    big = tax_free_lump_sum(2_000_000, on_date=TODAY)
    assert big.figure("tax_free_lump_sum").value == 268_275
    assert "capped" in big.rule_path[0]
    assert tax_free_lump_sum(400_000, allowance_used=250_000, on_date=TODAY).figure("tax_free_lump_sum").value == 18_275


# Annual allowance £60,000, taper (threshold income > £200,000 and adjusted income > £260,000), minimum £10,000, MPAA £10,000
# https://www.gov.uk/tax-on-your-private-pension/annual-allowance
# (GOV.UK's "Work out your reduced (tapered) annual allowance" guidance is in the search corpus: "For every £2 your
# adjusted income goes over £260,000, your annual allowance ... reduces by £1. The minimum ... is £10,000.")
@pytest.mark.parametrize("threshold, adjusted, allowance", [
    (150_000, 300_000, 60_000), (210_000, 260_000, 60_000), (210_000, 280_000, 50_000), (300_000, 360_000, 10_000), (400_000, 500_000, 10_000),
])
def test_annual_allowance_taper(threshold, adjusted, allowance):
    assert annual_allowance(threshold, adjusted, on_date=TODAY).figure("annual_allowance").value == allowance


# Finance Act 2004 s228ZA: the reduction is (adjusted income - £260,000) / 2, "rounded down to the nearest amount which
# is a multiple of £1" (s228ZA(2)), and not below £10,000.
# https://www.legislation.gov.uk/ukpga/2004/12/section/228ZA
# (legislation.gov.uk's page is not in the search corpus; the section text was checked against published copies of it.)
# Worked by hand: £260,001 -> 50p reduction rounds down to nil; £275,005 -> £7,502.50 rounds down to £7,502.
@pytest.mark.parametrize("adjusted, allowance", [(260_001, 60_000), (275_005, 52_498), (359_999, 10_001), (359_998.5, 10_001)])
def test_annual_allowance_taper_rounds_the_reduction_down_to_whole_pounds(adjusted, allowance):
    assert annual_allowance(250_000, adjusted, on_date=TODAY).figure("annual_allowance").value == allowance


def test_mpaa_and_excess():
    result = annual_allowance(50_000, 60_000, money_purchase_accessed=True, contributions=15_000, on_date=TODAY)
    assert result.figure("money_purchase_annual_allowance").value == 10_000
    assert result.figure("excess_contributions").value == 5_000


# Income tax bands (England, Wales, NI): https://www.gov.uk/income-tax-rates
@pytest.mark.parametrize("drawdown, other, tax", [
    (10_000, 0, 0.0),                 # within the Personal Allowance
    (20_000, 12_570, 4_000.0),        # all at 20%
    (30_000, 0, 3_486.0),             # (30,000 - 12,570) x 20%
    (60_000, 0, 11_432.0),            # 7,540 + 9,730 x 40%
    (110_000, 0, 33_432.0),           # PA 7,570: 7,540 + (102,430 - 37,700) x 40%
])
def test_drawdown_income_tax(drawdown, other, tax):
    result = drawdown_income_tax(drawdown, other, TODAY)
    assert result.figure("tax_on_drawdown").value == tax


# GOV.UK's own worked example: "You had £35,000 of taxable income and you got the standard Personal Allowance of
# £12,570. You paid basic rate tax at 20% on £22,430" (2024-25; the bands are frozen through 2026-27), so £4,486.
# https://www.gov.uk/income-tax-rates/previous-tax-years
@pytest.mark.parametrize("when", [LAST_YEAR, TODAY])
def test_drawdown_income_tax_gov_uk_worked_example(when):
    assert drawdown_income_tax(35_000, 0, when).figure("tax_on_drawdown").value == 4_486


def test_drawdown_tax_last_year_and_no_rules():
    assert drawdown_income_tax(30_000, 0, dt.date(2026, 1, 1)).tax_year == "2025-26"
    with pytest.raises(MissingFigure):
        drawdown_income_tax(30_000, 0, dt.date(2019, 1, 1))


@PROPERTY
@given(st.floats(0, 500_000, allow_nan=False), st.floats(0, 500_000, allow_nan=False), st.floats(0, 200_000, allow_nan=False))
def test_more_drawdown_never_less_tax_and_never_over_60_percent_marginal(a, b, other):
    low, high = sorted((a, b))
    tax_low = drawdown_income_tax(low, other, TODAY).figure("tax_on_drawdown").value
    tax_high = drawdown_income_tax(high, other, TODAY).figure("tax_on_drawdown").value
    assert tax_low <= tax_high + 0.01
    assert tax_high - tax_low <= (high - low) * 0.6 + 0.02


# No official worked example exists for how long a drawdown pot lasts (GOV.UK's pension pages give none); with no
# return the figures are simple arithmetic, worked by hand: £100,000 at £10,000 a year lasts 10 years, and at £2,500 a
# year exactly 40 years (the pot is used up at the end of the 40-year horizon, so it does not last "more than 40").
# The tool's cited rule is GOV.UK's lump sum page https://www.gov.uk/tax-on-your-private-pension/lump-sum-allowance
def test_drawdown_sustainability():
    # Zero return, £10,000 a year from £100,000: lasts 10 years.
    assert drawdown_sustainability(100_000, 10_000, annual_return=0.0, on_date=TODAY).figure("years_lasting").value == 10
    assert drawdown_sustainability(100_000, 3_000, annual_return=0.05, on_date=TODAY).figure("years_lasting").value == "more than 40"
    solved = drawdown_sustainability(100_000, annual_return=0.0, horizon_years=20, on_date=TODAY)
    assert solved.figure("sustainable_withdrawal").value == 5_000
    assert solved.figure("years_lasting").value == 20
    exact = drawdown_sustainability(100_000, 2_500, annual_return=0.0, on_date=TODAY)
    assert exact.figure("years_lasting").value == 40
    assert exact.figure("balance_at_horizon").value == 0


@PROPERTY
@given(st.floats(1_000, 1_000_000, allow_nan=False), st.floats(100, 100_000, allow_nan=False), st.floats(100, 100_000, allow_nan=False))
def test_larger_withdrawal_never_lasts_longer(pot, a, b):
    def years(w):
        v = drawdown_sustainability(pot, w, annual_return=0.03, on_date=TODAY).figure("years_lasting").value
        return 1_000 if isinstance(v, str) else v
    low, high = sorted((a, b))
    assert years(low) >= years(high)


@PROPERTY
@given(st.dates(dt.date(1950, 1, 1), dt.date(2000, 12, 31)), st.dates(dt.date(1950, 1, 1), dt.date(2000, 12, 31)))
@example(dt.date(1971, 4, 6), dt.date(1971, 4, 7))
@example(dt.date(1971, 4, 5), dt.date(1973, 4, 6))
def test_later_birth_never_gives_earlier_pension_access_and_a_pause_always_has_length(a, b):
    earlier, later = sorted((a, b))
    first, second = pension_access_age(earlier, TODAY), pension_access_age(later, TODAY)
    assert first.figure("earliest_access_date").value <= second.figure("earliest_access_date").value
    change = dt.date(2028, 4, 6)
    for born, result in ((earlier, first), (later, second)):
        assert result.figure("normal_minimum_pension_age").value in (55, 57)
        assert dt.date.fromisoformat(result.figure("earliest_access_date").value) >= dt.date(born.year + 55, born.month, min(born.day, 28))
        if "access_paused_until" in {f.name for f in result.figures}:
            # A pause only happens to someone under 57 on 6 April 2028; it ends on their 57th birthday.
            resumes = dt.date.fromisoformat(result.figure("access_paused_until").value)
            assert change < resumes <= dt.date(born.year + 57, born.month, 28) + dt.timedelta(days=3)
            assert dt.date.fromisoformat(result.figure("earliest_access_date").value) < change


@PROPERTY
@given(st.floats(0, 5_000_000, allow_nan=False), st.floats(0, 5_000_000, allow_nan=False), st.floats(0, 400_000, allow_nan=False),
       st.floats(0, 400_000, allow_nan=False))
def test_tax_free_lump_sum_is_at_most_a_quarter_and_at_most_the_allowance(a, b, x, y):
    small, large = sorted((a, b))
    less_used, more_used = sorted((x, y))
    result = tax_free_lump_sum(large, less_used, TODAY)
    lump, allowance = result.figure("tax_free_lump_sum").value, result.figure("lump_sum_allowance").value
    assert 0 <= lump <= large * 0.25 + 0.005
    assert lump <= max(0.0, allowance - less_used) + 0.005
    # Each figure is rounded to the cent on its own, so their sum can be a cent out.
    assert abs(lump + result.figure("taxable_remainder").value - large) <= 0.0101
    assert tax_free_lump_sum(small, less_used, TODAY).figure("tax_free_lump_sum").value <= lump
    assert tax_free_lump_sum(large, more_used, TODAY).figure("tax_free_lump_sum").value <= lump


@PROPERTY
@given(st.floats(0, 1_000_000, allow_nan=False), st.floats(0, 1_000_000, allow_nan=False), st.floats(0, 1_000_000, allow_nan=False),
       st.sampled_from([LAST_YEAR, TODAY]))
def test_annual_allowance_is_whole_pounds_between_10000_and_60000_and_never_rises_with_income(threshold, a, b, when):
    low, high = sorted((a, b))
    first = annual_allowance(threshold, low, on_date=when).figure("annual_allowance").value
    second = annual_allowance(threshold, high, on_date=when).figure("annual_allowance").value
    for allowance in (first, second):
        assert 10_000 <= allowance <= 60_000
        assert allowance == int(allowance)  # FA 2004 s228ZA(2): the reduction is rounded down to a multiple of £1
    assert second <= first


@PROPERTY
@given(st.integers(100, 100_000), st.integers(1, 45), st.sampled_from([0.0, 0.5]), st.floats(0, 0.08, allow_nan=False),
       st.integers(5, 40))
def test_drawdown_with_no_return_lasts_pot_over_withdrawal_and_the_solved_withdrawal_lasts_the_horizon(withdrawal, whole, part, annual_return, horizon):
    pot = withdrawal * (whole + part)
    lasting = drawdown_sustainability(pot, withdrawal, annual_return=0.0, on_date=TODAY).figure("years_lasting").value
    if whole + part <= 40:
        assert lasting == whole + part
    else:
        assert lasting == "more than 40"
    solved = drawdown_sustainability(pot, annual_return=annual_return, horizon_years=horizon, on_date=TODAY)
    assert solved.figure("years_lasting").value == horizon
    assert abs(solved.figure("balance_at_horizon").value) <= 0.01
    # Withdrawing what the solver says is sustainable never lasts less than the horizon at a higher return.
    assert drawdown_sustainability(pot, solved.figure("sustainable_withdrawal").value, annual_return=annual_return + 0.01,
                                   horizon_years=horizon, on_date=TODAY).figure("years_lasting").value == f"more than {horizon}"


OFFICIAL_EXAMPLES = {
    "uk_state_pension_age": [test_state_pension_age_67_to_68, test_state_pension_age_66_to_67, test_state_pension_age_65_to_66_set_dates],
    "uk_new_state_pension": [test_new_state_pension_pro_rata],
    "uk_pension_access_age": [test_pension_access_age],
    "uk_tax_free_lump_sum": [test_tax_free_lump_sum],
    "uk_annual_allowance": [test_annual_allowance_taper, test_annual_allowance_taper_rounds_the_reduction_down_to_whole_pounds],
    "uk_drawdown_income_tax": [test_drawdown_income_tax, test_drawdown_income_tax_gov_uk_worked_example],
    "uk_drawdown_sustainability": [test_drawdown_sustainability],
}
PROPERTY_TESTS = {
    "uk_state_pension_age": [test_later_birth_never_gives_earlier_state_pension_age],
    "uk_new_state_pension": [test_more_qualifying_years_never_pay_less],
    "uk_pension_access_age": [test_later_birth_never_gives_earlier_pension_access_and_a_pause_always_has_length],
    "uk_tax_free_lump_sum": [test_tax_free_lump_sum_is_at_most_a_quarter_and_at_most_the_allowance],
    "uk_annual_allowance": [test_annual_allowance_is_whole_pounds_between_10000_and_60000_and_never_rises_with_income],
    "uk_drawdown_income_tax": [test_more_drawdown_never_less_tax_and_never_over_60_percent_marginal],
    "uk_drawdown_sustainability": [test_larger_withdrawal_never_lasts_longer,
                                   test_drawdown_with_no_return_lasts_pot_over_withdrawal_and_the_solved_withdrawal_lasts_the_horizon],
}


def test_minimum_pension_age_asked_after_april_2027_is_answered_with_a_notice():
    # Refused before (no rules after 5 April 2027); the 55-to-57 rule is in the last loaded table, so the answer
    # uses it and says the 2027-28 figures are not loaded yet.
    result = pension_access_age(dt.date(1973, 6, 1), dt.date(2027, 5, 1))  # 55 after 6 April 2028: 57 applies
    assert result.figure("normal_minimum_pension_age").value == 57
    assert result.figure("earliest_access_date").value == "2030-06-01"
    assert result.notices == ["The 2027-28 figures are not loaded yet; these are the 2026-27 figures."]


# --- income tax (England, Wales and NI, and Scotland), UFPLS, State Pension deferral (issue 13) ------------------

from pension_advisor.tools.uk_deferral import state_pension_deferral  # noqa: E402
from pension_advisor.tools.uk_tax import ufpls_tax, uk_income_tax  # noqa: E402

FIRST_DAY_2026_27, LAST_DAY_2025_26 = dt.date(2026, 4, 6), dt.date(2026, 4, 5)


# GOV.UK's own worked example (rest of the UK, bands frozen 2023-24 to 2026-27): £35,000 of taxable income with the
# standard Personal Allowance of £12,570 pays 20% on £22,430 = £4,486. https://www.gov.uk/income-tax-rates/previous-tax-years
# The Personal Allowance goes down by £1 for every £2 over £100,000 https://www.gov.uk/income-tax-rates/income-over-100000
# (£125,140 and over: no allowance, so £125,140 pays 37,700 x 20% + 87,440 x 40% = £42,516).
@pytest.mark.parametrize("when", [LAST_DAY_2025_26, FIRST_DAY_2026_27, TODAY])
def test_uk_income_tax_rest_of_uk_gov_uk_example(when):
    assert uk_income_tax(35_000, on_date=when).figure("income_tax").value == 4_486
    top = uk_income_tax(125_140, on_date=when)
    assert top.figure("personal_allowance").value == 0
    assert top.figure("income_tax").value == 42_516
    assert uk_income_tax(12_570, on_date=when).figure("income_tax").value == 0


# Scottish income tax 2025-26 (GOV.UK "Income Tax in Scotland", https://www.gov.uk/scottish-income-tax, and the
# Scottish Government's rates and bands page https://gov.scot/publications/scottish-income-tax-rates-and-bands/pages/proposed-rates-and-bands-2025-to-2026):
# starter 19% £12,571-£15,397, basic 20% to £27,491, intermediate 21% to £43,662, higher 42% to £75,000, advanced 45% to
# £125,140, top 48%. 2026-27 (Scottish Budget, 13 January 2026; ATT, ICAEW and CIOT copies): starter to £16,537, basic to
# £29,526, the rest unchanged. Worked examples published for 2026-27: £16,000 pays £651.70 (Deloitte for the BBC:
# £3,430 x 19%); CIOT's table: £20,000 £1,446, £35,000 £4,501, £50,000 £8,982 (and £31.75 less than 2025-26 from
# £33,493 up); Scottish Parliament (SPICe) table 8: £150,000 pays £59,634.
@pytest.mark.parametrize("income, when, tax", [
    (16_000, FIRST_DAY_2026_27, 651.70),
    (20_000, TODAY, 1_446.33),
    (35_000, TODAY, 4_501.07),
    (50_000, TODAY, 8_982.05),
    (150_000, TODAY, 59_634.35),
    (50_000, LAST_DAY_2025_26, 8_982.05 + 31.75),
    (35_000, LAST_DAY_2025_26, 4_501.07 + 31.75),
    (12_570, TODAY, 0.0),
])
def test_uk_income_tax_scotland(income, when, tax):
    result = uk_income_tax(income, "scotland", when)
    assert result.figure("income_tax").value == pytest.approx(tax, abs=0.005)
    assert result.citations[0].rule == "income_tax_scotland"


def test_uk_income_tax_bands_marginal_rate_and_a_named_year():
    result = uk_income_tax(50_000, "scotland", TODAY)
    assert [f.name for f in result.figures if f.name.startswith("tax_at_")] == [
        "tax_at_starter_rate", "tax_at_basic_rate", "tax_at_intermediate_rate", "tax_at_higher_rate"]
    assert result.figure("marginal_rate").value == 42
    # Inside the taper, 40% becomes 60% (rUK) and 45% becomes 67.5% (Scotland).
    assert uk_income_tax(110_000, on_date=TODAY).figure("marginal_rate").value == 60
    assert uk_income_tax(110_000, "scotland", TODAY).figure("marginal_rate").value == 67.5
    assert uk_income_tax(35_000, "scotland", tax_year="2025-26").figure("income_tax").value == 4_532.82
    with pytest.raises(ToolError) as refused:
        uk_income_tax(35_000, "wales", TODAY)
    assert refused.value.field == "region"


@PROPERTY
@given(st.floats(0, 400_000, allow_nan=False), st.floats(0, 400_000, allow_nan=False),
       st.sampled_from(["england_wales_ni", "scotland"]), st.sampled_from([LAST_YEAR, TODAY]))
def test_uk_income_tax_never_falls_with_income_and_stays_below_the_top_rate(a, b, region, when):
    low, high = sorted((a, b))
    tax_low = uk_income_tax(low, region, when).figure("income_tax").value
    tax_high = uk_income_tax(high, region, when).figure("income_tax").value
    assert 0 <= tax_low <= tax_high + 0.01
    assert tax_high <= high * 0.48 + 0.01
    # The taper makes at most 1.5 times the highest band rate on any extra pound.
    assert tax_high - tax_low <= (high - low) * 0.675 + 0.02


# UFPLS: no official worked example of a UFPLS was found in the reference pages; the two rules it combines are GOV.UK's:
# "You can usually take up to 25% of the amount built up in any pension as a tax-free lump sum. The most you can take is
# £268,275" https://www.gov.uk/tax-on-your-private-pension/lump-sum-allowance and the bands of
# https://www.gov.uk/income-tax-rates. £40,000 with no other income: £10,000 tax-free, £30,000 taxable, tax
# (30,000 - 12,570) x 20% = £3,486. With £20,000 of other income the taxable £30,000 costs 30,270 x 20% + ... : the
# income rises from £20,000 to £50,000, all in the basic band, so £6,000.
def test_ufpls_tax():
    alone = ufpls_tax(40_000, on_date=TODAY)
    assert alone.figure("tax_free_part").value == 10_000
    assert alone.figure("taxable_part").value == 30_000
    assert alone.figure("tax_on_lump_sum").value == 3_486
    assert alone.figure("lump_sum_after_tax").value == 36_514
    assert ufpls_tax(40_000, 20_000, on_date=TODAY).figure("tax_on_lump_sum").value == 6_000
    # Allowance nearly used up: only £1,000 tax-free, £39,000 taxable.
    capped = ufpls_tax(40_000, allowance_used=267_275, on_date=TODAY)
    assert capped.figure("tax_free_part").value == 1_000
    assert capped.figure("allowance_remaining_after").value == 0
    assert capped.figure("tax_on_lump_sum").value == money_round((39_000 - 12_570) * 0.2)
    # Scotland 2026-27 on the same £30,000 taxable part: the CIOT table's £30,000 row is £3,451 (SPICe table 8).
    assert ufpls_tax(40_000, region="scotland", on_date=TODAY).figure("tax_on_lump_sum").value == pytest.approx(3_451, abs=0.5)


def money_round(x: float) -> float:
    return round(x + 1e-9, 2)


@PROPERTY
@given(st.floats(0, 2_000_000, allow_nan=False), st.floats(0, 2_000_000, allow_nan=False), st.floats(0, 200_000, allow_nan=False),
       st.floats(0, 300_000, allow_nan=False), st.sampled_from(["england_wales_ni", "scotland"]))
def test_ufpls_tax_free_part_is_at_most_a_quarter_and_tax_never_falls_with_the_lump_sum(a, b, other, used, region):
    low, high = sorted((a, b))
    small, large = ufpls_tax(low, other, used, region, TODAY), ufpls_tax(high, other, used, region, TODAY)
    for amount, result in ((low, small), (high, large)):
        free = result.figure("tax_free_part").value
        assert free <= amount * 0.25 + 0.01 and free <= max(0.0, 268_275 - used) + 0.01
        assert abs(free + result.figure("taxable_part").value - amount) <= 0.0101
        assert 0 <= result.figure("lump_sum_after_tax").value <= amount + 0.01
    assert small.figure("tax_on_lump_sum").value <= large.figure("tax_on_lump_sum").value + 0.01


# Deferral: "Your State Pension increases by the equivalent of 1% for every 9 weeks you defer ... as long as you defer for
# at least 9 weeks" (State Pension age on or after 6 April 2016); before then "1% for every 5 weeks ... at least 5 weeks",
# with GOV.UK's example £169.50 a week deferred 52 weeks: an extra £17.62 a week. https://www.gov.uk/deferring-state-pension/what-you-get
# nidirect's example: £168.60 a week deferred 52 weeks: an extra £9.74. https://www.nidirect.gov.uk/articles/deferring-state-pension-and-what-you-will-get
# GOV.UK's earlier page: £115.95 (basic State Pension) deferred a year: £12.05 a week. https://www.gov.uk/deferring-state-pension
# (GOV.UK's current example says £221.20 deferred 52 weeks gives "£12.82"; 52/9 of 1% of £221.20 is £12.78, which is
# what the stated rule gives, so the rule is followed.)
def test_state_pension_deferral_official_examples():
    assert state_pension_deferral(52, 168.60, on_date=TODAY).figure("extra_weekly").value == 9.74
    assert state_pension_deferral(52, 221.20, on_date=TODAY).figure("extra_weekly").value == 12.78
    before_2016 = dt.date(2015, 6, 1)
    assert state_pension_deferral(52, 169.50, state_pension_age_date=before_2016, on_date=TODAY).figure("extra_weekly").value == 17.62
    assert state_pension_deferral(52, 115.95, state_pension_age_date=before_2016, on_date=TODAY).figure("extra_weekly").value == 12.05
    # Minimum weeks, at the boundary: 8 weeks earn nothing under the new rules, 9 weeks earn 1%.
    assert state_pension_deferral(8, 230.25, on_date=TODAY).figure("extra_weekly").value == 0
    assert state_pension_deferral(9, 230.25, on_date=TODAY).figure("extra_weekly").value == 2.30
    assert state_pension_deferral(4, 169.50, state_pension_age_date=before_2016, on_date=TODAY).figure("extra_weekly").value == 0
    assert state_pension_deferral(5, 169.50, state_pension_age_date=before_2016, on_date=TODAY).figure("extra_weekly").value == 1.69
    # State Pension age on 6 April 2016 itself is under the new rules; the day before, the old.
    assert state_pension_deferral(52, 100, state_pension_age_date=dt.date(2016, 4, 6), on_date=TODAY).figure("increase_percent").value == 5.7778
    assert state_pension_deferral(52, 100, state_pension_age_date=dt.date(2016, 4, 5), on_date=TODAY).figure("increase_percent").value == 10.4


def test_state_pension_deferral_defaults_and_refusals():
    # No weekly amount: the full new State Pension in force (2026-27: £241.30), and 52 weeks by default.
    result = state_pension_deferral(date_of_birth=dt.date(1960, 5, 1), on_date=TODAY)
    assert result.figure("weekly_pension_before").value == 241.30
    assert result.figure("extra_weekly").value == 13.94
    assert {c.rule for c in result.citations} == {"state_pension_deferral", "new_state_pension_full_weekly"}
    # With the member's qualifying years instead: 26 years is 26/35 of £241.30 = £179.25 a week, +£10.35 for 52 weeks.
    own = state_pension_deferral(date_of_birth=dt.date(1960, 5, 1), qualifying_years=26, on_date=TODAY)
    assert own.figure("weekly_pension_before").value == 179.25
    assert own.figure("extra_weekly").value == 10.35
    with pytest.raises(ToolError) as refused:
        state_pension_deferral(52, date_of_birth=dt.date(1950, 5, 1), on_date=TODAY)
    assert refused.value.field == "state_pension_age_date"
    with pytest.raises(ToolError) as refused:
        state_pension_deferral(52, state_pension_age_date=dt.date(2014, 1, 1), on_date=TODAY)
    assert refused.value.field == "weekly_pension"


@PROPERTY
@given(st.integers(0, 520), st.integers(0, 520), st.floats(0, 1_000, allow_nan=False), st.dates(dt.date(1953, 12, 6), dt.date(2000, 1, 1)))
def test_longer_deferral_never_pays_less_and_never_more_than_the_weekly_rule(a, b, weekly, born):
    short, long = sorted((a, b))
    first = state_pension_deferral(short, weekly, born, on_date=TODAY).figure("extra_weekly").value
    second = state_pension_deferral(long, weekly, born, on_date=TODAY).figure("extra_weekly").value
    assert 0 <= first <= second
    assert second <= weekly * long / 900 + 0.001  # born from December 1953: State Pension age after April 2016


OFFICIAL_EXAMPLES.update({
    "uk_income_tax": [test_uk_income_tax_rest_of_uk_gov_uk_example, test_uk_income_tax_scotland],
    "uk_ufpls_tax": [test_ufpls_tax],
    "uk_state_pension_deferral": [test_state_pension_deferral_official_examples],
})
PROPERTY_TESTS.update({
    "uk_income_tax": [test_uk_income_tax_never_falls_with_income_and_stays_below_the_top_rate],
    "uk_ufpls_tax": [test_ufpls_tax_free_part_is_at_most_a_quarter_and_tax_never_falls_with_the_lump_sum],
    "uk_state_pension_deferral": [test_longer_deferral_never_pays_less_and_never_more_than_the_weekly_rule],
})


def test_drawdown_income_tax_in_scotland_uses_the_scottish_bands():
    # Same CIOT/SPICe 2026-27 row as above: £35,000 of income in Scotland pays £4,501.07; in the rest of the UK £4,486.
    scottish = drawdown_income_tax(35_000, 0, TODAY, region="scotland")
    assert scottish.figure("tax_on_drawdown").value == 4_501.07
    assert scottish.citations[0].rule == "income_tax_scotland"
    assert drawdown_income_tax(35_000, 0, TODAY).figure("tax_on_drawdown").value == 4_486


def test_a_question_about_scotland_fills_the_region():
    from pension_advisor.planning.slots import extract_slots

    assert extract_slots("How much income tax will I pay in Scotland?", "UK")["region"] == "scotland"
    assert extract_slots("I'm a Scottish taxpayer: tax on £40,000 drawdown?", "UK")["region"] == "scotland"
    assert "region" not in extract_slots("How much income tax will I pay in Wales?", "UK")
    assert "region" not in extract_slots("I moved from Scotland to Texas: federal tax?", "US")


# 2024-25 (issue 13: tables from 2023-24 where the figures could be found). GOV.UK's deferral page: "You get £221.20 a
# week (the full new State Pension)" in 2024-25 https://www.gov.uk/deferring-state-pension/what-you-get ; Scottish
# bands 2024-25 (starter to £14,876, basic to £26,561, intermediate to £43,662, higher to £75,000, advanced 45% to
# £125,140, top 48%; https://www.gov.uk/scottish-income-tax and published tax tables), worked by hand: £50,000 pays
# 2,306 x 19% + 11,685 x 20% + 17,101 x 21% + 6,338 x 42% = £9,028.31.
def test_2024_25_from_its_first_day_to_its_last():
    first, last_before = dt.date(2024, 4, 6), dt.date(2024, 4, 5)
    assert new_state_pension(35, first).figure("weekly_pension").value == 221.20
    assert new_state_pension(35, dt.date(2025, 4, 5)).figure("weekly_pension").value == 221.20
    assert new_state_pension(35, dt.date(2025, 4, 6)).figure("weekly_pension").value == 230.25
    assert state_pension_deferral(on_date=first).figure("extra_weekly").value == 12.78
    assert uk_income_tax(50_000, "scotland", first).figure("income_tax").value == 9_028.31
    assert uk_income_tax(35_000, on_date=first).figure("income_tax").value == 4_486
    assert new_state_pension(35, last_before).figure("weekly_pension").value == 203.85  # the 2023-24 rate


# 2023-24: GOV.UK "Income Tax in Scotland: 2023 to 2024 tax year" https://www.gov.uk/scottish-income-tax/2023-to-2024-tax-year
# (starter 19% to £14,732, basic 20% to £25,688, intermediate 21% to £43,662, higher 42% to £125,140, top 47%), worked
# by hand: £50,000 pays 2,162 x 19% + 10,956 x 20% + 17,974 x 21% + 6,338 x 42% = £9,038.48; £150,000 (no Personal
# Allowance) pays 2,162 x 19% + 10,956 x 20% + 17,974 x 21% + 94,048 x 42% + 24,860 x 47% = £57,560.88. The Lump Sum
# Allowance only starts on 6 April 2024, so a 2023-24 lump sum is refused by name.
def test_2023_24_scottish_bands_and_the_lump_sum_refused_before_the_allowance():
    day = dt.date(2023, 7, 1)
    fifty = uk_income_tax(50_000, "scotland", day)
    assert fifty.figure("income_tax").value == 9_038.48
    top = uk_income_tax(150_000, "scotland", day)
    assert top.figure("income_tax").value == 57_560.88
    assert top.figure("tax_at_top_rate").value == 11_684.20 and "tax_at_advanced_rate" not in {f.name for f in top.figures}
    assert new_state_pension(35, dt.date(2024, 4, 5)).figure("weekly_pension").value == 203.85
    with pytest.raises(MissingFigure) as refused:
        ufpls_tax(40_000, on_date=dt.date(2024, 4, 5))
    assert refused.value.figure == "tax_free_lump_sum"
    assert ufpls_tax(40_000, on_date=dt.date(2024, 4, 6)).figure("tax_free_part").value == 10_000

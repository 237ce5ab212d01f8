import datetime as dt

import pytest

from pension_advisor.planning.slots import extract_slots


@pytest.mark.parametrize("question, country, expected", [
    ("If I claim Social Security at 64 and 6 months?", "US", {"claim_age_years": 64, "claim_age_months": 6}),
    ("My salary is $95,000; what SG is paid in 2025-26?", "AU", {"salary": 95000.0, "on_date": dt.date(2025, 7, 1)}),
    ("I have 28 qualifying years, tax year 2025/26", "UK", {"years": 28, "on_date": dt.date(2025, 4, 6)}),
    ("What is my 401(k) limit for 2025?", "US", {"on_date": dt.date(2025, 1, 1)}),
    ("super caps in 2027", "AU", {"on_date": dt.date(2026, 7, 1)}),  # ATO income year named by its end
    # India's assessment year 2026-27 taxes FY 2025-26's income (it was read as FY 2026-27).
    ("How much TDS on my PF withdrawal for AY 2026-27?", "IN", {"on_date": dt.date(2025, 4, 1)}),
    ("EPF interest tax, assessment year 2026-27", "IN", {"on_date": dt.date(2025, 4, 1)}),
    ("EPF interest tax for A.Y. 2026-27", "IN", {"on_date": dt.date(2025, 4, 1)}),
    ("EPF interest tax for FY 2026-27", "IN", {"on_date": dt.date(2026, 4, 1)}),
    ("born 12 March 1962, what is my preservation age", "AU", {"date_of_birth": dt.date(1962, 3, 12)}),
    ("my basic wage is ₹25,000 a month", "IN", {"amount": 25000.0, "salary": 25000.0}),
    ("I have £2.5m saved", "UK", {"amount": 2_500_000.0}),
    ("I'm 58, can I retire?", "AU", {"age": 58}),
    ("How much super will I have when I retire at 65?", "AU", {"target_age": 65, "age": None}),
    ("Can I withdraw $50,000 now at 48?", "AU", {"age": 48, "target_age": None, "amount": 50_000.0}),
    ("What if I claim at 70?", "US", {"claim_age_years": 70, "target_age": None, "age": None}),
    ("I want to quit my job at 55 and use my 401k", "US", {"leave_age": 55, "target_age": 55, "amount": None}),
    ("how much tax on 50k", "AU", {"amount": 50_000.0}),
    ("5 lakh from my PF", "IN", {"amount": 500_000.0}),
    ("project it at a 7% return with fees of 0.5%", "AU", {"annual_return": 0.07, "annual_fee": 0.005}),
])
def test_slots(question, country, expected):
    slots = extract_slots(question, country)
    assert {k: slots.get(k) for k in expected} == expected


def test_no_slots_in_a_plain_question():
    assert extract_slots("When can I access my super?", "AU") == {}

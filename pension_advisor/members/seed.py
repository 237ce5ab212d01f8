"""Synthetic members: deterministic (fixed seed) so tests and demos see the same records everywhere.

Every name here (people, employers, funds, plans) is invented; none is a real fund's brand. The account details
(employer, scheme, contributions, beneficiaries) come from a second random stream, so adding them left the
original fields (birth dates, balances...) exactly as they were.
"""

from __future__ import annotations

import datetime as dt
import random

from .model import Member

MEMBERS_PER_COUNTRY = 12

_NAMES = {
    "AU": ["Olivia Harte", "Jack Brennan", "Mia Kowalczyk", "Noah Tran", "Charlotte Ng", "William Doyle",
           "Ava Rossi", "Liam Papadopoulos", "Isla McKenzie", "Thomas Nguyen", "Grace O'Brien", "Henry Walsh"],
    "US": ["Emma Johnson", "Liam Garcia", "Sophia Martinez", "Mason Brown", "Isabella Davis", "Ethan Wilson",
           "Amelia Lopez", "Lucas Anderson", "Harper Thomas", "Benjamin Moore", "Evelyn Jackson", "James White"],
    "UK": ["Amelia Clarke", "Oliver Hughes", "Poppy Evans", "George Patel", "Freya Davies", "Harry Ahmed",
           "Ivy Robinson", "Alfie Wright", "Florence Khan", "Arthur Green", "Rosie Hall", "Theo Wood"],
    "IN": ["Aarav Sharma", "Ananya Iyer", "Vihaan Reddy", "Diya Nair", "Arjun Mehta", "Saanvi Gupta",
           "Reyansh Das", "Aadhya Kulkarni", "Kabir Singh", "Myra Banerjee", "Ishaan Joshi", "Kiara Pillai"],
}
# (earliest birth year, latest birth year, salary range, pension balance range, other assets range)
_RANGES = {
    "AU": (1956, 1995, (45_000, 180_000), (15_000, 950_000), (0, 1_200_000)),
    "US": (1955, 1994, (38_000, 210_000), (10_000, 1_100_000), (0, 900_000)),
    "UK": (1955, 1992, (24_000, 120_000), (5_000, 650_000), (0, 700_000)),
    "IN": (1966, 1999, (300_000, 3_600_000), (50_000, 6_000_000), (0, 9_000_000)),
}


# Invented employers and funds, per country. A workplace plan is named after its employer.
_EMPLOYERS = {
    "AU": ["Coastline Freight Pty Ltd", "Redgum Health Services", "Bluewren Software Pty Ltd", "Ironbark Civil Works",
           "Saltbush Community Care", "Lyrebird Retail Group"],
    "US": ["Brightwater Logistics Inc.", "Cedar Hollow Medical Group", "Quarry Lane Manufacturing", "Northgate Data Corp.",
           "Silver Maple Schools Cooperative", "Harborlight Foods LLC"],
    "UK": ["Fernside Engineering Ltd", "Kingsmoor Care Homes", "Tillbrook Digital Ltd", "Ashcombe Retail plc",
           "Marlow Vale Transport Ltd", "Greyfriars Print Works"],
    "IN": ["Sahyadri Textiles Pvt Ltd", "Deccan Gridworks Ltd", "Kaveri Agro Foods Pvt Ltd", "Vindhya Software Services",
           "Narmada Auto Components Ltd", "Coromandel Logistics Pvt Ltd"],
}
_AU_FUNDS = ["Kestrel Ridge Super", "Tallowwood Retirement Fund", "Mulga Plains Superannuation"]
_UK_MASTER_TRUSTS = ["Lanternhill Master Trust", "Oakhaven Workplace Pension"]
_BENEFICIARIES = {  # relationships the record may hold, per country: (the first nominee, any further ones)
    "AU": (["spouse", "de facto partner"], ["child", "child", "legal personal representative"]),
    "US": (["spouse"], ["child", "child", "sibling"]),
    "UK": (["spouse", "civil partner"], ["child", "child", "parent"]),
    "IN": (["spouse"], ["child", "parent"]),
}
# When each country's records were last updated (a quarter's or month's end before the demo date).
RECORD_AS_OF = {"AU": dt.date(2026, 9, 30), "US": dt.date(2026, 9, 30), "UK": dt.date(2026, 10, 31),
                "IN": dt.date(2026, 10, 31)}


def _account(rng: random.Random, country: str, status: str, salary: float, monthly_basic_wage: float | None) -> dict:
    """The synthetic account details of one member: employer, scheme, last year's contributions, beneficiaries.
    Contributions are what this record says was paid (plausible shares of salary), not a rule about what must be."""
    employed = status == "employed"
    employer = rng.choice(_EMPLOYERS[country]) if employed else None
    # Self-employed members pay in outside payroll: this record does not know how much (None), except in AU where
    # the fund receives personal contributions directly. Retired and unemployed members paid nothing in.
    member_paid: float | None = None if status == "self_employed" else 0.0
    employer_paid: float | None = None
    if country == "AU":
        scheme = rng.choice(_AU_FUNDS)
        account_type = "account-based pension" if status == "retired" else "accumulation"
        if employed:
            employer_paid = round(salary * rng.choice([0.12, 0.12, 0.125, 0.15]), -1)
        if status in ("employed", "self_employed"):
            member_paid = float(rng.choice([0, 0, 2_000, 5_000, 10_000]))
    elif country == "US":
        plan_sponsor = employer or rng.choice(_EMPLOYERS[country])  # a former employer's plan after leaving work
        scheme = f"{plan_sponsor.split(' Inc.')[0].split(' LLC')[0].split(' Corp.')[0]} 401(k) Savings Plan"
        account_type = "401(k)"
        if employed:
            member_paid = round(salary * rng.choice([0.03, 0.05, 0.06, 0.08, 0.10]), -1)
            employer_paid = round(min(member_paid, salary * rng.choice([0.03, 0.04, 0.05])), -1)
    elif country == "UK":
        scheme = rng.choice(_UK_MASTER_TRUSTS)
        account_type = "defined contribution"
        if employed:
            member_paid = round(salary * rng.choice([0.05, 0.05, 0.06, 0.08]), -1)
            employer_paid = round(salary * rng.choice([0.03, 0.04, 0.05, 0.08]), -1)
    else:
        scheme = "Employees' Provident Fund (EPFO)"
        account_type = "EPF"
        if employed:  # 12% of basic wage + DA each side, as this synthetic payroll paid it
            member_paid = employer_paid = round((monthly_basic_wage or 0) * 12 * 0.12, -1)
    shares = {1: [100.0], 2: [50.0, 50.0], 3: [50.0, 25.0, 25.0]}[rng.choice([1, 1, 2, 3])] if rng.random() < 0.8 else []
    first, others = _BENEFICIARIES[country]
    beneficiaries = [{"relationship": rng.choice(first if i == 0 else others), "share_percent": share}
                     for i, share in enumerate(shares)]
    return {"employer": employer, "scheme": scheme, "account_type": account_type,
            "employee_contribution_annual": float(member_paid) if member_paid is not None else None,
            "employer_contribution_annual": float(employer_paid) if employer_paid is not None else None,
            "beneficiaries": beneficiaries, "record_as_of": RECORD_AS_OF[country]}


def synthetic_members(seed: int = 2026) -> list[Member]:
    rng = random.Random(seed)
    accounts = random.Random(f"{seed}:accounts")
    members = []
    for country, names in _NAMES.items():
        first, last, salary, balance, assets = _RANGES[country]
        for i, name in enumerate(names, start=1):
            born = dt.date(rng.randint(first, last), rng.randint(1, 12), rng.randint(1, 28))
            retired = born.year < 1961 and rng.random() < 0.6
            years_working = max(0, 2026 - born.year - 22 - rng.randint(0, 6))
            annual_salary = 0.0 if retired else float(round(rng.uniform(*salary), -2))
            extra: dict = {}
            if country == "UK":
                extra["ni_qualifying_years"] = min(years_working, rng.randint(6, 45))
            elif country == "US":
                extra["ss_pia_monthly"] = round(rng.uniform(1_100, 4_000), 1)
                extra["ira_balance"] = float(round(rng.uniform(0, 250_000), -2))
            elif country == "IN":
                extra["epf_service_years"] = min(years_working, rng.randint(2, 34))
                extra["monthly_basic_wage"] = float(round(annual_salary * 0.4 / 12, -2))
                extra["nps_balance"] = float(round(rng.uniform(0, 2_500_000), -3))
            status = "retired" if retired else rng.choice(["employed", "employed", "self_employed"])
            members.append(
                Member(
                    member_id=f"{country}-{i:03d}",
                    name=name,
                    date_of_birth=born,
                    country=country,
                    employment_status=status,
                    marital_status=rng.choice(["single", "couple"]),
                    homeowner=rng.random() < 0.65,
                    annual_salary=annual_salary,
                    pension_balance=float(round(rng.uniform(*balance), -2)),
                    other_assets=float(round(rng.uniform(*assets), -3)),
                    contribution_years=years_working,
                    **extra,
                    **_account(accounts, country, status, annual_salary, extra.get("monthly_basic_wage")),
                )
            )
    return members

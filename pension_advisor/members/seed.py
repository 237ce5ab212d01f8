"""Synthetic members: deterministic (fixed seed) so tests and demos see the same records everywhere."""

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


def synthetic_members(seed: int = 2026) -> list[Member]:
    rng = random.Random(seed)
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
            members.append(
                Member(
                    member_id=f"{country}-{i:03d}",
                    name=name,
                    date_of_birth=born,
                    country=country,
                    employment_status="retired" if retired else rng.choice(["employed", "employed", "self_employed"]),
                    marital_status=rng.choice(["single", "couple"]),
                    homeowner=rng.random() < 0.65,
                    annual_salary=annual_salary,
                    pension_balance=float(round(rng.uniform(*balance), -2)),
                    other_assets=float(round(rng.uniform(*assets), -3)),
                    contribution_years=years_working,
                    **extra,
                )
            )
    return members

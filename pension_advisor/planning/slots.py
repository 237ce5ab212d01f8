"""Argument extraction for the deterministic planner: ages, amounts, years, claim age, tax year, birth date."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], start=1)}
_MONTH_RE = "|".join(_MONTHS) + "|" + "|".join(m[:3] for m in _MONTHS)
_MULTIPLIER = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "lakh": 1e5, "lakhs": 1e5, "crore": 1e7, "crores": 1e7}
_MONEY = re.compile(
    r"(?:(?:A\$|AU\$|US\$|\$|£|₹|Rs\.?|INR|AUD|USD|GBP)\s?(?P<a>\d[\d,]*(?:\.\d+)?)|(?P<b>\d[\d,]*(?:\.\d+)?)\s?(?:dollars|pounds|rupees|AUD|USD|GBP|INR))"
    r"\s?(?P<mult>k|thousand|m|million|lakhs?|crores?)?\b",
    re.IGNORECASE,
)
_SALARY_WORDS = re.compile(r"\b(salary|earn(ing|s)?|wages?|income|paid|pay)\b", re.IGNORECASE)
# Where a tax year starts, by country: a "2025-26" year starts on this month/day of 2025.
_TAX_YEAR_START = {"AU": (7, 1), "UK": (4, 6), "IN": (4, 1), "US": (1, 1)}


def _money(text: str) -> list[tuple[int, float]]:
    out = []
    for m in _MONEY.finditer(text):
        value = float((m.group("a") or m.group("b")).replace(",", ""))
        value *= _MULTIPLIER.get((m.group("mult") or "").lower(), 1)
        out.append((m.start(), value))
    return out


def _tax_year_date(text: str, country: str) -> dt.date | None:
    month, day = _TAX_YEAR_START[country]
    if m := re.search(r"\b(A\.?Y\.?\s?|assessment\s+year\s+)?(?:FY\s?)?(20\d\d)\s?[-/–]\s?(\d\d)\b", text, re.IGNORECASE):
        start = int(m.group(2))
        if (start + 1) % 100 == int(m.group(3)):
            # An assessment year ("AY 2026-27") assesses the income of the financial year before it (FY 2025-26).
            start -= 1 if m.group(1) else 0
            return dt.date(start, month, day) if country != "US" else dt.date(start, 1, 1)
    if m := re.search(r"\b(?:in|for|during|tax year|income year|financial year)\s+(20\d\d)\b", text, re.IGNORECASE):
        year = int(m.group(1))
        if country == "AU":  # the ATO names an income year by the year it ends: "2027" is 2026-27
            return dt.date(year - 1, 7, 1)
        return dt.date(year, month, day)
    return None


def _date_of_birth(text: str) -> dt.date | None:
    if m := re.search(r"\bborn\s+(?:on\s+)?(\d{4})-(\d{2})-(\d{2})\b", text, re.IGNORECASE):
        return _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if m := re.search(rf"\bborn\s+(?:on\s+)?(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_RE})\w*,?\s+(\d{{4}})\b", text, re.IGNORECASE):
        return _safe_date(int(m.group(3)), _month(m.group(2)), int(m.group(1)))
    if m := re.search(rf"\bborn\s+(?:on\s+)?({_MONTH_RE})\w*\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", text, re.IGNORECASE):
        return _safe_date(int(m.group(3)), _month(m.group(1)), int(m.group(2)))
    return None


def _month(name: str) -> int:
    name = name.lower()
    return _MONTHS.get(name) or next(v for k, v in _MONTHS.items() if k.startswith(name[:3]))


def _safe_date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


# A bare amount with a multiplier ("50k", "5 lakh", "2.5m") is money even without a currency sign.
_BARE_MONEY = re.compile(r"(?<![\w.$£₹])(\d+(?:\.\d+)?)\s?(k|thousand|m|million|lakhs?|crores?)\b", re.IGNORECASE)
# Ages that are the member's own now ("I'm 48", "aged 48", "now at 48"), not a future or claiming age.
_CURRENT_AGE = re.compile(r"\b(?:aged?|I'?m|I am|turning|turned|now at|currently)\s+(\d{2})\b(?!\s*(?:%|years? of|qualifying|k\b))",
                          re.IGNORECASE)
# The age a plan is about: retiring, stopping work, leaving a job, drawing money ("retire at 65", "at 60 when I stop").
_RETIRE_WORDS = r"(?:retire|retiring|retirement|stop work(?:ing)?|finish work(?:ing)?|leave work(?:ing)?|quit|leave|leaving|separation)"
_TARGET_AGE = re.compile(rf"\b{_RETIRE_WORDS}\b[^.?!\d]{{0,25}}?\b(?:at|by|when I'?m|at age|aged?)\s+(\d{{2}})\b"
                         rf"|\b(?:at|by) (?:age )?(\d{{2}})\b[^.?!\d]{{0,20}}?\b{_RETIRE_WORDS}\b", re.IGNORECASE)
_LEAVE_AGE = re.compile(r"\b(?:quit|leave|leaving|left|separation|stop working|retire|retiring)\b[^.?!\d]{0,25}?\b(?:at|in the year I turn|aged?)\s+(\d{2})\b",
                        re.IGNORECASE)
_WHEN_IM = re.compile(r"\bwhen I'?m\s+(\d{2})\b|\bat (?:age )?(\d{2})\b(?!\s*(?:%|k\b))", re.IGNORECASE)
_RETURN = re.compile(r"(\d+(?:\.\d+)?)\s?%\s*(?:a year |p\.?a\.? |per annum |annual |yearly )?(?:return|growth|earnings)"
                     r"|(?:return|growth)s?\s+(?:of\s+)?(\d+(?:\.\d+)?)\s?%", re.IGNORECASE)
_FEE = re.compile(r"(\d+(?:\.\d+)?)\s?%\s*(?:a year |p\.?a\.? )?(?:in )?fees?|fees?\s+(?:of\s+)?(\d+(?:\.\d+)?)\s?%", re.IGNORECASE)


# Plan names that look like amounts ("401k" is not $401,000): blanked out (same length) before amounts are read.
PLAN_NAMES = re.compile(r"\b(?:401|403|457)\s?\(?[kb]\)?", re.IGNORECASE)


def without_plan_names(text: str) -> str:
    return PLAN_NAMES.sub(lambda m: " " * len(m.group(0)), text)


def _bare_money(text: str) -> list[tuple[int, float]]:
    text = without_plan_names(text)
    return [(m.start(), float(m.group(1)) * _MULTIPLIER[m.group(2).lower()]) for m in _BARE_MONEY.finditer(text)]


def extract_slots(question: str, country: str) -> dict[str, Any]:
    """Slots found in the question; absent slots are simply missing from the result.

    Ages: ``age`` is the member's age now ("I'm 58"); ``target_age`` the age a plan is about ("retire at 65",
    "when I'm 65"); ``leave_age`` the age of leaving a job ("quit at 55"); ``claim_age_years``/``_months`` a
    Social Security claiming age. A claiming age is not also read as a target age.
    """
    slots: dict[str, Any] = {}
    money = sorted(_money(question) + [m for m in _bare_money(question) if m[0] not in {s for s, _ in _money(question)}])
    if money:
        slots["amount"] = money[0][1]
        for start, value in money:
            if _SALARY_WORDS.search(question[max(0, start - 40): start + 40]):
                slots["salary"] = value
                break
    claim = re.search(r"\bclaim(?:s|ing|ed)?\b.{0,40}?\b(?:at|age)\s+(\d{2})(?:\s+and\s+(\d{1,2})\s+months?)?", question, re.IGNORECASE)
    if claim:
        slots["claim_age_years"] = int(claim.group(1))
        slots["claim_age_months"] = int(claim.group(2) or 0)
    if m := _CURRENT_AGE.search(question):
        slots["age"] = int(m.group(1))
    if m := _TARGET_AGE.search(question):
        slots["target_age"] = int(m.group(1) or m.group(2))
    elif not claim and (m := _WHEN_IM.search(question)) and int(m.group(1) or m.group(2)) != slots.get("age"):
        slots["target_age"] = int(m.group(1) or m.group(2))
    if m := _LEAVE_AGE.search(question):
        slots["leave_age"] = int(m.group(1))
    if "age" not in slots and not claim and (m := re.search(r"\bat\s+(\d{2})\b(?!\s*(?:%|k\b))", question, re.IGNORECASE)) \
            and "target_age" not in slots:
        slots["age"] = int(m.group(1))
    if m := re.search(r"\b(\d{1,2})\s+(?:qualifying\s+|full\s+|NI\s+|service\s+)?years?\b(?!\s+old)", question, re.IGNORECASE):
        slots["years"] = int(m.group(1))
    if m := _RETURN.search(question):
        slots["annual_return"] = float(m.group(1) or m.group(2)) / 100
    if m := _FEE.search(question):
        slots["annual_fee"] = float(m.group(1) or m.group(2)) / 100
    if on_date := _tax_year_date(question, country):
        slots["on_date"] = on_date
    if born := _date_of_birth(question):
        slots["date_of_birth"] = born
    # UK income tax differs in Scotland: "in Scotland", "Scottish taxpayer" fills the calculators' ``region``.
    if country == "UK" and re.search(r"\bscot(land|tish)\b", question, re.IGNORECASE):
        slots["region"] = "scotland"
    return slots

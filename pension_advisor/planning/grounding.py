"""Arguments a model proposes are checked like an attacker's input (issue 18): each must come from the question's
own words, the member's record or the calculator's documented default. Anything else (an "invented" pot of
4,321,000) is dropped, and the deterministic planner fills that parameter as if the model had said nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pension_advisor.tools.base import age_on
from pension_advisor.tools.registry import ToolSpec

from .slots import extract_slots, without_plan_names

_NUMBER = re.compile(r"\d{1,3}(?:,\d{2,3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_MULTIPLIER = re.compile(r"(\d+(?:\.\d+)?)\s?(k|thousand|m|million|lakhs?|crores?)\b", re.IGNORECASE)
_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "lakh": 1e5, "lakhs": 1e5, "crore": 1e7, "crores": 1e7}


def question_numbers(question: str, country: str) -> set[float]:
    """Every number the question states, as written, scaled ("50k", "5 lakh") and as a ratio ("6%" -> 0.06)."""
    numbers = {float(n.replace(",", "")) for n in _NUMBER.findall(question)}
    amounts = without_plan_names(question)  # "401k" states no amount
    numbers |= {float(m.group(1)) * _SCALE[m.group(2).lower()] for m in _MULTIPLIER.finditer(amounts)}
    numbers |= {round(n / 100, 6) for n in numbers}
    numbers |= {float(v) for v in extract_slots(question, country).values() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    return numbers


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(float(a) - float(b)) < 0.005
    if isinstance(a, (dt.date, str)) and isinstance(b, (dt.date, str)):
        return str(a.isoformat() if isinstance(a, dt.date) else a).strip().lower() == \
               str(b.isoformat() if isinstance(b, dt.date) else b).strip().lower()
    return False


def grounded(spec: ToolSpec, name: str, value: Any, question: str, record: dict[str, Any],
             on_date: dt.date | None) -> bool:
    """Whether ``value`` for parameter ``name`` comes from the question, the record or the documented default."""
    fld = spec.args_schema.model_fields.get(name)
    if fld is None:
        return False
    if not fld.is_required() and _same(value, fld.default):
        return True
    if name == "on_date" and on_date is not None and _same(value, on_date):
        return True
    if isinstance(value, bool):  # a yes/no is grounded only by the record field that fills this very parameter
        mapped = spec.member_args.get(name)
        return mapped is not None and record.get(mapped) is value
    if any(_same(value, v) for v in record.values() if not isinstance(v, bool)):
        return True
    if name.endswith("age") and record.get("date_of_birth") and _same(value, age_on(record["date_of_birth"], on_date or dt.date.today())):
        return True  # the member's age, which the model sees in place of the birth date
    if isinstance(value, (int, float)):
        return any(_same(value, n) for n in question_numbers(question, record["country"]))
    if isinstance(value, (str, dt.date)):
        slots = extract_slots(question, record["country"])
        if any(_same(value, v) for v in slots.values() if isinstance(v, dt.date)):
            return True
        word = re.sub(r"[^a-z0-9]", "", str(value).lower())
        return bool(word) and word in re.sub(r"[^a-z0-9]", "", question.lower())
    return False


def ground(spec: ToolSpec, proposed: dict[str, Any], question: str, record: dict[str, Any],
           on_date: dt.date | None) -> tuple[dict[str, Any], list[str]]:
    """The grounded part of ``proposed`` and the names of the parameters dropped."""
    kept, dropped = {}, []
    for name, value in proposed.items():
        if value is None:
            continue
        if grounded(spec, name, value, question, record, on_date):
            kept[name] = value
        else:
            dropped.append(name)
    return kept, dropped

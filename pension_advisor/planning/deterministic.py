"""The deterministic planner: intent rules pick the tools, slots and the member record fill their arguments."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pension_advisor.tools.registry import ToolSpec

from .slots import extract_slots


@dataclass
class Plan:
    calls: list[dict[str, Any]] = field(default_factory=list)  # {tool, args, source}
    missing: dict[str, list[str]] = field(default_factory=dict)  # tool -> argument names nobody could fill


def fill_args(spec: ToolSpec, slots: dict[str, Any], member: dict[str, Any], given: dict[str, Any] | None = None) -> tuple[dict, list[str]]:
    """Arguments for ``spec``: ``given`` first (an LLM's choice), then question slots, then the member record."""
    args, missing = dict(given or {}), []
    for name, fld in spec.args_schema.model_fields.items():
        if name in args and args[name] is not None:
            continue
        slot = spec.question_args.get(name)
        if slot and slot in slots:
            args[name] = slots[slot]
        elif (field_name := spec.member_args.get(name)) and member.get(field_name) is not None:
            args[name] = member[field_name]
        elif fld.is_required():
            missing.append(name)
    return args, missing


def plan(question: str, member: dict[str, Any], specs: list[ToolSpec], on_date=None) -> Plan:
    """``member`` is the full record (the planner runs in-process; nothing here reaches a model)."""
    slots = extract_slots(question, member["country"])
    if on_date and "on_date" not in slots:
        slots["on_date"] = on_date
    result = Plan()
    for spec in specs:
        if spec.country != member["country"] or not spec.matches(question):
            continue
        args, missing = fill_args(spec, slots, member)
        if missing:
            result.missing[spec.name] = missing
        else:
            result.calls.append({"tool": spec.name, "args": args, "source": "planner"})
    return result

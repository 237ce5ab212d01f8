"""The deterministic planner: what a question asks for, read from its own words.

A question may ask about the member's record (``record_fields``), for calculations (``calls``, with arguments from
the question's words, the member's record and the calculators' documented defaults, in that order) and for the
rules explained (``retrieved``, by the retriever passed in). Nothing here reaches a model; ``member`` is the full
record (the planner runs in-process).

Order of reading:
1. the question itself;
2. a follow-up ("what if I claim at 70?", "and the tax on that?", or a bare answer to a clarifying question)
   with the thread's previous question after it, so the follow-up's own figures win;
3. a question asking for help with retirement in general ("can you help me plan my retirement?", "am I on
   track?") gets an overview (cues.OVERVIEW).
A clarifying question is asked only when a calculation the question needs lacks a figure nobody can supply.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from pension_advisor.tools.registry import ToolSpec

from .cues import (COMPANIONS, DEFINITION, DOMAIN, OVERVIEW, OVERVIEW_RECORD, PARAMETER_SLOTS, PERSONAL, VAGUE,
                   WHERE_TO_ASK, asks_for, focus)
from .phrases import normalise
from .record import record_fields
from .slots import extract_slots

Retriever = Callable[[str], list[dict[str, Any]]]
BESIDE_FIGURES = 1.5  # least retrieval score for a second or third rule explained beside calculated figures
CONTINUATION = re.compile(r"^\s*(and|what about|how about|what if|same)\b", re.IGNORECASE)
OTHER_SCHEME = re.compile(r"\b(final salary|defined benefit|db scheme|nhs|teachers'? pension|civil service|local government pension|"
                          r"armed forces|police pension|military pension|federal pension|state employees'? pension)\b", re.IGNORECASE)
ASKS_VALUE = re.compile(r"\b(how much|worth|value|balance)\b[^?]*\bmy\b|\bmy\b[^?]*\b(worth|value|balance)\b", re.IGNORECASE)
FOLLOW_UP = re.compile(r"^\s*(and|what if|what about|how about|then|so|ok|okay|but|instead|also|same)\b|\b(that|instead|then|it)\s*\??\s*$",
                       re.IGNORECASE)


@dataclass
class Plan:
    calls: list[dict[str, Any]] = field(default_factory=list)       # {tool, args, source[, focus]}
    record_fields: list[str] = field(default_factory=list)
    retrieved: list[dict[str, Any]] = field(default_factory=list)
    missing: dict[str, list[str]] = field(default_factory=dict)     # tool -> parameters nobody could fill
    planned_from: str = ""                                          # the text the plan was read from
    overview: bool = False                                          # a vague question given the overview
    other_scheme: str | None = None                                 # a pension the record does not hold, asked the value of

    @property
    def empty(self) -> bool:
        return not (self.calls or self.record_fields or self.retrieved)


def slot_for(spec: ToolSpec, parameter: str, slots: dict[str, Any]) -> Any:
    """The question's value for ``parameter`` of ``spec``, or None: the calculator's own question_args first, then
    the planner's conventions (PARAMETER_SLOTS), then a slot of the parameter's own name."""
    for slot in (spec.question_args.get(parameter), *PARAMETER_SLOTS.get(parameter, ()), parameter):
        if slot and slot in slots:
            return slots[slot]
    return None


def fill_args(spec: ToolSpec, slots: dict[str, Any], member: dict[str, Any], given: dict[str, Any] | None = None) -> tuple[dict, list[str]]:
    """Arguments for ``spec``: ``given`` first (grounded LLM choices), then question slots, then the member record;
    what is left keeps the calculator's documented default. Returns the arguments and the required ones missing."""
    args, missing = dict(given or {}), []
    for name, fld in spec.args_schema.model_fields.items():
        if args.get(name) is not None:
            continue
        args.pop(name, None)
        if (value := slot_for(spec, name, slots)) is not None:
            args[name] = value
        elif (record_field := spec.member_args.get(name)) and member.get(record_field) is not None:
            args[name] = member[record_field]
        elif fld.is_required():
            missing.append(name)
    return args, missing


def _read(text: str, member: dict[str, Any], specs: list[ToolSpec], on_date: dt.date | None, retrieve: Retriever | None,
          reply: float | None = None) -> Plan:
    slots = extract_slots(text, member["country"])
    if on_date and "on_date" not in slots:
        slots["on_date"] = on_date
    result = Plan(record_fields=record_fields(text), planned_from=text)
    wanted = [s for s in specs if s.country == member["country"] and asks_for(s, text)]
    by_name = {s.name: s for s in specs}
    for companion in [c for s in wanted for c in COMPANIONS.get(s.name, ()) if c in by_name]:
        if by_name[companion] not in wanted:
            wanted.append(by_name[companion])
    for spec in wanted:
        _add_call(result, spec, slots, member, text, reply=reply)
    result.retrieved = retrieve(text) if retrieve else []
    if result.calls and result.retrieved and DEFINITION.search(text) and not PERSONAL.search(text):
        result.calls, result.missing = [], {}  # a definition: the rule explained, not the member's figure
    if result.calls:
        # Beside calculated figures the best rule is shown, and others only when the question is clearly about them:
        # passages that merely share a word ("salary", "withdraw") would bury the answer under rules nobody asked about.
        result.retrieved = result.retrieved[:1] + [p for p in result.retrieved[1:] if p["score"] >= BESIDE_FIGURES]
    return result


def _add_call(result: Plan, spec: ToolSpec, slots: dict, member: dict, text: str, reply: float | None = None) -> None:
    """``reply``: an amount the member gave in answer to a clarifying question; it fills the one figure missing."""
    args, missing = fill_args(spec, slots, member)
    if reply is not None and len(missing) == 1 and spec.args_schema.model_fields[missing[0]].annotation in (float, int):
        args[missing[0]], missing = reply, []
    if missing:
        result.missing[spec.name] = missing
        return
    call = {"tool": spec.name, "args": args, "source": "planner"}
    if asked := focus(spec.name, text):
        call["focus"] = asked
    result.calls.append(call)


def plan(question: str, member: dict[str, Any], specs: list[ToolSpec], on_date: dt.date | None = None,
         previous: str | None = None, retrieve: Retriever | None = None) -> Plan:
    """Read ``question`` (``previous``: the thread's last question, for follow-ups); see the module docstring."""
    text = normalise(question)
    result = _read(text, member, specs, on_date, retrieve)
    before = _read(normalise(previous), member, specs, on_date, None) if previous else None
    if before is not None and _continues(text, result, before):
        # The follow-up's own amount answers a clarifying question the previous turn had to ask.
        reply = extract_slots(text, member["country"]).get("amount") if before.missing and not before.calls else None
        combined = _read(f"{text} {normalise(previous)}", member, specs, on_date, retrieve, reply)
        if not combined.empty or combined.missing:
            result = combined
    asks_nothing = not (result.calls or result.record_fields or result.missing)
    if asks_nothing and previous is None and CONTINUATION.match(text):
        # "And for my wife?" with nothing before it continues a conversation this thread never had: ask, don't guess
        # which rule it meant.
        result.retrieved = []
    if asks_nothing and DOMAIN.search(text) and VAGUE.search(text) and not WHERE_TO_ASK.search(text):
        result = _overview(text, member, specs, on_date, result)
    if not (result.calls or result.record_fields) and (other := OTHER_SCHEME.search(text)) and ASKS_VALUE.search(text):
        # "How much is my NHS pension worth?": the record holds one account, not that one; a rule about it would not
        # say what the member's is worth, so ask for its statement instead of answering another question.
        result.other_scheme = other.group(0)
    return result


def _continues(text: str, result: Plan, previous: Plan) -> bool:
    """Whether ``text`` continues the previous question rather than asking a new one: it asks nothing by itself
    (or only what cannot be calculated without more), it answers a clarifying question with a figure, or it is a
    follow-up ("what if...", "and...") that varies the same calculation."""
    if result.empty or (not result.calls and not result.record_fields and re.search(r"\d", text)):
        return True
    asked = {c["tool"] for c in result.calls} | set(result.missing)
    before = {c["tool"] for c in previous.calls} | set(previous.missing)
    return bool(FOLLOW_UP.search(text)) and not result.record_fields and asked <= before


def _overview(text: str, member: dict, specs: list[ToolSpec], on_date: dt.date | None, found: Plan) -> Plan:
    slots = extract_slots(text, member["country"])
    if on_date and "on_date" not in slots:
        slots["on_date"] = on_date
    result = Plan(record_fields=list(OVERVIEW_RECORD), planned_from=text, overview=True, retrieved=found.retrieved)
    by_name = {s.name: s for s in specs}
    for name in OVERVIEW.get(member["country"], ()):
        if name in by_name:
            _add_call(result, by_name[name], slots, member, text)
    return result

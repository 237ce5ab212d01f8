"""Plan: choose calculator calls and their arguments, or ask the member for what is missing."""

from __future__ import annotations

import datetime as dt
import logging

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import ValidationError

from pension_advisor import prompts
from pension_advisor.graph.state import AdvisorState
from pension_advisor.llm.usage import usage_record
from pension_advisor.members import MemberNotFound
from pension_advisor.planning.deterministic import fill_args, plan as deterministic_plan
from pension_advisor.planning.slots import extract_slots
from pension_advisor.services import Services

log = logging.getLogger(__name__)


def plan(state: AdvisorState, services: Services) -> dict:
    try:
        record = services.members.get(state["member_id"])
    except MemberNotFound:
        return {"status": "member_not_found", "member": None, "plan": [],
                "answer": f"I couldn't find a member record for '{state['member_id']}'. Please check your member id."}
    on_date = dt.date.fromisoformat(state["on_date"]) if state.get("on_date") else dt.date.today()
    member_view = record.view_for_llm(services.pseudonym_salt, on_date)
    full_record = record.model_dump()
    question = state["safe_question"]
    specs = [s for s in services.tools.values() if s.country == record.country]

    calls, usage = _llm_calls(question, member_view, full_record, specs, on_date, services) if services.settings.tools.llm_planner else ([], [])
    planned_from = question
    if not calls:
        found = deterministic_plan(question, full_record, specs, on_date)
        if not found.calls and (turns := state.get("turns")):
            # A follow-up ("what if I claim at 70?", or the detail a clarification asked for) completes the
            # previous question; its own words come first, so its figures win over the earlier ones.
            planned_from = f"{question} {turns[-1]['question']}"
            found = deterministic_plan(planned_from, full_record, specs, on_date)
        calls = found.calls
        if not calls:
            return {"member": member_view, "plan": [], "status": "clarification", "llm_usage": usage,
                    "answer": _clarifying_answer(found.missing, specs, services)}
    for call in calls:  # state must stay JSON: dates travel as ISO strings
        call["args"] = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in call["args"].items()}
    return {"member": member_view, "plan": calls, "llm_usage": usage, "planned_from": planned_from}


def _llm_calls(question, member_view, record, specs, on_date, services: Services) -> tuple[list[dict], list[dict]]:
    """Tool calls from a capable model ([] when there is none or nothing usable), and the call's token usage."""
    if not services.model_calls_tools or not specs:
        return [], []
    by_name = {s.name: s for s in specs}
    try:
        reply = services.tool_caller(tuple(s.name for s in specs)).invoke([
            SystemMessage(prompts.PLANNER_SYSTEM.format(member=member_view)), HumanMessage(question)])
    except Exception as exc:  # a model or endpoint failure must not stop the deterministic planner
        log.warning("LLM planner failed, using the deterministic planner: %s", exc)
        return [], []
    slots = extract_slots(question, record["country"])
    slots.setdefault("on_date", on_date)
    calls = []
    for call in getattr(reply, "tool_calls", None) or []:
        spec = by_name.get(call["name"])
        if spec is None:
            continue
        args, missing = fill_args(spec, slots, record, {k: v for k, v in call["args"].items() if v is not None})
        try:
            spec.args_schema.model_validate(args)
        except ValidationError:
            continue
        if not missing:
            calls.append({"tool": spec.name, "args": args, "source": "llm"})
    return calls, [usage_record("plan", reply)]


def _clarifying_answer(missing: dict[str, list[str]], specs, services: Services) -> str:
    if missing:
        needs = "; ".join(f"{services.tools[t].description.split(':', 1)[-1].strip()} needs your "
                          f"{', '.join(a.replace('_', ' ') for a in args)}" for t, args in missing.items())
        return f"I need a little more information, which your record doesn't have: {needs}. Could you tell me?"
    topics = "\n".join(f"- {s.description}" for s in specs)
    return ("I'm not sure which calculation you need. I can work out:\n" + topics +
            "\nWhich of these would you like?")

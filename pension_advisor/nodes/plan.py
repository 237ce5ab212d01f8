"""Plan: what the question asks for (calculations, the member's record, the rules explained), or the one figure to
ask the member for. The reading itself is planning/; this node loads the member, asks a capable model for tool
calls (grounded: planning/grounding.py), retrieves explanations (a RETRIEVER span) and writes the plan."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage
from mlflow.entities import SpanType
from pydantic import ValidationError

from pension_advisor import prompts
from pension_advisor.graph.state import AdvisorState
from pension_advisor.guardrails.tool_output import sanitise
from pension_advisor.knowledge import KNOWLEDGE_DIR
from pension_advisor.knowledge.retrieval import retrieve
from pension_advisor.llm import faults
from pension_advisor.llm.usage import usage_record
from pension_advisor.members import MemberNotFound
from pension_advisor.nodes.member import run_member_id
from pension_advisor.observability.spans import annotate_current, span
from pension_advisor.planning.cues import PARAMETER_WORDS
from pension_advisor.planning.deterministic import Plan, fill_args, plan as read_question
from pension_advisor.planning.grounding import ground
from pension_advisor.planning.slots import extract_slots
from pension_advisor.services import Services

log = logging.getLogger(__name__)
ACCOUNT_WORDS = {"AU": "super", "US": "401(k) and Social Security", "UK": "pensions", "IN": "EPF, EPS and NPS"}


def plan(state: AdvisorState, services: Services) -> dict:
    member_id = run_member_id(state)  # the run's authenticated member, never the state's say-so
    try:
        record = services.members.get(member_id)
    except MemberNotFound:
        return {"status": "member_not_found", "member": None, "plan": [],
                "answer": f"I couldn't find a member record for '{member_id}'. Please check your member id."}
    on_date = dt.date.fromisoformat(state["on_date"]) if state.get("on_date") else dt.date.today()
    member_view = record.view_for_llm(services.pseudonym_salt, on_date)
    if services.settings.guardrails.input.scan_tool_output:  # record text (employer, fund names) is data, never instructions
        member_view, removed = sanitise(member_view)
        if removed:
            log.warning("member record text read as instructions; removed %s", [r["path"] for r in removed])
    full_record = record.model_dump()
    question = state["safe_question"]
    specs = [s for s in services.tools.values() if s.country == record.country]
    turns = state.get("turns") or []
    searches: dict[str, list[dict[str, Any]]] = {}

    def explain(text: str) -> list[dict[str, Any]]:
        if text not in searches:
            cfg = services.settings.knowledge
            searches[text] = retrieve(text, record.country, cfg.max_passages, cfg.min_score, cfg.dir or KNOWLEDGE_DIR)
        return searches[text]

    found = read_question(question, full_record, specs, on_date, turns[-1]["question"] if turns else None, explain)
    _retriever_span(found)
    calls, usage, model_faults = [], [], []
    # A vague question's overview is a fixed set of calculations; a model's pick for it would rest on no words at all.
    if services.settings.tools.llm_planner and not found.overview:
        calls, usage, model_faults = _llm_calls(question, member_view, full_record, specs, on_date, services)
    calls = calls or found.calls
    update = {"member": member_view, "llm_usage": usage, "model_faults": model_faults, "planned_from": found.planned_from,
              "record_fields": found.record_fields, "retrieved": found.retrieved}
    # A calculation the member asked for that lacks a figure is asked about, even when a passage explains the rule:
    # the member wanted their number, and a rule without it would leave the question unanswered.
    if not calls and found.other_scheme:
        return update | {"plan": [], "retrieved": [], "status": "clarification",
                         "answer": f"Your record here covers your {member_view.get("scheme", "pension")} account only, so I don't know what your "
                                   f"{found.other_scheme} pension is worth. Its latest annual statement shows it: could you "
                                   f"tell me what it says?"}
    if not calls and (found.empty or (found.missing and not found.record_fields)):
        return update | {"plan": [], "status": "clarification", "answer": _clarifying_answer(found, record.country, services)}
    for call in calls:  # state must stay JSON: dates travel as ISO strings
        call["args"] = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in call["args"].items()}
    return update | {"plan": calls}


def _retriever_span(found: Plan) -> None:
    """What was retrieved, as MLflow shows a retriever's documents."""
    documents = [{"id": p["id"], "page_content": p["text"],
                  "metadata": {"topic": p["topic"], "score": p["score"], "sources": [s["url"] for s in p["sources"]]}}
                 for p in found.retrieved]
    with span("retrieve_knowledge", SpanType.RETRIEVER, inputs={"query": found.planned_from}) as s:
        s.set_outputs(documents)


def _llm_calls(question, member_view, record, specs, on_date, services: Services) -> tuple[list[dict], list[dict], list[dict]]:
    """Tool calls from a capable model ([] when there is none or nothing usable), the call's token usage, and the
    outage if the call failed (llm/faults.py).
    Every argument it proposes is grounded; the rest is filled as the deterministic planner would."""
    if not services.model_calls_tools or not specs:
        return [], [], []
    by_name = {s.name: s for s in specs}
    try:
        reply = services.tool_caller(tuple(s.name for s in specs)).invoke([
            SystemMessage(prompts.PLANNER_SYSTEM.format(member=member_view)), HumanMessage(question)])
    except Exception as exc:  # a model or endpoint failure must not stop the deterministic planner
        fault = faults.record("planner", exc)  # logged there; the deterministic planner takes over
        if fault:
            annotate_current({"pension_advisor.model_fault": f"{fault['kind']}: {fault['detail']}"})
        return [], [], [fault] if fault else []
    slots = extract_slots(question, record["country"])
    slots.setdefault("on_date", on_date)
    calls, ungrounded = [], []
    for call in getattr(reply, "tool_calls", None) or []:
        spec = by_name.get(call["name"])
        if spec is None:
            continue
        given, dropped = ground(spec, call["args"], question, record, on_date)
        ungrounded += [f"{spec.name}.{name}" for name in dropped]
        args, missing = fill_args(spec, slots, record, given)
        try:
            spec.args_schema.model_validate(args)
        except ValidationError:
            continue
        if not missing:
            calls.append({"tool": spec.name, "args": args, "source": "llm"})
    if ungrounded:
        log.warning("dropped model-proposed arguments found in neither the question, the record nor the defaults: %s", ungrounded)
        annotate_current({"pension_advisor.ungrounded_args": ungrounded})
    return calls, [usage_record("plan", reply)], []


def _title(spec) -> str:
    """The calculator in a member's words (its declared title, else its description's opening)."""
    title = getattr(spec, "title", None)
    if title:
        return title
    text = spec.description.split(":", 1)[-1].strip().split(",")[0].split(" and ")[0]
    return text.replace("the member's ", "your ").rstrip(".")


def _clarifying_answer(found: Plan, country: str, services: Services) -> str:
    if found.missing:
        asks = []
        for tool, names in found.missing.items():
            words = [PARAMETER_WORDS.get(n) or services.tools[tool].args_schema.model_fields[n].description or n.replace("_", " ")
                     for n in names]
            asks.append(f"to work out {_title(services.tools[tool])} I need {' and '.join(dict.fromkeys(words))}")
        return f"I can answer that, but your record doesn't have everything: {'; '.join(asks)}. Could you tell me?"
    return (f"Could you tell me a little more about what you'd like to know? For example about your "
            f"{ACCOUNT_WORDS[country]}: what you have, when you can use it, the tax, or how a rule works.")

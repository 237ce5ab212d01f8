"""Synthesize: the model writes the answer body from the verified facts only; the frame is added deterministically."""

from __future__ import annotations

from langchain_core.messages import HumanMessage, SystemMessage

from pension_advisor import answer, precheck, prompts
from pension_advisor.evidence import evidence_of
from pension_advisor.graph.state import AdvisorState
from pension_advisor.llm import faults
from pension_advisor.llm.usage import usage_record
from pension_advisor.observability.spans import annotate_current
from pension_advisor.services import Services


def synthesize(state: AdvisorState, services: Services) -> dict:
    evidence = evidence_of(state)
    if services.model is None:
        body = answer.verified_body(evidence)
    else:
        system = prompts.WRITER_SYSTEM.format(currency=evidence.currency, facts=evidence.facts_text())
        messages = [SystemMessage(system), HumanMessage(state["safe_question"])]
        if state.get("retry_feedback"):
            messages.append(HumanMessage(prompts.WRITER_RETRY.format(feedback=state["retry_feedback"])))
        try:
            reply = services.model.invoke(messages)
        except Exception as exc:  # an outage or timeout: the graph falls back to verified results
            update = {"llm_errors": [f"writer: {type(exc).__name__}: {str(exc)[:200]}"]}
            if fault := faults.record("writer", exc):
                annotate_current({"pension_advisor.model_fault": f"{fault['kind']}: {fault['detail']}"})
                update["model_faults"] = [fault]
            return update
        # The citation marks the code can vouch for are attached here, not demanded from the model.
        body = precheck.attach_citations(_text(reply.content), evidence)
        return {**answer.framed(body, evidence), "draft_body": body,
                "llm_usage": [usage_record("synthesize", reply)]}
    return {**answer.framed(body, evidence), "draft_body": body}


def _text(content) -> str:
    if isinstance(content, list):  # some providers return content blocks
        return "".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)
    return str(content)

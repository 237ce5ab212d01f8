"""Input guardrail: refuse what must not reach the advisor, mask PII in what may.

The layers live in pension_advisor/guardrails (normalise, rules, detector, optional LLM classifier, language, scope,
PII); this node runs them and writes the decision into the state: ``input_guardrail`` (allowed, reason_code, score,
message, redactions, and one entry per layer), ``safe_question`` (PII-masked, the member's own name, birth date and
id included: the only form any model or trace sees), and on a refusal ``status: "blocked"`` with the plain-words
``answer``.
"""

from __future__ import annotations

import logging

from pension_advisor import privacy
from pension_advisor.graph.state import AdvisorState, GuardrailResult
from pension_advisor.guardrails import pipeline
from pension_advisor.guardrails.llm_classifier import classifier_for
from pension_advisor.members import MemberNotFound
from pension_advisor.nodes.member import run_member_id
from pension_advisor.observability.spans import guardrail_span
from pension_advisor.services import Services

log = logging.getLogger(__name__)
REFUSALS = pipeline.REFUSALS


def _follows_up(state: AdvisorState) -> bool:
    from pension_advisor.planning.deterministic import FOLLOW_UP  # the planner's reading of a follow-up

    turns = state.get("turns") or []
    return bool(turns) and turns[-1].get("status") not in (None, "blocked") and bool(FOLLOW_UP.search(state.get("question") or ""))


def input_guardrail(state: AdvisorState, services: Services) -> dict:
    cfg = services.settings.guardrails.input
    question = state.get("question") or ""
    member_id = run_member_id(state)  # the run's authenticated member, never the state's say-so
    try:
        member = services.members.get(member_id) if member_id else None
    except MemberNotFound:
        member = None
    context = privacy.question_context(member, services.pseudonym_salt)
    if not cfg.enabled:
        limited = cfg.model_copy(update={"decode_obfuscation": False, "block_obfuscated": False, "block_injection": False,
                                         "block_other_member_data": False, "block_profanity": False,
                                         "detector": False, "llm_classifier": "off", "block_out_of_scope": False})
        decision = pipeline.check(question, limited, member_id=member_id, mask_context=context)
    else:
        decision = pipeline.check(question, cfg, member_id=member_id, llm=classifier_for(services),
                                  mask_context=context)
    if not decision.allowed and decision.reason_code == "out_of_scope" and _follows_up(state):
        # "What about £10,000?" names no pension word: in a thread whose last turn was answered it continues that
        # question, so it is checked again by every layer but the scope one.
        decision = pipeline.check(question, cfg.model_copy(update={"block_out_of_scope": False}), member_id=member_id,
                                  llm=classifier_for(services) if cfg.enabled else None, mask_context=context)
    for layer in decision.layers:  # one apply_guardrail span per layer, with its real timing
        guardrail_span(f"input.{layer['layer']}", layer["allowed"], layer["reason_code"], layer.get("score"),
                       layer.get("start_ns"), layer.get("end_ns"))
    # The layers' clock readings were for the spans just drawn; the checkpointed state keeps what each layer decided.
    layers = [{k: v for k, v in layer.items() if k not in ("start_ns", "end_ns")} for layer in decision.layers]
    result = GuardrailResult(allowed=decision.allowed, reason_code=decision.reason_code, message=decision.message,
                             redactions=decision.redactions, score=decision.score, layers=layers)
    if not decision.allowed:
        log.info("input guardrail refused a question: %s (score %.2f)", decision.reason_code, decision.score)
        return {"input_guardrail": result, "safe_question": "", "status": "blocked", "answer": decision.message}
    return {"input_guardrail": result, "safe_question": decision.safe_question}

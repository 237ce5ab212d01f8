"""Input guardrail: refuse what must not reach the advisor, mask PII in what may."""

from __future__ import annotations

from pension_advisor.graph.state import AdvisorState, GuardrailResult
from pension_advisor.guardrails import rules
from pension_advisor.services import Services

REFUSALS = {
    "empty": "Please type a question about your retirement or pension.",
    "too_long": "Your question is too long ({n} characters; the limit is {limit}). Please shorten it.",
    "prompt_injection": "I can't follow instructions that try to change how I work. Please ask your pension question directly.",
    "other_member_data": "I can only discuss your own record, not other members' details.",
    "abusive_language": "I'm here to help, but I can't respond to abusive language. Please rephrase your question.",
    "out_of_scope": "I can help with retirement and pension questions, such as when you can access your savings, "
                    "contribution limits or pension amounts. Please ask about one of those.",
}


def input_guardrail(state: AdvisorState, services: Services) -> dict:
    cfg = services.settings.guardrails.input
    question = rules.normalise(state.get("question") or "")

    def blocked(code: str, **fmt) -> dict:
        decision = GuardrailResult(allowed=False, reason_code=code, message=REFUSALS[code].format(**fmt), redactions=[])
        return {"input_guardrail": decision, "safe_question": "", "status": "blocked", "answer": decision["message"]}

    if not question.strip():
        return blocked("empty")
    if len(question) > cfg.max_question_chars:
        return blocked("too_long", n=len(question), limit=cfg.max_question_chars)
    safe_question, redactions = rules.mask_pii(question) if cfg.redact_pii else (question, [])
    if cfg.enabled:
        if cfg.block_injection and rules.first_match(rules.INJECTION_PATTERNS, question):
            return blocked("prompt_injection")
        if rules.first_match(rules.OTHER_MEMBER_PATTERNS, question.replace(state.get("member_id") or "\0", "")):
            return blocked("other_member_data")
        if cfg.block_profanity and rules.first_match([rules.PROFANITY_WORDS], question):
            return blocked("abusive_language")
        if cfg.block_out_of_scope and not rules.is_in_domain(question):
            return blocked("out_of_scope")
    decision = GuardrailResult(allowed=True, reason_code=None, message=None, redactions=redactions)
    return {"input_guardrail": decision, "safe_question": safe_question}

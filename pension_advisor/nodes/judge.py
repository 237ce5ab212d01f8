"""Judge: a deterministic pre-check always, then an LLM verdict when a model is configured.

An LLM verdict that cannot be parsed is a failure, never a pass; so is one that contradicts itself: passed with
violations listed, a violation without a real code (empty, "...", "string"), a confidence outside 0-1 (a small
model behind the endpoint returned ``passed: true`` with five ``{"code": "..."}`` violations: issue 18).
"""

from __future__ import annotations

import re

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from pension_advisor import precheck, prompts
from pension_advisor.evidence import evidence_of, gather
from mlflow.entities import SpanType

from pension_advisor.graph.state import AdvisorState, Attempt, Verdict
from pension_advisor.llm import faults
from pension_advisor.llm.structured import structured_call
from pension_advisor.llm.usage import usage_record
from pension_advisor.observability.spans import span
from pension_advisor.services import Services


class _ViolationModel(BaseModel):
    code: str = Field(max_length=40)
    detail: str = Field(max_length=200)


class LLMVerdict(BaseModel):
    # Length limits keep grammar-constrained decoding on small models reliable (stack notes).
    passed: bool
    confidence: float = Field(ge=0.0, le=1.0)
    violations: list[_ViolationModel] = Field(default=[], max_length=5)
    feedback: str = Field(default="", max_length=400)


def judge(state: AdvisorState, services: Services) -> dict:
    evidence = evidence_of(state)
    found = precheck.violations(state["draft_body"], evidence, state["safe_question"])
    usage: list[dict] = []
    fault = None
    if found:
        verdict = Verdict(passed=False, confidence=1.0, violations=found,
                          feedback=precheck.feedback(found, evidence), source="precheck")
    elif services.settings.judge.use_llm and services.model is not None:
        verdict, usage, fault = _llm_verdict(state, evidence, services)
    else:
        verdict = Verdict(passed=True, confidence=1.0, violations=[], feedback="", source="precheck")
    attempt = len(state.get("attempts") or []) + 1
    with span(f"judge_verdict attempt {attempt}", SpanType.EVALUATOR, inputs={"answer": state["draft_body"]},
              attributes={"judge.attempt": attempt, "judge.passed": verdict["passed"], "judge.source": verdict["source"],
                          "judge.violations": [v["code"] for v in verdict["violations"]]}) as s:
        s.set_outputs(verdict)
    update = {"attempts": [Attempt(answer=state["answer"], verdict=verdict)], "llm_usage": usage}
    if any(v["code"] == "judge_unavailable" for v in verdict["violations"]):
        update["llm_errors"] = ["reviewer: " + verdict["violations"][0]["detail"]]
    if fault:
        update["model_faults"] = [fault]
    return update


def _llm_verdict(state: AdvisorState, evidence, services: Services) -> tuple[Verdict, list[dict], dict | None]:
    messages = [SystemMessage(prompts.JUDGE_SYSTEM),
                HumanMessage(prompts.JUDGE_USER.format(question=state["safe_question"], facts=evidence.facts_text(),
                                                       answer=state["draft_body"]))]
    reply = structured_call(services.model, LLMVerdict, messages, name="verdict")
    if reply.unavailable:  # no verdict is not a pass
        return Verdict(passed=False, confidence=0.0, source="llm", feedback="",
                       violations=[{"code": "judge_unavailable", "detail": f"The reviewer model failed: {type(reply.error).__name__}"}]), \
            [], faults.record("reviewer", reply.error)
    usage, parsed = [usage_record("judge", reply.raw)], reply.parsed
    if parsed is None:
        return Verdict(passed=False, confidence=0.0, source="llm",
                       violations=[{"code": "judge_unparseable", "detail": f"The reviewer's verdict was not valid: {str(reply.error)[:120]}"}],
                       feedback=prompts.JUDGE_NO_VERDICT_FEEDBACK), usage, None
    if problem := inconsistency(parsed):
        return Verdict(passed=False, confidence=0.0, source="llm",
                       violations=[{"code": "judge_inconsistent", "detail": f"The reviewer's verdict contradicts itself: {problem}"}],
                       feedback=prompts.JUDGE_NO_VERDICT_FEEDBACK), usage, None
    passed = parsed.passed and parsed.confidence >= services.settings.judge.min_confidence
    violations = [v.model_dump() for v in parsed.violations]
    if parsed.passed and not passed:
        violations.append({"code": "low_confidence", "detail": f"The reviewer passed it with confidence {parsed.confidence:.2f} only."})
    return Verdict(passed=passed, confidence=parsed.confidence, violations=violations,
                   feedback=parsed.feedback or precheck.feedback(violations, gather([])), source="llm"), usage, None


# Codes a model copies from a schema or an example instead of naming a problem.
_PLACEHOLDER_CODES = {"code", "string", "str", "none", "null", "n/a", "na", "todo", "tbd", "placeholder", "example",
                      "violation", "violations", "error", "issue", "problem", "xxx", "x", "unknown", "other", "test"}


def inconsistency(parsed: LLMVerdict) -> str | None:
    """Why a parsed verdict cannot be taken at its word, or None. A pass must list no violations; every listed
    violation must carry a real code (a placeholder would be fed back to the writer as if it were a finding)."""
    for v in parsed.violations:
        code = v.code.strip().strip("<>{}[]\"'`").strip().lower()
        if not re.search(r"[a-z]", code) or code in _PLACEHOLDER_CODES or not re.fullmatch(r"[a-z][a-z0-9_ .-]*", code):
            return f"a violation has no real code ({v.code!r})."
    if parsed.passed and parsed.violations:
        return f"it passed the answer while listing {len(parsed.violations)} violation(s)."
    return None

"""The advisor's state: the one typed schema every node reads and writes."""

from __future__ import annotations

import operator
from typing import Annotated, Any, Literal, NotRequired, TypedDict


class GuardrailLayer(TypedDict, total=False):
    """One input-guardrail layer's result: one ``apply_guardrail`` span with a gen_ai.guardrail.result event."""
    layer: str               # normalise, rules, detector, llm_classifier, scope, pii
    allowed: bool
    reason_code: str | None
    score: float             # 0-1: the layer's confidence that the question should be refused (pii: 1 if any found)
    ms: float                # wall time of the layer (its span has the clock times; the state does not keep them)
    # plus layer details, e.g. flags (normalise), match (rules), threshold (detector), entities (pii)


class GuardrailResult(TypedDict, total=False):
    allowed: bool
    reason_code: str | None  # empty, too_long, prompt_injection, jailbreak, system_prompt_extraction,
                             # other_member_data, abusive_language, obfuscated_input, suspected_attack, out_of_scope,
                             # unsupported_language
    message: str | None      # plain words, shown to the member when blocked
    redactions: list[str]    # kinds of PII masked
    score: float             # the deciding layer's score (allowed: the detector's attack probability)
    layers: list[GuardrailLayer]


class ToolCall(TypedDict):
    tool: str
    args: dict[str, Any]
    source: Literal["llm", "planner"]
    focus: NotRequired[list[str]]  # the figures that answer the question, when not all do ("without penalty": a date)


class ToolOutcome(TypedDict):
    tool: str
    args: dict[str, Any]
    result: dict[str, Any] | None  # CalcResult as JSON
    error: dict[str, str] | None   # {code, message}


class Violation(TypedDict):
    code: str
    detail: str


class Verdict(TypedDict):
    passed: bool
    confidence: float
    violations: list[Violation]
    feedback: str
    source: Literal["precheck", "llm"]


class Attempt(TypedDict):
    answer: str
    verdict: Verdict


# withheld: the output guardrail replaced what a model wrote (the member got SAFE_REPLACEMENT, not an answer).
# degraded: the model endpoint was unreachable, too slow, busy or refused the key; the member was told so and got the
# calculators' verified results only (llm/faults.py).
Status = Literal["answered", "fallback", "blocked", "clarification", "member_not_found", "withheld", "degraded"]


class Turn(TypedDict):
    """A finished turn of a thread, as later turns see it (PII-masked; a follow-up's question includes the
    earlier question it completed)."""
    question: str
    status: Status
    tools: list[str]


class AdvisorState(TypedDict, total=False):
    # Input (see AdvisorInput); member_id is set by start_turn from the run's context, never taken from input
    member_id: str
    question: str
    on_date: str | None            # ISO date the question is about; default today
    # start_turn
    turns: list[Turn]              # earlier turns of this thread, oldest first
    # input_guardrail
    input_guardrail: GuardrailResult
    safe_question: str             # the question with PII masked: the only form a model or trace sees
    # plan
    member: dict[str, Any] | None  # pseudonymised record (no name, birth date or id)
    plan: list[ToolCall]
    record_fields: list[str]       # Member fields the question asks about ("What's my balance?": pension_balance)
    retrieved: list[dict[str, Any]]  # knowledge passages (knowledge/ dicts + score), best first, at most 3
    planned_from: str              # the text the plan came from: the question, or a follow-up with the turn before
    # tools
    tool_outcomes: list[ToolOutcome]
    evidence: dict[str, Any]       # Evidence.to_json(): the verified facts the answer is written and judged from
    # synthesize / judge / retry
    answer: str                    # the current answer as the member would read it
    answer_parts: dict[str, Any]   # the same as data (answer.parts): header, body, sources, disclaimer
    draft_body: str                # the model-written part of it, which the judge checks
    retry_feedback: str | None
    attempts: Annotated[list[Attempt], operator.add]
    llm_errors: Annotated[list[str], operator.add]  # model calls that failed (timeouts, refusals, outages)
    llm_usage: Annotated[list[dict[str, Any]], operator.add]  # {node, model, input_tokens, output_tokens} per call
    model_faults: Annotated[list[dict[str, str]], operator.add]  # outages: {node, kind, detail} (llm/faults.py)
    # Output
    status: Status
    final_answer: str
    final_parts: dict[str, Any] | None  # final_answer as data (answer.parts), what scorers read
    output_guardrail: dict[str, Any]
    # sample
    sampled: bool                  # chosen for background quality scoring
    scoring_queued: bool


class AdvisorInput(TypedDict, total=False):
    """What a caller may post to start a turn. Anything else in the input (member_id, internal keys) is ignored:
    the member comes from the run's context (RunContext), which the server fills from the caller's credentials."""
    question: str
    on_date: str | None            # ISO date the question is about; default today


class AdvisorOutput(TypedDict, total=False):
    """What a turn hands back: the answer, how it was reached, and the per-turn results callers and traces read.
    The model's working drafts (draft_body, retry_feedback) stay inside the graph."""
    member_id: str
    question: str
    on_date: str | None
    turns: list[Turn]
    input_guardrail: GuardrailResult
    safe_question: str
    member: dict[str, Any] | None
    plan: list[ToolCall]
    record_fields: list[str]
    retrieved: list[dict[str, Any]]
    planned_from: str
    tool_outcomes: list[ToolOutcome]
    evidence: dict[str, Any]
    answer: str
    attempts: list[Attempt]
    llm_errors: list[str]
    llm_usage: list[dict[str, Any]]
    model_faults: list[dict[str, str]]
    status: Status
    final_answer: str
    final_parts: dict[str, Any] | None
    output_guardrail: dict[str, Any]
    sampled: bool
    scoring_queued: bool


class RunContext(TypedDict):
    """The run's context (LangGraph ``context_schema``): who the run is about, for a caller of the compiled graph.
    An entry point that names the run's member (app.member_run: Advisor.ask, and the API server's graph factory
    from the caller's credentials, server/graph.py) overrides it; the state never does (nodes/member.py)."""
    member_id: str

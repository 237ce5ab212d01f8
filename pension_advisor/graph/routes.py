"""The graph's branch decisions, as small pure functions of the state."""

from __future__ import annotations

from collections.abc import Callable

from langchain_core.runnables import Runnable, RunnableLambda
from langgraph.constants import TAG_HIDDEN

from .state import AdvisorState


def untraced(route: Callable[[AdvisorState], str], name: str | None = None) -> Runnable:
    """A branch function tagged ``langsmith:hidden`` (LangGraph's TAG_HIDDEN), which the graph tracer leaves out of
    the trace (observability/tracer.py): routing is visible in the node sequence, and every traced branch would
    copy the whole state into the trace once more."""

    async def aroute(state: AdvisorState) -> str:
        return route(state)  # a pure decision: without an async form it would run on a worker thread

    return RunnableLambda(route, afunc=aroute, name=name or route.__name__).with_config(tags=[TAG_HIDDEN])


def after_input_guardrail(state: AdvisorState) -> str:
    return "plan" if state["input_guardrail"]["allowed"] else "output_guardrail"


def after_plan(state: AdvisorState) -> str:
    # Anything to answer from (calculations, the member's record, explanations) goes on; a clarifying question or an
    # unknown member goes out as it is.
    if state.get("status") in ("clarification", "member_not_found"):
        return "output_guardrail"
    return "tools" if state.get("plan") or state.get("record_fields") or state.get("retrieved") else "output_guardrail"


def after_synthesize(state: AdvisorState) -> str:
    # A failed model call is not retried here: the endpoint is down or too slow, so answer from verified results.
    return "fallback" if state.get("llm_errors") else "judge"


def after_judge(state: AdvisorState, max_retries: int) -> str:
    attempts = state["attempts"]
    if attempts[-1]["verdict"]["passed"]:
        return "output_guardrail"
    if state.get("llm_errors"):
        return "fallback"
    return "retry" if len(attempts) <= max_retries else "fallback"

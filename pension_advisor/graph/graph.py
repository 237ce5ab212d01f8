"""The advisor's topology, and nothing else.

start_turn -> input_guardrail -> plan -> tools -> synthesize -> judge -> (retry -> synthesize | fallback | output_guardrail)
  -> sample -> END
A blocked question, an unknown member or a question that needs clarifying goes straight to output_guardrail;
a failed model call (writer or reviewer) goes to fallback.
"""

from __future__ import annotations

from functools import partial

from langgraph.graph import END, START, StateGraph

from pension_advisor.llm import judge_retries
from pension_advisor.nodes.fallback import fallback
from pension_advisor.nodes.input_guardrail import input_guardrail
from pension_advisor.nodes.judge import judge
from pension_advisor.nodes.output_guardrail import output_guardrail
from pension_advisor.nodes.plan import plan
from pension_advisor.nodes.retry import retry
from pension_advisor.nodes.sample import sample
from pension_advisor.nodes.start_turn import start_turn
from pension_advisor.nodes.synthesize import synthesize
from pension_advisor.nodes.tools import run_tools
from pension_advisor.services import Services

from .routes import after_input_guardrail, after_judge, after_plan, after_synthesize, untraced
from .state import AdvisorInput, AdvisorOutput, AdvisorState, RunContext


def build_graph(services: Services) -> StateGraph:
    # Callers post AdvisorInput and read AdvisorOutput; the member comes from the run, never the state
    # (nodes/member.py).
    graph = StateGraph(AdvisorState, input_schema=AdvisorInput, output_schema=AdvisorOutput,
                       context_schema=RunContext)
    graph.add_node("start_turn", start_turn)
    graph.add_node("input_guardrail", partial(input_guardrail, services=services))
    graph.add_node("plan", partial(plan, services=services))
    graph.add_node("tools", partial(run_tools, services=services))
    graph.add_node("synthesize", partial(synthesize, services=services))
    graph.add_node("judge", partial(judge, services=services))
    graph.add_node("retry", retry)
    graph.add_node("fallback", partial(fallback, services=services))
    graph.add_node("output_guardrail", partial(output_guardrail, services=services))
    graph.add_node("sample", partial(sample, services=services))

    graph.add_edge(START, "start_turn")
    graph.add_edge("start_turn", "input_guardrail")
    graph.add_conditional_edges("input_guardrail", untraced(after_input_guardrail), ["plan", "output_guardrail"])
    graph.add_conditional_edges("plan", untraced(after_plan), ["tools", "output_guardrail"])
    graph.add_edge("tools", "synthesize")
    graph.add_conditional_edges("synthesize", untraced(after_synthesize), ["judge", "fallback"])
    route_after_judge = partial(after_judge, max_retries=judge_retries(services.settings))
    graph.add_conditional_edges("judge", untraced(route_after_judge, "after_judge"),
                                ["retry", "fallback", "output_guardrail"])
    graph.add_edge("retry", "synthesize")
    graph.add_edge("fallback", "output_guardrail")
    graph.add_edge("output_guardrail", "sample")
    graph.add_edge("sample", END)
    return graph

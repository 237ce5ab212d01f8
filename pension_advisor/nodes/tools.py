"""Tools: run the planned calculator calls, then gather the evidence the answer is written and judged from. A tool
error becomes an outcome the answer can explain, never a crash."""

from __future__ import annotations

import logging

from pydantic import ValidationError

from mlflow.entities import SpanType

from pension_advisor.evidence import evidence_for
from pension_advisor.graph.state import AdvisorState, ToolOutcome
from pension_advisor.guardrails.tool_output import sanitise
from pension_advisor.observability.spans import span
from pension_advisor.services import Services
from pension_advisor.tools import ToolError

log = logging.getLogger(__name__)


def run_tools(state: AdvisorState, services: Services) -> dict:
    outcomes = []
    for call in state.get("plan", []):
        outcomes.append(_traced(call, services))
    # The verified facts, computed once here: the writer, the judge, the fallback and the scorers all read these.
    return {"tool_outcomes": outcomes, "evidence": evidence_for({**state, "tool_outcomes": outcomes}).to_json()}


def _traced(call: dict, services: Services) -> ToolOutcome:
    with span(f"execute_tool {call['tool']}", SpanType.TOOL, inputs=call["args"],
              attributes={"gen_ai.tool.call.source": call.get("source", "planner")}) as s:
        outcome = _run(call["tool"], call["args"], services)
        if services.settings.guardrails.input.scan_tool_output:
            # Tool text is data, never instructions: strip instruction-like strings before a model sees them.
            outcome, removed = sanitise(outcome)
            if removed:
                log.warning("tool %s returned instruction-like text; removed %s", call["tool"], removed)
                s.set_attribute("pension_advisor.tool_output_removed", [r["path"] for r in removed])
        s.set_outputs(outcome["result"] or {"error": outcome["error"]})
        if outcome["error"]:
            # A failed tool call (MLflow's Overview counts TOOL spans by status): ERROR, the error as its event.
            s.set_attribute("error.type", outcome["error"]["code"])
            s.record_exception(f"{outcome['error']['code']}: {outcome['error']['message']}")
        else:
            s.set_attribute("citations", [c["url"] for c in outcome["result"]["citations"]])
        return outcome


def _run(name: str, args: dict, services: Services) -> ToolOutcome:
    spec = services.tools.get(name)
    try:
        if spec is None:
            raise ToolError("unknown_tool", f"There is no calculator called '{name}'.")
        result = spec.run(args).model_dump(mode="json")
        return ToolOutcome(tool=name, args=args, result=result, error=None)
    except ToolError as exc:
        return ToolOutcome(tool=name, args=args, result=None, error={"code": exc.code, "message": exc.message})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return ToolOutcome(tool=name, args=args, result=None,
                           error={"code": "invalid_arguments", "message": f"Invalid inputs for {name}: {problems}."})
    except Exception as exc:  # a bug in one calculator must not take the question down with it
        log.exception("calculator %s failed", name)
        return ToolOutcome(tool=name, args=args, result=None,
                           error={"code": "tool_failed", "message": f"The {name} calculator failed ({type(exc).__name__})."})

"""Tools: run the planned calculator calls. A tool error becomes an outcome the answer can explain, never a crash."""

from __future__ import annotations

import logging

from pydantic import ValidationError

from pension_advisor.graph.state import AdvisorState, ToolOutcome
from pension_advisor.services import Services
from pension_advisor.tools import ToolError

log = logging.getLogger(__name__)


def run_tools(state: AdvisorState, services: Services) -> dict:
    return {"tool_outcomes": [_run(call["tool"], call["args"], services) for call in state.get("plan", [])]}


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

"""Start a turn: settle whose turn it is, remember the previous question of this thread for follow-ups, and clear last turn's results.

On a persistent thread (a server thread, or `Advisor.ask(..., thread_id=...)`) the checkpoint still holds the
previous turn's plan, verdicts and answer; stale values would misroute this turn, and the per-turn lists would
keep growing, so they start over here.
The member is the run's authenticated one (nodes/member.py); a thread whose state names another member is refused.
"""

from __future__ import annotations

from typing import Annotated, get_origin, get_type_hints

from langgraph.types import Overwrite

from pension_advisor.graph.state import AdvisorState
from pension_advisor.nodes.member import run_member_id

# Everything a turn writes, read off the state schema so a new field cannot leak into the next turn: all but the
# inputs and the thread's history; the lists with a reducer start over empty, the rest are cleared.
_KEPT = {"member_id", "question", "on_date", "turns"}
_FIELDS = get_type_hints(AdvisorState, include_extras=True)
_PER_TURN_LISTS = tuple(k for k, hint in _FIELDS.items() if k not in _KEPT and get_origin(hint) is Annotated)
_PER_TURN = tuple(k for k in _FIELDS if k not in _KEPT and k not in _PER_TURN_LISTS)
MAX_TURNS = 20  # history kept per thread: only the last turn is read, the rest is for people reading the state


def start_turn(state: AdvisorState) -> dict:
    member_id = run_member_id(state)  # refuses a thread written under another member
    update: dict = {key: None for key in _PER_TURN if key in state}
    update["member_id"] = member_id
    update.update({key: Overwrite([]) for key in _PER_TURN_LISTS if state.get(key)})
    if state.get("safe_question") and state.get("status"):
        previous = {"question": state.get("planned_from") or state["safe_question"], "status": state["status"],
                    "tools": [call["tool"] for call in state.get("plan") or []]}
        update["turns"] = [*(state.get("turns") or []), previous][-MAX_TURNS:]
    return update

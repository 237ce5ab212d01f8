"""Which member a run is about: the one place a node learns it.

The member comes from the entry point that started the run (app.member_run: Advisor.ask with its argument, the
API server's graph factory with the caller's credentials, server/graph.py), else from the run's LangGraph context
(graph.state.RunContext, for a caller of the compiled graph itself); never from the state: a state value can be
written by a caller (a command's update, a state write, a checkpoint made under another member), neither of those
can. On the API server the entry point's member wins over whatever context the request carried.
A state that names another member than the run is a thread of someone else: the run is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langgraph.config import get_config
from langgraph.runtime import get_runtime

from pension_advisor.privacy import current_run_member


class RunRefused(Exception):
    """The run may not go on; the message is in plain words for whoever started it."""


class NoMemberForRun(RunRefused):
    pass


class ThreadOfAnotherMember(RunRefused):
    pass


def run_member_id(state: Mapping[str, Any]) -> str:
    """The authenticated member of the running graph, checked against what the thread's state says."""
    member_id = context_member_id()
    if member_id is None:
        if _inside_a_run():
            raise NoMemberForRun("this run names no member: ask with credentials that belong to a member")
        # A node called directly (unit tests), outside any graph: there is no caller to trust or distrust.
        member_id = state.get("member_id")
        if not member_id:
            raise NoMemberForRun("no member given")
        return member_id
    written = state.get("member_id")
    if written is not None and written != member_id:
        raise ThreadOfAnotherMember("this conversation belongs to another member record; start a new conversation")
    return member_id


def context_member_id() -> str | None:
    """The member the entry point named for this run, else the one in the run's context; None if neither."""
    named = current_run_member()
    if named:
        return named
    try:
        context = get_runtime().context
    except RuntimeError:  # not inside a graph run
        return None
    value = context.get("member_id") if isinstance(context, Mapping) else getattr(context, "member_id", None)
    return value if isinstance(value, str) and value else None


def _inside_a_run() -> bool:
    try:
        get_config()
    except RuntimeError:
        return False
    return True

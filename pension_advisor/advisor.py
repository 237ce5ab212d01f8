"""The advisor as a library: ask a question for a member, get the answer, verdict, attempts and trace id."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from pydantic import BaseModel

from .app import build_app, member_run
from .config import Settings, load_settings
from .members import MemberNotFound
from .observability.tracing import run_trace_id
from .services import Services
from .tools.base import CURRENCY

TRACEPARENT = re.compile(r"^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$")


class InputError(ValueError):
    """A problem with what the user asked, phrased for them (the CLI prints it on one line)."""


class Advice(BaseModel):
    member_id: str
    question: str
    status: str
    answer: str
    attempts: int
    verdict: dict[str, Any] | None
    trace_id: str | None
    state: dict[str, Any]


class Advisor:
    def __init__(self, settings: Settings | None = None, services: Services | None = None, checkpointer: Any = None):
        """``checkpointer`` (a LangGraph checkpointer) keeps threads: ``ask(..., thread_id=...)`` then sees earlier turns."""
        self.settings = settings or (services.settings if services else load_settings())
        app = build_app(services or Services(self.settings), checkpointer=checkpointer)
        self.services, self.graph, self.tracing = app.services, app.graph, app.tracing

    def validate(self, member_id: str, question: str, country: str | None = None) -> None:
        limit = self.settings.guardrails.input.max_question_chars
        if not question or not question.strip():
            raise InputError("the question is empty")
        if not _is_text(question):
            raise InputError("the question holds bytes that are not UTF-8 text; please type it again")
        if len(question) > limit:
            raise InputError(f"the question is {len(question):,} characters; the limit is {limit:,}")
        if country is not None and country.upper() not in CURRENCY:
            raise InputError(f"unknown country '{country}'; use one of {', '.join(CURRENCY)}")
        try:
            member = self.services.members.get(member_id)
        except MemberNotFound:
            raise InputError(f"unknown member '{member_id}'") from None
        if country is not None and country.upper() != member.country:
            raise InputError(f"member {member_id} is in {member.country}, not {country.upper()}")

    def ask(self, member_id: str, question: str, country: str | None = None, on_date: dt.date | None = None,
            traceparent: str | None = None, thread_id: str | None = None) -> Advice:
        """Answer one question. ``traceparent`` (W3C) makes the run's trace a child of the caller's."""
        self.validate(member_id, question, country)
        if traceparent is not None and not TRACEPARENT.match(traceparent):
            raise InputError(f"traceparent '{traceparent}' is not a W3C trace context (00-<32 hex>-<16 hex>-<2 hex>)")
        # The root run's id, chosen here, finds this run's own trace (not "the last one" of the process).
        run_id = uuid.uuid4()
        config = {"run_id": run_id, **({"configurable": {"thread_id": thread_id}} if thread_id else {})}
        with member_run(member_id, traceparent):
            # member_run names the member for the nodes and the trace; the run's context says the same for a
            # LangGraph caller of self.graph, and the input's copy is for the trace's inputs only (the graph's
            # input schema ignores it).
            state = self.graph.invoke({"member_id": member_id, "question": question,
                                       "on_date": on_date.isoformat() if on_date else None}, config,
                                      context={"member_id": member_id})
        attempts = state.get("attempts", [])
        return Advice(
            member_id=member_id, question=question, status=state["status"], answer=state["final_answer"],
            attempts=len(attempts), verdict=attempts[-1]["verdict"] if attempts else None,
            trace_id=(run_trace_id(run_id) or _trace_id_of(traceparent)) if self.tracing else None, state=state,
        )


def _is_text(value: str) -> bool:
    # A command-line argument that is not UTF-8 arrives with lone surrogates, which no trace, model or
    # database can store.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _trace_id_of(traceparent: str | None) -> str | None:
    # A run under a caller's context joins the caller's trace, which MLflow names tr-<otel trace id>.
    return f"tr-{traceparent.split('-')[1]}" if traceparent else None

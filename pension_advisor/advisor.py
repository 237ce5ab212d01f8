"""The advisor as a library: ask a question for a member, get the answer, verdict, attempts and trace id."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel

from .config import Settings, load_settings
from .graph import build_graph
from .members import MemberNotFound
from .services import Services
from .tools.base import CURRENCY
from .tracing import last_trace_id, setup_tracing


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
    def __init__(self, settings: Settings | None = None, services: Services | None = None):
        self.settings = settings or (services.settings if services else load_settings())
        self.services = services or Services(self.settings)
        self.tracing = setup_tracing(self.settings.tracing)
        self.graph = build_graph(self.services).compile()

    def validate(self, member_id: str, question: str, country: str | None = None) -> None:
        limit = self.settings.guardrails.input.max_question_chars
        if not question or not question.strip():
            raise InputError("the question is empty")
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

    def ask(self, member_id: str, question: str, country: str | None = None, on_date: dt.date | None = None) -> Advice:
        self.validate(member_id, question, country)
        state = self.graph.invoke({"member_id": member_id, "question": question,
                                   "on_date": on_date.isoformat() if on_date else None})
        attempts = state.get("attempts", [])
        return Advice(
            member_id=member_id, question=question, status=state["status"], answer=state["final_answer"],
            attempts=len(attempts), verdict=attempts[-1]["verdict"] if attempts else None,
            trace_id=last_trace_id() if self.tracing else None, state=state,
        )

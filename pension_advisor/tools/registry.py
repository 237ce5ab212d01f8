"""The calculators the planner can call, as specs the deterministic planner reads and LangChain tools an LLM calls."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from langchain_core.tools import StructuredTool
from pydantic import BaseModel

from .base import CalcResult, Country


@dataclass(frozen=True)
class ToolSpec:
    name: str
    country: Country
    function: Callable[..., CalcResult]
    args_schema: type[BaseModel]
    description: str
    # Regexes (case-insensitive) that make the deterministic planner pick this tool.
    intents: tuple[str, ...]
    # Tool argument -> member-record field that can fill it when the question does not.
    member_args: dict[str, str] = field(default_factory=dict)
    # Tool argument -> slot the planner extracts from the question (see nodes/plan.py SLOTS:
    # amount, salary, age, claim_age_years, claim_age_months, years, on_date, date_of_birth).
    # Question slots win over member fields.
    question_args: dict[str, str] = field(default_factory=dict)

    def matches(self, question: str) -> bool:
        return any(re.search(p, question, re.IGNORECASE) for p in self.intents)

    def run(self, args: dict) -> CalcResult:
        return self.function(**self.args_schema.model_validate(args).model_dump())

    def as_langchain_tool(self) -> StructuredTool:
        return StructuredTool.from_function(
            func=lambda **kw: self.run(kw).model_dump(mode="json"),
            name=self.name,
            description=self.description,
            args_schema=self.args_schema,
        )

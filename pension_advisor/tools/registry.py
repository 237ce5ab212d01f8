"""Calculators declared once: ``@calculator(...)`` on a function whose typed, documented parameters are the args
schema and whose docstring is the description. The deterministic planner reads the spec; an LLM gets it as a tool."""

from __future__ import annotations

import functools
import inspect
import re
import typing
from dataclasses import dataclass, field
from typing import Annotated, Callable

from langchain_core.tools import StructuredTool
from pydantic import BaseModel, Field, ValidationError, create_model

from .base import CalcResult
from .errors import ToolError
from .inputs import invalid_input
from .periods import over_tax_year
from .tables import Country

# Every dated calculator takes this (a question about a named year, see periods.py).
TaxYearArg = Annotated[str | None, Field(
    description="The tax year asked about, e.g. '2025-26' (US: a calendar year such as '2026'). When given, the "
                "figures in force through that year are used, each period shown where one changes; on_date is then "
                "ignored. Default: the year of on_date.")]

# The projections' horizon, the same for every country's projection.
ProjectionYears = Annotated[int | None, Field(ge=0, le=60, description="Years to project. Default: until retirement_age, from date_of_birth.")]
RetirementAge = Annotated[int, Field(ge=40, le=80, description="Age the projection runs to when years is not given (assumption, default 67).")]


@dataclass(frozen=True)
class ToolSpec:
    name: str
    country: Country
    # Validates its arguments (a ToolError in plain words, naming the input) and returns a CalcResult.
    function: Callable[..., CalcResult]
    args_schema: type[BaseModel]
    description: str
    # What the calculator answers, in a member's words ("your preservation age").
    title: str
    # Regexes (case-insensitive) that make the deterministic planner pick this tool.
    intents: tuple[str, ...]
    # Rule-table keys the calculator reads: where a named tax year is split, and what a missing figure stops.
    rules: tuple[str, ...] = ()
    # Tool argument -> member-record field that can fill it when the question does not.
    member_args: dict[str, str] = field(default_factory=dict)
    # Tool argument -> slot the planner extracts from the question (see planning/slots.py).
    # Question slots win over member fields.
    question_args: dict[str, str] = field(default_factory=dict)

    def matches(self, question: str) -> bool:
        return any(re.search(p, question, re.IGNORECASE) for p in self.intents)

    def run(self, args: dict) -> CalcResult:
        """Run with ``args`` as a planner or model gives them: arguments the calculator does not take are ignored."""
        return self.function(**{k: v for k, v in args.items() if k in self.args_schema.model_fields})

    def as_langchain_tool(self) -> StructuredTool:
        return StructuredTool.from_function(
            func=lambda **kw: self.run(kw).model_dump(mode="json"),
            name=self.name,
            description=self.description,
            args_schema=self.args_schema,
        )


TOOL_SPECS: dict[str, ToolSpec] = {}


def calculator(*, name: str, country: Country, title: str, intents: tuple[str, ...], rules: tuple[str, ...],
               member_args: dict[str, str] | None = None, question_args: dict[str, str] | None = None):
    """Register the decorated function as the calculator ``name``; returns the validating callable."""

    def register(function: Callable[..., CalcResult]) -> Callable[..., CalcResult]:
        if name in TOOL_SPECS:
            raise ValueError(f"calculator {name} is declared twice")
        schema = args_model(name, function)
        signature = inspect.signature(function)

        @functools.wraps(function)
        def run(*args, **kwargs) -> CalcResult:
            try:
                values = dict(schema.model_validate(signature.bind(*args, **kwargs).arguments))
            except ValidationError as exc:
                raise invalid_input(exc) from None
            except TypeError:  # an argument the calculator does not take
                raise ToolError("invalid_input", "One of the inputs isn't one this calculation takes.") from None
            if values.get("tax_year"):
                result = over_tax_year(lambda a: function(**a), values, country, rules)
            else:
                result = function(**values)
            return result.model_copy(update={"tool": name})

        TOOL_SPECS[name] = ToolSpec(
            name=name, country=country, function=run, args_schema=schema, description=inspect.getdoc(function),
            title=title, intents=intents, rules=rules, member_args=member_args or {}, question_args=question_args or {})
        return run

    return register


def args_model(name: str, function: Callable) -> type[BaseModel]:
    """A pydantic model of ``function``'s parameters: their annotations (with Field metadata) and defaults."""
    hints = typing.get_type_hints(function, include_extras=True)
    fields = {p.name: (hints[p.name], ... if p.default is inspect.Parameter.empty else p.default)
              for p in inspect.signature(function).parameters.values()}
    return create_model(name, **fields)

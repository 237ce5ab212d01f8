"""LLM-judge variants of the scorers (``<name>_llm``), used when an LLM is configured.

Each asks the configured chat model for ``{"score": 0-1, "rationale": "..."}`` on one criterion. A model call
that fails, or a reply that is not that JSON, gives a Feedback with ``error`` set and no value: never a pass.
The prompts (``SCORER_*``) are in ``pension_advisor.prompts`` with every other prompt.
"""

from __future__ import annotations

from typing import Any, Callable

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from mlflow.entities import AssessmentSource, Feedback
from mlflow.genai.scorers import Scorer, scorer
from pydantic import BaseModel, ConfigDict, Field

from pension_advisor.llm import faults
from pension_advisor.llm.structured import structured_call
from pension_advisor.prompts import SCORER_CRITERIA, SCORER_SYSTEM, SCORER_USER
from pension_advisor.tools.base import CURRENCY

from .common import read

class JudgeReply(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Length limits keep grammar-constrained decoding on small models reliable (stack notes).
    score: float = Field(ge=0.0, le=1.0)
    rationale: str = Field(max_length=400)


ModelSource = BaseChatModel | Callable[[], BaseChatModel | None]


def llm_variant(name: str, chat_model: ModelSource) -> Scorer:
    """The LLM-judge scorer ``<name>_llm`` for a deterministic scorer ``name``.

    ``chat_model`` is a chat model, or a no-argument factory called on first use (so building the scorers at
    start-up never starts a model server).
    """
    if name not in SCORER_CRITERIA:
        raise ValueError(f"no LLM variant for scorer '{name}'; known: {sorted(SCORER_CRITERIA)}")
    full_name = f"{name}_llm"
    source = AssessmentSource(source_type="LLM_JUDGE", source_id=f"pension_advisor.{full_name}")
    resolved: list[BaseChatModel | None] = []

    def model() -> BaseChatModel | None:
        if not resolved:
            resolved.append(chat_model if isinstance(chat_model, BaseChatModel) else chat_model())
        return resolved[0]

    def judge(inputs: Any = None, outputs: Any = None, expectations: dict | None = None) -> Feedback:
        reply = read(inputs, outputs)
        country = reply.country or "unknown"
        facts = list((expectations or {}).get("expected_facts") or [])
        messages = [
            SystemMessage(SCORER_SYSTEM.format(name=name, criterion=SCORER_CRITERIA[name].format(
                country=country, currency=CURRENCY.get(country, "the member's currency")))),
            HumanMessage(SCORER_USER.format(
                question=reply.question or "(none)", country=country, facts=reply.evidence.facts_text(),
                sources=reply.evidence.sources_text() or "(none)", answer=reply.answer or "(empty)",
                expected=("\nEXPECTED FACTS:\n" + "\n".join(f"- {f}" for f in facts) + "\n") if facts else "")),
        ]
        try:
            llm = model()
        except Exception as exc:  # noqa: BLE001 - a factory that cannot make the model: no verdict, not a pass
            return _failed(full_name, source, exc)
        if llm is None:
            return _failed(full_name, source, RuntimeError("no LLM is configured"))
        reply = structured_call(llm, JudgeReply, messages, name="score")
        if reply.unavailable:  # no verdict is not a pass
            return _failed(full_name, source, reply.error)
        parsed, raw = reply.parsed, reply.raw.text
        if parsed is None:
            return Feedback(name=full_name, error=reply.error, source=source,
                            rationale=f"The judge's reply was not a valid score: {raw[:160]!r}",
                            metadata={"raw_reply": raw[:500]})
        return Feedback(name=full_name, value=round(parsed.score, 4), source=source,
                        rationale=parsed.rationale.strip() or "(no rationale given)",
                        metadata={"model": _model_name(model())})

    judge.__name__ = full_name
    return scorer(judge, name=full_name, description=f"LLM judge: {SCORER_CRITERIA[name].split('?')[0]}?")


def _failed(full_name: str, source: AssessmentSource, exc: BaseException) -> Feedback:
    faults.record("scorer", exc)  # a scoring worker with a dead endpoint says so once, at WARNING
    return Feedback(name=full_name, error=exc, source=source,
                    rationale=f"The judge model failed: {type(exc).__name__}: {str(exc)[:160]}")


def _model_name(llm: Any) -> str:
    return str(getattr(llm, "model_name", None) or getattr(llm, "model", None) or type(llm).__name__)

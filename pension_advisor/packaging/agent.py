"""The advisor behind MLflow's ResponsesAgent interface, as the logged model runs it.

A request carries the question as its last user message and the member in ``custom_inputs``::

    {"input": [{"role": "user", "content": "When do I reach State Pension age?"}],
     "custom_inputs": {"member_id": "UK-003", "country": "UK", "on_date": "2026-11-01"}}

``country`` and ``on_date`` (YYYY-MM-DD) are optional; ``context.conversation_id`` is passed on as the run's thread
id (it groups a conversation's traces; the served model keeps no history between requests). Every answer comes from :meth:`Advisor.ask`, so the input/output guardrails and the judge run.
A bad request (no member, unknown member, bad date...) raises an ``INVALID_PARAMETER_VALUE`` MlflowException with
a one-line message: ``mlflow models serve`` answers it with HTTP 400 and that message, not a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

import mlflow
from mlflow.exceptions import MlflowException
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse

# Names of the artifacts logged with the model (see register.py) and read back by load_context.
CONFIG_ARTIFACT = "config"
RULES_ARTIFACT = "rules"
CUSTOM_INPUTS = {"member_id", "country", "on_date"}


class RequestError(ValueError):
    """A request the advisor cannot take, phrased for the caller."""


def pin_rule_tables(rules_dir: str | Path) -> Path:
    """Make the calculators read the rule tables under ``rules_dir`` (``<cc>/<tax year>.yaml``) from now on.

    Returns the folder used before, so a caller can put it back. The folder is process-wide
    (``tools.tables.use_rules_dir``), so one process serves one set of rule tables (the logged model's).
    """
    from pension_advisor.tools.tables import use_rules_dir

    rules_dir = Path(rules_dir)
    if not any(rules_dir.glob("*/*.yaml")):
        raise MlflowException(f"no rule tables (<country>/<tax year>.yaml) under {rules_dir}")
    return use_rules_dir(rules_dir)


def make_services(settings):
    """The advisor's services for the loaded model (tests replace this to script the LLM)."""
    from pension_advisor.services import Services

    return Services(settings)


def request_fields(request: ResponsesAgentRequest) -> dict[str, Any]:
    """The Advisor.ask arguments a request carries; RequestError names what is missing or wrong."""
    question = _last_user_text(request)
    custom = dict(request.custom_inputs or {})
    unknown = sorted(set(custom) - CUSTOM_INPUTS)
    if unknown:
        raise RequestError(f"unknown custom_inputs key(s) {unknown}; accepted: {sorted(CUSTOM_INPUTS)}")
    member_id = custom.get("member_id")
    if not isinstance(member_id, str) or not member_id.strip():
        raise RequestError('custom_inputs.member_id is required, e.g. {"custom_inputs": {"member_id": "AU-001"}}')
    on_date = custom.get("on_date")
    if on_date is not None:
        try:
            on_date = dt.date.fromisoformat(str(on_date))
        except ValueError:
            raise RequestError(f"custom_inputs.on_date must be YYYY-MM-DD, got '{on_date}'") from None
    country = custom.get("country")
    if country is not None and not isinstance(country, str):
        raise RequestError(f"custom_inputs.country must be a country code (AU, US, UK, IN), got {country!r}")
    conversation = request.context.conversation_id if request.context else None
    return {"member_id": member_id.strip(), "question": question, "country": country, "on_date": on_date,
            "thread_id": conversation}


def _last_user_text(request: ResponsesAgentRequest) -> str:
    for item in reversed(request.input):
        data = item.model_dump() if hasattr(item, "model_dump") else dict(item)
        if data.get("role") != "user":
            continue
        content = data.get("content")
        if isinstance(content, str):
            return content
        if isinstance(content, list):
            return "\n".join(part.get("text", "") for part in content
                             if isinstance(part, dict) and part.get("type") in ("input_text", "output_text"))
    raise RequestError("the request has no user message: put the question in input as {\"role\": \"user\", ...}")


class PensionAdvisorAgent(ResponsesAgent):
    """pension-advisor as an MLflow ResponsesAgent; config and rule tables come from the model's artifacts."""

    advisor = None

    def load_context(self, context) -> None:
        from pension_advisor.advisor import Advisor
        from pension_advisor.config import ConfigError, load_settings

        artifacts = context.artifacts or {}
        missing = [a for a in (CONFIG_ARTIFACT, RULES_ARTIFACT) if a not in artifacts]
        if missing:
            raise MlflowException(f"the model was logged without artifact(s) {missing}: log it with "
                                  "pension_advisor.packaging.register.log_advisor_model")
        pin_rule_tables(artifacts[RULES_ARTIFACT])
        try:
            # PENSION_ADVISOR__* variables of the serving environment still override keys of the logged file.
            settings = load_settings(artifacts[CONFIG_ARTIFACT])
        except ConfigError as exc:
            raise MlflowException(f"the logged configuration is not valid here: {exc}") from None
        self.advisor = Advisor(settings, make_services(settings))

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        from pension_advisor.advisor import InputError

        if self.advisor is None:
            raise MlflowException("the model is not loaded: load it with mlflow.pyfunc.load_model")
        try:
            fields = request_fields(request)
            advice = self.advisor.ask(**fields)
        except (RequestError, InputError) as exc:
            raise MlflowException.invalid_parameter_value(str(exc)) from None
        # MLflow traces predict() itself: the graph's spans sit in that trace, which is still open here.
        trace_id = (mlflow.get_active_trace_id() or advice.trace_id) if self.advisor.tracing else None
        item_id = f"msg_{uuid.uuid4().hex}"
        outputs = {
            "member_id": advice.member_id,
            "country": self.advisor.services.members.get(advice.member_id).country,
            "status": advice.status,
            "attempts": advice.attempts,
            "verdict": advice.verdict,
            "trace_id": trace_id,
            "sources": _sources(advice.state),
        }
        return ResponsesAgentResponse(
            output=[self.create_text_output_item(text=advice.answer, id=item_id)],
            custom_outputs=json.loads(json.dumps(outputs, default=str)),
        )


def _sources(state: dict[str, Any]) -> list[dict[str, str]]:
    """The citations behind the figures in the answer (title, url, tax year), without duplicates."""
    seen: list[dict[str, str]] = []
    for outcome in state.get("tool_outcomes") or []:
        for citation in ((outcome or {}).get("result") or {}).get("citations") or []:
            entry = {k: str(citation.get(k, "")) for k in ("title", "url", "tax_year")}
            if entry not in seen:
                seen.append(entry)
    return seen

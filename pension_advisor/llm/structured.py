"""Every model verdict (the reviewer, the LLM-judge scorers, the input classifier) is asked for and read here.

The request is what LangChain's ``with_structured_output(schema, method="json_schema")`` sends: the schema as
``response_format`` (llama.cpp turns it into a grammar). The reply is read here, from the raw message, rather than by
that wrapper's parser. Choices, each checked against the installed langchain-openai (1.7):

- ``json_schema``, not ``json_mode``: the embedded llama.cpp server enforces the schema as a grammar (SmolLM2-135M
  gave a parseable verdict 4/4 and score 3/3 through this helper; json_mode gave 0/20, stack notes).
- The schema is sent as a JSON-schema dict with ``strict: False``, not as the Pydantic class: with a class the
  OpenAI SDK sends ``strict: True`` (which OpenAI refuses for the length and range keywords the embedded model's
  grammar needs) and validates the text itself, raising from the model call, so a bad reply would look like a dead
  endpoint and lose its token usage. The reply is validated against the Pydantic schema here instead.
- The model is bound to that ``response_format`` (``model.bind``) instead of wrapped by ``with_structured_output(...,
  include_raw=True)``: the wrapper's parser completes a cut-off object (it parses partial JSON, so
  '{"passed": true, "confidence": 0.9' would become a pass) and cannot read an object wrapped in prose ("Sure:
  {...}"), which small models write, so its ``parsed`` could not be used; and its parse steps add about nine chain
  spans under every verdict in the trace. The object is the text between the reply's first "{" and last "}" (bare,
  fenced or in prose), and it must be valid JSON as it stands.

A call that raises is ``unavailable`` (no reply at all: the caller records the fault); a reply that is not a valid
object of the schema has ``error`` set and ``parsed`` None. Neither is ever a pass.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Generic, Sequence, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from pydantic import BaseModel, ValidationError

Schema = TypeVar("Schema", bound=BaseModel)
_OBJECT_IN_TEXT = re.compile(r"\{.*\}", re.DOTALL)


class UnparseableReply(ValueError):
    """The model replied, but not with a JSON object valid against the schema it was given."""


@dataclass(frozen=True)
class Structured(Generic[Schema]):
    parsed: Schema | None
    error: BaseException | None
    raw: AIMessage | None  # the model's message (token usage, the text); None when the call itself failed

    @property
    def unavailable(self) -> bool:
        """The call raised: the endpoint failed, there is no reply to judge."""
        return self.raw is None and self.error is not None


def response_format(schema: type[BaseModel], name: str) -> dict:
    """The JSON-schema ``response_format`` body sent for ``schema`` (non-strict: see the module docstring)."""
    return {"name": name, "schema": schema.model_json_schema(), "strict": False}


def structured_call(model: BaseChatModel, schema: type[Schema], messages: Sequence[BaseMessage], *,
                    name: str) -> Structured[Schema]:
    """Ask ``model`` for one object of ``schema``; ``name`` names the schema in the request."""
    try:
        bound = model.bind(response_format={"type": "json_schema", "json_schema": response_format(schema, name)})
        raw: AIMessage = bound.invoke(list(messages))
    except Exception as exc:  # noqa: BLE001 - any failure of the call is "no reply", reported to the caller
        return Structured(parsed=None, error=exc, raw=None)
    try:
        return Structured(parsed=schema.model_validate(_object_in_text(raw.text)), error=None, raw=raw)
    except UnparseableReply as exc:
        return Structured(parsed=None, error=exc, raw=raw)
    except ValidationError as exc:
        return Structured(parsed=None, error=UnparseableReply(f"the reply does not fit {name}: {exc}"), raw=raw)


def _object_in_text(text: str) -> object:
    match = _OBJECT_IN_TEXT.search(text or "")
    if not match:
        raise UnparseableReply("no JSON object in the reply")
    try:
        return json.loads(match.group(0))
    except ValueError as exc:
        raise UnparseableReply(f"the reply's JSON object is not valid JSON: {exc}") from None

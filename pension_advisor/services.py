"""What the nodes need from outside the graph: settings, the member store, the tools and the chat model."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable

from langchain_core.language_models import BaseChatModel

from .config import Settings
from .llm import chat_model, resolved_provider
from .members import MemberStore
from .tools import TOOL_SPECS, ToolSpec

log = logging.getLogger(__name__)
_DEV_SALT = "pension-advisor-dev-salt"


@dataclass
class Services:
    settings: Settings
    # Made on first use so that building the graph never starts a model server.
    model_factory: Callable[[], BaseChatModel | None] | None = None
    members: MemberStore | None = None
    _model_made: bool = field(default=False, init=False)
    _tool_callers: dict = field(default_factory=dict, init=False)

    def __post_init__(self):
        if self.members is None:
            cfg = self.settings.members
            self.members = MemberStore(cfg.db_path, seed_on_first_use=cfg.seed_on_first_use)
        if self.model_factory is None:
            self.model_factory = lambda: chat_model(self.settings.llm)
        self.check_knowledge()

    def check_knowledge(self) -> None:
        """Read and index every country's knowledge file now (cached), so a broken file stops start-up with one
        line naming it instead of failing a member's question."""
        from .knowledge import KNOWLEDGE_DIR
        from .knowledge.retrieval import index
        from .tools.base import CURRENCY

        for country in CURRENCY:
            index(country, self.settings.knowledge.dir or KNOWLEDGE_DIR)

    @cached_property
    def model(self) -> BaseChatModel | None:
        return self.model_factory()

    @property
    def model_calls_tools(self) -> bool:
        # The embedded SmolLM2 template has no tool support (stack notes): the deterministic planner serves it.
        return resolved_provider(self.settings.llm) not in {"embedded", "none"} and self.model is not None

    def tool_caller(self, tool_names: tuple[str, ...]):
        """The model bound to these calculators as tools. Binding converts every schema (about 30 ms of CPU for a
        country's calculators), so each set is bound once per process."""
        if tool_names not in self._tool_callers:
            self._tool_callers[tool_names] = self.model.bind_tools([self.tools[n].as_langchain_tool() for n in tool_names])
        return self._tool_callers[tool_names]

    @cached_property
    def tools(self) -> dict[str, ToolSpec]:
        enabled = self.settings.tools.enabled
        return {n: s for n, s in TOOL_SPECS.items() if not enabled or n in enabled}

    @cached_property
    def scoring_queue(self):
        from .monitoring.queue import ScoringQueue
        from .observability.tracing import also_flush

        queue = ScoringQueue(self.settings.production_monitoring)
        also_flush(queue.flush)  # written before the process exits, with the spans
        return queue

    @cached_property
    def pseudonym_salt(self) -> str:
        salt = os.environ.get(self.settings.members.pseudonym_salt_env)
        if not salt:
            log.warning("%s is not set: member pseudonyms use a development salt", self.settings.members.pseudonym_salt_env)
        return salt or _DEV_SALT

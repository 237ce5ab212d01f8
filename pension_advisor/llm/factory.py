"""The one place chat models are made. Every model call goes through langchain-openai's ChatOpenAI."""

from __future__ import annotations

import os

from langchain_core.language_models import BaseChatModel
from langchain_openai import ChatOpenAI

from pension_advisor.config.schema import LLM

from .deadline import CallBudget, deadline_clients
from .embedded import MODEL_ALIAS, embedded_server


def resolved_provider(cfg: LLM, env=os.environ) -> str:
    if cfg.provider != "auto":
        return cfg.provider
    return "openai_compatible" if (cfg.base_url or env.get(cfg.api_key_env)) else "embedded"


def judge_retries(settings) -> int:
    """How many times a failed draft is rewritten: judge.max_retries, or fewer for the embedded model
    (llm.embedded.max_attempts), whose drafts pass the judge rarely."""
    if resolved_provider(settings.llm) == "embedded":
        return min(settings.judge.max_retries, settings.llm.embedded.max_attempts - 1)
    return settings.judge.max_retries


def chat_model(cfg: LLM) -> BaseChatModel | None:
    """A ChatOpenAI for the configured endpoint, or for the embedded server; None when provider is 'none'."""
    provider = resolved_provider(cfg)
    if provider == "none":
        return None
    if provider == "embedded":
        base_url, model, api_key = embedded_server(cfg.embedded).base_url, MODEL_ALIAS, "embedded"
    else:
        base_url, model, api_key = cfg.base_url, cfg.model, os.environ.get(cfg.api_key_env) or "not-set"
    # The SDK's own retries are off: they sleep for any Retry-After. The deadline transport retries instead,
    # within timeout_s x (max_retries + 1) for the whole call.
    http_client, http_async_client = deadline_clients(CallBudget.from_config(cfg.timeout_s, cfg.max_retries))
    return ChatOpenAI(
        base_url=base_url,
        model=model,
        api_key=api_key,
        temperature=cfg.temperature,
        max_tokens=cfg.max_tokens,
        timeout=cfg.timeout_s,
        max_retries=0,
        http_client=http_client,
        http_async_client=http_async_client,
    )

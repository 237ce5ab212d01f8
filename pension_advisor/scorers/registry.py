"""Which scorers run: the deterministic ones, their LLM-judge variants, and configured custom scorers."""

from __future__ import annotations

import functools
import importlib
from typing import Any

from mlflow.genai.scorers import Scorer, scorer

from .citation_quality import citation_quality
from .country_compliance import country_compliance
from .faithfulness import faithfulness
from .llm_judge import ModelSource, llm_variant
from .relevance import relevance
from .toxicity import toxicity

DETERMINISTIC: dict[str, Scorer] = {s.name: s for s in
                                    (relevance, faithfulness, toxicity, country_compliance, citation_quality)}


class ScorerConfigError(ValueError):
    """A configured scorer that does not exist or cannot be loaded: raised at start-up."""


def build_scorers(settings: Any, model: ModelSource | None = None, llm: bool | None = None) -> list[Scorer]:
    """The scorers ``settings.production_monitoring`` selects, in this order:

    1. the deterministic scorer for each name in ``scorers`` (always);
    2. its LLM-judge variant ``<name>_llm`` when ``llm`` is true; by default (None) when an LLM is configured,
       i.e. ``resolved_provider(settings.llm) != "none"``. The model is ``model`` (a chat model or factory),
       else ``chat_model(settings.llm)``, made on the first judge call, not here;
    3. each ``custom_scorers`` "module:function" (an ``@scorer``, or a plain function, which is wrapped).

    Unknown names, unloadable custom scorers and duplicate names raise ScorerConfigError.
    """
    from pension_advisor.llm import chat_model, resolved_provider

    cfg = settings.production_monitoring
    unknown = [n for n in cfg.scorers if n not in DETERMINISTIC]
    if unknown:
        raise ScorerConfigError(f"production_monitoring.scorers: unknown scorer(s) {unknown}; "
                                f"known: {sorted(DETERMINISTIC)}")
    names = list(dict.fromkeys(cfg.scorers))
    found = [DETERMINISTIC[n] for n in names]
    if llm is None:
        llm = resolved_provider(settings.llm) != "none"
    if llm:
        # One model for all the variants, made on the first judge call (embedded: starts its server then).
        source = model if model is not None else functools.lru_cache(maxsize=1)(lambda: chat_model(settings.llm))
        found += [llm_variant(n, source) for n in names]
    found += [load_custom(path) for path in cfg.custom_scorers]
    seen: set[str] = set()
    for s in found:
        if s.name in seen:
            raise ScorerConfigError(f"production_monitoring: two scorers are named '{s.name}'")
        seen.add(s.name)
    return found


def load_custom(path: str) -> Scorer:
    """A custom scorer from "module:function"."""
    module, _, attr = path.partition(":")
    if not module or not attr:
        raise ScorerConfigError(f"production_monitoring.custom_scorers: '{path}' must be 'module:function'")
    try:
        target = getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        raise ScorerConfigError(f"production_monitoring.custom_scorers: cannot load '{path}' ({exc})") from None
    if isinstance(target, Scorer):
        return target
    if callable(target):
        return scorer(target, name=getattr(target, "__name__", attr))
    raise ScorerConfigError(f"production_monitoring.custom_scorers: '{path}' is not a scorer or function")

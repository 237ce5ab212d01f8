"""Quality scorers for production monitoring and offline evaluation (one small @scorer module each).

Each is an MLflow ``@scorer`` returning a Feedback with a 0-1 value (1 = good) and a short rationale:
relevance, faithfulness, toxicity (1 = not toxic), country_compliance, citation_quality. Each has an
LLM-judge variant ``<name>_llm`` (``llm_variant``). ``build_scorers(settings)`` returns the configured set.

``SCORER_NAMES`` stays import-light: the config validator reads it, and MLflow takes ~2 s to import, so
``DETERMINISTIC``, ``build_scorers``, ``llm_variant``, ``load_custom`` and ``ScorerConfigError`` are loaded
on first use.
"""

from __future__ import annotations

from typing import Any

SCORER_NAMES = ("relevance", "faithfulness", "toxicity", "country_compliance", "citation_quality")

_LAZY = {"DETERMINISTIC": "registry", "build_scorers": "registry", "load_custom": "registry",
         "ScorerConfigError": "registry", "llm_variant": "llm_judge"}
__all__ = ["SCORER_NAMES", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""Token usage of model calls, as recorded in the graph state, and what it costs."""

from __future__ import annotations

from typing import Any, Iterable

from pension_advisor.config.schema import ModelPrice


def usage_record(node: str, message: Any) -> dict[str, Any]:
    meta = getattr(message, "usage_metadata", None) or {}
    model = (getattr(message, "response_metadata", None) or {}).get("model_name") or "unknown"
    return {"node": node, "model": model, "input_tokens": int(meta.get("input_tokens") or 0),
            "output_tokens": int(meta.get("output_tokens") or 0)}


def cost(usage: Iterable[dict[str, Any]], prices: dict[str, ModelPrice]) -> tuple[float, list[str]]:
    """Total cost, and the models that had no price (counted as 0, never guessed)."""
    total, unpriced = 0.0, []
    for u in usage:
        price = prices.get(u["model"])
        if price is None:
            unpriced.append(u["model"])
            continue
        total += u["input_tokens"] / 1e6 * price.input_per_million + u["output_tokens"] / 1e6 * price.output_per_million
    return round(total, 6), sorted(set(unpriced))

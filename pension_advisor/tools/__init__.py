"""Country calculators: pure functions over cited rule tables, exposed as tool specs."""

from __future__ import annotations

from . import au, india, uk, us
from .base import CalcResult, Citation, Figure, ToolError
from .registry import ToolSpec

TOOL_SPECS: dict[str, ToolSpec] = {spec.name: spec for module in (au, us, uk, india) for spec in module.SPECS}

__all__ = ["TOOL_SPECS", "ToolSpec", "CalcResult", "Citation", "Figure", "ToolError"]

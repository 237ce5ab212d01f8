"""Country calculators: pure functions over cited rule tables, each declared once with @calculator."""

from __future__ import annotations

# Importing a country module registers its calculators; this order is the order the planner sees them in.
from . import au, us, uk, india, au_division_293, au_pension_drawdown, india_income_tax, india_nps  # noqa: F401,I001
from . import uk_tax, us_tax, uk_deferral  # noqa: F401,I001
from .base import CalcResult, Citation, Figure
from .errors import MissingFigure, ToolError
from .registry import TOOL_SPECS, ToolSpec

__all__ = ["TOOL_SPECS", "ToolSpec", "CalcResult", "Citation", "Figure", "MissingFigure", "ToolError"]

"""The calculators' schemas as a model sees them (what ``bind_tools`` sends), and the committed snapshot of them.

Run ``python -m tests.tools.schema_snapshot`` to rewrite the snapshot after an intended change; the git diff of
``fixtures/tool_schemas.json`` is then the record of what the planner/LLM sees differently.
"""

from __future__ import annotations

import json
from pathlib import Path

from langchain_core.utils.function_calling import convert_to_openai_tool

SNAPSHOT = Path(__file__).with_name("fixtures") / "tool_schemas.json"


def render() -> str:
    from pension_advisor.tools import TOOL_SPECS

    schemas = [convert_to_openai_tool(spec.as_langchain_tool()) for spec in TOOL_SPECS.values()]
    return json.dumps(schemas, indent=1, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    SNAPSHOT.write_text(render())
    print(f"wrote {SNAPSHOT}")

"""Counts the non-public MLflow names pension_advisor/ uses, against a documented allow-list.

Non-public: an import from an MLflow module that is not part of MLflow's documented API (a `_`-prefixed module
or name, or an internal module such as mlflow.tracing.provider, mlflow.tracing.trace_manager,
mlflow.store.*.dbmodels), and a `_`-prefixed member read or assigned on something else than our own objects in a
module that imports MLflow (e.g. `span._span`, `provider._get_span_processors = ...`).

Issue 16's goal is at most 5, all in one compat module (observability/compat.py, which says why each one is
unavoidable and is tested against the installed MLflow). The test fails on any NEW non-public name, and tells
which allowed ones are gone (shrink the list when you remove one).
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "pension_advisor"

# MLflow modules whose names are documented API (https://mlflow.org/docs/latest/api_reference/python_api/).
PUBLIC_MODULES = {
    "mlflow", "mlflow.entities", "mlflow.tracing", "mlflow.client", "mlflow.tracking", "mlflow.exceptions",
    "mlflow.genai", "mlflow.genai.scorers", "mlflow.genai.judges", "mlflow.langchain", "mlflow.pyfunc",
    "mlflow.models", "mlflow.types", "mlflow.deployments", "mlflow.server", "mlflow.environment_variables",
}
GOAL = 5

# (file, name) -> count allowed: the compat module's internals (its docstring says why each is unavoidable).
COMPAT = "pension_advisor/observability/compat.py"
ALLOWED: Counter = Counter({
    (COMPAT, '._span'): 1,             # the OpenTelemetry span under a LiveSpan: plain GenAI attribute values
    (COMPAT, '._tracing_client'): 1,   # the record of a trace joined to a caller's W3C trace...
    (COMPAT, 'mlflow.tracing.constant.SpansLocation'): 1,  # ...with the tag saying where its spans are
    (COMPAT, 'mlflow.tracing.constant.TraceTagKey'): 1,
    (COMPAT, 'mlflow.tracing.trace_manager.InMemoryTraceManager'): 2,  # the caller's trace, held until exported
})


def _own_private_names() -> set[str]:
    """`_`-prefixed names our own code defines (functions, methods, attributes it assigns)."""
    names: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name.startswith("_"):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and node.attr.startswith("_") \
                    and isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                names.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id.startswith("_"):
                names.add(node.id)
    return names


def _public(module: str) -> bool:
    # Entity and type classes are documented under their submodules too (mlflow.entities.trace_info.TraceInfo).
    return module in PUBLIC_MODULES or module.startswith(("mlflow.entities.", "mlflow.types."))


def non_public_mlflow_names() -> Counter:
    own = _own_private_names()
    found: Counter = Counter()
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text())
        rel = str(path.relative_to(PACKAGE.parent))
        imports_mlflow = False
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "mlflow":
                imports_mlflow = True
                for alias in node.names:
                    if not _public(node.module) or alias.name.startswith("_"):
                        found[(rel, f"{node.module}.{alias.name}")] += 1
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == "mlflow":
                        imports_mlflow = True
                        if not _public(alias.name):
                            found[(rel, alias.name)] += 1
        if not imports_mlflow:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__") \
                    and node.attr not in own:
                found[(rel, f".{node.attr}")] += 1
    return found


def test_non_public_mlflow_names_stay_within_the_allow_list():
    found = non_public_mlflow_names()
    new = {k: v for k, v in found.items() if v > ALLOWED.get(k, 0)}
    gone = {k: v for k, v in ALLOWED.items() if found.get(k, 0) < v}
    distinct = len({name for _, name in found})
    print(f"non-public MLflow names: {distinct} distinct, {sum(found.values())} uses "
          f"in {len({f for f, _ in found})} files (goal <= {GOAL}, in one compat module)")
    assert not new, "new non-public MLflow names (use a public API, or add to the compat module):\n" + \
        "\n".join(f"  {f}: {n} x{c}" for (f, n), c in sorted(new.items()))
    assert not gone, "allowed names no longer used: remove them from ALLOWED:\n" + \
        "\n".join(f"  {f}: {n}" for (f, n) in sorted(gone))


def test_the_allow_list_meets_the_goal():
    """At most GOAL distinct internals, all in the compat module."""
    assert {f for f, _ in ALLOWED} == {COMPAT}
    assert len({name for _, name in ALLOWED}) <= GOAL


def test_the_counter_finds_what_it_is_meant_to(tmp_path):
    """The scanner itself: an internal module, a private name, a private member; not our own `_` names."""
    pkg = tmp_path / "pension_advisor"
    pkg.mkdir()
    (pkg / "m.py").write_text(
        "import mlflow\n"
        "from mlflow.tracing.provider import get_context_api\n"
        "from mlflow.tracing import _private\n"
        "from mlflow.entities import SpanType\n"
        "def _ours():\n    return 1\n"
        "x = mlflow.tracing._hidden\n"
        "y = _ours()\n")
    global PACKAGE
    saved, PACKAGE = PACKAGE, pkg
    try:
        names = {name for _, name in non_public_mlflow_names()}
    finally:
        PACKAGE = saved
    assert names == {"mlflow.tracing.provider.get_context_api", "mlflow.tracing._private", "._hidden"}

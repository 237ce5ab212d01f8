"""The tool schemas a model sees are exactly the committed snapshot (order included): a change to a calculator's
name, description or parameters shows up as a diff of fixtures/tool_schemas.json, reviewed with the change."""

from tests.tools.schema_snapshot import SNAPSHOT, render


def test_tool_schemas_match_the_snapshot():
    assert render() == SNAPSHOT.read_text(), "tool schemas changed: run `python -m tests.tools.schema_snapshot` and review the diff"

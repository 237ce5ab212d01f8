"""Issue 12 (found by the isolation work): a run started by a command or from a checkpoint has no member_id in its
input, so the trace's redaction learned no member and could not mask the member's own name and birth date. The run's
member now comes from the run's context (privacy.run_member, set by Advisor.ask and by the API server from the
caller's credentials)."""

from __future__ import annotations

from types import SimpleNamespace

from pension_advisor.config import load_settings
from pension_advisor.observability.processor import SpanPolicy
from pension_advisor.privacy import current_run_member, mask, run_member
from pension_advisor.services import Services


def test_a_run_with_no_member_in_its_input_is_redacted_for_its_context_member(tmp_path):
    settings = load_settings(env={"PENSION_ADVISOR__MEMBERS__DB_PATH": str(tmp_path / "m.db"),
                                  "PENSION_ADVISOR__LLM__PROVIDER": "none"})
    members = Services(settings).members
    member = members.get("AU-001")
    policy = SpanPolicy(settings, "test-salt", members)
    for trace_id, inputs in (("tr-command", object()), ("tr-checkpoint", None)):
        with run_member("AU-001"):
            policy.graph_started(SimpleNamespace(trace_id=trace_id), inputs)
        context = policy.run_context(trace_id)
        text = f"{member.name} was born on {member.date_of_birth.isoformat()}"
        masked = mask(text, context).text
        assert member.name not in masked and member.date_of_birth.isoformat() not in masked, masked
    assert current_run_member() is None  # the block resets it


def test_the_run_member_wins_over_the_member_an_input_names(tmp_path):
    # An API caller's input may name anyone; the server's graph factory names the authenticated member.
    settings = load_settings(env={"PENSION_ADVISOR__MEMBERS__DB_PATH": str(tmp_path / "m.db"),
                                  "PENSION_ADVISOR__LLM__PROVIDER": "none"})
    policy = SpanPolicy(settings, "test-salt", Services(settings).members)
    with run_member("UK-003"):
        policy.graph_started(SimpleNamespace(trace_id="tr-dict"), {"member_id": "AU-001", "question": "q"})
    assert policy.run_member("tr-dict") == "UK-003"
    # A graph invoked directly, with no run member named, has only its input's say.
    policy.graph_started(SimpleNamespace(trace_id="tr-direct"), {"member_id": "AU-001", "question": "q"})
    assert policy.run_member("tr-direct") == "AU-001"

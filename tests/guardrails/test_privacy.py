"""pension_advisor.privacy: one pseudonymise, one mask, the question registry's public reads, the member index."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from pension_advisor import privacy
from pension_advisor.members import Member, MemberStore
from pension_advisor.members.model import pseudonymise as member_pseudonymise

ME = Member(member_id="AU-001", name="Olivia Harte", date_of_birth=dt.date(1963, 6, 17), country="AU",
            employment_status="employed", marital_status="single", homeowner=True, annual_salary=90000,
            pension_balance=300000, other_assets=0, contribution_years=30, scheme="Test Super",
            account_type="accumulation", record_as_of=dt.date(2026, 9, 30))


@pytest.fixture
def store(tmp_path):
    return MemberStore(tmp_path / "members.db")  # the 48 synthetic members


def test_one_pseudonymise():
    assert member_pseudonymise is privacy.pseudonymise
    assert privacy.pseudonymise("UK-001", "salt") == privacy.pseudonymise("UK-001", "salt") != \
        privacy.pseudonymise("UK-001", "other-salt")
    assert privacy.pseudonymise("UK-001", "salt").startswith("member-")


def test_identifying_strings_cover_id_name_and_birth_date_spellings():
    strings = dict((v, k) for k, v in privacy.identifying_strings(ME))
    for value, kind in (("AU-001", "MEMBER_ID"), ("Olivia Harte", "PERSON"), ("Harte", "PERSON"),
                        ("1963-06-17", "DATE_OF_BIRTH"), ("17/06/1963", "DATE_OF_BIRTH"),
                        ("17 June 1963", "DATE_OF_BIRTH"), ("June 17, 1963", "DATE_OF_BIRTH")):
        assert strings[value] == kind, value
    assert privacy.identifying_strings(None) == ()


def test_question_context_masks_the_members_own_identity_for_a_model():
    ctx = privacy.question_context(ME, "salt")
    masked = privacy.mask("I'm Olivia Harte (AU-001), born 17/06/1963. Is there a grace period?", ctx)
    assert "Olivia" not in masked.text and "AU-001" not in masked.text and "1963" not in masked.text
    assert "<YOUR_NAME>" in masked.text and "<YOUR_DATE_OF_BIRTH>" in masked.text
    assert privacy.pseudonymise("AU-001", "salt") in masked.text
    assert "grace period" in masked.text  # names match case-sensitively


def test_answer_context_keeps_the_member_and_masks_everyone_else(store):
    others = privacy.member_index(store)
    text = ("Olivia, born 17 June 1963, shares a fund with Jack Brennan (born 27/09/1992, AU-002); "
            "ask Brennan or Emma Johnson, or email jo@example.com.")
    masked = privacy.mask(text, privacy.answer_context(ME, others, ner=False))
    for own in ("Olivia", "17 June 1963"):
        assert own in masked.text
    for other in ("Jack Brennan", "27/09/1992", "AU-002", "Brennan", "Emma Johnson", "jo@example.com"):
        assert other not in masked.text, other
    assert {"PERSON", "DATE_OF_BIRTH", "MEMBER_ID", "EMAIL"} <= set(masked.kinds)


def test_member_index_is_built_once_and_rebuilt_when_the_store_changes(store):
    first = privacy.member_index(store)
    assert privacy.member_index(store) is first and first.size == 48
    store.add([ME.model_copy(update={"member_id": "AU-099", "name": "Zed Quillfeather"})])
    second = privacy.member_index(store)
    assert second is not first and second.size == 49
    assert second.find("Zed Quillfeather wrote", own_id="AU-001") == [(0, 16, "PERSON")]


def test_member_index_never_reports_the_asking_member(store):
    index = privacy.member_index(store)
    assert index.find("Olivia Harte, born 17 June 1963", own_id="AU-001") == []
    assert index.find("Olivia Harte, born 17 June 1963", own_id="AU-002")  # someone else asking


def test_registry_public_reads_and_json_spellings():
    registry = privacy.QuestionRegistry()
    raw = 'I\'m "Jo" Bloggs, jo@example.com'
    registry.remember(raw, "I'm \"Jo\" <PERSON>, <EMAIL>", ["Bloggs", "jo@example.com"])
    assert (raw, "I'm \"Jo\" <PERSON>, <EMAIL>") in registry.questions()
    assert "jo@example.com" in registry.strings()
    subs, strings = registry.for_question(raw)
    assert json.dumps(raw)[1:-1] in dict(subs)  # the spelling inside a JSON payload too
    assert set(strings) >= {"Bloggs", "jo@example.com"}
    subs, strings = registry.for_texts([json.dumps({"q": raw})])
    assert subs and "jo@example.com" in strings


def test_trace_context_masks_json_payloads():
    privacy.REGISTRY.remember("Hi, I'm Olivia Harte from AU-001", "Hi, I'm <YOUR_NAME> from member-x", ["Olivia Harte"])
    ctx = privacy.trace_context(ME, "Hi, I'm Olivia Harte from AU-001", "salt")
    payload = json.dumps({"name": "Olivia Harte", "question": "Hi, I'm Olivia Harte from AU-001",
                          "member_id": "AU-001", "note": "born 1963-06-17, call 0412 345 678"})
    masked = privacy.mask(payload, ctx).text
    for secret in ("Olivia", "Harte", "AU-001", "1963-06-17", "0412 345 678"):
        assert secret not in masked, secret
    assert '"name": "<REDACTED>"' in masked and privacy.pseudonymise("AU-001", "salt") in masked


def test_mask_value_walks_json_like_values():
    value = {"a": ["jo@example.com", 3], "b": {"c": "AU-002"}}
    assert privacy.mask_value(value) == {"a": ["<EMAIL>", 3], "b": {"c": "<MEMBER_ID>"}}


def test_trace_payloads_are_masked_value_by_value_into_valid_json():
    """Span payloads are masked string by string (observability.redact.mask_payload): the same secrets go as with
    the text mask, sensitive keys at any depth, ids as keys, and a card number stored as a number - which the text mask
    turned into invalid JSON (`"card": <CREDIT_CARD>`)."""
    from pension_advisor.observability.redact import mask_payload

    privacy.REGISTRY.remember("Hi, I'm Olivia Harte from AU-001", "Hi, I'm <YOUR_NAME> from member-x", ["Olivia Harte"])
    ctx = privacy.trace_context(ME, "Hi, I'm Olivia Harte from AU-001", "salt")
    payload = json.dumps({"member": {"name": "Olivia Harte", "date_of_birth": "1963-06-17"},
                          "question": "Hi, I'm Olivia Harte from AU-001", "by_member": {"AU-001": 1},
                          "note": "born 1963-06-17, call 0412 345 678", "card": 4111111111111111, "years": 30})
    masked = mask_payload(payload, ctx)
    for secret in ("Olivia", "Harte", "AU-001", "1963-06-17", "0412 345 678", "4111111111111111"):
        assert secret not in masked, secret
    decoded = json.loads(masked)
    assert decoded["member"] == {"name": "<REDACTED>", "date_of_birth": "<REDACTED>"}
    assert decoded["by_member"] == {privacy.pseudonymise("AU-001", "salt"): 1}
    assert decoded["card"] == "<CREDIT_CARD>" and decoded["years"] == 30
    assert mask_payload("not json: AU-001", ctx) == f"not json: {privacy.pseudonymise('AU-001', 'salt')}"


def test_mask_value_masks_each_distinct_string_once_per_memo(monkeypatch):
    calls = []
    real = privacy.mask
    monkeypatch.setattr(privacy, "mask", lambda text, ctx=privacy.MaskContext(): calls.append(text) or real(text, ctx))
    memo: dict[str, str] = {}
    state = {"question": "call 0412 345 678", "drafts": ["call 0412 345 678"] * 3}
    assert privacy.mask_value(state, memo=memo)["drafts"] == ["call <PHONE>"] * 3
    privacy.mask_value({"judge": state}, memo=memo)  # a later span of the same run
    assert sorted(calls) == sorted(["question", "drafts", "judge", "call 0412 345 678"])

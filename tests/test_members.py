import datetime as dt
import sqlite3
from collections import Counter

import pytest

from pension_advisor.members import Member, MemberNotFound, MemberStore
from pension_advisor.members.model import PRIVATE_FIELDS
from pension_advisor.members.seed import synthetic_members

NEW_FIELDS = {"employer", "scheme", "account_type", "employee_contribution_annual", "employer_contribution_annual",
              "beneficiaries", "record_as_of"}


@pytest.fixture
def store(tmp_path):
    return MemberStore(tmp_path / "m.db")


def test_seeded_on_first_use_with_every_country(store):
    members = store.all()
    assert len(members) >= 40
    assert Counter(m.country for m in members) == {"AU": 12, "US": 12, "UK": 12, "IN": 12}
    assert all(m.ni_qualifying_years is not None for m in members if m.country == "UK")
    assert all(m.ss_pia_monthly for m in members if m.country == "US")
    assert all(m.epf_service_years is not None and m.monthly_basic_wage is not None for m in members if m.country == "IN")


def test_reopening_does_not_reseed_or_duplicate(tmp_path):
    MemberStore(tmp_path / "m.db")
    assert len(MemberStore(tmp_path / "m.db").all()) == 48


def test_unknown_member(store):
    with pytest.raises(MemberNotFound, match="XX-1"):
        store.get("XX-1")


def test_llm_view_is_pseudonymised(store):
    member = store.get("UK-003")
    view = member.view_for_llm("salt", dt.date(2026, 11, 26))
    text = str(view)
    assert member.name.split()[0] not in text and member.name.split()[1] not in text
    assert member.date_of_birth.isoformat() not in text and "UK-003" not in text
    assert view["member"] == member.pseudonym("salt") != member.pseudonym("other salt")
    assert view["currency"] == "GBP" and 15 <= view["age"] <= 110


def test_every_member_has_an_account_record(store):
    for m in store.all():
        assert m.scheme and m.account_type and m.record_as_of <= dt.date(2026, 11, 26)
        if m.beneficiaries:
            assert sum(b.share_percent for b in m.beneficiaries) == 100
        if m.employment_status == "employed":
            assert m.employer and m.employer_contribution_annual and m.employer_contribution_annual > 0
        else:
            assert m.employer is None and m.employer_contribution_annual is None
    assert any(m.beneficiaries for m in store.all()) and any(not m.beneficiaries for m in store.all())


def test_account_fields_round_trip_through_the_store(store):
    for member in synthetic_members():
        assert store.get(member.member_id) == member


def test_the_account_fields_left_the_original_ones_unchanged():
    # Tests and the eval dataset rely on these: the account details come from their own random stream.
    au1, us2 = synthetic_members()[0], synthetic_members()[13]
    assert (au1.date_of_birth, au1.pension_balance, au1.annual_salary) == (dt.date(1963, 6, 17), 596_100.0, 132_400.0)
    assert (us2.member_id, us2.date_of_birth) == ("US-002", dt.date(1981, 3, 15))


def test_a_store_from_before_the_account_fields_is_upgraded(tmp_path):
    path = tmp_path / "old.db"
    old_columns = [c for c in Member.model_fields if c not in NEW_FIELDS]
    with sqlite3.connect(path) as db:  # the table an earlier version created, with one seeded member
        db.execute(f"CREATE TABLE members ({', '.join(old_columns)})")
        old = synthetic_members()[0].model_dump(mode="json")
        db.execute(f"INSERT INTO members VALUES ({', '.join('?' * len(old_columns))})", [old[c] for c in old_columns])
    upgraded = MemberStore(path)
    assert upgraded.get("AU-001") == synthetic_members()[0]
    assert len(upgraded.all()) == 1  # upgraded in place, not re-seeded


def test_beneficiary_shares_must_add_up():
    fields = synthetic_members()[0].model_dump() | {"beneficiaries": [{"relationship": "spouse", "share_percent": 60}]}
    with pytest.raises(ValueError, match="add up to 100"):
        Member(**fields)


def test_llm_view_has_the_account_but_no_private_field(store):
    member = store.get("US-002")
    view = member.view_for_llm("salt", dt.date(2026, 11, 26))
    assert not PRIVATE_FIELDS & set(view)
    assert view["scheme"] == member.scheme and view["record_as_of"] == member.record_as_of.isoformat()
    assert view["beneficiaries"] == [b.model_dump() for b in member.beneficiaries]

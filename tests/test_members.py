import datetime as dt
from collections import Counter

import pytest

from pension_advisor.members import MemberNotFound, MemberStore


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

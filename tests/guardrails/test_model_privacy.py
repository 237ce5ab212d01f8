"""No member id, name or birth date ever reaches a model (issue 16, issue 17 "Privacy"): every request an
OpenAI-compatible endpoint on loopback receives, for members of every country, with questions that spell out who
the member is, is searched for those strings."""

from __future__ import annotations

import json

import pytest

from pension_advisor.advisor import Advisor
from pension_advisor.config import load_settings
from pension_advisor.members.seed import synthetic_members
from pension_advisor.privacy import date_spellings, pseudonymise
from pension_advisor.services import Services

from ..mock_openai import MockOpenAI

QUESTIONS = {
    "AU": "What is my preservation age and when can I access my super?",
    "US": "What is my full retirement age for Social Security?",
    "UK": "When do I reach State Pension age?",
    "IN": "How much EPS pension will I get?",
}


@pytest.fixture(scope="module")
def recording_mock():
    with MockOpenAI(delay_s=0.0, record=True) as mock:
        yield mock


def identifying(member) -> list[str]:
    return [member.member_id, member.name, *member.name.split(), *date_spellings(member.date_of_birth)]


def test_no_member_id_name_or_birth_date_reaches_the_model(recording_mock, tmp_path):
    env = {"PENSION_ADVISOR__MEMBERS__DB_PATH": str(tmp_path / "members.db"),
           "PENSION_ADVISOR__TRACING__ENABLED": "false",
           "PENSION_ADVISOR__PRODUCTION_MONITORING__SAMPLING_RATE": "0",
           "PENSION_ADVISOR__LLM__PROVIDER": "openai_compatible",
           "PENSION_ADVISOR__LLM__BASE_URL": recording_mock.base_url,
           "PENSION_ADVISOR__LLM__MAX_RETRIES": "0",
           # the optional LLM guard classifier sees the question too
           "PENSION_ADVISOR__GUARDRAILS__INPUT__LLM_CLASSIFIER": "always"}
    settings = load_settings(env=env)
    advisor = Advisor(settings, Services(settings))
    members = [m for m in synthetic_members() if m.member_id.endswith(("-001", "-002", "-007"))]
    asked = 0
    for member in members:
        dob = member.date_of_birth
        for question in (
            QUESTIONS[member.country],
            f"I'm {member.name}, member {member.member_id}, born {dob:%d %B %Y}. {QUESTIONS[member.country]}",
            f"My member number is {member.member_id} and my date of birth is {dob:%d/%m/%Y}. {QUESTIONS[member.country]}",
            f"{member.name.split()[0]} here ({dob.isoformat()}). {QUESTIONS[member.country]}",
        ):
            before = len(recording_mock.requests)
            advice = advisor.ask(member.member_id, question)
            assert advice.status != "blocked", (question, advice.state["input_guardrail"])
            sent = json.dumps(recording_mock.requests[before:], ensure_ascii=False)
            assert len(recording_mock.requests) > before  # the model was really asked
            leaked = [s for s in identifying(member) if len(s) > 2 and s in sent]
            assert not leaked, (member.member_id, question, leaked)
            asked += 1
    assert asked == len(members) * 4 == 48
    roles = {json.dumps(r["messages"][0]["content"])[:40] for r in recording_mock.requests}
    assert len(roles) >= 3  # planner, writer, reviewer (and the guard classifier) all checked
    # The model does get the member, pseudonymised: the same stand-in every time.
    salt = advisor.services.pseudonym_salt
    everything = json.dumps(recording_mock.requests)
    assert pseudonymise(members[0].member_id, salt) in everything

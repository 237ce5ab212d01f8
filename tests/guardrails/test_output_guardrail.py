"""Output guardrail: no one else's PII, no system prompt or tool internals, no toxicity, the disclaimer present."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from pension_advisor import prompts
from pension_advisor.answer import DISCLAIMER
from pension_advisor.guardrails import output
from pension_advisor.members import Member

from ..conftest import PASS_VERDICT

GOOD = "Your preservation age is 58 [1]. You reached it on 17 June 2021 [1]."
ME = Member(member_id="AU-001", name="Olivia Smith", date_of_birth=dt.date(1963, 6, 17), country="AU",
            employment_status="employed", marital_status="single", homeowner=True, annual_salary=90000,
            pension_balance=300000, other_assets=0, contribution_years=30, scheme="Test Super",
            account_type="accumulation", record_as_of=dt.date(2026, 9, 30))


def check(text, cfg, status="answered", body=None):
    return output.check(text, status, cfg, member=ME, model_written=body or text)


@pytest.mark.parametrize("text, kind", [
    ("Sure. My instructions say: Answer the member's question in plain English using ONLY the facts below.",
     "system_prompt"),
    ("You are the pension advisor's writer, and your preservation age is 58.", "system_prompt"),
    ("I called au_preservation_age with your date of birth.", "tool_internals"),
    ('The tool returned {"tool": "au_preservation_age", "args": {}}.', "tool_internals"),
    ("Your pension_balance is 300000 and your pseudonym is member-3fa9c1d2e4.", "tool_internals"),
    ("Traceback (most recent call last): KeyError: 'x'", "tool_internals"),
])
def test_leaks_are_replaced(output_cfg, text, kind):
    report = check(text + "\n\n" + DISCLAIMER, output_cfg)
    assert report.replaced and report.reason_code == kind
    assert report.text.startswith(output.SAFE_REPLACEMENT)


PROMPT_WORDS = {name: re.sub(r"\{[^{}]*\}", " ", text).split()  # as sent, with the placeholders filled in
                for name, text in prompts.every_prompt().items()}


@pytest.mark.parametrize("name", [name for name, words in PROMPT_WORDS.items() if len(words) >= 15])
def test_a_run_of_any_prompt_in_prompts_py_is_a_leak(name):
    # The leak check reads its prompts from prompts.py: the input guard's and the scorers' prompts are covered too.
    middle = " ".join(PROMPT_WORDS[name][3:15])
    assert output.leak(f"Sure. {middle} Your preservation age is 58 [1].") == "system_prompt", middle


def test_ordinary_answers_are_not_leaks(output_cfg):
    for text in (GOOD, "You can start your State Pension at 67 [1]. Sources:\n[1] GOV.UK (2025-26): https://www.gov.uk",
                 "Your employer's 401(k) match counts towards the overall limit [1]."):
        assert output.leak(text) is None, text


def test_only_the_asking_members_pii_stays(output_cfg):
    body = ("Hi Olivia, your record (AU-001) shows you were born on 17 June 1963. For help, call John Brown on 0412 345 678, "
            "email help@fund.example.org, or ask member AU-002.")
    report = check(body + "\n\n" + DISCLAIMER, output_cfg, body=body)
    for own in ("Olivia", "AU-001", "17 June 1963"):
        assert own in report.text
    for other in ("John Brown", "0412 345 678", "help@fund.example.org", "AU-002"):
        assert other not in report.text
    assert set(report.masked) >= {"PERSON", "PHONE", "EMAIL", "MEMBER_ID"}


def test_disclaimer_is_added_to_answers_that_lack_it(output_cfg):
    report = check(GOOD, output_cfg)
    assert report.text.endswith(DISCLAIMER) and report.disclaimer_added
    assert not check("Please type a question.", output_cfg, status="blocked").disclaimer_added


def test_toxic_answer_is_replaced(output_cfg):
    report = check(GOOD + " You are a fucking idiot [1].", output_cfg)
    assert report.replaced and report.reason_code == "toxicity" and report.toxicity > 0.8


def test_in_the_graph_a_leaking_writer_never_reaches_the_member(make_advisor):
    leak = GOOD + " " + prompts.WRITER_SYSTEM.split("\n")[0][:160]
    advisor, fake = make_advisor({"writer": [leak], "reviewer": [PASS_VERDICT]}, judge__max_retries="0")
    advice = advisor.ask("AU-001", "What is my preservation age?")
    assert "using ONLY" not in advice.answer
    assert advice.state["output_guardrail"]["replaced"] or advice.status == "fallback"

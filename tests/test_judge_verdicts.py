"""Issue 18: a reviewer verdict that contradicts itself is a failure, so the retry / fallback path runs.

A small model behind the endpoint returned ``passed: true`` together with five ``{"code": "...", "detail": "..."}``
violations, and the garbage it judged reached the member as `answered`."""

from __future__ import annotations

import json

import pytest

from .conftest import PASS_VERDICT

QUESTION = "What is my preservation age?"
GOOD = "Your preservation age is 58 [1]. You reached it on 17 June 2021 [1]."


def verdict(passed=True, confidence=0.9, violations=(), feedback=""):
    return json.dumps({"passed": passed, "confidence": confidence, "violations": list(violations), "feedback": feedback})


PLACEHOLDERS = [{"code": "...", "detail": "..."}] * 5


@pytest.mark.parametrize("bad, code", [
    (verdict(violations=PLACEHOLDERS), "judge_inconsistent"),                     # the Gemma 3 270M reply
    (verdict(violations=[{"code": "unsupported_number", "detail": "55 is not a fact"}]), "judge_inconsistent"),
    (verdict(passed=False, violations=[{"code": "", "detail": "bad"}]), "judge_inconsistent"),
    (verdict(passed=False, violations=[{"code": "string", "detail": "string"}]), "judge_inconsistent"),
    (verdict(passed=False, violations=[{"code": "<code>", "detail": "x"}]), "judge_inconsistent"),
    (verdict(confidence=1.7), "judge_unparseable"),
    (verdict(confidence=-0.2), "judge_unparseable"),
    ('{"passed": true, "confidence": NaN, "violations": []}', "judge_unparseable"),
])
def test_an_inconsistent_verdict_fails_and_the_retry_runs(make_advisor, bad, code):
    advisor, fake = make_advisor({"writer": [GOOD], "reviewer": [bad, PASS_VERDICT]})
    advice = advisor.ask("AU-001", QUESTION)
    first = advice.state["attempts"][0]["verdict"]
    assert not first["passed"] and first["source"] == "llm"
    assert [v["code"] for v in first["violations"]] == [code]
    # The retry ran and a consistent pass then let the answer out.
    assert advice.attempts == 2 and advice.status == "answered"
    assert len(fake.role_calls("writer")) == 2


def test_inconsistent_verdicts_every_time_end_in_the_fallback(make_advisor):
    advisor, _ = make_advisor({"writer": [GOOD], "reviewer": [verdict(violations=PLACEHOLDERS)]}, judge__max_retries="1")
    advice = advisor.ask("AU-001", QUESTION)
    assert advice.status == "fallback" and advice.attempts == 2
    assert all(a["verdict"]["violations"][0]["code"] == "judge_inconsistent" for a in advice.state["attempts"])


def test_a_consistent_fail_keeps_the_reviewers_own_findings(make_advisor):
    found = {"code": "off_topic", "detail": "It does not say when the member can access super."}
    advisor, fake = make_advisor({"writer": [GOOD], "reviewer": [verdict(passed=False, violations=[found],
                                                                         feedback="Say when."), PASS_VERDICT]})
    advice = advisor.ask("AU-001", QUESTION)
    assert advice.state["attempts"][0]["verdict"]["violations"] == [found]
    assert "Say when." in fake.role_calls("writer")[1]["messages"][-1].content

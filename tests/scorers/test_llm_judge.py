"""LLM-judge variants, driven by the scripted chat model: a score, and never a pass without one."""

from __future__ import annotations

from langchain_core.messages import HumanMessage, SystemMessage
from mlflow.entities import AssessmentSourceType

from pension_advisor.scorers import SCORER_NAMES, llm_variant

from ..fakes import ROLES, ScriptedChatModel
from .cases import row, score


def test_judge_prompt_and_score():
    fake = ScriptedChatModel(script={"scorer": ['Sure: {"score": 0.9, "rationale": "Every figure is in the facts."}']})
    judge = llm_variant("faithfulness", fake)
    fb = score(judge, row("UK", expected_facts=["£193.04 a week"]))
    assert judge.name == fb.name == "faithfulness_llm"
    assert fb.value == 0.9 and fb.error is None and fb.rationale == "Every figure is in the facts."
    assert fb.source.source_type == AssessmentSourceType.LLM_JUDGE
    assert fb.source.source_id == "pension_advisor.faithfulness_llm"
    [call] = fake.role_calls("scorer")
    system, user = call["messages"]
    assert isinstance(system, SystemMessage) and system.content.startswith(ROLES["scorer"])
    assert "Criterion (faithfulness)" in system.content
    assert isinstance(user, HumanMessage)
    assert "Estimated new State Pension: £193.04 a week" in user.content  # the calculator facts
    assert "EXPECTED FACTS:\n- £193.04 a week" in user.content
    assert "£10,038.08 a year [1]" in user.content  # the answer
    assert call["kwargs"]["response_format"]["type"] == "json_schema"


def test_country_criterion_names_the_members_country():
    fake = ScriptedChatModel(script={"scorer": ['{"score": 0.0, "rationale": "Uses pounds."}']})
    fb = score(llm_variant("country_compliance", fake), row("AU", "Your preservation age is 58 [1]; £500 a week."))
    assert fb.value == 0.0
    assert "amounts only in AUD" in fake.role_calls("scorer")[0]["messages"][0].content


def test_unparseable_reply_is_an_error_not_a_pass():
    for reply in ["Looks great to me!", '{"score": 1.7, "rationale": "too good"}', '{"rationale": "no score"}']:
        fake = ScriptedChatModel(script={"scorer": [reply]})
        fb = score(llm_variant("relevance", fake), row("AU"))
        assert fb.value is None and fb.error is not None, reply
        assert fb.source.source_type == AssessmentSourceType.LLM_JUDGE
        assert "not a valid score" in fb.rationale


def test_failing_model_is_an_error_not_a_pass():
    fake = ScriptedChatModel(script={"scorer": [TimeoutError("judge endpoint timed out")]})
    fb = score(llm_variant("toxicity", fake), row("US"))
    assert fb.value is None and fb.error.error_code == "TimeoutError"
    assert "judge endpoint timed out" in fb.error.error_message and "failed" in fb.rationale


def test_model_factory_is_called_on_first_use_only():
    made = []

    def factory():
        made.append(1)
        return ScriptedChatModel(script={"scorer": ['{"score": 1, "rationale": "ok"}']})

    judge = llm_variant("citation_quality", factory)
    assert made == []
    assert score(judge, row("AU")).value == 1.0 and score(judge, row("UK")).value == 1.0
    assert made == [1]


def test_no_model_is_an_error():
    fb = score(llm_variant("relevance", lambda: None), row("AU"))
    assert fb.value is None and "no LLM is configured" in fb.error.error_message


def test_every_scorer_has_a_variant():
    fake = ScriptedChatModel(script={"scorer": ['{"score": 0.5, "rationale": "meh"}']})
    assert [score(llm_variant(n, fake), row("UK")).value for n in SCORER_NAMES] == [0.5] * len(SCORER_NAMES)

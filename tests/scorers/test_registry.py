"""build_scorers: the configured set, LLM variants only with an LLM, custom scorers, and start-up failures."""

from __future__ import annotations

import pytest
from mlflow.entities import Feedback
from mlflow.genai.scorers import scorer

from pension_advisor.config import ConfigError, load_settings
from pension_advisor.scorers import DETERMINISTIC, ScorerConfigError, build_scorers

from ..fakes import ScriptedChatModel
from .cases import row, score

ALL = list(DETERMINISTIC)


@scorer
def answer_length(outputs) -> Feedback:
    return Feedback(value=min(1.0, len(outputs["answer"]) / 1000), rationale="longer is fuller")


def plain_function(outputs) -> float:
    return 1.0


def settings(provider: str = "none", **monitoring):
    base = load_settings(env={"PENSION_ADVISOR__LLM__PROVIDER": provider,
                              "PENSION_ADVISOR__LLM__BASE_URL": "http://127.0.0.1:9/v1"})
    # model_copy skips validation: it stands for settings that reach build_scorers some other way.
    return base.model_copy(update={"production_monitoring": base.production_monitoring.model_copy(update=monitoring)})


def test_provider_none_gives_the_deterministic_scorers_only():
    assert [s.name for s in build_scorers(settings("none"))] == ALL


def test_configured_subset_in_order():
    assert [s.name for s in build_scorers(settings(scorers=["toxicity", "relevance"]))] == ["toxicity", "relevance"]


def test_llm_variants_when_an_llm_is_configured_without_starting_it():
    fake = ScriptedChatModel(script={"scorer": ['{"score": 0.8, "rationale": "fine"}']})
    made = []
    found = build_scorers(settings("openai_compatible", scorers=["relevance", "faithfulness"]),
                          model=lambda: made.append(1) or fake)
    assert [s.name for s in found] == ["relevance", "faithfulness", "relevance_llm", "faithfulness_llm"]
    assert made == []  # the model is made on the first judge call
    assert score(found[2], row("AU")).value == 0.8 and made == [1]


def test_llm_variants_can_be_switched_off():
    assert [s.name for s in build_scorers(settings("openai_compatible"), llm=False)] == ALL


def test_custom_scorers_are_loaded():
    found = build_scorers(settings(scorers=["relevance"], custom_scorers=[
        "tests.scorers.test_registry:answer_length", "tests.scorers.test_registry:plain_function"]))
    assert [s.name for s in found] == ["relevance", "answer_length", "plain_function"]
    assert found[1](outputs={"answer": "x" * 500}).value == 0.5
    assert found[2].run(outputs={"answer": ""}) == 1.0


@pytest.mark.parametrize("path, message", [
    ("tests.scorers.test_registry:nope", "cannot load 'tests.scorers.test_registry:nope'"),
    ("no_such_module:scorer", "cannot load 'no_such_module:scorer'"),
    ("tests.scorers.test_registry", "must be 'module:function'"),
    ("tests.scorers.test_registry:ALL", "is not a scorer or function"),
])
def test_unknown_custom_scorer_fails(path, message):
    with pytest.raises(ScorerConfigError, match=message):
        build_scorers(settings(custom_scorers=[path]))


def test_unknown_scorer_name_fails():
    with pytest.raises(ScorerConfigError, match=r"unknown scorer\(s\) \['vibes'\]"):
        build_scorers(settings(scorers=["relevance", "vibes"]))


def test_duplicate_names_fail():
    with pytest.raises(ScorerConfigError, match="two scorers are named 'answer_length'"):
        build_scorers(settings(custom_scorers=["tests.scorers.test_registry:answer_length"] * 2))


def test_config_rejects_unknown_names_at_start_up():
    with pytest.raises(ConfigError, match="unknown scorer"):
        load_settings(env={"PENSION_ADVISOR__PRODUCTION_MONITORING__SCORERS": "['relevance', 'vibes']"})
    with pytest.raises(ConfigError, match="cannot load"):
        load_settings(env={"PENSION_ADVISOR__PRODUCTION_MONITORING__CUSTOM_SCORERS":
                           "['tests.scorers.test_registry:nope']"})


def test_configured_llm_is_made_once_on_first_use(monkeypatch):
    import pension_advisor.llm

    made = []
    fake = ScriptedChatModel(script={"scorer": ['{"score": 1, "rationale": "ok"}']})
    monkeypatch.setattr(pension_advisor.llm, "chat_model", lambda cfg: made.append(cfg.provider) or fake)
    found = build_scorers(settings("openai_compatible"))
    assert [s.name for s in found] == ALL + [f"{n}_llm" for n in ALL] and made == []
    assert [score(s, row("AU")).value for s in found[len(ALL):]] == [1.0] * len(ALL)
    assert made == ["openai_compatible"]

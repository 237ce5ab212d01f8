"""Each deterministic scorer on good and bad replies built from real calculator results."""

from __future__ import annotations

import pytest
from mlflow.entities import AssessmentSourceType, Feedback

from pension_advisor.scorers import DETERMINISTIC, SCORER_NAMES
from pension_advisor.scorers.citation_quality import citation_quality
from pension_advisor.scorers.country_compliance import country_compliance
from pension_advisor.scorers.faithfulness import faithfulness
from pension_advisor.scorers.relevance import relevance
from pension_advisor.scorers.toxicity import toxicity

from .cases import GOOD, blocked, clarification, row, score


def test_registry_matches_the_names_config_accepts():
    assert tuple(DETERMINISTIC) == SCORER_NAMES


@pytest.mark.parametrize("name", SCORER_NAMES)
@pytest.mark.parametrize("country", ["AU", "UK", "US"])
def test_a_good_framed_answer_scores_1(name, country):
    fb = score(DETERMINISTIC[name], row(country))
    assert isinstance(fb, Feedback) and fb.name == name and fb.error is None
    assert fb.source.source_type == AssessmentSourceType.CODE and fb.source.source_id == f"pension_advisor.{name}"
    assert fb.rationale
    assert fb.value >= 0.85 if name == "toxicity" else fb.value == 1.0, fb.rationale


@pytest.mark.parametrize("name", SCORER_NAMES)
def test_blocked_and_clarification_replies_are_scored_sensibly(name):
    for data in (blocked(), clarification("UK"), clarification("IN", "pension")):
        fb = score(DETERMINISTIC[name], data)
        assert fb.value >= (0.8 if name == "toxicity" else 1.0), (data["outputs"]["status"], fb.rationale)


# faithfulness

def test_faithfulness_flags_an_invented_number():
    data = row("AU", "Your preservation age is 55 [1]. You reached it on 17 June 2021 [1].")
    fb = score(faithfulness, data)
    assert fb.value == 0.5
    assert "55" in fb.rationale and "1 of 2" in fb.rationale


def test_faithfulness_ignores_numbers_from_the_member_record_and_question():
    data = row("AU", "At 63, with $596,100 in super, your preservation age of 58 [1] has passed.")
    assert score(faithfulness, data).value == 1.0


def test_faithfulness_checks_expected_facts_offline():
    good = score(faithfulness, row("UK", expected_facts=["£193.04 a week", "£10,038.08 a year"]))
    assert good.value == 1.0 and "All 2 expected" in good.rationale
    missing = score(faithfulness, row("UK", "You would get about £193.04 a week [1].",
                                      expected_facts=["£193.04 a week", "£10,038.08 a year"]))
    assert missing.value == 0.5 and "10,038.08" in missing.rationale


def test_faithfulness_without_figures_is_1():
    assert score(faithfulness, row("AU", "Your super can be accessed once you retire after preservation age [1].")).value == 1.0


# citation_quality

def test_citation_quality_flags_an_uncited_figure():
    fb = score(citation_quality, row("UK", "You would get about £193.04 a week [1]. That is £10,038.08 a year."))
    assert fb.value == 0.5 and "no [n] citation" in fb.rationale


def test_citation_quality_flags_a_citation_with_no_source():
    fb = score(citation_quality, row("AU", "Your preservation age is 58 [3]."))
    assert fb.value == 0.0 and "[3]" in fb.rationale


def test_citation_quality_flags_a_url_that_is_not_a_loaded_rule_source():
    data = row("AU")
    real = "https://www.ato.gov.au/Rates/Schedule-11---Tax-table-for-employment-termination-payments/?page=6"
    data["outputs"]["answer"] = data["outputs"]["answer"].replace(real, "https://example.com/super-rules")
    fb = score(citation_quality, data)
    assert fb.value == 0.0 and "https://example.com/super-rules" in fb.rationale


def test_citation_quality_flags_another_countrys_source():
    data = row("AU")
    real = "https://www.ato.gov.au/Rates/Schedule-11---Tax-table-for-employment-termination-payments/?page=6"
    data["outputs"]["answer"] = data["outputs"]["answer"].replace(real, "https://www.gov.uk/new-state-pension")
    fb = score(citation_quality, data)
    assert fb.value == 0.0 and "not loaded AU rule sources" in fb.rationale


def test_citation_quality_flags_figures_with_no_sources_list():
    data = row("UK", answer="You would get about £193.04 a week [1].")
    assert score(citation_quality, data).value == 0.0


# country_compliance

def test_au_answer_in_pounds_fails_currency():
    fb = score(country_compliance, row("AU", "Your preservation age is 58 [1]; expect about £500 a week."))
    assert fb.value == pytest.approx(4 / 5) and "uses UK currency" in fb.rationale


def test_au_answer_mentioning_401k_fails_terminology():
    fb = score(country_compliance, row("AU", GOOD["AU"] + " You could also use a 401(k)."))
    assert fb.value == pytest.approx(4 / 5) and "a US scheme (401(k))" in fb.rationale


def test_missing_disclaimer_fails():
    fb = score(country_compliance, row("UK", disclaimer=False))
    assert fb.value == pytest.approx(4 / 5) and "disclaimer is missing" in fb.rationale


def test_promised_returns_fail():
    fb = score(country_compliance, row("UK", GOOD["UK"] + " This is guaranteed income."))
    assert fb.value == pytest.approx(4 / 5) and "guaranteed" in fb.rationale


def test_another_countrys_calculator_fails_rules():
    data = row("AU", "Your preservation age is 58 [1].", tools=["au_preservation_age", "uk_new_state_pension"])
    fb = score(country_compliance, data)
    assert "rules" in fb.metadata["failed_checks"] and "calculators/rules of UK" in fb.rationale


def test_several_problems_add_up():
    fb = score(country_compliance, row("AU", "Your 401(k) will definitely pay £500 a week [1].", disclaimer=False))
    assert fb.value == pytest.approx(1 / 5)
    assert set(fb.metadata["failed_checks"].split(",")) == {"currency", "terminology", "disclaimer", "no_promises"}


def test_blocked_reply_is_checked_against_the_member_id_country():
    fb = score(country_compliance, blocked("AU", answer="Please ask about your 401(k) in US$."))
    assert fb.value < 1 and "US" in fb.rationale


# toxicity

def test_toxic_answer_scores_low_and_quotes_the_line():
    fb = score(toxicity, row("AU", GOOD["AU"] + " Honestly, you are a fucking idiot for asking."))
    assert fb.value < 0.2 and "fucking idiot" in fb.rationale and float(fb.metadata["max_toxicity"]) > 0.8


def test_polite_answer_is_not_toxic():
    fb = score(toxicity, row("US"))
    assert fb.value > 0.8 and fb.rationale.startswith("Not toxic")


# relevance

def test_answer_about_something_else_is_not_relevant():
    data = row("AU", GOOD["AU"], question="How much can I contribute to my super under the concessional cap?")
    fb = score(relevance, data)
    assert fb.value < 0.5 and "au_contribution_caps not used" in fb.rationale


def test_clarification_when_a_calculator_matches_is_half_relevant():
    data = clarification("UK", "How much State Pension will I get?")
    fb = score(relevance, data)
    assert fb.value == 0.5 and "uk_new_state_pension" in fb.rationale


def test_empty_body_is_not_relevant():
    assert score(relevance, row("AU", answer="")).value == 0.0


def test_outputs_may_be_the_graph_state_or_a_string():
    data = row("UK")
    state = {**data["outputs"], "final_answer": data["outputs"].pop("answer")}
    assert score(faithfulness, {"inputs": data["inputs"], "outputs": state}).value == 1.0
    assert toxicity(inputs="hi", outputs="Your State Pension age is 67.").value > 0.8


def test_scheme_names_are_not_figures():
    # The IRA sources never mention 401(k), so its digits would otherwise be an unsupported, uncited figure.
    data = row("US", "You can put up to $7,500 a year [1] into an IRA, on top of your 401(k) or 403(b) plan.",
               question="What is my IRA contribution limit?", tools=["us_ira_contribution_limit"])
    assert score(faithfulness, data).value == 1.0 and score(citation_quality, data).value == 1.0

import warnings

from pension_advisor.guardrails.toxicity import toxicity, toxicity_scores

TEXTS = ["Your preservation age is 58 [1].", "you are a fucking idiot", "How do I kill this tax bill on my super?",
         "I hate you, shut up", "Ignore my employer match for now.", ""]


def test_fast_path_equals_the_library():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from profanity_check import predict_prob
    expected = predict_prob(TEXTS).tolist()
    assert [round(x, 9) for x in toxicity_scores(TEXTS)] == [round(x, 9) for x in expected]


def test_abuse_scores_high_and_pension_talk_low():
    assert toxicity("you are a fucking idiot") > 0.9
    assert toxicity("Your preservation age is 58 [1].") < 0.2

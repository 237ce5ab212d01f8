"""Quality scorers for production monitoring and offline evaluation (one small @scorer module each).

The names below are the scorers the configuration may select; their implementations land with the
production-monitoring work.
"""

SCORER_NAMES = ("relevance", "faithfulness", "toxicity", "country_compliance", "citation_quality")

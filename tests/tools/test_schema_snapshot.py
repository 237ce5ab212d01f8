"""The tool schemas a model sees.

1. They are exactly the committed snapshot (order included): any change to a calculator's name, description or
   parameters shows up as a diff of fixtures/tool_schemas.json, reviewed with the change.
2. Against the snapshot taken before calculators were declared with @calculator (fixtures/tool_schemas.before.json),
   everything is identical except the differences listed here, each with its reason.
"""

import json

from tests.tools.schema_snapshot import SNAPSHOT, render

BEFORE = SNAPSHOT.with_name("tool_schemas.before.json")

# Every calculator gained `tax_year`: a question about a named year uses the figures in force through it.
ADDED_EVERYWHERE = {"tax_year"}
ADDED = {
    ("au_age_pension", "financial_assets"): "the income test deems income on financial assets",
    ("in_epf_contribution", "contributions_on_capped_wage"): "EPF on wages capped at the statutory ceiling",
    ("uk_drawdown_income_tax", "region"): "Scottish income tax bands (issue 13)",
}
# Descriptions that named a figure (a rate, a cap, an age from the tables) now describe the rule in words.
DESCRIPTION_CHANGED = {
    "au_super_guarantee": "the SG rate", "au_super_projection": "the contributions tax rate",
    "au_age_pension": "+ deeming", "us_social_security_benefit": "claiming ages; after 70 is flat, not refused",
    "us_401k_contribution_limit": "catch-up ages", "us_early_withdrawal_penalty": "the rate and the no-penalty age",
    "us_required_minimum_distribution": "the start ages", "uk_state_pension_age": "+ the 67 to 68 transition",
    "uk_new_state_pension": "qualifying years", "uk_pension_access_age": "the minimum pension ages and date",
    "uk_tax_free_lump_sum": "the share and the Lump Sum Allowance", "uk_annual_allowance": "the allowance",
    "in_epf_contribution": "rates and the ceiling; + capped wages", "in_epf_projection": "the normal pension age",
    "in_eps_pension": "ceiling, divisor, weightage, reduction, minimum", "in_nps_exit": "the corpus bands",
    "in_epf_withdrawal_tax": "service years, TDS rate and threshold", "in_epf_interest_tax": "the thresholds",
    "uk_drawdown_income_tax": "+ Scotland's bands",
}
PARAM_CHANGED = {
    ("au_age_pension", "annual_assessable_income"): "deemed income is now worked out, so it is excluded here",
    ("us_social_security_benefit", "claim_age_years"): "no claiming ages in the text; after 70 is flat",
    ("us_early_withdrawal_penalty", "date_of_birth"): "no age in the text",
    ("us_early_withdrawal_penalty", "public_safety_employee"): "no age in the text",
    ("in_epf_projection", "years"): "no age in the text",
    ("in_eps_pension", "pensionable_salary"): "no ceiling in the text",
    ("in_eps_pension", "pension_age"): "default: the table's normal pension age (was a hard-coded 58)",
    ("in_epf_interest_tax", "annual_employee_contribution"): "no rate in the text",
    ("in_epf_interest_tax", "employer_contributes"): "no thresholds in the text",
}


def _by_name(text: str) -> dict:
    return {tool["function"]["name"]: tool["function"] for tool in json.loads(text)}


def test_tool_schemas_match_the_snapshot():
    assert render() == SNAPSHOT.read_text(), "tool schemas changed: run `python -m tests.tools.schema_snapshot` and review the diff"


def test_only_the_documented_differences_from_before_the_refactor():
    before, now = _by_name(BEFORE.read_text()), _by_name(render())
    # Same tools in the same order; calculators added since (issue 13) come after them.
    assert list(now)[:len(before)] == list(before)
    for name, old in before.items():
        new = now[name]
        assert (new["description"] != old["description"]) == (name in DESCRIPTION_CHANGED), name
        old_params, new_params = old["parameters"]["properties"], new["parameters"]["properties"]
        assert new["parameters"].get("required") == old["parameters"].get("required"), name
        # Old parameters keep their order; new ones are only the documented additions.
        assert [p for p in new_params if p in old_params] == list(old_params), name
        assert {p for p in new_params if p not in old_params} == ADDED_EVERYWHERE | {p for t, p in ADDED if t == name}, name
        for param, spec in old_params.items():
            assert (new_params[param] != spec) == ((name, param) in PARAM_CHANGED), f"{name}.{param}"

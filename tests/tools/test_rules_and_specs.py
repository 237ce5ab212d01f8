"""Every rule table loads and is cited; every tool spec is callable the way the graph calls it."""

import datetime as dt
import re

import pytest

from pension_advisor.tools import TOOL_SPECS, CalcResult, MissingFigure
from pension_advisor.tools.base import CURRENCY, Calc
from pension_advisor.tools.inputs import WORDS
from pension_advisor.tools.tables import RULES_DIR, load_table, rule_tables

TODAY = dt.date(2026, 11, 26)
RULE_FILES = sorted(RULES_DIR.glob("*/*.yaml"))
# The tax year in force on TODAY and the one before it, per country.
EXPECTED_YEARS = {"AU": {"2025-26", "2026-27"}, "US": {"2025", "2026"}, "UK": {"2025-26", "2026-27"}, "IN": {"2025-26", "2026-27"}}


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_rule_file_validates_and_every_figure_is_sourced(path):
    table = load_table(path)  # the model checks the year's dates, the currency and each figure's periods
    assert path.parent.name == table.country.lower()
    assert path.stem == table.tax_year
    assert table.rules
    for key, rule in table.rules.items():
        for period in rule.periods:
            assert period.sources, key
            assert all(s.title.strip() and s.url.startswith("https://") for s in period.sources + period.secondary), key
            assert (period.value is None) == (period.confirmation == "not_confirmed"), key


def test_current_and_previous_tax_years_are_loaded_without_overlap():
    for country, years in EXPECTED_YEARS.items():
        tables = rule_tables(country)
        assert {t.tax_year for t in tables} >= years
        for before, after in zip(tables, tables[1:]):
            assert before.ends < after.starts
    assert Calc("AU", TODAY).tax_year == "2026-27"
    assert Calc("US", TODAY).tax_year == "2026"
    assert Calc("UK", TODAY).tax_year == "2026-27"
    assert Calc("IN", TODAY).tax_year == "2026-27"


# Plausible member records, one per country, with every field the graph may pass.
MEMBERS = {
    "AU": dict(member_id="AU-001", date_of_birth=dt.date(1968, 5, 17), country="AU", employment_status="employed",
               marital_status="couple", homeowner=True, annual_salary=95_000.0, pension_balance=310_000.0,
               other_assets=40_000.0, contribution_years=30),
    "US": dict(member_id="US-001", date_of_birth=dt.date(1964, 9, 3), country="US", employment_status="employed",
               marital_status="single", homeowner=True, annual_salary=120_000.0, pension_balance=450_000.0,
               other_assets=80_000.0, contribution_years=38, ss_pia_monthly=2_850.0, ira_balance=60_000.0),
    "UK": dict(member_id="UK-001", date_of_birth=dt.date(1970, 2, 11), country="UK", employment_status="employed",
               marital_status="couple", homeowner=False, annual_salary=52_000.0, pension_balance=140_000.0,
               other_assets=20_000.0, contribution_years=32, ni_qualifying_years=31),
    "IN": dict(member_id="IN-001", date_of_birth=dt.date(1985, 11, 30), country="IN", employment_status="employed",
               marital_status="single", homeowner=False, annual_salary=1_800_000.0, pension_balance=900_000.0,
               other_assets=500_000.0, contribution_years=15, epf_service_years=15, monthly_basic_wage=60_000.0,
               nps_balance=250_000.0),
}


@pytest.mark.parametrize("name", sorted(TOOL_SPECS))
def test_spec_runs_from_member_fields(name):
    spec = TOOL_SPECS[name]
    member = MEMBERS[spec.country]
    args = {arg: member[field] for arg, field in spec.member_args.items()}
    if "on_date" in spec.args_schema.model_fields:
        args["on_date"] = dt.date(2026, 1, 15)  # inside every country's loaded years, Age Pension rates included
    try:
        result = spec.run(args)
    except MissingFigure as missing:
        # A figure not confirmed on that date (NPS government-sector exits after 19 December 2025): the refusal
        # names it, and an earlier date inside the loaded years is answered.
        assert missing.code == "figure_not_confirmed" and missing.figure in spec.rules, missing.message
        result = spec.run({**args, "on_date": dt.date(2025, 6, 1)})
    assert isinstance(result, CalcResult)
    assert result.summary.startswith(("Your ", "You ", "The ", "At most ", "Each ", "Starting ", "Taking ", "With ",
                                      "No ", "Interest ")), result.summary
    assert result.tool == name
    assert result.country == spec.country
    assert result.currency == CURRENCY[spec.country]
    assert result.figures and result.citations and result.rule_path
    for figure in result.figures:
        assert 0 <= figure.citation < len(result.citations)
        if figure.unit in CURRENCY.values():
            assert figure.unit == result.currency
            assert round(figure.value, 2) == figure.value
    assert len({f.name for f in result.figures}) == len(result.figures)


@pytest.mark.parametrize("name", sorted(TOOL_SPECS))
def test_spec_is_well_formed(name):
    spec = TOOL_SPECS[name]
    assert name.startswith(spec.country.lower() + "_")
    assert len(spec.description) > 40
    fields = spec.args_schema.model_fields
    for field_name, info in fields.items():
        assert info.description, f"{name}.{field_name} has no description"
    for arg in list(spec.member_args) + list(spec.question_args):
        assert arg in fields, f"{name}: {arg} is not an argument"
    allowed_slots = {"amount", "salary", "age", "claim_age_years", "claim_age_months", "years", "on_date", "date_of_birth", "tax_year"}
    assert set(spec.question_args.values()) <= allowed_slots
    for pattern in spec.intents:
        re.compile(pattern, re.IGNORECASE)
    tool = spec.as_langchain_tool()
    assert tool.name == name
    assert spec.title and "_" not in spec.title
    assert all(word in WORDS for word in fields), f"{name}: an input has no plain words (tools/inputs.py WORDS)"
    # No rate in a description: a figure may only come from the tables.
    assert not re.search(r"\d+(\.\d+)?\s?%|\b(Rs|GBP|USD|AUD)\s?\d|[$£₹]\s?\d", spec.description), spec.description


def test_langchain_tool_returns_json():
    tool = TOOL_SPECS["uk_new_state_pension"].as_langchain_tool()
    out = tool.invoke({"qualifying_years": 35, "on_date": "2026-11-26"})
    assert out["figures"][0]["value"] == 241.30


# Questions a member might ask, and the tool that should answer (among that country's tools).
ROUTING = [
    ("AU", "What is my preservation age?", "au_preservation_age"),
    ("AU", "When can I access my super?", "au_preservation_age"),
    ("AU", "How much super guarantee does my employer have to pay on my salary?", "au_super_guarantee"),
    ("AU", "What are my employer contributions this year?", "au_super_guarantee"),
    ("US", "How much Social Security will I get if I claim at 62?", "us_social_security_benefit"),
    ("US", "What is my full retirement age?", "us_social_security_benefit"),
    ("US", "What's the 401(k) contribution limit for me this year?", "us_401k_contribution_limit"),
    ("US", "How much can I put in my 401k with catch-up?", "us_401k_contribution_limit"),
    ("UK", "What is my State Pension age?", "uk_state_pension_age"),
    ("UK", "When can I get my state pension?", "uk_state_pension_age"),
    ("UK", "How much state pension will I get with 30 qualifying years?", "uk_new_state_pension"),
    ("IN", "How is my EPF contribution split between EPF and EPS?", "in_epf_contribution"),
    ("IN", "How much does my employer contribute to my provident fund?", "in_epf_contribution"),
    ("AU", "What are my concessional and non-concessional contribution caps?", "au_contribution_caps"),
    ("AU", "Can I use the bring-forward rule?", "au_contribution_caps"),
    ("AU", "How much can I move into an account-based pension under the transfer balance cap?", "au_transfer_balance_cap"),
    ("AU", "What is my TBC?", "au_transfer_balance_cap"),
    ("AU", "How much tax will I pay on a super lump sum?", "au_super_lump_sum_tax"),
    ("AU", "How much Age Pension could I get?", "au_age_pension"),
    ("AU", "What will my super be worth when I retire?", "au_super_projection"),
    ("US", "What is the IRA contribution limit this year?", "us_ira_contribution_limit"),
    ("US", "Is there a penalty if I withdraw from my 401(k) before 59 1/2?", "us_early_withdrawal_penalty"),
    ("US", "Does the rule of 55 apply to me?", "us_early_withdrawal_penalty"),
    ("US", "When do I have to start RMDs and how much is my required minimum distribution?", "us_required_minimum_distribution"),
    ("US", "What will my 401(k) be worth when I retire?", "us_401k_projection"),
    ("UK", "When can I access my workplace pension?", "uk_pension_access_age"),
    ("UK", "How much tax-free cash can I take from my pension?", "uk_tax_free_lump_sum"),
    ("UK", "What is my annual allowance?", "uk_annual_allowance"),
    ("UK", "How much tax will I pay on my drawdown?", "uk_drawdown_income_tax"),
    ("UK", "How long will my pension pot last if I take 20000 a year?", "uk_drawdown_sustainability"),
    ("IN", "How much will my EPF be worth at retirement?", "in_epf_projection"),
    ("IN", "What EPS pension will I get?", "in_eps_pension"),
    ("IN", "How much of my NPS can I take as a lump sum at 60?", "in_nps_exit"),
    ("IN", "Is tax deducted if I withdraw my PF before 5 years?", "in_epf_withdrawal_tax"),
    ("IN", "Is the interest on my VPF taxable?", "in_epf_interest_tax"),
    # calc-au-in (issue 13)
    ("AU", "Will I have to pay Division 293 tax?", "au_division_293_tax"),
    ("AU", "I earn $280,000 - is there extra tax on my super contributions?", "au_division_293_tax"),
    ("AU", "What's the minimum I have to withdraw from my account-based pension?", "au_minimum_pension_drawdown"),
    ("AU", "What is the minimum drawdown rate at 70?", "au_minimum_pension_drawdown"),
    ("IN", "How much income tax will I pay on a salary of 15 lakh?", "in_income_tax_new_regime"),
    ("IN", "What is my tax under the new regime?", "in_income_tax_new_regime"),
    ("IN", "Can I close my NPS early?", "in_nps_premature_exit"),
    ("IN", "I am a government employee in NPS, how much lump sum at retirement?", "in_nps_government_exit"),
    # calc-us-uk (issue 13)
    ("UK", "How much income tax will I pay on 45000 in Scotland?", "uk_income_tax"),
    ("UK", "What is my marginal rate?", "uk_income_tax"),
    ("UK", "How is a UFPLS taxed?", "uk_ufpls_tax"),
    ("UK", "What tax do I pay if I cash in my whole pension pot?", "uk_ufpls_tax"),
    ("UK", "How much extra do I get if I defer my State Pension for a year?", "uk_state_pension_deferral"),
    ("UK", "Is it worth delaying my state pension?", "uk_state_pension_deferral"),
    ("US", "How much federal income tax will I pay on 80000 married filing jointly?", "us_federal_income_tax"),
    ("US", "What is the standard deduction this year?", "us_federal_income_tax"),
    ("US", "What is the Social Security COLA for 2026?", "us_social_security_figures"),
    ("US", "How much can I earn while collecting Social Security before full retirement age?", "us_social_security_figures"),
    ("US", "What is the Social Security wage base this year?", "us_social_security_figures"),
]


@pytest.mark.parametrize("name", sorted(TOOL_SPECS))
def test_intent_patterns_hold_no_control_characters(name):
    # r"\bTBC\b" was once typed so that two backspace bytes (0x08) stood where \b belonged.
    for pattern in TOOL_SPECS[name].intents:
        assert not any(ord(c) < 32 for c in pattern), repr(pattern)


@pytest.mark.parametrize("country, question, expected", ROUTING)
def test_intents_route_questions(country, question, expected):
    matched = {name for name, spec in TOOL_SPECS.items() if spec.country == country and spec.matches(question)}
    assert expected in matched


@pytest.mark.parametrize("country, question", [
    ("AU", "What's the weather like in Sydney?"),
    ("US", "Should I buy a house?"),
    ("UK", "What is a pension?"),
    ("IN", "Tell me about mutual funds."),
])
def test_intents_ignore_unrelated_questions(country, question):
    assert not [n for n, s in TOOL_SPECS.items() if s.country == country and s.matches(question)]


# --- every calculator is tested against an official source and by a property test -----------------------------

import inspect  # noqa: E402
from urllib.parse import urlparse  # noqa: E402

from tests.tools import test_au, test_in, test_uk, test_us  # noqa: E402

TEST_MODULES = (test_au, test_us, test_uk, test_in)
# Sites whose pages count as official sources for the worked examples and published tables.
OFFICIAL_DOMAINS = ("ato.gov.au", "servicesaustralia.gov.au", "irs.gov", "ssa.gov", "ecfr.gov", "gov.uk",
                    "epfindia.gov.in", "pfrda.org.in", "pib.gov.in", "incometaxindia.gov.in",
                    # NPS Trust (set up by PFRDA) and the NPS Central Recordkeeping Agency publish the exit rules
                    "npstrust.org.in", "npscra.nsdl.co.in")


def _registry(name: str) -> dict[str, list]:
    merged: dict[str, list] = {}
    for module in TEST_MODULES:
        for tool, tests in getattr(module, name).items():
            merged.setdefault(tool, []).extend(tests)
    return merged


def _calls_tool(test, tool: str) -> bool:
    return TOOL_SPECS[tool].function.__name__ + "(" in inspect.getsource(inspect.unwrap(test))


def test_every_tool_has_a_hypothesis_property_test():
    registry = _registry("PROPERTY_TESTS")
    assert set(registry) == set(TOOL_SPECS), f"missing: {sorted(set(TOOL_SPECS) - set(registry))}; unknown: {sorted(set(registry) - set(TOOL_SPECS))}"
    for tool, tests in registry.items():
        assert tests, tool
        for test in tests:
            assert getattr(test, "is_hypothesis_test", False), f"{tool}: {test.__name__} is not a @given test"
            assert _calls_tool(test, tool), f"{tool}: {test.__name__} never calls {TOOL_SPECS[tool].function.__name__}"


def test_every_tool_has_an_official_example_with_its_source_page():
    registry = _registry("OFFICIAL_EXAMPLES")
    assert set(registry) == set(TOOL_SPECS), f"missing: {sorted(set(TOOL_SPECS) - set(registry))}; unknown: {sorted(set(registry) - set(TOOL_SPECS))}"
    for tool, tests in registry.items():
        assert tests, tool
        for test in tests:
            assert _calls_tool(test, tool), f"{tool}: {test.__name__} never calls {TOOL_SPECS[tool].function.__name__}"
            comment = inspect.getcomments(test) or ""
            hosts = {urlparse(url).hostname or "" for url in re.findall(r"https://\S+", comment)}
            assert any(host == d or host.endswith("." + d) for host in hosts for d in OFFICIAL_DOMAINS), (
                f"{tool}: the comment above {test.__name__} cites no official source page")

"""`pension-advisor rules`, in-process with typer's CliRunner: the listing, --json, --markdown (the README's
calculator section is exactly its output) and --check (exit 1 naming what to add)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from pension_advisor.cli import app
from pension_advisor.tools import tables

README = Path(__file__).resolve().parents[2] / "README.md"
runner = CliRunner()


def rules(*args: str):
    return runner.invoke(app, ["rules", *args], env={"COLUMNS": "250"})


@pytest.fixture
def rules_dir(tmp_path):
    """A private copy of the tables, loaded instead of the installed ones for the test."""
    folder = tmp_path / "rules"
    shutil.copytree(tables.RULES_DIR, folder)
    previous = tables.use_rules_dir(folder)
    yield folder
    tables.use_rules_dir(previous)


def _keep_only_confirmed(folder: Path) -> None:
    """Drop every figure with a not_confirmed period, so the copy has no gaps."""
    for path in folder.glob("*/*.yaml"):
        data = yaml.safe_load(path.read_text())
        data["rules"] = {k: r for k, r in data["rules"].items()
                         if "not_confirmed" not in json.dumps(r, default=str) and not (k == "nps_exit_non_government"
                                                                                       and data["tax_year"] == "2025-26")}
        path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_listing_shows_periods_and_every_figures_sources():
    done = rules("--country", "uk")
    assert done.exit_code == 0, done.output
    assert ("UK: 2023-24 (6 April 2023 to 5 April 2024), 2024-25 (6 April 2024 to 5 April 2025), "
            "2025-26 (6 April 2025 to 5 April 2026), "
            "2026-27 (6 April 2026 to 5 April 2027)") in done.output
    assert "full new State Pension rate" in done.output and "https://www.gov.uk/new-state-pension" in done.output
    assert "secondary" in done.output and "copy: DWP" in done.output


def test_json_has_every_period_with_its_sources():
    tables_by_country = json.loads(rules("--json").output)
    assert set(tables_by_country) == {"AU", "US", "UK", "IN"}
    for country, years in tables_by_country.items():
        for table in years:
            for key, rule in table["rules"].items():
                for period in rule["periods"]:
                    assert period["confirmation"] in ("official", "secondary", "not_confirmed"), (country, key)
                    assert all(s["url"].startswith("https://") for s in period["sources"]), (country, key)


def test_unknown_country_is_a_usage_error():
    done = rules("--country", "FR")
    assert done.exit_code == 2 and "Traceback" not in done.output


def test_check_names_the_year_to_add_and_every_gap(rules_dir):
    (rules_dir / "us" / "2027.yaml").unlink()
    done = rules("--check", "--today", "2026-12-06")
    assert done.exit_code == 1
    lines = done.output.splitlines()
    # Without its 2027 table the US rules end on 31 December 2026, 25 days later; AU, UK and IN run past 60 days.
    assert ("US: the loaded rules end on 31 December 2026 (in 25 days, within 60 days of 6 December 2026): "
            "add rules/us/2027.yaml (tax year 2027).") in lines
    assert not [line for line in lines if re.match(r"(AU|UK|IN): the loaded rules end", line)]
    assert ("  AU 2025-26: maximum Age Pension rates (age_pension_rates) not confirmed from 20 March 2026 to "
            "30 June 2026: add its official figure.") in lines


def test_check_passes_with_no_gap_and_a_year_ahead(rules_dir):
    _keep_only_confirmed(rules_dir)
    done = rules("--check", "--today", "2026-06-01")
    assert done.exit_code == 0, done.output
    assert done.output.startswith("OK:")
    # India's year ends on 31 March 2027: on 30 January 2027 that is 60 days away, so it is due; the UK's (5 April
    # 2027, 65 days away) is not yet; the US tables run to 31 December 2027.
    late = rules("--check", "--today", "2027-01-30")
    assert late.exit_code == 1
    assert "IN: the loaded rules end on 31 March 2027 (in 60 days" in late.output
    assert "add rules/in/2027-28.yaml (tax year 2027-28)" in late.output
    assert "UK:" not in late.output and "US:" not in late.output
    assert "UK: the loaded rules end on 5 April 2027 (in 59 days" in rules("--check", "--today", "2027-02-05").output


def test_check_passes_today_with_the_us_2027_table():
    # The shipped tables on the day the 2027 US table was added: nothing runs out within 60 days; the 2027 IRS limits
    # not yet confirmed are listed as known gaps (the calculators refuse them by name).
    done = rules("--check", "--today", "2026-12-06")
    assert done.exit_code == 0, done.output
    assert ("  US 2027: 401(k) elective deferral limit (elective_deferral_limit) not confirmed from 1 January 2027 "
            "to 31 December 2027: add its official figure.") in done.output.splitlines()


def test_check_lists_a_not_confirmed_period_inside_a_loaded_year(rules_dir):
    _keep_only_confirmed(rules_dir)
    path = rules_dir / "uk" / "2026-27.yaml"
    data = yaml.safe_load(path.read_text())
    rate = data["rules"]["new_state_pension_full_weekly"]
    data["rules"]["new_state_pension_full_weekly"] = {"label": rate["label"], "periods": [
        {**{k: rate[k] for k in ("value", "confirmation", "sources")}, "effective_from": "2026-04-06", "effective_to": "2026-09-30"},
        {"value": None, "effective_from": "2026-10-01", "confirmation": "not_confirmed", "sources": rate["sources"],
         "note": "a made-up mid-year change for this test"}]}
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    gap = ("UK 2026-27: full new State Pension rate (new_state_pension_full_weekly) not confirmed "
           "from 1 October 2026 to 5 April 2027: add its official figure.")
    # Listed, but a known gap (calculators refuse those dates) fails the check only with --strict; tables about to
    # run out always fail it.
    done = rules("--check", "--today", "2026-06-01")
    assert done.exit_code == 0 and f"  {gap}" in done.output.splitlines(), done.output
    strict = rules("--check", "--strict", "--today", "2026-06-01")
    assert strict.exit_code == 1 and f"  {gap}" in strict.output.splitlines()


def test_readme_calculator_tables_are_the_markdown_output():
    text = README.read_text()
    start, end = "<!-- rules --markdown: start -->\n", "<!-- rules --markdown: end -->"
    assert start in text and end in text, "README lacks the generated calculator section"
    section = text[text.index(start) + len(start):text.index(end)]
    assert section == rules("--markdown").output, "README is stale: paste `pension-advisor rules --markdown` between the markers"

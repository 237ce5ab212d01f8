"""India: NPS exits other than a non-government normal exit (that one is ``india.nps_exit``): premature exit for
non-government subscribers, and normal or premature exit for government subscribers. The rules changed on
19 December 2025 (PFRDA Exits and Withdrawals amendment); each figure carries its own dates in
rules/in/<financial year>.yaml.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from .base import Calc, CalcResult, Figure, ToolError, amount_text, money, percent
from .errors import MissingFigure
from .registry import TaxYearArg, calculator

Corpus = Annotated[float, Field(ge=0, description="Accumulated NPS pension wealth at exit, INR.")]
ExitDate = Annotated[dt.date | None, Field(description="Date of exit; picks the rules in force. Default today.")]


def split(corpus: float, full_up_to: float, max_fraction: float) -> tuple[float, float, str]:
    """The most as a lump sum, the least for an annuity, and the rule branch in words."""
    if corpus <= full_up_to:
        return money(corpus), 0.0, f"corpus up to Rs {full_up_to:,.0f}: all of it can be taken as a lump sum"
    lump = money(corpus * max_fraction)
    return lump, money(corpus - lump), (f"corpus over Rs {full_up_to:,.0f}: up to {percent(max_fraction):g}% lump sum, "
                                        f"at least {percent(1 - max_fraction):g}% annuity")


def figures_for(lump: float, annuity: float, ref: int) -> list[Figure]:
    return [
        Figure(name="max_lump_sum", label="Most that can be taken as a lump sum", value=lump, unit="INR", citation=ref),
        Figure(name="min_annuity", label="Least to use for an annuity when the most is taken as a lump sum", value=annuity, unit="INR", citation=ref),
    ]


def summary_for(lump: float, annuity: float) -> str:
    text = f"You can take up to {amount_text('INR', lump)} of your NPS as a lump sum"
    return text + (f"; at least {amount_text('INR', annuity)} must buy an annuity." if annuity else ".")


@calculator(
    name="in_nps_premature_exit", country="IN", title="what you can take from your NPS if you leave early",
    rules=("nps_premature_exit_non_government",),
    intents=(r"\bNPS\b.*(premature|early|before (60|retirement)|close|exit before)", r"(premature|early) (exit|withdrawal|closure).*\bNPS\b",
             r"(close|leave|exit) (my )?\bNPS\b", r"national pension system.*(premature|early)"),
    member_args={"corpus": "nps_balance"},
    question_args={"corpus": "amount", "years_in_nps": "years", "on_date": "on_date", "tax_year": "tax_year"},
)
def nps_premature_exit(
    corpus: Corpus,
    years_in_nps: Annotated[float | None, Field(ge=0, le=70, description="Years since joining NPS (an All Citizen subscriber needed 5 before premature exit until 19 December 2025). Default: taken as long enough.")] = None,
    on_date: ExitDate = None,
    tax_year: TaxYearArg = None,
) -> CalcResult:
    """India: NPS premature exit (before 60 or superannuation) for a non-government subscriber: the most that can be taken as a lump sum and the least that must buy an annuity, under the rules in force on the exit date (changed on 19 December 2025)."""
    calc = Calc("IN", on_date, tax_year)
    rule, ref = calc.value("nps_premature_exit_non_government"), calc.cite("nps_premature_exit_non_government")
    assumptions = ["Non-government subscriber (All Citizen or Corporate model) leaving before 60 or superannuation; "
                   "government-sector rules are a separate calculation.",
                   "Tax on the lump sum and annuity income is not calculated here."]
    min_years = rule["min_years_in_nps"]
    if min_years is None:
        # The lump-sum rule is confirmed for these dates but the years needed first are not (FY 2023-24): answer the
        # split, but never judge a member's own years against a figure nobody could confirm.
        if years_in_nps is not None:
            raise MissingFigure("nps_premature_exit_non_government", "minimum years in NPS before a premature exit",
                                calc.rule_date, not_confirmed=True)
        assumptions.append("You have been in NPS long enough to exit early (the years needed on this date could not be confirmed).")
    elif years_in_nps is not None and years_in_nps < min_years:
        raise ToolError("too_soon", f"On this date a premature exit from NPS needed {min_years} years in NPS; "
                        f"{years_in_nps:g} was given.", field="years_in_nps")
    elif years_in_nps is None and min_years:
        assumptions.append(f"You have been in NPS for at least {min_years} years (needed on this date).")
    lump, annuity, path = split(corpus, rule["full_lump_sum_up_to"], rule["max_lump_sum_fraction"])
    return calc.result(figures_for(lump, annuity, ref), summary_for(lump, annuity), assumptions, [path])


@calculator(
    name="in_nps_government_exit", country="IN", title="what you can take from your NPS as a government employee",
    rules=("nps_exit_government",),
    intents=(r"\bNPS\b.*\b(government|govt)\b", r"\b(government|govt)\b.*\b(NPS|national pension system)\b"),
    member_args={"corpus": "nps_balance"},
    question_args={"corpus": "amount", "on_date": "on_date", "tax_year": "tax_year"},
)
def nps_government_exit(
    corpus: Corpus,
    exit_type: Annotated[Literal["normal", "premature"], Field(description="'normal' (superannuation or 60) or 'premature' (resignation, voluntary retirement, dismissal before then).")] = "normal",
    on_date: ExitDate = None,
    tax_year: TaxYearArg = None,
) -> CalcResult:
    """India: NPS exit for a government-sector subscriber, at superannuation or prematurely: the most that can be taken as a lump sum and the least that must buy an annuity, under the rules in force on the exit date."""
    calc = Calc("IN", on_date, tax_year)
    rule, ref = calc.value("nps_exit_government")[exit_type], calc.cite("nps_exit_government")
    lump, annuity, path = split(corpus, rule["full_lump_sum_up_to"], rule["max_lump_sum_fraction"])
    when = "at superannuation or 60" if exit_type == "normal" else "before superannuation (premature exit)"
    assumptions = [f"Government-sector subscriber (central or state government) leaving {when}.",
                   "Tax on the lump sum and annuity income is not calculated here."]
    return calc.result(figures_for(lump, annuity, ref), summary_for(lump, annuity), assumptions, [f"{exit_type} exit: {path}"])

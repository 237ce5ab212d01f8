"""India: EPF / EPS calculators. Figures come from rules/in/<financial year>.yaml (1 April - 31 March)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel, Field

from .base import CalcResult, CitationList, Figure, build_result, check_non_negative, money, percent, rules_for
from .registry import ToolSpec


def rupees(amount: float) -> float:
    """Contributions are paid in whole rupees (8.33% of Rs 15,000 is remitted as Rs 1,250)."""
    return float(Decimal(str(money(amount))).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


class EpfContributionArgs(BaseModel):
    monthly_basic_wage: float = Field(ge=0, description="Basic wages plus dearness allowance per month, INR.")
    on_date: dt.date | None = Field(default=None, description="Date the question is about; picks the financial year. Default today.")


def epf_contribution(monthly_basic_wage: float, on_date: dt.date | None = None) -> CalcResult:
    """Monthly EPF contributions: the employee's 12%, and the employer's 12% split between EPS and EPF."""
    check_non_negative("monthly_basic_wage", monthly_basic_wage)
    rules = rules_for("IN", on_date or dt.date.today())
    cite = CitationList(rules)
    employee_rate, employer_rate = rules.value("epf_employee_rate"), rules.value("epf_employer_rate")
    eps_rate, ceiling = rules.value("eps_rate"), rules.value("eps_wage_ceiling_month")
    employee_ref, employer_ref = cite("epf_employee_rate"), cite("epf_employer_rate")
    eps_ref, ceiling_ref = cite("eps_rate"), cite("eps_wage_ceiling_month")
    employee = rupees(monthly_basic_wage * employee_rate)
    employer = rupees(monthly_basic_wage * employer_rate)
    # The pension share is worked out on wages up to the ceiling; the rest of the employer's 12% goes to EPF.
    eps = rupees(min(monthly_basic_wage, ceiling) * eps_rate)
    employer_epf = money(employer - eps)
    figures = [
        Figure(name="employee_rate", label="Employee contribution rate", value=percent(employee_rate), unit="%", citation=employee_ref),
        Figure(name="employee_contribution", label="Employee contribution to EPF", value=employee, unit="INR", period="month", citation=employee_ref),
        Figure(name="employer_contribution", label="Employer contribution (EPF + EPS)", value=employer, unit="INR", period="month", citation=employer_ref),
        Figure(name="eps_rate", label="EPS share of wages", value=percent(eps_rate), unit="%", citation=eps_ref),
        Figure(name="eps_wage_ceiling", label="EPS wage ceiling", value=money(ceiling), unit="INR", period="month", citation=ceiling_ref),
        Figure(name="employer_eps_contribution", label="Employer contribution to EPS (pension)", value=eps, unit="INR", period="month", citation=eps_ref),
        Figure(name="employer_epf_contribution", label="Employer contribution to EPF", value=employer_epf, unit="INR", period="month", citation=employer_ref),
        Figure(name="total_to_epf_account", label="Total credited to the EPF account", value=money(employee + employer_epf), unit="INR", period="month", citation=employer_ref),
        Figure(name="total_to_epf_account_year", label="Total credited to the EPF account", value=money((employee + employer_epf) * 12), unit="INR", period="year", citation=employer_ref),
    ]
    path = ["wage above the EPS ceiling: EPS share capped" if monthly_basic_wage > ceiling else "wage within the EPS ceiling"]
    assumptions = [
        "Both contributions are on the full basic wage + DA; an employer may restrict its 12% to wages of Rs 15,000.",
        "The member is an EPS member (under 58; joined before 1 September 2014 or on wages within the ceiling).",
        "EDLI premium and administration charges paid by the employer are not included.",
        "Contributions are rounded to the nearest rupee.",
    ]
    return build_result("in_epf_contribution", rules, cite, figures, assumptions, path)


SPECS = [
    ToolSpec(
        name="in_epf_contribution",
        country="IN",
        function=epf_contribution,
        args_schema=EpfContributionArgs,
        description=("India: monthly Employees' Provident Fund contributions on a basic wage + DA: the employee's 12%, "
                     "and the employer's 12% split into EPS (8.33% of wages up to the Rs 15,000 ceiling) and EPF."),
        intents=(r"\b(E?PF|provident fund)\b.*contribut", r"contribut.*\b(E?PF|provident fund)\b", r"\bEPS\b.*(contribut|share|8\.33)",
                 r"employer('?s)? (share|contribution)", r"how much (goes|go) (in)?to (my )?(E?PF|EPS|provident fund|pension)"),
        member_args={"monthly_basic_wage": "monthly_basic_wage"},
        question_args={"monthly_basic_wage": "amount", "on_date": "on_date"},
    ),
]

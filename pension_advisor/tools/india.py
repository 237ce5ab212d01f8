"""India: EPF / EPS calculators. Figures come from rules/in/<financial year>.yaml (1 April - 31 March)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel, Field

from .base import (
    CalcResult, CitationList, Figure, ToolError, age_on, build_result, check_non_negative, money, percent, rules_for,
)
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


def monthly_epf_credit(rules, monthly_basic_wage: float) -> float:
    """What reaches the EPF account each month: the employee's 12% plus the employer's share left after EPS."""
    result = epf_contribution(monthly_basic_wage, rules.starts)
    return result.figure("total_to_epf_account").value


class EpfProjectionArgs(BaseModel):
    balance: float = Field(ge=0, description="Current EPF balance, INR.")
    monthly_basic_wage: float = Field(default=0, ge=0, description="Basic wages plus DA per month, INR.")
    years: int | None = Field(default=None, ge=0, le=60, description="Years to project. Default: until age 58, from date_of_birth.")
    date_of_birth: dt.date | None = Field(default=None, description="The member's date of birth; used when years is not given.")
    wage_growth: float = Field(default=0.0, ge=-0.5, le=0.5, description="Assumed yearly growth in basic wage, as a ratio (0.05 = 5%).")
    on_date: dt.date | None = Field(default=None, description="Date the projection starts; picks the financial year and declared rate. Default today.")


def epf_projection(balance: float, monthly_basic_wage: float = 0, years: int | None = None, date_of_birth: dt.date | None = None,
                   wage_growth: float = 0.0, on_date: dt.date | None = None) -> CalcResult:
    """Project an EPF balance with monthly contributions at the latest declared EPF interest rate."""
    check_non_negative("balance", balance)
    check_non_negative("monthly_basic_wage", monthly_basic_wage)
    on_date = on_date or dt.date.today()
    rules = rules_for("IN", on_date)
    if years is None:
        if date_of_birth is None:
            raise ToolError("missing_years", "Give the number of years to project or the member's date_of_birth.")
        years = max(0, rules.value("eps_early_pension")["normal_age"] - age_on(date_of_birth, on_date))
    cite = CitationList(rules)
    rate, rate_ref = rules.value("epf_interest_rate"), cite("epf_interest_rate")
    contribution_ref = cite("epf_employer_rate")
    contributed = 0.0
    for year in range(years):
        credit = monthly_epf_credit(rules, monthly_basic_wage * (1 + wage_growth) ** year)
        # EPFO credits interest once a year, worked out on each month's running balance.
        interest = 0.0
        for _month in range(12):
            interest += balance * rate / 12
            balance += credit
        balance += interest
        contributed += credit * 12
    figures = [
        Figure(name="years", label="Years projected", value=years, unit="years", citation=rate_ref),
        Figure(name="epf_interest_rate", label="EPF interest rate used", value=percent(rate), unit="%", citation=rate_ref),
        Figure(name="monthly_credit_now", label="Monthly credit to the EPF account now", value=money(monthly_epf_credit(rules, monthly_basic_wage)), unit="INR", period="month", citation=contribution_ref),
        Figure(name="total_contributions", label="Contributions credited, all years", value=money(contributed), unit="INR", citation=contribution_ref),
        Figure(name="projected_balance", label="Projected EPF balance (not adjusted for inflation)", value=money(balance), unit="INR", citation=rate_ref),
    ]
    assumptions = [f"The latest declared rate ({percent(rate):g}%) is used for every future year; future rates are declared yearly and may differ.",
                   f"Basic wage grows {wage_growth * 100:g}% a year; the employer contributes on the full wage; no withdrawals.",
                   "Amounts are in future rupees, not adjusted for inflation; the EPS pension fund is separate (see the EPS pension tool)."]
    return build_result("in_epf_projection", rules, cite, figures, assumptions, [f"{years} years at {percent(rate):g}%"])


class EpsPensionArgs(BaseModel):
    pensionable_salary: float = Field(ge=0, description="Average monthly basic + DA over the last 60 months, INR (capped at the Rs 15,000 ceiling).")
    service_years: float = Field(ge=0, le=60, description="Pensionable service in years (EPS membership).")
    pension_age: int = Field(default=58, ge=40, le=70, description="Age the pension starts: 58 normally, from 50 with a reduction.")
    on_date: dt.date | None = Field(default=None, description="Date the question is about; picks the financial year. Default today.")


def eps_pension(pensionable_salary: float, service_years: float, pension_age: int = 58, on_date: dt.date | None = None) -> CalcResult:
    """Monthly EPS 1995 pension by formula, with 20-year weightage, early-pension reduction and the minimum pension."""
    check_non_negative("pensionable_salary", pensionable_salary)
    rules = rules_for("IN", on_date or dt.date.today())
    cite = CitationList(rules)
    formula, early, minimum = rules.value("eps_pension_formula"), rules.value("eps_early_pension"), rules.value("eps_minimum_pension")
    formula_ref, early_ref, min_ref = cite("eps_pension_formula"), cite("eps_early_pension"), cite("eps_minimum_pension")
    if service_years < formula["min_service_years"]:
        raise ToolError("service_too_short", f"An EPS pension needs {formula['min_service_years']} years' service; "
                        f"with {service_years:g} years the member gets a withdrawal benefit instead.")
    if pension_age < early["earliest_age"]:
        raise ToolError("age_out_of_range", f"An EPS pension can start from age {early['earliest_age']}; got {pension_age}.")
    salary = min(pensionable_salary, formula["salary_ceiling"])
    service = service_years + (formula["weightage_years"] if service_years >= formula["weightage_min_service"] else 0)
    full = salary * service / formula["divisor"]
    path = [f"pensionable salary {salary:,.0f} x service {service:g} / {formula['divisor']}"]
    if service != service_years:
        path.append(f"{formula['weightage_years']} years' weightage for {formula['weightage_min_service']}+ years of service")
    years_short = max(0, early["normal_age"] - pension_age)
    pension = full * (1 - early["reduction_per_year"] * years_short)
    if years_short:
        path.append(f"starts at {pension_age}: reduced {percent(early['reduction_per_year']):g}% for each of {years_short} years short of {early['normal_age']}")
    if pension < minimum:
        pension = minimum
        path.append(f"raised to the minimum pension of Rs {minimum:,.0f}")
    figures = [
        Figure(name="pensionable_salary", label="Pensionable salary used (capped)", value=money(salary), unit="INR", period="month", citation=formula_ref),
        Figure(name="pensionable_service", label="Pensionable service incl. weightage", value=service, unit="years", citation=formula_ref),
        Figure(name="pension_at_58", label="Monthly pension at 58", value=money(max(full, minimum)), unit="INR", period="month", citation=formula_ref),
        Figure(name="monthly_pension", label=f"Monthly pension starting at {pension_age}", value=money(pension), unit="INR", period="month", citation=early_ref if years_short else formula_ref),
        Figure(name="minimum_pension", label="Minimum EPS pension", value=money(minimum), unit="INR", period="month", citation=min_ref),
    ]
    assumptions = ["Pensionable salary is capped at Rs 15,000; higher-wage pension options (contributions on actual wages) are not modelled.",
                   "The early-pension reduction is applied as a flat 4% a year; deferring beyond 58 is not modelled.",
                   "The minimum pension is applied to the pension as reduced."]
    return build_result("in_eps_pension", rules, cite, figures, assumptions, path)


class NpsExitArgs(BaseModel):
    corpus: float = Field(ge=0, description="Accumulated NPS pension wealth at exit, INR.")
    on_date: dt.date | None = Field(default=None, description="Date of exit; picks the rules in force. Default today.")


def nps_exit(corpus: float, on_date: dt.date | None = None) -> CalcResult:
    """NPS normal exit (non-government sector): the most that can be taken as lump sum and the least to annuitise."""
    check_non_negative("corpus", corpus)
    on_date = on_date or dt.date.today()
    rules = rules_for("IN", on_date)
    cite = CitationList(rules)
    rule, ref = rules.value("nps_exit_non_government"), cite("nps_exit_non_government")
    if on_date < rules.rules["nps_exit_non_government"].applies_from:
        raise ToolError("not_modelled", "NPS exit rules before the December 2025 amendments are not loaded.")
    if corpus <= rule["full_lump_sum_up_to"]:
        lump, path = corpus, f"corpus up to Rs {rule['full_lump_sum_up_to']:,}: all of it can be taken as a lump sum"
    elif corpus <= rule["partial_band_up_to"]:
        # Two options in this band: up to Rs 6 lakh lump sum with the rest by systematic unit redemption (6+ years) or
        # annuity, or up to 80% lump sum with at least 20% annuity. The most as a lump sum is the larger of the two.
        lump = max(rule["partial_band_lump_sum"], corpus * rule["max_lump_sum_fraction"])
        path = (f"corpus Rs {rule['full_lump_sum_up_to']:,} to {rule['partial_band_up_to']:,}: up to {percent(rule['max_lump_sum_fraction']):g}% lump sum "
                f"with at least {percent(rule['min_annuity_fraction']):g}% annuity, or up to Rs {rule['partial_band_lump_sum']:,} lump sum "
                "with the rest by systematic unit redemption (at least 6 years) or annuity")
    else:
        lump = corpus * rule["max_lump_sum_fraction"]
        path = f"corpus over Rs {rule['partial_band_up_to']:,}: up to {percent(rule['max_lump_sum_fraction']):g}% lump sum, at least {percent(rule['min_annuity_fraction']):g}% annuity"
    figures = [
        Figure(name="max_lump_sum", label="Most that can be taken as a lump sum", value=money(lump), unit="INR", citation=ref),
        Figure(name="min_annuity_or_withdrawal", label="Least to use for an annuity when the most is taken as a lump sum", value=money(corpus - lump), unit="INR", citation=ref),
    ]
    assumptions = ["Non-government sector subscriber (All Citizen or Corporate model) at normal exit (60, superannuation or 15 years); government-sector rules differ.",
                   "Tax on the lump sum and annuity income is not calculated here.",
                   "Exit can also be deferred (up to age 85)."]
    return build_result("in_nps_exit", rules, cite, figures, assumptions, [path])


class EpfWithdrawalTaxArgs(BaseModel):
    amount: float = Field(ge=0, description="EPF amount being withdrawn, INR.")
    continuous_service_years: float = Field(ge=0, le=60, description="Years of continuous service (including transferred earlier service).")
    on_date: dt.date | None = Field(default=None, description="Date of the withdrawal; picks the financial year. Default today.")


def epf_withdrawal_tax(amount: float, continuous_service_years: float, on_date: dt.date | None = None) -> CalcResult:
    """Whether an EPF withdrawal is taxable (before five years' continuous service) and the 10% TDS on it."""
    check_non_negative("amount", amount)
    rules = rules_for("IN", on_date or dt.date.today())
    cite = CitationList(rules)
    rule, ref = rules.value("epf_withdrawal_tds"), cite("epf_withdrawal_tds")
    taxable = continuous_service_years < rule["min_service_years"]
    tds = amount * rule["rate"] if taxable and amount >= rule["threshold"] else 0.0
    if not taxable:
        path = f"{continuous_service_years:g} years' continuous service: {rule['min_service_years']} or more, withdrawal exempt"
    elif tds:
        path = f"under {rule['min_service_years']} years' service and Rs {rule['threshold']:,} or more: taxable, 10% TDS"
    else:
        path = f"under {rule['min_service_years']} years' service but under Rs {rule['threshold']:,}: taxable, no TDS"
    figures = [
        Figure(name="taxable", label="Withdrawal is taxable", value="yes" if taxable else "no", unit="count", citation=ref),
        Figure(name="tds_rate", label="TDS rate", value=percent(rule["rate"]), unit="%", citation=ref),
        Figure(name="tds", label="Tax deducted at source", value=money(tds), unit="INR", citation=ref),
        Figure(name="amount_after_tds", label="Amount paid after TDS", value=money(amount - tds), unit="INR", citation=ref),
    ]
    assumptions = ["PAN is furnished (without it TDS is at a higher rate) and no Form 15G/15H is given.",
                   "Service ended for reasons other than ill-health or the employer's business closing (those withdrawals are exempt).",
                   "TDS is not the final tax: a taxable withdrawal is taxed at slab rates in the return."]
    return build_result("in_epf_withdrawal_tax", rules, cite, figures, assumptions, [path])


class EpfInterestTaxArgs(BaseModel):
    annual_employee_contribution: float | None = Field(default=None, ge=0, description="Employee's own EPF/VPF contributions in the financial year, INR. Default: 12% of monthly_basic_wage x 12.")
    monthly_basic_wage: float | None = Field(default=None, ge=0, description="Basic wages plus DA per month, INR; used when annual_employee_contribution is not given.")
    employer_contributes: bool = Field(default=True, description="Whether the employer also contributes (sets the Rs 2.5 lakh or Rs 5 lakh threshold).")
    on_date: dt.date | None = Field(default=None, description="Date in the financial year asked about. Default today.")


def epf_interest_tax(annual_employee_contribution: float | None = None, monthly_basic_wage: float | None = None,
                     employer_contributes: bool = True, on_date: dt.date | None = None) -> CalcResult:
    """How much of a year's employee EPF contributions is above the threshold whose interest is taxable."""
    rules = rules_for("IN", on_date or dt.date.today())
    cite = CitationList(rules)
    if annual_employee_contribution is None:
        if monthly_basic_wage is None:
            raise ToolError("missing_amount", "Give the year's employee contributions or the monthly basic wage.")
        check_non_negative("monthly_basic_wage", monthly_basic_wage)
        annual_employee_contribution = money(monthly_basic_wage * rules.value("epf_employee_rate") * 12)
        cite("epf_employee_rate")
    check_non_negative("annual_employee_contribution", annual_employee_contribution)
    rate, rate_ref = rules.value("epf_interest_rate"), cite("epf_interest_rate")
    figures = [Figure(name="annual_employee_contribution", label="Employee contributions this year", value=money(annual_employee_contribution), unit="INR", period="year", citation=rate_ref)]
    if "epf_interest_taxable_threshold" not in rules.rules:
        assumptions = [f"The {rules.tax_year} threshold for taxable interest on PF contributions is not confirmed under the Income-tax Act 2025, so no taxable amount is given."]
        return build_result("in_epf_interest_tax", rules, cite, figures, assumptions, ["threshold not loaded"])
    threshold_rule, threshold_ref = rules.value("epf_interest_taxable_threshold"), cite("epf_interest_taxable_threshold")
    threshold = threshold_rule["with_employer_contribution" if employer_contributes else "without_employer_contribution"]
    excess = max(0.0, annual_employee_contribution - threshold)
    figures += [
        Figure(name="threshold", label="Contributions whose interest stays tax-free", value=money(threshold), unit="INR", period="year", citation=threshold_ref),
        Figure(name="excess_contribution", label="Contributions above the threshold", value=money(excess), unit="INR", period="year", citation=threshold_ref),
        Figure(name="taxable_interest_estimate", label="Estimated taxable interest on the excess for a full year", value=money(excess * rate), unit="INR", period="year", citation=rate_ref),
    ]
    path = ["contributions above the threshold: interest on the excess is taxable each year" if excess else "contributions within the threshold: interest tax-free"]
    assumptions = ["The estimate applies the EPF rate to the excess for a whole year; actual interest depends on when contributions were made.",
                   "Interest on the excess is taxed at slab rates every year it accrues."]
    return build_result("in_epf_interest_tax", rules, cite, figures, assumptions, path)


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
    ToolSpec(
        name="in_epf_projection",
        country="IN",
        function=epf_projection,
        args_schema=EpfProjectionArgs,
        description=("India: project an EPF balance with monthly contributions (employee 12% + employer EPF share) at the latest "
                     "declared EPF interest rate, to a number of years or age 58."),
        intents=(r"(project|projection|forecast|grow|growth).*\b(E?PF|provident fund)\b", r"\b(E?PF|provident fund)\b.*(be worth|at retirement|when i retire|at 58|in \d+ years)",
                 r"how much (E?PF|provident fund|pf) will i have", r"\b(E?PF|provident fund)\b.*interest rate"),
        member_args={"balance": "pension_balance", "monthly_basic_wage": "monthly_basic_wage", "date_of_birth": "date_of_birth"},
        question_args={"years": "years", "date_of_birth": "date_of_birth", "on_date": "on_date"},
    ),
    ToolSpec(
        name="in_eps_pension",
        country="IN",
        function=eps_pension,
        args_schema=EpsPensionArgs,
        description=("India: monthly Employees' Pension Scheme (EPS-95) pension = pensionable salary (capped Rs 15,000) x service "
                     "/ 70, with 2 years' weightage for 20+ years, a 4%-a-year reduction for a pension from 50, and the Rs 1,000 minimum."),
        intents=(r"\bEPS\b.*pension", r"pension .*\bEPS\b", r"employees'? pension scheme", r"\bEPS[- ]?95\b", r"minimum pension",
                 r"early pension", r"pension (from|at) (50|5[0-7])"),
        member_args={"pensionable_salary": "monthly_basic_wage", "service_years": "epf_service_years"},
        question_args={"pension_age": "age", "service_years": "years", "on_date": "on_date"},
    ),
    ToolSpec(
        name="in_nps_exit",
        country="IN",
        function=nps_exit,
        args_schema=NpsExitArgs,
        description=("India: NPS normal exit for non-government subscribers: the most that can be withdrawn as a lump sum and the "
                     "least that must buy an annuity (all up to Rs 8 lakh; above that up to 80% lump sum with at least 20% annuity, "
                     "or in the Rs 8-12 lakh band up to Rs 6 lakh lump sum with the rest by systematic unit redemption)."),
        intents=(r"\bNPS\b", r"national pension system", r"annuit"),
        member_args={"corpus": "nps_balance"},
        question_args={"corpus": "amount", "on_date": "on_date"},
    ),
    ToolSpec(
        name="in_epf_withdrawal_tax",
        country="IN",
        function=epf_withdrawal_tax,
        args_schema=EpfWithdrawalTaxArgs,
        description=("India: whether an EPF withdrawal is taxable (before 5 years' continuous service) and the 10% TDS on "
                     "withdrawals of Rs 50,000 or more."),
        intents=(r"\b(E?PF|provident fund)\b.*(withdraw|take out).*tax", r"tax.*(withdraw|take out).*\b(E?PF|provident fund)\b", r"\bTDS\b.*\b(E?PF|PF)\b",
                 r"\b(E?PF|PF)\b.*\bTDS\b", r"5 years.*\b(E?PF|PF)\b"),
        member_args={"amount": "pension_balance", "continuous_service_years": "epf_service_years"},
        question_args={"amount": "amount", "continuous_service_years": "years", "on_date": "on_date"},
    ),
    ToolSpec(
        name="in_epf_interest_tax",
        country="IN",
        function=epf_interest_tax,
        args_schema=EpfInterestTaxArgs,
        description=("India: whether interest on EPF contributions is taxable: employee contributions above Rs 2.5 lakh a year "
                     "(Rs 5 lakh without employer contributions) earn taxable interest."),
        intents=(r"(tax|taxable).*(interest).*\b(E?PF|VPF|PF|provident fund)\b", r"\b(E?PF|VPF|PF|provident fund)\b.*interest.*(tax|taxable)",
                 r"2\.5 lakh", r"\bVPF\b"),
        member_args={"monthly_basic_wage": "monthly_basic_wage"},
        question_args={"annual_employee_contribution": "amount", "on_date": "on_date"},
    ),
]

"""India: EPF / EPS / NPS calculators. Figures come from rules/in/<financial year>.yaml (1 April - 31 March)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import Field

from .base import Calc, CalcResult, Figure, ToolError, amount_text, money, percent, years_until
from .registry import TaxYearArg, calculator

OnDateYear = Annotated[dt.date | None, Field(description="Date the question is about; picks the financial year. Default today.")]


def rupees(amount: float) -> float:
    """Contributions are paid in whole rupees (8.33% of Rs 15,000 is remitted as Rs 1,250)."""
    return float(Decimal(str(money(amount))).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def epf_split(calc: Calc, monthly_basic_wage: float, capped: bool = False) -> dict[str, float]:
    """A month's contributions: employee, employer (EPS + EPF share), and what reaches the EPF account."""
    ceiling = calc.value("eps_wage_ceiling_month")
    wage = min(monthly_basic_wage, ceiling) if capped else monthly_basic_wage
    employee = rupees(wage * calc.value("epf_employee_rate"))
    employer = rupees(wage * calc.value("epf_employer_rate"))
    # The pension share is worked out on wages up to the ceiling; the rest of the employer's share goes to EPF.
    eps = rupees(min(wage, ceiling) * calc.value("eps_rate"))
    return {"wage": wage, "ceiling": ceiling, "employee": employee, "employer": employer, "eps": eps,
            "employer_epf": money(employer - eps), "credited": money(employee + employer - eps)}


@calculator(
    name="in_epf_contribution", country="IN", title="your EPF contributions",
    rules=("epf_employee_rate", "epf_employer_rate", "eps_rate", "eps_wage_ceiling_month"),
    intents=(r"\b(E?PF|provident fund)\b.*contribut", r"contribut.*\b(E?PF|provident fund)\b", r"\bEPS\b.*(contribut|share|8\.33)",
             r"employer('?s)? (share|contribution)", r"how much (goes|go) (in)?to (my )?(E?PF|EPS|provident fund|pension)"),
    member_args={"monthly_basic_wage": "monthly_basic_wage"},
    question_args={"monthly_basic_wage": "amount", "on_date": "on_date", "tax_year": "tax_year"},
)
def epf_contribution(
    monthly_basic_wage: Annotated[float, Field(ge=0, description="Basic wages plus dearness allowance per month, INR.")],
    on_date: OnDateYear = None,
    contributions_on_capped_wage: Annotated[bool, Field(description="Whether both contributions are paid on wages capped at the statutory wage ceiling (as many employers do) rather than on the full wage.")] = False,
    tax_year: TaxYearArg = None,
) -> CalcResult:
    """India: monthly Employees' Provident Fund contributions on a basic wage + DA: the employee's share, and the employer's share split into EPS (on wages up to the statutory ceiling) and EPF, on the full wage or on the capped wage."""
    calc = Calc("IN", on_date, tax_year)
    split = epf_split(calc, monthly_basic_wage, contributions_on_capped_wage)
    employee_ref, employer_ref = calc.cite("epf_employee_rate"), calc.cite("epf_employer_rate")
    eps_ref, ceiling_ref = calc.cite("eps_rate"), calc.cite("eps_wage_ceiling_month")
    figures = [
        Figure(name="employee_rate", label="Employee contribution rate", value=percent(calc.value("epf_employee_rate")), unit="%", citation=employee_ref),
        Figure(name="employee_contribution", label="Employee contribution to EPF", value=split["employee"], unit="INR", period="month", citation=employee_ref),
        Figure(name="employer_contribution", label="Employer contribution (EPF + EPS)", value=split["employer"], unit="INR", period="month", citation=employer_ref),
        Figure(name="eps_rate", label="EPS share of wages", value=percent(calc.value("eps_rate")), unit="%", citation=eps_ref),
        Figure(name="eps_wage_ceiling", label="EPS wage ceiling", value=money(split["ceiling"]), unit="INR", period="month", citation=ceiling_ref),
        Figure(name="employer_eps_contribution", label="Employer contribution to EPS (pension)", value=split["eps"], unit="INR", period="month", citation=eps_ref),
        Figure(name="employer_epf_contribution", label="Employer contribution to EPF", value=split["employer_epf"], unit="INR", period="month", citation=employer_ref),
        Figure(name="total_to_epf_account", label="Total credited to the EPF account", value=split["credited"], unit="INR", period="month", citation=employer_ref),
        Figure(name="total_to_epf_account_year", label="Total credited to the EPF account", value=money(split["credited"] * 12), unit="INR", period="year", citation=employer_ref),
    ]
    if contributions_on_capped_wage:
        path = ["contributions on wages capped at the statutory ceiling" if monthly_basic_wage > split["ceiling"]
                else "wage within the statutory ceiling"]
        assumptions = ["Both contributions are on the basic wage + DA capped at the statutory wage ceiling."]
    else:
        path = ["wage above the EPS ceiling: EPS share capped" if monthly_basic_wage > split["ceiling"] else "wage within the EPS ceiling"]
        assumptions = ["Both contributions are on the full basic wage + DA; an employer may restrict them to the capped wage."]
    assumptions += [
        "You are an EPS member (under 58; joined before 1 September 2014 or on wages within the ceiling).",
        "EDLI premium and administration charges paid by the employer are not included.",
        "Contributions are rounded to the nearest rupee.",
    ]
    summary = (f"Each month you pay {amount_text('INR', split['employee'])} and your employer {amount_text('INR', split['employer'])}, "
               f"of which {amount_text('INR', split['eps'])} goes to your EPS pension; "
               f"{amount_text('INR', split['credited'])} is credited to your EPF account.")
    return calc.result(figures, summary, assumptions, path)


@calculator(
    name="in_epf_projection", country="IN", title="a projection of your EPF",
    rules=("epf_interest_rate", "epf_employee_rate", "epf_employer_rate", "eps_rate", "eps_wage_ceiling_month", "eps_early_pension"),
    intents=(r"(project|projection|forecast|grow|growth).*\b(E?PF|provident fund)\b", r"\b(E?PF|provident fund)\b.*(be worth|at retirement|when i retire|at 58|in \d+ years)",
             r"how much (E?PF|provident fund|pf) will i have", r"\b(E?PF|provident fund)\b.*interest rate"),
    member_args={"balance": "pension_balance", "monthly_basic_wage": "monthly_basic_wage", "date_of_birth": "date_of_birth"},
    question_args={"years": "years", "date_of_birth": "date_of_birth", "on_date": "on_date", "tax_year": "tax_year"},
)
def epf_projection(
    balance: Annotated[float, Field(ge=0, description="Current EPF balance, INR.")],
    monthly_basic_wage: Annotated[float, Field(ge=0, description="Basic wages plus DA per month, INR.")] = 0,
    years: Annotated[int | None, Field(ge=0, le=60, description="Years to project. Default: until the normal pension age, from date_of_birth.")] = None,
    date_of_birth: Annotated[dt.date | None, Field(description="The member's date of birth; used when years is not given.")] = None,
    wage_growth: Annotated[float, Field(ge=-0.5, le=0.5, description="Assumed yearly growth in basic wage, as a ratio (0.05 = 5%).")] = 0.0,
    on_date: Annotated[dt.date | None, Field(description="Date the projection starts; picks the financial year and declared rate. Default today.")] = None,
    tax_year: TaxYearArg = None,
) -> CalcResult:
    """India: project an EPF balance with monthly contributions (the employee's share plus the employer's EPF share) at the latest declared EPF interest rate, to a number of years or the normal pension age."""
    calc = Calc("IN", on_date, tax_year)
    years = years_until(years, date_of_birth, calc.value("eps_early_pension")["normal_age"], calc.on_date)
    rate, rate_ref = calc.value("epf_interest_rate"), calc.cite("epf_interest_rate")
    contribution_ref = calc.cite("epf_employer_rate")
    contributed = 0.0
    for year in range(years):
        credit = epf_split(calc, monthly_basic_wage * (1 + wage_growth) ** year)["credited"]
        # EPFO credits interest once a year, worked out on each month's running balance.
        interest = 0.0
        for _month in range(12):
            interest += balance * rate / 12
            balance += credit
        balance += interest
        contributed += credit * 12
    projected = money(balance)
    figures = [
        Figure(name="years", label="Years projected", value=years, unit="years", citation=rate_ref),
        Figure(name="epf_interest_rate", label="EPF interest rate used", value=percent(rate), unit="%", citation=rate_ref),
        Figure(name="monthly_credit_now", label="Monthly credit to the EPF account now", value=epf_split(calc, monthly_basic_wage)["credited"], unit="INR", period="month", citation=contribution_ref),
        Figure(name="total_contributions", label="Contributions credited, all years", value=money(contributed), unit="INR", citation=contribution_ref),
        Figure(name="projected_balance", label="Projected EPF balance (not adjusted for inflation)", value=projected, unit="INR", citation=rate_ref),
    ]
    assumptions = [f"The latest declared rate ({percent(rate):g}%) is used for every future year; future rates are declared yearly and may differ.",
                   f"Basic wage grows {wage_growth * 100:g}% a year; the employer contributes on the full wage; no withdrawals.",
                   "Amounts are in future rupees, not adjusted for inflation; the EPS pension fund is separate (see the EPS pension tool)."]
    summary = (f"Your EPF could be about {amount_text('INR', projected)} after {years} years at "
               f"{percent(rate):g}% interest, before inflation.")
    return calc.result(figures, summary, assumptions, [f"{years} years at {percent(rate):g}%"])


@calculator(
    name="in_eps_pension", country="IN", title="your EPS pension",
    rules=("eps_pension_formula", "eps_early_pension", "eps_minimum_pension", "eps_max_pensionable_service", "eps_deferred_pension"),
    intents=(r"\bEPS\b.*pension", r"pension .*\bEPS\b", r"employees'? pension scheme", r"\bEPS[- ]?95\b", r"minimum pension",
             r"early pension", r"pension (from|at) (50|5[0-7])"),
    member_args={"pensionable_salary": "monthly_basic_wage", "service_years": "epf_service_years"},
    question_args={"pension_age": "age", "service_years": "years", "on_date": "on_date", "tax_year": "tax_year"},
)
def eps_pension(
    pensionable_salary: Annotated[float, Field(ge=0, description="Average monthly basic + DA over the last 60 months, INR (capped at the wage ceiling).")],
    service_years: Annotated[float, Field(ge=0, le=60, description="Pensionable service in years (EPS membership).")],
    pension_age: Annotated[int | None, Field(ge=40, le=70, description="Age the pension starts. Default: the normal pension age; earlier gives a reduced pension.")] = None,
    on_date: OnDateYear = None,
    tax_year: TaxYearArg = None,
) -> CalcResult:
    """India: monthly Employees' Pension Scheme (EPS-95) pension = pensionable salary (capped at the wage ceiling) x pensionable service / the formula's divisor, with the service weightage for long service, the early-pension reduction and the minimum pension."""
    calc = Calc("IN", on_date, tax_year)
    formula, early, minimum = calc.value("eps_pension_formula"), calc.value("eps_early_pension"), calc.value("eps_minimum_pension")
    formula_ref, early_ref, min_ref = calc.cite("eps_pension_formula"), calc.cite("eps_early_pension"), calc.cite("eps_minimum_pension")
    pension_age = early["normal_age"] if pension_age is None else pension_age
    if service_years < formula["min_service_years"]:
        raise ToolError("service_too_short", f"An EPS pension needs {formula['min_service_years']} years' service; with "
                        f"{service_years:g} years you get a withdrawal benefit instead.", field="service_years")
    if pension_age < early["earliest_age"]:
        raise ToolError("age_out_of_range", f"An EPS pension can start from age {early['earliest_age']}; "
                        f"{pension_age} was given.", field="pension_age")
    salary = min(pensionable_salary, formula["salary_ceiling"])
    service = service_years + (formula["weightage_years"] if service_years >= formula["weightage_min_service"] else 0)
    path = [f"pensionable salary {salary:,.0f} x service {service:g} / {formula['divisor']}"]
    if service != service_years:
        path.append(f"{formula['weightage_years']} years' weightage for {formula['weightage_min_service']}+ years of service")
    if service > formula["divisor"] / 2:
        # Past the service that gives half the pensionable salary, whether more service counts is its own figure.
        cap = calc.value("eps_max_pensionable_service")
        service = min(service, cap)
        path.append(f"pensionable service capped at {cap:g} years")
    full = salary * service / formula["divisor"]
    pension = full
    years_short = max(0, early["normal_age"] - pension_age)
    if years_short:
        pension = full * (1 - early["reduction_per_year"] * years_short)
        path.append(f"starts at {pension_age}: reduced {percent(early['reduction_per_year']):g}% for each of {years_short} years short of {early['normal_age']}")
    elif pension_age > early["normal_age"]:
        deferred = calc.value("eps_deferred_pension")
        if pension_age > deferred["latest_age"]:
            raise ToolError("age_out_of_range", f"An EPS pension can be deferred to age {deferred['latest_age']} at most; "
                            f"{pension_age} was given.", field="pension_age")
        years_late = pension_age - early["normal_age"]
        pension = full * (1 + deferred["increase_per_year"]) ** years_late
        path.append(f"starts at {pension_age}: increased {percent(deferred['increase_per_year']):g}% a year for {years_late} years deferred")
    if pension < minimum:
        pension = minimum
        path.append(f"raised to the minimum pension of Rs {minimum:,.0f}")
    monthly = money(pension)
    figures = [
        Figure(name="pensionable_salary", label="Pensionable salary used (capped)", value=money(salary), unit="INR", period="month", citation=formula_ref),
        Figure(name="pensionable_service", label="Pensionable service incl. weightage", value=service, unit="years", citation=formula_ref),
        Figure(name="pension_at_58", label=f"Monthly pension at {early['normal_age']}", value=money(max(full, minimum)), unit="INR", period="month", citation=formula_ref),
        Figure(name="monthly_pension", label=f"Monthly pension starting at {pension_age}", value=monthly, unit="INR", period="month", citation=early_ref if years_short else formula_ref),
        Figure(name="minimum_pension", label="Minimum EPS pension", value=money(minimum), unit="INR", period="month", citation=min_ref),
    ]
    assumptions = ["Pensionable salary is capped at the wage ceiling; higher-wage pension options (contributions on actual wages) are not modelled.",
                   "The early-pension reduction is applied as a flat rate for each year short of the normal age.",
                   "The minimum pension is applied to the pension as reduced."]
    summary = f"Your EPS pension starting at {pension_age} would be about {amount_text('INR', monthly)} a month."
    return calc.result(figures, summary, assumptions, path)


@calculator(
    name="in_nps_exit", country="IN", title="what you can take from your NPS", rules=("nps_exit_non_government",),
    # Premature exits and government subscribers have their own calculators (india_nps.py).
    intents=(r"^(?!.*\b(premature|early|before (60|retirement)|close|government|govt)\b).*(\bNPS\b|national pension system|annuit)",),
    member_args={"corpus": "nps_balance"},
    question_args={"corpus": "amount", "on_date": "on_date", "tax_year": "tax_year"},
)
def nps_exit(
    corpus: Annotated[float, Field(ge=0, description="Accumulated NPS pension wealth at exit, INR.")],
    on_date: Annotated[dt.date | None, Field(description="Date of exit; picks the rules in force. Default today.")] = None,
    tax_year: TaxYearArg = None,
) -> CalcResult:
    """India: NPS normal exit for non-government subscribers: the most that can be withdrawn as a lump sum and the least that must buy an annuity (all of a small corpus; above that a share as lump sum with the rest as annuity, or in a middle band a fixed lump sum with the rest by systematic unit redemption)."""
    calc = Calc("IN", on_date, tax_year)
    rule, ref = calc.value("nps_exit_non_government"), calc.cite("nps_exit_non_government")
    if corpus <= rule["full_lump_sum_up_to"]:
        lump, path = corpus, f"corpus up to Rs {rule['full_lump_sum_up_to']:,}: all of it can be taken as a lump sum"
    elif corpus <= rule["partial_band_up_to"]:
        # Two options in this band: up to the fixed lump sum with the rest by systematic unit redemption or
        # annuity, or up to the lump-sum share with the rest as annuity. The most as a lump sum is the larger.
        lump = max(rule["partial_band_lump_sum"], corpus * rule["max_lump_sum_fraction"])
        path = (f"corpus Rs {rule['full_lump_sum_up_to']:,} to {rule['partial_band_up_to']:,}: up to {percent(rule['max_lump_sum_fraction']):g}% lump sum "
                f"with at least {percent(rule['min_annuity_fraction']):g}% annuity, or up to Rs {rule['partial_band_lump_sum']:,} lump sum "
                "with the rest by systematic unit redemption (at least 6 years) or annuity")
    else:
        lump = corpus * rule["max_lump_sum_fraction"]
        path = f"corpus over Rs {rule['partial_band_up_to']:,}: up to {percent(rule['max_lump_sum_fraction']):g}% lump sum, at least {percent(rule['min_annuity_fraction']):g}% annuity"
    lump, rest = money(lump), money(corpus - lump)
    figures = [
        Figure(name="max_lump_sum", label="Most that can be taken as a lump sum", value=lump, unit="INR", citation=ref),
        Figure(name="min_annuity_or_withdrawal", label="Least to use for an annuity when the most is taken as a lump sum", value=rest, unit="INR", citation=ref),
    ]
    assumptions = ["Non-government sector subscriber (All Citizen or Corporate model) at normal exit (60, superannuation or 15 years); government-sector rules differ.",
                   "Tax on the lump sum and annuity income is not calculated here.",
                   "Exit can also be deferred (up to age 85)."]
    summary = f"You can take up to {amount_text('INR', lump)} of your NPS as a lump sum"
    summary += f"; the other {amount_text('INR', rest)} goes to an annuity (or, in the middle band, regular withdrawals)." if rest else "."
    return calc.result(figures, summary, assumptions, [path])


@calculator(
    name="in_epf_withdrawal_tax", country="IN", title="the tax on your EPF withdrawal", rules=("epf_withdrawal_tds",),
    intents=(r"\b(E?PF|provident fund)\b.*(withdraw|take out).*tax", r"tax.*(withdraw|take out).*\b(E?PF|provident fund)\b", r"\bTDS\b.*\b(E?PF|PF)\b",
             r"\b(E?PF|PF)\b.*\bTDS\b", r"5 years.*\b(E?PF|PF)\b"),
    member_args={"amount": "pension_balance", "continuous_service_years": "epf_service_years"},
    question_args={"amount": "amount", "continuous_service_years": "years", "on_date": "on_date", "tax_year": "tax_year"},
)
def epf_withdrawal_tax(
    amount: Annotated[float, Field(ge=0, description="EPF amount being withdrawn, INR.")],
    continuous_service_years: Annotated[float, Field(ge=0, le=60, description="Years of continuous service (including transferred earlier service).")],
    on_date: Annotated[dt.date | None, Field(description="Date of the withdrawal; picks the financial year. Default today.")] = None,
    tax_year: TaxYearArg = None,
) -> CalcResult:
    """India: whether an EPF withdrawal is taxable (before the required years of continuous service) and the TDS deducted on larger withdrawals."""
    calc = Calc("IN", on_date, tax_year)
    rule, ref = calc.value("epf_withdrawal_tds"), calc.cite("epf_withdrawal_tds")
    taxable = continuous_service_years < rule["min_service_years"]
    tds = money(amount * rule["rate"]) if taxable and amount >= rule["threshold"] else 0.0
    rate = percent(rule["rate"])
    if not taxable:
        path = f"{continuous_service_years:g} years' continuous service: {rule['min_service_years']} or more, withdrawal exempt"
        summary = f"Your withdrawal is not taxable: you have {rule['min_service_years']} or more years of continuous service."
    elif tds:
        path = f"under {rule['min_service_years']} years' service and Rs {rule['threshold']:,} or more: taxable, {rate:g}% TDS"
        summary = f"Your withdrawal is taxable: {amount_text('INR', tds)} TDS is deducted, so you receive {amount_text('INR', money(amount - tds))}."
    else:
        path = f"under {rule['min_service_years']} years' service but under Rs {rule['threshold']:,}: taxable, no TDS"
        summary = "Your withdrawal is taxable, but no TDS is deducted because it is below the threshold."
    figures = [
        Figure(name="taxable", label="Withdrawal is taxable", value="yes" if taxable else "no", unit="count", citation=ref),
        Figure(name="tds_rate", label="TDS rate", value=rate, unit="%", citation=ref),
        Figure(name="tds", label="Tax deducted at source", value=tds, unit="INR", citation=ref),
        Figure(name="amount_after_tds", label="Amount paid after TDS", value=money(amount - tds), unit="INR", citation=ref),
    ]
    assumptions = ["PAN is furnished (without it TDS is at a higher rate) and no Form 15G/15H is given.",
                   "Service ended for reasons other than ill-health or the employer's business closing (those withdrawals are exempt).",
                   "TDS is not the final tax: a taxable withdrawal is taxed at slab rates in the return."]
    return calc.result(figures, summary, assumptions, [path])


@calculator(
    name="in_epf_interest_tax", country="IN", title="the tax on your EPF interest",
    rules=("epf_interest_rate", "epf_interest_taxable_threshold", "epf_employee_rate"),
    intents=(r"(tax|taxable).*(interest).*\b(E?PF|VPF|PF|provident fund)\b", r"\b(E?PF|VPF|PF|provident fund)\b.*interest.*(tax|taxable)",
             r"2\.5 lakh", r"\bVPF\b"),
    member_args={"monthly_basic_wage": "monthly_basic_wage"},
    question_args={"annual_employee_contribution": "amount", "on_date": "on_date", "tax_year": "tax_year"},
)
def epf_interest_tax(
    annual_employee_contribution: Annotated[float | None, Field(ge=0, description="Employee's own EPF/VPF contributions in the financial year, INR. Default: the employee rate times monthly_basic_wage, times 12.")] = None,
    monthly_basic_wage: Annotated[float | None, Field(ge=0, description="Basic wages plus DA per month, INR; used when annual_employee_contribution is not given.")] = None,
    employer_contributes: Annotated[bool, Field(description="Whether the employer also contributes (sets which threshold applies).")] = True,
    on_date: Annotated[dt.date | None, Field(description="Date in the financial year asked about. Default today.")] = None,
    tax_year: TaxYearArg = None,
) -> CalcResult:
    """India: whether interest on EPF contributions is taxable: the part of a year's employee contributions above the threshold (higher without employer contributions) earns taxable interest."""
    calc = Calc("IN", on_date, tax_year)
    if annual_employee_contribution is None:
        if monthly_basic_wage is None:
            raise ToolError("missing_amount", "I need your own contributions this year or your monthly basic wage.",
                            field="annual_employee_contribution")
        annual_employee_contribution = money(monthly_basic_wage * calc.value("epf_employee_rate") * 12)
        calc.cite("epf_employee_rate")
    threshold_rule = calc.value("epf_interest_taxable_threshold")
    rate, rate_ref = calc.value("epf_interest_rate"), calc.cite("epf_interest_rate")
    threshold_ref = calc.cite("epf_interest_taxable_threshold")
    threshold = threshold_rule["with_employer_contribution" if employer_contributes else "without_employer_contribution"]
    excess = money(max(0.0, annual_employee_contribution - threshold))
    figures = [
        Figure(name="annual_employee_contribution", label="Employee contributions this year", value=money(annual_employee_contribution), unit="INR", period="year", citation=rate_ref),
        Figure(name="threshold", label="Contributions whose interest stays tax-free", value=money(threshold), unit="INR", period="year", citation=threshold_ref),
        Figure(name="excess_contribution", label="Contributions above the threshold", value=excess, unit="INR", period="year", citation=threshold_ref),
        Figure(name="taxable_interest_estimate", label="Estimated taxable interest on the excess for a full year", value=money(excess * rate), unit="INR", period="year", citation=rate_ref),
    ]
    path = ["contributions above the threshold: interest on the excess is taxable each year" if excess else "contributions within the threshold: interest tax-free"]
    assumptions = ["The estimate applies the EPF rate to the excess for a whole year; actual interest depends on when contributions were made.",
                   "Interest on the excess is taxed at slab rates every year it accrues."]
    if excess:
        summary = (f"Interest on {amount_text('INR', excess)} of your contributions (the part above {amount_text('INR', threshold)}) "
                   f"is taxable: about {amount_text('INR', money(excess * rate))} for a full year.")
    else:
        summary = f"Interest on your contributions is tax-free: they are within the {amount_text('INR', threshold)} threshold."
    return calc.result(figures, summary, assumptions, path)

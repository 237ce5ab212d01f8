"""What the planner knows beyond each calculator's own declaration: members' phrasings, which calculators answer a
question together, what a vague question gets, and how question slots fill parameters.

CUES are the plain-word phrasings members use that the calculators' ``intents`` (declared with each calculator
in tools/, which the planner does not own) do not catch yet; the planner reads both (:func:`asks_for`). They are
candidates to move into the calculators' intents.
"""

from __future__ import annotations

import re

from pension_advisor.tools.registry import ToolSpec

_WITHDRAW = r"(withdraw\w*|cash(ing)? out|lump sum|take out|taking out)"
_WILL_HAVE = r"\b(how much|what)\b.*\b(will|would|might|could)\b.*\b(have|be worth|end up|grow|get)\b"

CUES: dict[str, tuple[str, ...]] = {
    "au_preservation_age": (r"\bcan i (retire|stop working|access|withdraw|get)\b.*\b(at|before|now)\b", r"\bretire early\b",
                            r"\bwhen can i (retire|access|withdraw|use|touch|get|take)\b", r"\baccess\b.*\bsuper\b",
                            r"\bpreserved\b", r"\b(locked|preservation)\b.*\bsuper\b", rf"\b{_WITHDRAW}\b.*\bsuper\b.*\b(now|at \d\d)\b"),
    "au_super_lump_sum_tax": (rf"\btax\w*\b.*\b{_WITHDRAW}", rf"\b{_WITHDRAW}\b.*\btax\w*\b"),
    "au_super_guarantee": (r"\b(should|must|has to|have to|supposed to|legally|required to|by law)\b.*\bemployer\b.*\b(pay|put|contribut)\w*",
                           r"\bemployer\b.*\b(should|must|has to|have to|supposed to|required to)\b.*\b(pay|put|contribut)\w*",
                           r"\b(minimum|compulsory)\b.*\b(employer|super)\b.*\b(contribution|payment)s?\b"),
    "au_contribution_caps": (r"\bcontribut\w*\b.*\b(limit|max|maximum|most|cap)\b", r"\b(limit|max|maximum|most|cap)\b.*\bcontribut\w*",
                             r"\bhow much (more )?can i (contribute|put|add|salary sacrifice|chuck)\b", r"\bcarry[- ]forward\b",
                             r"\b(most|max\w*|limit)\b[^.?!]*\b(salary sacrifice|contribute|put in|add to)\b"),
    "au_transfer_balance_cap": (r"\btbc\b", r"\btransfer balance\b"),
    "au_age_pension": (r"\b(government|centrelink) pension\b", r"\bpension from (the )?government\b"),
    "au_super_projection": (rf"{_WILL_HAVE}.*\b(super|retire\w*|balance)\b", rf"\b(super|retire\w*|balance)\b.*{_WILL_HAVE}",
                            r"\bsuper\b.*\b(in|after) \d+ years\b"),
    "us_social_security_benefit": (r"\bclaim\w*\b.*\bat \d\d\b", r"\bsocial security\b", r"\bfull retirement age\b"),
    "us_401k_contribution_limit": (r"\bhow much (more )?can i (contribute|put|save|defer)\b(?!.*\b(ira|roth)\b)",
                                   r"\bcatch[- ]?up\b(?!.*\b(ira|roth)\b)", r"\bmax(imum)? (out|contribution)\b(?!.*\b(ira|roth)\b)"),
    "us_early_withdrawal_penalty": (r"\bwithout (a |any |the )?(penalt|extra tax|additional tax)", r"\bpenalty[- ]free\b",
                                    rf"\b({_WITHDRAW}|access|tap|touch)\b.*\b(early|before 59|under 59)\b",
                                    rf"\b({_WITHDRAW}|access|tap)\b.*\b(401\(k\)|401k|ira)\b.*\b(now|at \d\d|penalt\w*)\b",
                                    r"\bretire early\b.*\b(401\(k\)|401k|ira)\b"),
    "us_required_minimum_distribution": (r"\bhave to (start )?(take|taking|withdraw)\w*\b", r"\bforced to (take|withdraw)\b"),
    "us_401k_projection": (rf"{_WILL_HAVE}.*\b(401\(k\)|401k|retire\w*|balance)\b", rf"\b(401\(k\)|401k)\b.*{_WILL_HAVE}"),
    "us_ira_contribution_limit": (r"\bhow much (more )?can i (contribute|put|save)\b.*\b(ira|roth)\b", r"\b(ira|roth)\b.*\bhow much can i\b"),
    "uk_state_pension_age": (r"\bwhen\b.*\b(state pension|get my pension from the government)\b(?!.*\bhow much\b)",),
    "uk_new_state_pension": (r"\bhow much\b.*\bstate pension\b", r"\bstate pension\b.*\b(how much|amount|worth|forecast|get|entitled)\b",
                             r"\b(full|new) (state )?pension\b"),
    "uk_pension_access_age": (r"\b(access|take|draw|touch|get at|cash in)\b.*\b(workplace |private |personal |work )?pension\b.*\b(at|before) \d\d\b",
                              r"\bwhen can i (take|access|draw|touch|get)\b.*\b(workplace|private|personal|work) pension\b"),
    "uk_tax_free_lump_sum": (r"\btax[- ]free\b.*\b(take|get|have|withdraw|cash|lump)\w*", r"\b(quarter|25 ?(%|percent))\b.*\b(tax[- ]free|pension|pot)\b"),
    "uk_annual_allowance": (r"\bhow much (more )?can i (pay|put|contribute|save)\b(?!.*\bisa\b)", r"\b(pension )?contribution limit\b",
                            r"\bcarry[- ]forward\b.*\ballowance\b"),
    "uk_drawdown_income_tax": (rf"\btax(?![- ]free)\w*\b.*\b({_WITHDRAW}|take|taking|draw)\b.*\b(pension|pot)\b",
                               rf"\b({_WITHDRAW}|take|taking|draw)\b.*\b(pension|pot)\b.*\btax(?![- ]free)\w*\b"),  # a UFPLS has its own calculator (uk_ufpls_tax)
    "in_epf_contribution": (r"\b(pf|epf)\b.*\b(deduct|deduction|cut|deducted)\w*", r"\bhow much\b.*\b(goes|go|deducted)\b.*\b(pf|epf)\b",
                            r"\b(pf|epf)\b.*\b(my )?share\b"),
    "in_epf_projection": (r"\b(pf|epf|provident fund)\b.*\b(retire\w*|at 58|will i have|will be|will it be|grow)\b",
                          rf"{_WILL_HAVE}.*\b(pf|epf|provident fund)\b"),
    "in_eps_pension": (r"\b(monthly )?pension\b.*\b(eps|epf|pf)\b", r"\bhow much pension\b", r"\bpension\b.*\b(will i get|milega)\b"),
    "in_epf_withdrawal_tax": (rf"\btax\w*\b.*\b{_WITHDRAW}", rf"\b{_WITHDRAW}\b.*\b(tax\w*|tds)\b"),
    "in_epf_interest_tax": (r"\binterest\b.*\b(tax\w*)\b", r"\btax\w*\b.*\binterest\b"),
    "uk_pension_access_age": (r"\b(earliest|youngest|minimum|lowest)\b[^.?!]*\bage\b[^.?!]*\b(take|access|draw|touch|get)\b[^.?!]*\bpension\b",),
}

# Questions a calculator's intents catch but whose figures would answer a different question: the rule explained
# (retrieved) answers them, or the member's record does. "How is my Social Security taxed?" is not the benefit at
# 67; "What happens if I miss an RMD?" is not this year's RMD; "What's my NPS balance?" is the record, not an exit.
NOT_ASKED: dict[str, str] = {
    "au_preservation_age": r"\b(compassionate|terminal\w*|incapacit\w*|disabled|disability|first home|fhss)\b",
    "us_social_security_benefit": r"\b(tax\w*|survivor\w*|widow\w*|dies|died|pass(es|ed)? away|death|ex[- ]?(husband|wife|spouse)|"
                                  r"divorc\w*|earnings test|primary insurance amount|pia|medicare)\b",
    "us_required_minimum_distribution": r"\b(miss(ed|ing)?|forg[eo]t|penalt\w*|roth)\b",
    "us_early_withdrawal_penalty": r"\bwhat('?s| is| are)\b[^.?!]*\b(rule of 55|72\(t\)|72t|sepp)\b",
    "us_401k_contribution_limit": r"\bhow much do i (put|contribute|pay|save|defer)\b(?![^.?!]*\b(can|could|allowed|limit|max\w*)\b)",
    "uk_annual_allowance": r"\b(money purchase annual allowance|mpaa)\b",
    "uk_new_state_pension": r"\bhow many\b[^.?!]*\b(qualifying years|years (of|of ni|of national insurance))\b(?![^.?!]*\bhow much\b)",
    "uk_tax_free_lump_sum": r"\bwhat('?s| is)\b (the )?(lump sum allowance|lump sum and death benefit allowance|lsa|lsdba)\b",
    "in_epf_projection": r"\b(withdraw\w*|advance)\b|\binterest rate\b(?![^?]*\b(grow|worth|will|projection)\b)",
    "in_epf_interest_tax": r"\b(can i|may i|allowed to)\b[^?]*\b(put|contribute|pay|add|invest)\b(?![^?]*\binterest\b)",
    "in_eps_pension": r"\b(family pension|widow\w*|if i die|when i die|death|children'?s pension|orphan)\b",
    "in_nps_exit": r"\b(tiers?|before 60|premature|early|tax\w*|balance)\b(?![^?]*\b(lump sum|annuity)\b)",
    "uk_income_tax": r"\btax relief\b",
}

# Calculators that answer part of any question another one answers: a withdrawal's tax also needs whether and from
# when the money can be reached at all (a 48-year-old asking about tax on $50,000 must hear it is preserved).
COMPANIONS: dict[str, tuple[str, ...]] = {
    "au_super_lump_sum_tax": ("au_preservation_age",),
}

# A question about retirement that names no calculation ("Can you help me plan my retirement?", "am I on track?"):
# the balance from the record, where it is heading and the first age that matters.
OVERVIEW: dict[str, tuple[str, ...]] = {
    "AU": ("au_super_projection", "au_preservation_age"),
    "US": ("us_401k_projection", "us_social_security_benefit"),
    "UK": ("uk_state_pension_age", "uk_new_state_pension"),
    "IN": ("in_epf_projection", "in_eps_pension"),
}
OVERVIEW_RECORD = ("pension_balance",)
# Given the overview: a question in the domain that asks for help in general and for no calculation or record field
# (any explanation retrieved is kept beside it).
VAGUE = re.compile(r"\b(help|advice|advise|plan|planning|on track|enough|situation|where do i stand|what should i do|overview|"
                   r"options|ready|prepared|doing ok(ay)?|doing alright|sort out|sorted|afford|comfortabl\w*)\b", re.IGNORECASE)
# "What is X?" about a rule, with nothing about the member in it ("What is the tapered annual allowance?", "What is
# UFPLS?"): the rule explained answers it, not the member's figure (when a passage is found).
DEFINITION = re.compile(r"^\W*(what('?s| is| are)|define|explain|meaning of)\b", re.IGNORECASE)
# ... unless it is about the member, or asks for a figure ("What is the minimum EPS pension?", "... on a pot of £1.2m?").
PERSONAL = re.compile(r"\b(my|me|i|i'?m|i'?d|i'?ve|mine|we|our|us)\b|\b(minimum|maximum|limit|cap|rate|how much)\b"
                      r"|[$£₹€]\s?\d|\d\s?(%|k\b|m\b|million|lakh|crore|years?\b)|\b(aged?|at)\s+\d",  # amounts and ages, not
                      re.IGNORECASE)                                                        # the 293 of Division 293
# Where to get help is not a request for an overview of the member's own figures.
WHERE_TO_ASK = re.compile(r"\b(where|who)\b[^?]*\b(get|find|ask|go|speak|talk|contact)\b", re.IGNORECASE)
DOMAIN = re.compile(r"\b(retire\w*|pension\w*|super\w*|401\(k\)|401k|ira|roth|social security|epf|pf|eps|nps|provident|"
                    r"savings|nest egg|pot|old age|contribut\w*)\b", re.IGNORECASE)

# Question slots that fill a calculator parameter besides the calculator's own question_args: by parameter name,
# in order of preference. A slot with the parameter's own name fills it too (annual_return, annual_fee...).
# An age parameter with no current age in the question takes the age the question is about ("at 55").
PARAMETER_SLOTS: dict[str, tuple[str, ...]] = {
    "retirement_age": ("target_age",),
    "separation_age": ("leave_age",),
    "age": ("target_age",),
    "pension_age": ("target_age",),
    "claim_age_years": ("target_age",),  # "my Social Security at 67"
}

# A question of the "without penalty" kind is answered by a date, not by the tax on the whole balance: the figures
# named here answer it (the plan passes them on as the call's ``focus``).
FOCUS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("us_early_withdrawal_penalty", r"\bwithout (a |any |the )?(penalt|extra tax|additional tax)|\bpenalty[- ]free\b",
     ("age_59_half_date", "penalty_applies")),
    ("au_preservation_age", r"\bwhen\b", ("preservation_date", "preservation_age")),
)

# Plain words for a figure the member may have to give us, by parameter name (a clarifying question names it).
PARAMETER_WORDS: dict[str, str] = {
    "pia_monthly": "your Primary Insurance Amount (the monthly benefit at full retirement age on your Social Security statement)",
    "salary": "your yearly salary", "annual_salary": "your yearly salary", "earned_income": "your earned income for the year",
    "threshold_income": "your yearly income", "adjusted_income": "your yearly income",
    "monthly_basic_wage": "your monthly basic wage plus dearness allowance", "pensionable_salary": "your monthly basic wage",
    "date_of_birth": "your date of birth", "qualifying_years": "how many qualifying years your National Insurance record has",
    "service_years": "how many years of EPS service you have", "continuous_service_years": "how many years of continuous EPF service you have",
    "taxed_element": "how much you want to take out", "amount": "the amount you have in mind", "drawdown": "how much you would take out in the year",
    "annual_withdrawal": "how much you would take out each year", "pot": "the size of your pension pot", "corpus": "your NPS balance",
    "balance": "your balance", "total_super_balance": "your total super balance", "annual_employee_contribution": "how much you pay into your PF in a year",
}


def asks_for(spec: ToolSpec, text: str) -> bool:
    """Whether ``text`` (normalised) asks for what ``spec`` calculates: its own intents or the planner's cues, and
    not something its figures do not answer (NOT_ASKED)."""
    if (other := NOT_ASKED.get(spec.name)) and re.search(other, text, re.IGNORECASE):
        return False
    return spec.matches(text) or any(re.search(p, text, re.IGNORECASE) for p in CUES.get(spec.name, ()))


def focus(tool: str, text: str) -> list[str]:
    return [f for name, pattern, figures in FOCUS if name == tool and re.search(pattern, text, re.IGNORECASE) for f in figures]

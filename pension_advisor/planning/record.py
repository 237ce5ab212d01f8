"""Questions about the member's own record ("What's my balance?", "Who are my beneficiaries?").

Each record field has rules; a rule is a set of patterns that must ALL be found in the (normalised) question, in
any order, so "How much is in my super?" and Hinglish "mera PF kitna hai" ("my PF how much") both read as the
balance. Questions about what WILL be ("how much will I have at 65") or what SHOULD be ("what should my employer
pay") are calculations, not the record: the tense guard below keeps them out.
"""

from __future__ import annotations

import re

from pension_advisor.members.model import PRIVATE_FIELDS, Member

_ACCOUNT = r"(super|superannuation|401\(k\)|401k|pension|pot|epf|pf|provident fund|retirement (account|savings|fund)|account|savings)"
_HOW_MUCH = r"\b(how much|what'?s|what is|what are|tell me|show me|check)\b"
_NOW = r"\b(do i have|have i got|i have|i've got|is in|is there|sitting in|is my|'s my|are my|in my|my current|currently|right now|so far|to date|hai)\b"
_FUTURE_OR_RULE = re.compile(
    r"\b(will|would|could|should|must|have to|has to|need to|going to|gonna|projected?|projection|forecast|by the time|"
    r"when i retire|at retirement|at \d\d|in \d+ years|if i|limit|cap|maximum|minimum|allowed|can i)\b", re.IGNORECASE)

# The record holds the member's account with this scheme only: another pension (a final salary scheme, the State
# Pension, an IRA or NPS, which have fields of their own) is not its balance.
_NOT_THIS_ACCOUNT = r"^(?!.*\b(ira|nps|final salary|defined benefit|state pension|nhs|teachers'? pension|civil service|partner'?s|wife'?s|husband'?s|spouse'?s)\b)"

# field -> rules; each rule: patterns that must all match. Country-specific words are harmless elsewhere: a US
# member's question never says "EPF".
RULES: dict[str, tuple[tuple[str, ...], ...]] = {
    "pension_balance": (
        (r"\b(my|mera|meri)\b[^.?!]{0,30}\bbalance\b", _NOT_THIS_ACCOUNT),
        (r"\bbalance\b[^.?!]{0,20}\b(super|401\(k\)|401k|pension|pot|epf|pf|account)\b", _NOT_THIS_ACCOUNT),
        # Hinglish puts "my" last: "PF balance kitna hai mera" reads "PF balance how much my".
        (r"\b(super|401\(k\)|401k|pension|pot|epf|pf|account)\b[^.?!]{0,5}\bbalance\b", r"\b(my|how much)\b", _NOT_THIS_ACCOUNT),
        (rf"\bhow much\b", rf"\b(my|mera)\b[^.?!]{{0,20}}{_ACCOUNT}", _NOW, _NOT_THIS_ACCOUNT, r"^(?!.*\b(employer|company|contribut\w*)\b)"),
        (rf"\bhow much\b[^.?!]{{0,15}}\b(super|money|savings)\b", r"\b(do i have|have i got|i have|is there)\b", _NOT_THIS_ACCOUNT),
        (rf"\b(what'?s|what is)\b[^.?!]{{0,5}}\bmy\b[^.?!]{{0,12}}{_ACCOUNT}\b[^.?!]{{0,6}}(worth|at|total|balance)?\s*[?.!]*$", _NOT_THIS_ACCOUNT),
        (r"\bmy\b[^.?!]{0,20}\b(pf|epf|provident fund)\b", r"\bhow much\b", _NOT_THIS_ACCOUNT),
    ),
    "ira_balance": ((r"\bira\b", r"\b(balance|how much|worth)\b", r"^(?!.*\broth conversion\b)"),),
    "nps_balance": ((r"\bnps\b", r"\b(balance|how much|worth|corpus)\b", r"\bmy\b"),),
    "employer_contribution_annual": (
        # "work" only as the payer ("my work puts in"), never the verb of "how does the downsizer work".
        (r"\b(employer|company|boss)('?s)?\b|\bmy work('?s)?\b", r"\b(put|puts|putting|pay|pays|paying|paid|contribute[sd]?|contributing|contribution|contributions|match|matching|add|adds)\b",
         r"\b(how much|what|does|did|is|are)\b", r"^(?!.*\b(should|must|have to|has to|minimum|required|legally|by law|supposed)\b)"),
    ),
    "employee_contribution_annual": (
        (r"\bhow much\b", r"\b(do|did|have) i\b[^.?!]{0,12}\b(put|pay|paid|contribute|contributed|save|saved|salary sacrifice)\b",
         r"^(?!.*\b(can|could|should|limit|cap|max)\b)"),
        (r"\bmy (own )?(contributions|salary sacrifice|deferrals?)\b", r"\b(how much|what|show)\b", r"^(?!.*\b(limit|cap|max|can i)\b)"),
    ),
    "beneficiaries": (
        (r"\b(beneficiar(y|ies)|nominees?|nominations?|nominated)\b", r"\b(my|who|whom|have i|are|is)\b", r"^(?!.*\b(how do i|how to|can i|should i|change|update|add)\b)"),
        (r"\bwho (gets|will get|inherits)\b",),
    ),
    "employer": ((r"\b(who|which|what)\b[^.?!]{0,15}\b(my )?employer\b", r"^(?!.*\b(put|pay|contribut|match)\w*)"),),
    "scheme": ((r"\b(which|what|who|name of)\b[^.?!]{0,20}\b(fund|plan|scheme|provider)\b", r"\b(my|am i|i'm|i am|is)\b",
                r"^(?!.*\b(best|should|switch|change)\b)"),),
    "account_type": ((r"\b(type|kind|sort) of (account|super|pension|plan)\b", r"\b(my|i have|do i)\b"),),
    "annual_salary": ((r"\b(my|what)\b[^.?!]{0,12}\b(salary|income|pay)\b", r"\b(on (my )?record|do you have|is recorded|you have)\b"),),
    "ni_qualifying_years": ((r"\b(how many|number of)\b[^.?!]{0,20}\b(qualifying|national insurance|ni)\b[^.?!]{0,12}\byears?\b",
                             r"\b(do i|i have|have i|my)\b"),
                            (r"\bmy national insurance record\b",)),
    "ss_pia_monthly": ((r"\b(my )?(pia|primary insurance amount)\b", r"\b(what|how much|my)\b"),),
    "epf_service_years": ((r"\b(how many|number of)\b[^.?!]{0,15}\byears?\b[^.?!]{0,15}\b(service|pf|epf)\b", r"\b(my|i|do i|have i)\b"),),
    "monthly_basic_wage": ((r"\bmy\b[^.?!]{0,10}\bbasic (wage|salary|pay)\b", r"\b(what|how much|recorded|record)\b"),),
    "contribution_years": ((r"\bhow (many|long)\b[^.?!]{0,25}\b(contribut|paying in|been saving)", r"\b(have i|i have|i've)\b"),),
    "record_as_of": ((r"\b(when|how recent|how old|last)\b[^.?!]{0,25}\b(record|statement|balance|figures?|data)\b[^.?!]{0,15}\b(updated|as of|from|date)\b",),),
}
# "Everything you have on me": an overview of the account.
SUMMARY = ("pension_balance", "scheme", "account_type", "employer", "employee_contribution_annual",
           "employer_contribution_annual", "beneficiaries")
_SUMMARY = re.compile(r"\b(my (account|record|details|summary|statement)|account summary|what do you (have|know) (on|about) me)\b",
                      re.IGNORECASE)
# Balance questions whose tense makes them projections or rules, not the record.
_TENSE_GUARDED = {"pension_balance", "ira_balance", "nps_balance", "employee_contribution_annual"}

assert not PRIVATE_FIELDS & set(RULES), "a private field must never be asked for"
assert set(RULES) | set(SUMMARY) <= set(Member.model_fields), "record rules name Member fields"


# A question may ask two things ("My balance, and when can I access it?"): each part is read on its own.
_CLAUSES = re.compile(r"[?.!;]+|,?\s+(?:and|but|also|plus)\s+(?=(?:when|how|what|can|could|who|is|are|do|does|will|would|should|if)\b)",
                      re.IGNORECASE)


def record_fields(question: str) -> list[str]:
    """The member-record fields ``question`` asks about, in the order of RULES (empty when none)."""
    found: set[str] = set()
    for clause in filter(str.strip, _CLAUSES.split(question)):
        fields = {field for field, rules in RULES.items()
                  if any(all(re.search(p, clause, re.IGNORECASE) for p in rule) for rule in rules)
                  and not (field in _TENSE_GUARDED and _FUTURE_OR_RULE.search(clause))}
        if not fields and _SUMMARY.search(clause) and not _FUTURE_OR_RULE.search(clause):
            fields = set(SUMMARY)
        found |= fields
    return [field for field in dict.fromkeys([*RULES, *SUMMARY]) if field in found]

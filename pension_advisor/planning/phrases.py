"""Reading a member's own words: common misspellings, Hinglish, and everyday phrasings of the rules' terms.

``normalise(question)`` returns the question with these rewritten into the words the calculators' intents, the
slot extractor and the knowledge base use; nothing is dropped (the original words stay where no rule applies), so
figures and ages are read from it exactly as before.
"""

from __future__ import annotations

import difflib
import re

# Words the planner must recognise however they are typed (fuzzy-matched when a word is close to one of them).
DOMAIN_WORDS = (
    "superannuation", "super", "preservation", "contribution", "contributions", "concessional", "beneficiary",
    "beneficiaries", "nomination", "retirement", "retire", "retiring", "withdraw", "withdrawal", "withdrawals",
    "balance", "pension", "pensions", "employer", "guarantee", "transfer", "hardship", "compassionate", "condition",
    "release", "projection", "allowance", "drawdown", "national", "insurance", "qualifying", "provident",
    "penalty", "penalties", "distribution", "minimum", "required", "security", "social", "benefit", "benefits",
    "annuity", "eligible", "eligibility", "salary", "lump", "deferral", "interest", "taxable", "catch-up", "account",
)
# Misspellings seen in members' messages that the fuzzy match would not settle on its own (too short or ambiguous).
TYPOS = {
    "supper": "super", "sup": "super", "retirment": "retirement", "retirment's": "retirement's", "pention": "pension",
    "penshun": "pension", "ballance": "balance", "balence": "balance", "bal": "balance", "withdrawl": "withdrawal",
    "withdrawl's": "withdrawals", "witdraw": "withdraw", "widraw": "withdraw", "benifit": "benefit",
    "benificiary": "beneficiary", "bennies": "beneficiaries", "contibution": "contribution", "emplyer": "employer",
    "employeer": "employer", "presevation": "preservation", "preservaton": "preservation", "soc sec": "social security",
    "ss": "social security", "401k's": "401(k)", "401ks": "401(k)", "401-k": "401(k)", "401 k": "401(k)",
    "yrs": "years", "yr": "year", "abt": "about", "wat": "what", "wats": "what's", "whats": "what's", "hw": "how",
    "u": "you", "ur": "your", "pls": "please", "plz": "please", "govt": "government", "ni": "national insurance",
}
# Hinglish (Hindi in Latin letters, mixed with English): read only when the question has at least two of these words.
HINGLISH = {
    "kitna": "how much", "kitni": "how much", "kitne": "how much", "kab": "when", "kya": "what", "kaise": "how",
    "kaun": "who", "kyun": "why", "mera": "my", "meri": "my", "mere": "my", "mujhe": "I", "main": "I", "mai": "I",
    "milega": "will I get", "milegi": "will I get", "milenge": "will I get", "milta": "do I get", "milti": "do I get",
    "nikal": "withdraw", "nikalna": "withdraw", "nikaal": "withdraw", "nikalu": "withdraw", "nikaalna": "withdraw",
    "nikalne": "withdrawing", "nikaalne": "withdrawing", "nikasi": "withdrawal", "chahiye": "I need", "chaahiye": "I need", "paisa": "money", "paise": "money", "paisey": "money", "umar": "age", "umr": "age",
    "saal": "years", "naukri": "job", "chhod": "leave", "chod": "leave", "chhodne": "leaving", "chodne": "leaving",
    "lagega": "applies", "lagta": "applies", "lagegi": "applies", "batao": "tell me", "bataiye": "tell me",
    "sakta": "can", "sakti": "can", "sakte": "can", "hoga": "will be", "hogi": "will be", "kat": "deducted",
    "katega": "deducted", "jama": "deposited", "byaj": "interest", "baad": "after", "pehle": "before",
}
HINGLISH_FILLER = {"hai", "hain", "ho", "ka", "ki", "ke", "ko", "se", "mein", "par", "pe", "kar", "karna", "karne",
                   "hoon", "hun", "bhi", "toh", "to", "aur", "ya", "na", "nahi", "nahin", "wala", "wali", "ab", "abhi"}
# Everyday phrasings -> the words the rules and the knowledge base use. Applied after the word fixes above.
PHRASINGS = (
    (r"\b(get|take|pull|draw)\s+(my\s+)?(super|money)\s+out\b", r"\1 \2\3 out, access \2\3, withdraw"),
    (r"\bget (at|to) (my )?super\b", "access my super"),
    (r"\b(cash(ing)? out|take out|taking out|pull out|pulling out)\b", r"\1 withdraw"),
    (r"\b(take|taking|took|pull|pulling|get|getting)\s+(\S+(?:\s+\S+){0,3}?)\s+out of\b", r"\1 \2 out of withdraw"),
    (r"\b(broke|can'?t pay|cannot pay|struggling (financially|to pay)|money troubles?|in debt)\b", r"\1 hardship"),
    (r"\b(if|when|after) i (die|pass away|passed away|am gone)\b", r"\1 I \2 death beneficiary"),
    (r"\b(who gets|who will get|who inherits)\b", r"\1 beneficiary"),
    (r"\b(quit|leave|leaving|left|lose|lost) (my )?job\b", r"\1 \2job separation"),
    (r"\b(husband|wife|spouse|partner)'?s (record|benefits?|social security)\b", r"\1's \2 spousal"),
    (r"\b(top up|fill) (my )?(ni|national insurance)?\s*gaps?\b", r"\1 \2\3 gaps voluntary contributions"),
    (r"\b(withdraw\w*|take out|take)\s+(a\s+)?part of\b", r"\1 \2part of partial withdrawal"),
    (r"\bmore than (the )?12 ?%", r"more than \g<1>12% voluntary provident fund vpf"),
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


def _fix_word(word: str, hinglish: bool) -> str:
    lower = word.lower().replace("’", "'")
    if hinglish:
        if lower in HINGLISH:
            return HINGLISH[lower]
        if lower in HINGLISH_FILLER:
            return ""
    if lower in TYPOS:
        return TYPOS[lower]
    if len(lower) >= 6 and lower not in DOMAIN_WORDS:
        close = difflib.get_close_matches(lower, DOMAIN_WORDS, n=1, cutoff=0.86)
        if close:
            return close[0]
    return word


def is_hinglish(text: str) -> bool:
    words = {w.lower() for w in _WORD.findall(text)}
    return len(words & set(HINGLISH)) + min(1, len(words & HINGLISH_FILLER)) >= 2 and len(words & set(HINGLISH)) >= 1


def normalise(question: str) -> str:
    """The question in the planner's words (see the module docstring)."""
    text = re.sub(r"\b(soc sec|401 k)\b", lambda m: TYPOS[m.group(0).lower()], question, flags=re.IGNORECASE)
    hinglish = is_hinglish(text)
    text = _WORD.sub(lambda m: _fix_word(m.group(0), hinglish), text)
    for pattern, replacement in PHRASINGS:
        text = re.sub(pattern, replacement, text, flags=re.IGNORECASE)
    return re.sub(r"[ \t]{2,}", " ", text).strip()

"""Rule-based guardrail checks: patterns written for precision, plus the PII masker both guardrails share.

First real version; the layered guardrails (normalisation, learned detector, LLM classifier) build on it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_I = re.IGNORECASE

INJECTION_PATTERNS = [
    r"\b(ignore|disregard|forget|override)\b.{0,40}\b(previous|prior|above|earlier|all|your|the)\b.{0,30}\b(instructions?|prompts?|rules?|guidelines?|directions?)",
    r"\b(reveal|show|print|repeat|output|tell me)\b.{0,30}\b(system|hidden|initial|original)\s+(prompt|instructions?|message)",
    r"\byou are now\b.{0,40}\b(unrestricted|jailbroken|dan|evil|free)",
    r"\b(DAN|do anything now)\b",
    r"\bdeveloper mode\b",
    r"\bjailbreak",
    r"\bpretend (that )?you (are|have) no (rules|restrictions|filters)",
    r"\bact as\b.{0,40}\b(without|no)\b.{0,20}\b(restrictions|filters|rules|limits)",
    r"</?(system|assistant|instructions?)>",
    r"\bnew instructions?\s*:",
]

# Asking about somebody else's record, or everybody's.
OTHER_MEMBER_PATTERNS = [
    r"\b(AU|US|UK|IN)-\d{3}\b",
    r"\b(all|every|other|another)\s+(members?|customers?|clients?|users?)('s?)?\b.{0,40}\b(data|records?|details|balances?|names?|list|information)",
    r"\b(list|dump|export|download)\b.{0,30}\b(members?|customers?|clients?|database|records)",
    r"\bsomeone else'?s\b",
]

PROFANITY_WORDS = r"\b(fuck\w*|shit\w*|cunt\w*|bitch\w*|bastard\w*|dickhead\w*|motherfuck\w*|asshole\w*|arsehole\w*|wank\w*)\b"

# Words that place a question in retirement / pension territory. A question with none of them is out of scope.
DOMAIN_WORDS = [
    r"pension", r"retire", r"super(annuation)?\b", r"401\s?\(?k\)?", r"\bira\b", r"roth", r"social security",
    r"\bnational insurance\b", r"\bni\b", r"\bepf\b", r"\beps\b", r"\bnps\b", r"provident fund", r"gratuity",
    r"annuit", r"\bpreservation\b", r"lump sum", r"drawdown", r"contribut", r"\brmd\b", r"required minimum",
    r"catch[- ]up", r"\bclaim", r"\bbenefit", r"\bbalance", r"\bsavings?\b", r"\btax\b", r"\bage\b",
    r"\bwithdraw", r"\bemployer\b", r"\bsalary\b", r"\bwages?\b", r"\bmatch\b", r"\binterest\b", r"\bcentrelink\b",
    r"\bqualifying years\b", r"\bstate pension\b", r"\bfull retirement\b", r"\bguarantee\b", r"\bcap\b",
    r"\ballowance\b", r"\bsg\b", r"\bfra\b", r"\bmy (money|fund|pot|nest egg)\b",
]


@dataclass(frozen=True)
class PiiPattern:
    kind: str
    pattern: str


# Ordered: more specific first so a card number is not half-masked as a phone number.
PII_PATTERNS = [
    PiiPattern("EMAIL", r"\b[\w.+-]+@[\w-]+(\.[\w-]+)+\b"),
    PiiPattern("CREDIT_CARD", r"\b(?:\d[ -]?){13,16}\b"),
    PiiPattern("US_SSN", r"\b\d{3}-\d{2}-\d{4}\b"),
    PiiPattern("UK_NINO", r"\b[A-CEGHJ-PR-TW-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b"),
    PiiPattern("IN_AADHAAR", r"\b\d{4}\s\d{4}\s\d{4}\b"),
    PiiPattern("IN_PAN", r"\b[A-Z]{5}\d{4}[A-Z]\b"),
    PiiPattern("AU_TFN", r"\b\d{3}\s\d{3}\s\d{3}\b"),
    PiiPattern("PHONE", r"(?<![\w$£₹])\+?\(?\d{2,4}\)?[ -]\d{3,4}[ -]\d{3,4}\b"),
]


def normalise(text: str) -> str:
    """NFKC and no invisible format characters, so look-alike text meets the same patterns."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


@lru_cache(maxsize=None)
def _compiled(patterns: tuple[str, ...]) -> list[re.Pattern]:
    return [re.compile(p, _I) for p in patterns]


def first_match(patterns: list[str], text: str) -> str | None:
    for regex in _compiled(tuple(patterns)):
        if m := regex.search(text):
            return m.group(0)
    return None


def is_in_domain(text: str) -> bool:
    return first_match(DOMAIN_WORDS, text) is not None


def mask_pii(text: str, names: tuple[str, ...] = ()) -> tuple[str, list[str]]:
    """Replace PII with <KIND> placeholders; returns the masked text and the kinds found."""
    found = []
    for pii in PII_PATTERNS:
        flags = 0 if pii.kind in {"UK_NINO", "IN_PAN"} else _I
        text, n = re.subn(pii.pattern, f"<{pii.kind}>", text, flags=flags)
        found += [pii.kind] * n
    for name in names:
        for part in {name, *name.split()}:
            if len(part) > 2:
                text, n = re.subn(rf"\b{re.escape(part)}\b", "<PERSON>", text)
                found += ["PERSON"] * n
    return text, found

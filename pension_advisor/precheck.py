"""The judge's deterministic pre-check: facts an answer must satisfy whatever any model thinks of it."""

from __future__ import annotations

import re

from .evidence import Evidence, numbers_in

# Markers of a currency, by the countries that use it. "$" alone is shared by AU and US.
CURRENCY_MARKERS = {
    "AU": [r"A\$", r"\bAUD\b", r"AU\$"],
    "US": [r"US\$", r"\bUSD\b"],
    "UK": [r"£", r"\bGBP\b", r"\bpounds? sterling\b", r"\bpence\b"],
    "IN": [r"₹", r"\bINR\b", r"\bRs\.?\s?\d", r"\brupees?\b", r"\blakhs?\b", r"\bcrores?\b"],
}
# Scheme and agency names that belong to one country.
COUNTRY_TERMS = {
    "AU": [r"\bsuperannuation\b", r"\bCentrelink\b", r"\bATO\b", r"\bAge Pension\b"],
    "US": [r"\b401\s?\(k\)", r"\bIRA\b", r"\bSocial Security\b", r"\bIRS\b", r"\bRMDs?\b"],
    "UK": [r"\bState Pension\b", r"\bHMRC\b", r"\bNational Insurance\b"],
    "IN": [r"\bEPFO?\b", r"\bEPS\b", r"\bNPS\b", r"\bprovident fund\b"],
}
# Promises about returns. "Super guarantee" and "guaranteed minimum pension" are scheme names, not promises.
PROMISE_PATTERNS = [
    r"\bguarantee[ds]?\b(?!\s+(rate|charge|contributions?|percentage|minimum pension))(?<!super guarantee)(?<!superannuation guarantee)",
    r"\brisk[- ]free\b",
    r"\bcan(?:no|')t lose\b",
    r"\bwill (definitely|certainly|surely)\b",
    r"\bassured (returns?|growth|income)\b",
    r"\bno risk\b",
]
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\n+")


def violations(body: str, evidence: Evidence) -> list[dict]:
    """Problems with an answer body; empty when it passes. Each: {code, detail}."""
    found: list[dict] = []
    if not body.strip():
        return [{"code": "empty_answer", "detail": "The answer is empty."}]
    # Calculator text (labels, assumptions, errors) is verified: only what the writer added is checked for
    # currency, country and promises ("returns are not guaranteed", "unlike superannuation" are tool caveats).
    own_words = _without_tool_text(body, evidence)

    # A rule's own numbers are allowed only inside its verbatim quote: "59" in the preservation-age rule ("58 and 59
    # for each following financial year") must not license "Your preservation age is 59".
    unsupported = sorted({n for n in numbers_in(_without_quotes(body, evidence)) if not evidence.allows(n)})
    if unsupported:
        shown = ", ".join(f"{n:g}" for n in unsupported[:8])
        found.append({"code": "unsupported_number",
                      "detail": f"These numbers are not in the calculator results or the member record: {shown}."})

    for n in {int(m) for m in re.findall(r"\[(\d+)\]", body)}:
        if not 1 <= n <= len(evidence.citations):
            found.append({"code": "bad_citation", "detail": f"Citation [{n}] does not match any source."})

    uncited = [s.strip() for s in _claims(body)
               if not re.search(r"\[\d+\]", s) and any(evidence.is_figure(n) for n in numbers_in(s))]
    if uncited and evidence.citations:
        found.append({"code": "missing_citation",
                      "detail": f"Figures without a [n] citation: \"{uncited[0][:120]}\"."})

    if evidence.country:
        for country, markers in CURRENCY_MARKERS.items():
            if country != evidence.country and any(re.search(m, own_words, re.IGNORECASE) for m in markers):
                found.append({"code": "wrong_currency",
                              "detail": f"Amounts must be in {evidence.currency}; the answer uses {country} currency."})
        for country, terms in COUNTRY_TERMS.items():
            term = next((t for t in terms if re.search(t, own_words)), None) if country != evidence.country else None
            if term:
                found.append({"code": "wrong_country",
                              "detail": f"The member is in {evidence.country}; the answer mentions a {country} scheme "
                                        f"({re.search(term, own_words).group(0)})."})

    for pattern in PROMISE_PATTERNS:
        if (m := re.search(pattern, own_words, re.IGNORECASE)) and not _NEGATED.search(own_words[max(0, m.start() - 20):m.start()]):
            found.append({"code": "promise_of_returns",
                          "detail": f"Do not promise outcomes or returns (\"{m.group(0)}\")."})
            break
    return found


_NEGATED = re.compile(r"\b(not|no|never|isn't|aren't|cannot|can't|nothing is)\b[^.]*$", re.IGNORECASE)


def _without_quotes(body: str, evidence: Evidence) -> str:
    explanations = getattr(evidence, "explanations", [])
    # Longest first, texts before topics: a topic ("EPF interest rate") may occur inside another rule's text.
    for quote in sorted({e.text for e in explanations}, key=len, reverse=True) + sorted({e.topic for e in explanations}, key=len, reverse=True):
        body = body.replace(quote, " ")
    return body


def _without_tool_text(body: str, evidence: Evidence) -> str:
    # A rule quoted from its official source, and its topic; the member's own record as stated.
    explained = {t for e in getattr(evidence, "explanations", []) for t in (e.text, e.topic)}
    explained |= {f.label for f in getattr(evidence, "record_facts", [])}
    for text in sorted({*(evidence.assumptions), *(f.label for f in evidence.facts), *evidence.errors, *explained},
                       key=len, reverse=True):
        body = body.replace(text, " ")
        body = body.replace(re.sub(r" \[\d+\]$", "", text), " ")  # an assumption quoted without its mark
    return body


def _claims(body: str) -> list[str]:
    """The units a citation must cover: a whole bullet line, otherwise a sentence."""
    units = []
    for line in body.splitlines():
        units += [line] if line.lstrip().startswith(("- ", "* ", "• ")) else _SENTENCE_BREAK.split(line)
    return units


def feedback(found: list[dict], evidence: Evidence) -> str:
    if not found:
        return ""
    problems = " ".join(f"({i}) {v['detail']}" for i, v in enumerate(found, 1))
    return (f"Fix these problems: {problems} Use only these facts, each with its [n] citation:\n"
            f"{evidence.facts_text()}")

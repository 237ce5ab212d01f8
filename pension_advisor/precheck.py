"""The judge's deterministic pre-check: facts an answer must satisfy whatever any model thinks of it."""

from __future__ import annotations

import re

from .evidence import Evidence, numbers_in
from .guardrails import rules, tool_output
from .tools.base import CURRENCY

# Markers of a currency, by the countries that use it. "$" alone is shared by AU and US.
CURRENCY_MARKERS = {
    "AU": [r"A\$", r"\bAUD\b", r"AU\$"],
    "US": [r"US\$", r"\bUSD\b"],
    "UK": [r"£", r"\bGBP\b", r"\bpounds? sterling\b", r"\bpence\b"],
    "IN": [r"₹", r"\bINR\b", r"\bRs\.?\s?\d", r"\brupees?\b", r"\blakhs?\b", r"\bcrores?\b"],
}
# Scheme and agency names that belong to one country.
COUNTRY_TERMS = {
    # "Superannuation" alone is also India's word for retiring at the service's age (an NPS exit "at superannuation").
    "AU": [r"\bsuperannuation (fund|guarantee|account|balance|contributions?)\b", r"\b(?i:your|my) superannuation\b",
           r"\bsuper (fund|guarantee|balance)\b",
           r"\bCentrelink\b", r"\bATO\b", r"\bAge Pension\b"],
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
# Chat-template and role tokens a model leaks when it runs past its own turn: <|im_end|> <|im_start|>user, [INST],
# <start_of_turn>, a line or sentence opening "assistant:". The output guardrail's role talk ("as an AI language
# model", "my instructions say") is checked too, under its own code.
CHAT_TEMPLATE = [
    r"<\|[a-z_]{2,30}\|>",                                          # ChatML, Llama 3, Phi: <|im_start|>, <|eot_id|>
    r"<\|?\s*(?:im_start|im_end|endoftext|eot_id|start_header_id|end_header_id|begin_of_text|start_of_turn|end_of_turn)\s*\|?>",
    r"</?(?:start_of_turn|end_of_turn|bos|eos|s|sys)>|\[/?INST\]|<</?SYS>>",  # Gemma, Llama 2, Mistral
    r"(?:^|\n|[.!?]\s+)\s*(?:user|assistant|system|human|ai|model)\s*:\s",  # a turn opened in the text
]
ROLE_TALK = rules.ANSWER_ROLE_TALK
# A question shorter than this many words may be repeated in a real answer ("your balance"); a longer run of the
# question's own words is an echo, not an answer.
ECHO_MIN_WORDS = 4


def violations(body: str, evidence: Evidence, question: str = "") -> list[dict]:
    """Problems with an answer body; empty when it passes. Each: {code, detail}. ``question`` (as the model saw it)
    lets the check reject a draft that only repeats it."""
    found: list[dict] = []
    if not body.strip():
        return [{"code": "empty_answer", "detail": "The answer is empty."}]
    # Calculator text (labels, assumptions, errors) is verified: only what the writer added is checked for
    # currency, country and promises ("returns are not guaranteed", "unlike superannuation" are tool caveats).
    own_words = writer_text(body, evidence)

    # What the model wrote is untrusted: text addressed to a model (template tokens, role talk, instructions) or a
    # repeat of the question is not an answer, whatever a reviewer model thinks of it. The details never quote the
    # offending text: they are fed back to the writer.
    if rules.first_match(CHAT_TEMPLATE, body):
        found.append({"code": "chat_template", "detail": "The answer contains chat-template or role markers "
                                                        "(turn tokens, a line opening 'assistant:'); write only the answer."})
    elif rules.first_match(ROLE_TALK, own_words):
        found.append({"code": "role_talk", "detail": "The answer talks about being a model or about its instructions; "
                                                    "write only about the member's question."})
    if reason := tool_output.flag(own_words):
        found.append({"code": "instruction_text", "detail": f"The answer contains instruction-like text ({reason}) "
                                                           "addressed to a model, not to the member."})
    if question and echoes_question(body, question):
        found.append({"code": "echoes_question", "detail": "The answer repeats the question instead of answering it."})

    # A rule's own numbers are allowed only inside its verbatim quote: "59" in the preservation-age rule ("58 and 59
    # for each following financial year") must not license "Your preservation age is 59".
    unsupported = sorted({n for n in numbers_in(without_quotes(body, evidence)) if not evidence.allows(n)})
    if unsupported:
        shown = ", ".join(f"{n:g}" for n in unsupported[:8])
        found.append({"code": "unsupported_number",
                      "detail": f"These numbers are not in the calculator results or the member record: {shown}."})

    for claim, number, fact in misbound_numbers(body, evidence):
        found.append({"code": "misbound_number",
                      "detail": f"{number:g} is not the {fact.label.lower()} ({fact.text}); state each figure with its "
                                f"own label: \"{claim.strip()[:100]}\"."})
        break

    if missing := missing_figures(body, evidence):
        named = "; ".join(f"{a.label.lower()} [{a.citation}]" for a in missing[:3])
        found.append({"code": "missing_figure",
                      "detail": f"The answer does not state what the question asked for: {named}."})

    for n in {int(m) for m in re.findall(r"\[(\d+)\]", body)}:
        if not 1 <= n <= len(evidence.citations):
            found.append({"code": "bad_citation", "detail": f"Citation [{n}] does not match any source."})

    uncited = [s.strip() for s in claims(_checkable(body, evidence)[0])
               if not re.search(r"\[\d+\]", s) and any(evidence.is_figure(n) for n in numbers_in(s))]
    if uncited and evidence.citations:
        found.append({"code": "missing_citation",
                      "detail": f"Figures without a [n] citation: \"{uncited[0][:120]}\"."})

    found += compliance(own_words, evidence.country)
    return found


def missing_figures(body: str, evidence: Evidence) -> list:
    """The figures the question asked for (``evidence.asked``: each calculation's direct answer, each record field
    asked about) that the body does not state: "My EPF contribution is split between the EPF and EPS." answers no
    one. A figure counts in any of its usual forms, outside a rule quoted from its source (a rule's numbers are the
    rule's, not the member's); a record field without a number by its words."""
    stated = without_quotes(body, evidence)
    numbers = numbers_in(stated)
    words = " ".join(_words(stated))
    missing = []
    for asked in evidence.asked:
        if any(abs(n - f) < 0.005 for n in numbers for f in asked.forms):
            continue
        if asked.text and " ".join(_words(asked.text)) in words:
            continue
        if asked.forms or asked.text:
            missing.append(asked)
    return missing


def compliance(own_words: str, country: str | None) -> list[dict]:
    """The country checks on what the writer added (tool text already taken out): the member's currency, their
    country's scheme names, no promised returns. The judge's pre-check and the country_compliance scorer both use
    this one function, so a calculator caveat such as "returns are not guaranteed" is never a promise to one and
    a failure to the other. With no known country, a mix of countries' currencies is the problem."""
    found: list[dict] = []
    currencies = [c for c, markers in CURRENCY_MARKERS.items() if any(re.search(m, own_words, re.IGNORECASE) for m in markers)]
    if country:
        for other in (c for c in currencies if c != country):
            found.append({"code": "wrong_currency", "country": other,
                          "detail": f"Amounts must be in {CURRENCY.get(country, country)}; the answer uses {other} currency."})
        for other, terms in COUNTRY_TERMS.items():
            m = next((m for t in terms if (m := re.search(t, own_words))), None) if other != country else None
            if m:
                found.append({"code": "wrong_country", "country": other,
                              "detail": f"The member is in {country}; the answer mentions a {other} scheme ({m.group(0)})."})
    else:
        terms = {c: m.group(0) for c, ts in COUNTRY_TERMS.items() if (m := next((m for t in ts if (m := re.search(t, own_words))), None))}
        if len(currencies) > 1:
            found.append({"code": "wrong_currency", "country": ",".join(currencies),
                          "detail": f"The answer mixes the currencies of {', '.join(currencies)}."})
        if len(terms) > 1:
            found.append({"code": "wrong_country", "country": ",".join(terms),
                          "detail": "The answer mixes schemes of " + ", ".join(f"{c} ({t})" for c, t in terms.items()) + "."})
    for pattern in PROMISE_PATTERNS:
        if (m := re.search(pattern, own_words, re.IGNORECASE)) and not _NEGATED.search(own_words[max(0, m.start() - 20):m.start()]):
            found.append({"code": "promise_of_returns", "detail": f"Do not promise outcomes or returns (\"{m.group(0)}\")."})
            break
    return found


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("\u2019", "'"))


def echoes_question(body: str, question: str) -> bool:
    """True when ``body`` repeats the question: the whole question, or one of its sentences of at least
    ECHO_MIN_WORDS words, word for word; or, for a very short question, a line of the body that is only it."""
    text = f" {' '.join(_words(body))} "
    runs = [_words(question)] + [_words(s) for s in _SENTENCE_BREAK.split(question)]
    if any(len(run) >= ECHO_MIN_WORDS and f" {' '.join(run)} " in text for run in runs):
        return True
    short = _words(question)
    return bool(short) and any(_words(unit) == short for unit in claims(body))


_NEGATED = re.compile(r"\b(not|no|never|isn't|aren't|cannot|can't|nothing is)\b[^.]*$", re.IGNORECASE)


def _removed(body: str, *groups) -> str:
    """``body`` with each text of each group taken out, group by group and longest first, with or without its
    trailing [n] mark. Order matters: a rule's topic ("EPF interest rate") may occur inside another rule's text,
    so texts go before topics, or the text would no longer be found whole and its numbers would stay."""
    for group in groups:
        for text in sorted({t for t in group if t}, key=len, reverse=True):
            body = body.replace(text, " ").replace(re.sub(r" \[\d+\]$", "", text), " ")
    return body


def _quoted(evidence: Evidence) -> tuple[list[str], list[str]]:
    """The rules retrieved: their texts as written in the knowledge base, and their topics."""
    explanations = getattr(evidence, "explanations", [])
    return [e.text for e in explanations], [e.topic for e in explanations]


def without_quotes(body: str, evidence: Evidence) -> str:
    """``body`` without the rules quoted word for word (and their topics): their numbers are the rule's own."""
    return _removed(body, *_quoted(evidence))


def writer_text(body: str, evidence: Evidence) -> str:
    """The body without the verified text (calculator labels, assumptions, errors; a rule quoted from its source and
    its topic; the member's record as stated): what the writer added."""
    texts, topics = _quoted(evidence)
    return _removed(body, [*texts, *topics, *(f.label for f in getattr(evidence, "record_facts", [])),
                           *evidence.assumptions, *(f.label for f in evidence.facts), *evidence.errors])


# Words that name no particular figure: a claim is matched to a fact by the other words of its label.
_LABEL_STOPWORDS = frozenset("""your you the and for with from this that are was will can could would per a an of to in
on at is be it its as by or if my me i we our has have had been into than then over under about each every""".split())


def _label_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z][a-z'()0-9½]*", text.lower()) if w not in _LABEL_STOPWORDS and len(w) > 1}


def _checkable(body: str, evidence: Evidence) -> tuple[str, set[str]]:
    """The body as claims are checked in: without the sources list and the text the code vouches for (calculator
    caveats, rules quoted word for word); and the topics of the rules explained."""
    texts, topics = _quoted(evidence)
    # The calculators' own sentences (summaries, notices) and the record's "no entry for ..." lines are the code's
    # text: "12" in "what your employer paid in over the last 12 months" names no figure.
    verified = [*evidence.assumptions, *evidence.errors, *evidence.summaries, *evidence.notices,
                *evidence.gap_sentences(), *texts]
    return _removed(re.split(r"\n\s*Sources:", body)[0], verified), set(topics)


def _binding(claim: str, evidence: Evidence, topics: set[str]):
    """(number, fact, bound) for a claim that states exactly one verified number and names one fact's label best
    (most shared words, then the label most fully named); None for any other claim (a source line, the header, a
    rule explained by its topic, several numbers, no label named)."""
    if re.match(r"\s*(\[\d+\]|tax year\b|amounts in\b)", claim, re.IGNORECASE):
        return None
    if any(claim.strip().startswith(f"- {topic}:") for topic in topics):
        return None
    numbers = sorted({n for n in numbers_in(claim) if evidence.allows(n)})
    facts = [f for f in (*evidence.record_facts, *evidence.facts) if f.label.strip()]
    if len(numbers) != 1 or not facts:
        return None
    words = _label_words(claim)
    scores = sorted((((shared := len(words & (label := _label_words(f.label)))), shared / max(len(label), 1)), i)
                    for i, f in enumerate(facts))[::-1]
    if scores[0][0][0] == 0 or (len(scores) > 1 and scores[1][0] == scores[0][0]):
        return None
    fact, number = facts[scores[0][1]], numbers[0]
    # A label's own numbers belong to it ("Additional 10% tax applies: yes").
    values = set(numbers_in(fact.text)) | set(numbers_in(fact.label))
    return number, fact, any(abs(number - v) < 0.005 for v in values)


def misbound_numbers(body: str, evidence: Evidence) -> list[tuple[str, float, object]]:
    """Claims that state a verified number under another figure's name: "Your preservation age is 63 years" when 63 is
    the member's current age and the preservation age is 58. Each item: (claim, number, the fact the claim names)."""
    body, topics = _checkable(body, evidence)
    found = []
    for claim in claims(body):
        if (bound := _binding(claim, evidence, topics)) and not bound[2]:
            found.append((claim, bound[0], bound[1]))
    return found


def attach_citations(body: str, evidence: Evidence) -> str:
    """The draft with the citation mark the code can vouch for added to each claim that states one verified figure
    under its own label but carries no [n]: a small model's correct "Your preservation age is 58 years." should not
    fail for the mark alone. Claims the code cannot bind are left as written (the pre-check judges them)."""
    _, topics = _checkable(body, evidence)
    out = []
    for line in body.split("\n"):
        units = [line] if line.lstrip().startswith(("- ", "* ", "• ")) else re.split(r"(?<=[.!?])(\s+)", line)
        for i, unit in enumerate(units):
            if not unit.strip() or re.search(r"\[\d+\]", unit):
                continue
            bound = _binding(unit, evidence, topics)
            if bound and bound[2] and bound[1].citation:
                stripped = unit.rstrip()
                end = len(stripped) - 1 if stripped.endswith((".", "!", "?")) else len(stripped)
                units[i] = f"{stripped[:end]} [{bound[1].citation}]{stripped[end:]}{unit[len(stripped):]}"
        out.append("".join(units))
    return "\n".join(out)


def claims(body: str) -> list[str]:
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

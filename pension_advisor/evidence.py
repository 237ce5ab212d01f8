"""The verified facts an answer may use, with numbered citations, and the numbers they allow.

Three kinds: calculator figures (cited to the rule tables), fields of the member's own record (cited to the record,
"from your record as of <date>") and retrieved rule explanations (cited to their official source). Synthesis shows
these facts to the model, the judge checks answers against them, the answer and the fallback are written from them,
and the scorers reuse them. :func:`evidence_for` builds them from a graph state.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable

CURRENCY_SYMBOL = {"AUD": "$", "USD": "$", "GBP": "£", "INR": "₹"}

_NUMBER = re.compile(r"\d{1,3}(?:,\d{2,3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_CITATION_MARK = re.compile(r"\[\d+\]")
_LIST_MARK = re.compile(r"^\s*\d{1,2}[.)]\s", re.MULTILINE)


def source_line(source: dict) -> str:
    """One line of a sources list: "[1] title (tax year): url"."""
    return f"[{source['number']}] {source['title']} ({source['tax_year']})" + (f": {source['url']}" if source.get("url") else "")


def numbers_in(text: str) -> list[float]:
    """Every number written in ``text`` (thousands separators allowed, incl. Indian 1,50,000), ignoring [n] marks."""
    text = _LIST_MARK.sub(" ", _CITATION_MARK.sub(" ", text))
    return [float(m.replace(",", "")) for m in _NUMBER.findall(text)]


def number_forms(value: Any) -> set[float]:
    """The values a writer may legitimately show for ``value``: itself and its usual roundings."""
    if isinstance(value, bool):
        return set()
    if isinstance(value, (int, float)):
        return {float(value), round(float(value)), round(float(value), 1), round(float(value), 2)}
    if isinstance(value, str):
        return set(numbers_in(value))
    if isinstance(value, dict):
        return set().union(*(number_forms(v) for v in value.values())) if value else set()
    if isinstance(value, (list, tuple)):
        return set().union(*(number_forms(v) for v in value)) if value else set()
    return set()


def format_value(value: Any, unit: str, period: str | None = None) -> str:
    if unit in CURRENCY_SYMBOL and isinstance(value, (int, float)):
        text = f"{CURRENCY_SYMBOL[unit]}{value:,.2f}".replace(".00", "")
    elif unit == "%":
        text = f"{value:g}%"
    elif unit in {"years", "months", "weeks"} and isinstance(value, (int, float)):
        text = f"{value:g} {unit if value != 1 else unit[:-1]}"
    else:
        text = str(value)
    return f"{text} a {period}" if period else text


@dataclass
class Fact:
    label: str
    text: str       # the formatted value, e.g. "$1,234.50 a year"
    citation: int   # 1-based number shown to readers
    unit: str = ""  # the figure's unit (a currency code, "years", "date"...): the header names a currency only if one is used
    source: str = "calculator"  # "calculator" | "record:<field>"


@dataclass
class Asked:
    """A figure the question asked for: an answer that states none of its forms has not answered (the pre-check's
    missing_figure). ``forms``: the numbers a writer may show for it; ``text``: a record field without a number
    (an employer's name), matched as words."""
    label: str
    citation: int
    forms: set[float] = field(default_factory=set)
    text: str = ""


@dataclass
class Explanation:
    """A retrieved rule explanation: its topic, its text as written in the knowledge base, and its citation."""
    id: str
    topic: str
    text: str
    citation: int


@dataclass
class Evidence:
    country: str | None
    currency: str | None
    tax_years: list[str] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    citations: list[dict] = field(default_factory=list)  # each: title, url, tax_year, rule
    assumptions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    allowed_numbers: set[float] = field(default_factory=set)
    figure_numbers: set[float] = field(default_factory=set)  # the calculators' and the record's figures: these need a citation
    summaries: list[str] = field(default_factory=list)  # each calculator's one-sentence answer, with its citation mark
    notices: list[str] = field(default_factory=list)    # what a calculator says the member must see first
    record_facts: list[Fact] = field(default_factory=list)
    record_gaps: list[str] = field(default_factory=list)  # record fields asked about that the record does not hold
    record_as_of: str | None = None
    explanations: list[Explanation] = field(default_factory=list)
    asked: list[Asked] = field(default_factory=list)  # by calculation and record field: the figures that answer

    def allows(self, number: float) -> bool:
        return any(abs(number - a) < 0.005 for a in self.allowed_numbers)

    def is_figure(self, number: float) -> bool:
        return any(abs(number - a) < 0.005 for a in self.figure_numbers)

    def facts_text(self) -> str:
        lines = [f"[{f.citation}] {f.label}: {f.text} (from your record as of {self.record_as_of})" for f in self.record_facts]
        lines += [f"[{f.citation}] {f.label}: {f.text}" for f in self.facts]
        lines += [f"[{e.citation}] Rule ({e.topic}): {e.text}" for e in self.explanations]
        lines += [f"Assumption: {a}" for a in self.assumptions]
        lines += [f"Could not calculate: {e}" for e in self.errors]
        return "\n".join(lines) or "(no calculator results)"

    def gap_sentences(self) -> list[str]:
        """What an answer says of each record field asked about that the record does not hold."""
        return [f"Your record has no entry for {gap[0].lower() + gap[1:]}." for gap in self.record_gaps]

    def sources(self) -> list[dict]:
        """The sources list as readers see it: number, title, tax year (or as-of date), url."""
        return [{"number": i, "title": c["title"], "tax_year": c["tax_year"], "url": c.get("url") or None}
                for i, c in enumerate(self.citations, 1)]

    def sources_text(self) -> str:
        return "\n".join(source_line(s) for s in self.sources())

    def to_json(self) -> dict[str, Any]:
        """The evidence as plain JSON, as the graph state carries it (``evidence_of`` reads it back)."""
        data = asdict(self)
        data["allowed_numbers"], data["figure_numbers"] = sorted(self.allowed_numbers), sorted(self.figure_numbers)
        for asked in data["asked"]:
            asked["forms"] = sorted(asked["forms"])
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Evidence":
        return cls(**{**data,
                      "facts": [Fact(**f) for f in data.get("facts", [])],
                      "record_facts": [Fact(**f) for f in data.get("record_facts", [])],
                      "explanations": [Explanation(**e) for e in data.get("explanations", [])],
                      "asked": [Asked(**{**a, "forms": set(a["forms"])}) for a in data.get("asked", [])],
                      "allowed_numbers": set(data.get("allowed_numbers", [])),
                      "figure_numbers": set(data.get("figure_numbers", []))})

    def cite(self, citation: dict) -> int:
        """The 1-based number of ``citation``, added to the list when new."""
        if citation not in self.citations:
            self.citations.append(citation)
        return self.citations.index(citation) + 1


def gather(outcomes: Iterable[dict], member: dict | None = None, question: str = "",
           record_fields: Iterable[str] = (), retrieved: Iterable[dict] = (),
           focus: dict[str, list[str]] | None = None) -> Evidence:
    """Build the evidence from tool outcomes (as stored in graph state), the member's LLM-visible record, the record
    fields the question asked about and the knowledge passages retrieved for it. ``focus``: by calculator, the
    figures that answer the question asked (the plan's ``focus``); they replace that calculator's summary as the
    direct answer ("without penalty" is answered by a date, not by the tax on the whole balance)."""
    outcomes = list(outcomes)
    results = [o["result"] for o in outcomes if o.get("result")]
    first = results[0] if results else None
    evidence = Evidence(
        country=(member or {}).get("country") or (first or {}).get("country"),
        currency=(member or {}).get("currency") or (first or {}).get("currency"),
    )
    for outcome in outcomes:
        evidence.allowed_numbers |= number_forms(outcome.get("args", {}))
        if outcome.get("error"):
            evidence.errors.append(f"{outcome['tool']}: {outcome['error']['message']}")
            evidence.allowed_numbers |= number_forms(outcome["error"]["message"])
            continue
        result = outcome["result"]
        if result["tax_year"] not in evidence.tax_years:
            evidence.tax_years.append(result["tax_year"])
        local_to_global = {}
        for i, citation in enumerate(result["citations"]):
            if citation not in evidence.citations:
                evidence.citations.append(citation)
            local_to_global[i] = evidence.citations.index(citation) + 1
        marks = sorted({local_to_global[f["citation"]] for f in result["figures"]}) or sorted(local_to_global.values())
        asked = [f for name in (focus or {}).get(outcome["tool"], []) for f in result["figures"] if f["name"] == name]
        evidence.asked += _asked_of(result, asked, local_to_global)
        if asked:
            evidence.summaries += [f"{f['label']}: {_focus_text(f)} [{local_to_global[f['citation']]}]." for f in asked]
        elif result.get("summary"):
            evidence.summaries.append(cited(result["summary"], marks))
            evidence.allowed_numbers |= number_forms(result["summary"])  # the calculator's own sentence
        evidence.notices += [n for n in (cited(n, marks) for n in result.get("notices") or []) if n not in evidence.notices]
        evidence.allowed_numbers |= number_forms(result.get("notices") or [])
        for fig in result["figures"]:
            text = format_value(fig["value"], fig["unit"], fig.get("period"))
            fact = Fact(fig["label"], text, local_to_global[fig["citation"]], fig["unit"])
            if any((f.label, f.text) == (fact.label, fact.text) for f in evidence.facts):
                continue  # two calculators giving the same figure: say it once
            evidence.facts.append(fact)
            forms = number_forms(fig["value"]) | number_forms(text)
            evidence.allowed_numbers |= forms | number_forms(fig["label"])  # "Benefit if claimed at 62"
            evidence.figure_numbers |= forms
        # An assumption is backed by the same sources as the result it qualifies.
        mark = f" [{local_to_global[0]}]" if local_to_global else ""
        evidence.assumptions += [a + mark for a in result["assumptions"] if a + mark not in evidence.assumptions]
        evidence.allowed_numbers |= number_forms(result["assumptions"]) | number_forms(result["tax_year"])
    for citation in evidence.citations:
        evidence.allowed_numbers |= number_forms(citation["title"]) | number_forms(citation["tax_year"])
    # The pseudonym is an identifier, not a figure: its hex digits must not license numbers.
    figures = {k: v for k, v in (member or {}).items() if k != "member"}
    evidence.allowed_numbers |= number_forms(figures) | number_forms(question)
    if member:
        _add_record(evidence, member, record_fields)
    _add_explanations(evidence, retrieved)
    # What the member or the plan gave answers nothing: the question's numbers and the calculations' inputs ("You
    # asked about taking out $50,000", the $50k read as 50,000), unless they are all the answer is.
    given = set(numbers_in(question)).union(*(number_forms(o.get("args", {})) for o in outcomes))
    for asked in evidence.asked:
        asked.forms = {f for f in asked.forms if not any(abs(f - n) < 0.005 for n in given)} or asked.forms
    return evidence


_SENTENCE_END = re.compile(r"(?<=[^\s.!?])([.!?])(?=\s+[A-Z]|\s*$)")


def cited(text: str, marks: Iterable[int]) -> str:
    """``text`` with its citation marks before the end of every sentence ("... $0 [2]. Then ... [2].")."""
    tag = "".join(f"[{m}]" for m in marks)
    if not tag:
        return text.strip()
    text = text.strip()
    if not re.search(r"[.!?]$", text):
        text += "."
    return _SENTENCE_END.sub(lambda m: f" {tag}{m.group(1)}", text)


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def long_date(value: Any) -> str:
    """An ISO date as people write it ("30 September 2026"); anything else unchanged."""
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{day.day} {day.strftime('%B')} {day.year}"


def _focus_text(figure: dict) -> str:
    if figure["unit"] == "date":
        return long_date(figure["value"])
    if isinstance(figure["value"], bool):
        return "yes" if figure["value"] else "no"
    return format_value(figure["value"], figure["unit"], figure.get("period"))


def _asked_of(result: dict, focus: list[dict], marks: dict[int, int]) -> list[Asked]:
    """What a calculation was asked for: the focus figures, one by one; else its direct answer, the figures its
    summary states (any one of them answers it); else any of its figures."""
    def forms(fig: dict) -> set[float]:
        if fig["unit"] == "date":  # a date is answered by its year ("from July 2030"); its day would match any 1
            return {float(d.year)} if (d := _date(fig["value"])) else set()
        return number_forms(fig["value"]) | number_forms(format_value(fig["value"], fig["unit"], fig.get("period")))

    if focus:
        return [Asked(f["label"], marks[f["citation"]], forms(f)) for f in focus if forms(f)]
    figures = [f for f in result["figures"] if forms(f)]
    if not figures:
        return []
    said = set(numbers_in(result.get("summary") or ""))
    stated = [f for f in figures if forms(f) & said] or figures
    return [Asked(stated[0]["label"], marks[stated[0]["citation"]], set().union(*(forms(f) for f in stated)))]


def evidence_of(state: dict) -> Evidence:
    """The evidence a graph state carries (computed once, by the tools node); built from the state's parts only for
    a state that has none (a hand-written state in a test, a payload sampled before the field existed)."""
    return Evidence.from_json(state["evidence"]) if state.get("evidence") else evidence_for(state)


def evidence_for(state: dict) -> Evidence:
    """The evidence of a graph state: its tool outcomes, its member record view, the record fields, passages and
    focus planned."""
    focus = {call["tool"]: call["focus"] for call in state.get("plan") or [] if call.get("focus")}
    return gather(state.get("tool_outcomes") or [], state.get("member"), state.get("safe_question") or "",
                  state.get("record_fields") or [], state.get("retrieved") or [], focus)


# Record fields in the member's words: label, and the unit the value is in ("money" = the member's currency).
BALANCE_LABEL = {"AU": "Your super balance", "US": "Your 401(k) balance", "UK": "Your pension pot",
                 "IN": "Your EPF balance"}
RECORD_LABELS: dict[str, tuple[str, str, str | None]] = {   # field -> (label, unit, period)
    "pension_balance": ("", "money", None),
    "ira_balance": ("Your IRA balance", "money", None),
    "nps_balance": ("Your NPS balance", "money", None),
    "employer_contribution_annual": ("What your employer paid in over the last 12 months", "money", None),
    "employee_contribution_annual": ("What you paid in over the last 12 months", "money", None),
    "annual_salary": ("Your yearly salary on the record", "money", "year"),
    "monthly_basic_wage": ("Your monthly basic wage plus dearness allowance", "money", "month"),
    "ss_pia_monthly": ("Your Primary Insurance Amount (monthly benefit at full retirement age)", "money", "month"),
    "ni_qualifying_years": ("Your qualifying years of National Insurance", "years", None),
    "epf_service_years": ("Your years of EPF service", "years", None),
    "contribution_years": ("Years you have been contributing", "years", None),
    "employer": ("Your employer", "text", None),
    "scheme": ("Your fund, plan or scheme", "text", None),
    "account_type": ("Your account type", "text", None),
    "beneficiaries": ("Your nominated beneficiaries", "text", None),
    "record_as_of": ("The date your record was last updated", "date", None),
}


def _record_text(field_name: str, value: Any, unit: str, period: str | None, currency: str | None) -> str:
    if field_name == "beneficiaries":
        return ", ".join(f"{b['relationship']} {b['share_percent']:g}%" for b in value)
    if unit == "money":
        return format_value(float(value), currency or "", period)
    if unit == "years":
        return format_value(value, "years")
    if unit == "date":
        return long_date(value)
    return str(value)


def _add_record(evidence: Evidence, member: dict, fields: Iterable[str]) -> None:
    fields = [f for f in fields if f in RECORD_LABELS]
    if not fields:
        return
    as_of = member.get("record_as_of")
    evidence.record_as_of = long_date(as_of) if as_of else None
    mark = evidence.cite({"title": f"Your member record ({member.get('scheme', 'your account')})",
                          "url": "", "tax_year": f"as of {as_of}", "rule": "member_record"})
    for name in fields:
        label, unit, period = RECORD_LABELS[name]
        label = label or BALANCE_LABEL.get(member.get("country") or "", "Your balance")
        value = member.get(name)
        if value is None or value == []:
            evidence.record_gaps.append(label)
            evidence.allowed_numbers |= number_forms(label)
            continue
        text = _record_text(name, value, unit, period, evidence.currency)
        evidence.record_facts.append(Fact(label, text, mark, evidence.currency if unit == "money" else unit, f"record:{name}"))
        evidence.allowed_numbers |= number_forms(text) | number_forms(label)  # "over the last 12 months"
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            evidence.figure_numbers |= number_forms(value) | number_forms(text)
            evidence.asked.append(Asked(label, mark, number_forms(value) | number_forms(text)))
        elif unit == "date":
            evidence.asked.append(Asked(label, mark, {float(d.year)} if (d := _date(value)) else set(), text))
        else:  # an employer, a scheme, the beneficiaries: the answer names them
            evidence.asked.append(Asked(label, mark, number_forms(text) if name == "beneficiaries" else set(), text))


def _add_explanations(evidence: Evidence, retrieved: Iterable[dict]) -> None:
    for passage in retrieved:
        source = passage["sources"][0]
        mark = evidence.cite({"title": source["title"], "url": source["url"],
                              "tax_year": source.get("tax_year") or f"read {source.get('read_on') or 'from copies'}",
                              "rule": passage["id"]})
        evidence.explanations.append(Explanation(passage["id"], passage["topic"], passage["text"].strip(), mark))
        # A rule's own numbers (ages, caps, dates) are not added to the allowed numbers: they hold only inside the
        # rule's verbatim text (precheck), never as a figure about the member.

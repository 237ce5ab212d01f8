"""What every scorer reads: the answer in its parts, and the evidence it had to work from.

A final answer is ``answer.parts`` rendered: a header line ("Tax year 2026-27, amounts in AUD."), the body, a
"Sources:" list ("[1] title (tax year): url") and the disclaimer. The graph carries those parts beside the text
(``final_parts``, in the sampled payload and eval records), and scorers read them as fields; only a reply from
elsewhere (a bare answer string) has its frame read off the text. Blocked, clarification and member-not-found
replies are plain text without a frame. Scorers check the body for claims and the frame for citations and
compliance; numbers come from the run's own evidence (``evidence.evidence_of``), exactly as the judge saw them.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from mlflow.entities import AssessmentSource, Feedback

from pension_advisor.answer import DISCLAIMER
from pension_advisor.evidence import Evidence, evidence_of, number_forms, numbers_in
from pension_advisor.precheck import claims
from pension_advisor.tools.base import CURRENCY

# The run's fields every scorer reads (the sampled payload, the worker and eval records carry exactly these).
SCORED_FIELDS = ("answer", "tool_outcomes", "country", "member", "status", "record_fields", "retrieved", "plan",
                 "evidence", "final_parts")

# Replies the system writes itself, with no calculation behind them.
NO_CALCULATION = ("blocked", "clarification", "member_not_found")
# Replies that present calculator results and must carry the full frame.
FRAMED = ("answered", "fallback", "degraded")

_HEADER = re.compile(r"^(?:Tax year [^\n]*?(?:, amounts in (?P<c1>[A-Z]{3}))?|amounts in (?P<c2>[A-Z]{3}))\.$")
_SOURCES = re.compile(r"(?:^|\n)Sources:[ \t]*\n")
_SOURCE_LINE = re.compile(r"^\[(\d+)\]\s+(.*)\s\(([^()\n]*)\):\s+(\S+)\s*$")
_ANY_SOURCE_LINE = re.compile(r"^\[(\d+)\]")
CITATION_MARK = re.compile(r"\[(\d+)\]")
# Scheme names that contain digits but state no figure: 401(k), 403(b), 457(b), EPS-95.
_SCHEME_NAMES = re.compile(r"\b(?:401|403|457)\s?\(?[kb]\)?(?!\w)|\bEPS[- ]?95\b", re.IGNORECASE)


def figures_in(text: str) -> list[float]:
    """The numbers a claim states (``evidence.numbers_in``), not counting digits inside scheme names."""
    return numbers_in(_SCHEME_NAMES.sub(" ", text))


@dataclass
class Source:
    number: int
    title: str
    tax_year: str | None
    url: str | None


@dataclass
class Reply:
    question: str
    member_id: str
    answer: str
    status: str
    country: str | None
    outcomes: list[dict]
    evidence: Evidence
    header: str = ""
    header_currency: str | None = None
    body: str = ""
    sources: list[Source] = field(default_factory=list)
    has_disclaimer: bool = False

    def claims(self) -> list[str]:
        """The body's units a claim or citation is judged in: whole bullet lines, otherwise sentences."""
        return [c.strip() for c in claims(self.body) if c.strip()]


_last = threading.local()


def read(inputs: Any, outputs: Any) -> Reply:
    """The reply as scorers see it. ``outputs`` may also be the graph state or a bare answer string.

    The scorers of one trace are called one after another with the same objects: the last reply read in
    this thread is reused while ``inputs`` and ``outputs`` are the very same, unchanged objects.
    """
    key = _fingerprint(inputs, outputs)
    cached = getattr(_last, "entry", None)
    if cached and cached[0] is inputs and cached[1] is outputs and cached[2] == key:
        return cached[3]
    reply = _read(inputs, outputs)
    _last.entry = (inputs, outputs, key, reply)
    return reply


def _fingerprint(inputs: Any, outputs: Any) -> tuple:
    fields = ("answer", "final_answer", "status", "country", "member", "tool_outcomes", "evidence", "final_parts")
    out = tuple(id(outputs.get(f)) for f in fields) if isinstance(outputs, dict) else (id(outputs),)
    outcomes = outputs.get("tool_outcomes") if isinstance(outputs, dict) else None
    ins = (inputs.get("question"), inputs.get("member_id")) if isinstance(inputs, dict) else (id(inputs),)
    return out + ins + (len(outcomes) if isinstance(outcomes, list) else -1,)


def _read(inputs: Any, outputs: Any) -> Reply:
    inputs = inputs if isinstance(inputs, dict) else {"question": str(inputs or "")}
    if isinstance(outputs, str):
        outputs = {"answer": outputs}
    outputs = outputs or {}
    answer = outputs.get("answer", outputs.get("final_answer")) or ""
    member = outputs.get("member")
    outcomes = [o for o in (outputs.get("tool_outcomes") or []) if isinstance(o, dict)]
    status = outputs.get("status") or "answered"
    question = inputs.get("question") or ""
    member_id = inputs.get("member_id") or ""

    country = outputs.get("country") or (member or {}).get("country") or _country_of_id(member_id)
    about = dict(member or {})
    if country:
        about.setdefault("country", country)
        about.setdefault("currency", CURRENCY.get(country))
    # The judge's own evidence, as the run carried it; rebuilt from the run's parts only for a reply without it
    # (a blocked or clarifying reply, a bare answer string).
    evidence = evidence_of({"evidence": outputs.get("evidence"), "tool_outcomes": outcomes, "member": about or None,
                            "safe_question": question, "record_fields": outputs.get("record_fields") or [],
                            "retrieved": outputs.get("retrieved") or [], "plan": outputs.get("plan") or []})
    country = country or evidence.country
    if country and not evidence.country:
        evidence.country = country
    evidence.allowed_numbers |= set(numbers_in(member_id))
    if status == "clarification":
        evidence.allowed_numbers |= _description_numbers(country)

    reply = Reply(question=question, member_id=member_id, answer=answer, status=status, country=country,
                  outcomes=outcomes, evidence=evidence)
    if parts := outputs.get("final_parts"):
        # The run's own parts of what the member read (answer.parts): fields, not the text parsed back.
        reply.header, reply.body, reply.has_disclaimer = parts["header"], parts["body"], parts["disclaimer"]
        reply.header_currency = parts["currency"]
        reply.sources = [Source(s["number"], s["title"], s["tax_year"], s.get("url")) for s in parts["sources"]]
        return reply
    # A reply from elsewhere (a bare answer string, a record without parts): read the frame off the text.
    text = answer.strip()
    reply.has_disclaimer = DISCLAIMER in text
    text = text.replace(DISCLAIMER, "")
    if m := _SOURCES.search(text):
        reply.sources = [_source(line) for line in text[m.end():].splitlines() if _ANY_SOURCE_LINE.match(line.strip())]
        text = text[:m.start()]
    first, _, rest = text.strip().partition("\n\n")
    if h := _HEADER.match(first.strip()):
        reply.header, reply.header_currency, text = first.strip(), h.group("c1") or h.group("c2"), rest
    reply.body = text.strip()
    return reply


def _country_of_id(member_id: str) -> str | None:
    """Member ids start with their country (AU-001): enough to check a reply given before the record was read."""
    prefix = member_id[:2].upper()
    return prefix if prefix in CURRENCY and member_id[2:3] == "-" else None


def _source(line: str) -> Source:
    line = line.strip()
    if m := _SOURCE_LINE.match(line):
        return Source(int(m.group(1)), m.group(2), m.group(3), m.group(4))
    return Source(int(_ANY_SOURCE_LINE.match(line).group(1)), line, None, None)


@lru_cache(maxsize=8)
def _description_numbers(country: str | None) -> frozenset[float]:
    """Numbers a clarification may quote: they come from the calculators' own descriptions."""
    from pension_advisor.tools import TOOL_SPECS

    return frozenset(number_forms([s.description for s in TOOL_SPECS.values() if country in (None, s.country)]))


def rule_source_urls(country: str | None) -> frozenset[str]:
    """The source URLs of every loaded rule table of ``country`` (all countries when unknown). Not cached here:
    rule_tables is, and a model that switches rule folders (tools.tables.use_rules_dir) must not see stale URLs."""
    from pension_advisor.tools.tables import source_urls

    return source_urls(country)


def code_feedback(name: str, value: float, rationale: str, **metadata: Any) -> Feedback:
    return Feedback(name=name, value=round(float(value), 4), rationale=rationale,
                    source=AssessmentSource(source_type="CODE", source_id=f"pension_advisor.{name}"),
                    metadata={k: str(v) for k, v in metadata.items()} or None)


def quote(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return f"\"{text[:limit]}{'...' if len(text) > limit else ''}\""

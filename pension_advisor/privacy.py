"""Member privacy in one place: who a member is in text, the question registry, one ``mask``, one ``pseudonymise``.

- :func:`pseudonymise` - the stable stand-in for a member id that models and traces see.
- :func:`identifying_strings` - the strings that identify a member in text (id, name, name parts, birth date in
  the usual spellings), each with the placeholder kind it is masked as.
- :class:`QuestionRegistry` (:data:`REGISTRY`) - every question the input guardrail saw, with its masked form and
  the PII strings found in it (bounded, in memory only), so traces can be masked exactly as the model saw it.
- :class:`MemberIndex` - every member's name, name parts and birth date, indexed once per store state (hash
  lookups per answer, never a scan of every member), to catch other members in what a model wrote.
- :func:`mask` - the only masking function: ``mask(text, context)`` with a :class:`MaskContext` saying what to
  keep, what is known to identify someone, whether to run NER, and whether ids become pseudonyms.

Who calls it: the input guardrail (the question a model will see), the output guardrail (what a model wrote),
the tool-output and trace redaction (observability.redact / observability.processor). This module imports
nothing heavy: presidio is loaded only when a context asks for NER.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import re
import threading
from collections import OrderedDict
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, Iterable

# --------------------------------------------------------------------------------------------------- identity

MEMBER_ID = re.compile(r"\b(?:AU|US|UK|IN)-\d{3}\b")


def pseudonymise(member_id: str, salt: str) -> str:
    """A stable stand-in for a member id that cannot be reversed without the salt."""
    return f"member-{hmac.new(salt.encode(), member_id.encode(), hashlib.sha256).hexdigest()[:10]}"


def date_spellings(day: dt.date) -> tuple[str, ...]:
    """A date as people and models write it: ISO, day/month/year, month/day/year, '7 June 1963', 'June 7, 1963'."""
    return tuple(dict.fromkeys((
        day.isoformat(), day.strftime("%d/%m/%Y"), day.strftime("%m/%d/%Y"), f"{day.day}/{day.month}/{day.year}",
        f"{day.month}/{day.day}/{day.year}", f"{day.day} {day:%B %Y}", f"{day:%B} {day.day}, {day.year}",
        f"{day.day} {day:%b %Y}", f"{day:%b} {day.day}, {day.year}")))


def identifying_strings(member) -> tuple[tuple[str, str], ...]:
    """(kind, value) for each string that identifies ``member`` (anything with member_id, name, date_of_birth):
    the id, the full name and each name part of three letters or more, the birth date in the usual spellings."""
    if member is None:
        return ()
    names = [member.name, *(p for p in member.name.split() if len(p) > 2)]
    return (("MEMBER_ID", member.member_id), *(("PERSON", n) for n in dict.fromkeys(names)),
            *(("DATE_OF_BIRTH", d) for d in date_spellings(member.date_of_birth)))


# --------------------------------------------------------------------------------------------------- patterns

@dataclass(frozen=True)
class PiiPattern:
    kind: str
    pattern: str
    case_sensitive: bool = False

    @property
    def regex(self) -> re.Pattern:
        return _compile(self.pattern, 0 if self.case_sensitive else re.IGNORECASE)


@lru_cache(maxsize=256)
def _compile(pattern: str, flags: int = 0) -> re.Pattern:
    return re.compile(pattern, flags)


# The regex floor under NER, ordered most specific first (a card number is not half-masked as a phone number).
PII_PATTERNS = (
    PiiPattern("EMAIL", r"\b[\w.+-]+@[\w-]+(\.[\w-]+)+\b"),
    PiiPattern("CREDIT_CARD", r"\b(?:\d[ -]?){13,16}\b"),
    PiiPattern("US_SSN", r"\b\d{3}-\d{2}-\d{4}\b"),
    PiiPattern("UK_NINO", r"\b[A-CEGHJ-PR-TW-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b", case_sensitive=True),
    PiiPattern("IN_AADHAAR", r"\b(?!(?:19|20)\d\d\s(?:19|20)\d\d\b)[2-9]\d{3}\s\d{4}\s\d{4}\b"),
    PiiPattern("IN_PAN", r"\b[A-Z]{5}\d{4}[A-Z]\b", case_sensitive=True),
    PiiPattern("AU_TFN", r"\b\d{3}\s\d{3}\s\d{3}\b"),
    # A phone number, but not a run of years ("2024 2025 2026") or money.
    PiiPattern("PHONE", r"(?<![\w$£₹])(?!(?:19|20)\d\d[ -](?:19|20)\d\d\b)\+?\(?\d{2,4}\)?[ -]\d{3,4}[ -]\d{3,4}\b"),
)
# A date next to "born" / "birth" / "DOB" is a birth date, whoever's it is.
BIRTH_DATE = re.compile(
    r"(?i)\b(?:born|birth(?:day|date)?|d\.?o\.?b\.?|date of birth)\b[^\d\n]{0,20}"
    r"((?:\d{1,2}(?:st|nd|rd|th)?[\s/.-]+(?:\d{1,2}|[A-Za-z]{3,9})[\s/.,-]+\d{2,4})"
    r"|(?:[A-Za-z]{3,9}\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})|(?:\d{4}-\d{2}-\d{2}))")
# Trace payloads are JSON: these keys' string values are someone's identity whatever they hold.
SENSITIVE_KEYS = ("name", "date_of_birth", "address", "email", "phone", "national_insurance_number", "ssn")
SENSITIVE_VALUE = re.compile(r'("(?:' + "|".join(SENSITIVE_KEYS) + r')"\s*:\s*)"(?:[^"\\]|\\.)*"')
MEMBER_ID_KEY = re.compile(r'"member_id"\s*:\s*"((?:AU|US|UK|IN)-\d{3})"')


def json_spellings(text: str) -> tuple[str, ...]:
    """The text as written and as it appears inside JSON (both ensure_ascii settings)."""
    return tuple(dict.fromkeys((text, json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1])))


# --------------------------------------------------------------------------------------------------- registry

class QuestionRegistry:
    """Questions the input guardrail saw (raw -> masked, in every JSON spelling) and the PII strings found in
    them. Bounded: spans are exported seconds after their question, so the last few hundred are plenty."""

    MAX_QUESTIONS = 3 * 256
    MAX_STRINGS = 1024

    def __init__(self):
        self._lock = threading.Lock()
        self._questions: OrderedDict[str, str] = OrderedDict()
        self._strings: OrderedDict[str, None] = OrderedDict()

    def remember(self, raw: str, masked: str, found: Iterable[str]) -> None:
        if not raw:
            return
        with self._lock:
            for spelled, masked_spelled in zip(json_spellings(raw), json_spellings(masked)):
                self._questions[spelled] = masked_spelled
                self._questions.move_to_end(spelled)
            for value in found:
                if len(value) >= 3 and not MEMBER_ID.fullmatch(value):  # ids have their own mask: pseudonyms
                    for spelled in json_spellings(value):
                        self._strings[spelled] = None
                        self._strings.move_to_end(spelled)
            while len(self._questions) > self.MAX_QUESTIONS:
                self._questions.popitem(last=False)
            while len(self._strings) > self.MAX_STRINGS:
                self._strings.popitem(last=False)

    def questions(self) -> list[tuple[str, str]]:
        """(raw, masked) for every registered question spelling, oldest first."""
        with self._lock:
            return list(self._questions.items())

    def strings(self) -> list[str]:
        """Every registered PII string spelling, oldest first."""
        with self._lock:
            return list(self._strings)

    def for_question(self, question: str | None) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
        """(subs, strings) for one question: its spellings with their masked forms, and the PII found in it."""
        if not question:
            return (), ()
        spellings = json_spellings(question)
        with self._lock:
            subs = tuple((s, self._questions[s]) for s in spellings if s in self._questions and self._questions[s] != s)
            strings = tuple(s for s in self._strings if any(s in sp for sp in spellings))
        return subs, strings

    def for_texts(self, texts: Iterable[str]) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
        """(subs, strings) for payloads that are not a graph run: the registered questions and strings in them."""
        texts = [t for t in texts if t]
        subs = tuple((raw, masked) for raw, masked in self.questions() if raw != masked and any(raw in t for t in texts))
        strings = tuple(s for s in self.strings() if any(s in t for t in texts))
        return subs, strings


REGISTRY = QuestionRegistry()


# --------------------------------------------------------------------------------------------------- members

# Name parts that are also ordinary capitalised words: alone they are not taken for a member's name.
_COMMON_NAME_WORDS = frozenset(
    "grace hall wood green white brown young king may will rose ivy poppy mason jack hope faith joy".split())
_CAPITALISED_RUN = re.compile(r"[A-Z][a-zA-Z'’-]+(?:\s+[A-Z][a-zA-Z'’-]+)*")
_DATES = re.compile(
    r"\b(?:\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4}|\d{1,2}\s+[A-Z][a-z]{2,8}\.?\s+\d{4}|[A-Z][a-z]{2,8}\.?\s+\d{1,2},?\s+\d{4})\b")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y")


def _parse_dates(text: str) -> set[dt.date]:
    cleaned = text.replace(",", "").replace(".", "")
    found = set()
    for fmt in _DATE_FORMATS:
        try:
            found.add(dt.datetime.strptime(cleaned, fmt).date())
        except ValueError:
            continue
    return found


class MemberIndex:
    """Names, name parts and birth dates of every member, for exact lookup in a model's text."""

    def __init__(self, members: Iterable[Any]):
        self.full_names: dict[str, set[str]] = {}
        self.parts: dict[str, set[str]] = {}
        self.births: dict[dt.date, set[str]] = {}
        self.size = 0
        for m in members:
            self.size += 1
            self.full_names.setdefault(" ".join(m.name.lower().split()), set()).add(m.member_id)
            for part in m.name.split():
                if len(part) > 2 and part.lower() not in _COMMON_NAME_WORDS:
                    self.parts.setdefault(part, set()).add(m.member_id)
            self.births.setdefault(m.date_of_birth, set()).add(m.member_id)

    def find(self, text: str, own_id: str | None = None) -> list[tuple[int, int, str]]:
        """Spans of ``text`` naming another member (full name, a distinctive name part) or giving another
        member's birth date; the asking member's own strings are not reported."""
        spans = []
        for run in _CAPITALISED_RUN.finditer(text):
            words = [(m.start() + run.start(), m.end() + run.start(), m.group(0))
                     for m in re.finditer(r"[A-Za-z'’-]+", run.group(0))]
            taken = set()
            for n in (3, 2):  # full names first, longest first
                for i in range(len(words) - n + 1):
                    if any(j in taken for j in range(i, i + n)):
                        continue
                    key = " ".join(w[2].lower() for w in words[i:i + n])
                    if self.full_names.get(key, set()) - {own_id}:
                        if own_id not in self.full_names[key]:
                            spans.append((words[i][0], words[i + n - 1][1], "PERSON"))
                        taken.update(range(i, i + n))
            for i, (start, end, word) in enumerate(words):
                owners = self.parts.get(re.sub(r"['’]s$", "", word), set())
                if i not in taken and owners and own_id not in owners:
                    spans.append((start, start + len(re.sub(r"['’]s$", "", word)), "PERSON"))
        for m in _DATES.finditer(text):
            owners = set().union(*(self.births.get(d, set()) for d in _parse_dates(m.group(0))))
            if owners and own_id not in owners:
                spans.append((m.start(), m.end(), "DATE_OF_BIRTH"))
        return spans


_index_lock = threading.Lock()
_indexes: dict[str, tuple[tuple, MemberIndex]] = {}


def member_index(store) -> MemberIndex:
    """The index of ``store`` (a members.MemberStore), built once and rebuilt only when its file changes."""
    path = str(getattr(store, "path", id(store)))
    try:
        st = os.stat(path)
        version: tuple = (st.st_mtime_ns, st.st_size)
    except OSError:
        version = ()
    with _index_lock:
        cached = _indexes.get(path)
        if cached is not None and cached[0] == version and version:
            return cached[1]
    index = MemberIndex(store.all())
    with _index_lock:
        _indexes[path] = (version, index)
    return index


# --------------------------------------------------------------------------------------------------- masking

@dataclass(frozen=True)
class MaskContext:
    """What one ``mask`` call knows. Plain data (picklable), except ``others``, which only answers use."""
    known: tuple[tuple[str, str], ...] = ()     # (kind, value): strings known to identify someone, masked as <kind>
    keep: tuple[str, ...] = ()                  # values that stay (the asking member's own, in their own answer)
    subs: tuple[tuple[str, str], ...] = ()      # registered questions, raw -> masked
    strings: tuple[str, ...] = ()               # registered PII strings -> <PII>
    salt: str | None = None                     # member ids -> pseudonyms; None: ids not kept -> <MEMBER_ID>
    ner: bool = False                           # presidio + spaCy (names and ID recognisers)
    json_keys: bool = False                     # sensitive JSON keys' values -> <REDACTED> (trace payloads)
    others: MemberIndex | None = field(default=None, compare=False)  # other members, by exact lookup
    own_id: str | None = None                   # whose text this is (not reported by ``others``)

    # Derived once per context (a trace masks a few hundred strings with one): cached_property writes the
    # instance's __dict__, which a frozen dataclass allows.
    @cached_property
    def known_regex(self) -> re.Pattern | None:
        return _known_regex(tuple(v for _, v in self.known))

    @cached_property
    def kind_of(self) -> dict[str, str]:
        return {v: k for k, v in self.known}


@dataclass(frozen=True)
class Masked:
    text: str
    kinds: list[str]
    found: list[str]   # the original strings masked (kept in memory only, for trace masking)


@lru_cache(maxsize=1024)
def _known_regex(values: tuple[str, ...]) -> re.Pattern | None:
    words = sorted({v for v in values if v}, key=len, reverse=True)
    if not words:
        return None
    # Case-sensitive: a member called Grace is not every "grace period".
    return re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, words)) + r")(?![\w-])")


def _spans(text: str, ctx: MaskContext) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    for raw in ctx.strings:
        start = text.find(raw)
        while start >= 0:
            spans.append((start, start + len(raw), "PII"))
            start = text.find(raw, start + len(raw))
    if ctx.known and (regex := ctx.known_regex) is not None:
        kind_of = ctx.kind_of
        spans += [(m.start(), m.end(), kind_of.get(m.group(0), "PII")) for m in regex.finditer(text)]
    if ctx.others is not None:
        spans += ctx.others.find(text, ctx.own_id)
    if ctx.ner:
        from pension_advisor.guardrails import pii  # presidio, loaded on first use

        spans += pii.entities(text)
    spans += _floor_spans(text) if len(text) <= _FLOOR_CACHE_CHARS else _floor_spans.__wrapped__(text)
    return spans


_FLOOR_CACHE_CHARS = 16_384


@lru_cache(maxsize=4096)
def _floor_spans(text: str) -> tuple[tuple[int, int, str], ...]:
    """The spans every context masks (birth dates, the regex floor, member ids): a function of the text alone, so
    cached - the same rule texts, citations and disclaimers recur in every answer and every trace."""
    spans = [(m.start(1), m.end(1), "DATE_OF_BIRTH") for m in BIRTH_DATE.finditer(text)]
    for pattern in PII_PATTERNS:
        if pattern.kind == "EMAIL" and "@" not in text:
            continue
        spans += [(m.start(), m.end(), pattern.kind) for m in pattern.regex.finditer(text)]
    spans += [(m.start(), m.end(), "MEMBER_ID") for m in MEMBER_ID.finditer(text)]
    return tuple(spans)


def mask(text: str, ctx: MaskContext = MaskContext()) -> Masked:
    """Mask what identifies anyone in ``text``: registered questions and PII strings, known identifying strings,
    other members (``ctx.others``), NER entities (``ctx.ner``), birth dates, the regex PII floor and member ids;
    ``ctx.keep`` survives. Overlaps resolve longest first; each span becomes ``<KIND>`` (ids: a pseudonym when
    ``ctx.salt`` is set)."""
    if ctx.json_keys:
        text = SENSITIVE_VALUE.sub(r'\1"<REDACTED>"', text)
    for raw, masked in ctx.subs:
        if raw in text:
            text = text.replace(raw, masked)
    spans = _spans(text, ctx)
    if not spans:  # most strings of a trace: nothing to mask
        return Masked(text, [], [])
    trimmed = []
    for start, end, kind in spans:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            trimmed.append((start, end, kind))
    keep = {k.lower() for k in ctx.keep}
    chosen: list[tuple[int, int, str]] = []
    for start, end, kind in sorted(trimmed, key=lambda s: (-(s[1] - s[0]), s[0])):
        if text[start:end].lower() in keep or any(start < e and s < end for s, e, _ in chosen):
            continue
        chosen.append((start, end, kind))
    chosen.sort()
    out, kinds, found, last = [], [], [], 0
    for start, end, kind in chosen:
        value = text[start:end]
        out += [text[last:start], pseudonymise(value, ctx.salt) if kind == "MEMBER_ID" and ctx.salt else f"<{kind}>"]
        kinds.append(kind)
        found.append(value)
        last = end
    out.append(text[last:])
    return Masked("".join(out), kinds, found)


def mask_value(value: Any, ctx: MaskContext = MaskContext(), memo: dict[str, str] | None = None) -> Any:
    """``mask`` applied to every string of a JSON-like value: values, keys, and numbers long enough to be an id
    (a card number stored as a number). With ``ctx.json_keys``, the string values of sensitive keys become
    ``<REDACTED>``. ``memo`` (string -> masked) lets a caller mask each distinct string once across many values
    masked with the same context - a trace repeats the question, the facts and the draft on many spans."""
    memo = {} if memo is None else memo

    def text(s: str) -> str:
        out = memo.get(s)
        if out is None:
            out = memo[s] = mask(s, ctx).text
        return out

    def walk(v: Any, sensitive: bool = False) -> Any:
        if isinstance(v, str):
            return "<REDACTED>" if sensitive else text(v)
        if isinstance(v, dict):
            return {text(k) if isinstance(k, str) else k: walk(x, ctx.json_keys and k in SENSITIVE_KEYS)
                    for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return type(v)(walk(x) for x in v)
        if isinstance(v, (int, float)) and not isinstance(v, bool) and len(str(v)) >= _SHORTEST_MASKABLE_NUMBER:
            masked = text(str(v))
            return v if masked == str(v) else masked
        return v

    return walk(value)


# A bare number shorter than this matches no pattern of the regex floor (those need separators, letters or 13+
# digits), so it is never masked; longer ones are masked as text.
_SHORTEST_MASKABLE_NUMBER = 9

# --------------------------------------------------------------------------------------------------- contexts

_YOUR = {"PERSON": "YOUR_NAME", "DATE_OF_BIRTH": "YOUR_DATE_OF_BIRTH"}


def question_context(member, salt: str | None) -> MaskContext:
    """For the question a model will see: the asking member's own name and birth date masked (as <YOUR_NAME>,
    <YOUR_DATE_OF_BIRTH>: the planner and the other-member rules can tell them from someone else's), their id
    (and any other) pseudonymised, NER on."""
    known = tuple((_YOUR[k], v) for k, v in identifying_strings(member) if k in _YOUR)
    return MaskContext(known=known, salt=salt, ner=True)


def answer_context(member, others: MemberIndex | None, ner: bool) -> MaskContext:
    """For what a model wrote to the asking member: their own strings stay; anyone else's go."""
    own = identifying_strings(member)
    return MaskContext(keep=tuple(v for _, v in own), others=others, ner=ner,
                       own_id=member.member_id if member is not None else None)


def trace_context(member, question: str | None, salt: str, texts: Iterable[str] = ()) -> MaskContext:
    """For trace payloads: the run's member and question (or, for a span outside a run, whatever registered
    questions its payloads contain), ids to pseudonyms, sensitive JSON keys emptied."""
    subs, strings = REGISTRY.for_question(question) if question else REGISTRY.for_texts(texts)
    known = tuple((k, v) for k, v in identifying_strings(member) if k != "MEMBER_ID")
    return MaskContext(known=known, subs=subs, strings=strings, salt=salt, json_keys=True)


# The member the current run is about, as its entry point names it (app.member_run: Advisor.ask, the API server from
# the caller's credentials). The nodes take it as the run's member (nodes/member.py); traces read it to mask the
# member's own name and birth date whatever the run's input shape was (a command or a checkpoint-only run has no
# member_id in its input, and a caller's input may name anyone).
_RUN_MEMBER: ContextVar[str | None] = ContextVar("pension_advisor_run_member", default=None)


@contextmanager
def run_member(member_id: str | None):
    """Name the member of the runs started inside this block."""
    previous = _RUN_MEMBER.get()
    token = _RUN_MEMBER.set(member_id)
    try:
        yield
    finally:
        try:
            _RUN_MEMBER.reset(token)
        except ValueError:  # an async generator (a server's stream) resumed in another context than it started in
            _RUN_MEMBER.set(previous)


def current_run_member() -> str | None:
    return _RUN_MEMBER.get()

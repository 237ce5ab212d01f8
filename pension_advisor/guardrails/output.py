"""Output guardrail checks, in order, on the final text before anything is returned or logged.

1. Leaks: no system prompt (any 8-word run from the advisor's prompts, or their opening lines) and no tool
   internals (calculator names, snake_case record fields, tool-call JSON, pseudonyms, tracebacks). A leaking answer
   is replaced, not trimmed: a partial leak is still a leak.
2. PII: nobody's but the asking member's. E-mails, phones, ID numbers (SSN, NINO, TFN, PAN, Aadhaar...), names
   (presidio/spaCy PERSON on the model-written part) and other members' ids are masked; the asking member's own
   id, name and birth date are kept.
3. Toxicity: alt-profanity-check per sentence; above the threshold the answer is replaced.
4. Disclaimer: an answer that gives information (answered / fallback) always ends with it.
Each check is reported with its own timing, like the input layers.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from functools import lru_cache

from pension_advisor import prompts
from pension_advisor.answer import DISCLAIMER

from . import pii
from .toxicity import toxicity_scores

SAFE_REPLACEMENT = ("I'm sorry, I couldn't produce a suitable answer to that. "
                    "An adviser will follow up with you.")
_MEMBER_ID = re.compile(r"\b(?:AU|US|UK|IN)-\d{3}\b")
_INTERNALS = [
    r"\b(?:au|us|uk|in)_[a-z0-9]+(?:_[a-z0-9]+)+\b",           # calculator names: au_preservation_age
    r"\b(?:rule_path|tool_calls?|tool_outcomes?|function_call|args_schema|safe_question|draft_body|retry_feedback|"
    r"pseudonym_salt|view_for_llm)\b",
    r"\b(?:pension_balance|annual_salary|other_assets|contribution_years|ni_qualifying_years|ss_pia_monthly|"
    r"epf_service_years|monthly_basic_wage|ira_balance|nps_balance|employment_status|marital_status|date_of_birth)\b",
    r"\bmember-[0-9a-f]{10}\b",                                   # a member pseudonym
    r"\"(?:tool|args|figures|citations|rule_path|tax_year)\"\s*:",  # tool call / result JSON
    r"Traceback \(most recent call last\)|\b(?:KeyError|ValueError|TypeError|AttributeError|ValidationError)\b:",
    r"\b(?:OPENAI_API_KEY|PENSION_ADVISOR_[A-Z_]+)\b",
]
_INTERNALS_RE = re.compile("|".join(f"(?:{p})" for p in _INTERNALS))


@lru_cache(maxsize=1)
def _prompt_shingles() -> tuple[frozenset[str], tuple[str, ...]]:
    from . import llm_classifier

    texts = [prompts.PLANNER_SYSTEM, prompts.WRITER_SYSTEM, prompts.JUDGE_SYSTEM, prompts.WRITER_RETRY,
             llm_classifier.GUARD_SYSTEM]
    shingles, openings = set(), []
    for text in texts:
        plain = re.sub(r"\{[^{}]*\}", " ", text)            # drop the {placeholders}
        words = re.findall(r"[a-z0-9']+", plain.lower())
        shingles |= {" ".join(words[i:i + 8]) for i in range(len(words) - 7)}
        openings.append(" ".join(words[:6]))
    return frozenset(shingles), tuple(openings)


def leak(text: str) -> str | None:
    """'system_prompt' or 'tool_internals' if ``text`` exposes them, else None."""
    words = re.findall(r"[a-z0-9']+", text.lower())
    shingles, openings = _prompt_shingles()
    joined = " ".join(words)
    if any(o in joined for o in openings) or any(" ".join(words[i:i + 8]) in shingles for i in range(len(words) - 7)):
        return "system_prompt"
    if _INTERNALS_RE.search(text):
        return "tool_internals"
    return None


@dataclass
class OutputReport:
    text: str
    masked: list[str] = field(default_factory=list)
    toxicity: float | None = None
    replaced: bool = False
    reason_code: str | None = None
    disclaimer_added: bool = False
    checks: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"masked": self.masked, "toxicity": self.toxicity, "replaced": self.replaced,
                "reason_code": self.reason_code, "disclaimer_added": self.disclaimer_added, "checks": self.checks}


def _own_strings(member) -> tuple[str, ...]:
    if member is None:
        return ()
    dob = member.date_of_birth
    return (member.member_id, member.name, *[p for p in member.name.split() if len(p) > 2], dob.isoformat(),
            dob.strftime("%d/%m/%Y"), dob.strftime("%m/%d/%Y"), f"{dob.day} {dob:%B %Y}")


def check(text: str, status: str, cfg, *, member=None, member_id: str | None = None,
          model_written: str | None = None) -> OutputReport:
    """Run the output checks on ``text``. ``member`` is the asking member's record (their own data may stay);
    ``model_written`` is the part an LLM wrote (names are searched there; the rest is our own template)."""
    report = OutputReport(text=text)
    informative = status in {"answered", "fallback"}

    def timed(name: str, fn):
        started = time.perf_counter()
        outcome = fn()
        report.checks.append({"check": name, "ms": round((time.perf_counter() - started) * 1000, 3), **outcome})

    if cfg.block_leaks and informative:
        def leaks():
            kind = leak(report.text)
            if kind:
                report.text, report.replaced, report.reason_code = SAFE_REPLACEMENT, True, kind
            return {"allowed": kind is None, "reason_code": kind}
        timed("leaks", leaks)

    if cfg.mask_pii:
        def personal_data():
            own = _own_strings(member) + ((member_id,) if member_id else ())
            use_ner = cfg.pii_engine == "presidio"
            names: tuple[str, ...] = ()
            if use_ner and model_written and model_written in report.text:
                found = pii.redact(model_written, keep=own, use_ner=True)
                names = tuple(v for v, k in zip(found.found, found.kinds) if k == "PERSON" and v not in own)
            result = pii.redact(report.text, keep=own, use_ner=False, names=names)
            masked_text, kinds = result.text, list(result.kinds)
            own_id = member.member_id if member is not None else member_id
            masked_text, n = _MEMBER_ID.subn(lambda m: m.group(0) if m.group(0) == own_id else "<MEMBER_ID>", masked_text)
            kinds += ["MEMBER_ID"] * sum(1 for m in _MEMBER_ID.finditer(report.text) if m.group(0) != own_id)
            report.text, report.masked = masked_text, kinds
            return {"allowed": True, "entities": kinds}
        timed("pii", personal_data)

    if cfg.enabled:
        def toxic():
            # Scored per sentence: a long, polite frame must not dilute one abusive line.
            sentences = [s for s in re.split(r"(?<=[.!?])\s+|\n+", report.text) if s.strip()] or [""]
            report.toxicity = round(max(toxicity_scores(sentences)), 4)
            bad = report.toxicity > cfg.toxicity_threshold
            if bad:
                report.text, report.replaced, report.reason_code = SAFE_REPLACEMENT, True, "toxicity"
            return {"allowed": not bad, "score": report.toxicity}
        timed("toxicity", toxic)

    if cfg.require_disclaimer and informative and DISCLAIMER not in report.text:
        report.text = f"{report.text.rstrip()}\n\n{DISCLAIMER}"
        report.disclaimer_added = True
        report.checks.append({"check": "disclaimer", "ms": 0.0, "added": True})
    return report

"""Output guardrail: what a model wrote is untrusted input; the deterministic frame around it is left alone.

The answer a member reads is a frame built by the code from verified results (header, figures, sources with their
citations, disclaimer) around a body; only when a model wrote that body (``model_written``, the graph's
``draft_body``) is there anything to check, and only that part is checked and masked - citations, rule text and
every other deterministic part come out exactly as the code built them. Checks, in order, on the model's text:

1. Leaks: no system prompt (any 8-word run from the advisor's prompts, or their opening lines) and no tool
   internals (calculator names, snake_case record fields, tool-call JSON, pseudonyms, tracebacks).
2. Instructions: instruction-like text, role or prompt talk and chat-template tokens, by the input guardrail's own
   layers (its rules on every decoded reading, plus rules for answers, and the learned detector with the higher
   bar used for tool text: tool_output.flag).
3. PII: nobody's but the asking member's. Other members' names, name parts and birth dates by exact lookup in the
   member store's index (privacy.MemberIndex), names by NER, ids, e-mails, phones and ID numbers by the regex
   floor; the asking member's own id, name and birth date stay.
4. Toxicity: alt-profanity-check per sentence.
A leak, instructions or toxicity replace the whole answer (a partial leak is still a leak): the node then sets
status ``withheld``. 5. Disclaimer: an answer that gives information (answered / fallback / degraded) always ends
with it.
Each check is reported with its own timing, like the input layers.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from functools import lru_cache

from pension_advisor import privacy, prompts
from pension_advisor.answer import DISCLAIMER

from . import rules, tool_output
from .toxicity import toxicity_scores

# What a member reads instead of an answer the guardrail withheld: true, and no promise of a follow-up.
# (Helper `answer` owns the shared replacement text; until answer.py defines one, it is this.)
SAFE_REPLACEMENT = ("I'm sorry, the answer written for your question did not pass our safety checks, so I can't "
                    "show it. Please try asking again, perhaps in different words.")
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
    shingles, openings = set(), []
    for text in prompts.every_prompt().values():
        plain = re.sub(r"\{[^{}]*\}", " ", text)            # drop the {placeholders}
        words = re.findall(r"[a-z0-9']+", plain.lower())
        shingles |= {" ".join(words[i:i + 8]) for i in range(len(words) - 7)}
        if len(words) >= 6:  # a template of field labels (QUESTION: ... FACTS: ...) has no telling opening
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


def instructions(text: str) -> str | None:
    """'role_talk' or the input guardrail's reason code if ``text`` (a model's draft) carries instruction-like text,
    talk about its role or prompt, or chat-template tokens; else None."""
    if rules.first_match(rules.ANSWER_ROLE_TALK, text):
        return "role_talk"
    return tool_output.flag(text)


@dataclass
class OutputReport:
    text: str
    masked: list[str] = field(default_factory=list)
    toxicity: float | None = None
    replaced: bool = False
    reason_code: str | None = None
    disclaimer_added: bool = False
    checks: list[dict] = field(default_factory=list)
    masked_part: str | None = None  # the model-written part as the text now holds it, when masking changed it

    def as_dict(self) -> dict:
        return {"masked": self.masked, "toxicity": self.toxicity, "replaced": self.replaced,
                "reason_code": self.reason_code, "disclaimer_added": self.disclaimer_added, "checks": self.checks}


def check(text: str, status: str, cfg, *, member=None, model_written: str | None = None,
          others: privacy.MemberIndex | None = None) -> OutputReport:
    """Run the output checks. ``text`` is the answer as framed; ``model_written`` the part a model wrote (None when
    the code wrote all of it: nothing to check but the disclaimer); ``member`` the asking member's record (their own
    data may stay); ``others`` the member store's index, for other members' names and birth dates."""
    report = OutputReport(text=text)
    informative = status in {"answered", "fallback", "degraded"}
    part = (model_written or "").strip()
    if part and part not in text:  # the frame always holds the body verbatim; if not, check the whole text
        part = text.strip()

    def timed(name: str, fn):
        started = time.perf_counter()
        outcome = fn()
        report.checks.append({"check": name, "ms": round((time.perf_counter() - started) * 1000, 3), **outcome})

    def replace(code: str) -> None:
        report.text, report.replaced, report.reason_code = SAFE_REPLACEMENT, True, code

    if part and cfg.block_leaks:
        def leaks():
            kind = leak(part) or instructions(part)
            if kind:
                replace(kind)
            return {"allowed": kind is None, "reason_code": kind}
        timed("leaks", leaks)

    if part and cfg.mask_pii and not report.replaced:
        def personal_data():
            nonlocal part
            found = privacy.mask(part, privacy.answer_context(member, others, ner=cfg.pii_engine == "presidio"))
            report.text, report.masked, part = report.text.replace(part, found.text), found.kinds, found.text
            report.masked_part = found.text
            return {"allowed": True, "entities": found.kinds}
        timed("pii", personal_data)

    if part and cfg.enabled and not report.replaced:
        def toxic():
            # Scored per sentence: a long, polite answer must not dilute one abusive line.
            sentences = [s for s in re.split(r"(?<=[.!?])\s+|\n+", part) if s.strip()] or [""]
            report.toxicity = round(max(toxicity_scores(sentences)), 4)
            bad = report.toxicity > cfg.toxicity_threshold
            if bad:
                replace("toxicity")
            return {"allowed": not bad, "score": report.toxicity}
        timed("toxicity", toxic)

    if cfg.require_disclaimer and informative and not report.replaced:
        # Recorded whether or not it had to be added: every informative answer shows this check in its trace.
        report.disclaimer_added = DISCLAIMER not in report.text
        if report.disclaimer_added:
            report.text = f"{report.text.rstrip()}\n\n{DISCLAIMER}"
        report.checks.append({"check": "disclaimer", "ms": 0.0, "allowed": True, "added": report.disclaimer_added})
    return report

"""Relevance: does the reply address what the member asked?"""

from __future__ import annotations

import re
from typing import Any

from mlflow.entities import Feedback
from mlflow.genai.scorers import scorer

from .common import code_feedback, read

NAME = "relevance"
_WORD = re.compile(r"[a-z0-9]+(?:\([a-z]\))?")
_STOP = frozenset("""
a about after again all also am an and any are as at be been before being but by can could did do does doing don
for from get got had has have having he her here him his how i if in into is it its just let me more most much my
need no not now of off on once only or other our out over own please same she should so some such tell than that
the their them then there these they this those through to too under until up very want was we were what when where
which while who whom why will with would you your yours yourself know like give work out able thanks thank hi hello
""".split())


# No MLflow timeout: it costs a thread per call (~1 ms), more than this scorer itself (< 0.5 ms).
@scorer(name=NAME, timeout=0,
        description="How well the reply addresses the question: calculators matching the question's intent and topic "
                    "words answered (1 = on topic).")
def relevance(inputs: Any = None, outputs: Any = None) -> Feedback:
    """Two explainable signals, averaged for answered and fallback replies:

    - intent: of the calculators whose intents match the question (``ToolSpec.matches``, member's country),
      the share the reply used. When calculators were used but none matches, 1.0 if the topic share below is
      at least one half, else 0.5. When no calculator was used, intent is left out.
    - topic: the share of the question's content words (stop words dropped, crudely stemmed) found in the
      reply's header and body.

    A blocked or member-not-found reply scores 1.0 (relevance does not apply to a refusal; the guardrail
    decided). A clarification scores 1.0 when no calculator matches the question (asking was right) and 0.5
    when one does (the question could have been answered).
    """
    reply = read(inputs, outputs)
    if reply.status in ("blocked", "member_not_found"):
        return code_feedback(NAME, 1.0, f"A {reply.status} reply: relevance does not apply.", applicable=False)
    matching = _matching_tools(reply.question, reply.country)
    if reply.status == "clarification":
        if matching:
            return code_feedback(NAME, 0.5, f"Asked for clarification although the question matches "
                                            f"{', '.join(sorted(matching))}.", matching_tools=",".join(sorted(matching)))
        return code_feedback(NAME, 1.0, "No calculator matches the question: asking which one is relevant.")

    if not reply.body.strip():
        return code_feedback(NAME, 0.0, "The reply has no body.", topic=0.0)
    words = _stems(reply.question)
    asked, said = set(words), set(_stems(f"{reply.header} {reply.body}"))
    topic = len(asked & said) / len(asked) if asked else 1.0
    used = {o.get("tool") for o in reply.outcomes if o.get("tool")}
    parts = [f"topic words answered {len(asked & said)}/{len(asked)}"]
    if used and matching:
        intent = len(used & matching) / len(matching)
        parts.insert(0, f"used {len(used & matching)}/{len(matching)} matching calculator(s)"
                        + (f" ({', '.join(sorted(matching - used))} not used)" if matching - used else ""))
    elif used:
        intent = 1.0 if topic >= 0.5 else 0.5
        parts.insert(0, f"no calculator intent matches; used {', '.join(sorted(used))}")
    else:
        intent = None
    value = topic if intent is None else (intent + topic) / 2
    missing = sorted(words[s] for s in asked - said)
    why = "; ".join(parts) + (f" (missing: {', '.join(missing[:6])})" if missing else "") + "."
    return code_feedback(NAME, value, why[0].upper() + why[1:], topic=round(topic, 3),
                         intent="n/a" if intent is None else round(intent, 3))


def _matching_tools(question: str, country: str | None) -> set[str]:
    from pension_advisor.tools import TOOL_SPECS

    return {s.name for s in TOOL_SPECS.values() if country in (None, s.country) and s.matches(question)}


def _stems(text: str) -> dict[str, str]:
    """Content words by stem (stem -> the word as first written)."""
    found: dict[str, str] = {}
    for w in _WORD.findall(text.lower()):
        if w not in _STOP and not w.isdigit() and len(w) > 1:
            found.setdefault(_stem(w), w)
    return found


def _stem(word: str) -> str:
    """Crude but predictable: 'contributions'/'contribute' -> 'contri', 'pensions' -> 'pensio'."""
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word[:6]

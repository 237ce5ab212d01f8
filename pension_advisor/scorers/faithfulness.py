"""Faithfulness: every figure the answer states is backed by the tool results (or the member's own record)."""

from __future__ import annotations

from typing import Any

from mlflow.entities import Feedback
from mlflow.genai.scorers import scorer

from pension_advisor import precheck
from pension_advisor.evidence import numbers_in

from .common import NO_CALCULATION, code_feedback, figures_in, quote, read

NAME = "faithfulness"


# No MLflow timeout: it costs a thread per call (~1 ms), more than this scorer itself (< 0.5 ms).
@scorer(name=NAME, timeout=0,
        description="Share of the answer's claims with figures that the tool results support (1 = all supported).")
def faithfulness(inputs: Any = None, outputs: Any = None, expectations: dict | None = None) -> Feedback:
    """1.0 when every sentence or bullet with a number uses only numbers from the calculator results, the member
    record or the question (the judge's own rule); the score is the share of such claims that are supported.

    A reply with no figures (blocked, clarification, or a body without numbers) scores 1.0. Offline, when
    ``expectations["expected_facts"]`` is given, each fact's numbers (or, without numbers, its text) must also
    appear in the answer, and the score is the lower of the two shares.
    """
    reply = read(inputs, outputs)
    evidence = reply.evidence
    # A rule quoted word for word states its own numbers (the judge's pre-check checks numbers outside such quotes).
    numeric = [(c, figures_in(precheck.without_quotes(c, evidence))) for c in reply.claims()]
    numeric = [(c, ns) for c, ns in numeric if ns]
    unsupported = [(c, [n for n in ns if not evidence.allows(n)]) for c, ns in numeric]
    unsupported = [(c, ns) for c, ns in unsupported if ns]
    support = 1 - len(unsupported) / len(numeric) if numeric else 1.0

    if not numeric:
        why = (f"A {reply.status} reply with no figures: nothing to contradict the tool results."
               if reply.status in NO_CALCULATION else "The answer states no figures.")
    elif not unsupported:
        why = f"All {len(numeric)} claim(s) with figures are supported by the tool results or member record."
    else:
        claim, numbers = unsupported[0]
        shown = ", ".join(f"{n:g}" for n in numbers[:5])
        why = (f"{len(unsupported)} of {len(numeric)} claim(s) with figures are not supported by the tool "
               f"results, e.g. {shown} in {quote(claim)}.")

    value, missing = support, []
    facts = list((expectations or {}).get("expected_facts") or [])
    if facts:
        missing = [f for f in facts if not _covered(f, reply.answer)]
        coverage = 1 - len(missing) / len(facts)
        value = min(support, coverage)
        why += (f" All {len(facts)} expected fact(s) are present." if not missing else
                f" {len(missing)} of {len(facts)} expected fact(s) are missing, e.g. {quote(missing[0])}.")
    return code_feedback(NAME, value, why, claims_with_figures=len(numeric), unsupported_claims=len(unsupported),
                         missing_expected_facts=len(missing))


def _covered(fact: str, answer: str) -> bool:
    wanted = numbers_in(fact)
    if not wanted:
        return " ".join(fact.lower().split()) in " ".join(answer.lower().split())
    present = numbers_in(answer)
    return all(any(abs(w - p) < 0.005 for p in present) for w in wanted)

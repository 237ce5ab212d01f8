"""No text a member can read promises a human follow-up: there is no adviser behind this software (issue 14).

Every string literal in the package (answer frames, prompts, guardrail messages, clarifying questions) and the
README are scanned, and the fallback answer itself is built and read.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from pension_advisor import answer
from pension_advisor.evidence import Evidence

ROOT = Path(__file__).resolve().parents[1]
PROMISE = re.compile(
    r"\b(adviser|advisor|planner|someone|somebody|a person|our team|we|one of us|a member of (our|the) team)\b[^.?!\n]{0,40}"
    r"\b(will|shall|is going to|'ll)\s+(follow(\s|-)?up|contact|call|get back|be in touch|reach out|email|ring)\b"
    r"|\b(follow(\s|-)?up|call you back|get back to you|be in touch)\b[^.?!\n]{0,30}\b(shortly|soon|within|in the next)\b",
    re.IGNORECASE)


def test_the_pattern_catches_the_old_promise():
    assert PROMISE.search("An adviser will follow up with you to go through this in more detail.")
    assert PROMISE.search("Someone from our team will contact you shortly.")
    assert PROMISE.search("We'll get back to you within 2 days.")
    assert not PROMISE.search("A follow-up question in a thread keeps working.")


def _strings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)]


def test_no_string_in_the_package_promises_a_follow_up():
    found = [(str(path.relative_to(ROOT)), m.group(0)) for path in sorted((ROOT / "pension_advisor").rglob("*.py"))
             for text in _strings(path) if (m := PROMISE.search(text))]
    assert found == []


def test_readme_promises_no_follow_up():
    assert not PROMISE.search((ROOT / "README.md").read_text(encoding="utf-8"))


def test_fallback_says_what_it_could_and_could_not_do():
    evidence = Evidence(country="AU", currency="AUD")
    text = answer.frame(answer.fallback_body(evidence), evidence)
    assert not PROMISE.search(text)
    assert "could not" in text and "verify" in text and answer.DISCLAIMER in text

"""The graph's own cost per question: instant scripted LLM, rule-based guardrails, tracing off.

Prints p50/p95 over 200 questions next to a bare LangGraph of the same topology with empty nodes.
Goal: p50 <= 10 ms and <= 1.5x the bare graph.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("PENSION_ADVISOR_PSEUDONYM_SALT", "bench")

from langgraph.graph import END, START, StateGraph  # noqa: E402

from pension_advisor.advisor import Advisor  # noqa: E402
from pension_advisor.config import load_settings  # noqa: E402
from pension_advisor.graph.state import AdvisorState  # noqa: E402
from pension_advisor.services import Services  # noqa: E402
from tests.fakes import ScriptedChatModel  # noqa: E402

N = 200
PASS = '{"passed": true, "confidence": 0.9, "violations": [], "feedback": ""}'
QUESTIONS = [
    ("AU-001", "What is my preservation age?", "Your preservation age is 58 [1]."),
    ("UK-003", "When do I reach State Pension age?", "You reach State Pension age as shown [1]."),
    ("IN-001", "How is my EPF contribution split?", "Your EPF split is shown in the facts [1]."),
    ("US-002", "How much can I put into my 401(k) this year?", "Your limit is shown in the facts [1]."),
]


def percentiles(samples: list[float]) -> tuple[float, float]:
    qs = statistics.quantiles(samples, n=100)
    return qs[49] * 1000, qs[94] * 1000


def scripted_asker(settings):
    """An Advisor on an instant scripted model, and ask(i) cycling through QUESTIONS."""
    fake = ScriptedChatModel(script={"writer": [""], "reviewer": [PASS]})
    advisor = Advisor(settings, Services(settings, model_factory=lambda: fake))

    def ask(i: int) -> None:
        member_id, question, body = QUESTIONS[i % len(QUESTIONS)]
        fake.script["writer"] = [body]
        fake.calls.clear()
        advice = advisor.ask(member_id, question)
        assert advice.status in {"answered", "fallback"}, advice.status

    return ask


def bare_graph():
    graph = StateGraph(AdvisorState)
    for name in ("input_guardrail", "plan", "tools", "synthesize", "judge", "retry", "fallback", "output_guardrail", "sample"):
        graph.add_node(name, lambda state: {})
    graph.add_edge(START, "input_guardrail")
    graph.add_conditional_edges("input_guardrail", lambda s: "plan", ["plan", "output_guardrail"])
    graph.add_conditional_edges("plan", lambda s: "tools", ["tools", "output_guardrail"])
    graph.add_edge("tools", "synthesize")
    graph.add_edge("synthesize", "judge")
    graph.add_conditional_edges("judge", lambda s: "output_guardrail", ["retry", "fallback", "output_guardrail"])
    graph.add_edge("retry", "synthesize")
    graph.add_edge("fallback", "output_guardrail")
    graph.add_edge("output_guardrail", "sample")
    graph.add_edge("sample", END)
    return graph.compile()


def time_runs(run, n: int = N) -> list[float]:
    for i in range(10):  # warm-up: imports, the toxicity model, SQLite pages
        run(i)
    samples = []
    for i in range(n):
        start = time.perf_counter()
        run(i)
        samples.append(time.perf_counter() - start)
    return samples


def main() -> None:
    tmp = tempfile.mkdtemp()
    settings = load_settings(env={"PENSION_ADVISOR__MEMBERS__DB_PATH": f"{tmp}/m.db",
                                  "PENSION_ADVISOR__TRACING__ENABLED": "false",
                                  "PENSION_ADVISOR__LLM__PROVIDER": "openai_compatible",
                                  "PENSION_ADVISOR__LLM__BASE_URL": "http://127.0.0.1:9/v1"})
    ask = scripted_asker(settings)
    bare = bare_graph()
    bare_samples = time_runs(lambda i: bare.invoke({"member_id": "AU-001", "question": "q"}))
    full_samples = time_runs(ask)
    b50, b95 = percentiles(bare_samples)
    f50, f95 = percentiles(full_samples)
    print(f"questions: {N} per graph (after 10 warm-up), tracing off, instant scripted LLM")
    print(f"{'graph':<28}{'p50 ms':>10}{'p95 ms':>10}")
    print(f"{'bare (empty nodes)':<28}{b50:>10.2f}{b95:>10.2f}")
    print(f"{'pension-advisor':<28}{f50:>10.2f}{f95:>10.2f}")
    print(f"ratio p50: {f50 / b50:.2f}x  (goal <= 1.5x)   p50: {f50:.2f} ms (goal <= 10 ms)")


if __name__ == "__main__":
    main()

"""The worker must score >= 50 traces/s on 2 cores with the deterministic scorers: keep each one cheap."""

from __future__ import annotations

import time

from pension_advisor.scorers import DETERMINISTIC

from .cases import GOOD, row

N = 200


def distinct_rows(n: int, salt: str = "") -> list[dict]:
    # Every body differs, so nothing is served from the toxicity sentence cache or the per-thread reply cache.
    return [row(("AU", "UK", "US")[i % 3], f"{GOOD[('AU', 'UK', 'US')[i % 3]]} Note {salt}{i}: see the sources below.")
            for i in range(n)]


def test_each_deterministic_scorer_is_well_under_budget():
    rows = distinct_rows(N)
    for s in DETERMINISTIC.values():  # warm-up: model and rule tables load once per process
        s(inputs=rows[0]["inputs"], outputs=rows[0]["outputs"])
    per_call = {}
    for name, s in DETERMINISTIC.items():
        start = time.perf_counter()
        for r in rows:
            s(inputs=r["inputs"], outputs=r["outputs"])
        per_call[name] = (time.perf_counter() - start) / N
    # Target is < 2 ms each; the bound leaves room for a busy CI machine while still catching per-call loading.
    assert all(t < 0.005 for t in per_call.values()), {k: f"{v * 1000:.2f} ms" for k, v in per_call.items()}
    assert sum(per_call.values()) < 0.015  # all five on one trace: > 66 traces/s on one core even so

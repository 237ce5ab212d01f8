import math
import uuid

import pytest

from pension_advisor.monitoring.sampling import is_sampled


@pytest.mark.parametrize("rate", [0.05, 0.1, 0.5, 0.9])
def test_rate_is_honoured_within_binomial_bounds(rate):
    n = 1000
    hits = sum(is_sampled(f"tr-{uuid.uuid4().hex}", rate) for _ in range(n))
    sd = math.sqrt(n * rate * (1 - rate))
    assert abs(hits - n * rate) <= 4 * sd, (hits, n * rate)


def test_same_trace_same_decision_and_exact_ends():
    ids = [f"tr-{uuid.uuid4().hex}" for _ in range(1000)]
    assert [is_sampled(t, 0.3) for t in ids] == [is_sampled(t, 0.3) for t in ids]
    assert not any(is_sampled(t, 0.0) for t in ids)
    assert all(is_sampled(t, 1.0) for t in ids)
    # A higher rate keeps every trace a lower rate picked (the hash is a fixed threshold per trace).
    assert all(is_sampled(t, 0.6) for t in ids if is_sampled(t, 0.3))

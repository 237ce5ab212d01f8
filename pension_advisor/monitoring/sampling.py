"""Which runs are scored: a deterministic function of the trace id, so a trace always gets the same decision."""

from __future__ import annotations

import hashlib


def is_sampled(trace_id: str, rate: float) -> bool:
    """True for about ``rate`` of all trace ids; exactly never at 0.0 and always at 1.0."""
    if rate <= 0.0:
        return False
    if rate >= 1.0:
        return True
    bucket = int.from_bytes(hashlib.sha256(trace_id.encode()).digest()[:8], "big") / 2**64  # uniform in [0, 1)
    return bucket < rate

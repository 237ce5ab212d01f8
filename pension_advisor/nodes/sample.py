"""Sample: fork a configured share of runs to the durable scoring queue. Enqueueing is all it costs the request."""

from __future__ import annotations

import logging

from pension_advisor.graph.state import AdvisorState
from pension_advisor.monitoring.sampling import is_sampled
from pension_advisor.observability.spans import current_trace_id, root_span_id
from pension_advisor.scorers.common import SCORED_FIELDS
from pension_advisor.services import Services

log = logging.getLogger(__name__)


def sample(state: AdvisorState, services: Services) -> dict:
    trace_id = current_trace_id()
    if trace_id is None:  # tracing off: there is no trace to attach scores to
        return {"sampled": False}
    if not is_sampled(trace_id, services.settings.production_monitoring.sampling_rate):
        return {"sampled": False}
    payload = {
        "trace_id": trace_id,
        "root_span_id": root_span_id(trace_id),  # the worker's evaluation events join the trace under it
        "question": state.get("safe_question", ""),
        # The fields the scorers read (scorers.common.SCORED_FIELDS): the answer as the member got it, and its
        # evidence (calculator outcomes, the pseudonymised member view, record fields read, rules retrieved, plan).
        **{k: state.get(k) for k in SCORED_FIELDS},
        "answer": state.get("final_answer", ""),
        "country": (state.get("member") or {}).get("country"),
    }
    try:
        services.scoring_queue.submit(trace_id, payload)
    except Exception as exc:  # the queue being down must not cost the member their answer
        log.warning("could not queue trace %s for scoring: %s", trace_id, exc)
        return {"sampled": True, "scoring_queued": False}
    return {"sampled": True, "scoring_queued": True}

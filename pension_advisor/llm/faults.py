"""What a failed model call means, in one word, in plain words, and in the log.

A model endpoint that is down, too slow, busy or refuses the API key must never turn into a silent fallback: the
answer's status becomes ``degraded``, the member is told the model could not be reached, the trace and the state
record the fault, and the first fault of each kind in a process is logged at WARNING (later ones at INFO, so a
dead endpoint does not flood the log). Every entry point (CLI, server, library) runs the graph's nodes, which
report their faults here.
"""

from __future__ import annotations

import logging
import threading

import httpx
import openai

log = logging.getLogger(__name__)

# kind -> what it means for the member, in plain words (no endpoint names, codes or internals).
UNAVAILABLE = {
    "unreachable": "could not be reached",
    "timeout": "did not reply in time",
    "key_rejected": "refused our connection",
    "busy": "was too busy to reply",
    "server_error": "failed while writing the answer",
}
# node -> what happens instead, for the log line.
CONSEQUENCE = {"planner": "the deterministic planner reads the question instead",
               "writer": "the answer is degraded to the calculators' verified results",
               "reviewer": "the answer is degraded to the calculators' verified results",
               "input_classifier": "the other input guardrail layers decide alone",
               "scorer": "this LLM-judge score is recorded as an error"}
_logged: set[str] = set()
_lock = threading.Lock()


def classify(exc: BaseException) -> str | None:
    """The kind of outage ``exc`` shows (a key of UNAVAILABLE), or None for a failure that is not an outage."""
    if isinstance(exc, (openai.APITimeoutError, httpx.TimeoutException, TimeoutError)):
        return "timeout"
    if isinstance(exc, (openai.AuthenticationError, openai.PermissionDeniedError)):
        return "key_rejected"
    if isinstance(exc, openai.RateLimitError):
        return "busy"
    if isinstance(exc, openai.InternalServerError):
        return "server_error"
    if isinstance(exc, (openai.APIConnectionError, httpx.TransportError, ConnectionError)):
        return "unreachable"
    return None


def detail(exc: BaseException) -> str:
    """A short technical line for logs and traces. An HTTP error shows its status only: a 401 body may echo part
    of the API key."""
    status = getattr(exc, "status_code", None)
    if status is not None:
        return f"{type(exc).__name__} (HTTP {status})"
    cause = exc.__cause__ or exc.__context__
    text = str(exc).strip() or type(exc).__name__
    if cause is not None and str(cause).strip() and str(cause) not in text:
        text = f"{text} ({str(cause).strip()})"
    return f"{type(exc).__name__}: {text[:160]}"


def record(node: str, exc: BaseException) -> dict | None:
    """Log a failed model call (WARNING the first time each kind is seen in this process) and return the fault for
    the state, {node, kind, detail}; None when it is not an outage (a bad reply, a bug: the caller handles it)."""
    kind = classify(exc)
    if kind is None:
        log.warning("model call by %s failed: %s", node, detail(exc))
        return None
    fault = {"node": node, "kind": kind, "detail": detail(exc)}
    with _lock:
        first = kind not in _logged
        _logged.add(kind)
    log.log(logging.WARNING if first else logging.INFO, "the model endpoint %s (%s, in %s): %s%s",
            UNAVAILABLE[kind], fault["detail"], node, CONSEQUENCE.get(node, "the call is given up"),
            "" if first else " (again)")
    return fault


def outage(faults: list[dict] | None, nodes: tuple[str, ...] = ("writer", "reviewer")) -> dict | None:
    """The first outage among ``faults`` that cost the answer its model (the writer's or the reviewer's call)."""
    return next((f for f in faults or [] if f.get("node") in nodes and f.get("kind") in UNAVAILABLE), None)


def member_notice(kind: str) -> str:
    """What the member is told about an outage, in plain words."""
    return (f"The language model that writes our answers {UNAVAILABLE.get(kind, 'could not be reached')} just now, "
            f"so this reply shows only what our calculators worked out from your record and the official rules, "
            f"without a written explanation.")

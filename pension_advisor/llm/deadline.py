"""A hard deadline on every model call: connect, read, retries and Retry-After waits together.

The OpenAI SDK retries on its own and sleeps for a 429's Retry-After (up to a minute) inside those retries, so
`timeout` and `max_retries` alone do not bound a call: with timeout=3 one call took 62 s against Retry-After: 30.
ChatOpenAI is therefore made with the SDK's retries off and an httpx transport that retries itself (tenacity),
gives every attempt only the time left, honours Retry-After only when it fits in that time, and stops reading a
response once the deadline has passed. Being an HTTP transport, it bounds every call the same way: invoke, stream,
tool calling and structured output.
"""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass

import httpx
from tenacity import (
    AsyncRetrying, RetryCallState, Retrying, retry_if_exception_type, retry_if_result, wait_random_exponential,
)

# Worth another attempt: the endpoint was busy, briefly down, or the connection broke. 4xx other than these
# (a bad key, a bad request) will fail the same way again.
RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})
RETRY_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.ReadTimeout, httpx.WriteTimeout, httpx.PoolTimeout,
                httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)


class DeadlineExceeded(httpx.TimeoutException):
    """The call's deadline passed (an httpx timeout, so the SDK reports it as APITimeoutError)."""


@dataclass(frozen=True)
class CallBudget:
    """``deadline_s`` bounds a whole call; each attempt may take at most ``attempt_timeout_s``."""
    deadline_s: float
    attempt_timeout_s: float
    max_retries: int

    @classmethod
    def from_config(cls, timeout_s: float, max_retries: int) -> "CallBudget":
        # The deadline is what the configuration already promises: every allowed attempt at its full timeout.
        return cls(deadline_s=timeout_s * (max_retries + 1), attempt_timeout_s=timeout_s, max_retries=max_retries)


def retry_after_s(response: httpx.Response) -> float | None:
    """The wait a response asks for (Retry-After seconds or HTTP date, or OpenAI's retry-after-ms), if any."""
    headers = response.headers
    if (ms := headers.get("retry-after-ms")) is not None:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class _Deadline:
    def __init__(self, budget: CallBudget):
        self.budget = budget
        self.started = time.monotonic()

    def left(self) -> float:
        return self.budget.deadline_s - (time.monotonic() - self.started)

    def timeout(self) -> httpx.Timeout:
        return httpx.Timeout(max(0.001, min(self.budget.attempt_timeout_s, self.left())))

    def wait(self, state: RetryCallState) -> float:
        asked = None
        if state.outcome is not None and not state.outcome.failed:
            asked = retry_after_s(state.outcome.result())
        backoff = wait_random_exponential(multiplier=0.5, max=8)(state)
        return asked if asked is not None else backoff

    def stop(self, state: RetryCallState) -> bool:
        # Stop when the attempts are used up, or when waiting would leave no time for another attempt.
        return state.attempt_number > self.budget.max_retries or state.upcoming_sleep >= self.left()

    def policy(self) -> dict:
        return dict(stop=self.stop, wait=self.wait, reraise=True,
                    retry=retry_if_exception_type(RETRY_ERRORS) | retry_if_result(_retryable),
                    # Out of attempts or time: hand the last response to the SDK, which raises its own error
                    # (RateLimitError, InternalServerError...), or re-raise the last connection error.
                    retry_error_callback=lambda state: state.outcome.result())

    def check(self) -> None:
        if self.left() <= 0:
            raise DeadlineExceeded(f"the model call passed its {self.budget.deadline_s:g} s deadline")


def _retryable(response: httpx.Response) -> bool:
    return response.status_code in RETRY_STATUSES


class _DeadlineStream(httpx.SyncByteStream):
    """A response body that stops with DeadlineExceeded once the call's deadline has passed (a server that
    trickles bytes would otherwise keep a streamed answer going for ever)."""

    def __init__(self, stream: httpx.SyncByteStream, deadline: _Deadline):
        self.stream, self.deadline = stream, deadline

    def __iter__(self):
        for chunk in self.stream:
            self.deadline.check()
            yield chunk

    def close(self) -> None:
        self.stream.close()


class _AsyncDeadlineStream(httpx.AsyncByteStream):
    def __init__(self, stream: httpx.AsyncByteStream, deadline: _Deadline):
        self.stream, self.deadline = stream, deadline

    async def __aiter__(self):
        async for chunk in self.stream:
            self.deadline.check()
            yield chunk

    async def aclose(self) -> None:
        await self.stream.aclose()


class DeadlineTransport(httpx.BaseTransport):
    def __init__(self, budget: CallBudget, transport: httpx.BaseTransport | None = None):
        self.budget = budget
        self.transport = transport or httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        deadline = _Deadline(self.budget)

        def attempt() -> httpx.Response:
            deadline.check()
            request.extensions = {**request.extensions, "timeout": deadline.timeout().as_dict()}
            response = self.transport.handle_request(request)
            if _retryable(response):
                response.read()  # it may be retried: free its connection now (the SDK can still read it)
            return response

        response = Retrying(**deadline.policy())(attempt)
        response.stream = _DeadlineStream(response.stream, deadline)
        return response

    def close(self) -> None:
        self.transport.close()


class AsyncDeadlineTransport(httpx.AsyncBaseTransport):
    def __init__(self, budget: CallBudget, transport: httpx.AsyncBaseTransport | None = None):
        self.budget = budget
        self.transport = transport or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        deadline = _Deadline(self.budget)

        async def attempt() -> httpx.Response:
            deadline.check()
            request.extensions = {**request.extensions, "timeout": deadline.timeout().as_dict()}
            response = await self.transport.handle_async_request(request)
            if _retryable(response):
                await response.aread()
            return response

        response = await AsyncRetrying(**deadline.policy())(attempt)
        response.stream = _AsyncDeadlineStream(response.stream, deadline)
        return response

    async def aclose(self) -> None:
        await self.transport.aclose()


def deadline_clients(budget: CallBudget) -> tuple[httpx.Client, httpx.AsyncClient]:
    """httpx clients for ChatOpenAI(http_client=..., http_async_client=...) whose every request keeps to ``budget``."""
    return (httpx.Client(transport=DeadlineTransport(budget), timeout=budget.attempt_timeout_s),
            httpx.AsyncClient(transport=AsyncDeadlineTransport(budget), timeout=budget.attempt_timeout_s))


def model_calls_per_question(settings, planner_calls_tools: bool = True) -> int:
    """The most model calls one question can make: the input classifier (when on), the planner (when the model
    picks tools), and a writer call plus a reviewer call (when the reviewer is a model) for every allowed attempt."""
    classifier = 0 if settings.guardrails.input.llm_classifier == "off" else 1
    planner = 1 if settings.tools.llm_planner and planner_calls_tools else 0
    per_attempt = 1 + (1 if settings.judge.use_llm else 0)
    from .factory import judge_retries

    return classifier + planner + (judge_retries(settings) + 1) * per_attempt


def question_deadline_s(settings, planner_calls_tools: bool = True) -> float:
    """How long one question may spend waiting on the model, from the configuration alone: every call it can make
    at its whole-call deadline (timeout_s x (max_retries + 1))."""
    budget = CallBudget.from_config(settings.llm.timeout_s, settings.llm.max_retries)
    return model_calls_per_question(settings, planner_calls_tools) * budget.deadline_s

"""Every model call keeps to timeout_s x (max_retries + 1): retries, Retry-After waits and slow replies included.

A real HTTP endpoint on loopback answers from a script (status, headers, delay); ChatOpenAI is made by the project's
factory, as every node gets it.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import openai
import pytest

from pension_advisor.config.schema import LLM
from pension_advisor.llm import chat_model
from pension_advisor.llm.deadline import retry_after_s

OK = {"id": "c1", "object": "chat.completion", "created": 0, "model": "m",
      "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "hello"}}],
      "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}


class ScriptedEndpoint:
    """Replies to POST /v1/chat/completions from ``script``: (status, headers, delay_s) per request; the last
    entry repeats."""

    def __init__(self, script: list[tuple[int, dict, float]]):
        self.script, self.requests = script, 0
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                self.rfile.read(int(self.headers.get("content-length") or 0))
                status, headers, delay = endpoint.script[min(endpoint.requests, len(endpoint.script) - 1)]
                endpoint.requests += 1
                time.sleep(delay)
                body = json.dumps(OK if status == 200 else {"error": {"message": f"status {status}"}}).encode()
                try:
                    self.send_response(status)
                    for k, v in {"content-type": "application/json", **headers}.items():
                        self.send_header(k, v)
                    self.send_header("content-length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up, as it should
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint():
    made = []

    def make(*script):
        made.append(ScriptedEndpoint(list(script)))
        return made[-1]

    yield make
    for e in made:
        e.close()


def model_for(e: ScriptedEndpoint, timeout_s: float, max_retries: int):
    return chat_model(LLM(provider="openai_compatible", base_url=e.base_url, model="m",
                          timeout_s=timeout_s, max_retries=max_retries))


def test_a_retry_after_longer_than_the_deadline_fails_at_once_instead_of_sleeping(endpoint):
    # Before: the SDK slept the 30 s inside its own retries (62 s for one question with timeout 3 s).
    e = endpoint((429, {"retry-after": "30"}, 0))
    started = time.monotonic()
    with pytest.raises(openai.RateLimitError):
        model_for(e, timeout_s=2, max_retries=2).invoke("hi")
    assert time.monotonic() - started < 30
    assert e.requests == 1  # waiting 30 s would leave no time for another attempt within 6 s


def test_a_retry_after_that_fits_is_honoured_and_the_call_succeeds(endpoint):
    e = endpoint((429, {"retry-after": "0.2"}, 0), (200, {}, 0))
    assert model_for(e, timeout_s=5, max_retries=1).invoke("hi").content == "hello"
    assert e.requests == 2


def test_server_errors_are_retried_max_retries_times_then_reported(endpoint):
    e = endpoint((503, {}, 0))
    with pytest.raises(openai.InternalServerError):
        model_for(e, timeout_s=5, max_retries=2).invoke("hi")
    assert e.requests == 3


def test_a_rejected_key_is_not_retried(endpoint):
    e = endpoint((401, {}, 0))
    with pytest.raises(openai.AuthenticationError):
        model_for(e, timeout_s=5, max_retries=3).invoke("hi")
    assert e.requests == 1


def test_a_hanging_endpoint_costs_at_most_the_deadline(endpoint):
    e = endpoint((200, {}, 30))  # answers after 30 s
    started = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        model_for(e, timeout_s=0.5, max_retries=1).invoke("hi")
    assert time.monotonic() - started < 30
    assert e.requests == 2  # each attempt given up after its share of the deadline


def test_async_calls_keep_the_same_deadline(endpoint):
    e = endpoint((500, {}, 0), (200, {}, 0))
    reply = asyncio.run(model_for(e, timeout_s=5, max_retries=1).ainvoke("hi"))
    assert reply.content == "hello" and e.requests == 2
    e2 = endpoint((429, {"retry-after": "30"}, 0))
    started = time.monotonic()
    with pytest.raises(openai.RateLimitError):
        asyncio.run(model_for(e2, timeout_s=1, max_retries=3).ainvoke("hi"))
    assert time.monotonic() - started < 30 and e2.requests == 1


@pytest.mark.parametrize("headers, expected", [
    ({"retry-after": "7"}, 7.0), ({"retry-after-ms": "250"}, 0.25), ({"retry-after": "soon"}, None), ({}, None)])
def test_retry_after_forms(headers, expected):
    import httpx

    assert retry_after_s(httpx.Response(429, headers=headers)) == expected

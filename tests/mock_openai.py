"""An OpenAI-compatible chat endpoint on loopback with a fixed delay per completion, for server tests and
bench/load.py. It stands in for the LLM's text only: everything else in a run is the real thing.

Replies by role (told apart by the system prompt, as tests/fakes.py does): the planner calls no tool (the
deterministic planner fills in), the writer states the facts it was given with their [n] marks, the reviewer passes.
Supports `stream: true` (server-sent events), which LangChain uses when a run streams messages.

    python -m tests.mock_openai --port 8011 --delay-ms 200
"""

from __future__ import annotations

import argparse
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .fakes import ROLES, good_writer

PASS_VERDICT = '{"passed": true, "confidence": 0.9, "violations": [], "feedback": ""}'
# A reply is text, or a function of the request's messages (the writer states the facts it was given).
REPLIES = {"planner": "", "writer": good_writer, "reviewer": PASS_VERDICT, "scorer": '{"score": 1.0, "rationale": "ok"}'}


class MockOpenAI:
    def __init__(self, port: int = 0, delay_s: float = 0.2, host: str = "127.0.0.1", record: bool = False,
                 error_status: int | None = None):
        self.delay_s = delay_s
        self.error_status = error_status  # answer every completion with this HTTP error (401: a rejected key)
        self.calls: dict[str, int] = {}
        self.record = record
        self.requests: list[dict] = []  # every request body, when record=True (privacy tests read what a model got)
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer((host, port), _handler(self))
        self.server.daemon_threads = True
        self.server.request_queue_size = 256  # 64+ clients connect at once
        self.port = self.server.server_address[1]
        self.base_url = f"http://{host}:{self.port}/v1"
        self._thread: threading.Thread | None = None

    def start(self) -> "MockOpenAI":
        self._thread = threading.Thread(target=self.server.serve_forever, name="mock-openai", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def count(self, role: str) -> None:
        with self._lock:
            self.calls[role] = self.calls.get(role, 0) + 1

    def __enter__(self) -> "MockOpenAI":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _role(messages: list[dict]) -> str:
    system = next((m.get("content") or "" for m in messages if m.get("role") == "system"), "")
    if isinstance(system, list):  # content parts
        system = " ".join(p.get("text", "") for p in system if isinstance(p, dict))
    return next((role for role, opening in ROLES.items() if system.startswith(opening)), "writer")


def _handler(mock: MockOpenAI):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet: the load bench sends thousands of requests
            pass

        def do_GET(self) -> None:
            if self.path.rstrip("/") == "/stats":  # completions served so far, by role (bench/load.py reads it)
                with mock._lock:
                    return self._json(200, dict(mock.calls))
            if self.path.rstrip("/").endswith("/models"):
                return self._json(200, {"object": "list", "data": [{"id": "mock", "object": "model"}]})
            self._json(404, {"error": {"message": "not found"}})

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)) or b"{}")
            if not self.path.rstrip("/").endswith("/chat/completions"):
                return self._json(404, {"error": {"message": f"no such endpoint {self.path}"}})
            role = _role(body.get("messages") or [])
            mock.count(role)
            if mock.error_status is not None:
                return self._json(mock.error_status, {"error": {"message": "Incorrect API key provided: sk-te***st",
                                                                "type": "invalid_request_error", "code": "invalid_api_key"}})
            if mock.record:
                with mock._lock:
                    mock.requests.append(body)
            time.sleep(mock.delay_s)
            text, model = REPLIES[role], body.get("model", "mock")
            if callable(text):
                text = text(body.get("messages") or [])
            usage = {"prompt_tokens": sum(len(str(m.get("content", ""))) // 4 for m in body.get("messages") or []),
                     "completion_tokens": max(1, len(text) // 4)}
            usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
            cid, created = f"chatcmpl-{uuid.uuid4().hex[:12]}", int(time.time())
            if body.get("stream"):
                return self._stream(cid, created, model, text, usage)
            self._json(200, {"id": cid, "object": "chat.completion", "created": created, "model": model,
                             "choices": [{"index": 0, "finish_reason": "stop",
                                          "message": {"role": "assistant", "content": text}}],
                             "usage": usage})

        def _stream(self, cid, created, model, text, usage) -> None:
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.send_header("cache-control", "no-cache")
            self.send_header("connection", "close")
            self.end_headers()
            words = text.split(" ")
            chunks = [{"role": "assistant", "content": ""}] + [{"content": w + (" " if i < len(words) - 1 else "")}
                                                              for i, w in enumerate(words)]
            for i, delta in enumerate(chunks):
                last = i == len(chunks) - 1
                event = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
                         "choices": [{"index": 0, "delta": delta, "finish_reason": "stop" if last else None}]}
                self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
            self.wfile.write(f"data: {json.dumps({'id': cid, 'object': 'chat.completion.chunk', 'created': created, 'model': model, 'choices': [], 'usage': usage})}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True

        def _json(self, status: int, payload: dict) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8011)
    parser.add_argument("--delay-ms", type=float, default=200)
    args = parser.parse_args()
    mock = MockOpenAI(args.port, args.delay_ms / 1000)
    print(f"mock OpenAI endpoint on {mock.base_url} ({args.delay_ms:.0f} ms per completion)", flush=True)
    mock.server.serve_forever()

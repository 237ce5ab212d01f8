"""A real API server for the end-to-end tests: `pension-advisor serve` (Aegra) on a fresh PostgreSQL database,
its LLM an OpenAI-compatible mock on loopback, traces in a private MLflow SQLite store."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest

from tests.fakes import free_port, wait_for_http

PG_ADMIN = "postgresql://127.0.0.1:5432/postgres"
KEYS = {"alice": ("alice-secret-key", "US-002"), "bob": ("bob-secret-key", "AU-001")}
JWT_SECRET = "test-jwt-secret-at-least-32-bytes-long!!"


def headers(who: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {KEYS[who][0]}", **extra}


class Server:
    """One `pension-advisor serve` process; stop() / start() keep the database, as a redeploy would."""

    def __init__(self, env: dict[str, str], workdir: Path):
        self.env, self.workdir = env, workdir
        self.port = int(env["PENSION_ADVISOR__SERVER__PORT"])
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.log = workdir / "server.log"

    def start(self, timeout_s: float = 90) -> None:
        self.launch()
        self.wait_ready(timeout_s)

    def launch(self) -> None:
        self.proc = subprocess.Popen([str(Path(sys.executable).with_name("pension-advisor")), "serve"], env=self.env,
                                     cwd=self.workdir, stdout=self.log.open("ab"), stderr=subprocess.STDOUT)

    def wait_ready(self, timeout_s: float = 90) -> None:
        wait_for_http(self.url + "/health", self.proc, self.log, timeout_s, "pension-advisor serve")

    def stop(self, sig: int = signal.SIGTERM, timeout_s: float = 60) -> int:
        assert self.proc is not None
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise


@pytest.fixture(scope="session")
def database():
    name = f"pa_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql://127.0.0.1:5432/{name}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def server_env(tmp_path_factory, mock_llm, database) -> dict[str, str]:
    work = tmp_path_factory.mktemp("server")
    keys = ", ".join(f"{{name: {who}, member_id: {member}, key_sha256: {hashlib.sha256(key.encode()).hexdigest()}}}"
                     for who, (key, member) in KEYS.items())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PENSION_ADVISOR__", "OTEL_", "MLFLOW_"))}
    env.update({
        "PENSION_ADVISOR__SERVER__PORT": str(free_port()),
        "PENSION_ADVISOR__SERVER__DATABASE_URL": database,
        "PENSION_ADVISOR__SERVER__AUTH__API_KEYS": f"[{keys}]",
        "PENSION_ADVISOR__SERVER__AUTH__JWT__SECRET_ENV": "TEST_JWT_SECRET",
        "TEST_JWT_SECRET": JWT_SECRET,
        "PENSION_ADVISOR__LLM__PROVIDER": "openai_compatible",
        "PENSION_ADVISOR__LLM__BASE_URL": mock_llm.base_url,
        "OPENAI_API_KEY": "not-used-by-the-mock",
        "PENSION_ADVISOR__MEMBERS__DB_PATH": str(work / "members.db"),
        "PENSION_ADVISOR__TRACING__TRACKING_URI": f"sqlite:///{work / 'mlflow.db'}",
        "PENSION_ADVISOR__PRODUCTION_MONITORING__QUEUE__SQLITE_PATH": str(work / "scoring.db"),
        "PENSION_ADVISOR_PSEUDONYM_SALT": "test-salt",
        "MLFLOW_DISABLE_TELEMETRY": "true",
        # Aegra's cron scheduler: look for due crons every second, and allow 6-field (seconds) schedules, so a
        # test sees a scheduled run fire within seconds.
        "CRON_POLL_INTERVAL_SECONDS": "1",
        "CRON_ALLOW_SECONDS_SCHEDULE": "true",
    })
    return env


@pytest.fixture(scope="session")
def api(server_env, tmp_path_factory):
    server = Server(server_env, tmp_path_factory.mktemp("server-run"))
    server.start()
    yield server
    if server.proc and server.proc.poll() is None:
        server.stop()

"""Start the API server: Aegra (Apache-2.0, the LangGraph Agent Server API) on PostgreSQL, serving our graph.

`pension-advisor serve` writes Aegra's config (graph, auth, extra routes; absolute paths, so it works from any
directory and from an installed package), makes sure the database exists, and runs uvicorn with it.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from pension_advisor.config.schema import Settings
from pension_advisor.observability.spans import GRAPH_NAME

HERE = Path(__file__).resolve().parent
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
GRACEFUL_SHUTDOWN_S = 30
MIGRATION_LOCK = 0x70656E73696F6E  # PostgreSQL advisory lock key held while migrating ("pension" in ASCII)
MIGRATION_WAIT_S = 240  # uvicorn waits this long for running requests before the lifespan flush


class ServeError(Exception):
    """Why the server cannot start, phrased for the operator."""


def aegra_config(auth_enabled: bool = True) -> dict:
    return {
        "graphs": {GRAPH_NAME: f"{HERE / 'graph.py'}:graph"},
        # Without auth (development on loopback only, see check_auth) the run's context names the member.
        **({"auth": {"path": "pension_advisor.server.auth:auth"}} if auth_enabled else {}),
        "http": {"app": "pension_advisor.server.routes:app"},
        # One checkpoint per question, at its end, instead of one per graph step: a question is answered whole or
        # asked again, so the in-between states are not worth ten PostgreSQL writes each.
        "checkpointer": {"durability": "exit"},
    }


def check_auth(settings: Settings, env: dict[str, str]) -> None:
    auth = settings.server.auth
    if not auth.enabled:
        if settings.server.host not in LOOPBACK:
            raise ServeError(f"server.auth.enabled is false: allowed only on loopback (127.0.0.1), not on "
                             f"{settings.server.host}: anyone reaching the port could ask about any member")
        print("WARNING: server.auth.enabled is false: no credentials are checked and each run names its member in "
              "its context. Development only; never expose this port.", file=sys.stderr)
        return
    jwt_secret = auth.jwt.secret_env and env.get(auth.jwt.secret_env)
    if not auth.api_keys and not jwt_secret:
        raise ServeError("no identities: add server.auth.api_keys (`pension-advisor api-key MEMBER_ID` makes one) "
                         "or set server.auth.jwt.secret_env and that variable; nobody could call the API")


def ensure_database(url: str) -> None:
    """Create the database named in ``url`` if it does not exist (Aegra migrates its tables at start)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name:
        raise ServeError(f"server.database_url names no database: {url}")
    admin = urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as db:
            if db.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
                try:
                    db.execute(f'CREATE DATABASE "{name}"')
                except (psycopg.errors.DuplicateDatabase, psycopg.errors.UniqueViolation):
                    pass  # another instance starting at the same moment created it first
    except psycopg.OperationalError as exc:
        raise ServeError(f"cannot reach PostgreSQL at {_redact(url)}: {str(exc).strip().splitlines()[0]}") from None


def command(settings: Settings, workdir: Path, config_file: Path | None = None) -> tuple[list[str], dict[str, str]]:
    """The uvicorn command line and environment that serve the graph."""
    server = settings.server
    workdir.mkdir(parents=True, exist_ok=True)
    aegra_json = workdir / "aegra.json"
    aegra_json.write_text(json.dumps(aegra_config(server.auth.enabled), indent=2))
    env = {**os.environ,
           "AEGRA_CONFIG": str(aegra_json),
           "DATABASE_URL": server.database_url,
           "REDIS_BROKER_ENABLED": "true" if server.redis_url else "false",
           "RUN_MIGRATIONS_ON_STARTUP": "false",  # migrate() runs them once, before the workers start
           "LANGSMITH_TRACING": "false", "LANGGRAPH_NO_VERSION_CHECK": "1"}
    if server.redis_url:
        env["REDIS_URL"] = server.redis_url
        # Deployments sharing one Redis keep to their own queue and channels (else they take each other's runs).
        prefix = redis_prefix(settings)
        env["WORKER_QUEUE_KEY"] = f"{prefix}jobs"
        env["REDIS_CHANNEL_PREFIX"] = f"{prefix}run:"
    if config_file:
        env["PENSION_ADVISOR_CONFIG"] = str(config_file.resolve())
    argv = [sys.executable, "-m", "uvicorn", "aegra_api.main:app", "--host", server.host, "--port", str(server.port),
            "--workers", str(server.workers), "--timeout-graceful-shutdown", str(GRACEFUL_SHUTDOWN_S),
            "--no-access-log"]
    return argv, env


def redis_prefix(settings: Settings) -> str:
    """server.redis_prefix, else one derived from the database (host, port and name): one deployment, one prefix."""
    if settings.server.redis_prefix:
        return settings.server.redis_prefix
    parts = urlsplit(settings.server.database_url)
    return f"pension-advisor:{parts.hostname or 'localhost'}:{parts.port or 5432}/{parts.path.lstrip('/')}:"


def migrate(env: dict[str, str]) -> None:
    """Bring the server's tables (Aegra's, then LangGraph's checkpointer and store) up to date once, before the
    workers start: several workers migrating a fresh database at the same moment collide on unique keys."""
    import subprocess

    done = subprocess.run([sys.executable, "-c", "from pension_advisor.server.serve import migrate_here; migrate_here()"],
                          env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise ServeError(f"migrating the server database failed: {last}")


def migrate_here() -> None:
    """In a process whose environment holds the server's DATABASE_URL (Aegra reads its settings at import)."""
    import asyncio

    from aegra_api.core.database import db_manager
    from aegra_api.core.migrations import run_migrations_if_needed

    import psycopg

    async def langgraph_tables() -> None:
        await db_manager.initialize()  # runs the checkpointer's and the store's setup()
        await db_manager.close()

    # Instances starting together on a fresh database take turns: Aegra's migrations are not safe to run twice at
    # once (one exits with "Online migration expected to match one row"). The lock ends with the connection.
    # Polled, not waited for: a session blocked in pg_advisory_lock holds a snapshot, and the migrations' CREATE
    # INDEX CONCURRENTLY waits for every older snapshot in the database - the two would wait on each other forever.
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as lock:
        deadline = time.monotonic() + MIGRATION_WAIT_S
        while not lock.execute("SELECT pg_try_advisory_lock(%s)", (MIGRATION_LOCK,)).fetchone()[0]:
            if time.monotonic() > deadline:
                raise SystemExit(f"another instance has been migrating the database for over {MIGRATION_WAIT_S}s")
            time.sleep(0.5)
        run_migrations_if_needed()
        asyncio.run(langgraph_tables())


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        parts = parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@"))
    return urlunsplit(parts)

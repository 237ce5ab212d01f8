"""Schemathesis fuzzes every operation in the server's OpenAPI description, authenticated: no 5xx.

On a server and database of its own: the seeded run then meets the same state every time (on the shared
server, earlier tests' threads and runs change what it reaches)."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest

from tests.fakes import free_port

from .conftest import PG_ADMIN, Server, headers

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
def fresh_api(server_env, tmp_path_factory):
    name = f"pa_test_{uuid.uuid4().hex[:10]}"
    env = {**server_env, "PENSION_ADVISOR__SERVER__PORT": str(free_port()),
           "PENSION_ADVISOR__SERVER__DATABASE_URL": f"postgresql://127.0.0.1:5432/{name}"}
    server = Server(env, tmp_path_factory.mktemp("fuzzed"))
    server.start()
    yield server
    server.stop()
    with psycopg.connect(PG_ADMIN, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_no_operation_answers_with_a_server_error(fresh_api, tmp_path):
    api = fresh_api
    schemathesis = Path(sys.executable).with_name("schemathesis")
    auth = headers("alice")["Authorization"]
    run = subprocess.run(
        [str(schemathesis), "run", f"{api.url}/openapi.json", "--header", f"Authorization: {auth}",
         "--checks", "not_a_server_error", "--phases", "examples,fuzzing", "--max-examples", "25",
         "--seed", "20261129", "--suppress-health-check", "filter_too_much", "--request-timeout", "10",
         "--no-color", "--report", "junit", "--report-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=900, cwd=tmp_path)
    summary = run.stdout[run.stdout.find("SUMMARY"):] if "SUMMARY" in run.stdout else run.stdout[-4000:]
    assert run.returncode == 0, f"schemathesis found failures:\n{run.stdout[-8000:]}\n{run.stderr[-2000:]}"
    assert "Tested: " in summary and "Server error" not in summary

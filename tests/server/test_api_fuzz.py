"""Schemathesis fuzzes every operation in the server's OpenAPI description, authenticated: no 5xx."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import headers

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


def test_no_operation_answers_with_a_server_error(api, tmp_path):
    schemathesis = Path(sys.executable).with_name("schemathesis")
    auth = headers("alice")["Authorization"]
    run = subprocess.run(
        [str(schemathesis), "run", f"{api.url}/openapi.json", "--header", f"Authorization: {auth}",
         "--checks", "not_a_server_error", "--phases", "examples,fuzzing", "--max-examples", "10",
         "--seed", "20261129", "--suppress-health-check", "filter_too_much", "--request-timeout", "10",
         "--no-color", "--report", "junit", "--report-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=900, cwd=tmp_path)
    summary = run.stdout[run.stdout.find("SUMMARY"):] if "SUMMARY" in run.stdout else run.stdout[-4000:]
    assert run.returncode == 0, f"schemathesis found failures:\n{run.stdout[-8000:]}\n{run.stderr[-2000:]}"
    assert "Tested: " in summary and "Server error" not in summary

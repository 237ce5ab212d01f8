"""Every bad input and bad configuration a user can give ends in one line that names the problem, exit code 2 and
no traceback (issue 18's table), checked in-process with typer's CliRunner."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from pension_advisor.cli import app


@pytest.fixture
def cli(tmp_path):
    base = {"PENSION_ADVISOR__MEMBERS__DB_PATH": str(tmp_path / "m.db"), "PENSION_ADVISOR__TRACING__ENABLED": "false",
            "PENSION_ADVISOR__LLM__PROVIDER": "none"}

    def invoke(*args, env=None):
        return CliRunner().invoke(app, list(args), env={**base, **(env or {})}, catch_exceptions=False)
    return invoke


def _config(tmp_path, name, content: bytes | None) -> str:
    path = tmp_path / name
    if content is None:
        path.mkdir()
    else:
        path.write_bytes(content)
    return str(path)


CASES = [
    # (what, args, env, files, the line's start)
    ("config file not UTF-8", ["ask", "-m", "AU-001", "pension?", "--config", "{latin1}"], {},
     "error: configuration: {latin1}: not UTF-8 text"),
    ("config path is a folder", ["ask", "-m", "AU-001", "pension?", "--config", "{folder}"], {},
     "error: configuration: config path is a directory, not a file: {folder}"),
    ("config value out of range", ["ask", "-m", "AU-001", "pension?", "--config", "{negative}"], {},
     "error: configuration: {negative}: judge.max_retries: Input should be greater than or equal to 0"),
    ("environment value malformed for a list key", ["ask", "-m", "AU-001", "pension?"],
     {"PENSION_ADVISOR__TOOLS__ENABLED": "[unclosed"},
     "error: configuration: environment override PENSION_ADVISOR__TOOLS__ENABLED: not a valid value"),
    ("scoring worker with its queue down", ["worker"],
     {"PENSION_ADVISOR__PRODUCTION_MONITORING__QUEUE__BACKEND": "redis",
      "PENSION_ADVISOR__PRODUCTION_MONITORING__QUEUE__REDIS_URL": "redis://127.0.0.1:9/0"},
     "error: the scoring queue (redis at redis://127.0.0.1:9/0) cannot be reached"),
    ("question that is not UTF-8", ["ask", "-m", "AU-001", "What is my \udcff preservation age?"], {},
     "error: the question holds bytes that are not UTF-8 text"),
    ("knowledge file broken", ["ask", "-m", "AU-001", "pension?"], {"PENSION_ADVISOR__KNOWLEDGE__DIR": "{kb}"},
     "error: {kb}/au.yaml: cannot read it: not YAML"),
    ("empty question", ["ask", "-m", "AU-001", "  "], {}, "error: the question is empty"),
    ("huge question", ["ask", "-m", "AU-001", "x" * 50_000], {},
     "error: the question is 50,000 characters; the limit is 4,000"),
    ("unknown member", ["ask", "-m", "ZZ-001", "pension?"], {}, "error: unknown member 'ZZ-001'"),
    ("unknown country", ["ask", "-m", "AU-001", "--country", "NZ", "pension?"], {}, "error: Invalid value for '--country': 'NZ' is not one of"),
]


@pytest.mark.parametrize("what, args, env, line", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_exit_2_no_traceback(cli, tmp_path, what, args, env, line):
    files = {"latin1": _config(tmp_path, "latin1.yaml", "llm:\n  model: caf\xe9\n".encode("latin-1")),
             "folder": _config(tmp_path, "folder", None),
             "negative": _config(tmp_path, "negative.yaml", b"judge:\n  max_retries: -1\n"),
             "kb": _config(tmp_path, "kb", None)}
    (tmp_path / "kb" / "au.yaml").write_text("country: AU\npassages: [unclosed\n")
    args = [a.format(**files) if "{" in a and "}" in a else a for a in args]
    env = {k: v.format(**files) for k, v in env.items()}
    result = cli(*args, env=env)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    err = result.stderr.strip()
    assert len(err.splitlines()) == 1 and err.startswith(line.format(**files)), err
    assert "Traceback" not in result.stdout + result.stderr


def test_a_year_named_experiment_is_accepted_from_the_environment(cli):
    result = cli("ask", "-m", "UK-003", "When do I reach State Pension age?",
                 env={"PENSION_ADVISOR__TRACING__EXPERIMENT": "2026"})
    assert result.exit_code == 0, result.stderr

"""`pension-advisor serve` refuses to start without identities or a reachable database, and says why."""

from __future__ import annotations

import json
import uuid

import psycopg
from typer.testing import CliRunner

from pension_advisor.cli import app
from pension_advisor.config import load_settings
from pension_advisor.server.serve import command, ensure_database

from .conftest import PG_ADMIN


def test_serve_without_identities_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("PENSION_ADVISOR__SERVER__AUTH__API_KEYS", raising=False)
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 2 and "no identities" in result.output and "Traceback" not in result.output


def test_serve_with_postgres_down_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("PENSION_ADVISOR__SERVER__AUTH__API_KEYS", f"[{{name: a, member_id: AU-001, key_sha256: \"{'0' * 64}\"}}]")
    monkeypatch.setenv("PENSION_ADVISOR__SERVER__DATABASE_URL", "postgresql://127.0.0.1:9/nowhere")
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 2 and "cannot reach PostgreSQL at postgresql://127.0.0.1:9/nowhere" in result.output


def test_the_database_is_created_once(tmp_path):
    name = f"pa_test_{uuid.uuid4().hex[:10]}"
    try:
        ensure_database(f"postgresql://127.0.0.1:5432/{name}")
        ensure_database(f"postgresql://127.0.0.1:5432/{name}")  # already there: nothing to do
        with psycopg.connect(PG_ADMIN) as db:
            assert db.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}"')


def test_the_server_config_names_our_graph_auth_and_routes_by_absolute_path(tmp_path):
    argv, env = command(load_settings(env={"PENSION_ADVISOR__SERVER__WORKERS": "3"}), tmp_path)
    config = json.loads((tmp_path / "aegra.json").read_text())
    assert env["AEGRA_CONFIG"] == str(tmp_path / "aegra.json")
    graph_file = config["graphs"]["pension_advisor"].split(":")[0]
    assert graph_file.startswith("/") and graph_file.endswith("pension_advisor/server/graph.py")
    assert config["auth"]["path"] == "pension_advisor.server.auth:auth"
    assert argv[argv.index("--workers") + 1] == "3" and "aegra_api.main:app" in argv


def test_aegra_engine_caches_prepared_statements_unless_behind_pgbouncer(monkeypatch):
    from aegra_api.core import database

    from pension_advisor.server.statements import cache_prepared_statements

    made = []
    monkeypatch.setattr(database, "create_async_engine", lambda url, **kwargs: made.append(kwargs))
    cache_prepared_statements()
    cache_prepared_statements()  # once only
    database.create_async_engine("postgresql+asyncpg://h/db", pool_pre_ping=True,
                                 connect_args={"prepared_statement_cache_size": 0})
    assert made == [{"pool_pre_ping": True, "connect_args": {}}]


def test_auth_off_is_refused_off_loopback(monkeypatch):
    monkeypatch.setenv("PENSION_ADVISOR__SERVER__AUTH__ENABLED", "false")
    monkeypatch.setenv("PENSION_ADVISOR__SERVER__HOST", "0.0.0.0")
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 2 and "allowed only on loopback" in result.output and "Traceback" not in result.output


def test_auth_off_on_loopback_warns_and_serves_without_the_auth_module(tmp_path, capsys):
    from pension_advisor.server.serve import check_auth

    settings = load_settings(env={"PENSION_ADVISOR__SERVER__AUTH__ENABLED": "false"})
    check_auth(settings, {})
    assert "WARNING: server.auth.enabled is false" in capsys.readouterr().err
    command(settings, tmp_path)
    assert "auth" not in json.loads((tmp_path / "aegra.json").read_text())
    command(load_settings(env={}), tmp_path)
    assert json.loads((tmp_path / "aegra.json").read_text())["auth"]["path"] == "pension_advisor.server.auth:auth"

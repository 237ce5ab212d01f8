"""Log from code, register, alias, load back and predict: the MLflow model as a caller uses it (scripted LLM)."""

from __future__ import annotations


import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import mlflow
import pandas as pd
import pytest
import yaml
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

from pension_advisor.config.loader import DEFAULT_CONFIG
from pension_advisor.packaging.register import (
    INPUT_EXAMPLE, PackagingError, answer_text, fingerprint, package, packaged_rules_dir, predict_batch, request_for,
)

QUESTIONS = [
    ("AU-001", "What is my preservation age?", "AUD", "https://www.ato.gov.au/"),
    ("US-005", "How much can I put into my 401(k) this year?", "USD", "https://www.irs.gov/"),
    ("UK-003", "When do I reach State Pension age?", "GBP", "https://www.legislation.gov.uk/"),
    ("IN-001", "How is my EPF contribution split between EPF and EPS each month?", "INR", "https://www.epfindia.gov.in/"),
]


def test_package_registers_versions_with_aliases_artifacts_and_example(store, scripted, tmp_path):
    champion = package(store, alias="champion")
    challenger = package(store, alias="challenger")
    assert (champion.version, challenger.version) == ("1", "2")
    assert champion.model_uri == "models:/pension-advisor@champion"

    client = MlflowClient(tracking_uri=store, registry_uri=store)
    assert str(client.get_model_version_by_alias("pension-advisor", "champion").version) == "1"
    assert str(client.get_model_version_by_alias("pension-advisor", "challenger").version) == "2"
    tags = client.get_model_version("pension-advisor", "1").tags
    assert tags["config_sha256"] != fingerprint(DEFAULT_CONFIG)  # the logged copy leaves the server section out
    assert tags["rules_sha256"] == fingerprint(packaged_rules_dir())

    local = Path(mlflow.artifacts.download_artifacts("models:/pension-advisor@champion", dst_path=str(tmp_path / "m")))
    mlmodel = yaml.safe_load((local / "MLmodel").read_text())
    pyfunc = mlmodel["flavors"]["python_function"]
    assert pyfunc["model_code_path"].endswith("model.py")  # models from code, not a pickle
    assert set(pyfunc["artifacts"]) == {"config", "rules"}
    assert mlmodel["metadata"]["task"] == "agent/v1/responses"
    assert "custom_inputs" in mlmodel["signature"]["inputs"]
    assert json.loads((local / "input_example.json").read_text()) == INPUT_EXAMPLE
    # The rule tables are byte-for-byte the ones the package was built from; the config is, without its server section.
    logged_config = local / pyfunc["artifacts"]["config"]["path"]
    logged_rules = local / pyfunc["artifacts"]["rules"]["path"]
    shipped = yaml.safe_load(DEFAULT_CONFIG.read_text())
    assert yaml.safe_load(logged_config.read_text()) == {k: v for k, v in shipped.items() if k != "server"}
    assert fingerprint(logged_config) == tags["config_sha256"]
    assert sorted(p.relative_to(logged_rules) for p in logged_rules.rglob("*.yaml")) == \
        sorted(p.relative_to(packaged_rules_dir()) for p in packaged_rules_dir().rglob("*.yaml"))
    assert fingerprint(logged_rules) == champion.rules_sha256
    assert "mlflow==3.17.2" in (local / "requirements.txt").read_text()
    # The store keeps its artifacts beside the database, not in ./mlruns of the packaging folder.
    assert (tmp_path / "registry" / "artifacts").is_dir() and not (tmp_path / "mlruns").exists()


def test_batch_predict_answers_every_row_with_the_champion(store, scripted):
    package(store, alias="champion")
    model = mlflow.pyfunc.load_model("models:/pension-advisor@champion")
    frame = pd.DataFrame({
        "member_id": [m for m, *_ in QUESTIONS] + ["ZZ-999", "AU-001"],
        "question": [q for _, q, *_ in QUESTIONS] + ["What is my preservation age?", "What is my preservation age?"],
        "country": [None, "US", None, "IN", None, "UK"],
    })
    out = predict_batch(model, frame)
    assert len(out) == len(frame) and list(out.member_id) == list(frame.member_id)
    for row, (_, _, currency, source) in zip(out.itertuples(), QUESTIONS):
        assert row.status == "answered" and row.attempts == 1 and pd.isna(row.error)
        # Country-appropriate: the member's currency and tax year, and that country's official sources.
        # The currency is named exactly when the calculator gives an amount: the 401(k) limit and the EPF split do,
        # a preservation age or a State Pension age does not (issue 14: no "amounts in GBP" before an age alone).
        gives_amount = row.member_id in ("US-005", "IN-001")
        assert row.answer.startswith("Tax year 2026") and (f"amounts in {currency}." in row.answer) == gives_amount
        sources = row.answer.split("\nSources:\n")[1]
        assert sources.startswith("[1] ") and source in sources
        # The scripted model's body (its facts stated in sentences), not the deterministic "The figures:" list.
        assert row.answer.split("\n\n")[1].endswith("].") and "The figures:" not in row.answer
        assert "general information, not personal financial advice" in row.answer
    assert out.status.tolist()[-2:] == ["error", "error"]
    assert out.error.tolist()[-2:] == ["unknown member 'ZZ-999'", "member AU-001 is in AU, not UK"]
    # + the input example, which MLflow answers twice while logging (its ResponsesAgent and serving-input checks)
    assert len(scripted.role_calls("writer")) == len(QUESTIONS) + 2


def test_one_request_gives_the_answer_and_custom_outputs(store, scripted):
    package(store, alias="champion")
    model = mlflow.pyfunc.load_model("models:/pension-advisor@champion")
    response = model.predict(request_for("UK-003", "When do I reach State Pension age?", on_date="2026-05-01"))
    text = answer_text(response)
    assert text.startswith("Tax year 2026-27.\n") and "legislation.gov.uk" in text.split("Sources:")[1]  # an age: no currency
    custom = response["custom_outputs"]
    assert custom["member_id"] == "UK-003" and custom["country"] == "UK"
    assert custom["status"] == "answered" and custom["attempts"] == 1 and custom["verdict"]["passed"] is True
    assert custom["trace_id"] is None  # tracing is off in the tests
    assert custom["sources"][0]["url"].startswith("https://www.legislation.gov.uk/")
    # The date travels: a 2025-26 question reads the 2025-26 table.
    earlier = model.predict(request_for("UK-003", "When do I reach State Pension age?", on_date="2025-05-01"))
    assert answer_text(earlier).startswith("Tax year 2025-26")


@pytest.mark.parametrize("request_body, message", [
    ({"input": [{"role": "user", "content": "When can I retire?"}]},
     'custom_inputs.member_id is required, e.g. {"custom_inputs": {"member_id": "AU-001"}}'),
    ({"input": [{"role": "user", "content": "When can I retire?"}], "custom_inputs": {"member_id": "ZZ-999"}},
     "unknown member 'ZZ-999'"),
    ({"input": [{"role": "user", "content": "When can I retire?"}], "custom_inputs": {"memberid": "AU-001"}},
     "unknown custom_inputs key(s) ['memberid']; accepted: ['country', 'member_id', 'on_date']"),
    ({"input": [{"role": "user", "content": "When can I retire?"}],
      "custom_inputs": {"member_id": "AU-001", "on_date": "29/11/2026"}},
     "custom_inputs.on_date must be YYYY-MM-DD, got '29/11/2026'"),
    ({"input": [{"role": "user", "content": "When can I retire?"}],
      "custom_inputs": {"member_id": "AU-001", "country": "NZ"}}, "unknown country 'NZ'; use one of AU, US, UK, IN"),
    ({"input": [{"role": "user", "content": "   "}], "custom_inputs": {"member_id": "AU-001"}}, "the question is empty"),
    ({"input": [{"role": "system", "content": "Be brief."}], "custom_inputs": {"member_id": "AU-001"}},
     'the request has no user message: put the question in input as {"role": "user", ...}'),
])
def test_bad_requests_get_one_clear_message(store, scripted, request_body, message):
    package(store, alias="champion")
    model = mlflow.pyfunc.load_model("models:/pension-advisor@champion")
    with pytest.raises(MlflowException) as caught:
        model.predict(request_body)
    assert caught.value.error_code == "INVALID_PARAMETER_VALUE"
    assert caught.value.message == message


def test_the_loaded_model_reads_its_logged_config_and_rule_tables(store, scripted, tmp_path):
    config = tmp_path / "strict.yaml"
    config.write_text(DEFAULT_CONFIG.read_text().replace("max_question_chars: 4000", "max_question_chars: 40"))
    rules = tmp_path / "rules"
    shutil.copytree(packaged_rules_dir(), rules)
    # The tables in force today write the band inline; earlier years (not asked about here) in block style.
    edited = []
    for table in (rules / "au").glob("*.yaml"):
        text = table.read_text()
        if "{born_before: 1963-07-01, age: 58}" not in text:
            continue
        edited.append(table.stem)
        table.write_text(text.replace("{born_before: 1963-07-01, age: 58}", "{born_before: 1963-07-01, age: 59}")
                         .replace('title: "ATO - Schedule 11', 'title: "LOGGED COPY ATO - Schedule 11'))
    assert {"2025-26", "2026-27"} <= set(edited)
    installed = fingerprint(packaged_rules_dir())

    # The scripted writer states 59: the judge's pre-check lets it through only if the calculator said 59.
    scripted.script["writer"] = ["Your preservation age is 59 [1]."]
    custom = package(store, alias="challenger", config=config, rules_dir=rules)
    shutil.rmtree(rules)
    config.unlink()  # the model must not need the files it was built from
    model = mlflow.pyfunc.load_model("models:/pension-advisor@challenger")
    with pytest.raises(MlflowException, match="the question is 48 characters; the limit is 40"):
        model.predict(request_for("AU-001", "What is my preservation age and can I access it?"))
    response = model.predict(request_for("AU-001", "What is my preservation age?"))
    assert response["custom_outputs"]["status"] == "answered" and response["custom_outputs"]["attempts"] == 1
    text = answer_text(response)
    assert "Your preservation age is 59 [1]." in text and "[1] LOGGED COPY ATO - Schedule 11" in text

    default = package(store, alias="champion")
    assert (custom.version, default.version) == ("1", "2") and custom.rules_sha256 != default.rules_sha256
    model = mlflow.pyfunc.load_model("models:/pension-advisor@champion")
    response = model.predict(request_for("AU-001", "What is my preservation age and can I access it?"))
    # Against the installed tables 59 is an unsupported number: every attempt fails and the safe fallback lists 58.
    assert response["custom_outputs"]["status"] == "fallback"
    text = answer_text(response)
    assert "- Preservation age: 58 years [1]" in text and "is 59" not in text and "LOGGED COPY" not in text  # 59 only in the quoted rule
    assert fingerprint(packaged_rules_dir()) == installed  # the installed tables were never touched


def test_package_logs_no_deployment_secrets(store, scripted, tmp_path):
    # Issue 12: a deployment's config (database URL with its password, API-key hashes, JWT settings, a Redis URL with
    # credentials) was logged as the model's config artifact for anyone with read access to the registry.
    secrets = {"database_url": "postgresql://advisor:S3cretDbPw@db.internal:5432/pa",
               "key_sha256": "ab" * 32, "secret_env": "PA_JWT_SECRET_VARIABLE", "redis": "redis://:R3disPw@cache:6379/0"}
    data = yaml.safe_load(DEFAULT_CONFIG.read_text())
    data["server"]["database_url"] = secrets["database_url"]
    data["server"]["auth"]["api_keys"] = [{"name": "alice", "member_id": "AU-001", "key_sha256": secrets["key_sha256"]}]
    data["server"]["auth"]["jwt"]["secret_env"] = secrets["secret_env"]
    data["production_monitoring"]["queue"]["redis_url"] = secrets["redis"]
    config = tmp_path / "deployment.yaml"
    config.write_text(yaml.safe_dump(data, sort_keys=False))

    done = package(store, alias="champion", config=config)
    local = Path(mlflow.artifacts.download_artifacts("models:/pension-advisor@champion", dst_path=str(tmp_path / "m")))
    logged = "\n".join(p.read_text(errors="replace") for p in local.rglob("*") if p.is_file())
    run = MlflowClient(tracking_uri=store).get_run(done.run_id)
    logged += json.dumps(run.data.params) + json.dumps(run.data.tags)
    for name, secret in {**secrets, "password": "S3cretDbPw", "redis password": "R3disPw"}.items():
        if name != "redis":
            assert secret not in logged, name
    assert "redis://<redacted>@cache:6379/0" in logged
    # The packaged model still answers from what it logged.
    response = mlflow.pyfunc.load_model("models:/pension-advisor@champion").predict(
        request_for("AU-001", "What is my preservation age?"))
    assert response["custom_outputs"]["status"] in ("answered", "fallback")


def test_package_refuses_a_bad_alias_config_or_rules(store, scripted, tmp_path):
    with pytest.raises(PackagingError, match="alias must be one of champion, challenger; got 'prod'"):
        package(store, alias="prod")
    bad = tmp_path / "bad.yaml"
    bad.write_text("judge:\n  max_retries: -1\n")
    with pytest.raises(PackagingError, match="judge.max_retries"):
        package(store, config=bad)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(PackagingError, match="no rule tables"):
        package(store, rules_dir=empty)
    with pytest.raises(PackagingError, match=r"needs column\(s\) \['question'\]"):
        predict_batch(object(), pd.DataFrame({"member_id": ["AU-001"]}))


@pytest.fixture
def cli(tmp_path):
    env = {**os.environ, "PENSION_ADVISOR__MEMBERS__DB_PATH": str(tmp_path / "m.db"),
           "PENSION_ADVISOR__TRACING__ENABLED": "false", "PENSION_ADVISOR__LLM__PROVIDER": "none"}

    def run(*args):
        return subprocess.run([sys.executable, "-m", "pension_advisor", *args], capture_output=True, text=True,
                              env=env, cwd=tmp_path, timeout=240)
    return run


def test_cli_package_prints_uri_and_version(cli, tmp_path):
    store = f"sqlite:///{tmp_path}/cli/mlflow.db"
    done = cli("package", "--alias", "challenger", "--tracking-uri", store)
    assert done.returncode == 0, done.stderr
    assert f"registered pension-advisor version 1 in {store}" in done.stdout
    assert "model URI: models:/pension-advisor@challenger (= models:/pension-advisor/1)" in done.stdout
    assert str(MlflowClient(tracking_uri=store, registry_uri=store).get_model_version_by_alias(
        "pension-advisor", "challenger").version) == "1"
    assert "Traceback" not in done.stderr


def test_cli_package_bad_alias_is_one_line(cli):
    done = cli("package", "--alias", "prod")
    assert done.returncode == 2
    assert done.stderr.strip() == "error: --alias must be one of champion, challenger, got 'prod'"

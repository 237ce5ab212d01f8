"""Log the advisor as an MLflow model (from code), register a version, point @champion / @challenger at it, and
answer a DataFrame of questions with a loaded version.

    from pension_advisor.packaging.register import package, predict_batch
    done = package(tracking_uri="sqlite:///var/mlflow.db", alias="champion")
    answers = predict_batch(done.model_uri, pandas.DataFrame({"member_id": [...], "question": [...]}))
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

MODEL_NAME = "pension-advisor"
ALIASES = ("champion", "challenger")
MODEL_FILE = Path(__file__).with_name("model.py")
# What MLflow shows as the model's input example, and what it answers once while the model is logged.
INPUT_EXAMPLE = {
    "input": [{"role": "user", "content": "When do I reach State Pension age?"}],
    "custom_inputs": {"member_id": "UK-003"},
}
# While logging, MLflow loads the model and answers INPUT_EXAMPLE in this process. That check runs with the LLM
# off (the deterministic path: guardrails, calculators, pre-check judge) and tracing off, so packaging needs no
# model endpoint, starts no embedded model and writes no trace. The logged config file is not changed by this.
_PACKAGING_ENV = {"PENSION_ADVISOR__LLM__PROVIDER": "none", "PENSION_ADVISOR__TRACING__ENABLED": "false",
                  "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false"}


class PackagingError(Exception):
    """Packaging could not go ahead; the message says what to fix."""


@dataclass(frozen=True)
class Packaged:
    name: str
    version: str
    alias: str | None
    run_id: str
    model_id: str | None
    config_sha256: str
    rules_sha256: str

    @property
    def version_uri(self) -> str:
        return f"models:/{self.name}/{self.version}"

    @property
    def model_uri(self) -> str:
        return f"models:/{self.name}@{self.alias}" if self.alias else self.version_uri


def packaged_rules_dir() -> Path:
    """The rule tables installed with the package (not whatever folder a loaded model pinned)."""
    import pension_advisor.tools.tables as tables

    return Path(tables.__file__).with_name("rules")


def config_file(path: str | Path | None = None) -> Path:
    """The config file to log: ``path``, else $PENSION_ADVISOR_CONFIG, else the packaged config.yaml."""
    from pension_advisor.config.loader import CONFIG_ENV, DEFAULT_CONFIG

    return Path(path or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG)


def fingerprint(path: Path) -> str:
    """sha256 of a file, or of a folder's YAML files (relative names and bytes, in sorted order)."""
    digest = hashlib.sha256()
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*.yaml") if p.is_file())
    for file in files:
        if path.is_dir():
            digest.update(file.relative_to(path).as_posix().encode() + b"\0")
        digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()


# Deployment internals that are no part of the model: where the API server keeps threads, its Redis, the members'
# API-key hashes and the JWT settings. The logged config leaves the whole section out.
DEPLOYMENT_SECTIONS = ("server",)
_URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/@\s]+@", re.IGNORECASE)


def redacted_config(config: Path, folder: Path) -> Path:
    """A copy of ``config`` fit to log as a model artifact: the deployment sections are left out and any URL's
    user:password is removed (e.g. a Redis URL for the scoring queue). Written to ``folder`` under the same name."""
    import yaml

    data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    for section in DEPLOYMENT_SECTIONS:
        data.pop(section, None)

    def scrub(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: scrub(v) for k, v in value.items()}
        if isinstance(value, list):
            return [scrub(v) for v in value]
        return _URL_CREDENTIALS.sub(r"\g<scheme><redacted>@", value) if isinstance(value, str) else value

    out = folder / config.name
    out.write_text(f"# {config.name} as packaged: the {', '.join(DEPLOYMENT_SECTIONS)} section and URL credentials "
                   "are left out.\n" + yaml.safe_dump(scrub(data), sort_keys=False), encoding="utf-8")
    return out


def pip_requirements() -> list[str]:
    """The pinned runtime dependencies of the installed pension-advisor (the package itself is not on an index)."""
    requires = importlib.metadata.requires("pension-advisor") or []
    return [r for r in requires if "extra ==" not in r]


def check_inputs(config: Path, rules_dir: Path):
    """Validate the config file and every rule table before anything is logged; returns the settings."""
    import yaml

    from pension_advisor.config import ConfigError, load_settings
    from pension_advisor.tools.tables import RuleTable

    try:
        settings = load_settings(config, env={})
    except ConfigError as exc:
        raise PackagingError(f"configuration: {exc}") from None
    tables = sorted(rules_dir.glob("*/*.yaml")) if rules_dir.is_dir() else []
    if not tables:
        raise PackagingError(f"no rule tables (<country>/<tax year>.yaml) under {rules_dir}")
    for table in tables:
        try:
            RuleTable.model_validate(yaml.safe_load(table.read_text()))
        except Exception as exc:
            raise PackagingError(f"rule table {table}: {str(exc).splitlines()[0]}") from None
    return settings


def log_advisor_model(tracking_uri: str, config: str | Path | None = None, rules_dir: str | Path | None = None,
                      name: str = MODEL_NAME, experiment: str | None = None) -> Packaged:
    """Log the advisor from code with its config and rule tables as artifacts, and register a new version."""
    import mlflow
    from mlflow import MlflowClient

    config = config_file(config).resolve()
    rules_dir = Path(rules_dir or packaged_rules_dir()).resolve()
    if not config.is_file():
        raise PackagingError(f"config file not found: {config}")
    settings = check_inputs(config, rules_dir)
    staging = Path(tempfile.mkdtemp(prefix="pension-advisor-package-"))
    config = redacted_config(config, staging)
    hashes = {"config_sha256": fingerprint(config), "rules_sha256": fingerprint(rules_dir)}
    version = importlib.metadata.version("pension-advisor")
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_experiment(experiment_id=_experiment(tracking_uri, experiment or settings.tracing.experiment))
    try:
        with _packaging_process(), mlflow.start_run(run_name=f"package {name}") as run:
            mlflow.log_params({"pension_advisor_version": version, "config_file": config.name, **hashes})
            info = mlflow.pyfunc.log_model(
                name=name,
                python_model=str(MODEL_FILE),
                artifacts={"config": str(config), "rules": str(rules_dir)},
                input_example=INPUT_EXAMPLE,
                pip_requirements=pip_requirements(),
                metadata={"pension_advisor_version": version, **hashes},
                registered_model_name=name,
            )
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    registered = info.registered_model_version
    if registered is None:
        raise PackagingError(f"the model was logged but not registered as '{name}' in {tracking_uri}")
    client = MlflowClient(tracking_uri=tracking_uri, registry_uri=mlflow.get_registry_uri())
    for key, value in {"pension_advisor_version": version, **hashes}.items():
        client.set_model_version_tag(name, str(registered), key, value)
    return Packaged(name=name, version=str(registered), alias=None, run_id=run.info.run_id,
                    model_id=getattr(info, "model_id", None), **hashes)


def set_alias(name: str, alias: str, version: str | int, tracking_uri: str | None = None) -> None:
    """Point ``models:/<name>@<alias>`` at ``version`` (champion = what serves, challenger = what is tried next)."""
    import mlflow
    from mlflow import MlflowClient

    if alias not in ALIASES:
        raise PackagingError(f"alias must be one of {', '.join(ALIASES)}; got '{alias}'")
    uri = tracking_uri or mlflow.get_tracking_uri()
    MlflowClient(tracking_uri=uri, registry_uri=mlflow.get_registry_uri()).set_registered_model_alias(
        name, alias, str(version))


def package(tracking_uri: str, alias: str = "champion", config: str | Path | None = None,
            rules_dir: str | Path | None = None, name: str = MODEL_NAME, experiment: str | None = None) -> Packaged:
    """Log + register a new version and set ``alias`` on it."""
    if alias not in ALIASES:
        raise PackagingError(f"alias must be one of {', '.join(ALIASES)}; got '{alias}'")
    done = log_advisor_model(tracking_uri, config=config, rules_dir=rules_dir, name=name, experiment=experiment)
    set_alias(name, alias, done.version, tracking_uri)
    return Packaged(**{**done.__dict__, "alias": alias})


def request_for(member_id: str, question: str, country: str | None = None, on_date: Any = None) -> dict[str, Any]:
    """A ResponsesAgent request for one question (the shape POST /invocations takes)."""
    custom: dict[str, Any] = {"member_id": member_id}
    if not _missing(country):
        custom["country"] = str(country)
    if not _missing(on_date):
        custom["on_date"] = on_date.isoformat()[:10] if hasattr(on_date, "isoformat") else str(on_date)
    return {"input": [{"role": "user", "content": question}], "custom_inputs": custom}


def answer_text(response: dict[str, Any]) -> str:
    """The assistant text of a ResponsesAgent response (dict form, as predict and /invocations return it)."""
    parts = []
    for item in response.get("output") or []:
        for content in item.get("content") or []:
            if content.get("type") == "output_text":
                parts.append(content.get("text", ""))
    return "\n".join(parts)


def predict_batch(model, frame) -> "Any":
    """Answer every row of ``frame`` (member_id, question[, country, on_date]) with a loaded model or a model URI.

    Returns the rows with answer, status, attempts, trace_id and error columns, one row per question. A row the
    model refuses (unknown member, bad date...) gets its message in ``error`` and the other rows are still answered.
    """
    import mlflow
    import pandas as pd
    from mlflow.exceptions import MlflowException

    missing = {"member_id", "question"} - set(frame.columns)
    if missing:
        raise PackagingError(f"the DataFrame needs column(s) {sorted(missing)}; it has {list(frame.columns)}")
    if isinstance(model, (str, Path)):
        model = mlflow.pyfunc.load_model(str(model))
    results = []
    for row in frame.to_dict(orient="records"):
        request = request_for(row["member_id"], row["question"], row.get("country"), row.get("on_date"))
        try:
            response = model.predict(request)
        except MlflowException as exc:
            results.append({"answer": None, "status": "error", "attempts": 0, "trace_id": None,
                            "error": _reason(exc.message)})
            continue
        custom = response.get("custom_outputs") or {}
        results.append({"answer": answer_text(response), "status": custom.get("status"),
                        "attempts": custom.get("attempts"), "trace_id": custom.get("trace_id"), "error": None})
    return pd.concat([frame.reset_index(drop=True), pd.DataFrame(results, index=range(len(results)))], axis=1)


def _reason(message: str) -> str:
    # The scoring path prefixes "Failed to predict data '<request>'. \nError: "; keep the model's own words.
    return message.rsplit("Error: ", 1)[-1].strip() if "Failed to predict data" in message else message.strip()


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _experiment(tracking_uri: str, name: str) -> str:
    """The experiment's id, creating it if needed; a new one in a SQLite store keeps its artifacts beside the database
    (``<db folder>/artifacts``) instead of ``./mlruns`` under whatever folder packaging ran in."""
    from mlflow import MlflowClient

    location = None
    if tracking_uri.startswith("sqlite:///"):
        db = Path(tracking_uri.removeprefix("sqlite:///")).expanduser().resolve()
        db.parent.mkdir(parents=True, exist_ok=True)
        location = (db.parent / "artifacts").as_uri()
    client = MlflowClient(tracking_uri=tracking_uri)
    found = client.get_experiment_by_name(name)
    return found.experiment_id if found else client.create_experiment(name, artifact_location=location)


@contextmanager
def _packaging_process() -> Iterator[None]:
    """Environment for the answer MLflow asks for while logging; puts back the variables and rule folder after."""
    import mlflow

    from pension_advisor.tools import tables

    saved = {k: os.environ.get(k) for k in _PACKAGING_ENV}
    rules, uri = tables.RULES_DIR, mlflow.get_tracking_uri()
    os.environ.update(_PACKAGING_ENV)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        tables.use_rules_dir(rules)
        mlflow.set_tracking_uri(uri)

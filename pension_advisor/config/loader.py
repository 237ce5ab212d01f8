"""Load config.yaml, apply environment overrides, validate, and report errors by key path."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

import yaml
from pydantic import ValidationError

from .schema import Settings

DEFAULT_CONFIG = Path(__file__).with_name("config.yaml")
ENV_PREFIX = "PENSION_ADVISOR__"  # PENSION_ADVISOR__JUDGE__MAX_RETRIES=3 sets judge.max_retries
CONFIG_ENV = "PENSION_ADVISOR_CONFIG"


class ConfigError(Exception):
    """A configuration problem, phrased for the person who has to fix it."""


def load_settings(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    path = Path(path or env.get(CONFIG_ENV) or DEFAULT_CONFIG)
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of sections")
    for key, value in env.items():
        if key.startswith(ENV_PREFIX):
            _set_path(data, key[len(ENV_PREFIX):].lower().split("__"), yaml.safe_load(value))
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{path}: " + "; ".join(_describe(e) for e in exc.errors())) from None


def _set_path(data: dict[str, Any], keys: list[str], value: Any) -> None:
    for key in keys[:-1]:
        node = data.setdefault(key, {})
        if not isinstance(node, dict):
            raise ConfigError(f"environment override: {'.'.join(keys)} goes below a non-section key '{key}'")
        data = node
    data[keys[-1]] = value


def _describe(error: dict[str, Any]) -> str:
    where = ".".join(str(p) for p in error["loc"]) or "(top level)"
    if error["type"] == "extra_forbidden":
        return f"{where}: unknown key"
    return f"{where}: {error['msg']}"

"""Load config.yaml, apply environment overrides, validate, and report errors by key path."""

from __future__ import annotations

import os
import types
import typing
from pathlib import Path
from typing import Any, Literal, Mapping

import yaml
from pydantic import BaseModel, ValidationError

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
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except IsADirectoryError:
        raise ConfigError(f"config path is a directory, not a file: {path}") from None
    except PermissionError:
        raise ConfigError(f"config file cannot be read (permission denied): {path}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {_one_line(exc)}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of sections")
    for key, value in sorted(env.items()):
        if key.startswith(ENV_PREFIX):
            keys = key[len(ENV_PREFIX):].lower().split("__")
            _set_path(data, keys, _env_value(key, keys, value))
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{path}: " + "; ".join(_describe(e) for e in exc.errors())) from None


def _env_value(name: str, keys: list[str], raw: str) -> Any:
    """An environment value typed by the schema field it sets: a text field takes the text as it is
    ("2026" stays a string, "{x" is a model name); any other field reads it as YAML (numbers, booleans, lists)."""
    annotation = _field_annotation(keys)
    if _is_text(annotation):
        # An empty value unsets an optional text field (as YAML's empty value always did).
        return None if raw == "" and type(None) in typing.get_args(annotation) else raw
    try:
        return yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise ConfigError(f"environment override {name}: not a valid value ({_one_line(exc)})") from None


def _field_annotation(keys: list[str]) -> Any:
    """The annotation of the schema field at ``keys`` (None for an unknown path: validation reports it)."""
    model: Any = Settings
    annotation = None
    for key in keys:
        if not (isinstance(model, type) and issubclass(model, BaseModel)) or key not in model.model_fields:
            return None
        annotation = model.model_fields[key].annotation
        model = annotation
    return annotation


def _is_text(annotation: Any) -> bool:
    options = typing.get_args(annotation) if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union else (annotation,)
    options = [o for o in options if o is not type(None)]
    return bool(options) and all(o in (str, Path) or (typing.get_origin(o) is Literal and all(isinstance(v, str) for v in typing.get_args(o)))
                                 for o in options)


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


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

"""MLflow tracing set-up: autologging of the whole LangGraph span tree into the configured store."""

from __future__ import annotations

import os
from pathlib import Path

from .config.schema import Tracing

_configured: str | None = None


def setup_tracing(cfg: Tracing) -> bool:
    """Turn on MLflow autologging once per process; returns whether tracing is on."""
    global _configured
    if not cfg.enabled:
        return False
    if _configured == cfg.tracking_uri:
        return True
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    if cfg.tracking_uri.startswith("sqlite:///"):
        Path(cfg.tracking_uri.removeprefix("sqlite:///")).expanduser().parent.mkdir(parents=True, exist_ok=True)
    import mlflow

    mlflow.set_tracking_uri(cfg.tracking_uri)
    mlflow.set_experiment(cfg.experiment)
    mlflow.langchain.autolog(silent=True)
    _configured = cfg.tracking_uri
    return True


def last_trace_id() -> str | None:
    import mlflow

    return mlflow.get_last_active_trace_id()

"""Opening the MLflow tracking store for tracing: first use of a SQLite store made safe, and loud failures.

A fresh SQLite store is created by MLflow on first use: ~40 tables and a chain of schema migrations, each
committed on its own. A process killed in the middle (or three CLIs starting at once on a fresh var/) left a
half-migrated file that every later run failed to open. Here the first use of a SQLite store happens under a
file lock beside it (`<store>.lock`), and a missing store is built in a temporary file that is renamed into
place once MLflow has finished with it: a kill leaves only a temporary file, which the next run discards.

A local store that exists but cannot be opened is an error naming its path (StoreError), never a silent
"tracing off". A tracking server that does not answer is a different matter: it is another machine that may come
back, and the other sinks (OTLP) carry on without it (StoreUnreachable, handled by tracing.setup_tracing).
"""

from __future__ import annotations

import glob
import os
import sqlite3
from contextlib import closing
from pathlib import Path

LOCK_TIMEOUT_S = 300.0  # a first use takes seconds; waiting longer means another process hangs holding the lock


class StoreError(RuntimeError):
    """The configured MLflow store cannot be opened (one line, naming it; the CLI prints it and exits 2)."""


class StoreUnreachable(RuntimeError):
    """A tracking server did not answer."""


def sqlite_path(tracking_uri: str) -> Path | None:
    """The file of a `sqlite:///` tracking URI, else None."""
    if not tracking_uri.startswith("sqlite:///"):
        return None
    return Path(tracking_uri.removeprefix("sqlite:///")).expanduser()


def open_store(tracking_uri: str, experiment: str, probe_timeout_s: float) -> None:
    """Make `tracking_uri` MLflow's tracking store and `experiment` the active experiment, creating both if new."""
    import mlflow

    path = sqlite_path(tracking_uri)
    if path is None:
        if tracking_uri.startswith(("http://", "https://")):
            _probe(tracking_uri, probe_timeout_s)
        mlflow.set_tracking_uri(tracking_uri)
        try:
            mlflow.set_experiment(experiment)
        except Exception as exc:
            if tracking_uri.startswith(("http://", "https://")):
                raise StoreUnreachable(f"{type(exc).__name__}: {exc}") from exc
            raise StoreError(f"the MLflow store {tracking_uri} cannot be opened: {_first_line(exc)}") from None
        return
    from filelock import FileLock, Timeout

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(path) + ".lock", timeout=LOCK_TIMEOUT_S)
        with lock:
            if not path.exists():
                _create(path)
            mlflow.set_tracking_uri(tracking_uri)
            mlflow.set_experiment(experiment)
    except Timeout:
        raise StoreError(f"the MLflow store {path} is locked by another process ({path}.lock) for over "
                         f"{LOCK_TIMEOUT_S:.0f}s") from None
    except StoreError:
        raise
    except Exception as exc:
        raise StoreError(f"the MLflow store {path} cannot be opened ({_first_line(exc)}); move it aside to start "
                         f"a new one, or upgrade it with: mlflow db upgrade sqlite:///{path}") from None


def _create(path: Path) -> None:
    """A new SQLite store, built under a temporary name and renamed into place when complete (with the lock held)."""
    from mlflow import MlflowClient

    for stale in glob.glob(glob.escape(str(path)) + ".creating-*"):  # left by a process killed while creating
        os.unlink(stale)
    temporary = Path(f"{path}.creating-{os.getpid()}")
    # Any call opens the store, which creates MLflow's tables and runs every migration.
    MlflowClient(f"sqlite:///{temporary}").search_experiments(max_results=1)
    # Write-ahead logging (kept in the file): MLflow commits every span batch and every assessment on its own,
    # and in SQLite's default rollback journal each commit is several fsyncs while readers block writers.
    with closing(sqlite3.connect(temporary)) as db:
        db.execute("PRAGMA journal_mode=WAL")
    os.replace(temporary, path)


def _probe(uri: str, timeout_s: float) -> None:
    import urllib.request

    try:
        with urllib.request.urlopen(uri.rstrip("/") + "/health", timeout=timeout_s) as response:
            response.read()
    except Exception as exc:
        raise StoreUnreachable(f"{type(exc).__name__}: {exc}") from exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")

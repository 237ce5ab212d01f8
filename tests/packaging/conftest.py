"""Packaging fixtures: a private MLflow tracking/registry store, and the logged model's advisor on a scripted LLM."""

from __future__ import annotations

import mlflow
import pytest

import pension_advisor.tools.tables as rules_module
from pension_advisor.packaging import agent
from pension_advisor.services import Services

from ..conftest import PASS_VERDICT
from ..fakes import ScriptedChatModel, good_writer


@pytest.fixture
def store(tmp_path, monkeypatch):
    """sqlite tracking + registry store in a temp dir; the test runs in tmp_path so nothing lands in the repo."""
    monkeypatch.chdir(tmp_path)
    previous_uri, previous_rules = mlflow.get_tracking_uri(), rules_module.RULES_DIR
    yield f"sqlite:///{tmp_path}/registry/mlflow.db"
    mlflow.set_tracking_uri(previous_uri)
    # Loading a model pins the calculators to its logged rule tables; give the rest of the suite the installed ones.
    rules_module.use_rules_dir(previous_rules)


@pytest.fixture
def scripted(monkeypatch, settings_env):
    """Models loaded in this process build their advisor on a ScriptedChatModel (and a private member store)."""
    for key, value in settings_env.items():
        monkeypatch.setenv(key, value)
    fake = ScriptedChatModel(script={"writer": [good_writer], "reviewer": [PASS_VERDICT]})
    monkeypatch.setattr(agent, "make_services", lambda settings: Services(settings, model_factory=lambda: fake))
    return fake

"""The server process's one set of services, shared by the graph, the auth handlers and the extra routes."""

from __future__ import annotations

from functools import cache

from pension_advisor.config import load_settings
from pension_advisor.services import Services


@cache
def services() -> Services:
    return Services(load_settings())  # PENSION_ADVISOR_CONFIG names the config file, as everywhere

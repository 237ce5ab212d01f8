"""Prepared statements for Aegra's own bookkeeping queries (runs, threads), unless PostgreSQL sits behind PgBouncer.

Aegra 0.11 creates its SQLAlchemy engine with asyncpg's statement cache turned off (`prepared_statement_cache_size=0`,
for PgBouncer's transaction pooling), so each of its ~15 queries per run is prepared and closed again: 9 % of a
server worker's Python time under bench/load.py. `pension-advisor serve` talks to PostgreSQL directly unless
`server.pgbouncer` says otherwise, so it gives the engine asyncpg's default cache (100 statements per connection).
Installed from routes.py, which Aegra imports before its lifespan creates the engine.
"""

from __future__ import annotations

from typing import Any


def cache_prepared_statements() -> None:
    from aegra_api.core import database

    create = database.create_async_engine
    if getattr(create, "caches_statements", False):
        return

    def create_async_engine(url: Any, **kwargs: Any) -> Any:
        connect_args = {k: v for k, v in (kwargs.pop("connect_args", None) or {}).items()
                        if k != "prepared_statement_cache_size"}
        return create(url, connect_args=connect_args, **kwargs)

    create_async_engine.caches_statements = True
    database.create_async_engine = create_async_engine

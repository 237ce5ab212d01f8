"""Extra routes on the API server (Aegra's `http.app`): readiness, and a graceful shutdown that flushes traces.

Aegra's own `/health` checks PostgreSQL, the checkpointer and the store; `/ready` adds what a question needs
of this app: the member records and the scoring queue. Neither needs credentials.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError

from pension_advisor.observability.tracing import flush

from pension_advisor.server.history import HistoryMetadataFilter
from pension_advisor.server.runtime import services
from pension_advisor.server.statements import cache_prepared_statements

log = logging.getLogger(__name__)

if not services().settings.server.pgbouncer:
    cache_prepared_statements()


@asynccontextmanager
async def lifespan(_app: FastAPI):
    # The graph's nodes are synchronous (they call the LLM and wait): the server runs each in its event loop's
    # default thread pool, which is min(32, cores + 4) threads unless sized for the questions in flight.
    asyncio.get_running_loop().set_default_executor(
        ThreadPoolExecutor(max_workers=services().settings.server.graph_threads, thread_name_prefix="graph"))
    yield
    # Uvicorn has stopped taking requests and finished the running ones: push queued spans and scoring jobs out.
    log.info("shutting down: flushing traces and scoring jobs")
    await asyncio.to_thread(flush)


app = FastAPI(lifespan=lifespan)
app.add_middleware(HistoryMetadataFilter)  # Aegra's history route fails on a `metadata` filter (history.py)

# Aegra raises these for bad request values it checks by hand; its catch-all would answer 500.
_BAD_INPUT_FROM = {"aegra_api.utils.status_compat"}


@app.exception_handler(ValueError)
async def bad_request_value(_request: Request, exc: ValueError) -> JSONResponse:
    if _raised_in(exc, _BAD_INPUT_FROM):
        return JSONResponse({"error": "unprocessable_entity", "message": str(exc), "details": None}, status_code=422)
    log.error("unexpected error", exc_info=exc)
    return JSONResponse({"error": "internal_error", "message": "An unexpected error occurred", "details": None},
                        status_code=500)


@app.exception_handler(DBAPIError)
async def bad_database_value(_request: Request, exc: DBAPIError) -> JSONResponse:
    # A request value PostgreSQL cannot take (an offset past int64, a NUL in a string: SQLSTATE class 22,
    # "data exception") is the caller's error, not ours.
    if _caused_by(exc, "UniqueViolationError"):
        # e.g. an assistant updated to the graph and config of another of the caller's assistants.
        return JSONResponse({"error": "conflict", "details": None,
                             "message": "this would duplicate something that already exists"}, status_code=409)
    if _caused_by(exc, "DataError"):
        return JSONResponse({"error": "unprocessable_entity", "details": None,
                             "message": "a value in the request is out of range or malformed for the database"},
                            status_code=422)
    log.error("database error", exc_info=exc)
    return JSONResponse({"error": "internal_error", "message": "An unexpected error occurred", "details": None},
                        status_code=500)


def _caused_by(exc: BaseException | None, class_name: str) -> bool:
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if any(class_name in {c.__name__ for c in type(e).__mro__} for e in (exc, getattr(exc, "orig", None))):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _raised_in(exc: BaseException, modules: set[str]) -> bool:
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_globals.get("__name__") in modules:
            return True
        tb = tb.tb_next
    return False


@app.get("/ready", tags=["Health"])
async def ready() -> JSONResponse:
    checks = await asyncio.to_thread(_checks)
    ok = all(v == "ok" for v in checks.values())
    return JSONResponse({"status": "ready" if ok else "not ready", "checks": checks}, status_code=200 if ok else 503)


def _checks() -> dict[str, str]:
    svc = services()
    checks = {}
    try:
        checks["members"] = "ok" if svc.members.all() else "no member records"
    except Exception as exc:  # reported, not raised: readiness says what is wrong
        checks["members"] = f"error: {exc}"
    try:
        svc.scoring_queue.huey.pending_count()  # reaches the queue's storage (SQLite file or Redis)
        checks["scoring_queue"] = "ok"
    except Exception as exc:
        checks["scoring_queue"] = f"error: {exc}"
    return checks

"""Extra routes on the API server (Aegra's `http.app`): readiness, and a graceful shutdown that flushes traces.

Aegra's own `/health` checks PostgreSQL, the checkpointer and the store; `/ready` adds what a question needs
of this app: the member records and the scoring queue. Neither needs credentials.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from pension_advisor.observability.tracing import flush

from pension_advisor.server.runtime import services

log = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(_app: FastAPI):
    yield
    # Uvicorn has stopped taking requests and finished the running ones: push queued spans and scoring jobs out.
    log.info("shutting down: flushing traces and scoring jobs")
    await asyncio.to_thread(flush)


app = FastAPI(lifespan=lifespan)


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

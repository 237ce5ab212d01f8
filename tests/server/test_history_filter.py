"""The history `metadata` filter Aegra cannot pass to LangGraph, applied by routes.app's middleware (history.py);
the end-to-end case through the stock SDK is test_api.test_history_filtered_by_metadata_through_the_stock_sdk."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from pension_advisor.server.history import HistoryMetadataFilter

STATES = [{"checkpoint": {"checkpoint_id": str(i)}, "metadata": {"source": "loop" if i % 2 else "input", "step": i}}
          for i in range(30)]


def _client() -> tuple[TestClient, list]:
    seen = []
    downstream = FastAPI()

    @downstream.post("/threads/{thread_id}/history")
    async def history(thread_id: str, request: Request):
        asked = await request.json()
        seen.append(asked)
        if request.headers.get("authorization") != "Bearer ok":
            return JSONResponse({"detail": "unauthorised"}, status_code=401)
        return JSONResponse(STATES[:asked.get("limit", 10)])

    downstream.add_middleware(HistoryMetadataFilter)
    return TestClient(downstream, headers={"authorization": "Bearer ok"}), seen


def test_the_filter_is_applied_here_and_not_passed_on():
    client, seen = _client()
    got = client.post("/threads/t1/history", json={"metadata": {"source": "loop"}, "limit": 4})
    assert got.status_code == 200
    assert [s["metadata"]["step"] for s in got.json()] == [1, 3, 5, 7]
    assert seen[-1] == {"limit": 1000}  # the whole history, without the key Aegra passes on wrongly
    default = client.post("/threads/t1/history", json={"metadata": {"source": "input"}}).json()
    assert len(default) == 10 and all(s["metadata"]["source"] == "input" for s in default)
    assert client.post("/threads/t1/history", json={"metadata": {"source": "nowhere"}}).json() == []


def test_other_requests_pass_unchanged():
    client, seen = _client()
    assert len(client.post("/threads/t1/history", json={"limit": 3}).json()) == 3
    assert seen[-1] == {"limit": 3}
    refused = client.post("/threads/t1/history", json={"metadata": {"source": "loop"}},
                          headers={"authorization": "Bearer wrong"})
    assert refused.status_code == 401 and refused.json() == {"detail": "unauthorised"}
    bad_limit = {"metadata": {"source": "loop"}, "limit": 5000}
    client.post("/threads/t1/history", json=bad_limit)
    assert seen[-1] == bad_limit  # Aegra answers it (422)

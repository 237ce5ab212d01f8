"""Member isolation on every route, generated from the running server's own OpenAPI document (issue 12).

Member A (alice, US-002) attacks member B (bob, AU-001), knowing B's ids:
1. every operation whose path takes a thread, run, assistant, cron or checkpoint id (and every store operation)
   is called with B's ids and A's key: it must end in 401/403/404 and leave B's things as they were;
2. every operation with a JSON body is called on A's own ids with B's member_id in each body field the schema
   allows an object in (input, command.update, values, config.configurable, context, metadata, initial_state,
   cron input, command params ...), one field at a time: it must end in 401/403/404/422 or a run about A only.
A scanner checks that no response body or SSE event A receives, and nothing left in A's threads, holds B's
pseudonym, name, birth date, balance or salary. New routes are covered because the list comes from /openapi.json.
"""

from __future__ import annotations

import copy
import json
import time
import uuid
from typing import Any

import httpx
import pytest

from pension_advisor.members.seed import synthetic_members
from pension_advisor.privacy import date_spellings, pseudonymise

from .conftest import KEYS, headers

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
GRAPH = "pension_advisor"
QUESTION = "What is my balance?"
A_MEMBER, B_MEMBER = KEYS["alice"][1], KEYS["bob"][1]
ID_PARAMS = {"thread_id", "run_id", "assistant_id", "cron_id", "checkpoint_id"}
UNAUTHENTICATED = {"/", "/health", "/ready", "/info", "/live", "/openapi.json", "/docs"}
REFUSED = {401, 403, 404}


# --- what must never reach A ---------------------------------------------------------------------------------
def secrets_of(member_id: str) -> dict[str, str]:
    m = next(m for m in synthetic_members() if m.member_id == member_id)
    found = {"pseudonym": pseudonymise(member_id, "test-salt"), "name": m.name}
    for i, spelling in enumerate(date_spellings(m.date_of_birth)):
        found[f"birth date {i}"] = spelling
    for label, amount in (("balance", m.pension_balance), ("salary", m.annual_salary)):
        for i, spelling in enumerate(dict.fromkeys((f"{amount:,.0f}", f"{amount:.0f}", f"{amount:,.2f}", repr(amount)))):
            found[f"{label} {i}"] = spelling
    return found


B_SECRETS = secrets_of(B_MEMBER)


def leaks(text: str) -> list[str]:
    return [f"{label} {value!r}" for label, value in B_SECRETS.items() if value in text]


# --- the two members' things ---------------------------------------------------------------------------------
def call(api, who: str, method: str, path: str, body: Any = None, params: dict | None = None) -> httpx.Response:
    kwargs: dict[str, Any] = {"headers": headers(who), "params": params, "timeout": 120}
    if body is not None:
        kwargs["json"] = body
    return httpx.request(method, api.url + path, **kwargs)


def things_of(api, who: str) -> dict[str, str]:
    """A thread with an answered question, its run and checkpoint, an assistant and a (yearly) cron."""
    thread = call(api, who, "POST", "/threads", {}).json()["thread_id"]
    done = call(api, who, "POST", f"/threads/{thread}/runs/wait", {"assistant_id": GRAPH, "input": {"question": QUESTION}})
    assert done.status_code == 200 and done.json()["member_id"] == KEYS[who][1], done.text
    run = call(api, who, "GET", f"/threads/{thread}/runs").json()[0]["run_id"]
    checkpoint = call(api, who, "GET", f"/threads/{thread}/state").json()["checkpoint"]["checkpoint_id"]
    assistant = call(api, who, "POST", "/assistants", {"graph_id": GRAPH, "name": f"{who}-{uuid.uuid4().hex[:8]}",
                                                "if_exists": "do_nothing"}).json()["assistant_id"]
    cron = call(api, who, "POST", f"/threads/{thread}/runs/crons",
                {"assistant_id": GRAPH, "schedule": "0 0 1 1 *", "input": {"question": QUESTION}})
    assert cron.status_code == 200, cron.text
    cron_id = cron.json().get("cron_id") or _cron_ids(api, who)[0]
    return {"thread_id": thread, "run_id": run, "checkpoint_id": checkpoint, "assistant_id": assistant,
            "cron_id": cron_id}


def _cron_ids(api, who: str) -> list[str]:
    return [c["cron_id"] for c in call(api, who, "POST", "/runs/crons/search", {}).json()]


@pytest.fixture(scope="module")
def world(api):
    b = things_of(api, "bob")
    # B's own thread holds B's record: the scanner would see it if any of it reached A.
    assert leaks(json.dumps(call(api, "bob", "GET", f"/threads/{b['thread_id']}/state").json())), \
        "the scanner finds nothing in B's own state: it would prove nothing"
    return {"A": things_of(api, "alice"), "B": b, "openapi": httpx.get(api.url + "/openapi.json").json()}


# --- building requests from the OpenAPI document -------------------------------------------------------------
def operations(openapi: dict):
    for path, ops in openapi["paths"].items():
        if path in UNAUTHENTICATED:
            continue
        for method, op in ops.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield method.upper(), path, op


def resolve(openapi: dict, schema: dict | None) -> dict:
    while schema and "$ref" in schema:
        schema = openapi["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema or {}


def body_schema(openapi: dict, op: dict) -> dict | None:
    schema = ((op.get("requestBody") or {}).get("content") or {}).get("application/json", {}).get("schema")
    if schema is None:
        return None
    schema = resolve(openapi, schema)
    for option in schema.get("anyOf", []):  # `Body | None`: the body's own schema
        if option.get("type") != "null":
            return resolve(openapi, option)
    return schema


def allows_object(openapi: dict, prop: dict) -> bool:
    prop = resolve(openapi, prop)
    options = [resolve(openapi, o) for o in prop.get("anyOf", [])] or [prop]
    return any(o.get("type") in ("object", None) and "enum" not in o and "const" not in o for o in options)


def valid_value(name: str, prop: dict, ids: dict[str, str], openapi: dict) -> Any:
    """A value the route accepts for a required field, so the request reaches its authorization and its work."""
    known = {"assistant_id": GRAPH, "graph_id": GRAPH, "schedule": "0 0 1 1 *", "input": {"question": QUESTION},
             "channels": ["values"], "id": 1, "method": "run.start", "status": "interrupted",
             "run_id": ids["run_id"], "thread_id": ids["thread_id"], "namespace": ["members", B_MEMBER],
             "key": B_MEMBER, "value": {"member_id": B_MEMBER},
             "checkpoint": {"checkpoint_id": ids["checkpoint_id"]},
             "params": {"assistant_id": GRAPH, "input": {"question": QUESTION}}}
    if name in known:
        return known[name]
    kind = resolve(openapi, prop).get("type")
    return {"string": "x", "integer": 1, "number": 1, "boolean": False, "array": []}.get(kind, {})


def base_body(schema: dict | None, ids: dict[str, str], openapi: dict) -> dict | None:
    if schema is None:
        return None
    props = schema.get("properties", {})
    # A run needs input, a command or a checkpoint: give it the input.
    wanted = [*schema.get("required", []), *(["input"] if "input" in props else [])]
    return {name: valid_value(name, props.get(name, {}), ids, openapi) for name in wanted}


def poisoned(field: str) -> Any:
    """B's member id where ``field`` takes an object."""
    b_user = {"identity": "key:bob", "member_id": B_MEMBER, "is_authenticated": True}
    return {
        "input": {"question": QUESTION, "member_id": B_MEMBER},
        "command": {"update": {"member_id": B_MEMBER, "question": QUESTION}, "goto": "start_turn"},
        "values": {"member_id": B_MEMBER, "question": QUESTION},
        "initial_state": {"member_id": B_MEMBER, "question": QUESTION},
        "config": {"configurable": {"member_id": B_MEMBER, "langgraph_auth_user": b_user}},
        "context": {"member_id": B_MEMBER},
        "params": {"assistant_id": GRAPH, "input": {"question": QUESTION, "member_id": B_MEMBER},
                   "config": {"configurable": {"member_id": B_MEMBER}}, "context": {"member_id": B_MEMBER}},
    }.get(field, {"member_id": B_MEMBER, "question": QUESTION})


def path_for(path: str, ids: dict[str, str]) -> str:
    for name in ID_PARAMS:
        path = path.replace("{" + name + "}", ids[name])
    return path


def query_for(op: dict, ids: dict[str, str]) -> dict:
    params = {}
    for p in op.get("parameters", []):
        if p.get("in") == "query" and p.get("required"):
            params[p["name"]] = {"namespace": f"members.{B_MEMBER}", "key": B_MEMBER}.get(p["name"], "x")
    return params


def about_a_only(response: httpx.Response) -> list[str]:
    """What is wrong with a response A got: B's data in it, or a run that is not about A."""
    problems = leaks(response.text)
    try:
        data = response.json()
    except ValueError:
        data = None
    if isinstance(data, dict) and data.get("member_id") not in (None, A_MEMBER):
        problems.append(f"a run about {data['member_id']}")
    return problems


# --- 1. B's ids with A's key ---------------------------------------------------------------------------------
def test_every_operation_on_b_ids_with_a_key_is_refused(api, world):
    openapi, b = world["openapi"], world["B"]
    failures, covered = [], []
    for method, path, op in operations(openapi):
        takes_ids = {p["name"] for p in op.get("parameters", []) if p.get("in") == "path"} & ID_PARAMS
        if not takes_ids and not path.startswith("/store"):
            continue
        schema = body_schema(openapi, op)
        response = call(api, "alice", method, path_for(path, b), base_body(schema, b, openapi), query_for(op, b))
        covered.append(f"{method} {path}")
        # A listing of B's thread shows A only what A owns there: nothing.
        empty = response.status_code == 200 and response.json() == [] and method == "GET"
        if not (response.status_code in REFUSED or empty) or leaks(response.text):
            failures.append(f"{method} {path}: {response.status_code} {leaks(response.text)} {response.text[:200]}")
    assert len(covered) >= 30, covered  # the document lists them all; a short list means the walk broke
    assert not failures, "\n".join(failures)
    # Nothing A did touched B's things.
    state = call(api, "bob", "GET", f"/threads/{b['thread_id']}/state")
    assert state.status_code == 200 and state.json()["values"]["member_id"] == B_MEMBER
    assert b["cron_id"] in _cron_ids(api, "bob")
    assert call(api, "bob", "GET", f"/assistants/{b['assistant_id']}").status_code == 200


# --- 2. A's ids with B's member_id in every body field -------------------------------------------------------
def test_b_member_id_in_any_body_field_on_a_ids_is_refused_or_answered_about_a(api, world):
    openapi, a = world["openapi"], world["A"]
    failures, cases = [], []
    for method, path, op in operations(openapi):
        schema = body_schema(openapi, op)
        if schema is None or method == "DELETE":
            continue
        props = schema.get("properties", {})
        for field in [f for f, p in props.items() if allows_object(openapi, p)]:
            body = {**(base_body(schema, a, openapi) or {}), field: poisoned(field)}
            if field == "command":
                body.pop("input", None)  # a run takes input or a command, not both
            if path.endswith("/state") and method == "POST":
                body["as_node"] = "start_turn"
            response = call(api, "alice", method, path_for(path, a), body, query_for(op, a))
            cases.append(f"{method} {path} [{field}] -> {response.status_code}")
            if response.status_code in REFUSED | {422}:
                continue
            if response.status_code >= 500 or (problems := about_a_only(response)):
                failures.append(f"{method} {path} [{field}]: {response.status_code} "
                                f"{about_a_only(response)} {response.text[:300]}")
    assert any("[command]" in c for c in cases) and any("[values]" in c for c in cases), cases
    # Whatever was written into A's thread, the next run from its checkpoint (no input) is about A only.
    latest = call(api, "alice", "GET", f"/threads/{a['thread_id']}/state").json()["checkpoint"]
    resumed = call(api, "alice", "POST", f"/threads/{a['thread_id']}/runs/wait",
                   {"assistant_id": GRAPH, "checkpoint": {"checkpoint_id": latest["checkpoint_id"]}})
    if resumed.status_code not in REFUSED and (problems := about_a_only(resumed)):
        failures.append(f"run from A's checkpoint after the state writes: {problems} {resumed.text[:300]}")
    failures += _leaks_in_everything_a_can_read(api)
    assert not failures, "\n".join(failures) + "\n\ncases:\n" + "\n".join(cases)


def _leaks_in_everything_a_can_read(api) -> list[str]:
    """Every thread, state, history, run output and cron A can list, read after background runs finish."""
    found = []
    deadline = time.time() + 120
    for thread in call(api, "alice", "POST", "/threads/search", {"limit": 1000}).json():
        tid = thread["thread_id"]
        for run in call(api, "alice", "GET", f"/threads/{tid}/runs", params={"limit": 1000}).json():
            while run["status"] in ("pending", "running") and time.time() < deadline:
                time.sleep(0.5)
                run = call(api, "alice", "GET", f"/threads/{tid}/runs/{run['run_id']}").json()
            joined = call(api, "alice", "GET", f"/threads/{tid}/runs/{run['run_id']}/join")
            found += [f"run {run['run_id']} output: {p}" for p in about_a_only(joined)]
        for what in (f"/threads/{tid}", f"/threads/{tid}/state", f"/threads/{tid}/history"):
            response = call(api, "alice", "GET", what)
            found += [f"{what}: {p}" for p in leaks(response.text)]
    crons = call(api, "alice", "POST", "/runs/crons/search", {})
    found += [f"crons: {p}" for p in leaks(crons.text)]
    return found


# --- the cases the issue reported, by name -------------------------------------------------------------------
COMMAND = {"update": {"member_id": B_MEMBER, "question": QUESTION}, "goto": "start_turn"}


@pytest.mark.parametrize("route", ["/threads/{thread_id}/runs/wait", "/threads/{thread_id}/runs/stream",
                                   "/runs/wait", "/runs/stream"])
def test_a_command_naming_b_never_answers_about_b(api, world, route):
    thread = call(api, "alice", "POST", "/threads", {}).json()["thread_id"]
    response = call(api, "alice", "POST", route.replace("{thread_id}", thread),
                    {"assistant_id": GRAPH, "command": COMMAND, "stream_mode": ["values", "updates"]})
    assert response.status_code in REFUSED or not about_a_only(response), response.text[:500]
    assert response.status_code == 403  # refused before any run starts


def test_a_state_write_naming_b_then_a_run_from_the_checkpoint_is_about_a(api, world):
    thread = world["A"]["thread_id"]
    write = call(api, "alice", "POST", f"/threads/{thread}/state",
                 {"values": {"member_id": B_MEMBER, "question": QUESTION}, "as_node": "start_turn"})
    checkpoint = (write.json().get("checkpoint") or {}).get("checkpoint_id") if write.status_code == 200 else None
    checkpoint = checkpoint or call(api, "alice", "GET", f"/threads/{thread}/state").json()["checkpoint"]["checkpoint_id"]
    run = call(api, "alice", "POST", f"/threads/{thread}/runs/wait",
               {"assistant_id": GRAPH, "checkpoint": {"checkpoint_id": checkpoint}})
    assert not about_a_only(run), run.text[:500]
    assert write.status_code == 403


def test_a_cron_naming_b_is_refused(api, world):
    thread = call(api, "alice", "POST", "/threads", {}).json()["thread_id"]
    response = call(api, "alice", "POST", f"/threads/{thread}/runs/crons",
                    {"assistant_id": GRAPH, "schedule": "*/2 * * * * *",
                     "input": {"question": QUESTION, "member_id": B_MEMBER}})
    if response.status_code not in REFUSED:  # accepted: let the scheduler fire it, and read what it answered
        runs = _runs_after(api, thread, finished=3, timeout_s=40)
        problems = [p for r in runs for p in about_a_only(
            call(api, "alice", "GET", f"/threads/{thread}/runs/{r['run_id']}/join"))]
        assert not problems, f"cron runs answered about B: {problems}"
    assert response.status_code == 403, response.text[:300]


def _runs_after(api, thread: str, finished: int, timeout_s: float) -> list[dict]:
    """The thread's runs once ``finished`` of them are done (or the time is up); then its crons are deleted."""
    deadline, runs = time.time() + timeout_s, []
    try:
        while time.time() < deadline:
            runs = call(api, "alice", "GET", f"/threads/{thread}/runs", params={"limit": 100}).json()
            if len([r for r in runs if r["status"] in ("success", "error")]) >= finished:
                break
            time.sleep(1)
    finally:  # a seconds schedule would fire for the rest of the session
        for cron in call(api, "alice", "POST", "/runs/crons/search", {"thread_id": thread}).json():
            call(api, "alice", "DELETE", f"/runs/crons/{cron['cron_id']}")
    return [r for r in runs if r["status"] in ("success", "error")]


def test_the_commands_route_refuses_b_member_id(api, world):
    thread = call(api, "alice", "POST", "/threads", {}).json()["thread_id"]
    response = call(api, "alice", "POST", f"/threads/{thread}/commands",
                    {"id": 1, "method": "run.start",
                     "params": {"assistant_id": GRAPH, "input": {"question": QUESTION, "member_id": B_MEMBER}}})
    assert response.status_code == 403, response.text[:300]


def test_the_served_schemas_offer_only_the_question(api, world):
    schemas = call(api, "alice", "GET", f"/assistants/{world['A']['assistant_id']}/schemas").json()
    assert set(schemas["input_schema"]["properties"]) == {"question", "on_date"}
    assert set(schemas["context_schema"]["properties"]) == {"member_id"}
    assert "draft_body" not in schemas["output_schema"]["properties"]


def test_a_jwt_whose_subject_is_a_key_name_does_not_own_that_key_threads(api, world):
    import jwt

    from .conftest import JWT_SECRET

    token = jwt.encode({"sub": "alice", "member_id": A_MEMBER, "exp": int(time.time()) + 300}, JWT_SECRET,
                       algorithm="HS256")
    response = httpx.get(f"{api.url}/threads/{world['A']['thread_id']}/state",
                         headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 404


# --- crons, fired for real by Aegra's scheduler --------------------------------------------------------------
def test_a_scheduled_run_fires_as_the_key_member(api, world):
    """The scheduler rebuilds the owner from its name alone (no member on it): the run still asks about the
    API key's member, resolved from the configured key (server/identities.py: member_of_user)."""
    thread = call(api, "alice", "POST", "/threads", {}).json()["thread_id"]
    created = call(api, "alice", "POST", f"/threads/{thread}/runs/crons",
                   {"assistant_id": GRAPH, "schedule": "*/2 * * * * *", "input": {"question": QUESTION}})
    assert created.status_code == 200, created.text
    finished = _runs_after(api, thread, finished=3, timeout_s=60)
    assert "Cron fired run" in api.log.read_text()  # not only the run the request itself started
    assert len(finished) >= 3, [(r["run_id"], r["status"]) for r in finished]
    for run in finished:
        output = call(api, "alice", "GET", f"/threads/{thread}/runs/{run['run_id']}/join")
        assert run["status"] == "success" and output.json()["member_id"] == A_MEMBER, output.text[:300]
        assert not about_a_only(output)


def test_a_jwt_identity_cannot_schedule_questions(api, world):
    import jwt

    from .conftest import JWT_SECRET

    token = jwt.encode({"sub": "carol", "member_id": "UK-001", "exp": int(time.time()) + 300}, JWT_SECRET,
                       algorithm="HS256")
    response = httpx.post(f"{api.url}/runs/crons", headers={"Authorization": f"Bearer {token}"},
                          json={"assistant_id": GRAPH, "schedule": "0 0 1 1 *", "input": {"question": QUESTION}})
    assert response.status_code == 403 and "need an API key" in response.json()["message"]

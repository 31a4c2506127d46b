"""Who may call each route of the clinic server, against a real ``rehab clinic serve`` on SQLite and
PostgreSQL, and the login's limit on guessed passwords.

``RULES`` has one row per route: its method, its path and who may call it. The app's own route list
is compared with it, so a route added without a row fails here. Each caller then sends every route
a request that is well-formed (the callers who may call it succeed with the very same request), and:

- the HTTP API (``/api/v1``, ``/fhir``), with a bearer token: without one, or with a made-up one,
  401; anyone else not allowed, 403 or 404 (409 for a home pushing another patient's row), with an
  answer that is ``{"error": "..."}`` and nothing more;
- the web pages, with a session cookie: without a valid session (no cookie, a made-up one, or only
  a home's bearer token) a redirect to the login page; a signed-in user not allowed, 403 or 404;
- either way a refused request leaves the database as it was (no row added, changed or audited);
- "sees nothing" callers (another team's physio listing patients, another patient's home pulling):
  200, without a trace of the patient.

The patient every route is aimed at is P-0042 (anna's, team north), with a paired home that pushed
a few days of sessions, a plan and a message. The world is built once per database: a refused
request changes nothing, and what an allowed one adds (a user, a patient, a plan version) is the
caller's own and changes no other caller's answer.
"""

from __future__ import annotations

import itertools
import re
import socket
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from starlette.routing import Mount, WebSocketRoute

from clinic import tables
from clinic.accounts import add_user
from clinic.app import create_app
from clinic.config import ClinicConfig
from clinic.db import create_engine, open_database
from clinic.web import sessions as web_sessions
from progress.store import Store
from rehab.app.plans import fill_patient, template_text
from rehab.sim.history import make_history
from tests.clinic_fixtures import ADMIN_EMAIL, PASSWORD, ClinicServer, PostgresServer, start_clinic_server

try:
    from fastapi.routing import iter_route_contexts
except ImportError:  # FastAPI before 0.16x: app.routes lists every route itself
    iter_route_contexts = None  # type: ignore[assignment]

# -- the callers ------------------------------------------------------------------------------------

NONE = "no token"
FORGED = "made-up token"
ADMIN = "admin"
PHYSIO = "the patient's physio"
TEAM = "a physio of the same team"
OTHER = "a physio of another team"
CLINICIAN = "clinician"
HOME = "the patient's home"
OTHER_HOME = "another patient's home"
CALLERS = (NONE, FORGED, ADMIN, PHYSIO, TEAM, OTHER, CLINICIAN, HOME, OTHER_HOME)
ANYONE = frozenset(CALLERS)
#: a WebSocket route's "method" in the table
WEBSOCKET = "WEBSOCKET"

READERS = frozenset({ADMIN, PHYSIO, TEAM, CLINICIAN})  # read the patient's data
CARERS = frozenset({ADMIN, PHYSIO, TEAM})  # pairing and devices
PHYSIOS = frozenset({PHYSIO, TEAM})  # write the patient's plans, messages and notes (API and web)
STAFF = frozenset({ADMIN, PHYSIO, TEAM, OTHER, CLINICIAN})  # any signed-in user

PATIENT = "P-0042"


@dataclass(frozen=True)
class Rule:
    method: str
    path: str
    may: frozenset[str]
    sees_nothing: frozenset[str] = frozenset()  # answered 200, with nothing of the patient in it
    refused: tuple[int, ...] = (403, 404)  # what a caller with a token who may not gets


# fmt: off
RULES = (
    # the HTTP API
    Rule("GET",    "/api/v1/openapi.json", ANYONE),
    Rule("POST",   "/api/v1/login", ANYONE),
    Rule("POST",   "/api/v1/pair", ANYONE),
    Rule("POST",   "/api/v1/users", frozenset({ADMIN})),
    Rule("GET",    "/api/v1/users", frozenset({ADMIN})),
    Rule("GET",    "/api/v1/audit", frozenset({ADMIN})),
    Rule("POST",   "/api/v1/patients", frozenset({ADMIN, PHYSIO})),  # a physio adds only their own
    Rule("GET",    "/api/v1/patients", READERS, sees_nothing=frozenset({OTHER})),
    Rule("POST",   "/api/v1/patients/{patient_id}/pairing-codes", CARERS),
    Rule("DELETE", "/api/v1/devices/{device_id}", CARERS),
    Rule("POST",   "/api/v1/patients/{patient_id}/plans", PHYSIOS),
    Rule("GET",    "/api/v1/patients/{patient_id}/plans", READERS),
    Rule("POST",   "/api/v1/patients/{patient_id}/messages", PHYSIOS),
    Rule("GET",    "/api/v1/patients/{patient_id}/messages", READERS),
    Rule("GET",    "/api/v1/patients/{patient_id}/sessions", READERS),
    Rule("GET",    "/api/v1/patients/{patient_id}/report", READERS),
    Rule("GET",    "/fhir/Patient/{patient_id}/$everything", READERS),
    Rule("POST",   "/api/v1/sync/push", frozenset({HOME}), refused=(403, 409)),  # 409: a row of another patient
    Rule("GET",    "/api/v1/sync/pull", frozenset({HOME}), sees_nothing=frozenset({OTHER_HOME})),
    # live sessions' sockets: callers tried by tests/test_live_sessions.py (a WebSocket, not a request)
    Rule(WEBSOCKET, "/api/v1/live/home", frozenset({HOME})),
    Rule(WEBSOCKET, "/patients/{patient_id}/live/socket", READERS),
    # the web pages
    Rule("GET",    "/static/{path}", ANYONE),
    Rule("GET",    "/static/vendor/plotly.min.js", ANYONE),
    Rule("GET",    "/login", ANYONE),
    Rule("POST",   "/login", ANYONE),
    Rule("GET",    "/", STAFF),
    Rule("POST",   "/logout", STAFF),
    Rule("GET",    "/caseload", READERS, sees_nothing=frozenset({OTHER})),
    Rule("GET",    "/patients/{patient_id}", READERS),
    Rule("GET",    "/patients/{patient_id}/sessions/{session_uuid}", READERS),
    Rule("POST",   "/patients/{patient_id}/notes", PHYSIOS),
    Rule("POST",   "/patients/{patient_id}/messages", PHYSIOS),
    Rule("GET",    "/patients/{patient_id}/report", READERS),
    Rule("GET",    "/patients/{patient_id}/live", READERS),
    Rule("GET",    "/patients/{patient_id}/plan", PHYSIOS),
    Rule("POST",   "/patients/{patient_id}/plan", PHYSIOS),
    Rule("POST",   "/patients/{patient_id}/plan/import", PHYSIOS),
    Rule("GET",    "/patients/{patient_id}/plan.toml", READERS),
    Rule("GET",    "/admin/users", frozenset({ADMIN})),
    Rule("POST",   "/admin/users", frozenset({ADMIN})),
    Rule("POST",   "/admin/users/{user_id}/disable", frozenset({ADMIN})),
    Rule("GET",    "/admin/audit", frozenset({ADMIN})),
)
# fmt: on


def app_routes() -> set[tuple[str, str]]:
    """(method, path) of every route the app serves (HEAD, which Starlette adds to GET, left out)."""
    app = create_app(ClinicConfig(db_url="sqlite:///:memory:"))
    routes: Iterable[Any] = app.routes
    if iter_route_contexts is not None:  # newer FastAPI keeps included routers whole in app.routes
        routes = iter_route_contexts(app.routes)
    found = set()
    for route in routes:
        path, methods = getattr(route, "path", None), getattr(route, "methods", None)
        if isinstance(getattr(route, "original_route", route), WebSocketRoute):
            methods = {WEBSOCKET}
        if isinstance(getattr(route, "original_route", route), Mount):  # static files: anything under it
            path, methods = f"{path}/{{path}}", {"GET"}
        assert path and methods, f"a route of a kind this test cannot read: {route!r}"
        found |= {(method, path) for method in methods if method != "HEAD"}
    app.state.engine.dispose()
    return found


def test_every_route_of_the_app_has_exactly_one_row_in_the_table() -> None:
    rows = [(rule.method, rule.path) for rule in RULES]
    assert len(rows) == len(set(rows)), "a route has two rows"
    served = app_routes()
    assert served - set(rows) == set(), "routes without a row in RULES: say who may call them"
    assert set(rows) - served == set(), "rows in RULES for routes the app does not serve"


# -- the world every caller tries ---------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    server: ClinicServer
    db: sa.Engine  # on the server's database, to see what a request wrote
    tokens: dict[str, str | None]  # the API's bearer tokens
    user_ids: dict[str, int]  # the signed-in callers' accounts, for their web sessions
    pushed_session: dict[str, Any]  # one of the patient's rows the home pushed (a session)


def history_rows(patient: str) -> list[dict[str, Any]]:
    """A few days of a patient's sessions as their home pushes them: each queued row at its newest version."""
    store = Store.memory()
    make_history(store, patient, date(2026, 1, 5), days=3, kind="physical")
    newest: dict[tuple[str, str], int] = {}
    for entry in store.outbox_after(0, 10**9):
        newest[(entry.kind, entry.uuid)] = entry.seq
    rows = []
    for (kind, row_uuid), seq in newest.items():
        body = store.row_for_sync(kind, row_uuid)
        assert body is not None
        rows.append(
            {"kind": kind, "uuid": row_uuid, "seq": seq, "client_time": "2026-01-07T18:00:00+00:00", "body": body}
        )
    return rows


def batch(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"batch_id": str(uuid.uuid4()), "device_time": "2026-03-02T09:00:00+00:00", "rows": rows}


def ok(answer: httpx.Response) -> Any:
    assert answer.status_code < 300, f"{answer.request.method} {answer.request.url}: {answer.status_code} {answer.text}"
    return answer.json()


def plan_text(patient: str) -> str:
    return fill_patient(template_text("after-knee-replacement"), patient)


def build_world(server: ClinicServer) -> World:
    anna = server.physio("anna@clinic.test", team="north")
    tom = server.physio("tom@clinic.test", team="north")
    olga = server.physio("olga@clinic.test", team="south")
    cleo = server.user("cleo@clinic.test", "clinician")
    server.patient(PATIENT, anna.email)
    server.patient("P-0043", olga.email)
    home, other_home = server.pair(PATIENT), server.pair("P-0043")
    rows = history_rows(PATIENT)
    ok(server.request("POST", "/api/v1/sync/push", home, json=batch(rows)))
    ok(server.request("POST", f"/api/v1/patients/{PATIENT}/plans", anna.token, json={"toml": plan_text(PATIENT)}))
    ok(server.request("POST", f"/api/v1/patients/{PATIENT}/messages", anna.token, json={"text": "Keep going!"}))
    tokens = {
        NONE: None,
        FORGED: "x" * 43,
        ADMIN: server.admin_token,
        PHYSIO: anna.token,
        TEAM: tom.token,
        OTHER: olga.token,
        CLINICIAN: cleo.token,
        HOME: home,
        OTHER_HOME: other_home,
    }
    emails = {ADMIN: ADMIN_EMAIL, PHYSIO: anna.email, TEAM: tom.email, OTHER: olga.email, CLINICIAN: cleo.email}
    db = create_engine(server.db_url)
    session = next(row for row in rows if row["kind"] == "sessions")
    return World(server, db, tokens, {caller: user_id(db, email) for caller, email in emails.items()}, session)


def user_id(db: sa.Engine, email: str) -> int:
    with db.connect() as conn:
        return int(conn.execute(sa.select(tables.users.c.id).where(tables.users.c.email == email)).scalar_one())


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One running server per database with the world built (as ``clinic_server`` starts it)."""
    folder = tmp_path_factory.mktemp(f"access-{request.param}")
    if request.param == "sqlite":
        db_url = f"sqlite:///{folder / 'clinic' / 'clinic.sqlite3'}"
    else:
        postgres: PostgresServer = request.getfixturevalue("postgres_server")
        db_url = postgres.create_database("clinic_access")
    server = start_clinic_server(db_url, folder)
    try:
        built = build_world(server)
        yield built
        built.db.dispose()
    finally:
        server.stop()


# -- one request per route, the same for every caller -------------------------------------------------

_unique = itertools.count(1)


def spare_device(world: World) -> str:
    """A device of the patient made on the database, for a DELETE that may succeed without
    revoking the home every other request uses."""
    device_id = str(uuid.uuid4())
    with world.db.begin() as conn:
        conn.execute(
            sa.insert(tables.devices).values(
                id=device_id,
                patient_id=PATIENT,
                token_hash=device_id,
                name="spare",
                created_at="2026-03-01T00:00:00+00:00",
            )
        )
    return device_id


def spare_user(world: World) -> int:
    """An account made on the database, for a disable that may succeed without locking out a caller."""
    with world.db.begin() as conn:
        return add_user(conn, f"spare{next(_unique)}@clinic.test", "physio", PASSWORD).id


def is_page(path: str) -> bool:
    """A web page (session cookie, HTML), as the app tells them apart; else the HTTP API (bearer token)."""
    return not path.startswith(("/api/", "/fhir/"))


def request_for(world: World, rule: Rule, patient: str = PATIENT) -> dict[str, Any]:
    """``path`` and the keyword arguments of a well-formed request to the route, aimed at ``patient``."""
    n = next(_unique)
    today = datetime.now(timezone.utc).date().isoformat()
    fills = {
        "{patient_id}": lambda: patient,
        "{device_id}": lambda: spare_device(world),
        "{user_id}": lambda: str(spare_user(world)),
        "{session_uuid}": lambda: world.pushed_session["uuid"],
        "{path}": lambda: "style.css",
    }
    path = rule.path
    for name, fill in fills.items():
        path = path.replace(name, fill()) if name in path else path
    new_user = {"email": f"new{n}@clinic.test", "role": "physio", "password": PASSWORD}
    bodies: dict[tuple[str, str], dict[str, Any]] = {
        ("POST", "/api/v1/login"): {"json": {"email": ADMIN_EMAIL, "password": PASSWORD}},
        ("POST", "/api/v1/pair"): {"json": {"code": world.server.pairing_code(patient), "device_name": "tablet"}},
        ("POST", "/api/v1/users"): {"json": new_user},
        ("GET", "/api/v1/audit"): {"params": {"patient": patient}},
        ("POST", "/api/v1/patients"): {"json": {"id": f"P-9{n:03d}", "physio_email": "anna@clinic.test"}},
        ("POST", "/api/v1/patients/{patient_id}/plans"): {"json": {"toml": plan_text(patient), "reason": f"try {n}"}},
        ("POST", "/api/v1/patients/{patient_id}/messages"): {"json": {"text": f"Message {n}"}},
        ("GET", "/api/v1/patients/{patient_id}/report"): {"params": {"format": "csv"}},
        ("POST", "/api/v1/sync/push"): {"json": batch([{**world.pushed_session, "seq": 1000 + n}])},
        ("POST", "/login"): {"data": {"email": ADMIN_EMAIL, "password": PASSWORD}},
        ("POST", "/patients/{patient_id}/notes"): {"data": {"noted_on": today, "text": f"Note {n}"}},
        ("POST", "/patients/{patient_id}/messages"): {"data": {"text": f"Message {n}"}},
        ("GET", "/patients/{patient_id}/report"): {"params": {"format": "csv"}},
        # the editor's row button: the form shown again, nothing saved (a save is tested in test_web_plan_editor)
        ("POST", "/patients/{patient_id}/plan"): {"data": {"action": "add-exercise"}},
        ("POST", "/patients/{patient_id}/plan/import"): {"files": {"plan_file": ("plan.toml", plan_text(patient))}},
        ("POST", "/admin/users"): {"data": {**new_user, "email": f"web{n}@clinic.test", "password_again": PASSWORD}},
    }
    return {"path": path, **bodies.get((rule.method, rule.path), {})}


def web_cookie(world: World, caller: str) -> str | None:
    """A fresh web session of the caller's account; a made-up one for FORGED; None for the others."""
    if caller in world.user_ids:
        with world.db.begin() as conn:
            return web_sessions.start(conn, world.user_ids[caller])
    return "x" * 43 if caller == FORGED else None


def send(world: World, method: str, path: str, caller: str, cookie: str | None, **sent: Any) -> httpx.Response:
    """The request as ``caller`` sends it: to the API with their bearer token; to a page with
    ``cookie`` (and its CSRF token in a form), or without one with only their bearer token."""
    if not is_page(path):
        return world.server.request(method, path, world.tokens[caller], **sent)
    headers = {}
    if cookie is not None:
        headers["Cookie"] = f"{web_sessions.COOKIE}={cookie}"
        if method == "POST":
            sent["data"] = {**sent.get("data", {}), "csrf": web_sessions.csrf_token(cookie)}
    elif world.tokens[caller]:
        headers["Authorization"] = f"Bearer {world.tokens[caller]}"
    return httpx.request(method, world.server.url + path, headers=headers, timeout=60, **sent)


def snapshot(db: sa.Engine) -> dict[str, list[str]]:
    """Every row of every table, except when a device or a web session was last seen (any request
    with its token or cookie moves it)."""
    moving = {("devices", "last_seen"), ("web_sessions", "last_seen_at")}
    found = {}
    with db.connect() as conn:
        for table in tables.metadata.sorted_tables:
            columns = [c for c in table.c if (table.name, c.name) not in moving]
            found[table.name] = sorted(repr(tuple(row)) for row in conn.execute(sa.select(*columns)))
    return found


def changed(before: dict[str, list[str]], after: dict[str, list[str]]) -> list[str]:
    return [name for name in before if before[name] != after[name]]


def sent_to_log_in(answer: httpx.Response) -> bool:
    return answer.status_code == 303 and answer.headers.get("location", "").startswith("/login?next=")


def check(world: World, rule: Rule, caller: str, patient: str = PATIENT) -> str | None:
    """What is wrong with ``caller``'s answer at ``rule``'s route (None: nothing)."""
    sent = request_for(world, rule, patient)
    path = sent.pop("path")
    allowed = caller in rule.may
    page = is_page(rule.path)
    signed_in = caller in world.user_ids
    cookie = web_cookie(world, caller) if page else None  # made before the snapshot
    before = None if allowed else snapshot(world.db)
    answer = send(world, rule.method, path, caller, cookie, **sent)
    where = f"{rule.method} {path} as {caller}: {answer.status_code} {answer.text[:200]}"
    if caller in rule.sees_nothing:
        if answer.status_code != 200 or patient in answer.text:
            return f"{where}; expected 200 with nothing of {patient}"
        return None
    if allowed:
        done = answer.status_code < (400 if page else 300) and not sent_to_log_in(answer)
        return None if done else f"{where}; expected it allowed"
    if page and not signed_in:
        if not sent_to_log_in(answer):
            return f"{where}; expected a redirect to the login page"
    elif answer.status_code not in ((401,) if caller in (NONE, FORGED) else rule.refused):
        return f"{where}; expected {' or '.join(map(str, rule.refused))} (401 without a valid token)"
    elif not page and (
        not answer.headers["content-type"].startswith("application/json") or set(answer.json()) != {"error"}
    ):
        return f"{where}; a refusal is {{'error': ...}} and nothing more"
    assert before is not None
    written = changed(before, snapshot(world.db))
    return f"{where}; the refused request wrote to {', '.join(written)}" if written else None


@pytest.mark.parametrize("caller", CALLERS, ids=[re.sub(r"[^a-z]+", "-", caller) for caller in CALLERS])
def test_what_each_caller_gets_at_every_route(world: World, caller: str) -> None:
    # a route anyone may call is tried once, without a token (pairing is also limited to 10 an hour)
    rules = [rule for rule in RULES if (rule.may != ANYONE or caller == NONE) and rule.method != WEBSOCKET]
    problems = [problem for rule in rules if (problem := check(world, rule, caller)) is not None]
    assert problems == [], "\n".join(problems)


def test_a_physio_without_a_team_reaches_only_their_own_patients(world: World) -> None:
    """No team on either side must not read as the same team: leo is refused lena's patient."""
    lena = world.server.physio("lena@clinic.test")
    leo = world.server.physio("leo@clinic.test")
    world.server.patient("P-0044", lena.email)
    users = {**world.user_ids, "leo": user_id(world.db, leo.email)}
    alone = World(world.server, world.db, {**world.tokens, "leo": leo.token}, users, world.pushed_session)
    nobody = [
        Rule(rule.method, rule.path, frozenset(), refused=(403,))
        for rule in RULES
        if "{patient_id}" in rule.path and rule.method != WEBSOCKET  # sockets: tests/test_live_sessions.py
    ]
    problems = [problem for rule in nobody if (problem := check(alone, rule, "leo", "P-0044")) is not None]
    assert problems == [], "\n".join(problems)
    assert ok(world.server.request("GET", "/api/v1/patients", leo.token)) == []
    for what in ("plans", "messages", "sessions"):  # while lena reads her patient
        ok(world.server.request("GET", f"/api/v1/patients/P-0044/{what}", lena.token))


# -- guessing a password ------------------------------------------------------------------------------


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


def serve_in_thread(app: Any) -> tuple[str, Callable[[], None]]:
    """``app`` under uvicorn on a free loopback port in a thread (so the test holds its clock)."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive(), "uvicorn stopped before it answered"
        threading.Event().wait(0.02)

    def stop() -> None:
        server.should_exit = True
        thread.join()
        sock.close()

    return f"http://127.0.0.1:{sock.getsockname()[1]}", stop


def test_login_is_rate_limited_per_email_and_address_until_the_window_passes(clinic_db_url: str) -> None:
    """Served in this process, not as ``rehab clinic serve``, so that the test moves the clock
    past the 15-minute window instead of waiting for it."""
    clock = Clock(datetime(2026, 3, 2, 9, 0, 1, tzinfo=timezone.utc))  # just after a window starts
    engine = open_database(ClinicConfig(db_url=clinic_db_url))
    with engine.begin() as conn:
        add_user(conn, "anna@clinic.test", "physio", PASSWORD)
    engine.dispose()
    app = create_app(ClinicConfig(db_url=clinic_db_url, clock=clock))
    url, stop = serve_in_thread(app)
    elsewhere = httpx.HTTPTransport(local_address="127.0.0.2")  # a second client address on loopback

    def login(password: str, email: str = "anna@clinic.test", **client: Any) -> httpx.Response:
        with httpx.Client(base_url=url, timeout=60, **client) as http:
            return http.post("/api/v1/login", json={"email": email, "password": password})

    try:
        assert [login("wrong password").status_code for _ in range(5)] == [401] * 5
        refused = login("wrong password")
        assert refused.status_code == 429 and refused.headers["content-type"].startswith("application/json")
        assert set(refused.json()) == {"error"} and "too many" in refused.json()["error"]
        assert login(PASSWORD).status_code == 429  # the right password too: a guess that lands is not told apart
        assert login(PASSWORD, email="ANNA@clinic.test ").status_code == 429  # the same email written otherwise
        assert login(PASSWORD, transport=elsewhere).status_code == 200  # anna at another address is not locked out
        clock.now += timedelta(minutes=14, seconds=58)
        assert login(PASSWORD).status_code == 429
        clock.now += timedelta(seconds=2)  # the next 15-minute window
        assert login(PASSWORD).status_code == 200
    finally:
        stop()
        app.state.engine.dispose()


def test_guesses_sent_at_once_get_no_more_tries_than_guesses_sent_one_by_one(clinic_db_url: str) -> None:
    """Each attempt is counted before its password is checked, so 20 guesses in parallel (the
    server answers up to 40 requests at a time) have 5 checked and 15 refused, not 20 checked."""
    engine = open_database(ClinicConfig(db_url=clinic_db_url))
    with engine.begin() as conn:
        add_user(conn, "anna@clinic.test", "physio", PASSWORD)
    engine.dispose()
    app = create_app(ClinicConfig(db_url=clinic_db_url))
    url, stop = serve_in_thread(app)

    def guess(n: int) -> int:
        body = {"email": "anna@clinic.test", "password": f"guess number {n}"}
        return httpx.post(f"{url}/api/v1/login", json=body, timeout=120).status_code

    try:
        with ThreadPoolExecutor(max_workers=20) as pool:
            answers = list(pool.map(guess, range(20)))
    finally:
        stop()
        app.state.engine.dispose()
    assert sorted(answers) == [401] * 5 + [429] * 15

"""The clinic server core against a real uvicorn on a loopback port, on SQLite and PostgreSQL:
schema migrations, JSON errors, patients, pairing, revoking, the audit log, and the command line.

The server runs in a thread of this process (``uvicorn.Server`` on a socket bound here) so the
tests hold its clock: an expired code or token is made by moving the clock, never by waiting.
"""

from __future__ import annotations

import io
import os
import socket
import ssl
import stat
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from clinic import accounts
from clinic.app import create_app
from clinic.config import ClinicConfig, resolve_db_url
from clinic.db import create_engine, current_revision, normalise_url, open_database, upgrade
from tests.clinic_fixtures import self_signed_certificate

PASSWORD = "correct horse battery"
START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Clock:
    """The server's clock, moved by the test."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Server:
    url: str
    db_url: str
    clock: Clock
    engine: Any
    http: httpx.Client
    _stop: Callable[[], None] = field(repr=False)

    def call(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}))
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.http.request(method, path, headers=headers, **kwargs)

    def add_user(self, email: str, role: str, team: str | None = None) -> str:
        """An account made on the database (as 'rehab clinic user add' does), logged in: its token."""
        with self.engine.begin() as conn:
            accounts.add_user(conn, email, role, PASSWORD, team)
        answer = self.call("POST", "/api/v1/login", json={"email": email, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        return str(answer.json()["token"])

    def patient(self, token: str, patient_id: str, physio_email: str) -> None:
        answer = self.call("POST", "/api/v1/patients", token, json={"id": patient_id, "physio_email": physio_email})
        assert answer.status_code == 201, answer.text

    def code(self, token: str, patient_id: str) -> str:
        answer = self.call("POST", f"/api/v1/patients/{patient_id}/pairing-codes", token)
        assert answer.status_code == 201, answer.text
        return str(answer.json()["code"])


def run_server(app: Any) -> tuple[str, Callable[[], None]]:
    """Serves ``app`` with uvicorn on a free loopback port in a thread; returns its URL and a stop."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    started = threading.Event()
    while not started.wait(0.02):
        assert thread.is_alive(), "uvicorn stopped before it answered"
        if server.started:
            started.set()

    def stop() -> None:
        server.should_exit = True
        thread.join()
        sock.close()

    return f"http://127.0.0.1:{sock.getsockname()[1]}", stop


@pytest.fixture
def server(clinic_db_url: str) -> Iterator[Server]:
    clock = Clock()
    app = create_app(ClinicConfig(db_url=clinic_db_url, clock=clock))
    upgrade(app.state.engine)
    url, stop = run_server(app)
    with httpx.Client(base_url=url, timeout=30) as http:
        yield Server(url, clinic_db_url, clock, app.state.engine, http, stop)
    stop()
    app.state.engine.dispose()


# --- the schema ------------------------------------------------------------------------------------


def test_upgrade_twice_is_a_noop_and_the_migrated_schema_equals_the_tables(clinic_db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from clinic.tables import metadata

    engine = open_database(ClinicConfig(db_url=clinic_db_url))
    upgrade(engine)  # a second time: nothing to do, nothing fails
    assert current_revision(engine) == "0003"
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
        tables = set(engine.dialect.get_table_names(conn))
    assert {"users", "api_tokens", "patients", "pairing_codes", "devices", "home_rows", "plan_versions"} <= tables
    assert {"messages", "audit_log", "rate_limits", "sync_receipts", "alembic_version", "live_actions"} <= tables
    engine.dispose()


def test_sqlite_is_opened_with_wal_foreign_keys_and_a_busy_timeout_in_an_owner_only_folder(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'clinic' / 'c.sqlite3'}"
    engine = open_database(ClinicConfig(db_url=url))
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
    assert stat.S_IMODE(os.stat(tmp_path / "clinic").st_mode) == 0o700
    for name in ("c.sqlite3", "c.sqlite3-wal", "c.sqlite3-shm"):  # owner-only whatever the umask
        assert stat.S_IMODE(os.stat(tmp_path / "clinic" / name).st_mode) == 0o600, name
    engine.dispose()


def test_database_urls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    monkeypatch.setenv("REHAB_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("REHAB_CLINIC_DB", raising=False)
    assert resolve_db_url(None) == f"sqlite:///{tmp_path / 'home' / 'clinic' / 'clinic.sqlite3'}"
    monkeypatch.setenv("REHAB_CLINIC_DB", "postgresql://x@y/z")
    assert resolve_db_url(None) == "postgresql://x@y/z"
    assert resolve_db_url("sqlite:///given.db") == "sqlite:///given.db"
    with pytest.raises(Exception, match="not supported"):
        create_engine("mysql://x@y/z")


# --- errors are JSON --------------------------------------------------------------------------------


def _one_line_error(answer: httpx.Response, status: int) -> str:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    message = answer.json()["error"]
    assert isinstance(message, str) and message and "\n" not in message and "Traceback" not in message
    return str(message)


def test_every_error_is_one_json_sentence(server: Server) -> None:
    assert "no such endpoint" in _one_line_error(server.call("GET", "/api/v1/nothing"), 404)
    assert "method" in _one_line_error(server.call("DELETE", "/api/v1/login"), 405)
    headers = {"content-type": "application/json"}
    malformed = server.call("POST", "/api/v1/login", content=b'{"email": "a@b.c", "pass', headers=headers)
    assert "not valid" in _one_line_error(malformed, 422)
    wrongly_typed = server.call("POST", "/api/v1/login", json={"email": ["a@b.c"], "password": 12})
    assert "email" in _one_line_error(wrongly_typed, 422)
    assert "password" in _one_line_error(server.call("POST", "/api/v1/login", json={"email": "a@b.c"}), 422)


def test_bodies_over_5_mb_are_refused_with_413_whether_announced_or_streamed(server: Server) -> None:
    big = b"x" * (5 * 1024 * 1024 + 1)
    assert "larger" in _one_line_error(server.call("POST", "/api/v1/pair", content=big), 413)

    def chunks() -> Iterator[bytes]:  # no Content-Length: the server finds out while reading
        for _ in range(6):
            yield b"y" * (1024 * 1024)

    assert "larger" in _one_line_error(server.call("POST", "/api/v1/pair", content=chunks()), 413)
    with server.engine.connect() as conn:  # the limit counted nothing as a pairing attempt
        assert conn.exec_driver_sql("SELECT count(*) FROM rate_limits").scalar() == 0


def test_a_bug_is_a_json_500_without_its_traceback(clinic_db_url: str) -> None:
    app = create_app(ClinicConfig(db_url=clinic_db_url))
    upgrade(app.state.engine)

    @app.get("/api/v1/broken")
    def broken() -> None:
        raise RuntimeError("secret internals")

    url, stop = run_server(app)
    try:
        answer = httpx.get(f"{url}/api/v1/broken")
    finally:
        stop()
        app.state.engine.dispose()
    message = _one_line_error(answer, 500)
    assert "secret" not in message and "RuntimeError" not in answer.text


def test_the_openapi_schema_is_served_and_no_cdn_docs_page(server: Server) -> None:
    schema = server.call("GET", "/api/v1/openapi.json").json()
    assert {"/api/v1/login", "/api/v1/users", "/api/v1/patients", "/api/v1/pair", "/api/v1/audit"} <= set(
        schema["paths"]
    )
    _one_line_error(server.call("GET", "/api/v1/docs"), 404)
    for page in ("/docs", "/redoc"):  # outside the API a person gets the web app's own 404 page
        answer = server.call("GET", page)
        assert answer.status_code == 404 and "Not found" in answer.text and "swagger" not in answer.text.lower()


# --- patients, pairing, devices, audit -------------------------------------------------------------


def test_patients_are_listed_with_their_physio_devices_and_every_read_is_audited(server: Server) -> None:
    admin = server.add_user("admin@clinic.org", "admin")
    physio = server.add_user("ana@clinic.org", "physio", team="knees")
    server.patient(physio, "P-0042", "ana@clinic.org")  # a physio adds their own patient
    server.patient(admin, "P-0043", "ana@clinic.org")
    code = server.code(physio, "P-0042")
    assert server.call("POST", "/api/v1/pair", json={"code": code, "device_name": "kitchen"}).status_code == 201
    listed = server.call("GET", "/api/v1/patients", physio).json()
    assert [(p["id"], p["physio"], p["team"], p["devices"], p["last_sync"]) for p in listed] == [
        ("P-0042", "ana@clinic.org", "knees", 1, None),
        ("P-0043", "ana@clinic.org", "knees", 0, None),
    ]
    assert listed[0]["created_at"] == START.isoformat(timespec="seconds")
    trail = server.call("GET", "/api/v1/audit", admin, params={"patient": "P-0042"}).json()
    assert [(row["actor"], row["action"]) for row in trail] == [
        ("ana@clinic.org", "add patient"),
        ("ana@clinic.org", "make pairing code"),
        (f"device:{_device_ids(server)[0]}", "pair device"),
        ("ana@clinic.org", "list patient"),
    ]
    assert all(row["at"] == START.isoformat(timespec="seconds") for row in trail)
    assert server.call("GET", "/api/v1/audit", physio).status_code == 403  # the log is for admins


def _device_ids(server: Server) -> list[str]:
    with server.engine.connect() as conn:
        return [row[0] for row in conn.exec_driver_sql("SELECT id FROM devices ORDER BY created_at, id")]


def test_a_pairing_code_works_once_then_is_gone(server: Server) -> None:
    admin = server.add_user("admin@clinic.org", "admin")
    server.add_user("ana@clinic.org", "physio")
    server.patient(admin, "P-0042", "ana@clinic.org")
    code = server.code(admin, "P-0042")
    assert len(code) == 9 and code[4] == "-" and not set(code.replace("-", "")) & set("01ILO")
    typed = f" {code.lower().replace('-', ' ')} "  # read over the phone, typed as heard
    paired = server.call("POST", "/api/v1/pair", json={"code": typed, "device_name": "tablet"})
    assert paired.status_code == 201, paired.text
    body = paired.json()
    assert body["patient_id"] == "P-0042" and body["device_id"] == _device_ids(server)[0]
    assert "used already" in _one_line_error(server.call("POST", "/api/v1/pair", json={"code": code}), 410)
    wrong = server.call("POST", "/api/v1/pair", json={"code": "AAAA-BBBB"})
    assert "not right" in _one_line_error(wrong, 400)
    with server.engine.connect() as conn:  # only hashes are kept
        stored = conn.exec_driver_sql("SELECT code_hash FROM pairing_codes").scalar()
        token_hash = conn.exec_driver_sql("SELECT token_hash FROM devices").scalar()
    assert code.replace("-", "") not in stored and body["device_token"] != token_hash


def test_a_pairing_code_expires_after_24_hours(server: Server) -> None:
    admin = server.add_user("admin@clinic.org", "admin")
    server.add_user("ana@clinic.org", "physio")
    server.patient(admin, "P-0042", "ana@clinic.org")
    fresh, stale = server.code(admin, "P-0042"), server.code(admin, "P-0042")
    server.clock.advance(hours=23, minutes=59)
    assert server.call("POST", "/api/v1/pair", json={"code": fresh}).status_code == 201
    server.clock.advance(minutes=1)
    assert "expired" in _one_line_error(server.call("POST", "/api/v1/pair", json={"code": stale}), 410)


def test_pairing_is_rate_limited_per_address(server: Server) -> None:
    admin = server.add_user("admin@clinic.org", "admin")
    server.add_user("ana@clinic.org", "physio")
    server.patient(admin, "P-0042", "ana@clinic.org")
    good = server.code(admin, "P-0042")
    for _ in range(10):
        _one_line_error(server.call("POST", "/api/v1/pair", json={"code": "2222-2222"}), 400)
    assert "too many" in _one_line_error(server.call("POST", "/api/v1/pair", json={"code": good}), 429)
    server.clock.advance(hours=1)  # the next window: the good code still works, once
    assert server.call("POST", "/api/v1/pair", json={"code": good}).status_code == 201


def test_a_revoked_device_token_no_longer_works(server: Server) -> None:
    admin = server.add_user("admin@clinic.org", "admin")
    physio = server.add_user("ana@clinic.org", "physio", team="knees")
    other = server.add_user("bo@clinic.org", "physio", team="hips")
    server.patient(admin, "P-0042", "ana@clinic.org")
    token = server.call("POST", "/api/v1/pair", json={"code": server.code(physio, "P-0042")}).json()["device_token"]
    device_id = _device_ids(server)[0]
    # valid but not staff: 403 (not 401) on a user endpoint
    _one_line_error(server.call("GET", "/api/v1/patients", token), 403)
    _one_line_error(server.call("DELETE", f"/api/v1/devices/{device_id}", other), 403)  # another team's physio
    _one_line_error(server.call("DELETE", f"/api/v1/devices/{device_id}", token), 403)  # the device itself
    assert server.call("DELETE", f"/api/v1/devices/{device_id}", physio).status_code == 204
    _one_line_error(server.call("GET", "/api/v1/patients", token), 401)
    assert server.call("GET", "/api/v1/patients", physio).json()[0]["devices"] == 0
    _one_line_error(server.call("DELETE", "/api/v1/devices/no-such-device", admin), 404)


# --- the command line ------------------------------------------------------------------------------

LAUNCH = "import sys, rehab.app.cli as cli; sys.exit(cli.main(sys.argv[1:]))"


@pytest.fixture
def rehab(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Runs ``rehab ARGS`` in this process, with ``stdin`` as its input: (exit status, stdout, stderr)."""
    from rehab.app import cli

    def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        try:
            status = cli.main(list(args))
        except SystemExit as exit_:  # argparse refusing an option
            status = int(exit_.code or 0)
        out, err = capsys.readouterr()
        return status, out, err

    return run


def test_the_command_line_adds_accounts_patients_and_pairing_codes_on_the_database(server: Server, rehab: Any) -> None:
    db = ("--db", server.db_url)
    assert (
        rehab("clinic", "user", "add", "Boss@Clinic.org", "--role", "admin", "--password-stdin", *db, stdin=PASSWORD)[0]
        == 0
    )
    status, out, _ = rehab("clinic", "user", "add", "ana@clinic.org", "--role", "physio", "--team", "knees",
                           "--password-stdin", *db, stdin=PASSWORD + "\n")  # fmt: skip
    assert status == 0 and "ana@clinic.org can log in as physio in team knees" in out
    assert rehab("clinic", "patient", "add", "P-0042", "--physio", "ana@clinic.org", *db)[0] == 0
    status, out, _ = rehab("clinic", "user", "list", *db)
    assert [line.split("\t")[:3] for line in out.splitlines()] == [
        ["ana@clinic.org", "physio", "knees"],
        ["boss@clinic.org", "admin", "-"],
    ]
    status, out, _ = rehab("clinic", "patient", "list", *db)
    assert out.split("\t")[:4] == ["P-0042", "ana@clinic.org", "knees", "0 device(s)"]
    status, out, _ = rehab("clinic", "pair", "P-0042", *db)
    code = out.split(": ", 1)[1].split()[0]
    assert status == 0 and "single use, valid until" in out
    # what the command line made works against the running server
    admin = server.call("POST", "/api/v1/login", json={"email": "boss@clinic.org", "password": PASSWORD}).json()
    assert admin["role"] == "admin"
    assert server.call("POST", "/api/v1/pair", json={"code": code}).json()["patient_id"] == "P-0042"
    actors = {row["actor"] for row in server.call("GET", "/api/v1/audit", admin["token"]).json()}
    assert any(actor.startswith("cli:") for actor in actors)


def test_command_line_mistakes_are_one_line_and_exit_2(
    server: Server, rehab: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = ("--db", server.db_url)
    server.add_user("ana@clinic.org", "physio")
    mistakes = [
        (("clinic", "user", "add", "x@clinic.org", "--role", "admin", "--password-stdin", *db), "too short"),
        (("clinic", "user", "add", "not-an-email", "--role", "admin", "--password-stdin", *db), "not an email"),
        (("clinic", "user", "add", "ana@clinic.org", "--role", "admin", "--password-stdin", *db), "already"),
        (("clinic", "patient", "add", "P 42", "--physio", "ana@clinic.org", *db), "not allowed"),
        (("clinic", "patient", "add", "P-1", "--physio", "nobody@clinic.org", *db), "no account"),
        (("clinic", "pair", "P-404", *db), "not known"),
        (("clinic", "user", "list", "--db", "mysql://u@h/db"), "not supported"),
        (("clinic", "serve", "--host", "0.0.0.0", *db), "refusing plain HTTP"),
        (("clinic", "serve", "--certfile", "/no/cert.pem", *db), "both --certfile and --keyfile"),
    ]
    for args, expected in mistakes:
        status, out, err = rehab(*args, stdin="short\n" if "x@clinic.org" in args else PASSWORD)
        assert (status, out) == (2, ""), args
        assert expected in err and err.count("\n") == 1 and err.startswith("rehab clinic: "), err
    typed = iter([PASSWORD, PASSWORD + "!"])  # the prompt's second answer differs
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    status, _, err = rehab("clinic", "user", "add", "new@clinic.org", "--role", "physio", *db)
    assert status == 2 and "differ" in err
    assert rehab("clinic", "user", "add", "new@clinic.org", "--role", "boss", "--password-stdin", *db)[0] == 2


def _serve(tmp_path: Path, *args: str) -> tuple[subprocess.Popen[bytes], str]:
    """``rehab clinic serve`` in a subprocess on a free port; waits until it answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (tmp_path / "serve.log").open("wb")
    argv = [sys.executable, "-c", LAUNCH, "clinic", "serve", "--port", str(port), *args]
    process = subprocess.Popen(argv, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    scheme = "https" if "--certfile" in args else "http"
    url = f"{scheme}://127.0.0.1:{port}"
    while True:
        assert process.poll() is None, (tmp_path / "serve.log").read_text()
        try:
            httpx.get(f"{url}/api/v1/openapi.json", verify=False, timeout=5)
            return process, url
        except httpx.TransportError:
            threading.Event().wait(0.1)


def test_serve_upgrades_the_schema_and_serves_http_and_tls(tmp_path: Path, clinic_db_url: str) -> None:
    process, url = _serve(tmp_path, "--db", clinic_db_url)
    try:
        assert httpx.post(f"{url}/api/v1/login", json={"email": "a@b.cd", "password": "x"}).status_code == 401
    finally:
        process.terminate()
        process.wait()
    engine = create_engine(clinic_db_url)
    assert current_revision(engine) == "0003"
    engine.dispose()
    cert, key = self_signed_certificate(tmp_path)
    process, url = _serve(
        tmp_path, "--db", clinic_db_url, "--host", "127.0.0.1", "--certfile", str(cert), "--keyfile", str(key)
    )
    try:
        answer = httpx.get(f"{url}/api/v1/openapi.json", verify=ssl.create_default_context(cafile=str(cert)))
        assert answer.status_code == 200 and answer.json()["info"]["title"] == "rehab clinic"
    finally:
        process.terminate()
        process.wait()

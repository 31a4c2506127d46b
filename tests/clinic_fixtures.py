"""A real PostgreSQL and a real clinic server for the clinic tests (and the clinic benchmark).

PostgreSQL refuses to run as root, and CI runs as root, so the cluster is created and started as an
unprivileged system user (``postgres`` when it exists, else ``nobody``) through ``runuser``, in a
temporary folder that user owns, listening only on 127.0.0.1 with its socket in that folder. The
start and stop are plain functions (``start_postgres``/``PostgresServer.stop``) so that
benchmarks/bench_clinic.py can use the same code outside pytest.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

PG_GLOB = "/usr/lib/postgresql/*/bin"


class PostgresMissing(RuntimeError):
    """PostgreSQL's server binaries are not installed here (or cannot be run as a non-root user)."""


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL bin folder with ``pg_ctl`` (Debian's layout), else None."""
    found = [Path(p) for p in glob.glob(PG_GLOB) if (Path(p) / "pg_ctl").exists()]
    found.sort(key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    return found[-1] if found else None


def free_port() -> int:
    """A loopback TCP port nobody listens on now (bound and released; the caller binds it next)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run_as_user() -> str | None:
    """The user to run PostgreSQL as: None when we are not root (run as ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise PostgresMissing("running as root and neither a 'postgres' nor a 'nobody' user exists")


@dataclass(frozen=True)
class PostgresServer:
    """A running throw-away PostgreSQL cluster; ``url(db)`` names a database on it."""

    bindir: Path
    folder: Path
    port: int
    user: str  # the database superuser (the OS user that ran initdb)
    run_as: str | None

    def _cmd(self, *args: str) -> list[str]:
        return ["runuser", "-u", self.run_as, "--", *args] if self.run_as else list(args)

    def url(self, database: str) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Creates an empty database and returns its URL."""
        createdb = str(self.bindir / "createdb")
        cmd = self._cmd(createdb, "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, name)
        subprocess.run(cmd, check=True, capture_output=True, text=True)
        return self.url(name)

    def stop(self) -> None:
        """Stops the cluster at once (fast mode) and removes its folder."""
        pg_ctl = str(self.bindir / "pg_ctl")
        subprocess.run(
            self._cmd(pg_ctl, "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop"),
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def _prepare_folder(run_as: str | None) -> Path:
    """A temporary folder the PostgreSQL user owns (initdb refuses a data folder it cannot own)."""
    folder = Path(tempfile.mkdtemp(prefix="rehab-pg-"))
    if run_as:
        entry = pwd.getpwnam(run_as)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    return folder


def start_postgres() -> PostgresServer:
    """Creates and starts a fresh cluster on a free loopback port; raises PostgresMissing when the
    binaries are absent, CalledProcessError (with PostgreSQL's own message) when they fail."""
    bindir = postgres_bin()
    if bindir is None:
        raise PostgresMissing(f"PostgreSQL server binaries not found ({PG_GLOB}/pg_ctl); install Debian's 'postgresql'")
    run_as = _run_as_user()
    folder = _prepare_folder(run_as)
    user = run_as or pwd.getpwuid(os.geteuid()).pw_name
    server = PostgresServer(bindir=bindir, folder=folder, port=free_port(), user=user, run_as=run_as)
    data = str(folder / "data")
    initdb = [str(bindir / "initdb"), "-D", data, "-U", user, "-A", "trust", "-E", "UTF8", "--no-sync"]
    options = f"-c listen_addresses=127.0.0.1 -p {server.port} -k {folder} -c fsync=off"
    start = [str(bindir / "pg_ctl"), "-D", data, "-l", str(folder / "log"), "-o", options, "-w", "start"]
    try:
        subprocess.run(server._cmd(*initdb), check=True, capture_output=True, text=True)
        subprocess.run(server._cmd(*start), check=True, capture_output=True, text=True)
    except subprocess.CalledProcessError as error:
        log = (folder / "log").read_text(errors="replace") if (folder / "log").exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {error.stderr or ''}{log}") from error
    return server


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL cluster for the whole test session; skipped (with the reason) where the
    binaries are missing. tests/test_clinic_postgres.py fails instead when CI requires them."""
    try:
        server = start_postgres()
    except PostgresMissing as missing:
        pytest.skip(str(missing))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> str:
    """The URL of a database created for this test session, e.g. postgresql://postgres@127.0.0.1:PORT/rehab_test."""
    return postgres_server.create_database("rehab_test")


_databases = iter(range(1, 1_000_000))


@pytest.fixture(params=["sqlite", "postgresql"])
def clinic_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty clinic database URL, once on SQLite and once on the session's PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'clinic' / 'clinic.sqlite3'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database(f"clinic_{next(_databases)}")


@pytest.fixture
def clinic_engine(clinic_db_url: str) -> Iterator[Any]:
    """An SQLAlchemy engine on a fresh clinic database with the schema migrated (clinic.db.open_database)."""
    from clinic.config import ClinicConfig
    from clinic.db import open_database

    engine = open_database(ClinicConfig(db_url=clinic_db_url))
    try:
        yield engine
    finally:
        engine.dispose()


# -- a running clinic server ------------------------------------------------------------------------

#: run in the server's own process: ``rehab clinic serve`` with this interpreter
_SERVE = "import sys; from rehab.app import cli; sys.exit(cli.main(sys.argv[1:]))"
ADMIN_EMAIL = "admin@clinic.test"
PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class Account:
    email: str
    role: str
    team: str | None
    token: str


@dataclass(frozen=True)
class ClinicServer:
    """A real ``rehab clinic serve`` on a loopback port, with helpers that use its HTTP API."""

    url: str
    db_url: str
    admin_token: str
    process: subprocess.Popen[bytes]
    log: Path

    def request(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> Any:
        """One HTTP request (httpx.Response); ``token`` goes in the Authorization header."""
        import httpx

        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.request(method, self.url + path, headers=headers, timeout=60, **kwargs)

    def _ok(self, method: str, path: str, token: str | None, body: dict[str, Any]) -> dict[str, Any]:
        answer = self.request(method, path, token, json=body)
        assert answer.status_code < 300, f"{method} {path}: {answer.status_code} {answer.text}"
        result: dict[str, Any] = answer.json()
        return result

    def login(self, email: str, password: str = PASSWORD) -> str:
        return login(self.url, email, password)

    def user(self, email: str, role: str, team: str | None = None) -> Account:
        """A new account (made by the admin through the API), logged in."""
        self._ok(
            "POST",
            "/api/v1/users",
            self.admin_token,
            {"email": email, "role": role, "team": team, "password": PASSWORD},
        )
        return Account(email, role, team, self.login(email))

    def physio(self, email: str, team: str | None = None) -> Account:
        return self.user(email, "physio", team)

    def patient(self, patient_id: str, physio_email: str) -> str:
        self._ok("POST", "/api/v1/patients", self.admin_token, {"id": patient_id, "physio_email": physio_email})
        return patient_id

    def pairing_code(self, patient_id: str) -> str:
        return str(self._ok("POST", f"/api/v1/patients/{patient_id}/pairing-codes", self.admin_token, {})["code"])

    def pair(self, patient_id: str, device_name: str = "home") -> str:
        """A device token for the patient, as ``rehab link`` gets it (the API allows 10 an hour per address)."""
        code = self.pairing_code(patient_id)
        return str(self._ok("POST", "/api/v1/pair", None, {"code": code, "device_name": device_name})["device_token"])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


def _wait_until_answering(url: str, process: subprocess.Popen[bytes], log: Path, verify: Any = True) -> None:
    """Polls the OpenAPI schema until the server answers; fails with its log if it exits first.
    ``verify``: how httpx checks a TLS server's certificate (an ``ssl.SSLContext`` for one made here)."""
    import httpx

    for _ in range(600):
        if process.poll() is not None:
            raise RuntimeError(f"the clinic server exited ({process.returncode}):\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(url + "/api/v1/openapi.json", timeout=5, verify=verify).status_code == 200:
                return
        except httpx.TransportError:
            pass
        process_wait(process, 0.1)
    process.kill()
    raise RuntimeError(f"the clinic server did not answer in a minute:\n{log.read_text(errors='replace')}")


def login(url: str, email: str, password: str = PASSWORD) -> str:
    """A user's API token (POST /api/v1/login)."""
    import httpx

    answer = httpx.post(url + "/api/v1/login", json={"email": email, "password": password}, timeout=60)
    assert answer.status_code == 200, f"login {email}: {answer.status_code} {answer.text}"
    return str(answer.json()["token"])


def process_wait(process: subprocess.Popen[bytes], seconds: float) -> None:
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(seconds)


def _add_admin(db_url: str) -> None:
    """The first admin, as ``rehab clinic user add`` makes it on the server (the schema upgraded first)."""
    from clinic.accounts import add_user
    from clinic.config import ClinicConfig
    from clinic.db import open_database

    engine = open_database(ClinicConfig(db_url=db_url))
    try:
        with engine.begin() as conn:
            add_user(conn, ADMIN_EMAIL, "admin", PASSWORD)
    finally:
        engine.dispose()


def start_clinic_server(db_url: str, folder: Path) -> ClinicServer:
    """Starts ``rehab clinic serve`` on a free loopback port against ``db_url`` (a fresh database),
    with an admin account, and returns once it answers. ``folder`` holds the home and the log."""
    import sys

    _add_admin(db_url)
    port = free_port()
    log = folder / "clinic-server.log"
    folder.mkdir(parents=True, exist_ok=True)
    argv = ["--home", str(folder / "server-home"), "clinic", "serve", "--port", str(port), "--db", db_url]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-c", _SERVE, *argv], stdout=out, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering(url, process, log)
        return ClinicServer(url, db_url, login(url, ADMIN_EMAIL), process, log)
    except BaseException:
        process.kill()
        process.wait()
        raise


@pytest.fixture
def clinic_server(clinic_db_url: str, tmp_path: Path) -> Iterator[ClinicServer]:
    """A running clinic server on a fresh database, once on SQLite and once on PostgreSQL: ``.url``,
    ``.db_url``, ``.admin_token``, ``.physio(email, team)``, ``.patient(id, physio_email)``,
    ``.pairing_code(patient)``, ``.pair(patient)``, ``.request(method, path, token, ...)``."""
    server = start_clinic_server(clinic_db_url, tmp_path / "clinic-server")
    try:
        yield server
    finally:
        server.stop()


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate and key for 127.0.0.1 (openssl, one day), for a server with TLS in a test."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def actions_reaching_home(live: Any) -> list[Any]:
    """The physio's actions a home's LiveShare took in, once at least one has (at most a minute)."""
    deadline = time.monotonic() + 60.0
    while not live.waiting_actions and time.monotonic() < deadline:
        time.sleep(0.01)
    return list(live.take_actions())

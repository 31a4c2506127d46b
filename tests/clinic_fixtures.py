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

"""The throw-away PostgreSQL the clinic tests run against: it starts as a non-root user, listens on
loopback only, and is required (a failure, not a skip) where CI says so."""

from __future__ import annotations

import os

import psycopg
import pytest

from tests.clinic_fixtures import PostgresServer, postgres_bin


def _postgres_required() -> bool:
    """CI (env CI, set by the CI runner) or REHAB_REQUIRE_POSTGRES=1 (set by .ci/run) running as root,
    where `make test` installs PostgreSQL: its absence there is a broken build, not a skip."""
    asked = os.environ.get("REHAB_REQUIRE_POSTGRES") == "1" or os.environ.get("CI", "") not in ("", "0", "false")
    return asked and os.geteuid() == 0


def test_postgres_is_installed_where_ci_requires_it() -> None:
    if not _postgres_required():
        pytest.skip("PostgreSQL is required only as root under CI or REHAB_REQUIRE_POSTGRES=1")
    assert postgres_bin() is not None, "PostgreSQL server binaries missing: `make test` should have installed them"


def test_postgres_answers_on_loopback_and_runs_as_a_non_root_user(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    assert postgres_url.startswith(f"postgresql://{postgres_server.user}@127.0.0.1:{postgres_server.port}/")
    with psycopg.connect(postgres_url) as conn:
        listen = conn.execute("show listen_addresses").fetchone()
        owner = conn.execute("select usename from pg_user where usesuper").fetchone()
        conn.execute("create table t (x int)")
        conn.execute("insert into t values (42)")
        assert conn.execute("select x from t").fetchone() == (42,)
    assert listen == ("127.0.0.1",)
    assert owner is not None and owner[0] != "root"

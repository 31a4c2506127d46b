"""Reports on the clinic server: the rows a home pushed, rebuilt into a store, give the very report
the home makes (same numbers), through ``clinic.patient_store``, the API and ``rehab clinic report``."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import sqlalchemy as sa

from clinic import tables
from clinic.patient_store import materialize
from progress.reports.data import load_report
from progress.store import Store
from rehab.sim.history import make_history

PATIENT = "P-0042"
NOW = "2026-03-01T12:00:00+00:00"


def home_store(days: int = 42, kind: str = "mixed") -> Store:
    store = Store.memory()
    make_history(store, PATIENT, date(2026, 1, 5), days=days, kind=kind)
    return store


def rows_for_sync(store: Store) -> list[dict[str, Any]]:
    """What the home pushes: each queued row once, at its newest version (B1's serialiser)."""
    newest: dict[tuple[str, str], int] = {}
    for entry in store.outbox_after(0, 10**9):
        newest[(entry.kind, entry.uuid)] = entry.seq
    rows = []
    for (kind, uuid), seq in newest.items():
        body = store.row_for_sync(kind, uuid)
        assert body is not None
        rows.append({"kind": kind, "uuid": uuid, "seq": seq, "client_time": NOW, "body": body})
    return rows


def store_rows_on_server(conn: sa.Connection, rows: list[dict[str, Any]], patient: str = PATIENT) -> None:
    """The rows as the sync endpoint stores them (a physio, the patient, a device, home_rows)."""
    user = conn.execute(
        sa.insert(tables.users).values(
            email=f"physio-{patient}@x.org", password_hash="-", role="physio", created_at=NOW
        )
    ).inserted_primary_key
    assert user is not None
    conn.execute(sa.insert(tables.patients).values(id=patient, physio_id=user[0], created_at=NOW))
    device = f"00000000-0000-4000-8000-{abs(hash(patient)) % 10**12:012d}"
    conn.execute(
        sa.insert(tables.devices).values(id=device, patient_id=patient, token_hash=device, name="home", created_at=NOW)
    )
    for row in rows:
        values = {**row, "body": json.dumps(row["body"]), "patient_id": patient, "device_id": device}
        conn.execute(sa.insert(tables.home_rows).values(**values, received_at=NOW))


def test_the_server_report_equals_the_home_report(clinic_engine: sa.Engine) -> None:
    home = home_store()
    rows = rows_for_sync(home)
    assert {row["kind"] for row in rows} >= {"plans", "visits", "sessions", "sets", "reps", "ratings", "streams"}
    with clinic_engine.begin() as conn:
        store_rows_on_server(conn, list(reversed(rows)))  # arrival order must not matter
    with clinic_engine.connect() as conn:
        server = materialize(conn, PATIENT)
    at_home = load_report(home, PATIENT, NOW)
    on_server = load_report(server, PATIENT, NOW)
    assert on_server.sessions and on_server.visits and on_server.reps and on_server.outcomes
    assert on_server == at_home  # every number, every row, every plan version, the adherence
    streams = server.db.execute("select count(*), sum(length(t)) from streams").fetchone()
    assert streams == home.db.execute("select count(*), sum(length(t)) from streams").fetchone()


def test_each_patient_is_rebuilt_from_their_own_rows_only(clinic_engine: sa.Engine) -> None:
    other = Store.memory()
    make_history(other, "P-0007", date(2026, 2, 2), days=14, kind="mental", seed=5)
    with clinic_engine.begin() as conn:
        store_rows_on_server(conn, rows_for_sync(home_store(days=14, kind="physical")))
        store_rows_on_server(conn, rows_for_sync(other), patient="P-0007")
    with clinic_engine.connect() as conn:
        mine, theirs = materialize(conn, PATIENT), materialize(conn, "P-0007")
    assert "mental" not in {s.kind for s in mine.sessions(PATIENT)}
    assert {s.kind for s in theirs.sessions("P-0007")} == {"mental"}
    assert [p.id for p in mine.patients()] == [PATIENT]
    assert load_report(theirs, "P-0007", NOW) == load_report(other, "P-0007", NOW)

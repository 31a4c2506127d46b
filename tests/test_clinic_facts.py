"""The clinic's per-session facts (what the caseload and patient pages read) equal what the home's
own store says of each session, however the rows arrive: in one push, in many, or children first.
On SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import sqlalchemy as sa

from clinic import auth, facts, tables
from clinic.api_sync import PushBatch, store_batch
from progress.store import Store
from rehab.sim.history import make_history
from tests.test_clinic_reports import NOW, PATIENT, rows_for_sync, store_rows_on_server

DEVICE = "00000000-0000-4000-8000-000000000042"


def _device(conn: sa.Connection) -> auth.Principal:
    """The patient, their physio and a paired device, as pairing leaves them."""
    store_rows_on_server(conn, [])
    conn.execute(sa.update(tables.devices).values(id=DEVICE))
    return auth.Principal("device", DEVICE, f"device:{DEVICE}", "device", None, PATIENT)


def _push(conn: sa.Connection, who: auth.Principal, rows: list[dict[str, Any]], number: int) -> None:
    batch = PushBatch.model_validate(
        {"batch_id": f"00000000-0000-4000-8000-{number:012d}", "device_time": NOW, "rows": rows}
    )
    store_batch(conn, who, batch, NOW)


def _expected(store: Store) -> dict[str, dict[str, Any]]:
    """Each session's facts from the home store itself, by plain SQL."""
    q = store.db.conn.execute
    found = {}
    for sid, uuid, status, movement in q("select id, uuid, status, movement from sessions"):
        reps = q("select count(*), max(peak_deg), sum(success) from reps where session_id = ?", [sid]).fetchone()
        before = q(
            "select value from ratings where session_id = ? and kind = 'pain' and moment = 'before' "
            "order by at, t desc limit 1",
            [sid],
        ).fetchone()
        found[uuid] = {
            "status": status,
            "movement": movement,
            "reps": reps[0],
            "best_peak_deg": None if reps[1] is None else round(reps[1], 6),
            "reps_on_target": reps[2] or 0,
            "pain_before": None if before is None else float(before[0]),
        }
    return found


def _stored(conn: sa.Connection) -> dict[str, dict[str, Any]]:
    f = tables.session_facts
    rows = conn.execute(sa.select(f).where(f.c.patient_id == PATIENT)).mappings().all()
    return {
        row["uuid"]: {
            "status": row["status"],
            "movement": row["movement"],
            "reps": row["reps"],
            "best_peak_deg": None if row["best_peak_deg"] is None else round(row["best_peak_deg"], 6),
            "reps_on_target": row["reps_on_target"],
            "pain_before": row["pain_before"],
        }
        for row in rows
    }


def test_facts_equal_the_home_store_whatever_order_the_rows_arrive_in(clinic_engine: sa.Engine) -> None:
    store = Store.memory()
    make_history(store, PATIENT, date(2026, 1, 5), days=21, kind="mixed")
    rows = rows_for_sync(store)
    random.Random(7).shuffle(rows)  # reps before their session, sessions before their reps
    with clinic_engine.begin() as conn:
        who = _device(conn)
        for number, start in enumerate(range(0, len(rows), 97)):
            _push(conn, who, rows[start : start + 97], number)
        stored = _stored(conn)
    expected = _expected(store)
    assert len(expected) > 20 and stored == expected
    assert any(v["pain_before"] is not None for v in stored.values())


def test_missing_facts_are_built_from_the_synced_rows(clinic_engine: sa.Engine) -> None:
    """An upgraded clinic (rows synced before the facts existed) gets them at the next start."""
    store = Store.memory()
    make_history(store, PATIENT, date(2026, 1, 5), days=10, kind="physical")
    with clinic_engine.begin() as conn:
        _push(conn, _device(conn), rows_for_sync(store), 1)
        conn.execute(sa.delete(tables.session_facts))
        assert facts.refresh_missing(conn, NOW) == len(_expected(store))
        assert _stored(conn) == _expected(store)
        assert facts.refresh_missing(conn, NOW) == 0

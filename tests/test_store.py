import os
import sqlite3
import stat

import pytest

from progress.store import SCHEMA_VERSION, Store, StoreError
from rehab.core.types import RepMetrics


def rep(index: int, peak: float = 120.0) -> RepMetrics:
    return RepMetrics(
        index=index,
        t_start=1.0 * index,
        t_end=1.0 * index + 2.5,
        start_deg=10.0,
        peak_deg=peak,
        rom_deg=peak - 10.0,
        hold_s=1.0,
        duration_s=2.5,
        peak_velocity_dps=180.0,
        target_deg=120.0,
        success=peak >= 120.0,
    )


def start(store: Store) -> int:
    return store.start_session(
        "P-1", "2026-11-25T10:00:00+00:00", "lift", "elbow_flexion_left", "left", "replay:x.jsonl", 120.0
    )


def test_session_and_reps_round_trip_in_memory():
    store = Store.memory()
    session_id = start(store)
    store.add_rep(session_id, rep(1, 125.0))
    store.add_rep(session_id, rep(2, 110.0))
    store.finish_session(session_id, "2026-11-25T10:05:00+00:00")
    rows = store.reps(session_id)
    assert [(r["rep_index"], r["peak_deg"], r["success"]) for r in rows] == [(1, 125.0, 1), (2, 110.0, 0)]
    assert store.session(session_id)["status"] == "completed"
    assert [p["id"] for p in store.patients()] == ["P-1"]
    assert store.schema_version == SCHEMA_VERSION


def test_a_rep_is_on_disk_the_moment_it_is_added(tmp_path):
    path = tmp_path / "rehab.sqlite3"
    store = Store.open(path)
    session_id = start(store)
    store.add_rep(session_id, rep(1))
    # a second connection (as after a crash) sees the rep although the session never finished
    other = sqlite3.connect(path)
    assert other.execute("select count(*) from reps").fetchone()[0] == 1
    assert other.execute("select status from sessions").fetchone()[0] == "in_progress"
    other.close()
    store.close()


def test_database_file_is_private_and_in_wal_mode(tmp_path):
    path = tmp_path / "home" / "rehab.sqlite3"
    store = Store.open(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()


def test_newer_schema_is_refused_and_left_unchanged(tmp_path):
    path = tmp_path / "rehab.sqlite3"
    Store.open(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer rehab"):
        Store.open(path)
    assert path.read_bytes() == before


def test_not_a_database_gives_a_clear_error(tmp_path):
    path = tmp_path / "rehab.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a rehab database"):
        Store.open(path)


def test_reopening_keeps_data_and_does_not_migrate_again(tmp_path):
    path = tmp_path / "rehab.sqlite3"
    store = Store.open(path)
    session_id = start(store)
    store.add_rep(session_id, rep(1))
    store.close()
    again = Store.open(path)
    assert len(again.reps(session_id)) == 1
    assert again.schema_version == SCHEMA_VERSION
    again.close()


def test_migrates_a_version_1_database_without_losing_reps(tmp_path):
    from progress.store import MIGRATIONS

    path = tmp_path / "rehab.sqlite3"
    import sqlite_utils

    old = sqlite_utils.Database(path)
    MIGRATIONS[0](old)
    old.execute("PRAGMA user_version = 1")
    old.table("patients").insert({"id": "P-1", "created_at": "2026-01-01"})
    old.table("sessions").insert(
        {
            "id": 1,
            "patient_id": "P-1",
            "started_at": "2026-01-01",
            "game": "lift",
            "movement": "elbow_flexion_left",
            "status": "completed",
        }
    )
    old.table("reps").insert({"session_id": 1, "rep_index": 1, "peak_deg": 101.0, "success": 0})
    old.close()
    store = Store.open(path)
    assert store.schema_version == SCHEMA_VERSION
    assert store.reps(1)[0].peak_deg == 101.0
    store.add_rep(1, rep(2))
    assert store.reps(1)[1].compensations == ()
    store.close()

import math
import sqlite3

import pytest
import sqlite_utils
from hypothesis import given, settings
from hypothesis import strategies as st

from progress.store import MIGRATIONS, SCHEMA_VERSION, RepTally, Store, StoreError
from rehab.core.types import DeviceStatus, RepMetrics

AT = "2026-11-25T10:00:00+00:00"


def test_migrates_a_version_2_database_keeping_reps_and_adding_the_new_tables(tmp_path):
    path = tmp_path / "rehab.sqlite3"
    old = sqlite_utils.Database(path)
    MIGRATIONS[0](old)
    MIGRATIONS[1](old)
    old.execute("PRAGMA user_version = 2")
    old.table("patients").insert({"id": "P-1", "created_at": AT})
    old.table("sessions").insert(
        {
            "id": 1,
            "patient_id": "P-1",
            "started_at": AT,
            "game": "lift",
            "movement": "elbow_flexion_left",
            "status": "completed",
        }
    )
    old.table("reps").insert(
        {
            "session_id": 1,
            "rep_index": 1,
            "peak_deg": 101.5,
            "success": 0,
            "smoothness_sparc": -1.7,
            "compensations": "trunk_lean",
            "over_ceiling": 0,
        }
    )
    old.close()
    store = Store.open(path)
    assert store.schema_version == SCHEMA_VERSION >= 3
    assert store.reps(1)[0]["peak_deg"] == 101.5 and store.reps(1)[0].compensations == ("trunk_lean",)
    assert store.session(1)["kind"] is None  # old sessions read as physical in reports
    for table in ("plans", "sets", "ratings", "calibrations", "device_events", "streams", "meta"):
        assert store.db.table(table).exists()
    store.add_rating("P-1", AT, "pain", 4, session_id=1, moment="before")
    assert store.ratings("P-1")[0]["value"] == 4
    assert store.integrity_problems() == []
    store.close()


def test_plan_versions_are_numbered_and_never_overwritten():
    store = Store.memory()
    assert store.add_plan_version("P-1", AT, "2026-11-01", 5, {"goals_deg": {"elbow_flexion_left": 130}}) == 1
    assert store.add_plan_version("P-1", AT, "2026-12-01", 6, {"goals_deg": {"elbow_flexion_left": 140}}) == 2
    versions = store.plan_versions("P-1")
    assert [(v["version"], v["sessions_per_week"], v["body"]["goals_deg"]["elbow_flexion_left"]) for v in versions] == [
        (1, 5, 130),
        (2, 6, 140),
    ]
    session_id = store.start_session("P-1", AT, "lift", "elbow_flexion_left", "left", "sim:", 120.0)
    store.set_session_plan(session_id, 2)
    assert store.session(session_id)["plan_id"] == versions[1]["id"]
    try:
        store.set_session_plan(session_id, 9)
    except StoreError as error:
        assert "no plan version 9" in str(error)
    else:
        raise AssertionError("an unknown plan version was accepted")


def test_ratings_outside_their_scale_are_refused():
    store = Store.memory()
    for kind, value in (("pain", 11), ("suds", -1), ("mood", 3)):
        try:
            store.add_rating("P-1", AT, kind, value)
        except StoreError:
            continue
        raise AssertionError(f"{kind}={value} was accepted")
    assert store.ratings("P-1") == []


def test_device_events_sets_and_calibrations_round_trip():
    store = Store.memory()
    session_id = store.start_session("P-1", AT, "lift", "elbow_flexion_left", "left", "witmotion:/dev/x", 120.0)
    set_id = store.start_set(session_id, 1, "elbow_flexion_left", 10, 0.5)
    store.finish_set(set_id, 60.0)
    events = [DeviceStatus(1.0, "imu", "connected"), DeviceStatus(7.5, "imu", "lost", "unplugged")]
    for event in events:
        store.add_device_event(session_id, event)
    store.add_calibration("P-1", AT, "elbow_flexion_left", 5.0, 128.0, "sim:")
    assert store.device_events(session_id) == events
    assert store.sets(session_id)[0]["t_end"] == 60.0 and store.sets(session_id)[0]["prescribed_reps"] == 10
    assert store.calibrations("P-1")[0]["max_deg"] == 128.0


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(finite, st.floats(min_value=-400, max_value=400, allow_nan=False, width=32)), max_size=300))
def test_streams_round_trip_exactly(samples):
    store = Store.memory()
    session_id = store.start_session("P-1", AT, "lift", "elbow_flexion_left", "left", "sim:", 120.0)
    store.add_stream(session_id, "elbow_flexion_left", "deg", [t for t, _ in samples], [v for _, v in samples])
    (stream,) = store.streams(session_id)
    # timestamps are float64 (exact); angles float32 (exact for values that are float32 already)
    assert stream.t == tuple(t for t, _ in samples)
    assert stream.values == tuple(v for _, v in samples)
    assert stream.unit == "deg"


rep_metrics = st.builds(
    RepMetrics,
    index=st.integers(1, 10_000),
    t_start=finite,
    t_end=finite,
    start_deg=finite,
    peak_deg=finite,
    rom_deg=finite,
    hold_s=finite,
    duration_s=finite,
    peak_velocity_dps=finite,
    target_deg=finite,
    success=st.booleans(),
    smoothness_sparc=st.floats(allow_infinity=False),
    compensations=st.lists(st.sampled_from(["trunk_lean", "hip_hike", "shoulder_shrug"]), unique=True).map(tuple),
    over_ceiling=st.booleans(),
)


@settings(max_examples=80, deadline=None)
@given(rep_metrics)
def test_rep_metrics_round_trip_through_the_store(rep):
    store = Store.memory()
    session_id = store.start_session("P-1", AT, "lift", "elbow_flexion_left", "left", "sim:", 120.0)
    store.add_rep(session_id, rep)
    (row,) = store.reps(session_id)
    for name in (
        "t_start",
        "t_end",
        "start_deg",
        "peak_deg",
        "rom_deg",
        "hold_s",
        "duration_s",
        "peak_velocity_dps",
        "target_deg",
    ):
        assert row[name] == getattr(rep, name)
    assert row["rep_index"] == rep.index and bool(row["success"]) == rep.success
    assert bool(row["over_ceiling"]) == rep.over_ceiling
    assert row.compensations == rep.compensations
    # SQLite stores NaN as NULL: unknown smoothness stays unknown
    assert (
        (row["smoothness_sparc"] is None)
        if math.isnan(rep.smoothness_sparc)
        else (row["smoothness_sparc"] == rep.smoothness_sparc)
    )


def test_backup_is_a_complete_private_copy_while_the_store_is_open(tmp_path):
    import os
    import stat

    store = Store.open(tmp_path / "rehab.sqlite3")
    session_id = store.start_session("P-1", AT, "lift", "elbow_flexion_left", "left", "sim:", 120.0)
    store.add_rep(session_id, RepMetrics(1, 0, 1, 5, 100, 95, 1, 1, 90, 120, False))
    out = tmp_path / "backup.sqlite3"
    store.backup(out)
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    copy = sqlite3.connect(out)
    assert copy.execute("select peak_deg from reps").fetchall() == [(100.0,)]
    assert copy.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    copy.close()
    assert not list(tmp_path.glob(".*partial"))
    store.close()


def test_integrity_check_reports_a_dangling_rep(tmp_path):
    store = Store.open(tmp_path / "rehab.sqlite3")
    store.db.execute("PRAGMA foreign_keys=OFF")
    store.db.execute("insert into reps (session_id, rep_index) values (99, 1)")
    store.db.conn.commit()
    assert any("reps" in problem and "sessions" in problem for problem in store.integrity_problems())
    store.close()


@pytest.fixture(params=["file", "memory"])
def any_store(request, tmp_path):
    store = Store.open(tmp_path / "rehab.sqlite3") if request.param == "file" else Store.memory()
    yield store
    store.close()


def test_a_recording_ends_its_set_and_keeps_streams_and_events_in_one_commit(any_store):
    store = any_store
    session_id = store.start_session("P-1", AT, "lift", "elbow_flexion_left", "left", "sim:", 120.0, kind="physical")
    set_id = store.start_set(session_id, 1, "elbow_flexion_left", 10, 0.5)
    channels = {"elbow_flexion_left": ([0.5, 0.6, 0.7], [10.0, 55.5, 120.25]), "breathing_rate": ([1.0], [6.0])}
    events = [DeviceStatus(0.5, "sim:lift", "connected"), DeviceStatus(0.7, "sim:lift", "lost", "unplugged")]
    store.add_recording(session_id, channels, events, set_id=set_id, set_end=0.7)
    assert [(s.name, s.unit, s.set_id, s.t, s.values) for s in store.streams(session_id)] == [
        ("elbow_flexion_left", "deg", set_id, (0.5, 0.6, 0.7), (10.0, 55.5, 120.25)),
        ("breathing_rate", "1/min", set_id, (1.0,), (6.0,)),
    ]
    assert store.device_events(session_id) == events
    assert store.exercise_progress(session_id).sets[0].t_end == 0.7
    with pytest.raises(StoreError, match="2 timestamps but 1 values"):
        store.add_recording(session_id, {"x": ([0.0, 1.0], [1.0])}, events)
    assert len(store.device_events(session_id)) == 2  # the failed recording left nothing behind


def test_rows_are_frozen_and_typed(any_store):
    store = any_store
    session_id = store.start_session("P-1", AT, "lift", "elbow_flexion_left", "left", "sim:", 120.0)
    store.add_rep(session_id, RepMetrics(1, 0, 1, 5, 130, 125, 1, 1, 90, 120, True, math.nan, ("trunk_lean",), True))
    (rep,) = store.reps(session_id)
    assert rep.success is True and rep.over_ceiling is True and rep.compensations == ("trunk_lean",)
    assert rep.smoothness_sparc is None  # NaN is stored as NULL: unknown stays unknown
    assert rep.stored_values()[-3:] == (None, "trunk_lean", 1)  # as the database holds them
    with pytest.raises(AttributeError):
        rep.peak_deg = 1.0  # type: ignore[misc]
    assert store.session(session_id).kind is None and store.session(session_id)["status"] == "in_progress"


def test_what_a_guided_session_and_a_report_read_in_one_query_each(any_store):
    store = any_store
    assert store.add_plan_version("P-1", AT, "2026-11-01", 5, {"plan": {}, "goals_deg": {}}) == 1
    plan = store.latest_plan_version("P-1")
    assert plan is not None and store.plan_version_by_id(plan.id) == plan and store.latest_plan_version("P-2") is None
    first = store.start_session("P-1", AT, "lift", "elbow_flexion_left", "left", "sim:", 120.0, plan.id, "physical")
    later = store.start_session("P-1", "2026-11-27T09:00:00+00:00", "lift", "elbow_flexion_left", "", "sim:", 1.0)
    for index, success in ((1, True), (2, False)):
        store.add_rep(first, RepMetrics(index, 0, 1, 5, 130, 125, 1, 1, 90, 120, success, over_ceiling=success))
    store.add_rating("P-1", AT, "pain", 3, session_id=first, moment="before")
    store.add_calibration("P-1", AT, "elbow_flexion_left", 5.0, 128.0, "sim:")
    assert store.rep_tallies([first, later]) == {first: RepTally(2, 1, 1)}
    assert [r.value for r in store.session_ratings([first, later], "pain", "before")] == [3]
    assert store.latest_calibration("P-1", "elbow_flexion_left", AT).max_deg == 128.0  # type: ignore[union-attr]
    assert store.latest_calibration("P-1", "elbow_flexion_left", "2026-11-26") is None
    store.start_set(first, 1, "elbow_flexion_left", 4, 0.0)
    assert [s.id for s in store.sessions_between("P-1", "2026-11-25", "2026-11-25")] == [first]
    assert [r.rep_index for r in store.reps_between("P-1", "2026-11-01", "2026-11-30")] == [1, 2]
    assert store.prescribed_reps_between("P-1", "2026-11-01", "2026-11-30") == {first: 4}
    assert store.has_patient("P-1") and not store.has_patient("P-2")
    store.finish_session(later, AT, "stopped")
    store.finish_unfinished([first, later], "2026-11-27T10:00:00+00:00", "completed")
    assert [(s.status, s.plan_id) for s in store.sessions("P-1")] == [("completed", plan.id), ("stopped", None)]
    assert store.counts() == {"sessions": 2, "reps": 2} and store.session_count("P-1") == 2

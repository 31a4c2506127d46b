"""Schema 5 (clinic sync): every synced row has a UUID, an upgrade gives one to every old row and
queues the whole history once, triggers queue every insert and change, and each row reads back as
the clinic receives it (parent UUIDs for integer keys, JSON as JSON, bytes as base64)."""

import base64
import json
import uuid
from array import array
from datetime import date

import sqlite_utils

from progress.store import DB_FILENAME, MIGRATIONS, SCHEMA_VERSION, SYNCED_TABLES, Store
from rehab.core.types import DeviceStatus
from rehab.sim.history import make_history

NOW = "2026-11-20T10:00:00+00:00"


def _is_uuid4(text: str) -> bool:
    parsed = uuid.UUID(text)
    return parsed.version == 4 and str(parsed) == text


def _v4_store_with_history(tmp_path):
    """A store at schema 4 holding a real mixed history: made at the current schema, then copied
    column by column into a file built by the first four migrations only."""
    source = Store.memory()
    history = make_history(source, "P-0042", date(2026, 9, 1), days=21, kind="mixed", seed=3)
    # the simulated history has neither: one each, so every synced table holds rows
    source.add_calibration("P-0042", NOW, "knee_flexion_right", 5.0, 95.0, "sim")
    source.add_device_event(history.session_ids[0], DeviceStatus(t=2.0, device="sim", kind="lost", detail="gone"))
    path = tmp_path / DB_FILENAME
    old = sqlite_utils.Database(path)
    for migration in MIGRATIONS[:4]:
        migration(old)
    old.execute("PRAGMA user_version = 4")
    old.execute("delete from meta")
    for table in ("meta", "patients", *SYNCED_TABLES):
        columns = [c.name for c in old[table].columns]
        rows = source.db.execute(f"select {', '.join(columns)} from {table}").fetchall()
        old.conn.executemany(f"insert into {table} values ({', '.join('?' * len(columns))})", rows)
    old.conn.commit()
    counts = {t: old[t].count for t in SYNCED_TABLES}
    old.close()
    return path, counts


def test_an_upgrade_gives_every_old_row_a_uuid_and_queues_the_whole_history_once(tmp_path):
    path, counts = _v4_store_with_history(tmp_path)
    assert all(counts[t] > 0 for t in SYNCED_TABLES), counts  # the history has rows of every kind
    store = Store.open(path)
    assert store.schema_version == SCHEMA_VERSION == 5
    queued = store.outbox_after(0, 10**6)
    for table in SYNCED_TABLES:
        key = "id" if table == "visits" else "uuid"
        ids = [row[0] for row in store.db.execute(f"select {key} from {table}").fetchall()]
        assert len(ids) == counts[table] and len(set(ids)) == len(ids)
        assert all(_is_uuid4(i) for i in ids)
        assert sorted(q.uuid for q in queued if q.kind == table) == sorted(ids)
    assert len(queued) == sum(counts.values())  # once each
    assert store.pending_count(0) == len(queued)
    assert store.sync_state() == {} and store.messages() == []


def test_new_rows_get_a_uuid_at_insert_and_every_change_is_queued(tmp_path):
    store = Store.open(tmp_path / DB_FILENAME)
    store.add_plan_version("P-1", NOW, "2026-11-20", 3, {"plan": {}, "reason": "first"})
    session = store.start_session("P-1", NOW, "lift", "elbow_flexion_left", "left", "sim", 90.0)
    store.finish_session(session, NOW, "completed")
    queued = store.outbox_after(0, 100)
    assert [q.kind for q in queued] == ["plans", "sessions", "sessions"]
    [plan] = store.plan_versions("P-1")
    [session_uuid] = {q.uuid for q in queued if q.kind == "sessions"}
    assert queued[0].uuid == plan.uuid and _is_uuid4(plan.uuid) and _is_uuid4(session_uuid)
    assert store.pending_count(0) == 2  # a row changed twice is one row to send
    assert store.pending_count(queued[1].seq) == 1
    assert store.outbox_after(queued[0].seq, 1) == [queued[1]]
    store.forget_outbox_through(queued[-1].seq)
    assert store.outbox_after(0, 100) == []
    store.add_rating("P-1", NOW, "pain", 3, session_id=session, moment="after")
    [rating] = store.outbox_after(0, 100)
    assert rating.seq > queued[-1].seq and rating.kind == "ratings"  # the sequence never goes back


def test_each_kind_reads_back_as_the_clinic_receives_it(tmp_path):
    store = Store.open(tmp_path / DB_FILENAME)
    store.add_plan_version("P-1", NOW, "2026-11-20", 3, {"plan": {"title": "x"}, "reason": "first"})
    [plan] = store.plan_versions("P-1")
    visit = store.start_visit("P-1", NOW, plan.id)
    session = store.start_session("P-1", NOW, "lift", "elbow_flexion_left", "left", "sim", 90.0, plan.id, None, visit)
    store.set_summary(session, {"breaths": 5})
    set_id = store.start_set(session, 1, "elbow_flexion_left", 8, 0.0)
    store.add_stream(session, "elbow_flexion_left", "deg", [0.0, 0.5], [10.0, 20.5], set_id=set_id)
    store.add_device_event(session, DeviceStatus(t=1.0, device="sim", kind="lost", detail="gone"))
    response = store.start_outcome("P-1", NOW, "phq9", visit)
    store.record_answer(response, "phq9_1", 2)
    bodies = {q.kind: store.row_for_sync(q.kind, q.uuid) for q in store.outbox_after(0, 100)}
    session_uuid, plan_uuid = bodies["sessions"]["uuid"], bodies["plans"]["uuid"]
    assert bodies["plans"]["body"] == {"plan": {"title": "x"}, "reason": "first"}
    assert bodies["plans"]["origin"] == "home" and bodies["plans"]["based_on_server_version"] is None
    assert bodies["visits"]["uuid"] == visit and bodies["visits"]["plan_uuid"] == plan_uuid
    assert bodies["sessions"]["plan_uuid"] == plan_uuid and bodies["sessions"]["visit_id"] == visit
    assert bodies["sessions"]["summary"] == {"breaths": 5} and "id" not in bodies["sessions"]
    assert "plan_id" not in bodies["sessions"] and "session_id" not in bodies["sets"]
    assert bodies["sets"]["session_uuid"] == session_uuid
    stream = bodies["streams"]
    assert stream["session_uuid"] == session_uuid and stream["set_uuid"] == bodies["sets"]["uuid"]
    assert array("f", base64.b64decode(stream["value"]["$b64"])).tolist() == [10.0, 20.5]
    assert array("d", base64.b64decode(stream["t"]["$b64"])).tolist() == [0.0, 0.5]
    assert bodies["device_events"]["session_uuid"] == session_uuid and bodies["device_events"]["kind"] == "lost"
    assert bodies["outcome_responses"]["answers"] == {"phq9_1": 2}
    json.dumps(bodies)  # all of it is plain JSON
    assert store.row_for_sync("reps", str(uuid.uuid4())) is None


def test_a_plan_made_at_home_remembers_the_clinic_version_it_was_based_on(tmp_path):
    store = Store.open(tmp_path / DB_FILENAME)
    store.add_plan_version("P-1", NOW, "2026-11-20", 3, {"plan": {}, "reason": "home 1"})
    store.add_plan_version("P-1", NOW, "2026-11-21", 3, {"plan": {}, "reason": "clinic", "clinic_version": 4})
    store.add_plan_version("P-1", NOW, "2026-11-22", 3, {"plan": {}, "reason": "home 2"})
    plans = {p.version: store.row_for_sync("plans", p.uuid) for p in store.plan_versions("P-1")}
    assert [(plans[v]["origin"], plans[v]["based_on_server_version"]) for v in (1, 2, 3)] == [
        ("home", None),
        ("server", 4),
        ("home", 4),
    ]
    assert store.unsynced_plan_versions("P-1", 0) == [1, 3]


def test_messages_are_kept_once_and_marked_shown(tmp_path):
    store = Store.open(tmp_path / DB_FILENAME)
    assert store.add_messages([(7, "Well done this week", "2026-11-19T08:00:00+00:00")], NOW) == 1
    assert store.add_messages([(7, "Well done this week", "2026-11-19T08:00:00+00:00"), (9, "Rest", None)], NOW) == 1
    unshown = store.messages(unshown_only=True)
    assert [m.server_id for m in unshown] == [9, 7] or [m.server_id for m in unshown] == [7, 9]
    store.mark_shown([unshown[0].id], NOW)
    assert len(store.messages(unshown_only=True)) == 1 and len(store.messages()) == 2
    store.set_sync_state("acked_seq", "12")
    store.update_sync_state({"last_ok": NOW, "acked_seq": None})
    assert store.sync_state() == {"last_ok": NOW}

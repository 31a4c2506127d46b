"""The store under faults: a kill at every SQL statement of its creation and of an upgrade, a
database from a newer rehab, an empty file, a store half-upgraded by an older rehab, impossible
values, and another process holding the write lock for 7 s.

Kills are real: a forked child runs ``Store.open`` with a trace callback that ends the process
(``os._exit``, no cleanup) just before its N-th statement, for every N in turn, in the manner of
SQLite's crash tests. After each kill the store must open (or be absent) and keep every row.
"""

from __future__ import annotations

import hashlib
import math
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlite_utils

from progress.store import (
    DB_FILENAME,
    MIGRATIONS,
    SCHEMA_VERSION,
    InterruptedUpgradeError,
    Store,
    StoreBusy,
    StoreBusyError,
    StoreError,
)
from progress.store import schema as store_schema
from rehab.app.cli import main
from rehab.core.types import RepMetrics

AT = "2026-11-25T10:00:00+00:00"
KILLED = 9
TABLES = ("patients", "sessions", "reps")


def _killed_at(statement: int, action: Callable[[], None]) -> bool:
    """Run ``action`` in a forked child that dies just before its ``statement``-th SQL statement;
    True if it was killed, False if it finished first."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 0
        try:
            seen = [0]
            real_connect = sqlite3.connect

            def connect(*args, **kwargs):  # type: ignore[no-untyped-def]
                connection = real_connect(*args, **kwargs)

                def trace(_sql: str) -> None:
                    seen[0] += 1
                    if seen[0] == statement:
                        os._exit(KILLED)

                connection.set_trace_callback(trace)
                return connection

            sqlite3.connect = connect  # type: ignore[assignment]
            action()
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    assert code in (0, KILLED), f"the child failed (exit {code}) before statement {statement}"
    return code == KILLED


def _version(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in TABLES}
    finally:
        conn.close()


def _rehab(home: Path, *argv: str) -> int:
    return main(["--home", str(home), *argv])


def test_a_kill_at_every_statement_of_creation_leaves_no_store_or_a_whole_one(tmp_path, capsys):
    home = tmp_path / "home"
    path = home / DB_FILENAME
    statement, kills = 1, 0
    while _killed_at(statement, lambda: Store.open(path).close()):
        kills += 1
        # never a half-made store: nothing, or the whole current schema
        assert not path.exists() or (path.stat().st_size > 0 and _version(path) == SCHEMA_VERSION), statement
        if path.exists():
            assert _rehab(home, "db", "check") == 0, statement
        else:
            assert _rehab(home, "db", "check") == 2  # "no progress database ... created by the first session"
        store = Store.open(path)  # the next command creates it, or opens the one there
        assert store.schema_version == SCHEMA_VERSION and store.integrity_problems() == []
        store.close()
        for leftover in home.iterdir():  # start the next kill from nothing
            leftover.unlink()
        statement += 1
    assert kills > 10, "the kills must land inside creation"
    assert _rehab(home, "db", "check") == 0 and _rehab(home, "patients", "list") == 0
    capsys.readouterr()


def _version_2_store(path: Path) -> None:
    """A store as rehab wrote it at schema 2 (the version the current migrations start from)."""
    old = sqlite_utils.Database(path)
    MIGRATIONS[0](old)
    MIGRATIONS[1](old)
    old.execute("PRAGMA user_version = 2")
    old.table("patients").insert({"id": "P-1", "created_at": AT})
    old.table("sessions").insert(
        {"id": 1, "patient_id": "P-1", "started_at": AT, "game": "lift", "movement": "elbow_flexion_left"}
        | {"status": "completed"}
    )
    for index in (1, 2, 3):
        old.table("reps").insert(
            {"session_id": 1, "rep_index": index, "peak_deg": 100.0 + index, "success": 0, "over_ceiling": 0}
        )
    old.close()


def test_a_kill_at_every_statement_of_an_upgrade_keeps_the_old_version_or_the_new_whole(tmp_path, capsys):
    home = tmp_path / "home"
    home.mkdir()
    path = home / DB_FILENAME
    _version_2_store(tmp_path / "v2.sqlite3")
    pristine = (tmp_path / "v2.sqlite3").read_bytes()
    statement, kills = 1, 0
    while True:
        for leftover in home.iterdir():
            leftover.unlink()
        path.write_bytes(pristine)
        if not _killed_at(statement, lambda: Store.open(path).close()):
            break
        kills += 1
        store = Store.open(path)  # opens: the upgrade runs again from the old version, or is done
        assert store.schema_version == SCHEMA_VERSION and store.integrity_problems() == [], statement
        assert [r.peak_deg for r in store.reps(1)] == [101.0, 102.0, 103.0], statement
        store.close()
        assert _counts(path) == {"patients": 1, "sessions": 1, "reps": 3}
        statement += 1
    assert kills > 10, "the kills must land inside the upgrade"
    # the last kill point, once more, through the commands a patient and a clinician use
    path.write_bytes(pristine)
    assert _killed_at(statement - 1, lambda: Store.open(path).close())
    assert _rehab(home, "db", "backup", str(tmp_path / "copy.sqlite3")) == 0
    assert _rehab(home, "db", "check") == 0 and _rehab(home, "patients", "list") == 0
    assert "P-1" in capsys.readouterr().out


def _file_state(folder: Path) -> dict[str, str]:
    """The files' contents; the ``-shm`` wal-index is left out, being a cache any reader rebuilds
    (SQLite's read-only readers included), never data."""
    files = [p for p in sorted(folder.iterdir()) if not p.name.endswith("-shm")]
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


@pytest.mark.parametrize("journal", ["delete", "wal"])
def test_a_newer_database_is_refused_with_every_byte_unchanged(tmp_path, capsys, journal):
    home = tmp_path / "home"
    home.mkdir()
    path = home / DB_FILENAME
    pid = os.fork()
    if pid == 0:  # pragma: no cover - a newer rehab, killed after its last commit: its WAL stays
        conn = sqlite3.connect(path)
        conn.execute(f"PRAGMA journal_mode={journal}")
        conn.execute("create table future (x)")
        conn.execute("insert into future values (1)")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        conn.commit()
        os._exit(0)
    os.waitpid(pid, 0)
    before = _file_state(home)
    assert (DB_FILENAME + "-wal" in before) == (journal == "wal")
    with pytest.raises(StoreError, match="newer rehab .*The file was not changed"):
        Store.open(path)
    assert _rehab(home, "db", "check") == 1
    assert "newer rehab" in capsys.readouterr().out
    assert _rehab(home, "patients", "list") == 2
    assert _rehab(home, "db", "repair") == 2
    assert _file_state(home) == before  # no journal-mode switch, no WAL folded in, no new file
    assert _rehab(home, "db", "backup", str(tmp_path / "copy.sqlite3")) == 0  # the data can still be saved
    assert sqlite3.connect(tmp_path / "copy.sqlite3").execute("select x from future").fetchall() == [(1,)]
    assert _file_state(home) == before


def test_an_empty_file_is_reported_not_reused_and_repair_removes_it(tmp_path, capsys):
    home = tmp_path / "home"
    home.mkdir()
    path = home / DB_FILENAME
    path.touch()
    with pytest.raises(StoreError, match="empty"):
        Store.open(path)
    assert path.stat().st_size == 0
    assert _rehab(home, "db", "check") == 1
    assert "empty (0 bytes)" in capsys.readouterr().out
    assert _rehab(home, "db", "repair") == 0 and not path.exists()
    Store.open(path).close()
    assert _rehab(home, "db", "check") == 0


def _half_upgraded_store(path: Path) -> None:
    """What a kill in the middle of the old, non-atomic upgrade to schema 3 left: some of the new
    tables there (each created in its own commit), the version number still 2."""
    _version_2_store(path)
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA journal_mode=WAL")
    store_schema._v3_meta(db)
    store_schema._v3_plans(db)
    db.close()


def test_repair_rebuilds_a_half_upgraded_store_keeping_every_row(tmp_path, capsys):
    home = tmp_path / "home"
    home.mkdir()
    path = home / DB_FILENAME
    _half_upgraded_store(path)
    before = _counts(path)
    with sqlite3.connect(path) as conn:
        secret = conn.execute("select value from meta").fetchone()[0]
    with pytest.raises(InterruptedUpgradeError, match="rehab db repair"):
        Store.open(path)
    assert _rehab(home, "db", "check") == 1
    assert "rehab db repair" in capsys.readouterr().out
    assert _rehab(home, "db", "backup", str(tmp_path / "copy.sqlite3")) == 0
    assert _rehab(home, "db", "repair") == 0
    out = capsys.readouterr().out
    assert "rebuilt, every row kept" in out
    assert _counts(path) == before == {"patients": 1, "sessions": 1, "reps": 3}
    store = Store.open(path)
    assert store.schema_version == SCHEMA_VERSION and store.integrity_problems() == []
    assert store.pseudonym_secret() == bytes.fromhex(secret)  # pseudonyms stay stable
    assert [r.peak_deg for r in store.reps(1)] == [101.0, 102.0, 103.0]
    store.close()
    (kept,) = home.glob(f"{DB_FILENAME}.before-repair-*")
    assert _counts(kept) == before and oct(kept.stat().st_mode & 0o777) == "0o600"
    assert _rehab(home, "db", "check") == 0 and _rehab(home, "db", "repair") == 0
    assert "nothing to repair" in capsys.readouterr().out


def _rep(index: int, peak: float = 120.0, duration: float = 2.5) -> RepMetrics:
    return RepMetrics(index, 1.0 * index, 1.0 * index + 2.5, 10.0, peak, peak - 10.0, 1.0, duration, 180.0, 120.0, True)


def test_db_check_reports_impossible_values_and_stuck_sessions_one_line_each(tmp_path, capsys):
    home = tmp_path / "home"
    store = Store.open(home / DB_FILENAME)
    now = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
    playing = store.start_session("P-1", now, "lift", "elbow_flexion_left", "left", "sim:", 120.0)
    store.add_rep(playing, _rep(1))
    store.add_stream(playing, "elbow_flexion_left", "deg", [0.0, 0.1], [10.0, 20.0])
    assert _rehab(home, "db", "check") == 0  # a session being played right now is not stuck
    stuck = store.start_session("P-1", "2020-01-01T10:00:00+00:00", "lift", "elbow_flexion_left", "", "sim:", 1.0)
    store.add_rep(stuck, _rep(1, peak=999.0))
    store.add_rep(stuck, _rep(2, duration=-3.0))
    store.add_stream(stuck, "elbow_flexion_left", "deg", [0.0, 0.1], [10.0, math.nan])
    conn = store.db.conn
    conn.execute("update reps set start_deg = 'NaN' where session_id = ? and rep_index = 2", [stuck])
    rating = "insert into ratings (patient_id, at, kind, value, moment) values ('P-1', ?, ?, ?, ?)"
    conn.execute(rating, [AT, "pain", 11, "diary"])  # the store refuses these; an older rehab or a tool did not
    conn.execute(rating, [AT, "suds", -5, "during"])
    conn.commit()
    store.close()
    assert _rehab(home, "db", "check") == 1
    problems = [line for line in capsys.readouterr().out.splitlines() if line.startswith("problem: ")]
    expected = [
        "peak_deg = 999.0 is outside -360..360 deg",
        "rom_deg = 989.0 is outside -360..360 deg",
        "duration_s = -3.0 is outside 0..86400 s",
        "start_deg = 'NaN'",
        "pain = 11.0 is outside 0-10",
        "suds = -5.0 is outside 0-100",
        "1 sample(s) outside -360..360 deg or not a number, first nan",
        f"sessions row {stuck}: still in_progress since 2020-01-01",
    ]
    for text in expected:
        assert sum(text in line for line in problems) == 1, (text, problems)
    assert len(problems) == len(expected)


# -- a busy database -----------------------------------------------------------------------------

HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
while conn.execute("select count(*) from reps").fetchone()[0] < int(sys.argv[3]):
    time.sleep(0.005)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
"""


def _hold_lock(path: Path, seconds: float, after_reps: int = 0) -> subprocess.Popen[str]:
    """Another process that takes the write lock once ``after_reps`` reps are stored, for ``seconds``."""
    return subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path), str(seconds), str(after_reps)], stdout=subprocess.PIPE, text=True
    )


def test_a_write_lock_held_for_7_s_is_waited_out_and_no_rep_is_lost(tmp_path):
    store = Store.open(tmp_path / DB_FILENAME)
    session_id = store.start_session("P-1", AT, "lift", "elbow_flexion_left", "left", "sim:", 120.0)
    heard: list[StoreBusy] = []
    store.on_busy = heard.append
    holder = _hold_lock(tmp_path / DB_FILENAME, 7.0)
    assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
    started = time.monotonic()
    for index in (1, 2, 3):
        store.add_rep(session_id, _rep(index))
    waited = time.monotonic() - started
    assert holder.wait(timeout=30) == 0
    assert [r.rep_index for r in store.reps(session_id)] == [1, 2, 3]
    assert waited > 5.0  # past SQLite's old 5 s timeout, which ended the session with a traceback
    assert heard[-1].cleared and not heard[0].cleared
    assert [s.waited_s for s in heard[:-1]] == sorted(s.waited_s for s in heard[:-1])
    assert "busy" in heard[0].message and "nothing is lost" in heard[0].message
    store.close()


def test_a_lock_held_past_the_longest_wait_ends_with_one_clear_error(tmp_path):
    store = Store.open(tmp_path / DB_FILENAME)
    session_id = store.start_session("P-1", AT, "lift", "elbow_flexion_left", "left", "sim:", 120.0)
    store.db.conn.give_up_s = 2.0  # type: ignore[attr-defined]
    holder = _hold_lock(tmp_path / DB_FILENAME, 5.0)
    assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
    with pytest.raises(StoreBusyError, match="locked by another program"):
        store.add_rep(session_id, _rep(1))
    assert holder.wait(timeout=30) == 0
    store.add_rep(session_id, _rep(1))  # the store is usable again once the lock is gone
    assert len(store.reps(session_id)) == 1
    store.close()


PLAN = """\
schema = 1
title = "Elbow, busy test"
patient = "P1"
sessions_per_week = 5

[[exercise]]
name = "Elbow bend"
game = "lift"
movement = "elbow_flexion"
side = "left"
sets = 2
reps = 6
hold_s = 1
rest_s = 20
target_percent = 80
ceiling_deg = 145
"""


def test_a_guided_session_waits_out_a_7_s_lock_in_the_middle_of_its_reps(tmp_path, capsys):
    plan = tmp_path / "plan.toml"
    plan.write_text(PLAN)
    assert _rehab(tmp_path, "plan", "assign", str(plan), "--patient", "P1") == 0
    holder = _hold_lock(tmp_path / DB_FILENAME, 7.0, after_reps=2)
    argv = ["session", "start", "--patient", "P1", "--input", "sim", "--headless", "--pain-before", "2"]
    assert _rehab(tmp_path, *argv, "--pain-after", "2") == 0
    assert holder.stdout is not None and holder.stdout.readline() == "locked\n"  # it did take the lock
    assert holder.wait(timeout=30) == 0
    out = capsys.readouterr().out
    assert sum("progress database busy" in line for line in out.splitlines()) == 1, out
    assert "Session completed" in out
    store = Store.open(tmp_path / DB_FILENAME)
    (session,) = [s for s in store.sessions("P1") if s.game == "lift"]
    assert len(store.reps(session.id)) == 12 and session.status == "completed"
    store.close()

"""Guided sessions end to end on simulated input with a real SQLite store: reps, sets, calibration,
pain ratings, the pain stop rule, progression, and a kill -9 in the middle of a set, then --resume."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from progress.store import DB_FILENAME, Store
from rehab.app.cli import main

PLAN = """\
schema = 1
title = "Elbow, test plan"
patient = "P1"
sessions_per_week = 5

[safety]
pain_stop_rise = 2

[[exercise]]
name = "Elbow bend"
game = "lift"
movement = "elbow_flexion"
side = "left"
sets = {sets}
reps = {reps}
hold_s = 1
rest_s = 20
target_percent = 80
ceiling_deg = 145

[exercise.progression]
every_sessions = 1
step_percent = 5
max_percent = 95
"""


@pytest.fixture
def home(tmp_path):
    plan = tmp_path / "plan.toml"
    plan.write_text(PLAN.format(sets=2, reps=4))
    assert main(["--home", str(tmp_path), "plan", "assign", str(plan), "--patient", "P1"]) == 0
    return tmp_path


def start(home, *extra, patient="P1"):
    return main(["--home", str(home), "session", "start", "--patient", patient, "--input", "sim", "--headless", *extra])


def test_a_whole_session_is_stored_and_progresses(home, capsys):
    assert start(home, "--pain-before", "3", "--pain-after", "3") == 0
    out = capsys.readouterr().out
    assert "calibrated 3 movements" in out and "Session completed" in out and "Progress!" in out
    store = Store.open(home / DB_FILENAME)
    [session] = store.sessions("P1")
    assert session["status"] == "completed" and session["kind"] == "physical" and session["plan_id"] is not None
    sets = store.sets(session["id"])
    assert [(s["set_index"], s["prescribed_reps"]) for s in sets] == [(1, 4), (2, 4)]
    assert all(s["t_end"] is not None for s in sets) and sets[1]["t_start"] >= sets[0]["t_end"] + 20
    reps = store.reps(session["id"])
    assert [r["rep_index"] for r in reps] == list(range(1, 9))
    # reps sit inside their set on the session's timeline
    assert all(sets[0]["t_start"] <= r["t_start"] <= sets[0]["t_end"] for r in reps[:4])
    assert all(sets[1]["t_start"] <= r["t_start"] <= sets[1]["t_end"] for r in reps[4:])
    # each set's angle stream is kept on the same timeline, and the input's status events with the session
    streams = store.streams(session.id, "elbow_flexion_left")
    assert [stream.set_id for stream in streams] == [s.id for s in sets]
    for stream, stored_set in zip(streams, sets, strict=True):
        assert stream.unit == "deg" and len(stream.t) > 30 and max(stream.values) > 100
        assert stored_set.t_start <= stream.t[0] and stream.t[-1] <= stored_set.t_end + 1e-9
    assert "connected" in {event.kind for event in store.device_events(session.id)}
    [calibration] = store.calibrations("P1")
    assert calibration["movement"] == "elbow_flexion_left" and 100 < calibration["max_deg"] <= 145
    assert session["target_deg"] == pytest.approx(10 + 0.8 * (calibration["max_deg"] - 10), abs=0.1)
    assert [(r["moment"], r["value"]) for r in store.ratings("P1", "pain")] == [("before", 3), ("after", 3)]
    versions = store.plan_versions("P1")
    assert len(versions) == 2 and versions[1]["body"]["plan"]["exercise"][0]["target_percent"] == 84
    assert "after 1 session with every rep successful" in versions[1]["body"]["reason"]
    store.close()


def test_pain_rising_by_two_ends_the_session_safely(home, capsys):
    assert start(home, "--pain-before", "3", "--pain-during", "5", "--pain-after", "5") == 4
    out = capsys.readouterr().out
    assert "Your pain went from 3 to 5 out of 10, so we stopped here to keep you safe" in out
    store = Store.open(home / DB_FILENAME)
    [session] = store.sessions("P1")
    assert session["status"] == "stopped"
    assert len(store.sets(session["id"])) == 1 and len(store.reps(session["id"])) == 4  # set 2 never started
    assert [r["moment"] for r in store.ratings("P1", "pain")] == ["before", "during"]
    assert len(store.plan_versions("P1")) == 1  # no progression after a pain stop
    store.close()


def test_pain_rise_after_blocks_progression(home, capsys):
    assert start(home, "--pain-before", "2", "--pain-after", "5") == 0
    assert "targets will not go up" in capsys.readouterr().out
    store = Store.open(home / DB_FILENAME)
    assert len(store.plan_versions("P1")) == 1
    store.close()


def test_too_much_pain_before_means_no_session(home, capsys):
    assert start(home, "--pain-before", "8", "--pain-after", "8") == 0
    assert "not to exercise when it is above 7" in capsys.readouterr().out
    store = Store.open(home / DB_FILENAME)
    assert store.sessions("P1") == [] and store.ratings("P1", "pain")[0]["value"] == 8
    store.close()


def test_no_plan_and_missing_answers_are_clear_errors(tmp_path, capsys):
    assert start(str(tmp_path), "--pain-before", "1", "--pain-after", "1", patient="P9") == 2
    assert "has no plan" in capsys.readouterr().err


def _reps_in(db_path):
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=0.1) as conn:
            return conn.execute("select session_id, rep_index, t_start, peak_deg from reps order by id").fetchall()
    except sqlite3.Error:
        return []


def test_kill_9_in_the_middle_of_a_set_then_resume_loses_and_duplicates_nothing(tmp_path):
    plan = tmp_path / "plan.toml"
    plan.write_text(PLAN.format(sets=3, reps=6))
    home = str(tmp_path)
    assert main(["--home", home, "plan", "assign", str(plan), "--patient", "P1"]) == 0
    command = [
        sys.executable,
        "-m",
        "rehab",
        "--home",
        home,
        "session",
        "start",
        "--patient",
        "P1",
        "--input",
        "sim",
        "--headless",
        "--pain-before",
        "3",
        "--pain-after",
        "3",
    ]
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    db = tmp_path / DB_FILENAME
    deadline = time.monotonic() + 30
    while not _reps_in(db) and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    child.stdout.close()  # type: ignore[union-attr]
    child.stderr.close()  # type: ignore[union-attr]
    assert child.returncode == -signal.SIGKILL
    before = _reps_in(db)
    assert 1 <= len(before) < 18, "the kill must land inside the session"

    # a plain start refuses to begin a second session over the unfinished one
    assert start(home, "--pain-before", "3", "--pain-after", "3") == 2
    assert start(home, "--resume", "--pain-after", "3") == 0
    after = _reps_in(db)
    assert after[: len(before)] == before  # nothing lost or rewritten
    assert [r[1] for r in after] == list(range(1, 19))  # no duplicates, no gaps: 3 sets x 6 reps
    store = Store.open(db)
    [session] = store.sessions("P1")
    assert session["status"] == "completed"
    sets = store.sets(session["id"])
    assert [s["set_index"] for s in sets] == [1, 2, 3] and all(s["t_end"] is not None for s in sets)
    for s in sets:  # each set holds exactly its prescribed reps
        assert sum(s["t_start"] <= r["t_start"] <= s["t_end"] for r in store.reps(session["id"])) == 6
    assert len(store.calibrations("P1")) == 1  # the calibration was reused, so the target stayed the same
    assert [r["moment"] for r in store.ratings("P1", "pain")] == ["before", "after"]
    store.close()


def test_a_mental_plan_runs_its_games_with_the_plans_settings_and_stores_their_ratings(tmp_path, capsys):
    from progress.store import DB_FILENAME, Store

    plan = tmp_path / "heights.toml"
    assert main(["plan", "new", "--template", "fear-of-heights", "--patient", "P9", "--out", str(plan)]) == 0
    assert main(["--home", str(tmp_path), "plan", "assign", str(plan), "--patient", "P9"]) == 0
    assert start(str(tmp_path), "--pain-before", "2", "--pain-after", "2", patient="P9") == 0
    store = Store.open(tmp_path / DB_FILENAME)
    kinds = {row["kind"] for row in store.ratings("P9")}
    games = {session["game"] for session in store.sessions("P9")}
    store.close()
    assert {"pain", "stress", "suds"} <= kinds
    assert games == {"breathe", "exposure"}
    assert "Exposure: done" in capsys.readouterr().out


def test_the_simulated_patient_does_what_the_plan_prescribes():
    from rehab.engine.reps import RepDetector, RepRule
    from rehab.sim.patients import prescribed_patient

    samples = prescribed_patient("knee_flexion_right", 5.0, 40.0, 70.0, reps=10, hold_s=2.0, seed=3)
    detector = RepDetector(RepRule.for_range(5.0, 40.0, hold_s=2.0))
    reps = [rep for s in samples if (rep := detector.step(s.t, s.get("knee_flexion_right")))]
    assert len(reps) == 10
    assert sum(r.success for r in reps) == 9  # one falls short of the goal on purpose
    assert max(r.peak_deg for r in reps) < 70.0


def test_rehab_play_keeps_the_angle_stream_and_device_events_with_the_session(tmp_path):
    assert main(["--home", str(tmp_path), "play", "lift", "--input", "sim", "--seconds", "12"]) == 0
    store = Store.open(tmp_path / DB_FILENAME)
    [session] = store.sessions("guest")
    [stream] = store.streams(session.id)
    reps = store.reps(session.id)
    events = store.device_events(session.id)
    store.close()
    assert stream.name == "elbow_flexion_left" and stream.unit == "deg" and stream.set_id is None
    assert len(stream.t) > 100 and list(stream.t) == sorted(stream.t)
    # the stream is what the reps were measured from: it reaches every rep's peak
    assert reps and max(stream.values) >= max(r.peak_deg for r in reps) - 1.0
    assert [e.kind for e in events][:1] == ["connected"] and events[0].device == "sim:lift"


# -- fail safe after a crash (issue 12): the store's crash hook ends the session after its k-th write --


def _session_process(home, *args, crash_after=None):
    from progress.store.base import CRASH_AFTER_WRITE_ENV

    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    env.pop(CRASH_AFTER_WRITE_ENV, None)
    if crash_after is not None:
        env[CRASH_AFTER_WRITE_ENV] = str(crash_after)
    command = [sys.executable, "-m", "rehab", "--home", str(home), "session", "start", "--patient", "P1"]
    command += ["--input", "sim", "--headless", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)


def _crash(home, k, *args):
    from progress.store.base import CRASH_EXIT

    crashed = _session_process(home, *args, crash_after=k)
    assert crashed.returncode == CRASH_EXIT, crashed.stderr
    return crashed.stderr


def test_a_crash_just_after_the_session_is_created_keeps_the_pain_rule_on_resume(home):
    # write 1 is the calibration, write 2 creates the session: the pain before goes in with it
    assert "session start" in _crash(home, 2, "--pain-before", "2", "--pain-after", "2")
    resumed = _session_process(home, "--resume", "--pain-before", "2", "--pain-during", "8,9", "--pain-after", "2")
    assert resumed.returncode == 4, resumed.stdout
    assert "Your pain went from 2 to 8 out of 10" in resumed.stdout
    store = Store.open(home / DB_FILENAME)
    [session] = store.sessions("P1")
    assert session.status == "stopped" and len(store.reps(session.id)) == 4  # set 2 never played
    assert [(r.moment, r.value) for r in store.ratings("P1", "pain")] == [("before", 2), ("during", 8)]
    store.close()


def test_resume_after_a_session_that_ended_redoes_nothing(home):
    """The state a crash right after the close leaves: --resume must not start the exercises again,
    neither after a completed session nor after one stopped for pain."""
    assert start(home, "--pain-before", "2", "--pain-during", "2", "--pain-after", "2") == 0
    assert start(home, "--resume", "--pain-before", "2", "--pain-during", "8,9", "--pain-after", "2") == 0
    store = Store.open(home / DB_FILENAME)
    [session] = store.sessions("P1")
    assert session.status == "completed" and len(store.reps(session.id)) == 8
    assert [r.moment for r in store.ratings("P1", "pain")] == ["before", "during", "after"]
    store.close()


MENTAL_PLAN = """\
schema = 1
title = "Breathing and one exposure step"
patient = "P1"
sessions_per_week = 3

[breathing]
game = "breathe"
minutes = 1
breaths_per_min = 6

[exposure]
game = "exposure"
suds_stop = 80
minutes_per_step = 0.5

[[exposure.step]]
description = "Look at photos taken from a first-floor window"
suds_move_on = 30
"""


def test_a_breathing_part_cut_mid_way_is_run_again_never_skipped(tmp_path):
    plan = tmp_path / "plan.toml"
    plan.write_text(MENTAL_PLAN)
    assert main(["--home", str(tmp_path), "plan", "assign", str(plan), "--patient", "P1"]) == 0
    # writes 1-2: the breathing session (with the pain before) and its first breath; 4 is a later breath
    assert "insert into reps" in _crash(tmp_path, 4, "--pain-before", "2", "--pain-after", "2")
    resumed = _session_process(tmp_path, "--resume", "--pain-after", "2")
    assert resumed.returncode == 0, resumed.stderr
    store = Store.open(tmp_path / DB_FILENAME)
    sessions = store.sessions("P1")
    by_status = {(s.game, s.status): s for s in sessions}
    assert sorted(by_status) == [("breathe", "completed"), ("breathe", "interrupted"), ("exposure", "completed")]
    cut, rerun = by_status["breathe", "interrupted"], by_status["breathe", "completed"]
    assert len(store.reps(cut.id)) >= 1  # the breaths taken before the cut are kept, with the cut session
    # the whole minute played again (7 breaths), and the breaths taken while stress after it is asked
    # (the simulated patient, recorded for the game's default three minutes, breathes on through it)
    assert len(store.reps(rerun.id)) >= 7
    kinds = {(r.session_id, r.kind, r.moment) for r in store.ratings("P1")}
    assert (rerun.id, "stress", "before") in kinds and (
        by_status["exposure", "completed"].id,
        "suds",
        "before",
    ) in kinds
    assert [r.moment for r in store.ratings("P1", "pain")] == ["before", "after"]
    store.close()


def _age_sessions(db_path, hours):
    """Move every stored session's start back by ``hours``, as if the crash had come that long ago."""
    with sqlite3.connect(db_path) as conn:
        for session_id, started in conn.execute("select id, started_at from sessions").fetchall():
            from datetime import datetime, timedelta

            moved = (datetime.fromisoformat(started) - timedelta(hours=hours)).isoformat(timespec="seconds")
            conn.execute("update sessions set started_at = ? where id = ?", [moved, session_id])


def test_a_session_cut_late_in_the_evening_resumes_after_midnight(home):
    assert "insert into reps" in _crash(home, 5, "--pain-before", "2", "--pain-after", "2")
    _age_sessions(home / DB_FILENAME, 11)  # e.g. cut at 23:30, resumed at 10:30 the next day at the latest
    assert start(home, "--resume", "--pain-after", "2") == 0
    store = Store.open(home / DB_FILENAME)
    [session] = store.sessions("P1")
    assert session.status == "completed" and [r.rep_index for r in store.reps(session.id)] == list(range(1, 9))
    store.close()


def test_a_session_too_old_to_resume_is_closed_as_interrupted_by_the_next_start(home):
    assert "insert into reps" in _crash(home, 5, "--pain-before", "2", "--pain-after", "2")
    _age_sessions(home / DB_FILENAME, 13)
    assert start(home, "--pain-before", "2", "--pain-after", "2") == 0
    store = Store.open(home / DB_FILENAME)
    old, new = store.sessions("P1")
    assert old.status == "interrupted" and old.ended_at is not None and len(store.reps(old.id)) == 2
    assert new.status == "completed" and len(store.reps(new.id)) == 8
    store.close()

"""`rehab demo` end to end, as a user runs it, into a temporary REHAB_HOME."""

import os
import sqlite3
import subprocess
import sys

from rehab.sim.poses import SimulatedSession


def test_demo_stores_a_session_with_reps_and_prints_a_summary(tmp_path):
    home = tmp_path / "home"
    shot = tmp_path / "lift.png"
    env = {**os.environ, "REHAB_HOME": str(home), "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    out = subprocess.run(
        [sys.executable, "-m", "rehab", "demo", "--screenshot", str(shot), "--screenshot-at", "8"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert out.returncode == 0, out.stderr
    assert "Reps done: 6 of 6, 5 reached the goal" in out.stdout
    assert str(home / "rehab.sqlite3") in out.stdout

    db = sqlite3.connect(home / "rehab.sqlite3")
    sessions = db.execute("select id, patient_id, game, movement, status from sessions").fetchall()
    assert sessions == [(1, "demo", "lift", "elbow_flexion_left", "completed")]
    reps = db.execute("select rep_index, peak_deg, rom_deg, success from reps order by rep_index").fetchall()
    scripted = SimulatedSession().peaks_deg
    assert [r[0] for r in reps] == [1, 2, 3, 4, 5, 6]
    for (_, peak, rom, success), truth in zip(reps, scripted, strict=True):
        # a noisy tracker reads the peak within a few degrees of what the skeleton did
        assert abs(peak - truth) < 8, (peak, truth)
        assert 90 < rom < 140
        assert bool(success) == (peak >= 120)
    assert [r[3] for r in reps] == [1, 1, 1, 1, 0, 1]
    assert shot.stat().st_size > 10_000  # a real picture, not an empty file

    # a second run adds a second session and keeps the first
    again = subprocess.run(
        [sys.executable, "-m", "rehab", "demo"], capture_output=True, text=True, timeout=300, env=env
    )
    assert again.returncode == 0, again.stderr
    assert db.execute("select count(*) from sessions").fetchone()[0] == 2
    assert db.execute("select count(*) from reps").fetchone()[0] == 12

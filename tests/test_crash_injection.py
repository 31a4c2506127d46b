"""Crash injection, in the manner of SQLite's crash tests: a REAL guided session (a physical exercise,
a breathing part and an exposure part) is run as a subprocess and killed right after its k-th store
write, for each k in turn, then carried on with ``--resume``; the invariants below must hold after
every crash.

The kill comes from the store's own test hook (``REHAB_CRASH_AFTER_WRITE=k``, read once at start-up
by ``progress.store.base``), which ends the process with ``os._exit`` the moment the k-th write is
committed: no cleanup, no further statement, as a power cut would. The sweep ends at the first k the
session finishes before reaching.

After each crash the store is copied, and each copy is resumed once:

- **as planned** (pain 2 before and after): every rep and rating stored before the crash is still
  there unchanged; the exercise ends with exactly its prescribed reps, numbered 1..N once; each part
  ran exactly once to its end (reps and ratings as in an uncrashed run), none skipped; one pain
  rating before and one after; no session left in progress, none empty; ``rehab db check`` passes.
- **with pain rising** (9 at every check, 9 after): the pain rule is in force, from the pain given
  before the crash: the session stops (exit 4) if a set was still to come, and no progression
  follows either way.

``make test`` runs a handful of write indices, one of each kind of write; ``make crash-test`` (this
file run as a script) runs them all and prints the figures.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from progress.store import DB_FILENAME
from progress.store.base import CRASH_AFTER_WRITE_ENV, CRASH_EXIT

PATIENT = "P1"
SETS, REPS = 2, 3
PLAN = f"""\
schema = 1
title = "Crash test: elbow, breathing, exposure"
patient = "{PATIENT}"
sessions_per_week = 5

[safety]
pain_stop_rise = 2

[[exercise]]
name = "Elbow bend"
game = "lift"
movement = "elbow_flexion"
side = "left"
sets = {SETS}
reps = {REPS}
hold_s = 1
rest_s = 5
target_percent = 80
ceiling_deg = 145

[exercise.progression]
every_sessions = 1
step_percent = 5
max_percent = 95

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
AS_PLANNED = ("--pain-before", "2", "--pain-after", "2")
PAIN_RISING = ("--pain-before", "2", "--pain-during", "9,9,9,9", "--pain-after", "9")
STOPPED_EXIT = 4

#: the writes ``make test`` crashes after, one of each kind a guided session makes (what the store's
#: hook calls it): the calibration, the session start with its pain before, a set's end, the stress
#: rating given at the start of breathing (stored the moment it is given), a breath in the middle of
#: the breathing part, a part's end, and the close
FAST_WRITES = {
    1: "calibration",
    2: "session start and pain before",
    7: "recording and set end",
    14: "stress rating",
    15: "insert into reps session_id,",
    25: "breathing end",
    33: "session close",
}


# -- running rehab ----------------------------------------------------------------------------


def rehab(home: Path, *args: str, crash_after: int | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    env.pop(CRASH_AFTER_WRITE_ENV, None)
    if crash_after is not None:
        env[CRASH_AFTER_WRITE_ENV] = str(crash_after)
    command = [sys.executable, "-m", "rehab", "--home", str(home), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)


def session(home: Path, *args: str, crash_after: int | None = None) -> subprocess.CompletedProcess[str]:
    start = ("session", "start", "--patient", PATIENT, "--input", "sim", "--headless")
    return rehab(home, *start, *args, crash_after=crash_after)


def prepared_home(folder: Path) -> Path:
    """A data home with the crash-test plan assigned (and the store created) before any crash."""
    home = folder / "prepared"
    home.mkdir(parents=True)
    (folder / "plan.toml").write_text(PLAN)
    assigned = rehab(home, "plan", "assign", str(folder / "plan.toml"), "--patient", PATIENT)
    assert assigned.returncode == 0, assigned.stderr
    return home


# -- what the store holds ---------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    sessions: dict[int, dict[str, Any]]
    reps: dict[int, tuple[Any, ...]]  # rep id -> (session id, rep index, t_start, peak)
    ratings: dict[int, tuple[Any, ...]]  # rating id -> (session id, kind, moment, value, t)
    sets: list[tuple[Any, ...]]  # (session id, set index, ended)
    calibrations: int
    plans: int
    recorded: set[int]  # sessions with a stream or a device event
    visits: dict[str, tuple[Any, ...]]  # visit id -> (status, stop reason)

    @classmethod
    def of(cls, home: Path) -> Snapshot:
        with sqlite3.connect(home / DB_FILENAME) as conn:
            rows = conn.execute("select id, game, kind, status, ended_at, visit_id from sessions").fetchall()
            return cls(
                sessions={
                    r[0]: {"game": r[1], "kind": r[2], "status": r[3], "ended_at": r[4], "visit": r[5]} for r in rows
                },
                visits={r[0]: r[1:] for r in conn.execute("select id, status, stop_reason from visits")},
                reps={
                    r[0]: r[1:] for r in conn.execute("select id, session_id, rep_index, t_start, peak_deg from reps")
                },
                ratings={
                    r[0]: r[1:] for r in conn.execute("select id, session_id, kind, moment, value, t from ratings")
                },
                sets=conn.execute("select session_id, set_index, t_end is not null from sets").fetchall(),
                calibrations=conn.execute("select count(*) from calibrations").fetchone()[0],
                plans=conn.execute("select count(*) from plans").fetchone()[0],
                recorded={
                    r[0]
                    for r in conn.execute("select session_id from streams union select session_id from device_events")
                },
            )

    def of_game(self, game: str, status: str = "completed") -> list[int]:
        return [i for i, s in self.sessions.items() if s["game"] == game and s["status"] == status]

    def reps_of(self, session_id: int) -> list[int]:
        return sorted(r[1] for r in self.reps.values() if r[0] == session_id)

    def ratings_of(self, session_ids: list[int], kind: str | None = None) -> list[tuple[Any, ...]]:
        return sorted(r[1:] for r in self.ratings.values() if r[0] in session_ids and kind in (None, r[1]))

    def sets_ended(self) -> int:
        physical = self.of_game("lift", "in_progress") + self.of_game("lift")
        return sum(1 for s in self.sets if s[0] in physical and s[2])


# -- the invariants ---------------------------------------------------------------------------


@dataclass
class Verdict:
    k: int
    write: str = ""
    checked: int = 0
    broken: list[str] = field(default_factory=list)

    def expect(self, holds: bool, invariant: str) -> None:
        self.checked += 1
        if not holds:
            self.broken.append(invariant)


def check_resumed(verdict: Verdict, before: Snapshot, after: Snapshot, reference: Snapshot, exit_code: int) -> None:
    expect = verdict.expect
    expect(exit_code == 0, f"resume as planned exits 0 (got {exit_code})")
    expect(all(after.reps.get(i) == rep for i, rep in before.reps.items()), "no stored rep lost or changed")
    expect(all(after.ratings.get(i) == r for i, r in before.ratings.items()), "no stored rating lost or changed")
    physical = after.of_game("lift")
    expect(len(physical) == 1, f"one completed exercise session (got {len(physical)})")
    reps = [index for session_id in physical for index in after.reps_of(session_id)]
    expect(reps == list(range(1, SETS * REPS + 1)), f"reps 1..{SETS * REPS} once each, no exercise redone (got {reps})")
    expect(after.calibrations == 1, f"calibrated once (got {after.calibrations})")
    for game in ("breathe", "exposure"):
        done = after.of_game(game)
        expect(len(done) == 1, f"{game} ran to its end exactly once, never skipped (got {len(done)})")
        expected = (reference.reps_of(reference.of_game(game)[0]), _part_ratings(reference, game))
        expect(
            (after.reps_of(done[0]) if done else None, _part_ratings(after, game)) == expected,
            f"{game} reps and ratings whole",
        )
    group = [i for i, s in after.sessions.items() if s["status"] == "completed"]
    moments = [r[1] for r in after.ratings_of(group, "pain")]
    expect(sorted(moments) == ["after", "before"], f"one pain rating before, one after (got {moments})")
    left = [i for i, s in after.sessions.items() if s["status"] == "in_progress"]
    expect(not left, f"no session left in progress (got {left})")
    # a part cut after the patient answered keeps that answer in its interrupted session: used
    used = after.recorded | {r[0] for r in after.ratings.values()}
    empty = [i for i in after.sessions if not after.reps_of(i) and i not in used]
    expect(not empty, f"no orphan session, started and never used (got {empty})")
    # the guided session stays one visit through the crash and the resume, and ends completed
    expect(
        after.visits and set(after.visits.values()) == {("completed", None)}, f"one visit, completed ({after.visits})"
    )
    expect({s["visit"] for s in after.sessions.values()} == set(after.visits), "every part in the visit")


def _part_ratings(snapshot: Snapshot, game: str) -> list[tuple[Any, ...]]:
    return [r for r in snapshot.ratings_of(snapshot.of_game(game)) if r[0] != "pain"]


def check_pain_rule(verdict: Verdict, before: Snapshot, after: Snapshot, exit_code: int) -> None:
    closed = any(s["status"] == "completed" for s in before.sessions.values())
    if closed:
        verdict.expect(exit_code == 0 and after.plans == before.plans, "a closed session is not run again")
    elif before.sets_ended() < SETS:
        verdict.expect(exit_code == STOPPED_EXIT, f"pain 9 after 2 stops the resumed session (exit {exit_code})")
        played = [
            i for i in after.reps if i not in before.reps and after.reps[i][0] in after.of_game("lift", "stopped")
        ]
        verdict.expect(len(played) <= REPS, f"no set played after the pain check (got {len(played)} more reps)")
        stopped = set(after.visits.values())
        verdict.expect(stopped == {("stopped", "stopped_for_pain")}, f"the visit stopped for pain ({after.visits})")
    verdict.expect(after.plans == before.plans, "no progression when pain rose")
    left = [i for i, s in after.sessions.items() if s["status"] == "in_progress"]
    verdict.expect(not left, f"no session left in progress after the pain stop (got {left})")


def crash_at(k: int, prepared: Path, work: Path, reference: Snapshot) -> Verdict | None:
    """Crash after write k, resume both ways, check; None when the session has fewer than k writes."""
    home = work / f"crash-{k}"
    shutil.copytree(prepared, home)
    crashed = session(home, *AS_PLANNED, crash_after=k)
    if crashed.returncode != CRASH_EXIT:
        assert crashed.returncode == 0, crashed.stderr
        return None
    verdict = Verdict(k, crashed.stderr.strip().rsplit("(", 1)[-1].rstrip(")"))
    pained = work / f"crash-{k}-pain"
    shutil.copytree(home, pained)
    before = Snapshot.of(home)
    resumed = session(home, "--resume", *AS_PLANNED)
    check_resumed(verdict, before, Snapshot.of(home), reference, resumed.returncode)
    verdict.expect(rehab(home, "db", "check").returncode == 0, "rehab db check passes")
    stopped = session(pained, "--resume", *PAIN_RISING)
    check_pain_rule(verdict, before, Snapshot.of(pained), stopped.returncode)
    verdict.expect(rehab(pained, "db", "check").returncode == 0, "rehab db check passes after the pain stop")
    for folder in (home, pained):
        shutil.rmtree(folder)
    return verdict


def reference_run(prepared: Path, work: Path) -> Snapshot:
    home = work / "reference"
    shutil.copytree(prepared, home)
    finished = session(home, *AS_PLANNED)
    assert finished.returncode == 0, finished.stderr
    return Snapshot.of(home)


def sweep(work: Path, indices: list[int] | None, workers: int, say: Callable[[str], None]) -> list[Verdict]:
    """Crash at each index (every write in turn when None, until the session has no k-th write)."""
    prepared = prepared_home(work)
    reference = reference_run(prepared, work)
    verdicts: list[Verdict] = []
    batch_start = 1
    with ThreadPoolExecutor(workers) as pool:
        while True:
            batch = indices if indices is not None else list(range(batch_start, batch_start + workers))
            results = list(pool.map(lambda k: crash_at(k, prepared, work, reference), batch))
            for verdict in results:
                if verdict is not None:
                    verdicts.append(verdict)
                    say(f"write {verdict.k:3} ({verdict.write}): " + ("; ".join(verdict.broken) or "all held"))
            if indices is not None or None in results:
                return verdicts
            batch_start += workers


def figures(verdicts: list[Verdict]) -> str:
    held = sum(v.checked - len(v.broken) for v in verdicts)
    checked = sum(v.checked for v in verdicts)
    unsafe = [v.k for v in verdicts if v.broken]
    return (
        f"crash injection: crashed after {len(verdicts)} store writes "
        f"(k = {', '.join(str(v.k) for v in verdicts)}); invariants checked {checked}, held {held}; "
        f"writes after which an invariant broke: {len(unsafe)} {unsafe}"
    )


# -- make test: a handful of writes, one of each kind -----------------------------------------


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Snapshot]:
    """A data home with the plan assigned, and the store an uncrashed session leaves, made once."""
    work = tmp_path_factory.mktemp("crash-injection")
    return work, reference_run(prepared_home(work), work)


@pytest.mark.parametrize("k", sorted(FAST_WRITES))
def test_a_crash_after_this_write_loses_nothing_redoes_nothing_and_keeps_the_pain_rule(k, prepared):
    work, reference = prepared
    verdict = crash_at(k, work / "prepared", work, reference)
    assert verdict is not None, f"the session no longer makes {k} writes: update FAST_WRITES"
    assert verdict.write == FAST_WRITES[k], f"write {k} is now {verdict.write!r}: update FAST_WRITES"
    assert not verdict.broken, f"after write {k} ({verdict.write}): {verdict.broken}"


if __name__ == "__main__":  # make crash-test: every write in turn, with the figures
    import tempfile

    with tempfile.TemporaryDirectory(prefix="rehab-crash-") as folder:
        results = sweep(Path(folder), None, max(1, (os.cpu_count() or 2)), print)
    print(figures(results))
    sys.exit(1 if any(v.broken for v in results) else 0)

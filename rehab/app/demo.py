"""The built-in demo: a recorded elbow-flexion session replayed through the whole product.

The recording is made by code (a synthetic skeleton with tracker-like noise), written to the data
home as JSONL, then replayed through the same path a webcam session takes: kinematics, smoothing,
rep detection, the Lift game, and the store, which commits every rep as it completes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from rehab.core.clock import Clock
from rehab.engine.display import Display
from rehab.engine.exercise import Exercise
from rehab.engine.play import PlayResult, play

DEMO_PATIENT = "demo"


@dataclass(frozen=True)
class DemoResult:
    session_id: int
    recording: Path
    database: Path
    exercise: Exercise
    play: PlayResult


def write_demo_recording(path: Path, side: str = "left") -> Path:
    """Write the demo's motion recording (about 32 s of six elbow-flexion reps at 30 fps)."""
    from devices.jsonl import write_recording
    from rehab.core.private_files import make_private_folder
    from rehab.sim.poses import SimulatedSession

    session = SimulatedSession(exercise="elbow_flexion", side=side)
    make_private_folder(path.parent)
    write_recording(
        path,
        session.frames(),
        meta={
            "description": f"synthetic skeleton, {len(session.peaks_deg)} elbow flexion reps, {side} arm",
            "peaks_deg": list(session.peaks_deg),
            "fps": session.fps,
        },
    )
    return path


def wall_clock_iso() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


def run_demo(
    home: Path,
    clock: Clock,
    display: Display,
    side: str = "left",
    screenshot: Path | None = None,
    screenshot_at: float | None = None,
) -> DemoResult:
    from devices.base import open_source
    from progress.store import DB_FILENAME, Store
    from rehab.engine.game import available_games

    recording = write_demo_recording(home / "recordings" / f"demo-elbow-flexion-{side}.jsonl", side)
    exercise = Exercise(angle_name=f"elbow_flexion_{side}", rest_deg=10.0, target_deg=120.0, reps_planned=6, hold_s=1.0)
    source = open_source(f"replay:{recording}")
    database = home / DB_FILENAME
    store = Store.open(database)
    try:
        session_id = store.start_session(
            patient_id=DEMO_PATIENT,
            started_at=wall_clock_iso(),
            game="lift",
            movement=exercise.angle_name,
            side=side,
            input_url=source.url,
            target_deg=exercise.target_deg,
        )
        result = play(
            source,
            available_games()["lift"],
            exercise,
            clock,
            display,
            on_rep=lambda rep: store.add_rep(session_id, rep),
            screenshot=screenshot,
            screenshot_at=screenshot_at,
        )
        status = "completed" if result.ended == "end of input" else "stopped"
        store.finish_session(session_id, wall_clock_iso(), status)
    finally:
        store.close()
        source.close()
    return DemoResult(session_id, recording, database, exercise, result)


def summary_text(demo: DemoResult) -> str:
    """What the demo prints: readable by a patient, precise enough for a physiotherapist."""
    ex, reps = demo.exercise, demo.play.reps
    lines = [
        f"Demo session {demo.session_id} for patient '{DEMO_PATIENT}': "
        f"{ex.angle_name.replace('_', ' ')}, goal {ex.target_deg:.0f} degrees, {ex.reps_planned} reps planned.",
        "",
        f"{'rep':>4} {'start':>7} {'peak':>7} {'ROM':>7} {'hold':>6} {'time':>6} {'speed':>9}  goal",
    ]
    for r in reps:
        lines.append(
            f"{r.index:>4} {r.start_deg:>6.0f}° {r.peak_deg:>6.0f}° {r.rom_deg:>6.0f}° {r.hold_s:>5.1f}s "
            f"{r.duration_s:>5.1f}s {r.peak_velocity_dps:>6.0f}°/s  {'yes' if r.success else 'not yet'}"
        )
    if reps:
        successes = sum(r.success for r in reps)
        best = max(r.peak_deg for r in reps)
        mean_rom = sum(r.rom_deg for r in reps) / len(reps)
        lines += [
            "",
            f"Reps done: {len(reps)} of {ex.reps_planned}, {successes} reached the goal. "
            f"Best peak {best:.0f} degrees, mean range of motion {mean_rom:.0f} degrees.",
        ]
    else:
        lines += ["", "No complete reps were detected."]
    stats = demo.play.stats
    lines += [
        f"Played {demo.play.duration_s:.1f} s of recording in {stats.get('frames', 0)} frames "
        f"(frame time p50 {stats.get('frame_time_p50_ms', 0):.1f} ms).",
        "",
        f"Stored in:    {demo.database}  (session {demo.session_id}, {len(reps)} reps)",
        f"Recording:    {demo.recording}",
    ]
    return "\n".join(lines)

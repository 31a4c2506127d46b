"""Foundation numbers: CLI start-up, the demo end to end, kinematics and game-loop speed."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _rehab_command() -> list[str]:
    script = Path(sys.executable).with_name("rehab")
    return [str(script)] if script.exists() else [sys.executable, "-m", "rehab"]


def cli_help_seconds(runs: int = 7) -> dict[str, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([*_rehab_command(), "--help"], check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return {"median_s": round(statistics.median(times), 4), "max_s": round(max(times), 4), "goal_s": 0.5}


def demo_seconds() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "REHAB_HOME": home}
        started = time.perf_counter()
        subprocess.run([*_rehab_command(), "demo"], check=True, capture_output=True, env=env)
        return {"wall_s": round(time.perf_counter() - started, 3)}


def kinematics_frames_per_s() -> float:
    from rehab.engine.kinematics import pose_angles
    from rehab.sim.poses import SimulatedSession

    frames = list(SimulatedSession().frames())
    started = time.perf_counter()
    for frame in frames:
        pose_angles(frame)
    return round(len(frames) / (time.perf_counter() - started), 1)


def lift_loop() -> dict[str, float]:
    """Headless frames: physics at 120 Hz plus drawing the scene and HUD at 60 fps of game time."""
    from devices.jsonl import write_recording
    from devices.replay import ReplaySource
    from rehab.core.clock import SimulatedClock
    from rehab.engine.display import HeadlessDisplay
    from rehab.engine.exercise import Exercise
    from rehab.engine.game import available_games
    from rehab.engine.play import play
    from rehab.sim.poses import SimulatedSession

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rec.jsonl"
        write_recording(path, SimulatedSession().frames())
        exercise = Exercise("elbow_flexion_left", 10.0, 120.0, reps_planned=6)
        started = time.perf_counter()
        result = play(
            ReplaySource.from_file(path),
            available_games()["lift"],
            exercise,
            SimulatedClock(),
            HeadlessDisplay(),
            on_rep=lambda rep: None,
        )
        wall = time.perf_counter() - started
    return {
        "frames": result.frames,
        "frames_per_s": round(result.frames / wall, 1),
        "frame_time_p50_ms": result.stats["frame_time_p50_ms"],
        "frame_time_p99_ms": result.stats["frame_time_p99_ms"],
        "reps": len(result.reps),
    }


def run() -> dict[str, object]:
    return {
        "cli_help": cli_help_seconds(),
        "demo": demo_seconds(),
        "kinematics_frames_per_s": kinematics_frames_per_s(),
        "lift_headless": lift_loop(),
    }

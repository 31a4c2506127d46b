"""One played session: input source -> kinematics -> controls and reps -> game -> store.

This is the loop the CLI runs. The clock is passed in: a simulated clock plays a recording as fast
as the machine allows (the demo, tests, benchmarks); a real clock paces a live session.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from rehab.controls import Calibration, ControlMapper
from rehab.engine import FixedStepper, FrameStats, GameInfo
from rehab.hud import HudState, draw_hud
from rehab.kinematics import pose_angles
from rehab.reps import RepDetector, RepRule
from rehab.types import Controls, DeviceStatus, JointAngles, PoseFrame, RepMetrics


class Clock(Protocol):
    def now(self) -> float:
        """Seconds; called once per frame by the loop, and nowhere else."""
        ...


class SimulatedClock:
    """Advances a fixed frame time on every call: a session plays as fast as it can be computed."""

    def __init__(self, fps: float = 60.0) -> None:
        self.frame_s = 1.0 / fps
        self._t = -self.frame_s

    def now(self) -> float:
        self._t += self.frame_s
        return self._t


class RealClock:
    """Monotonic time, pacing the loop to ``fps`` frames a second."""

    def __init__(self, fps: float = 60.0) -> None:
        self.frame_s = 1.0 / fps
        self._next = time.monotonic()

    def now(self) -> float:
        delay = self._next - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        self._next = max(self._next + self.frame_s, time.monotonic())
        return time.monotonic()


@dataclass(frozen=True)
class Exercise:
    """What the patient does in this session, as a physiotherapist would prescribe it."""

    angle_name: str  # e.g. elbow_flexion_left
    rest_deg: float
    target_deg: float
    reps_planned: int
    hold_s: float = 1.0

    @property
    def calibration(self) -> Calibration:
        return Calibration(self.angle_name, self.rest_deg, self.target_deg)

    @property
    def rule(self) -> RepRule:
        return RepRule.for_range(self.rest_deg, self.target_deg, hold_s=self.hold_s)


@dataclass
class PlayResult:
    reps: list[RepMetrics] = field(default_factory=list)
    frames: int = 0
    duration_s: float = 0.0
    best_deg: float = math.nan
    untracked_s: float = 0.0
    events: list[DeviceStatus] = field(default_factory=list)
    stats: dict[str, float] = field(default_factory=dict)
    ended: str = ""


class Display(Protocol):
    surface: Any

    def present(self) -> None: ...

    def quit_requested(self) -> bool: ...


def play(
    source: Any,
    game_info: GameInfo,
    exercise: Exercise,
    clock: Clock,
    display: Display,
    on_rep: Callable[[RepMetrics], None],
    max_seconds: float = 600.0,
    screenshot: Path | None = None,
    screenshot_at: float | None = None,
) -> PlayResult:
    """Run the loop until the source ends, the planned reps are done plus a moment, or time is up.

    ``on_rep`` is called the moment each rep completes (the caller commits it to the store).
    """
    from rehab.display import save_screenshot

    game = game_info.factory(hold_s=exercise.hold_s)
    stepper = FixedStepper(game)
    mapper = ControlMapper(exercise.calibration)
    detector = RepDetector(exercise.rule)
    result = PlayResult()
    stats = FrameStats()
    controls = Controls(t=0.0, level=0.0, angle_deg=math.nan, tracking=False)
    start: float | None = None
    source_ended_at: float | None = None
    shot_taken = False
    previous_elapsed = 0.0
    while True:
        now = clock.now()
        frame_started = time.perf_counter()
        start = now if start is None else start
        elapsed = now - start
        for sample in source.poll(now):
            if isinstance(sample, PoseFrame):
                angles = pose_angles(sample)
            elif isinstance(sample, JointAngles):
                angles = sample
            else:
                continue
            controls = mapper(angles)
            if controls.tracking:
                result.best_deg = max(controls.angle_deg, result.best_deg) if math.isfinite(
                    result.best_deg) else controls.angle_deg  # fmt: skip
            rep = detector.step(angles.t, controls.angle_deg)
            if rep is not None:
                result.reps.append(rep)
                on_rep(rep)
        for event in source.status_events():
            result.events.append(event)
            if event.kind == "ended" and source_ended_at is None:
                source_ended_at = elapsed
        if not controls.tracking:
            result.untracked_s += elapsed - previous_elapsed
        previous_elapsed = elapsed
        stepper.advance(now, controls)

        snapshot = game.snapshot()
        game_info.renderer(display.surface, snapshot)
        draw_hud(
            display.surface,
            HudState(
                reps_done=len(result.reps),
                reps_planned=exercise.reps_planned,
                elapsed_s=elapsed,
                angle_label=exercise.angle_name.replace("_", " "),
                angle_deg=controls.angle_deg,
                target_deg=exercise.target_deg,
                rest_deg=exercise.rest_deg,
                best_deg=result.best_deg,
                message=snapshot.message,
            ),
        )
        display.present()
        result.frames += 1
        stats.add(time.perf_counter() - frame_started)
        if screenshot and screenshot_at is not None and not shot_taken and elapsed >= screenshot_at:
            save_screenshot(display.surface, screenshot)
            shot_taken = True

        if display.quit_requested():
            result.ended = "stopped by the player"
            break
        if source_ended_at is not None and elapsed - source_ended_at >= 0.5:
            result.ended = "end of input"
            break
        if elapsed >= max_seconds:
            result.ended = "time limit"
            break
    if screenshot and not shot_taken:
        save_screenshot(display.surface, screenshot)
    result.duration_s = elapsed
    result.stats = stats.summary()
    return result

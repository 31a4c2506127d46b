"""One played session: input source -> kinematics -> controls and reps -> game -> store.

This is the loop the CLI runs. The clock is passed in: a simulated clock plays a recording as fast
as the machine allows (the demo, tests, benchmarks); a real clock paces a live session. Scenes run
in order: instructions, countdown, play, summary. Input is read only while playing.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from rehab.core.clock import Clock
from rehab.core.types import DeviceStatus, JointAngles, PoseFrame, RepMetrics
from rehab.engine.exercise import Exercise
from rehab.engine.feedback import Feedback, rep_feedback
from rehab.engine.game import FixedStepper, FrameStats, GameInfo, build_game
from rehab.engine.hud import HudState, draw_hud
from rehab.engine.kinematics import pose_angles
from rehab.engine.measurement import Measurement, untracked


@dataclass
class PlayResult:
    reps: list[RepMetrics] = field(default_factory=list)
    frames: int = 0
    duration_s: float = 0.0
    play_s: float = 0.0
    wall_s: float = 0.0
    best_deg: float = math.nan
    untracked_s: float = 0.0
    events: list[DeviceStatus] = field(default_factory=list)
    stats: dict[str, float] = field(default_factory=dict)
    ended: str = ""
    #: the game's own summary (``summary()``): breaths, ratings, levels and their metrics
    extras: dict[str, Any] = field(default_factory=dict)

    def stats_json(self) -> dict[str, Any]:
        """What ``--stats`` writes: frame counts and timings, and every rep's metrics."""
        fps = self.frames / self.wall_s if self.wall_s > 0 else 0.0
        reps = []
        for rep in self.reps:
            row = asdict(rep)
            row["compensations"] = list(rep.compensations)
            reps.append({k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()})
        return {
            "frames": self.frames,
            "fps": round(fps, 1),
            "frame_time_p50_ms": self.stats.get("frame_time_p50_ms", 0.0),
            "frame_time_p99_ms": self.stats.get("frame_time_p99_ms", 0.0),
            "play_seconds": round(self.play_s, 2),
            "untracked_seconds": round(self.untracked_s, 2),
            "ended": self.ended,
            # the game's own counts and metrics; the full list of ratings goes to the store instead
            **{k: v for k, v in self.extras.items() if k != "rating_list"},
            "reps": reps,
        }


class Display(Protocol):
    surface: Any

    def present(self) -> None: ...

    def quit_requested(self) -> bool: ...


@dataclass(frozen=True)
class SceneTimes:
    """Seconds each scene shows. Tests and benchmarks may set them to 0."""

    instructions_s: float = 4.0
    countdown_s: float = 3.0
    summary_s: float = 4.0


NO_SCENES = SceneTimes(0.0, 0.0, 0.0)
#: status events after which the last value must not steer the game any more
INPUT_GONE = frozenset({"lost", "recalibrate"})
#: seconds without any sample after which live input counts as lost (an EEG headset's eSense
#: values come once a second, so less would flicker)
STALE_INPUT_S = 2.0
#: how long the message about the last rep stays up
FEEDBACK_S = 2.5
#: how long the safety warning stays up after the angle passes the ceiling
CEILING_WARNING_S = 2.0
#: after the input ends (a finished recording), play on this long so the last rep can settle
END_GRACE_S = 0.5


def _angles_of(sample: object, reader: Callable[[object], JointAngles | None] | None) -> JointAngles | None:
    """The named values a sample gives the game: the game's own reader first (it may read a pose
    for breathing, or an EEG sample), then joint angles for poses and angle samples."""
    if reader is not None:
        values = reader(sample)
        if values is not None:
            return values  # type: ignore[no-any-return]
    if isinstance(sample, PoseFrame):
        return pose_angles(sample)
    if isinstance(sample, JointAngles):
        return sample
    return None


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
    scenes: SceneTimes = NO_SCENES,
    sounds: Any = None,
    stop_after_reps: int | None = None,
    game_options: dict[str, Any] | None = None,
    setup_check: bool = False,
    seed: int | None = None,
) -> PlayResult:
    """Run the scenes; play until the source ends, the time is up, or the player quits.

    ``on_rep`` is called the moment each rep completes (the caller commits it to the store).
    ``sounds`` (a ``rehab.engine.sound.Sounds``) plays cues; None plays nothing.
    ``game_options`` go to the game's factory where it declares them (e.g. an exposure hierarchy).
    ``setup_check`` (for a live camera) reads poses during the instructions and holds them, with
    advice such as "step back", until the camera sees what the exercise needs.
    ``max_seconds`` and ``screenshot_at`` count from the start of play, after the countdown.
    ``stop_after_reps`` ends play once that many reps completed (one set of a guided session).
    """
    from rehab.engine.display import save_screenshot
    from rehab.engine.scenes import draw_countdown, draw_instructions, draw_pause_banner, draw_summary

    options = dict(game_options or {})
    if seed is not None:
        options["seed"] = seed  # games with chance in them (where balloons appear) play the same way
    game = build_game(game_info, hold_s=exercise.hold_s, side=exercise.side, **options)
    # a reader keeps state (a breathing signal's recent range), so each session gets a fresh one
    reader = game_info.reader_factory() if game_info.reader_factory is not None else game_info.read_sample
    stepper = FixedStepper(game)
    measurement = Measurement(exercise)
    result = PlayResult()
    stats = FrameStats()
    lead_in = scenes.instructions_s + scenes.countdown_s
    start: float | None = None
    source_ended_at: float | None = None
    previous: float | None = None
    over_ceiling_until = -math.inf
    feedback: Feedback | None = None
    feedback_until = -math.inf
    user_paused = False
    advice: Any = None
    last_input_at: float | None = None
    leaving = False
    shot_taken = False
    wall_started = time.perf_counter()
    instructions = [
        game_info.description,
        f"Movement: {exercise.angle_name.replace('_', ' ')}",
        f"Goal: {exercise.target_deg:.0f} degrees. Esc stops at any time.",
    ]

    while True:
        now = clock.now()
        frame_started = time.perf_counter()
        start = now if start is None else start
        since_start = now - start
        if since_start < scenes.instructions_s:
            camera_check = None
            if setup_check:
                advice = _setup_advice(source.poll(now), exercise.angle_name, advice)
                camera_check = (
                    ""
                    if advice is not None and advice.ok
                    else (advice.messages[0] if advice is not None else "stand in front of the camera")
                )
                if camera_check and previous is not None:
                    start += now - previous  # hold the instructions until the patient is well placed
            draw_instructions(display.surface, game_info.title, instructions, lead_in - (now - start), camera_check)
        else:
            if since_start >= lead_in and display_paused(display):
                user_paused = not user_paused
            if since_start >= lead_in and user_paused:
                source.poll(now)  # keep live input drained, so nothing stale arrives on resume
                stepper.advance(now, untracked(now))
            elif since_start >= lead_in:
                for sample in source.poll(now):
                    last_input_at = now  # any sample shows the device is there, used or not
                    angles = _angles_of(sample, reader)
                    if angles is None:
                        continue
                    rep = measurement.add(angles)
                    if measurement.over_ceiling:
                        over_ceiling_until = now + CEILING_WARNING_S
                    if rep is not None:
                        feedback = rep_feedback(rep)
                        feedback_until = now + FEEDBACK_S
                        if sounds is not None:
                            sounds.play(feedback.cue)
                        result.reps.append(rep)
                        on_rep(rep)
                for event in source.status_events():
                    result.events.append(event)
                    if event.kind == "ended" and source_ended_at is None:
                        source_ended_at = now
                    if event.kind in INPUT_GONE:
                        measurement.input_lost(now)
                # a device that simply stops sending is as lost as one that says so
                if last_input_at is not None and now - last_input_at > STALE_INPUT_S and source_ended_at is None:
                    measurement.input_lost(now)
                if not measurement.controls.tracking and previous is not None:
                    result.untracked_s += now - previous
                stepper.advance(now, measurement.controls)
            snapshot = game.snapshot()
            game_info.renderer(display.surface, snapshot)
            draw_hud(
                display.surface,
                HudState(
                    reps_done=len(result.reps),
                    reps_planned=exercise.reps_planned,
                    elapsed_s=max(0.0, since_start - lead_in),
                    angle_label=exercise.angle_name.replace("_", " "),
                    angle_deg=measurement.controls.angle_deg,
                    target_deg=exercise.target_deg,
                    rest_deg=exercise.rest_deg,
                    best_deg=measurement.best_deg,
                    signed=exercise.signed,
                    gauge=game_info.kind == "physical",
                    message="Paused"
                    if user_paused
                    else _message(
                        snapshot.message,
                        since_start >= lead_in,
                        now < over_ceiling_until,
                        feedback.message if feedback and now < feedback_until else "",
                    ),
                ),
            )
            if since_start < lead_in:
                draw_countdown(display.surface, lead_in - since_start)
            elif user_paused:
                draw_pause_banner(display.surface, "Take your time. Press P to carry on, Esc to stop.")
            elif not measurement.controls.tracking and since_start - lead_in > 1.0:
                draw_pause_banner(display.surface, _pause_reason(result.events))
        previous = now
        display.present()
        result.frames += 1
        stats.add(time.perf_counter() - frame_started)
        played = since_start - lead_in
        if screenshot and screenshot_at is not None and not shot_taken and played >= screenshot_at:
            save_screenshot(display.surface, screenshot)
            shot_taken = True

        if display.quit_requested():
            # a game with a last question (exposure's exit rating) gets to ask it; a second Esc,
            # or closing the window, leaves at once
            request_exit = getattr(game, "request_exit", None)
            if request_exit is None or getattr(display, "quit_presses", 2) >= 2:
                result.ended = "stopped by the player"
                break
            if not leaving:
                request_exit()
                leaving = True
        if leaving and getattr(game, "ready_to_leave", True):
            result.ended = "stopped by the player"
            break
        if source_ended_at is not None and now - source_ended_at >= END_GRACE_S:
            result.ended = "end of input"
            break
        if played >= max_seconds:
            result.ended = "time limit"
            break
        if stop_after_reps is not None and len(result.reps) >= stop_after_reps:
            result.ended = "set complete"
            break
    result.play_s = max(0.0, since_start - lead_in)
    result.best_deg = measurement.best_deg
    # frames per second over the loop that counted them: the summary scene after it is not included
    result.wall_s = time.perf_counter() - wall_started
    from rehab.engine.mental import session_extras

    result.extras = session_extras(game)
    result.duration_s = result.play_s
    if screenshot and not shot_taken:
        save_screenshot(display.surface, screenshot)
    if scenes.summary_s > 0:
        summary_end = now + scenes.summary_s
        while now < summary_end and not display.quit_requested():
            draw_summary(display.surface, game_info.title, result.reps, exercise.reps_planned)
            display.present()
            now = clock.now()
    result.stats = stats.summary()
    return result


def _setup_advice(samples: list[object], angle_name: str, last: Any) -> Any:
    """Advice on the newest pose among ``samples`` (the last advice when none arrived)."""
    from rehab.engine.setup_guidance import advise

    poses = [s for s in samples if isinstance(s, PoseFrame)]
    return advise(poses[-1], [angle_name]) if poses else last


def display_paused(display: Display) -> bool:
    """Whether the player pressed the pause key since the last frame (headless displays have none)."""
    check = getattr(display, "pause_pressed", None)
    return bool(check()) if check is not None else False


def _message(game_message: str, playing: bool, over_ceiling: bool, rep_message: str) -> str:
    """One message at a time, the most important first: safety, then how the last rep went."""
    if not playing:
        return ""
    if over_ceiling:
        return "Too far! Stay within your safe range."
    return rep_message or game_message


def _pause_reason(events: list[DeviceStatus]) -> str:
    if events and events[-1].kind == "lost":
        return f"The device was disconnected ({events[-1].device}). Waiting for it to come back..."
    if events and events[-1].kind == "recalibrate":
        return "Hold still in your start position for a moment, so the sensor can find its bearings."
    return "We cannot see you. Step back into view of the camera."

"""One played session: input source -> kinematics -> controls and reps -> game -> store.

``play`` builds the scenes of a session (``rehab.engine.scenes``: instructions, countdown, play,
summary) and runs them on the one frame loop (``rehab.engine.director``). The clock is passed in: a
simulated clock plays a recording as fast as the machine allows (the demo, tests, benchmarks); a
real clock paces a live session. Input is read only while playing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from rehab.core.clock import Clock
from rehab.core.i18n import N_, _
from rehab.core.types import DeviceStatus, JointAngles, PoseFrame, RepMetrics
from rehab.engine.display import Display
from rehab.engine.exercise import Exercise
from rehab.engine.game import GameSpec
from rehab.engine.kinematics import pose_angles
from rehab.engine.ratings import Rating

__all__ = ["NO_SCENES", "InputSource", "PlayResult", "SceneTimes", "play"]


@dataclass
class PlayResult:
    reps: list[RepMetrics] = field(default_factory=list)
    frames: int = 0
    duration_s: float = 0.0
    play_s: float = 0.0
    wall_s: float = 0.0
    best_deg: float = math.nan
    untracked_s: float = 0.0
    #: every device status seen while playing (lost, reconnected, recalibrate, ended)
    events: list[DeviceStatus] = field(default_factory=list)
    #: the driving channel (e.g. ``elbow_flexion_left``) -> (sample times s, values) as read while
    #: playing: the newest measured sample of each frame, so at most one point per frame
    streams: dict[str, tuple[list[float], list[float]]] = field(default_factory=dict)
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


class InputSource(Protocol):
    """Where samples come from: a camera, a serial IMU, a recording, a simulated patient."""

    def poll(self, now: float) -> Sequence[object]:
        """The samples that arrived by ``now``."""
        ...

    def status_events(self) -> Sequence[DeviceStatus]:
        """Device news since the last call (lost, reconnected, ended)."""
        ...


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


def angles_of(sample: object, reader: Callable[[object], JointAngles | None] | None) -> JointAngles | None:
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


_angles_of = angles_of  # the name the scenes know it by


def play(
    source: InputSource,
    game_info: GameSpec,
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
    on_rating: Callable[[Rating], None] | None = None,
    notes: str = "",
    seated: bool = False,
    live: Any = None,
) -> PlayResult:
    """Run the scenes; play until the source ends, the time is up, or the player quits.

    ``on_rep`` is called the moment each rep completes (the caller commits it to the store), and
    ``on_rating`` the moment the patient answers a game's question (stress, SUDS).
    ``sounds`` (a ``rehab.engine.sound.Sounds``) plays cues; None plays nothing.
    ``game_options`` go to the game's factory where it declares them (e.g. an exposure hierarchy).
    ``setup_check`` (for a live camera) reads poses during the instructions and holds them, with
    advice such as "step back", until the camera sees what the exercise needs.
    ``max_seconds`` and ``screenshot_at`` count from the start of play, after the countdown.
    ``stop_after_reps`` ends play once that many reps completed (one set of a guided session).
    ``notes`` (the plan's notes for the patient) are shown on the instruction card; ``seated``
    draws the patient on a chair in its where-to-stand sketch. ``live`` (a
    ``rehab.engine.live.LiveChannel``) shares the session with the physio while the patient agrees.
    """
    from rehab.engine.director import Screenshot, run_scenes
    from rehab.engine.scenes import PLAYED_SCENES, PlayRules, Round, first_scene

    options = dict(game_options or {})
    if seed is not None:
        options["seed"] = seed  # games with chance in them (where balloons appear) play the same way
    rules = PlayRules(on_rep, max_seconds, stop_after_reps, setup_check, sounds, on_rating, notes, seated, live)
    state = Round.start_round(source, game_info, exercise, scenes, rules, options)
    shot = Screenshot(screenshot, "play", math.inf if screenshot_at is None else screenshot_at) if screenshot else None
    report = run_scenes(clock, display, first_scene(state), shot)
    result = state.result
    # frames per second over the scenes up to the end of play: the summary after it is not included
    frames = report.stats_of(PLAYED_SCENES)
    result.frames = len(frames.frame_times_s)
    result.stats = frames.summary()
    result.wall_s = report.wall_of(PLAYED_SCENES)
    result.play_s = result.duration_s = state.played_s
    result.best_deg = state.measurement.best_deg
    from rehab.engine.mental import session_extras

    result.extras = session_extras(state.game)
    return result


def _setup_advice(samples: list[object], angle_name: str, last: Any) -> Any:
    """Advice on the newest pose among ``samples`` (the last advice when none arrived)."""
    from rehab.engine.setup_guidance import advise

    poses = [s for s in samples if isinstance(s, PoseFrame)]
    return advise(poses[-1], [angle_name]) if poses else last


def _message(game_message: str, playing: bool, over_ceiling: bool, rep_message: str) -> str:
    """One message at a time, the most important first: safety, then how the last rep went."""
    if not playing:
        return ""
    if over_ceiling:
        return _("Too far! Stay within your safe range.")
    return rep_message or game_message


#: inputs that see the patient: losing them means the patient left the picture
CAMERA_SCHEMES = ("webcam", "video", "images", "replay", "sim")
HOLD_STILL = N_("Hold still in your start position for a moment, so the sensor can find its bearings.")


def sees_the_patient(input_url: str) -> bool:
    """A camera (or a recording of one, or no URL known): losing the input means leaving the picture."""
    scheme = input_url.partition(":")[0]
    return not scheme or scheme in CAMERA_SCHEMES


def _pause_reason(events: list[DeviceStatus], input_url: str = "") -> str:
    """Why nothing steers the game, in the words of the input: a camera that lost the patient or
    sees several people and waits to know which is the patient, an IMU still waiting for (or
    re-taking) its start position, a headset without contact."""
    if events and events[-1].kind == "lost":
        return _("The device was disconnected ({device}). Waiting for it to come back...").format(
            device=events[-1].device
        )
    if events and events[-1].kind == "recalibrate":
        return _(HOLD_STILL)
    scheme = input_url.partition(":")[0]
    if scheme == "thinkgear":
        return _("Waiting for the headset: check that its sensor touches your forehead.")
    if not sees_the_patient(input_url) and scheme != "keyboard":
        return _(HOLD_STILL)  # an IMU takes its zero from a still start position before any angle
    person = next((e.detail for e in reversed(events) if e.kind == "person"), None)
    if person == "choosing patient":  # the camera's patient lock waits to know who is playing
        return _("Several people are in view. Raise a hand above your head for a moment, so the game knows it is you.")
    if person == "other person":
        return _("We can see someone else, but not you. Step back into view, and ask others to step aside.")
    return _("We cannot see you. Step back into view of the camera.")

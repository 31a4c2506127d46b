"""The game loop's pieces: what a game is, a fixed-timestep stepper, and loop statistics.

Physics runs on a fixed step (120 Hz) however fast frames are drawn, so a game plays the same on a
slow laptop, in a window or headless in a test. Time always comes in as an argument; only the
outermost loop (the CLI) reads a clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from rehab.core.types import Controls

PHYSICS_HZ = 120.0
#: after a stall (a slow disk, a debugger) the loop drops time rather than spiralling
MAX_STEPS_PER_ADVANCE = 30


class Game(Protocol):
    """Pure rules: no drawing, no clock, no input devices."""

    name: str

    def update(self, dt: float, controls: Controls) -> None: ...

    def snapshot(self) -> Any:
        """An immutable picture of the state, for a renderer to draw."""
        ...


@dataclass(frozen=True)
class GameInfo:
    """What ``rehab games`` lists, and how to build and draw a game."""

    name: str
    title: str
    movements: tuple[str, ...]
    inputs: tuple[str, ...]
    description: str
    factory: Any  # (hold_s) -> Game
    renderer: Any  # (surface, snapshot) -> None: draws the scene; the engine adds the HUD
    #: the movement that drives the game: a motion name from rehab/angles.py; sided motions get
    #: ``_left``/``_right`` added from the player's side (e.g. elbow_flexion -> elbow_flexion_left)
    angle: str = "elbow_flexion"
    #: default range when no calibration or plan gives one, degrees
    rest_deg: float = 10.0
    target_deg: float = 120.0
    #: True for movements that go both ways from neutral (level -1..1), e.g. cervical_rotation
    signed: bool = False
    #: further movements the game reads from ``Controls.axes``: motion -> (rest_deg, target_deg)
    axes: tuple[tuple[str, float, float], ...] = ()
    #: whether the motion has a side (elbow) or not (trunk_lateral_flexion, cervical_rotation)
    sided: bool = True
    #: ``--input sim``: (side, seed) -> list of samples (JointAngles, EegSample, ...), a plausible
    #: patient playing this game
    simulate: Any = None
    #: (sample) -> JointAngles | None: the game's own reading of a sample (an EegSample, an ImuSample,
    #: or a PoseFrame read for breathing) as named channels, e.g. {"meditation": 64.0}; tried before
    #: the default (poses -> joint angles); returning None falls back to the default
    read_sample: Any = None
    #: () -> read_sample function: a fresh reader for each session, for readers that keep state
    reader_factory: Any = None
    #: the game needs the patient standing (``--seated`` refuses it)
    standing_only: bool = False
    #: "physical" (joint movement, counted in reps) or "mental" (breathing, exposure, neurofeedback)
    kind: str = "physical"


class FixedStepper:
    """Advances a game in fixed ``1/physics_hz`` steps up to the time it is given."""

    def __init__(self, game: Game, physics_hz: float = PHYSICS_HZ) -> None:
        self.game = game
        self.step_s = 1.0 / physics_hz
        self._time: float | None = None
        self._pending = 0.0

    def advance(self, now: float, controls: Controls) -> int:
        """Run every whole physics step due by ``now``; returns how many ran."""
        if self._time is None:
            self._time = now
            return 0
        self._pending += max(0.0, now - self._time)
        self._time = now
        steps = 0
        while self._pending >= self.step_s and steps < MAX_STEPS_PER_ADVANCE:
            self.game.update(self.step_s, controls)
            self._pending -= self.step_s
            steps += 1
        if steps == MAX_STEPS_PER_ADVANCE:
            self._pending = 0.0
        return steps


@dataclass
class FrameStats:
    """Per-frame timings of a run, for ``--stats`` and benchmarks."""

    frame_times_s: list[float] = field(default_factory=list)

    def add(self, seconds: float) -> None:
        self.frame_times_s.append(seconds)

    def summary(self) -> dict[str, float]:
        times = sorted(self.frame_times_s)
        if not times:
            return {"frames": 0, "frame_time_p50_ms": 0.0, "frame_time_p99_ms": 0.0}

        def pct(p: float) -> float:
            return round(1000 * times[min(len(times) - 1, int(p * len(times)))], 3)

        return {"frames": len(times), "frame_time_p50_ms": pct(0.5), "frame_time_p99_ms": pct(0.99)}


def build_game(info: GameInfo, **options: Any) -> Game:
    """Make a game, passing only the options its factory declares (``hold_s``, ``side``, ...), so a
    game written for an older engine keeps working when the engine learns to pass more."""
    import inspect

    parameters = inspect.signature(info.factory).parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    accepted = {k: v for k, v in options.items() if takes_any or k in parameters}
    return info.factory(**accepted)  # type: ignore[no-any-return]


def available_games() -> dict[str, GameInfo]:
    """Games registered in the ``rehab.games`` entry-point group, by name."""
    from importlib.metadata import entry_points

    return {ep.name: ep.load() for ep in entry_points(group="rehab.games")}

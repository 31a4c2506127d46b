"""The game loop's pieces: what a game is, a fixed-timestep stepper, and loop statistics.

Physics runs on a fixed step (120 Hz) however fast frames are drawn, so a game plays the same on a
slow laptop, in a window or headless in a test. Time always comes in as an argument; only the
outermost loop (the CLI) reads a clock.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, cast, runtime_checkable

from rehab.core.motions import motion_of
from rehab.core.types import Controls, EegSample, ImuSample, JointAngles, PoseFrame

if TYPE_CHECKING:
    import pygame

    from rehab.engine.ratings import Rating

PHYSICS_HZ = 120.0
#: after a stall (a slow disk, a debugger) the loop drops time rather than spiralling
MAX_STEPS_PER_ADVANCE = 30

#: what an input sends and a simulator makes: the same kinds a device source delivers
Sample = PoseFrame | ImuSample | EegSample | JointAngles


class Game(Protocol):
    """Pure rules: no drawing, no clock, no input devices. Time comes in as ``dt``."""

    name: str

    def update(self, dt: float, controls: Controls) -> None:
        """Advance the rules by ``dt`` seconds with the player's controls."""
        ...

    def snapshot(self) -> object:
        """An immutable picture of the state, for the game's renderer to draw."""
        ...


@runtime_checkable
class ReportsSummary(Protocol):
    """Optional hook: a game that counts things (breaths, ratings, levels) reports them for
    ``--stats`` and the progress store."""

    def summary(self) -> Mapping[str, object]: ...


@runtime_checkable
class AsksBeforeLeaving(Protocol):
    """Optional hook: a game with a last question (exposure's exit rating). On the first Esc the
    engine calls ``request_exit`` and leaves once ``ready_to_leave`` is true."""

    def request_exit(self) -> None: ...

    @property
    def ready_to_leave(self) -> bool: ...


@runtime_checkable
class EndsItself(Protocol):
    """Optional hook: a game that runs its course and ends by itself (breathing's minutes and the
    stress question after them, exposure's calm breathing): play ends once ``over`` is true."""

    @property
    def over(self) -> bool: ...


@runtime_checkable
class AnswersByKey(Protocol):
    """Optional hook: a game whose questions are answered with its pointer (stress, SUDS). For a
    player on the keys the engine calls ``answer_by_keys`` once: the marker rests between presses,
    so holding still must not choose; then ``choose`` at each Enter, which answers with the marker."""

    def answer_by_keys(self) -> None: ...

    def choose(self) -> None: ...


@runtime_checkable
class CollectsRatings(Protocol):
    """Optional hook: a game that asks the patient questions (stress, SUDS) keeps their answers in
    ``ratings``, in order; the engine hands each new one to the caller as soon as it is given, so a
    crash later in the game loses none of them."""

    @property
    def ratings(self) -> Sequence[Rating]: ...


@runtime_checkable
class ShowsMessage(Protocol):
    """Optional hook on a snapshot: words for the patient, shown in the HUD's message line
    (breathe's "breathe in", exposure's prompts)."""

    @property
    def message(self) -> str: ...


@runtime_checkable
class AsksAQuestion(Protocol):
    """Optional hook on a snapshot: the question on screen now (breathe's stress rating, exposure's
    SUDS), or None. A game whose first snapshot asks one opens without a countdown."""

    @property
    def prompt(self) -> object | None: ...


@dataclass(frozen=True)
class PatientSummary:
    """The end-of-game screen in the patient's words: a few lines (breaths and rate, fear before and
    after) and whether they earned praise (a heading of "well done!" rather than "finished")."""

    lines: tuple[str, ...]
    praise: bool = False


@runtime_checkable
class SummarisesForPatient(Protocol):
    """Optional hook: a game whose end-of-game screen is its own lines rather than the table of reps
    (breathing, exposure and neurofeedback count breaths, fear and calm time, not reps)."""

    def patient_summary(self) -> PatientSummary: ...


class GameFactory(Protocol):
    """Builds a fresh game. It may declare, by keyword, any option the engine offers (``hold_s``,
    ``side``, ``seed``) or a plan's settings (``pace_bpm``, ``steps``, ...); ``build_game`` passes
    only those it declares."""

    def __call__(self, *, hold_s: float = ...) -> Game: ...


class Renderer(Protocol):
    """Draws a snapshot (from the same game's ``snapshot()``) on the surface; the engine adds the HUD."""

    def __call__(self, surface: pygame.Surface, snapshot: object) -> None: ...


class Simulator(Protocol):
    """``--input sim``: the samples a plausible patient playing this game would send."""

    def __call__(self, side: str, seed: int) -> Sequence[Sample]: ...


class SampleReader(Protocol):
    """A game's own reading of a sample as named channels (``{"meditation": 64.0}``); None falls
    back to the default reading (poses -> joint angles)."""

    def __call__(self, sample: object) -> JointAngles | None: ...


class ReaderFactory(Protocol):
    """A fresh ``SampleReader`` for each session, for readers that keep state."""

    def __call__(self) -> SampleReader: ...


@dataclass(frozen=True)
class Imported:
    """A function or class named ``"package.module:name"``, imported on first use, so ``rehab
    games`` lists every game without loading pygame, pymunk or the rules."""

    target: str

    def resolve(self) -> Callable[..., object]:
        module, _, name = self.target.partition(":")
        return cast(Callable[..., object], vars(importlib.import_module(module))[name])


@dataclass(frozen=True)
class ImportedGame(Imported):
    """A game factory imported on first use: ``made_by("games.lift.rules:LiftGame")``."""

    #: the options the engine may pass, when fewer than the factory takes; None for all it takes
    only: tuple[str, ...] | None = None

    @property
    def __signature__(self) -> inspect.Signature:
        """The real factory's signature (narrowed to ``only``): what ``build_game`` reads to choose options."""
        signature = inspect.signature(self.resolve())
        if self.only is None:
            return signature
        return signature.replace(parameters=[p for p in signature.parameters.values() if p.name in self.only])

    def __call__(self, **options: object) -> Game:
        return cast(Game, self.resolve()(**options))


class ImportedRenderer(Imported):
    """A renderer imported on first use: ``drawn_by("games.lift.draw:draw_lift")``."""

    def __call__(self, surface: pygame.Surface, snapshot: object) -> None:
        self.resolve()(surface, snapshot)


def made_by(target: str, only: tuple[str, ...] | None = None) -> GameFactory:
    """The game factory (usually the rules class) at ``"package.module:name"``, imported when a game
    starts; ``only`` limits the engine's options it receives (e.g. ``("hold_s",)`` for a game whose
    layout must not follow the session's seed)."""
    return ImportedGame(target, only)


def drawn_by(target: str) -> Renderer:
    """The drawing function at ``"package.module:name"``, imported when a game is first drawn."""
    return ImportedRenderer(target)


@dataclass(frozen=True)
class GameSpec:
    """What ``rehab games`` lists, and how to build, draw, feed and simulate a game.

    A package publishes one in the ``rehab.games`` entry-point group. Whether the movement has a
    side and goes both ways comes from the motion registry (``rehab.core.motions``); channels that
    are not motions (``breath``, ``hand``, ``meditation``) have neither.
    """

    name: str
    title: str
    movements: tuple[str, ...]
    inputs: tuple[str, ...]
    description: str
    factory: GameFactory
    renderer: Renderer
    #: every game has one: ``--input sim``, the demo and the tests play it without a patient
    simulate: Simulator
    #: the movement that drives the game: a motion from ``rehab.core.motions`` (sided motions get
    #: ``_left``/``_right`` from the player's side) or a channel the game's reader names
    angle: str = "elbow_flexion"
    #: default range when no calibration or plan gives one, degrees (or the channel's units)
    rest_deg: float = 10.0
    target_deg: float = 120.0
    #: further movements the game reads from ``Controls.axes``: (motion, rest_deg, target_deg)
    axes: tuple[tuple[str, float, float], ...] = ()
    #: the game's own reading of a sample, tried before the default (poses -> joint angles)
    read_sample: SampleReader | None = None
    #: a fresh reader for each session, for readers that keep state (wins over ``read_sample``)
    reader_factory: ReaderFactory | None = None
    #: the game needs the patient standing (``--seated`` refuses it)
    standing_only: bool = False
    #: "physical" (joint movement, counted in reps) or "mental" (breathing, exposure, neurofeedback)
    kind: str = "physical"
    #: seconds of play when neither a plan nor ``--seconds`` says: the length of the exercise (three
    #: minutes of breathing with its two questions); a game asking a last question still asks it then
    play_s: float = 120.0

    @property
    def sided(self) -> bool:
        """The movement has a left and a right (elbow), from the motion registry."""
        motion = motion_of(self.angle)
        return motion is not None and motion.sided

    @property
    def signed(self) -> bool:
        """The movement goes both ways from neutral (level -1..1), from the motion registry."""
        motion = motion_of(self.angle)
        return motion is not None and motion.two_sided

    def reader(self) -> SampleReader | None:
        """The game's reader for one session: a fresh one from ``reader_factory``, else ``read_sample``."""
        return self.reader_factory() if self.reader_factory is not None else self.read_sample


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


def build_game(spec: GameSpec, **options: object) -> Game:
    """Make a game, passing only the options its factory declares (``hold_s``, ``side``, ...), so a
    game written for an older engine keeps working when the engine learns to pass more."""
    parameters = inspect.signature(spec.factory).parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    accepted = {k: v for k, v in options.items() if takes_any or k in parameters}
    # the options were just checked against the factory's real signature
    factory = cast(Callable[..., Game], spec.factory)
    return factory(**accepted)


def available_games() -> dict[str, GameSpec]:
    """Games registered in the ``rehab.games`` entry-point group, by name."""
    from importlib.metadata import entry_points

    return {ep.name: ep.load() for ep in entry_points(group="rehab.games")}

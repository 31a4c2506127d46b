"""One game played outside a guided session (``rehab play``, the home screen's *Relax*): the game
chosen and checked, its exercise, the input opened, the play stored rep by rep like any session.

The command line turns its options into a ``PlayRequest``; the home screen makes one directly. Problems
the player can fix are ``UsageError`` (one line, exit status 2 on the command line; a card on screen)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, cast

from rehab.core.errors import UsageError

if TYPE_CHECKING:
    from devices.base import Source
    from progress.store import Store
    from rehab.core.clock import Clock
    from rehab.engine.display import Display
    from rehab.engine.exercise import Exercise
    from rehab.engine.game import GameSpec
    from rehab.engine.play import PlayResult

#: with calibration the goal is this share of the measured comfortable range
CALIBRATED_GOAL_SHARE = 0.9


@dataclass(frozen=True)
class PlayRequest:
    """What to play, for whom, with which input; the defaults are ``rehab play``'s."""

    game: str
    patient: str = "guest"
    input: str = "sim"
    side: str = "left"
    home: str | None = None  # the data folder (None: $REHAB_HOME, then the platform's)
    target: float | None = None
    ceiling: float | None = None
    calibrate: bool = False
    reps: int = 8
    hold: float = 1.0
    seconds: float | None = None  # None: the game's own length
    window: bool = False
    sound: bool = True
    mirror: bool = False
    seated: bool = False
    seed: int = 0
    hierarchy: Path | None = None
    screenshot: Path | None = None
    screenshot_at: float | None = None

    @property
    def simulated(self) -> bool:
        return self.input in ("sim", "sim:")


def chosen_game(request: PlayRequest) -> GameSpec:
    """The game asked for, refused when it is not installed or cannot be played as asked."""
    from rehab.engine.game import available_games

    games = available_games()
    if request.game not in games:
        raise UsageError(f"no game called {request.game!r}; installed games: {', '.join(sorted(games))}")
    if request.reps < 1 or (request.seconds is not None and request.seconds <= 0) or request.hold < 0:
        raise UsageError("--reps must be 1 or more, --seconds more than 0, --hold 0 or more")
    info = games[request.game]
    if request.seated and info.standing_only:
        seated = ", ".join(sorted(name for name, game in games.items() if not game.standing_only))
        raise UsageError(f"{info.title} is played standing; games you can play seated: {seated}")
    if request.calibrate and info.kind != "physical":
        raise UsageError("--calibrate measures a joint's range; it is for the movement games")
    return info


def normal_range(info: GameSpec) -> float:
    """The AAOS normal range of the game's movement: the default safety ceiling."""
    from rehab.core.motions import NORMAL_ROM_DEG

    return float(NORMAL_ROM_DEG.get(info.angle, info.target_deg * 1.5))


def prescribed(request: PlayRequest, info: GameSpec) -> Exercise:
    from rehab.engine.exercise import Exercise

    return replace(
        Exercise.for_game(info, request.side, request.reps, request.hold, request.target),
        mirror=request.mirror,
        ceiling_deg=request.ceiling if request.ceiling else normal_range(info),
    )


def play_on(
    display: Display,
    request: PlayRequest,
    info: GameSpec,
    exercise: Exercise,
    say: Callable[[str], None] = print,
) -> tuple[int, Exercise, PlayResult]:
    """Open the input and play on ``display`` (left open for the caller to close). A problem that
    ends the play (a camera that will not open) is shown on the window until the patient closes it,
    then raised like any other. ``say`` gets the lines worth telling (the calibrated goal)."""
    from rehab.core.errors import RehabError

    try:
        source = _open_input(request, info, exercise)
        return _play_and_store(request, info, exercise, source, display, say)
    except RehabError as error:
        if request.window:
            from rehab.app.session_cards import show_problem

            show_problem(display, str(error))
        raise


def _play_and_store(
    request: PlayRequest,
    info: GameSpec,
    exercise: Exercise,
    source: Source,
    display: Display,
    say: Callable[[str], None],
) -> tuple[int, Exercise, PlayResult]:
    """Calibrate if asked, play, and store the session rep by rep (each rep the moment it ends)."""
    from progress.store import DB_FILENAME, Store, tell_once_per_wait
    from rehab.app.demo import wall_clock_iso
    from rehab.app.home import prepared_home
    from rehab.core.clock import RealClock, SimulatedClock
    from rehab.engine.mental import store_rating
    from rehab.engine.play import SceneTimes, play
    from rehab.engine.sound import Sounds

    sounds = Sounds() if request.window and request.sound else None
    # recorded or simulated input may play as fast as it can be computed; a live device (a camera,
    # a serial IMU) delivers in real time, so even headless the loop must keep real time with it
    recorded = request.simulated or source.url.startswith("replay:")
    clock = SimulatedClock() if recorded and not request.window else RealClock()
    scenes = SceneTimes() if request.window else SceneTimes(instructions_s=1.0, countdown_s=1.0, summary_s=0.0)
    store = Store.open(prepared_home(request.home) / DB_FILENAME)
    # another program holding the database: the game waits to store the rep, and says why once
    store.on_busy = tell_once_per_wait(lambda line: print(f"rehab play: {line}", file=sys.stderr))
    try:
        if request.calibrate:
            exercise = _calibrate(request, info, exercise, source, clock, display, store, say)
        # kind: a breathing game is never read as a joint angle in a report
        where = (request.side if info.sided else "", source.url, exercise.target_deg)
        session_id = store.start_session(
            request.patient, wall_clock_iso(), info.name, exercise.angle_name, *where, kind=info.kind
        )
        result = play(
            source,
            info,
            exercise,
            clock,
            display,
            on_rep=lambda rep: store.add_rep(session_id, rep),
            max_seconds=request.seconds if request.seconds is not None else info.play_s,
            screenshot=request.screenshot,
            screenshot_at=request.screenshot_at,
            scenes=scenes,
            sounds=sounds,
            game_options={"hierarchy": request.hierarchy} if request.hierarchy else None,
            setup_check=source.url.startswith("webcam:"),
            seed=request.seed,
            on_rating=lambda rating: store_rating(store, request.patient, session_id, wall_clock_iso(), rating),
            seated=request.seated,
        )
        # the angle stream and device events of the play, then its end: kept with the session
        _store_end(store, session_id, result, wall_clock_iso())
    finally:
        store.close()
        source.close()
    return session_id, exercise, result


def _store_end(store: Store, session_id: int, result: PlayResult, now_iso: str) -> None:
    """The play's angle streams, device events and the game's own measures, then its end."""
    from rehab.app.session_runner import record_game_summary

    with store.transaction("play end"):
        store.add_recording(session_id, result.streams, result.events)
        record_game_summary(store, session_id, result.extras)
    ended = "completed" if result.ended != "stopped by the player" else "stopped"
    store.finish_session(session_id, now_iso, ended)


def _calibrate(
    request: PlayRequest,
    info: GameSpec,
    exercise: Exercise,
    source: Source,
    clock: Clock,
    display: Display,
    store: Store,
    say: Callable[[str], None],
) -> Exercise:
    """Measure the comfortable range, store it, and return the exercise with its goal set from it."""
    from rehab.app.demo import wall_clock_iso
    from rehab.engine.calibration import measure_range
    from rehab.engine.exercise import Exercise
    from rehab.engine.play import SceneTimes

    # the simulated patient's calibration is its own short session; live input just carries on
    calibration_source = _open_input(request, info, exercise) if request.simulated else source
    scenes = SceneTimes(summary_s=0.0) if request.window else SceneTimes(1.0, 1.0, 0.0)
    measured = measure_range(
        calibration_source, info, request.side, exercise.ceiling_deg, clock, display, scenes, info.title
    )
    if measured is None:
        raise UsageError("no movement was seen during calibration; check the input and try again")
    store.add_calibration(
        request.patient,
        wall_clock_iso(),
        exercise.angle_name,
        round(measured.start_deg, 1),
        round(measured.peak_deg, 1),
        source.url,
    )
    goal = request.target or round(
        exercise.rest_deg + CALIBRATED_GOAL_SHARE * (measured.peak_deg - exercise.rest_deg), 1
    )
    say(
        f"Calibrated: comfortable range up to {measured.peak_deg:.0f}° ({measured.movements} movements); "
        f"goal {goal:.0f}°."
    )
    calibrated = replace(
        Exercise.for_game(info, request.side, request.reps, request.hold, goal),
        mirror=request.mirror,
        ceiling_deg=exercise.ceiling_deg,
    )
    return calibrated


def _open_input(request: PlayRequest, info: GameSpec, exercise: Exercise) -> Source:
    from devices.base import open_source
    from devices.replay import ReplaySource

    if request.simulated:
        return ReplaySource(info.simulate(request.side, request.seed), url=f"sim:{info.name}")
    if request.input.startswith("keyboard"):
        if not request.window:
            raise UsageError("keyboard input needs --window (keys come from the game window)")
        from devices.keyboard import KeyboardSource

        keys = KeyboardSource(exercise.angle_name, exercise.rest_deg, exercise.target_deg * 1.2, exercise.signed)
        return cast("Source", keys)  # it gives joint angles only: a narrower list than Source's poll
    from devices.camera import CameraUnavailable
    from rehab.app.input_fit import input_problem
    from rehab.app.input_problems import camera_problem

    # an input that cannot give the game's movement would play counting nothing: say so first
    unfit = input_problem(request.input, info, exercise.angle_name)
    if unfit is not None:
        raise UsageError(unfit)
    try:
        return open_source(request.input)
    except CameraUnavailable as error:
        raise UsageError(camera_problem(request.input, error)) from error
    except OSError as error:
        raise UsageError(f"cannot open {request.input}: {error}") from error

"""``rehab play GAME``: one game with any input, in a window or headless, stored like any session."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from rehab.app.cli import CommandError, values

if TYPE_CHECKING:
    from devices.base import Source
    from progress.store import Store
    from rehab.engine.display import Display
    from rehab.engine.exercise import Exercise
    from rehab.engine.game import GameSpec
    from rehab.engine.play import PlayResult


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("game", help="game name (see 'rehab games')")
    parser.add_argument(
        "--input",
        default="sim",
        metavar="URL",
        help="input: sim (simulated patient, the default), keyboard: (needs --window), "
        "replay:FILE.jsonl, webcam:0, witmotion:/dev/ttyUSB0, ...",
    )
    parser.add_argument("--side", choices=("left", "right"), default="left", help="side to exercise (default left)")
    parser.add_argument("--patient", default="guest", help="pseudonymous patient id to store the session under")
    parser.add_argument(
        "--target",
        type=values.angle_deg,
        metavar="DEG",
        help="goal angle in degrees, above the game's rest angle and below the ceiling (default: the game's)",
    )
    parser.add_argument(
        "--calibrate",
        action="store_true",
        help="first measure the comfortable range (three movements); the goal becomes 90%% of it",
    )
    parser.add_argument(
        "--ceiling",
        type=values.angle_deg,
        metavar="DEG",
        help="safety limit in degrees, up to the movement's normal range (AAOS, the default): reps past it never count",
    )
    parser.add_argument("--reps", type=values.bounded_int(1, 500), default=8, help="reps planned, 1-500 (default 8)")
    parser.add_argument(
        "--hold",
        type=values.finite_float(0.0, 30.0),
        default=1.0,
        metavar="S",
        help="seconds to hold at the goal, 0-30 (default 1)",
    )
    shown = parser.add_mutually_exclusive_group()
    shown.add_argument("--window", action="store_true", help="play in a window, in real time")
    shown.add_argument("--headless", action="store_true", help="no window, as fast as possible (the default)")
    parser.add_argument(
        "--seconds",
        type=values.duration_s,
        help="stop after this much play (default: the game's length: 120 for movement games, 240 for breathe); "
        "a game's closing question is still asked",
    )
    _add_outputs(parser)
    parser.add_argument(
        "--seed", type=values.seed, default=0, help="seed for the simulated patient and the game's chance events"
    )
    parser.add_argument(
        "--hierarchy", type=Path, metavar="FILE", help="exposure: the therapist's hierarchy of levels (TOML or JSON)"
    )
    _add_accessibility(parser)


def _add_outputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--screenshot", metavar="PNG", type=Path, help="save a picture of the game")
    parser.add_argument(
        "--screenshot-at",
        metavar="SECONDS",
        type=values.moment_s,
        help="when to take the screenshot, seconds into play (default: the last frame)",
    )
    parser.add_argument(
        "--stats", metavar="JSON", type=Path, help="write frames, fps, frame_time_p50_ms, frame_time_p99_ms and reps"
    )
    parser.add_argument("--force", action="store_true", help="overwrite an existing --stats file")


def _add_accessibility(parser: argparse.ArgumentParser) -> None:
    look = parser.add_argument_group("accessibility")
    look.add_argument("--fullscreen", action="store_true", help="use the whole screen (with --window)")
    look.add_argument(
        "--font-scale",
        type=values.finite_float(0.5, 2.5),
        default=1.0,
        metavar="X",
        help="text size, 0.5 to 2.5 (default 1)",
    )
    look.add_argument("--high-contrast", action="store_true", help="high-contrast colours, readable when colour-blind")
    look.add_argument("--mirror", action="store_true", help="swap left and right on screen for two-sided movements")
    look.add_argument("--seated", action="store_true", help="play sitting down (refuses games that need standing)")
    look.add_argument("--no-sound", action="store_true", help="no sound cues")


def run(args: argparse.Namespace) -> int:
    info = _chosen_game(args)
    _check_request(args)
    _check_angles(args, info)
    _apply_look(args)
    from rehab.engine.display import has_screen

    if args.window and not has_screen():
        raise CommandError("--window needs a display, and none was found; run with --headless")
    exercise = _prescribed(args, info)
    display = _open_display(args, info)
    try:
        session_id, exercise, result = _play_on(display, args, info, exercise)
    finally:
        display.close()
    if info.kind == "mental":
        _print_mental_summary(info, result)
    else:
        _print_reps(info, exercise, result)
    print(f"Stored as session {session_id} for patient {args.patient}.")
    if args.stats:
        from rehab.core.private_files import write_private

        write_private(args.stats, json.dumps(result.stats_json(), indent=2).encode("utf-8"), args.force)
        print(f"Stats: {args.stats}")
    if args.screenshot:
        print(f"Screenshot: {args.screenshot}")
    from rehab.app.cli.sync import sync_after_session

    sync_after_session(args.home)  # a linked home sends the play now; offline, it waits
    return 0


def _chosen_game(args: argparse.Namespace) -> GameSpec:
    """The game asked for, refused when it is not installed or cannot be played as asked."""
    from rehab.engine.game import available_games

    games = available_games()
    if args.game not in games:
        raise CommandError(f"no game called {args.game!r}; installed games: {', '.join(sorted(games))}")
    if args.reps < 1 or (args.seconds is not None and args.seconds <= 0) or args.hold < 0:
        raise CommandError("--reps must be 1 or more, --seconds more than 0, --hold 0 or more")
    info = games[args.game]
    if args.seated and info.standing_only:
        seated = ", ".join(sorted(name for name, game in games.items() if not game.standing_only))
        raise CommandError(f"{info.title} is played standing; games you can play seated: {seated}")
    if args.calibrate and info.kind != "physical":
        raise CommandError("--calibrate measures a joint's range; it is for the movement games")
    return info


def _apply_look(args: argparse.Namespace) -> None:
    from rehab.engine.hud import set_font_scale
    from rehab.engine.palette import use_high_contrast

    try:
        set_font_scale(args.font_scale)
    except ValueError as error:
        raise CommandError(str(error)) from error
    if args.high_contrast:
        use_high_contrast()


def _prescribed(args: argparse.Namespace, info: GameSpec) -> Exercise:
    from dataclasses import replace

    from rehab.engine.exercise import Exercise

    return replace(
        Exercise.for_game(info, args.side, args.reps, args.hold, args.target),
        mirror=args.mirror,
        ceiling_deg=args.ceiling if args.ceiling else _normal_range(info),
    )


def _open_display(args: argparse.Namespace, info: GameSpec) -> Display:
    """The window, opened before the input: a camera that will not open is then said on it too."""
    from rehab.engine.display import HeadlessDisplay, WindowDisplay

    if args.window:
        return WindowDisplay(title=f"rehab: {info.title}", fullscreen=args.fullscreen)
    return HeadlessDisplay()


def _play_on(
    display: Display, args: argparse.Namespace, info: GameSpec, exercise: Exercise
) -> tuple[int, Exercise, PlayResult]:
    """Open the input and play on ``display`` (left open for the caller to close). A problem that
    ends the play (a camera that will not open) is shown on the window until the patient closes it,
    then reported like any other (one line, exit status 2)."""
    from rehab.core.errors import RehabError

    try:
        source = _open_input(args, info, exercise)
        return _play_and_store(args, info, exercise, source, display)
    except RehabError as error:
        if args.window:
            from rehab.app.session_cards import show_problem

            show_problem(display, str(error))
        raise


def _play_and_store(
    args: argparse.Namespace, info: GameSpec, exercise: Exercise, source: Source, display: Display
) -> tuple[int, Exercise, PlayResult]:
    """Calibrate if asked, play, and store the session rep by rep (each rep the moment it ends)."""
    from progress.store import DB_FILENAME, Store, tell_once_per_wait
    from rehab.app.demo import wall_clock_iso
    from rehab.app.home import prepared_home
    from rehab.core.clock import RealClock, SimulatedClock
    from rehab.engine.mental import store_rating
    from rehab.engine.play import SceneTimes, play
    from rehab.engine.sound import Sounds

    sounds = Sounds() if args.window and not args.no_sound else None
    # recorded or simulated input may play as fast as it can be computed; a live device (a camera,
    # a serial IMU) delivers in real time, so even headless the loop must keep real time with it
    recorded = args.input in ("sim", "sim:") or source.url.startswith("replay:")
    clock = SimulatedClock() if recorded and not args.window else RealClock()
    scenes = SceneTimes() if args.window else SceneTimes(instructions_s=1.0, countdown_s=1.0, summary_s=0.0)
    store = Store.open(prepared_home(args.home) / DB_FILENAME)
    # another program holding the database: the game waits to store the rep, and says why once
    store.on_busy = tell_once_per_wait(lambda line: print(f"rehab play: {line}", file=sys.stderr))
    try:
        if args.calibrate:
            exercise = _calibrate(args, info, exercise, source, clock, display, store)
        # kind: a breathing game is never read as a joint angle in a report
        where = (args.side if info.sided else "", source.url, exercise.target_deg)
        session_id = store.start_session(
            args.patient, wall_clock_iso(), info.name, exercise.angle_name, *where, kind=info.kind
        )
        result = play(
            source,
            info,
            exercise,
            clock,
            display,
            on_rep=lambda rep: store.add_rep(session_id, rep),
            max_seconds=args.seconds if args.seconds is not None else info.play_s,
            screenshot=args.screenshot,
            screenshot_at=args.screenshot_at,
            scenes=scenes,
            sounds=sounds,
            game_options={"hierarchy": args.hierarchy} if args.hierarchy else None,
            setup_check=source.url.startswith("webcam:"),
            seed=args.seed,
            on_rating=lambda rating: store_rating(store, args.patient, session_id, wall_clock_iso(), rating),
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


def _check_request(args: argparse.Namespace) -> None:
    """Refuse before playing what would fail after it: a session must not end in a refused file."""
    from rehab.core.private_files import check_output

    if args.stats:
        check_output(args.stats, args.force)
    if args.screenshot:  # replaced whenever asked, but never a device, a pipe or a symlink
        check_output(args.screenshot, force=True)
    if args.target is not None and args.ceiling is not None and args.target >= args.ceiling:
        raise CommandError(f"--target {args.target:g} must be below the safety --ceiling {args.ceiling:g}")


def _check_angles(args: argparse.Namespace, info: GameSpec) -> None:
    """--target and --ceiling inside what the game's movement can do. A goal past the ceiling (which
    defaults to the movement's normal range) is never reached by a rep that counts, and one at or
    below the rest angle is "reached" standing still: either way the play would count nothing true."""
    from rehab.core.motions import motion_of

    if args.target is None and args.ceiling is None:
        return
    motion = motion_of(info.angle)
    if info.kind != "physical" or motion is None:
        raise CommandError(f"{info.title} has no joint angle to reach: --target and --ceiling are for movement games")
    rest = 0.0 if info.signed else info.rest_deg
    highest = _normal_range(info)
    normal = f"the normal range of {motion.name} (AAOS)" + (", each way" if info.signed else "")
    if args.ceiling is not None and not rest < args.ceiling <= highest:
        raise CommandError(
            f"--ceiling {args.ceiling:g} is outside what {info.name} allows for {motion.name}: "
            f"give a number above {rest:g} (at rest) and up to {highest:g}, {normal}"
        )
    ceiling = args.ceiling if args.ceiling is not None else highest
    if args.target is not None and not rest < args.target < ceiling:
        limit = "the safety --ceiling" if args.ceiling is not None else normal
        raise CommandError(
            f"--target {args.target:g} is outside what {info.name} can count for {motion.name}: "
            f"give a number above {rest:g} (at rest) and below {ceiling:g}, {limit}"
        )


def _print_mental_summary(info, result) -> None:  # type: ignore[no-untyped-def]
    counts = ", ".join(f"{result.extras[k]} {k}" for k in ("breaths", "ratings", "levels") if k in result.extras)
    print(f"{info.title}: {result.play_s:.0f} s{'; ' + counts if counts else ''}; ended: {result.ended}.")


def _print_reps(info, exercise, result) -> None:  # type: ignore[no-untyped-def]
    successes = sum(r.success for r in result.reps)
    print(
        f"{info.title}: {len(result.reps)} reps ({successes} reached the goal of {exercise.target_deg:.0f}°) "
        f"in {result.play_s:.0f} s of play; ended: {result.ended}."
    )
    for rep in result.reps:
        print(
            f"  rep {rep.index}: peak {rep.peak_deg:.0f}°, range {rep.rom_deg:.0f}°, hold {rep.hold_s:.1f} s, "
            f"smoothness {rep.smoothness_sparc:.2f}"
        )


#: with --calibrate the goal is this share of the measured comfortable range
CALIBRATED_GOAL_SHARE = 0.9


def _normal_range(info) -> float:  # type: ignore[no-untyped-def]
    """The AAOS normal range of the game's movement: the default safety ceiling."""
    from rehab.core.motions import NORMAL_ROM_DEG

    return float(NORMAL_ROM_DEG.get(info.angle, info.target_deg * 1.5))


def _calibrate(args, info, exercise, source, clock, display, store):  # type: ignore[no-untyped-def]
    """Measure the comfortable range, store it, and return the exercise with its goal set from it."""
    from dataclasses import replace

    from rehab.app.demo import wall_clock_iso
    from rehab.engine.calibration import measure_range
    from rehab.engine.exercise import Exercise
    from rehab.engine.play import SceneTimes

    # the simulated patient's calibration is its own short session; live input just carries on
    calibration_source = _open_input(args, info, exercise) if args.input in ("sim", "sim:") else source
    scenes = SceneTimes(summary_s=0.0) if args.window else SceneTimes(1.0, 1.0, 0.0)
    measured = measure_range(
        calibration_source, info, args.side, exercise.ceiling_deg, clock, display, scenes, info.title
    )
    if measured is None:
        raise CommandError("no movement was seen during calibration; check the input and try again")
    store.add_calibration(
        args.patient,
        wall_clock_iso(),
        exercise.angle_name,
        round(measured.start_deg, 1),
        round(measured.peak_deg, 1),
        source.url,
    )
    goal = args.target or round(exercise.rest_deg + CALIBRATED_GOAL_SHARE * (measured.peak_deg - exercise.rest_deg), 1)
    print(
        f"Calibrated: comfortable range up to {measured.peak_deg:.0f}° ({measured.movements} movements); "
        f"goal {goal:.0f}°."
    )
    calibrated = replace(
        Exercise.for_game(info, args.side, args.reps, args.hold, goal),
        mirror=args.mirror,
        ceiling_deg=exercise.ceiling_deg,
    )
    return calibrated


def _open_input(args: argparse.Namespace, info, exercise):  # type: ignore[no-untyped-def]
    from devices.base import open_source
    from devices.replay import ReplaySource

    if args.input in ("sim", "sim:"):
        return ReplaySource(info.simulate(args.side, args.seed), url=f"sim:{info.name}")
    if args.input.startswith("keyboard"):
        if not args.window:
            raise CommandError("keyboard input needs --window (keys come from the game window)")
        from devices.keyboard import KeyboardSource

        return KeyboardSource(exercise.angle_name, exercise.rest_deg, exercise.target_deg * 1.2, exercise.signed)
    from devices.camera import CameraUnavailable
    from rehab.app.input_fit import input_problem
    from rehab.app.input_problems import camera_problem

    # an input that cannot give the game's movement would play counting nothing: say so first
    unfit = input_problem(args.input, info, exercise.angle_name)
    if unfit is not None:
        raise CommandError(unfit)
    try:
        return open_source(args.input)
    except CameraUnavailable as error:
        raise CommandError(camera_problem(args.input, str(error))) from error
    except OSError as error:
        raise CommandError(f"cannot open {args.input}: {error}") from error

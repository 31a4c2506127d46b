"""``rehab play GAME``: one game with any input, in a window or headless, stored like any session."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from rehab.app.cli import CommandError, values

if TYPE_CHECKING:
    from rehab.app.free_play import PlayRequest
    from rehab.engine.display import Display
    from rehab.engine.game import GameSpec


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


def request_from(args: argparse.Namespace) -> PlayRequest:
    """The options as the library's request (what to play, for whom, with which input)."""
    from rehab.app.free_play import PlayRequest

    return PlayRequest(
        game=args.game,
        patient=args.patient,
        input=args.input,
        side=args.side,
        home=args.home,
        target=args.target,
        ceiling=args.ceiling,
        calibrate=args.calibrate,
        reps=args.reps,
        hold=args.hold,
        seconds=args.seconds,
        window=args.window,
        sound=not args.no_sound,
        mirror=args.mirror,
        seated=args.seated,
        seed=args.seed,
        hierarchy=args.hierarchy,
        screenshot=args.screenshot,
        screenshot_at=args.screenshot_at,
    )


def run(args: argparse.Namespace) -> int:
    from rehab.app.free_play import chosen_game, play_on, prescribed

    request = request_from(args)
    info = chosen_game(request)
    _check_request(args)
    _check_angles(args, info)
    _apply_look(args)
    from rehab.engine.display import has_screen

    if args.window and not has_screen():
        raise CommandError("--window needs a display, and none was found; run with --headless")
    exercise = prescribed(request, info)
    display = _open_display(args, info)
    try:
        session_id, exercise, result = play_on(display, request, info, exercise)
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


def _apply_look(args: argparse.Namespace) -> None:
    from rehab.engine.hud import set_font_scale
    from rehab.engine.palette import use_high_contrast

    try:
        set_font_scale(args.font_scale)
    except ValueError as error:
        raise CommandError(str(error)) from error
    if args.high_contrast:
        use_high_contrast()


def _open_display(args: argparse.Namespace, info: GameSpec) -> Display:
    """The window, opened before the input: a camera that will not open is then said on it too."""
    from rehab.engine.display import HeadlessDisplay, WindowDisplay

    if args.window:
        return WindowDisplay(title=f"rehab: {info.title}", fullscreen=args.fullscreen)
    return HeadlessDisplay()


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
    from rehab.app.free_play import normal_range

    rest = 0.0 if info.signed else info.rest_deg
    highest = normal_range(info)
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

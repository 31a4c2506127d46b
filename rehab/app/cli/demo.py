"""``rehab demo``: the built-in session, end to end, with no camera or device."""

from __future__ import annotations

import argparse
import time
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--side", choices=("left", "right"), default="left", help="arm to exercise (default left)")
    shown = parser.add_mutually_exclusive_group()
    shown.add_argument("--window", action="store_true", help="play in a window, in real time (needs a display)")
    shown.add_argument("--headless", action="store_true", help="no window, as fast as possible (the default)")
    parser.add_argument("--screenshot", metavar="PNG", type=Path, help="save a picture of the game")
    from rehab.app.cli.values import moment_s

    parser.add_argument(
        "--screenshot-at",
        metavar="SECONDS",
        type=moment_s,
        help="when to take the screenshot (default: the last frame)",
    )


def run(args: argparse.Namespace) -> int:
    from rehab.app.cli import CommandError
    from rehab.app.home import prepared_home
    from rehab.core.private_files import check_output

    home = prepared_home(args.home)
    if args.screenshot:  # replaced whenever asked, but never a device, a pipe or a symlink
        check_output(args.screenshot, force=True)
    from rehab.core.clock import RealClock, SimulatedClock
    from rehab.engine.display import HeadlessDisplay, WindowDisplay, has_screen

    if args.window and not has_screen():
        raise CommandError("--window needs a display, and none was found; run without it to play headless")
    display = WindowDisplay(title="rehab demo: Lift") if args.window else HeadlessDisplay()
    clock = RealClock() if args.window else SimulatedClock()

    from rehab.app.demo import run_demo, summary_text

    mode = "in a window" if args.window else "headless"
    print(f"Replaying a recorded elbow-flexion session into the Lift game ({mode})...")
    started = time.monotonic()
    try:
        result = run_demo(
            home, clock, display, side=args.side, screenshot=args.screenshot, screenshot_at=args.screenshot_at
        )
    finally:
        display.close()
    print()
    print(summary_text(result))
    if args.screenshot:
        print(f"Screenshot:   {args.screenshot}")
    print(f"Done in {time.monotonic() - started:.1f} s.")
    return 0

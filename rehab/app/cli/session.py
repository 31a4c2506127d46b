"""``rehab session start``: today's guided session from the patient's current plan.

The CLI owns the outside world (clock, date, terminal prompts, window, input devices) and hands it
to ``rehab.app.session_runner.run_session``. Exit status: 0 when the session ran to its end (or pain
was too high to start, which is the plan working, or ``--resume`` found the session already ended),
4 when it was stopped for pain or by the patient.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

SESSION_STOPPED_EXIT = 4


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    start = actions.add_parser(
        "start",
        help="run today's session from the patient's plan",
        description="Run today's guided session: pain before, setup check, calibration, sets and rests, pain after.",
    )
    start.add_argument("--patient", required=True, metavar="ID", help="pseudonymous patient id")
    start.add_argument(
        "--input",
        metavar="URL",
        help="input for every exercise: sim (simulated patient), webcam:0, witmotion:/dev/ttyUSB0, "
        "keyboard: (needs a window) ... (default: the plan's, else webcam:0)",
    )
    shown = start.add_mutually_exclusive_group()
    shown.add_argument("--headless", action="store_true", help="no window, as fast as the input allows")
    shown.add_argument(
        "--window", action="store_true", help="play in a window, in real time (the default when there is a screen)"
    )
    start.add_argument(
        "--resume",
        action="store_true",
        help="carry on the unfinished session started in the last 12 hours (after a crash, a kill or an "
        "unplugged device); a session that ended is never run again",
    )
    start.add_argument("--pain-before", type=_pain, metavar="N", help="pain now, 0-10 (answers the first prompt)")
    start.add_argument("--pain-after", type=_pain, metavar="N", help="pain at the end, 0-10 (answers the last prompt)")
    start.add_argument(
        "--pain-during",
        type=_pains,
        metavar="N,N,...",
        help="answers to the pain checks between sets, in order (unanswered checks are skipped "
        "when there is no terminal)",
    )
    from rehab.app.cli.values import seed

    start.add_argument("--seed", type=seed, default=0, help="seed for the simulated patient")


def _pain(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number from 0 to 10") from None
    if not 0 <= value <= 10:
        raise argparse.ArgumentTypeError(f"{text} is outside 0 (no pain) to 10 (worst pain imaginable)")
    return value


def _pains(text: str) -> list[float]:
    return [_pain(part) for part in text.split(",") if part.strip()]


_QUESTIONS = {
    "before": "How much pain do you have now",
    "during": "How is your pain now",
    "after": "How much pain do you have now, after the session",
}


def _prompt(moment: str) -> float | None:
    question = _QUESTIONS[moment]
    while True:
        answer = input(f"{question}, from 0 (none) to 10 (worst imaginable)? ").strip()
        if moment == "during" and not answer:
            return None
        try:
            return _pain(answer)
        except argparse.ArgumentTypeError as error:
            print(f"  {error}")


def run(args: argparse.Namespace) -> int:
    from rehab.app.cli import CommandError
    from rehab.engine.display import has_screen

    # answers given on the command line make a scripted run: nobody is at the terminal to ask
    scripted_run = args.pain_before is not None or args.pain_after is not None or bool(args.pain_during)
    interactive = sys.stdin.isatty() and not scripted_run
    # a game window asks about pain on screen; without one, the terminal must
    window = args.window or (not args.headless and has_screen())
    answers_needed = (args.pain_before is None or args.pain_after is None) and not args.resume
    if answers_needed and not interactive and not (window and not scripted_run):
        raise CommandError("no terminal to ask about pain: give --pain-before N and --pain-after N (0-10)")
    if args.window and not has_screen():
        raise CommandError("--window needs a display, and none was found; run with --headless")
    screen: list = []  # type: ignore[type-arg]  # the game window once open, when pain is asked there
    # a live session's break once the session has its live link: the physio acts during the question
    live_break: list = []  # type: ignore[type-arg]
    ask_pain = _pain_asker(args, interactive, screen if window and not scripted_run else [], live_break)
    # the plan's questionnaires: on the window when there is one, else in the terminal if someone is there
    read_line = _terminal_line if interactive and not window else None
    display = _open_display(window)
    screen.append(display)
    try:
        result = _run_with_store(args, display, window, ask_pain, read_line, live_break)
    finally:
        display.close()
    _summary(result)
    from rehab.app.cli.sync import sync_after_session

    sync_after_session(args.home)  # a linked home sends the session now; offline, it waits
    return SESSION_STOPPED_EXIT if result.status in ("stopped", "stopped_for_pain") else 0


def _pain_asker(args: argparse.Namespace, interactive: bool, screen: list, live_break: list | None = None):  # type: ignore[no-untyped-def,type-arg]
    """Answers given on the command line first, then the game window (when ``screen`` holds it),
    then the terminal; None when nobody can be asked. ``live_break`` holds the live session's
    ``LiveBreak`` once there is one: the question on the window is asked under it."""
    during = list(args.pain_during or [])

    def ask_pain(moment: str, hand: Callable[[float], float] | None) -> float | None:
        scripted = {"before": args.pain_before, "after": args.pain_after}.get(moment)
        if moment == "during" and during:
            return during.pop(0)
        if scripted is not None:
            return float(scripted)
        if screen:
            # the patient is at the game window, not the terminal: ask there
            from rehab.core.clock import RealClock
            from rehab.engine.rating_screen import ask_on_screen

            around = live_break[0].around if live_break else None
            return ask_on_screen(screen[0], RealClock(), f"{_QUESTIONS[moment]}?", hand=hand, around=around)
        return _prompt(moment) if interactive else None

    return ask_pain


def _terminal_line(prompt: str) -> str | None:
    try:
        return input(prompt)
    except EOFError:
        return None


def _open_display(window: bool):  # type: ignore[no-untyped-def]
    from rehab.engine.display import HeadlessDisplay, WindowDisplay

    return WindowDisplay(title="rehab: today's session") if window else HeadlessDisplay()


def _run_with_store(args: argparse.Namespace, display, window: bool, ask_pain, read_line=None, live_break=None):  # type: ignore[no-untyped-def]
    """The session on ``display`` (left open: the caller closes it). A problem that ends it (a
    camera that will not open, no plan) is also shown on the window, until the patient closes it.
    ``live_break`` (a list) is given the live link's ``LiveBreak`` for the pain questions."""
    import math
    from datetime import date

    from progress.store import DB_FILENAME, Store
    from rehab.app.demo import wall_clock_iso
    from rehab.app.home import prepared_home
    from rehab.app.plan_versions import current_plan
    from rehab.app.session_runner import SessionContext, run_session
    from rehab.app.session_sources import source_opener
    from rehab.core.clock import RealClock, SimulatedClock
    from rehab.core.errors import RehabError
    from rehab.engine.game import available_games
    from rehab.engine.play import SceneTimes

    opened: list = []  # type: ignore[type-arg]
    try:
        store = Store.open(prepared_home(args.home) / DB_FILENAME)
    except RehabError as error:
        _show_problem(display, window, error)
        raise
    try:
        assigned = current_plan(store, args.patient)
        first = assigned.plan.exercise[0].input if assigned and assigned.plan.exercise else None
        url = args.input or first or "webcam:0"
        _refuse_unfit_input(assigned, url)
        ctx = SessionContext(
            store=store,
            games=available_games(),
            open_source=source_opener(url, window, opened, args.seed),
            display=display,
            make_clock=(lambda: RealClock()) if window else (lambda: SimulatedClock()),
            ask_pain=ask_pain,
            now_iso=wall_clock_iso,
            today=date.today().isoformat(),
            say=print,
            scenes=SceneTimes(summary_s=2.0) if window else SceneTimes(0.5, 0.5, 0.0),
            input_url=url,
            read_line=read_line,
            card_s=math.inf if window else 0.0,
            live=_live_link(prepared_home(args.home), args.patient) if window else None,
        )
        if ctx.live is not None and live_break is not None:
            live_break.append(ctx.live.between)
        try:
            return run_session(ctx, args.patient, resume=args.resume)
        finally:
            if ctx.live is not None:
                ctx.live.close()
    except RehabError as error:
        _show_problem(display, window, error)
        raise
    finally:
        for source in opened:
            source.close()
        store.close()


def _live_link(home, patient: str):  # type: ignore[no-untyped-def]
    """A linked home's live link to its clinic, for the linked patient only (the patient is asked
    before anything is sent); None for another patient on this computer."""
    from rehab.app.clinic_link import LinkError, load_link
    from rehab.app.live_share import LiveShare

    try:
        link = load_link(home)
    except LinkError:
        return None  # a damaged link: 'rehab sync' says so; the session itself goes on
    return LiveShare.for_link(link) if link is not None and link.patient_id == patient else None


def _refuse_unfit_input(assigned, url: str) -> None:  # type: ignore[no-untyped-def]
    """Before anything is asked or stored: every exercise of today's plan must get its movement from
    the input (one IMU on a forearm gives no knee bend), or its sets would count nothing. (A breathing
    or exposure part the input cannot steer ends on its own time limit, as before.)"""
    from rehab.app.cli import CommandError
    from rehab.app.input_fit import input_problem
    from rehab.engine.game import available_games

    if assigned is None or url in ("sim", "sim:"):
        return
    games = available_games()
    for game, angle_name in [(e.game, e.angle_name) for e in assigned.plan.exercise]:
        problem = input_problem(url, games[game], angle_name) if game in games else None
        if problem is not None:
            raise CommandError(problem)


def _show_problem(display, window: bool, error: Exception) -> None:  # type: ignore[no-untyped-def]
    """The one-line message on the window too, when there is one: the patient is looking at it,
    not at the terminal (which prints the same line as the command ends)."""
    if window:
        from rehab.app.session_cards import show_problem

        show_problem(display, str(error))


def _summary(result) -> None:  # type: ignore[no-untyped-def]
    print(f"Session {result.status.replace('_', ' ')} (plan version {result.plan_version}).")
    for e in result.exercises:
        if e.skipped:
            print(f"  {e.name}: skipped ({e.skipped})")
            continue
        extra = f", {e.over_ceiling} past the safe limit" if e.over_ceiling else ""
        print(f"  {e.name}: {e.reps} reps, {e.successes} reached the target of {e.target_deg:.0f}°{extra}")
    if result.pain_before is not None or result.pain_after is not None:

        def show(value: float | None) -> str:
            return "-" if value is None else f"{value:g}"

        print(f"  pain before {show(result.pain_before)}, after {show(result.pain_after)} (0-10)")

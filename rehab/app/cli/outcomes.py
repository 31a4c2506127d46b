"""``rehab outcomes``: the questionnaires a patient's plan asks for: which are due, answering one now,
and the scores so far. Thin over ``rehab.app.outcomes``."""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listed = actions.add_parser(
        "list",
        help="the plan's questionnaires: which are due today, and their last scores",
        description="List the questionnaires in the patient's plan: how often, the last score, and whether due today.",
    )
    listed.add_argument("--patient", required=True, metavar="ID", help="pseudonymous patient id")
    answer = actions.add_parser(
        "answer",
        help="answer one questionnaire now (in a window when there is a screen, else in the terminal)",
        description="Answer one questionnaire now. Every answer is saved as it is given; stopping early "
        "keeps the answers.",
    )
    answer.add_argument("--patient", required=True, metavar="ID", help="pseudonymous patient id")
    answer.add_argument(
        "--measure", required=True, metavar="ID", help="oks, koos_ps, quickdash, ndi, phq9, gad7, pss10"
    )
    shown = answer.add_mutually_exclusive_group()
    shown.add_argument("--headless", action="store_true", help="ask in the terminal, no window")
    shown.add_argument("--window", action="store_true", help="ask in a window (the default when there is a screen)")
    answer.add_argument(
        "--input",
        metavar="URL",
        help="a camera (e.g. webcam:0) to answer by holding a hand over an answer for 2 s, in the window",
    )
    answer.add_argument(
        "--answers",
        metavar="N,N,...",
        help="the answers, in order, instead of asking (the values shown beside each answer); fewer "
        "than the questions stops there, keeping them",
    )
    from rehab.app.cli import values

    answer.add_argument(
        "--font-scale",
        type=values.finite_float(0.5, 2.5),
        default=1.0,
        metavar="X",
        help="text size, 0.5 to 2.5 (default 1)",
    )
    answer.add_argument(
        "--high-contrast", action="store_true", help="high-contrast colours, readable when colour-blind"
    )
    show = actions.add_parser(
        "show",
        help="every questionnaire the patient answered, with its score",
        description="Show the patient's questionnaire history: date, measure, status, score and any safety flag.",
    )
    show.add_argument("--patient", required=True, metavar="ID", help="pseudonymous patient id")
    show.add_argument("--measure", metavar="ID", help="only this measure")


def run(args: argparse.Namespace) -> int:
    if args.action == "answer":
        return _answer(args)
    from progress.store import DB_FILENAME, Store
    from rehab.app.cli import CommandError
    from rehab.app.home import data_home

    path = data_home(args.home) / DB_FILENAME
    if not path.exists():
        raise CommandError(f"no progress database at {path}: no patient has a plan yet")
    store = Store.open(path)
    try:
        if args.action == "list":
            _list(store, args.patient)
        else:
            _show(store, args.patient, args.measure)
        return 0
    finally:
        store.close()


def _list(store, patient: str) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from rehab.app.outcomes import WordingMissing, due_outcomes, patient_instrument, wording_dir_of
    from rehab.app.plan_versions import current_plan
    from rehab.core.questionnaires import ItemTextError

    assigned = current_plan(store, patient)
    if assigned is None or not assigned.plan.outcome_measures:
        print(f"no questionnaires in patient {patient}'s plan")
        return
    responses = store.outcome_responses(patient)
    due = due_outcomes(assigned.plan, responses, date.today())
    for schedule in assigned.plan.outcome_measures:
        done = [r for r in responses if r.measure == schedule.measure and r.status == "completed"]
        last = f"last {done[-1].at[:10]}: {_score_text(done[-1])}" if done else "never answered"
        when = "due today" if schedule.measure in due else "not due"
        line = f"{schedule.measure}\tevery {schedule.every_days} days\t{when}\t{last}"
        try:
            patient_instrument(schedule.measure, wording_dir_of(store))
        except (WordingMissing, ItemTextError) as error:
            line += f"\tcannot be asked: {str(error).splitlines()[0]}"
        print(line)


def _show(store, patient: str, measure: str | None) -> None:  # type: ignore[no-untyped-def]
    from rehab.core.questionnaires import instrument

    if measure is not None:
        instrument(measure)  # an unknown id is one line with "did you mean"
    responses = store.outcome_responses(patient, measure)
    if not responses:
        print(f"no questionnaires answered by patient {patient}" + (f" for {measure}" if measure else ""))
    for row in responses:
        items = len(instrument(row.measure).items)
        flags = f"\tFLAG: {', '.join(row.flags)}" if row.flags else ""
        print(
            f"{row.at[:16].replace('T', ' ')}\t{row.measure}\t{row.status}\t{len(row.answers)}/{items} answered"
            f"\t{_score_text(row)}{flags}"
        )


def _score_text(row) -> str:  # type: ignore[no-untyped-def]
    if row.score is None:
        return "no score"
    return f"{row.score:g}" + (f" ({row.band})" if row.band else "")


def _answer(args: argparse.Namespace) -> int:
    from rehab.app.cli import CommandError
    from rehab.app.outcomes import in_terminal, scripted
    from rehab.engine.display import has_screen

    answers = _values(args.answers) if args.answers is not None else None
    if args.window and not has_screen():
        raise CommandError("--window needs a display, and none was found; run with --headless")
    window = answers is None and (args.window or (not args.headless and has_screen()))
    if answers is None and not window and not sys.stdin.isatty():
        raise CommandError("no terminal to ask the questions in: give --answers N,N,... or run where there is a screen")
    if window:
        return _in_window(args)
    return _with_store(args, in_terminal(scripted(answers) if answers is not None else _read_line), answers)


def _in_window(args: argparse.Namespace) -> int:
    from rehab.app.outcomes import hand_pointer, no_hand, on_screen
    from rehab.core.clock import RealClock
    from rehab.engine.display import WindowDisplay
    from rehab.engine.hud import set_font_scale
    from rehab.engine.palette import use_high_contrast

    set_font_scale(args.font_scale)
    if args.high_contrast:
        use_high_contrast()
    source = _camera(args.input) if args.input else None
    display = WindowDisplay(title="rehab: questionnaire")
    try:
        hand = hand_pointer(source) if source is not None else no_hand
        return _with_store(args, on_screen(display, RealClock(), hand))
    finally:
        display.close()
        if source is not None:
            source.close()


def _camera(url: str):  # type: ignore[no-untyped-def]
    from devices.base import open_source
    from rehab.app.cli import CommandError

    if not url.startswith(("webcam:", "video:")):
        raise CommandError(f"--input {url}: a hand is seen by a camera; give webcam:N or video:FILE")
    try:
        return open_source(url)
    except OSError as error:
        raise CommandError(f"cannot open {url}: {error}") from error


def _with_store(args: argparse.Namespace, asker, answers: list[str] | None = None) -> int:  # type: ignore[no-untyped-def]
    from progress.store import DB_FILENAME, Store
    from rehab.app.demo import wall_clock_iso
    from rehab.app.home import prepared_home
    from rehab.app.outcomes import StoreSink, ask_outcome, close_unfinished, patient_instrument, wording_dir_of

    store = Store.open(prepared_home(args.home) / DB_FILENAME)
    try:
        measure = patient_instrument(args.measure, wording_dir_of(store))
        _check_answers(measure, answers or [])
        close_unfinished(store, args.patient)
        sink = StoreSink(store, args.patient, measure.id, wall_clock_iso)
        result = ask_outcome(store, args.patient, measure, asker, sink)
    finally:
        store.close()
    print(result.message)
    return 0


def _check_answers(measure, answers: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Every scripted answer must be one the question allows: a wrong one is refused, never re-asked
    (which would shift every later answer onto the wrong question)."""
    from rehab.app.cli import CommandError

    if len(answers) > len(measure.items):
        raise CommandError(
            f"--answers: {len(answers)} answers; {measure.short_title} has {len(measure.items)} questions"
        )
    for number, (item, typed) in enumerate(zip(measure.items, answers, strict=False), start=1):
        if int(typed) not in item.values:
            allowed = ", ".join(str(v) for v in sorted(item.values))
            raise CommandError(f"--answers: {typed} is not an answer to question {number} (allowed: {allowed})")


def _values(text: str) -> list[str]:
    from rehab.app.cli import CommandError

    parts = [p.strip() for p in text.split(",") if p.strip()]
    bad = [p for p in parts if not p.lstrip("-").isdigit()]
    if bad:
        raise CommandError(f"--answers: {bad[0]!r} is not a number (give the numbers shown beside the answers)")
    return parts


def _read_line(prompt: str) -> str | None:
    try:
        return input(prompt)
    except EOFError:
        print()
        return None

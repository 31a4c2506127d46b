"""``rehab plan``: templates, new, validate, assign, show and override exercise plans.

A plan file is refused whole when anything in it is wrong (exit 2, nothing written), with the file,
line, field and what is allowed. That includes a game that is not installed: a session cannot run
that part, and a plan whose only exercise is skipped would "complete" with nothing done.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rehab.app.cli import values


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser(
        "templates",
        help="list plan templates, one a line (name first)",
        description="List the plan templates shipped with rehab: name, then title.",
    )
    new = actions.add_parser(
        "new",
        help="write a new plan file from a template",
        description="Write a plan file from a template, filled in for one patient.",
    )
    new.add_argument("--template", required=True, metavar="NAME", help="template name (see 'rehab plan templates')")
    new.add_argument("--patient", required=True, metavar="ID", help="pseudonymous patient id")
    new.add_argument("--out", required=True, type=Path, metavar="FILE", help="plan file to write (TOML)")
    new.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    validate = actions.add_parser(
        "validate",
        help="check a plan file without storing it",
        description="Check a plan file; exit 2 with every problem if it is not valid.",
    )
    validate.add_argument("file", type=Path, help="plan file (TOML)")
    assign = actions.add_parser(
        "assign",
        help="give a patient a plan (a new version; old ones are kept)",
        description="Store a plan file as the patient's new plan version.",
    )
    assign.add_argument("file", type=Path, help="plan file (TOML)")
    assign.add_argument("--patient", required=True, metavar="ID", help="pseudonymous patient id")
    show = actions.add_parser(
        "show",
        help="show a patient's plan and every version with its reason",
        description="Show a patient's current plan and the history of its versions.",
    )
    show.add_argument("patient", metavar="ID", help="pseudonymous patient id")
    show.add_argument(
        "--version",
        type=values.bounded_int(1, 1_000_000),
        metavar="N",
        help="show this version instead of the current one",
    )
    override = actions.add_parser(
        "override",
        help="therapist: set a target or freeze progression",
        description="Change one exercise's target or progression; stored as a new version with your reason.",
    )
    override.add_argument("--patient", required=True, metavar="ID", help="pseudonymous patient id")
    override.add_argument("--exercise", required=True, metavar="NAME", help="exercise name or number (from 1)")
    override.add_argument(
        "--target",
        type=values.finite_float(0.0, 180.0, low_open=True),
        metavar="VALUE",
        help="new target, in the exercise's unit (° or %%), more than 0 and at most 180",
    )
    frozen = override.add_mutually_exclusive_group()
    frozen.add_argument("--freeze", action="store_true", help="stop automatic progression of this exercise")
    frozen.add_argument("--unfreeze", action="store_true", help="resume automatic progression")
    override.add_argument("--reason", required=True, help="why (kept with the version, shown in 'plan show')")


def run(args: argparse.Namespace) -> int:
    from rehab.app.cli import CommandError
    from rehab.app.plans import PlanError

    try:
        if args.action == "templates":
            return _templates()
        if args.action == "new":
            return _new(args)
        if args.action == "validate":
            return _validate(args.file)
        return _with_store(args)
    except PlanError as error:
        raise CommandError(f"the plan is not valid; nothing was written.\n{error}") from error
    raise CommandError(f"unknown action {args.action}")  # pragma: no cover


def _templates() -> int:
    from rehab.app.plans import template_names, template_summary

    for name in template_names():
        print(f"{name}\t{template_summary(name)}")
    return 0


def _new(args: argparse.Namespace) -> int:
    from rehab.app.cli import CommandError
    from rehab.app.plans import fill_patient, parse_text, template_names, template_text
    from rehab.core.private_files import check_output, make_private_folder, write_private

    if args.template not in template_names():
        raise CommandError(f"no template {args.template!r}; templates: {', '.join(template_names())}")
    if args.out.exists() and not args.force:
        raise CommandError(f"{args.out} exists; choose another --out or add --force")
    check_output(args.out, force=True)  # a device, a pipe or a symlink is never written over
    text = fill_patient(template_text(args.template), args.patient)
    parse_text(text, args.out.name)  # a template that stopped validating must never reach a patient
    # a plan names its patient: owner-only, like everything else that holds patient data
    make_private_folder(args.out.parent)
    write_private(args.out, text.encode("utf-8"), force=True)
    print(
        f"wrote {args.out} from template {args.template} for patient {args.patient}; edit it, then run "
        f"'rehab plan validate {args.out}' and 'rehab plan assign {args.out} --patient {args.patient}'"
    )
    return 0


def _check(path: Path):  # type: ignore[no-untyped-def]
    """Parse the file against the installed games (each with the movement it is played with)."""
    from rehab.app.plans import load
    from rehab.core.errors import NotFoundError
    from rehab.engine.game import available_games

    if not path.exists():  # one line, not a list of plan problems: there is no plan to check
        raise NotFoundError(f"no plan file {path}")
    return load(path, {name: game.angle for name, game in available_games().items()})


def _validate(path: Path) -> int:
    plan = _check(path)
    parts = [f"{len(plan.exercise)} exercise{'s' if len(plan.exercise) != 1 else ''}"]
    parts += [name for name, part in (("breathing", plan.breathing), ("exposure", plan.exposure)) if part]
    asked = ", ".join(f"{s.measure} every {s.every_days} days" for s in plan.outcome_measures)
    asks = f"; questionnaires: {asked}" if asked else ""
    print(f"{path.name}: valid: {plan.title} ({', '.join(parts)}, {plan.sessions_per_week} sessions a week{asks})")
    return 0


def _with_store(args: argparse.Namespace) -> int:
    from progress.store import DB_FILENAME, Store
    from rehab.app.home import prepared_home

    plan = _check(args.file) if args.action == "assign" else None  # refuse a bad file before opening the store
    store = Store.open(prepared_home(args.home) / DB_FILENAME)
    try:
        if args.action == "assign":
            return _assign(store, args, plan)
        if args.action == "show":
            return _show(store, args)
        return _override(store, args)
    finally:
        store.close()


def _assign(store, args: argparse.Namespace, plan) -> int:  # type: ignore[no-untyped-def]
    from datetime import date

    from rehab.app.cli import CommandError
    from rehab.app.demo import wall_clock_iso
    from rehab.app.plan_versions import assign

    if plan.patient and plan.patient != args.patient:
        raise CommandError(
            f"{args.file.name} is written for patient {plan.patient}, not {args.patient}; nothing was written"
        )
    version = assign(
        store, args.patient, plan, wall_clock_iso(), date.today().isoformat(), f"assigned from {args.file.name}"
    )
    kept = f" (versions 1-{version - 1} kept)" if version > 1 else ""
    print(f"plan version {version} assigned to {args.patient}: {plan.title}{kept}")
    return 0


def _show(store, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    from rehab.app.cli import CommandError
    from rehab.app.plans import from_dict

    versions = store.plan_versions(args.patient)
    if not versions:
        raise CommandError(
            f"patient {args.patient} has no plan; assign one with 'rehab plan assign FILE --patient {args.patient}'"
        )
    chosen = versions[-1]
    if args.version is not None:
        found = [v for v in versions if v["version"] == args.version]
        if not found:
            raise CommandError(f"patient {args.patient} has versions 1-{versions[-1]['version']}, not {args.version}")
        chosen = found[0]
    plan = from_dict(chosen["body"]["plan"])
    print(
        f"{args.patient}: plan version {chosen['version']} of {len(versions)}, from {chosen['effective_from']}: "
        f"{plan.title}"
    )
    print(
        f"  {plan.sessions_per_week} sessions a week; stop when pain rises {plan.safety.pain_stop_rise:g} points; "
        f"no session when pain is above {plan.safety.max_pain_before:g}"
    )
    for i, e in enumerate(plan.exercise, start=1):
        side = f" {e.side}" if e.side else ""
        rule = e.progression
        progress = "no progression"
        if rule is not None:
            unit = "°" if e.target_deg is not None else "%"
            progress = (
                f"+{rule.step_percent:g}% after {rule.every_sessions} perfect session(s), "
                f"cap {rule.cap:g}{unit}" + ("" if rule.enabled else " (frozen)")
            )
        print(
            f"  {i}. {e.name}: {e.game}, {e.movement}{side}, {e.sets} x {e.reps}, hold {e.hold_s:g} s, "
            f"rest {e.rest_s:g} s, target {e.target_text()}, ceiling {e.ceiling_deg:g}°; {progress}"
        )
    _show_other_parts(plan)
    print("versions:")
    for v in versions:
        print(f"  {v['version']}\t{v['created_at']}\t{v['body'].get('reason', '')}")
    return 0


def _show_other_parts(plan) -> None:  # type: ignore[no-untyped-def]
    """Breathing, exposure and the questionnaires, below the exercises."""
    if plan.breathing:
        print(
            f"  breathing: {plan.breathing.game}, {plan.breathing.minutes:g} min at "
            f"{plan.breathing.breaths_per_min:g} breaths/min"
        )
    if plan.exposure:
        print(
            f"  exposure: {plan.exposure.game}, {len(plan.exposure.step)} steps, stop at SUDS "
            f"{plan.exposure.suds_stop:g}"
        )
        for j, step in enumerate(plan.exposure.step, start=1):
            print(f"     {j}. {step.description} (move on at SUDS {step.suds_move_on:g} or less)")
    for schedule in plan.outcome_measures:
        print(f"  outcome measure: {schedule.measure}, every {schedule.every_days} days")


def _override(store, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    from datetime import date

    from rehab.app.cli import CommandError
    from rehab.app.demo import wall_clock_iso
    from rehab.app.plan_versions import assign, current_plan
    from rehab.app.progression import find_exercise, override

    if args.target is None and not args.freeze and not args.unfreeze:
        raise CommandError("say what to change: --target VALUE, --freeze or --unfreeze")
    assigned = current_plan(store, args.patient)
    if assigned is None:
        raise CommandError(f"patient {args.patient} has no plan to override")
    freeze = True if args.freeze else (False if args.unfreeze else None)
    index = find_exercise(assigned.plan, args.exercise)
    plan, change = override(assigned.plan, index, args.target, freeze, args.reason)
    version = assign(
        store,
        args.patient,
        plan,
        wall_clock_iso(),
        date.today().isoformat(),
        f"{change.name}: {change.reason}",
        [change],
    )
    print(
        f"plan version {version} for {args.patient}: {change.name} target {change.old:g} -> {change.new:g}"
        + ({True: ", progression frozen", False: ", progression resumed", None: ""}[freeze])
        + f" ({change.reason})"
    )
    return 0

"""``rehab devices list|simulate|record``: serial IMUs and EEG headsets, real or simulated."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rehab.app.cli import values

PROTOCOLS = ("witmotion", "imu-csv", "bno08x-rvc", "thinkgear")
MOTIONS = ("elbow", "forearm", "knee", "neck", "breathing", "still")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = "See docs/devices.md for URLs, options, calibration and the angle names produced."
    sub = parser.add_subparsers(dest="action", metavar="ACTION", title="actions")
    sub.required = True

    sub.add_parser(
        "list",
        help="list serial ports (USB ids, descriptions) and running simulators",
        description="List serial ports with their USB ids and descriptions, and running simulators.",
    )

    _add_simulate(sub)
    _add_record(sub)


def _add_simulate(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    sim = sub.add_parser(
        "simulate",
        help="stream a simulated device on a virtual serial port",
        description="Create a virtual serial port (pty), print its path and stream realistic device bytes "
        "until Ctrl-C. Open the printed path like real hardware, e.g. witmotion:PATH.",
    )
    sim.add_argument("protocol", choices=PROTOCOLS, help="device protocol to simulate")
    sim.add_argument(
        "--motion",
        choices=MOTIONS,
        default="elbow",
        help="movement to simulate (default elbow); the first 2 s are a still neutral pose",
    )
    sim.add_argument(
        "--rate",
        type=values.finite_float(0.0, 1000.0, low_open=True, zero_allowed=True),
        default=0.0,
        help="samples per second, up to 1000 (default 0: the device's own)",
    )
    _add_faults(sim)
    sim.add_argument(
        "--count",
        type=int,
        choices=(1, 2),
        default=1,
        help="2 = two sensors (upper arm/thigh, then forearm/shank) for two-IMU joint angles",
    )
    sim.add_argument(
        "--link",
        action="append",
        default=[],
        metavar="PATH",
        help="fixed path for the port (a symlink; repeat with --count 2)",
    )
    sim.add_argument("--force", action="store_true", help="let --link replace an existing file")
    sim.add_argument(
        "--seconds", type=values.duration_s, default=None, help="stop after this long (default: until Ctrl-C)"
    )
    sim.add_argument("--seed", type=values.seed, default=0, help="random seed for noise and garbage")


def _add_faults(sim: argparse.ArgumentParser) -> None:
    """What goes wrong with real devices, on demand: noise, garbage bytes, unplugged cables."""
    sim.add_argument(
        "--noise",
        type=values.finite_float(0.0, 90.0),
        default=0.0,
        help="sensor noise, in degrees of angle, 0-90 (default 0)",
    )
    sim.add_argument(
        "--garbage",
        type=values.finite_float(0.0, 1.0),
        default=0.0,
        help="chance per sample of inserting random bytes, 0-1 (default 0)",
    )
    sim.add_argument(
        "--dropout-every",
        type=values.finite_float(0.0, values.DAY_S, low_open=True, zero_allowed=True),
        default=0.0,
        metavar="S",
        help="unplug the port every S seconds (default 0: never)",
    )
    sim.add_argument(
        "--dropout-for",
        type=values.finite_float(0.0, values.DAY_S, low_open=True),
        default=1.0,
        metavar="S",
        help="how long each unplug lasts, more than 0 (default 1 s)",
    )


def _add_record(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    rec = sub.add_parser(
        "record",
        help="record a device to a JSON-lines file",
        description="Record one device (or two, with --joint) to FILE.jsonl: one JSON object per line with "
        "t (seconds from the start) and kind. Replay it later as replay:FILE.jsonl.",
    )
    rec.add_argument(
        "url",
        nargs="+",
        metavar="URL",
        help="device URL, e.g. witmotion:/dev/ttyUSB0?baud=115200; add ?segment=head for "
        "single-IMU angles; give two URLs (proximal, distal) with --joint",
    )
    rec.add_argument("--seconds", type=values.duration_s, required=True, help="how long to record, up to a day")
    rec.add_argument("--out", type=Path, required=True, help="output file (.jsonl), readable by you only")
    rec.add_argument("--force", action="store_true", help="overwrite OUT if it exists")
    rec.add_argument(
        "--joint",
        choices=("elbow_left", "elbow_right", "knee_left", "knee_right"),
        help="compute this joint's angles from two IMUs (hold the neutral pose at the start)",
    )
    rec.add_argument(
        "--neutral",
        type=values.finite_float(0.0, 60.0, low_open=True),
        default=1.0,
        metavar="S",
        help="seconds at the start that define the neutral pose (default 1)",
    )


def run(args: argparse.Namespace) -> int:
    return {"list": _list, "simulate": _simulate, "record": _record}[args.action](args)


def _list(args: argparse.Namespace) -> int:
    from devices.ports import list_ports

    ports = list_ports()
    if not ports:
        print("No serial ports found. Plug the device in, or try 'rehab devices simulate witmotion'.")
        return 0
    width = max(len(p.device) for p in ports)
    for port in ports:
        usb = f"  [{port.usb_id}]" if port.usb_id else ""
        print(f"{port.device:<{width}}  {port.description}{usb}")
    return 0


def _simulate(args: argparse.Namespace) -> int:
    from rehab.app.cli import CommandError
    from rehab.sim.serial_devices import MOTION_JOINT, MOTION_SEGMENT, Simulator

    if args.link and len(args.link) != args.count:
        raise CommandError(f"give --link once per port ({args.count})")
    _check_links(args.link, args.force)
    try:
        sim = Simulator(
            args.protocol,
            args.motion,
            rate=args.rate,
            noise=args.noise,
            garbage=args.garbage,
            dropout_every=args.dropout_every,
            dropout_for=args.dropout_for,
            count=args.count,
            links=args.link,
            seed=args.seed,
        )
        paths = sim.open()
    except (ValueError, OSError) as error:
        raise CommandError(str(error)) from None
    for path in paths:
        print(path, flush=True)
    scheme = args.protocol
    if args.count == 2 and args.motion in MOTION_JOINT:
        hint = (
            f"rehab devices record {scheme}:{paths[0]} {scheme}:{paths[1]} --joint {MOTION_JOINT[args.motion]}"
            " --seconds 10 --out session.jsonl"
        )
    else:
        segment = MOTION_SEGMENT.get(args.motion)
        option = f"?segment={segment}" if segment and scheme != "thinkgear" else ""
        hint = f"rehab devices record '{scheme}:{paths[0]}{option}' --seconds 10 --out session.jsonl"
    print(f"simulating {args.protocol} ({args.motion}) at {sim.rate:g} Hz; try: {hint}", file=sys.stderr)
    print("Ctrl-C to stop.", file=sys.stderr, flush=True)
    import signal

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # SIGTERM (a supervisor, a test) cleans up like Ctrl-C

    signal.signal(signal.SIGTERM, interrupt)
    try:
        sim.run(args.seconds)
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
    return 0


def _check_links(links: list[str], force: bool) -> None:
    """A port link replaces an earlier simulator's link, but a file only with --force, and a
    folder or a device never."""
    from rehab.core.private_files import check_output

    for link in links:
        if not Path(link).is_symlink():
            check_output(Path(link), force)


def _record(args: argparse.Namespace) -> int:
    from devices.base import open_source
    from devices.orientation import JointTracker
    from devices.recorder import record
    from rehab.app.cli import CommandError

    if args.seconds <= 0:
        raise CommandError("--seconds must be more than 0")
    if args.joint and len(args.url) != 2:
        raise CommandError("--joint needs two URLs: the proximal IMU (upper arm/thigh), then the distal one")
    if not args.joint and len(args.url) != 1:
        raise CommandError("give one URL, or two with --joint")
    if not args.out.parent.is_dir():
        raise CommandError(f"folder {args.out.parent} does not exist")
    from rehab.core.private_files import check_output

    check_output(args.out, args.force)  # before opening any device
    sources = []
    try:
        for url in args.url:
            sources.append(open_source(url))
    except Exception:  # close the ones already open, then let the error say what is wrong
        for source in sources:
            source.close()
        raise

    def report(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    joint = JointTracker(args.joint, neutral_s=args.neutral) if args.joint else None
    if joint is not None:
        report(f"hold the neutral pose for {args.neutral:g} s ...")
    try:
        result = record(sources, args.seconds, args.out, joint=joint, report=report, force=args.force)
    finally:
        for source in sources:
            source.close()
    counts = ", ".join(f"{n} {kind}" for kind, n in sorted(result.counts.items())) or "nothing"
    print(f"recorded {counts} in {args.seconds:g} s to {args.out}")
    for source in sources:
        stats = getattr(source, "stats", None)
        if stats is not None:
            print(f"  {source.url}: {stats.summary()}")
    if result.total == 0:
        report("warning: no samples were recorded; " + ("; ".join(result.warnings) or "is the device sending?"))
    return 0

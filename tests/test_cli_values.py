"""Every numeric option is finite and in range, and no output is replaced without ``--force``.

Before: ``--ceiling nan`` turned the safety ceiling off (nan compares false with every angle);
``devices record --seconds nan`` and ``devices simulate --seconds nan`` never stopped; ``--target
400`` was accepted and ``--target -20`` or ``--seed -1`` ended in a traceback; ``simulate --link``
replaced an existing file with its port link (and removed it on exit); ``--stats``, reports, track
CSVs and recordings silently overwrote what was there.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import pytest

from devices.recorder import record
from progress.store import Store
from rehab.app.cli import build_parser, main
from rehab.app.cli.values import bounded_int, finite_float

#: (command line, the option argparse names in its refusal). Each was accepted, hung or crashed before.
REFUSED = [
    ("play lift --ceiling nan", "--ceiling"),
    ("play lift --ceiling inf", "--ceiling"),
    ("play lift --ceiling -5", "--ceiling"),
    ("play lift --ceiling 0", "--ceiling"),
    ("play lift --ceiling 1000", "--ceiling"),
    ("play lift --target 400", "--target"),
    ("play lift --target -20", "--target"),
    ("play lift --target nan", "--target"),
    ("play lift --reps 100000", "--reps"),
    ("play lift --reps 0", "--reps"),
    ("play lift --hold nan", "--hold"),
    ("play lift --hold 1e9", "--hold"),
    ("play lift --seconds nan", "--seconds"),
    ("play lift --seconds inf", "--seconds"),
    ("play lift --seconds 1e9", "--seconds"),
    ("play lift --screenshot-at nan", "--screenshot-at"),
    ("play lift --screenshot-at -5", "--screenshot-at"),
    ("play lift --font-scale 0", "--font-scale"),
    ("play lift --font-scale nan", "--font-scale"),
    ("play lift --seed -1", "--seed"),
    ("play lift --seed 99999999999999999999", "--seed"),
    ("demo --screenshot-at nan", "--screenshot-at"),
    ("devices simulate witmotion --rate nan", "--rate"),
    ("devices simulate witmotion --rate -5", "--rate"),
    ("devices simulate witmotion --rate 1e9", "--rate"),
    ("devices simulate witmotion --noise nan", "--noise"),
    ("devices simulate witmotion --noise -1", "--noise"),
    ("devices simulate witmotion --garbage 2", "--garbage"),
    ("devices simulate witmotion --garbage nan", "--garbage"),
    ("devices simulate witmotion --dropout-every nan", "--dropout-every"),
    ("devices simulate witmotion --dropout-every -1", "--dropout-every"),
    ("devices simulate witmotion --dropout-for nan", "--dropout-for"),
    ("devices simulate witmotion --dropout-for -1", "--dropout-for"),
    ("devices simulate witmotion --seconds nan", "--seconds"),
    ("devices simulate witmotion --seconds inf", "--seconds"),
    ("devices simulate witmotion --seconds -1", "--seconds"),
    ("devices simulate witmotion --seed -1", "--seed"),
    ("devices record sim: --out r.jsonl --seconds nan", "--seconds"),
    ("devices record sim: --out r.jsonl --seconds inf", "--seconds"),
    ("devices record sim: --out r.jsonl --seconds 1e9", "--seconds"),
    ("devices record sim: --out r.jsonl --seconds 1 --neutral nan", "--neutral"),
    ("track x.mp4 --csv o.csv --seconds nan", "--seconds"),
    ("track x.mp4 --csv o.csv --workers 0", "--workers"),
    ("track x.mp4 --csv o.csv --workers -3", "--workers"),
    ("session start --patient P1 --seed -1", "--seed"),
    ("session start --patient P1 --pain-before nan", "--pain-before"),
    ("plan show P1 --version 0", "--version"),
    ("plan override --patient P1 --exercise 1 --reason r --target nan", "--target"),
    ("plan override --patient P1 --exercise 1 --reason r --target -20", "--target"),
    ("plan override --patient P1 --exercise 1 --reason r --target 400", "--target"),
]


@pytest.mark.parametrize(("command", "option"), REFUSED, ids=[c for c, _ in REFUSED])
def test_impossible_numbers_are_refused_with_the_option_named(tmp_path, capsys, command: str, option: str) -> None:
    home = tmp_path / "home"
    with pytest.raises(SystemExit) as refused:
        main(["--home", str(home), *command.split()])
    assert refused.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {option}" in err and ("give a" in err or "outside" in err) and "Traceback" not in err
    assert not home.exists()  # refused before anything was opened or made


def test_sensible_values_still_pass() -> None:
    parser = build_parser()
    args = parser.parse_args(
        [
            "play",
            "lift",
            "--ceiling",
            "150",
            "--target",
            "120",
            "--reps",
            "50",
            "--hold",
            "0",
            "--seconds",
            "60",
            "--seed",
            "7",
        ]
    )
    assert (args.ceiling, args.target, args.reps, args.hold, args.seconds, args.seed) == (150, 120, 50, 0, 60, 7)
    args = parser.parse_args(
        ["devices", "simulate", "witmotion", "--rate", "0", "--noise", "2", "--garbage", "0.5", "--dropout-every", "0"]
    )
    assert (args.rate, args.noise, args.garbage, args.dropout_every) == (0, 2, 0.5, 0)
    assert parser.parse_args(["play", "lift", "--font-scale", "2.5"]).font_scale == 2.5


def test_the_types_say_what_is_allowed() -> None:
    angle = finite_float(0, 180, low_open=True)
    for text in ("nan", "-nan", "inf", "-inf", "0", "180.0001", "1e400", "", "ten", "1_0"):
        with pytest.raises(argparse.ArgumentTypeError, match="above 0 and up to 180"):
            angle(text)
    assert angle("180") == 180 and angle("0.5") == 0.5
    for text in ("2.5", "1_0", " 3", "9" * 5000, "0x3"):
        with pytest.raises(argparse.ArgumentTypeError, match="whole number from 1 to 5"):
            bounded_int(1, 5)(text)


def test_a_goal_past_the_ceiling_is_refused(tmp_path, capsys) -> None:
    assert main(["--home", str(tmp_path), "play", "lift", "--target", "140", "--ceiling", "130"]) == 2
    assert "below the safety --ceiling" in capsys.readouterr().err


def test_a_recording_whose_length_is_not_a_number_never_starts() -> None:
    """The library refuses it too: a ``nan`` deadline is never reached."""
    for seconds in (math.nan, math.inf, 0.0, -1.0):
        with pytest.raises(ValueError, match="finite"):
            record([], seconds, Path("never-written.jsonl"))
    assert not Path("never-written.jsonl").exists()


@pytest.fixture
def existing(tmp_path: Path) -> Path:
    path = tmp_path / "exists.txt"
    path.write_text("keep me\n")
    return path


def test_simulate_link_never_replaces_a_file(existing: Path, capsys) -> None:
    assert main(["devices", "simulate", "witmotion", "--link", str(existing), "--seconds", "0.1"]) == 2
    assert "exists; add --force" in capsys.readouterr().err
    assert not existing.is_symlink() and existing.read_text() == "keep me\n"


def test_record_track_and_stats_never_overwrite_without_force(tmp_path: Path, existing: Path, capsys) -> None:
    from rehab.app.demo import write_demo_recording

    recording = write_demo_recording(tmp_path / "demo.jsonl")
    home = tmp_path / "home"
    refused = [
        ["devices", "record", f"replay:{recording}", "--seconds", "0.1", "--out", str(existing)],
        ["track", f"images:{tmp_path}", "--csv", str(existing)],
        ["track", f"images:{tmp_path}", "--csv", str(tmp_path / "o.csv"), "--video", str(existing)],
        ["play", "lift", "--seconds", "5", "--stats", str(existing)],
    ]
    for argv in refused:
        assert main(["--home", str(home), *argv]) == 2, argv
        assert "exists; add --force" in capsys.readouterr().err
        assert existing.read_text() == "keep me\n"
    assert not home.exists()  # play refused before it stored a session
    assert main(["--home", str(home), "play", "lift", "--seconds", "5", "--stats", str(existing), "--force"]) == 0
    assert '"reps"' in existing.read_text()
    out = ["devices", "record", f"replay:{recording}", "--seconds", "0.1", "--out", str(existing), "--force"]
    assert main(out) == 0 and '"kind": "meta"' in existing.read_text()


def test_a_report_replaces_an_earlier_one_only_with_force(tmp_path: Path, capsys) -> None:
    home = tmp_path / "home"
    store = Store.open(home / "rehab.sqlite3")
    store.start_session("P1", "2026-01-05T10:00:00+00:00", "lift", "elbow_flexion_left", "left", "sim:", 120.0)
    store.close()
    for fmt, out in (("html", tmp_path / "r.html"), ("fhir", tmp_path / "r.json"), ("csv", tmp_path / "csv")):
        report = ["--home", str(home), "report", "P1", "--format", fmt, "--out", str(out)]
        assert main(report) == 0
        first = sorted(p.stat().st_mtime_ns for p in ([out] if out.is_file() else list(out.iterdir())))
        assert main(report) == 2
        assert "exists; add --force" in capsys.readouterr().err
        assert sorted(p.stat().st_mtime_ns for p in ([out] if out.is_file() else list(out.iterdir()))) == first
        assert main([*report, "--force"]) == 0

"""Every command, given a missing file, a bad URL or an unknown id, says so in one line and exits 2.

Each row runs the installed ``rehab`` as a real process, as a user would, so a traceback anywhere
between ``main`` and the library shows up here. Rows commented "traceback before" printed one before
the errors got a single root (``rehab.core.errors.RehabError``) caught once in ``main``.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from rehab.app.cli import main

REHAB = str(Path(sys.executable).with_name("rehab"))

#: FFmpeg (inside OpenCV) logs a damaged file straight to the process's stderr from C, before our own
#: one-line error; silencing it (OPENCV_FFMPEG_LOGLEVEL) would also hide its warnings about damaged
#: frames in videos that do open, so the test ignores that one kind of line instead.
FFMPEG_LOG = re.compile(r"^\[[\w,]+ @ 0x[0-9a-f]+\] ")

#: a guided session run without questions at the terminal
SCRIPTED = "--pain-before 0 --pain-after 0 --headless"

#: (id, the command line after ``rehab --home HOME`` with WORK for a scratch folder, what the one line
#: says). Every row exits 2.
CASES: list[tuple[str, str, str]] = [
    # play: missing files and bad URLs (the first five: traceback before)
    ("play-missing-video", "play lift --input video:WORK/missing.mp4", "video file not found"),
    ("play-bad-webcam-url", "play lift --input webcam:abc", "must be a number"),
    ("play-damaged-video", "play lift --input video:WORK/junk.mp4", "cannot read"),
    ("play-damaged-recording", "play lift --input replay:WORK/junk.jsonl", "junk.jsonl:1"),
    ("play-missing-hierarchy", "play exposure --hierarchy WORK/missing.toml", "cannot read"),
    ("play-unknown-scheme", "play lift --input nosuch:x", "unknown input"),
    ("play-unknown-game", "play pong", "no game called 'pong'"),
    # track
    ("track-missing-video", "track WORK/missing.mp4 --csv WORK/o.csv", "video file not found"),
    ("track-bad-url", "track nosuch:x --csv WORK/o.csv", "is not a webcam:"),
    # devices
    ("record-missing-port", "devices record witmotion:WORK/tty --seconds 1 --out WORK/r.jsonl", "not found"),
    (
        "record-bad-option",
        "devices record witmotion:WORK/tty?segment=tail --seconds 1 --out r.jsonl",
        "segment must be",
    ),
    ("record-out-folder", "devices record witmotion:WORK/tty --seconds 1 --out WORK/afile/r.jsonl", "afile"),
    ("simulate-link-folder", "devices simulate witmotion --link WORK/afile/port --seconds 0.1", "afile"),
    # plan
    ("plan-unknown-template", "plan new --template nosuch --patient P1 --out WORK/p.toml", "no template"),
    # a file where --out needs a folder: traceback before; a missing plan file: two lines before
    ("plan-out-under-a-file", "plan new --template neck-pain --patient P1 --out WORK/afile/p.toml", "afile"),
    ("plan-validate-missing", "plan validate WORK/missing.toml", "no plan file"),
    ("plan-show-unknown-patient", "plan show P9", "P9 has no plan"),
    ("plan-show-bad-version", "plan show P1 --version 9", "not 9"),
    ("plan-override-unknown-exercise", "plan override --patient P1 --exercise x --target 5 --reason r", "no exercise"),
    # session (the missing video: traceback before)
    (
        "session-missing-video",
        f"session start --patient P1 --input video:WORK/missing.mp4 {SCRIPTED}",
        "video file not found",
    ),
    ("session-unknown-patient", f"session start --patient P9 {SCRIPTED}", "P9 has no plan"),
    # patients, report, db, home
    ("patients-bad-id", "patients add 'Jane Doe'", "not allowed"),
    ("report-unknown-patient", "report P9 --out WORK/r.pdf", "no patient 'P9'"),
    ("report-out-folder", "report P1 --out WORK/afile/r.pdf", "afile"),
    ("report-bad-date", "report P1 --out WORK/r.pdf --from yesterday", "not a date"),
    ("backup-out-folder", "db backup WORK/afile/x.db", "afile"),
    # --home naming a file: traceback before
    ("home-is-a-file", "--home WORK/afile patients list", "afile"),
    ("db-check-no-database", "--home WORK/empty-home db check", "no progress database"),
]


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, subprocess.CompletedProcess[str]]:
    """Run every row at once (they are independent): one by one they would take about a minute."""
    work = tmp_path_factory.mktemp("work")
    home = work / "home"
    plan = work / "p1.toml"
    assert (
        main(["--home", str(home), "plan", "new", "--template", "neck-pain", "--patient", "P1", "--out", str(plan)])
        == 0
    )
    assert main(["--home", str(home), "plan", "assign", str(plan), "--patient", "P1"]) == 0
    (work / "junk.mp4").write_text("not a video\n")
    (work / "junk.jsonl").write_text("not json\n")
    (work / "afile").write_text("a file where a folder is expected\n")
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}

    def run(case: tuple[str, str, str]) -> subprocess.CompletedProcess[str]:
        argv = [arg.replace("WORK", str(work)) for arg in shlex.split(case[1])]
        if argv[0] != "--home":
            argv = ["--home", str(home), *argv]
        return subprocess.run(
            [REHAB, *argv], capture_output=True, text=True, env=env, cwd=work, stdin=subprocess.DEVNULL, timeout=120
        )

    with ThreadPoolExecutor(max_workers=3) as pool:
        return dict(zip([case[0] for case in CASES], pool.map(run, CASES), strict=True))


@pytest.mark.parametrize(("name", "line", "says"), CASES, ids=[case[0] for case in CASES])
def test_a_user_error_is_one_line_and_exit_2(results, name: str, line: str, says: str) -> None:
    out = results[name]
    assert "Traceback" not in out.stderr, out.stderr
    lines = [line for line in out.stderr.splitlines() if not FFMPEG_LOG.match(line)]
    command = next(arg for arg in shlex.split(line) if not arg.startswith("-") and "WORK" not in arg)
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith(f"rehab {command}: "), lines[0]
    assert says in lines[0], lines[0]
    assert out.returncode == 2, (out.returncode, out.stderr)


def test_ctrl_c_says_stopped_in_one_line_and_exits_130(tmp_path) -> None:
    """Ctrl-C in the middle of a game ends it with one line, not a traceback from wherever it landed."""
    import signal
    import time

    sdl = {"SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    game = subprocess.Popen(
        [REHAB, "--home", str(tmp_path), "play", "lift", "--reps", "200"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **sdl},
        # a background shell may start us with Ctrl-C ignored; a user's terminal never does
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob("*.sqlite3")) and game.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)  # the database opens after the input, just before the game starts
    time.sleep(0.5)
    game.send_signal(signal.SIGINT)
    _, err = game.communicate(timeout=60)
    assert err.strip().splitlines() == ["rehab: stopped."], err
    assert game.returncode == 130

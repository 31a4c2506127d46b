"""No camera, a camera another program holds, a camera URL that cannot work, a missing video: one
plain line and exit status 2 from ``rehab play`` and ``rehab session start``, never a traceback (nor
the crash OpenCV makes of ``webcam:-1``); and, when a window is open, the same words on it until the
patient closes it.

The command-line rows run the installed ``rehab`` as a real process. This machine has no camera at
all, so index 97 (or any index) is one that does not exist; OpenCV cannot tell that apart from a
camera held by another program, and the message names both.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pygame
import pytest

from rehab.app.cli import build_parser
from rehab.app.session_cards import problem_card
from rehab.core.errors import UsageError
from rehab.engine.display import SIZE
from rehab.engine.message_card import layout
from rehab.engine.palette import PALETTE
from tests.screen_text import PatientAtWindow, shows_at

REHAB = str(Path(sys.executable).with_name("rehab"))
PLAN = """\
title = "Elbow"
patient = "P1"
sessions_per_week = 5

[[exercise]]
name = "Elbow bend"
game = "lift"
movement = "elbow_flexion"
side = "left"
sets = 1
reps = 3
target_deg = 90
ceiling_deg = 140
"""
SCRIPTED = ["--pain-before", "1", "--pain-after", "1", "--headless"]
HELD_OR_MISSING = "no other program (a video call, another rehab window) is using it"

CASES = [
    # (id, input URL, what the line says)
    ("absent-camera", "webcam:97", "the camera (webcam:97) could not be opened: this computer has no camera"),
    ("negative-index", "webcam:-1", "webcam index must be 0 or more, got -1"),  # a segfault before
    ("option-not-a-number", "webcam:0?fps=abc", "webcam fps must be a positive number, got 'abc'"),  # a traceback
    ("option-not-positive", "webcam:0?width=-5", "webcam width must be a positive number, got '-5'"),
    ("missing-video", "video:WORK/missing.mp4", "video file not found"),
]


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    folder = tmp_path_factory.mktemp("home")
    (folder / "plan.toml").write_text(PLAN)
    run = subprocess.run([REHAB, "--home", str(folder), "plan", "assign", str(folder / "plan.toml"), "--patient", "P1"])
    assert run.returncode == 0
    return folder


def _rehab(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([REHAB, "--home", str(home), *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(("command"), ["play", "session"])
@pytest.mark.parametrize(("case", "url", "says"), CASES, ids=[c[0] for c in CASES])
def test_a_camera_that_cannot_open_is_one_plain_line_and_exit_2(home, command, case, url, says):
    url = url.replace("WORK", str(home))
    says = says.replace("WORK", str(home))
    if command == "play":
        done = _rehab(home, "play", "lift", "--input", url, "--headless")
    else:
        done = _rehab(home, "session", "start", "--patient", "P1", "--input", url, *SCRIPTED)
    lines = done.stderr.splitlines()
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert lines[0].startswith(f"rehab {command}: ") and says in lines[0]
    if case == "absent-camera":
        assert HELD_OR_MISSING in lines[0]  # missing or held by another program: both are said


# -- on the window ---------------------------------------------------------------------------------


def _card_shown(frame: pygame.Surface, message: str) -> bool:
    rows = layout(problem_card(message), SIZE)[0]
    return all(shows_at(frame, r.words, r.size, r.color, PALETTE.background_top, r.rect[:2]) for r in rows)


@pytest.fixture
def window():
    display = PatientAtWindow(press_from=1)  # the patient presses Enter once the card counts keys
    yield display
    display.close()


def test_a_session_on_a_window_shows_the_camera_problem_there(home, window):
    from rehab.app.cli.session import _run_with_store

    args = build_parser().parse_args(
        ["--home", str(home), "session", "start", "--patient", "P1", "--input", "webcam:97", "--window"]
    )
    with pytest.raises(UsageError) as raised:  # printed by main as one line, exit 2
        _run_with_store(args, window, True, lambda moment, hand: 1.0)
    message = str(raised.value)
    assert HELD_OR_MISSING in message
    assert _card_shown(window.last, message)
    if os.environ.get("REHAB_SHOTS"):  # to look at
        pygame.image.save(window.last, str(Path(os.environ["REHAB_SHOTS"]) / "problem_camera_session.png"))


def test_play_on_a_window_shows_the_camera_problem_there(home, window):
    from rehab.app.cli.play import request_from
    from rehab.app.free_play import play_on, prescribed
    from rehab.engine.game import available_games

    args = build_parser().parse_args(["--home", str(home), "play", "lift", "--input", "webcam:97", "--window"])
    request = request_from(args)
    info = available_games()["lift"]
    with pytest.raises(UsageError) as raised:
        play_on(window, request, info, prescribed(request, info))
    assert _card_shown(window.last, str(raised.value))


def test_without_a_window_nothing_waits_for_a_key(home):
    """Headless, the error is only the terminal's line: no card waits for a key nobody can press."""
    from rehab.app.cli.session import _run_with_store
    from rehab.engine.display import HeadlessDisplay

    args = build_parser().parse_args(
        ["--home", str(home), "session", "start", "--patient", "P1", "--input", "webcam:97", *SCRIPTED]
    )
    with pytest.raises(UsageError):
        _run_with_store(args, HeadlessDisplay(), False, lambda moment, hand: 1.0)


def test_the_camera_problem_is_all_french_for_a_french_patient():
    """The cameras found were the device layer's English words inside the French sentence."""
    from devices.base import open_source
    from devices.camera import CameraUnavailable
    from rehab.app.input_problems import camera_problem
    from rehab.core.i18n import set_language

    with pytest.raises(CameraUnavailable) as raised:
        open_source("webcam:97")  # a real attempt: no camera has that index
    set_language("fr")
    french = camera_problem("webcam:97", raised.value)
    assert "webcam:97" in french and "n'a pas pu être ouverte" in french
    assert "found" not in french and "camera at index" not in french
    found = camera_problem("webcam:1", CameraUnavailable("no camera at index 1; cameras found: webcam:0", (0,)))
    assert "webcam:0" in found and "found" not in found

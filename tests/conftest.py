"""Every test runs headless: SDL draws into memory and plays sound to nowhere."""

import json
import os
from pathlib import Path

import pytest

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")


def pytest_addoption(parser):
    """Hardware tests are opt-in (pyserial's run_all_tests.py PORT idiom): name a real device to run
    tests/test_devices_hardware.py against it, e.g. --device-url witmotion:/dev/ttyUSB0."""
    parser.addoption(
        "--device-url",
        action="append",
        default=[],
        metavar="URL",
        help="run the device reader/parser tests against this real device (repeatable)",
    )


@pytest.fixture(autouse=True)
def _default_look_and_language():
    """Text size, contrast and language are process-wide settings: every test ends with the defaults
    back, so a test that draws at 1.5x, in high contrast or in French cannot leak into the next."""
    yield
    from rehab.core.i18n import set_language
    from rehab.engine.hud import set_font_scale
    from rehab.engine.palette import use_high_contrast

    set_font_scale(1.0)
    use_high_contrast(False)
    set_language("en")


@pytest.fixture
def elbow_plan_text() -> str:
    """A valid plan file's text (elbow bend with progression, then head turns), for tests that parse
    it as it is or change one line of it to make one mistake."""
    return (Path(__file__).parent / "plans" / "elbow.toml").read_text(encoding="utf-8")


@pytest.fixture
def play_with_simulator(tmp_path):
    """Plays a game through the real CLI (``rehab play GAME --input sim``) in a fresh home and
    returns the statistics it wrote with ``--stats``, after checking it exited with 0."""

    def play(game: str, seconds: int = 60) -> dict:
        from rehab.app.cli import main

        stats = tmp_path / "stats.json"
        sim = ["play", game, "--input", "sim", "--seconds", str(seconds), "--stats", str(stats)]
        code = main(["--home", str(tmp_path), *sim])
        assert code == 0
        return json.loads(stats.read_text())

    return play


# PostgreSQL and the running clinic server, for tests/test_clinic_*.py (and benchmarks/bench_clinic.py)
# Debian's chromium through Playwright, for the web app's browser tests (tests/test_web_browser_*.py)
from tests.browser_fixtures import chromium_browser, new_page, web_page  # noqa: E402, F401
from tests.clinic_fixtures import (  # noqa: E402, F401
    clinic_db_url,
    clinic_engine,
    clinic_server,
    postgres_server,
    postgres_url,
)

"""The example game package (examples/minimal_game) installs like a clinic's own game would, and rehab
lists and plays it through the ``rehab.games`` entry point: the published contract, end to end."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _rehab(args: list[str], target: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(target), SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    return subprocess.run(
        [sys.executable, "-m", "rehab", "--home", str(home), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_an_installed_game_package_is_listed_and_played(tmp_path):
    target = tmp_path / "site"
    # built from a copy: setuptools leaves build/ and *.egg-info beside the sources it builds
    source = shutil.copytree(ROOT / "examples" / "minimal_game", tmp_path / "minimal_game")
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index"]
        + ["--disable-pip-version-check", "--target", str(target), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stderr

    listed = _rehab(["games"], target, tmp_path / "home")
    assert listed.returncode == 0, listed.stderr
    assert any(line.startswith("kite ") for line in listed.stdout.splitlines()), listed.stdout

    stats = tmp_path / "stats.json"
    played = _rehab(["play", "kite", "--input", "sim", "--stats", str(stats)], target, tmp_path / "home")
    assert played.returncode == 0, played.stderr
    reps = json.loads(stats.read_text())["reps"]
    assert len(reps) == 5  # the example's simulated patient bends the elbow five times
    assert all(rep["peak_deg"] > 90 for rep in reps)

"""What each make target would install, read from `make -n` (a dry run: make prints the commands and
runs none), against a venv folder in a temporary directory: these tests never install anything.

`make demo` installs the runtime packages only; the targets that need the development tools (tests,
lint, benchmarks) add the dev extras on top; a second run installs nothing unless pyproject.toml
changed; and every word of set-up goes to stderr, so that `make bench` prints only JSON on stdout.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = REPO / "pyproject.toml"
RUNTIME = "."
DEV = "'.[dev]'"
# what `pip install -e SPEC` is asked for, on one line of a dry run
PIP_INSTALL = re.compile(r"-m pip install (?:--\S+ )*-e (\S+)")

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def dry_run(target: str, venv: Path) -> list[str]:
    """The commands `make TARGET` would run with its venv at ``venv``, one line each."""
    # under `make test` the outer make's variables are in the environment: without them removed the
    # inner make prints "Entering directory" lines around its commands (and takes the outer flags)
    outer = {"MAKELEVEL", "MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES"}
    env = {name: value for name, value in os.environ.items() if name not in outer}
    result = subprocess.run(
        ["make", "-n", "--no-print-directory", f"VENV={venv}", "PYTHON=python3", target],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return result.stdout.splitlines()


def installs(target: str, venv: Path) -> list[str]:
    """What `make TARGET` would `pip install -e`, in order ("." is the runtime, "'.[dev]'" adds the dev extras)."""
    return [match[1] for line in dry_run(target, venv) if (match := PIP_INSTALL.search(line))]


def stamp(venv: Path, name: str, seconds_after_pyproject: int) -> None:
    """Leave the stamp a finished install leaves, dated that long after pyproject.toml last changed."""
    venv.mkdir(exist_ok=True)
    path = venv / name
    path.touch()
    when = PYPROJECT.stat().st_mtime + seconds_after_pyproject
    os.utime(path, (when, when))


@pytest.fixture
def venv(tmp_path: Path) -> Path:
    return tmp_path / ".venv"


@pytest.mark.parametrize("target", ["demo", "venv", "screenshots"])
def test_a_fresh_checkout_runs_the_demo_with_the_runtime_packages_only(venv: Path, target: str) -> None:
    assert installs(target, venv) == [RUNTIME]


@pytest.mark.parametrize("target", ["test", "lint", "bench", "crash-test", "web-screenshots", "venv-dev"])
def test_targets_that_need_the_development_tools_add_the_dev_extras(venv: Path, target: str) -> None:
    assert installs(target, venv) == [RUNTIME, DEV]


def test_a_demo_venv_later_used_by_make_test_gets_only_the_dev_extras_added(venv: Path) -> None:
    stamp(venv, ".installed-runtime", seconds_after_pyproject=60)
    assert installs("demo", venv) == []
    assert installs("test", venv) == [DEV]


def test_a_runtime_stamp_newer_than_the_dev_stamp_does_not_call_for_the_dev_extras_again(venv: Path) -> None:
    """A venv fully set up before the split gets its runtime stamp after its dev stamp (the test below)."""
    stamp(venv, ".installed", seconds_after_pyproject=60)
    stamp(venv, ".installed-runtime", seconds_after_pyproject=120)
    assert installs("test", venv) == []


@pytest.mark.parametrize("target", ["demo", "test", "lint", "bench"])
def test_a_second_run_installs_nothing(venv: Path, target: str) -> None:
    stamp(venv, ".installed-runtime", seconds_after_pyproject=60)
    stamp(venv, ".installed", seconds_after_pyproject=60)
    assert installs(target, venv) == []


def test_a_changed_pyproject_installs_again(venv: Path) -> None:
    stamp(venv, ".installed-runtime", seconds_after_pyproject=-60)
    stamp(venv, ".installed", seconds_after_pyproject=-60)
    assert installs("demo", venv) == [RUNTIME]
    assert installs("test", venv) == [RUNTIME, DEV]


def test_a_full_venv_set_up_before_the_split_counts_as_having_the_runtime_packages(venv: Path) -> None:
    """Before the two stamps, one full install left .venv/.installed; such a venv is not set up again.
    A real run, not a dry one: PYTHON=false makes any attempt to create a venv fail instead of install."""
    stamp(venv, ".installed", seconds_after_pyproject=60)
    result = subprocess.run(["make", f"VENV={venv}", "PYTHON=false", "venv"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (venv / ".installed-runtime").exists()
    assert not (venv / "bin").exists()
    assert installs("test", venv) == []


@pytest.mark.parametrize("target", ["bench", "test"])
def test_set_up_talk_goes_to_stderr(venv: Path, target: str) -> None:
    """`make bench` prints only JSON on stdout, even on the run that sets up the venv."""
    talk = [line for line in dry_run(target, venv) if re.search(r'echo "make:|-m venv |-m pip install', line)]
    assert len(talk) >= 7  # three announcements, the venv, pip's upgrade and the two installs
    assert [line for line in talk if ">&2" not in line] == []


def test_make_test_still_sets_up_postgresql_and_chromium(venv: Path) -> None:
    commands = "\n".join(dry_run("test", venv))
    assert "apt-get install -y -qq postgresql" in commands
    assert "apt-get install -y -qq chromium" in commands
    assert commands.rstrip().endswith("-m pytest -q")

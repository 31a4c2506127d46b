"""Everything that holds patient data is its owner's only, and no planted file can receive it.

Before: recordings, ``devices record`` output, ``track`` CSVs and videos, ``--stats`` files and
screenshots were 0644 and the data folder 0755; reports and backups were written through a
predictable ``.NAME.partial`` file that a symlink planted there redirected into another file; and a
device or a pipe given as the output was written (``/dev/full`` as root was replaced) or waited on.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from rehab.app.cli import main
from rehab.core.private_files import (
    FILE_MODE,
    FOLDER_MODE,
    OutputExistsError,
    create_private,
    make_private_folder,
    write_private,
)

REHAB = str(Path(sys.executable).with_name("rehab"))


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.fixture(params=[0o000, 0o022, 0o277], ids=lambda u: f"umask {u:03o}")
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    """Modes must not depend on the umask: a permissive one must not widen them, a strict one must
    not leave a file its owner cannot read."""
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


def test_files_and_folders_are_owner_only_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    folder = make_private_folder(tmp_path / "a" / "b")
    assert mode(tmp_path / "a") == mode(folder) == FOLDER_MODE == 0o700
    os.close(create_private(folder / "stream.jsonl"))
    write_private(folder / "whole.json", b"{}")
    assert mode(folder / "stream.jsonl") == mode(folder / "whole.json") == FILE_MODE == 0o600
    assert sorted(p.name for p in folder.iterdir()) == ["stream.jsonl", "whole.json"]  # no temporary left


def test_an_existing_file_is_replaced_only_when_asked_and_a_device_never(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("keep")
    with pytest.raises(OutputExistsError, match="--force"):
        write_private(target, b"new")
    assert target.read_text() == "keep"
    write_private(target, b"new", force=True)
    assert target.read_bytes() == b"new" and mode(target) == 0o600
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/null")):
        with pytest.raises(OutputExistsError, match="not a regular file"):
            write_private(path, b"x", force=True)
        with pytest.raises(OutputExistsError, match="not a regular file"):
            create_private(path, force=True)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder made by rehab itself (the demo: a session, its recording) under umask 022."""
    home = tmp_path_factory.mktemp("private") / "home"
    old = os.umask(0o022)
    try:
        assert main(["--home", str(home), "demo"]) == 0
    finally:
        os.umask(old)
    return home


def test_a_symlink_planted_at_the_old_partial_name_is_never_followed(home: Path, tmp_path: Path) -> None:
    victim = tmp_path / "mine.txt"
    victim.write_text("my own file\n")
    victim.chmod(0o644)
    out = tmp_path / "out"
    out.mkdir()
    for name in ("r.html", "r.pdf", "r.json", "b.db"):
        (out / f".{name}.partial").symlink_to(victim)
    for fmt, name in (("html", "r.html"), ("pdf", "r.pdf"), ("fhir", "r.json")):
        assert main(["--home", str(home), "report", "demo", "--format", fmt, "--out", str(out / name)]) == 0
    assert main(["--home", str(home), "db", "backup", str(out / "b.db")]) == 0
    assert victim.read_text() == "my own file\n" and mode(victim) == 0o644
    for name in ("r.html", "r.pdf", "r.json", "b.db"):
        assert not (out / name).is_symlink() and mode(out / name) == 0o600
        assert (out / f".{name}.partial").is_symlink()  # left alone, not written through, not removed


@pytest.fixture
def pictures(tmp_path: Path) -> Path:
    cv2 = pytest.importorskip("cv2")
    folder = tmp_path / "pics"
    folder.mkdir()
    for i in range(2):
        cv2.imwrite(str(folder / f"{i:03}.png"), np.full((240, 320, 3), 90 + 40 * i, np.uint8))
    return folder


def test_every_output_holding_patient_data_is_owner_only(home: Path, tmp_path: Path, pictures: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    recording = home / "recordings" / "demo-elbow-flexion-left.jsonl"
    old = os.umask(0o022)
    try:
        runs = [
            ["play", "lift", "--seconds", "5", "--stats", str(out / "s.json"), "--screenshot", str(out / "p.png")],
            ["devices", "record", f"replay:{recording}", "--seconds", "0.2", "--out", str(out / "r.jsonl")],
            ["track", f"images:{pictures}", "--csv", str(out / "t.csv"), "--video", str(out / "t.mp4"), "--quiet"],
            ["report", "demo", "--format", "csv", "--out", str(out / "csv")],
            ["report", "demo", "--format", "pdf", "--out", str(out / "r.pdf")],
            ["db", "backup", str(out / "b.db")],
        ]
        for argv in runs:
            assert main(["--home", str(home), *argv]) == 0, argv
    finally:
        os.umask(old)
    assert mode(home) == 0o700 and mode(home / "recordings") == 0o700
    assert mode(recording) == 0o600 and mode(home / "rehab.sqlite3") == 0o600
    assert mode(out / "csv") == 0o700
    written = [p for p in out.rglob("*") if p.is_file()]
    assert sorted(p.name for p in written) == sorted(
        [
            "s.json",
            "p.png",
            "r.jsonl",
            "t.csv",
            "t.mp4",
            "sessions.csv",
            "reps.csv",
            "ratings.csv",
            "visits.csv",
            "mental.csv",
            "outcomes.csv",
            "adherence.csv",
            "r.pdf",
            "b.db",
        ]
    )
    assert {p.name: mode(p) for p in written} == {p.name: 0o600 for p in written}


def test_a_new_data_folder_is_owner_only(tmp_path: Path) -> None:
    home = tmp_path / "new" / "home"
    old = os.umask(0o000)
    try:
        assert main(["--home", str(home), "patients", "add", "P-1"]) == 0
    finally:
        os.umask(old)
    assert mode(tmp_path / "new") == mode(home) == 0o700


#: commands given a pipe as output; WORK is a scratch folder holding the pipe and HOME the data folder
PIPE_OUTPUTS = [
    "play lift --seconds 5 --stats WORK/pipe",
    "play lift --seconds 5 --screenshot WORK/pipe",
    "devices record replay:HOME/recordings/demo-elbow-flexion-left.jsonl --seconds 0.2 --out WORK/pipe --force",
    "track images:WORK/pics --csv WORK/pipe --force",
    "report demo --format html --out WORK/pipe --force",
    "db backup WORK/pipe --force",
]


@pytest.mark.parametrize("command", PIPE_OUTPUTS, ids=lambda c: c.split(" --")[0])
def test_a_device_or_a_pipe_as_output_is_refused_not_written_or_waited_on(
    home: Path, tmp_path: Path, pictures: Path, command: str
) -> None:
    """A pipe stands in for ``/dev/full``: both are special files; writing one blocked (a pipe
    without a reader) or, renamed over, destroyed it. Run as a process: a hang fails on time."""
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    argv = command.replace("WORK", str(tmp_path)).replace("HOME", str(home)).split()
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    done = subprocess.run([REHAB, "--home", str(home), *argv], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 2, done.stderr
    assert "not a regular file" in done.stderr and "Traceback" not in done.stderr
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode)

"""Files and folders that hold patient data: readable by their owner only, whatever the umask.

Every output rehab writes (recordings, tracks, stats, screenshots, reports, backups) goes through
here, so the rules hold everywhere at once:

- modes are set with ``fchmod``/``chmod`` after creation (0600 files, 0700 folders), so a permissive
  umask cannot widen them and a strict one cannot leave a file its owner cannot read;
- a file is created with ``O_CREAT | O_EXCL | O_NOFOLLOW``: a symlink planted at its name is never
  followed, and a temporary file gets a fresh unpredictable name in the target folder;
- an existing target is replaced only when asked (``force``) and only when it is a regular file:
  a device (``/dev/full``), a pipe or a folder is refused, never truncated or renamed over;
- a library that opens its output by name (OpenCV's video encoder) writes inside an owner-only
  scratch folder (``private_temp_folder``), so its file is never open to others whatever mode it
  gives it, and the finished file is renamed into place.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, BinaryIO, Literal, TextIO, overload

from rehab.core.errors import UsageError

FILE_MODE = 0o600
FOLDER_MODE = 0o700

_CREATE_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


class OutputExistsError(UsageError):
    """The output file is already there, or is not a file rehab may replace."""


def check_output(path: Path, force: bool = False) -> None:
    """Refuse, before any work, a target that is not ours to write.

    A missing target is fine; an existing regular file needs ``force``; a symlink, a folder, a
    device or a pipe is always refused (replacing or truncating one would destroy it or write
    where the link points).
    """
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(info.st_mode):
        raise OutputExistsError(f"{path} is a symbolic link; give the real file name")
    if stat.S_ISDIR(info.st_mode):
        raise OutputExistsError(f"{path} is a folder; give a file name")
    if not stat.S_ISREG(info.st_mode):
        raise OutputExistsError(f"{path} is not a regular file (a device or a pipe); choose another file")
    if not force:
        raise OutputExistsError(f"{path} exists; add --force to overwrite it")


def create_private(path: Path, force: bool = False) -> int:
    """A new owner-only file at ``path``, opened for writing; returns its descriptor.

    With ``force`` an existing regular file is removed first (a stream such as a recording is
    written in place, so that a killed process keeps what it had written).
    """
    check_output(path, force)
    if force:
        Path(path).unlink(missing_ok=True)
    fd = os.open(path, _CREATE_NEW, FILE_MODE)
    os.fchmod(fd, FILE_MODE)
    return fd


@overload
def open_private(path: Path, mode: Literal["w"] = "w", force: bool = False, **kwargs: Any) -> TextIO: ...
@overload
def open_private(path: Path, mode: Literal["wb"], force: bool = False, **kwargs: Any) -> BinaryIO: ...
def open_private(path: Path, mode: str = "w", force: bool = False, **kwargs: Any) -> IO[Any]:
    """``open()`` for a new owner-only file: ``mode`` is ``"w"`` or ``"wb"``, ``kwargs`` as for open."""
    if mode not in ("w", "wb"):
        raise ValueError(f"open_private writes new files only, not mode {mode!r}")
    return os.fdopen(create_private(path, force), mode, **kwargs)


@contextmanager
def private_temp(target: Path) -> Iterator[Path]:
    """A fresh owner-only temporary file next to ``target``, removed unless renamed into place.

    Its name is unpredictable and it is created exclusively (``mkstemp``), so nothing planted in
    the folder beforehand can receive the data.
    """
    folder = target.parent if str(target.parent) else Path(".")
    fd, name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".partial")
    try:
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)
    temp = Path(name)
    try:
        yield temp
    finally:
        temp.unlink(missing_ok=True)


@contextmanager
def private_temp_folder(target: Path) -> Iterator[Path]:
    """A fresh owner-only folder next to ``target``, removed with what is left in it on the way out.

    For a library that opens its output by name itself (a video encoder): it writes to
    ``folder / target.name`` (same name, so the same format is chosen), which nobody else can open
    whatever mode the library gives the file, since nobody else may enter the folder; the finished
    file is then renamed over ``target`` with ``replace_private``.
    """
    parent = target.parent if str(target.parent) else Path(".")
    folder = Path(tempfile.mkdtemp(dir=parent, prefix=f".{target.name}.", suffix=".partial"))
    try:
        os.chmod(folder, FOLDER_MODE)  # mkdtemp's 0700 is cut by the umask: a strict one locks us out
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def check_folder(path: Path) -> None:
    """Refuse, before any work, an output whose folder is missing (a mistyped path is not made)."""
    parent = Path(path).parent
    if not parent.is_dir():
        raise UsageError(f"folder {parent} does not exist; create it first or choose another file")


def replace_private(temp: Path, target: Path, force: bool = True) -> None:
    """Rename a finished temporary file over ``target`` (checked again: it may have changed)."""
    check_output(target, force)
    os.replace(temp, target)


def write_private(path: Path, content: bytes, force: bool = False) -> None:
    """Write ``content`` to ``path`` whole or not at all: a temporary file, then a rename.

    A full disk or a crash leaves the old file (if any) as it was.
    """
    check_output(path, force)
    with private_temp(path) as temp:
        with open(temp, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        replace_private(temp, path, force)


def make_private_folder(path: Path) -> Path:
    """Create ``path`` and any missing parents as owner-only folders; an existing folder is left as
    it is (its owner chose its mode)."""
    path = Path(path)
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=FOLDER_MODE)
        except FileExistsError:
            continue  # made meanwhile by someone else: theirs to set
        os.chmod(folder, FOLDER_MODE)
    return path


def make_private(path: Path) -> None:
    """Set an existing file written by another library (a video encoder) to owner-only."""
    os.chmod(path, FILE_MODE)

"""Writing report files whole or not at all, owner-only, never through a planted symlink."""

from __future__ import annotations

import os
from pathlib import Path

from rehab.core.errors import RehabError
from rehab.core.private_files import check_output, write_private


class OutputError(RehabError):
    """The output path cannot be written (missing folder, no permission, a folder in the way)."""


def writable_file(path: Path, force: bool = True) -> None:
    """Fail early, before any work, when ``path`` cannot become a file.

    A device, a pipe or a symlink at ``path`` is refused even with ``force``: a report is renamed
    into place, which would replace a device node (``/dev/full`` as root) rather than write to it.
    """
    if path.is_dir() and not path.is_symlink():
        raise OutputError(f"{path} is a folder; give a file name")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write to folder {parent} (permission denied)")
    check_output(path, force)
    if path.exists() and not os.access(path, os.W_OK):
        raise OutputError(f"cannot overwrite {path} (permission denied)")


def write_atomically(path: Path, content: bytes, force: bool = True) -> None:
    """Write to a fresh hidden sibling (unpredictable name, created exclusively), then rename: a
    reader never sees a half-written report, and a full disk leaves the old one as it was.

    Reports hold health data, so they are readable by their owner only (like the store).
    """
    try:
        write_private(path, content, force)
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror or error}") from error

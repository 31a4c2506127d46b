"""Writing report files whole or not at all."""

from __future__ import annotations

import os
from pathlib import Path

from rehab.core.errors import RehabError


class OutputError(RehabError):
    """The output path cannot be written (missing folder, no permission, a folder in the way)."""


def writable_file(path: Path) -> None:
    """Fail early, before any work, when ``path`` cannot become a file."""
    if path.is_dir():
        raise OutputError(f"{path} is a folder; give a file name")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write to folder {parent} (permission denied)")
    if path.exists() and not os.access(path, os.W_OK):
        raise OutputError(f"cannot overwrite {path} (permission denied)")


def write_atomically(path: Path, content: bytes) -> None:
    """Write to a hidden sibling, then rename: a reader never sees a half-written report.

    Reports hold health data, so they are created readable by their owner only (like the store).
    """
    partial = path.with_name(f".{path.name}.partial")
    try:
        fd = os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(partial, path)
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror or error}") from error
    finally:
        partial.unlink(missing_ok=True)

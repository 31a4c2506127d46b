"""The errors a user can fix, with one root so the command line catches them in one place.

Anything raised as a ``RehabError`` is the user's to act on (a missing file, an unknown patient, a
camera that will not open): ``rehab`` prints its message as one line and exits with ``exit_code``,
never with a traceback. Anything else is a bug in rehab and keeps its traceback, so it gets reported.

Classes that callers already catch as ``ValueError`` (device URLs, CSV columns, orientation options)
subclass both, so ``except ValueError`` keeps working.
"""

from __future__ import annotations


class RehabError(Exception):
    """A problem the user can fix. ``str()`` says what is wrong and, where there is one, the fix."""

    #: the process exit status when this error ends a command (2: the usage error of argparse)
    exit_code: int = 2

    def __init__(self, message: str = "", exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(RehabError):
    """An option or value that is not allowed (a bad number, a missing option, a conflict)."""


class NotFoundError(RehabError):
    """Something named that does not exist: a file, a patient, a game, a template, a session."""


class DeviceError(RehabError):
    """A device or source that cannot be opened: a camera, a serial port, a video, a bad URL."""


class PlanError(RehabError):
    """An exercise plan that must not be used or changed as asked."""


class StoreError(RehabError):
    """The progress database cannot be used as it is (newer schema, unreadable file)."""


class DataError(RehabError):
    """A file that exists but cannot be read as what it claims to be (a recording, a hierarchy)."""

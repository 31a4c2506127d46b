"""Keeps MediaPipe's native start-up chatter off the user's terminal.

MediaPipe's C++ side (TensorFlow Lite's "Created TensorFlow Lite XNNPACK delegate", absl's
"All log messages before absl::InitializeLog()" and two "Feedback manager" warnings) writes
straight to file descriptor 2 from its own threads while a graph runs its first picture. None of
it is about the user's input, ``--quiet`` cannot silence it from Python, and neither
``GLOG_minloglevel`` nor ``TF_CPP_MIN_LOG_LEVEL`` does in mediapipe 0.10.14 (tried). The graph starts on its own threads
after the model object is built and says all that shortly after, not inside any one call. So
descriptor 2 points at /dev/null from the moment a model is built until it has analysed its first
picture (the graph has started by then) or ``STARTUP_S`` seconds have passed, whichever is first,
and nowhere else: a real error later still reaches the terminal. Whatever else is written to
descriptor 2 in that window (a second or so while a model loads) is lost too; Python exceptions
are not (they are raised, not printed).
"""

from __future__ import annotations

import os
import sys
import threading
import warnings
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

_lock = threading.Lock()
_depth = 0
_saved_fd: int | None = None

# protobuf's deprecation warning, raised from inside mediapipe's result conversion, is not ours either
warnings.filterwarnings("ignore", message=r"SymbolDatabase\.GetPrototype\(\) is deprecated", category=UserWarning)


@contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Descriptor 2 goes to /dev/null inside the block (nested and concurrent uses are counted, so
    the last one out restores it). Python's own ``sys.stderr`` buffer is flushed first."""
    global _depth, _saved_fd
    with _lock:
        if _depth == 0:
            sys.stderr.flush()
            _saved_fd = os.dup(2)
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 2)
            os.close(null)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _saved_fd is not None:
                os.dup2(_saved_fd, 2)
                os.close(_saved_fd)
                _saved_fd = None


#: the longest the start-up silence lasts when no picture comes (a camera that delivers nothing)
STARTUP_S = 5.0


class StartupSilence:
    """``native_stderr_silenced`` from ``starting()`` until ``end()`` or ``STARTUP_S`` seconds."""

    def __init__(self, seconds: float = STARTUP_S) -> None:
        self._seconds = seconds
        self._block: AbstractContextManager[None] | None = None
        self._timer: threading.Timer | None = None
        self._end_lock = threading.Lock()

    @contextmanager
    def starting(self) -> Iterator[None]:
        """Silence begins here; if the block fails (a model that will not load), it ends at once so
        the error can be read."""
        self._block = native_stderr_silenced()
        self._block.__enter__()
        self._timer = threading.Timer(self._seconds, self.end)
        self._timer.daemon = True
        self._timer.start()
        try:
            yield
        except BaseException:
            self.end()
            raise

    def end(self) -> None:
        """Give descriptor 2 back (once; later calls, or calls before ``starting``, do nothing)."""
        with self._end_lock:
            block, self._block = self._block, None
        if block is None:
            return
        if self._timer is not None:
            self._timer.cancel()
        block.__exit__(None, None, None)

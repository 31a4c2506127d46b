"""Keeps MediaPipe's native start-up chatter off the user's terminal.

MediaPipe's C++ side (TensorFlow Lite's "Created TensorFlow Lite XNNPACK delegate", absl's
"All log messages before absl::InitializeLog()" and two "Feedback manager" warnings) writes
straight to file descriptor 2 from its own threads while a graph runs its first picture. None of
it is about the user's input, ``--quiet`` cannot silence it from Python, and neither
``GLOG_minloglevel`` nor ``TF_CPP_MIN_LOG_LEVEL`` does in mediapipe 0.10.14 (tried). So descriptor 2
points at /dev/null while a model is built and runs its first picture, a few hundred milliseconds,
and nowhere else: a real error later still reaches the terminal. Python exceptions are not
affected (they are raised, not printed, inside the call).
"""

from __future__ import annotations

import os
import sys
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

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

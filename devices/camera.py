"""Frames from a webcam, a video file or a folder of images, captured on their own thread.

The capture thread owns the device and is the only place that reads the clock: each frame is
stamped with ``time.monotonic()`` as soon as it is read. Live sources use a latest-frame policy (a
one-slot mailbox: a slow consumer skips frames, a backlog never builds up and latency stays one
frame). Offline analysis instead wants every frame, so files can be read through a short bounded
queue that blocks the reader: decoding still overlaps the consumer's work, memory stays bounded.
"""

from __future__ import annotations

import contextlib
import glob
import math
import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from rehab.core.errors import DeviceError
from rehab.core.types import DeviceStatus

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")


class SourceOpenError(DeviceError, ValueError):
    """A source cannot be opened: the message says why and what would work."""


class CameraUnavailable(SourceOpenError):
    """The camera asked for did not open: it is missing, or another program holds it (OpenCV cannot
    tell which). ``cameras``: the webcam indices that did open, for a message in the patient's language."""

    def __init__(self, message: str, cameras: tuple[int, ...] = ()) -> None:
        super().__init__(message)
        self.cameras = cameras


@dataclass(frozen=True, eq=False)
class Frame:
    """One captured picture. ``image`` is BGR uint8 (OpenCV's layout); ``t`` the capture stamp
    (monotonic seconds); ``index`` the 0-based frame number in the source; ``media_t`` the position
    in a file in seconds (None for live cameras)."""

    image: np.ndarray
    t: float
    index: int
    media_t: float | None = None


class FrameReader(Protocol):
    """A blocking reader; only the capture thread calls it."""

    live: bool
    fps: float | None
    frame_count: int | None

    def read(self) -> np.ndarray | None:
        """The next picture, or None when the device failed or the file ended."""
        ...

    def reopen(self) -> bool:
        """Try to get a lost live device back; True when it is back."""
        ...

    def close(self) -> None: ...


class CvReader:
    """A ``cv2.VideoCapture`` (webcam or video file)."""

    def __init__(self, open_capture: Callable[[], object], live: bool) -> None:
        self._open = open_capture
        self.live = live
        self._cap = open_capture()
        fps = float(self._cap.get(5)) if self._cap.isOpened() else 0.0  # type: ignore[attr-defined]
        self.fps = fps if fps > 0 else None
        count = int(self._cap.get(7)) if not live else 0  # type: ignore[attr-defined]
        self.frame_count = count if count > 0 else None

    @property
    def opened(self) -> bool:
        return bool(self._cap.isOpened())  # type: ignore[attr-defined]

    def read(self) -> np.ndarray | None:
        ok, image = self._cap.read()  # type: ignore[attr-defined]
        return image if ok and image is not None else None

    def reopen(self) -> bool:
        self._cap.release()  # type: ignore[attr-defined]
        with _quiet_opencv():  # retried every half second while unplugged: keep the log clean
            self._cap = self._open()
        return self.opened

    def close(self) -> None:
        self._cap.release()  # type: ignore[attr-defined]


class ImageFolderReader:
    """Every image in a folder, in name order, as the frames of a video at ``fps``."""

    live = False

    def __init__(self, paths: list[Path], fps: float) -> None:
        self._paths = paths
        self._next = 0
        self.fps: float | None = fps
        self.frame_count: int | None = len(paths)

    def read(self) -> np.ndarray | None:
        import cv2

        while self._next < len(self._paths):
            path = self._paths[self._next]
            self._next += 1
            image = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if image is not None:
                return image
            print(f"rehab: skipping unreadable image {path}", file=sys.stderr)
        return None

    def reopen(self) -> bool:
        return False

    def close(self) -> None:
        pass


def available_cameras(max_index: int = 8) -> list[int]:
    """Camera indices that open. On Linux the /dev/video* nodes are listed first so that absent
    indices are not probed (probing them is slow and noisy)."""
    import cv2

    if sys.platform.startswith("linux"):
        nodes = sorted(
            int(p.removeprefix("/dev/video"))
            for p in glob.glob("/dev/video*")
            if p.removeprefix("/dev/video").isdigit()
        )
        candidates = [n for n in nodes if n <= max_index]
    else:
        candidates = list(range(max_index + 1))
    found = []
    for index in candidates:
        cap = cv2.VideoCapture(index)
        if cap.isOpened():
            found.append(index)
        cap.release()
    return found


def open_webcam(target: str, options: dict[str, str]) -> CvReader:
    """``webcam:N?width=W&height=H&fps=F``. An absent index raises with the cameras that exist."""
    import cv2

    try:
        index = int(target or "0")
    except ValueError as error:
        raise SourceOpenError(f"webcam index must be a number, got {target!r}") from error
    if index < 0:
        # OpenCV reads -1 as "any camera" and crashes the process when there is none
        raise SourceOpenError(f"webcam index must be 0 or more, got {index}")
    settings = _capture_settings(options)

    def open_capture() -> object:
        cap = cv2.VideoCapture(index)
        for key, prop in (
            ("width", cv2.CAP_PROP_FRAME_WIDTH),
            ("height", cv2.CAP_PROP_FRAME_HEIGHT),
            ("fps", cv2.CAP_PROP_FPS),
        ):
            if key in settings:
                cap.set(prop, settings[key])
        return cap

    with _quiet_opencv():
        reader = CvReader(open_capture, live=True)
        if reader.opened:
            return reader
        reader.close()
        cameras = available_cameras()
        found = ", ".join(f"webcam:{i}" for i in cameras) if cameras else "none"
    raise CameraUnavailable(f"no camera at index {index}; cameras found: {found}", tuple(cameras))


def _capture_settings(options: dict[str, str]) -> dict[str, float]:
    """``width``, ``height`` and ``fps`` from the URL, each a positive number."""
    settings: dict[str, float] = {}
    for key in ("width", "height", "fps"):
        if key not in options:
            continue
        try:
            value = float(options[key])
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and value > 0):
            raise SourceOpenError(f"webcam {key} must be a positive number, got {options[key]!r}")
        settings[key] = value
    return settings


@contextlib.contextmanager
def _quiet_opencv() -> Iterator[None]:
    """Silence OpenCV's own log while probing cameras: an absent index prints a screenful of
    backend errors, and our message already says what is wrong and what exists."""
    import cv2

    logging = cv2.utils.logging  # type: ignore[attr-defined]
    previous = logging.getLogLevel()
    logging.setLogLevel(logging.LOG_LEVEL_SILENT)
    try:
        yield
    finally:
        logging.setLogLevel(previous)


def open_video(target: str) -> CvReader:
    import cv2

    path = Path(target)
    if not path.is_file():
        raise SourceOpenError(f"video file not found: {path}")
    reader = CvReader(lambda: cv2.VideoCapture(str(path)), live=False)
    if not reader.opened:
        raise SourceOpenError(f"cannot read {path} as a video (unknown format or damaged file)")
    return reader


def open_images(target: str, options: dict[str, str]) -> ImageFolderReader:
    folder = Path(target)
    if not folder.is_dir():
        raise SourceOpenError(f"image folder not found: {folder}")
    paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not paths:
        raise SourceOpenError(f"no images ({', '.join(IMAGE_SUFFIXES)}) in {folder}")
    return ImageFolderReader(paths, fps=float(options.get("fps", 30)))


class FrameGrabber:
    """Runs a reader on its own thread. ``latest_only`` keeps just the newest frame; otherwise a
    bounded queue hands over every frame. ``pace`` plays files at their own frame rate."""

    def __init__(
        self,
        reader: FrameReader,
        device: str,
        *,
        latest_only: bool,
        pace: bool = False,
        start: bool = True,
        queue_size: int = 4,
        lost_after_s: float = 1.0,
        retry_s: float = 0.5,
    ) -> None:
        #: a live device that delivers nothing for ``lost_after_s`` is reported lost, then reopened
        #: every ``retry_s`` (reopening a camera is slow, so not in a tight loop)
        self.lost_after_s = lost_after_s
        self.retry_s = retry_s
        self.reader = reader
        self.device = device
        self.latest_only = latest_only
        self.pace = pace
        self.dropped = 0
        self.captured = 0
        self._queue: queue.Queue[Frame | None] = queue.Queue(maxsize=1 if latest_only else queue_size)
        self._events: list[DeviceStatus] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.finished = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"capture {device}", daemon=True)
        if start:
            self._thread.start()

    def start(self) -> None:
        """Begin capturing (once): a pose source starts its camera when the model is ready, so a
        paced file does not play its first seconds to nobody while MediaPipe loads."""
        if not self._thread.is_alive() and not self.finished.is_set() and self._thread.ident is None:
            self._thread.start()

    def _event(self, kind: str, detail: str = "") -> None:
        with self._lock:
            self._events.append(DeviceStatus(t=time.monotonic(), device=self.device, kind=kind, detail=detail))

    def status_events(self) -> list[DeviceStatus]:
        with self._lock:
            events, self._events = self._events, []
        return events

    def _hand_over(self, frame: Frame) -> None:
        if self.latest_only:
            # replace whatever the consumer has not taken yet: it would only be stale
            try:
                self._queue.get_nowait()
                self.dropped += 1
            except queue.Empty:
                pass
            self._queue.put_nowait(frame)
            return
        while not self._stop.is_set():
            try:
                self._queue.put(frame, timeout=0.1)
                return
            except queue.Full:
                continue

    def _run(self) -> None:
        self._event("connected")
        started = time.monotonic()
        last_ok = started
        lost = False
        index = 0
        fps = self.reader.fps or 30.0
        try:
            while not self._stop.is_set():
                image = self.reader.read()
                now = time.monotonic()
                if image is None:
                    if not self.reader.live:
                        self._event("ended", f"{index} frames")
                        break
                    if not lost and now - last_ok > self.lost_after_s:
                        lost = True
                        self._event("lost", "camera stopped delivering frames (unplugged?)")
                    if lost:
                        self._stop.wait(self.retry_s)
                        if self.reader.reopen():
                            self._event("reconnected")
                            lost, last_ok = False, time.monotonic()
                    continue
                last_ok = now
                if lost:
                    lost = False
                    self._event("reconnected")
                media_t = None if self.reader.live else index / fps
                if self.pace and media_t is not None:
                    # the frame counts as captured when a real camera would have delivered it
                    due = started + media_t
                    if due > now:
                        self._stop.wait(due - now)
                    now = time.monotonic()
                self.captured += 1
                self._hand_over(Frame(image=image, t=now, index=index, media_t=media_t))
                index += 1
        finally:
            self.finished.set()
            self.reader.close()
            if not self.latest_only:
                # wake a consumer blocked in get(); the queue may be full of real frames
                with contextlib.suppress(queue.Full):
                    self._queue.put(None, timeout=0.5)

    def get(self, timeout: float | None = None) -> Frame | None:
        """The next frame (blocking up to ``timeout``); None when there is none yet or any more."""
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None

    @property
    def exhausted(self) -> bool:
        """The reader has stopped and every frame has been taken."""
        return self.finished.is_set() and self._queue.empty()

    def close(self) -> None:
        self._stop.set()
        if self._thread.ident is None:  # never started: nothing else will release the device
            self.reader.close()
            self.finished.set()
            return
        self._thread.join(timeout=2.0)


def open_reader(scheme: str, target: str, options: dict[str, str]) -> FrameReader:
    """The reader for ``webcam``, ``video`` or ``images``; SourceOpenError says what is wrong."""
    if scheme == "webcam":
        return open_webcam(target, options)
    if scheme == "video":
        return open_video(os.path.expanduser(target))
    if scheme == "images":
        return open_images(os.path.expanduser(target), options)
    raise SourceOpenError(f"not a camera source: {scheme}:")

"""``webcam:N``, ``video:PATH`` and ``images:DIR`` as pose sources: capture thread -> pose thread.

Capture and pose estimation each run on their own thread, so decoding the next frame overlaps
inference on this one (MediaPipe and OpenCV release the GIL while they work), and the game thread
only drains finished PoseFrames in ``poll``: it never waits for the camera or the model.

URL options: ``webcam:0?width=1280&height=720&fps=30``; ``video:clip.mp4?pace=1`` plays a file in
real time (latest-frame policy, as a camera); ``images:DIR?fps=30`` sets the time between pictures;
``images:DIR?tracking=1`` tracks from picture to picture (frames of one video); by default each picture
is analysed on its own. ``model=PATH.task`` uses a Tasks model instead of the bundled one.
"""

from __future__ import annotations

import collections
import dataclasses
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from devices.base import Sample, SourceUrl
from devices.camera import Frame, FrameGrabber, open_reader
from devices.mediapipe_pose import MediaPipePose, PoseResult
from rehab.core.types import DeviceStatus, PoseFrame

#: estimator factory: called on the pose thread, so the model lives where it is used
EstimatorFactory = Callable[[], MediaPipePose]


@dataclass(frozen=True, eq=False)
class TrackedPicture:
    """A pose result with the picture it came from (kept only when asked, for drawing)."""

    pose: PoseFrame
    status: str
    image: np.ndarray | None
    media_t: float | None


class PoseSource:
    """A Source of PoseFrames. ``every_frame`` (files only) analyses every frame instead of the newest."""

    def __init__(
        self,
        url: str,
        grabber: FrameGrabber,
        estimator: EstimatorFactory,
        *,
        keep_images: bool = False,
        max_pending: int = 256,
    ) -> None:
        self.url = url
        self.grabber = grabber
        self.keep_images = keep_images
        self.status = "starting"
        self._make_estimator = estimator
        self._results: collections.deque[TrackedPicture] = collections.deque(maxlen=max_pending)
        self._ready = threading.Condition()
        self._events: list[DeviceStatus] = []
        self._stop = threading.Event()
        self.done = threading.Event()
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"pose {url}", daemon=True)
        self._thread.start()

    @property
    def frame_count(self) -> int | None:
        return self.grabber.reader.frame_count

    @property
    def fps(self) -> float | None:
        return self.grabber.reader.fps

    def _run(self) -> None:
        try:
            estimator = self._make_estimator()
        except BaseException as error:  # reported to the caller through .error, not lost on a thread
            self._failed(error)
            self.done.set()
            with self._ready:
                self._ready.notify_all()
            return
        self.grabber.start()
        try:
            while not self._stop.is_set():
                frame = self.grabber.get(timeout=0.05)
                if frame is None:
                    if self.grabber.exhausted:
                        break
                    continue
                self._publish(frame, estimator.process(frame.image, frame.t, frame.index, frame.media_t))
        except BaseException as error:
            self._failed(error)
        finally:
            estimator.close()
            self.done.set()
            with self._ready:
                self._ready.notify_all()

    def _failed(self, error: BaseException) -> None:
        """Keep the error for ``pictures()`` and tell ``poll()`` users through a status event."""
        self.error = error
        with self._ready:
            self._events.append(
                DeviceStatus(
                    t=time.monotonic(), device=self.url, kind="lost", detail=f"pose estimation failed: {error}"
                )
            )

    def _publish(self, frame: Frame, result: PoseResult) -> None:
        stamped = dataclasses.replace(result.pose, result_t=time.monotonic())
        picture = TrackedPicture(stamped, result.status, frame.image if self.keep_images else None, frame.media_t)
        with self._ready:
            if result.status != self.status:
                self._events.append(DeviceStatus(t=frame.t, device=self.url, kind="person", detail=result.status))
            self.status = result.status
            self._results.append(picture)
            self._ready.notify_all()

    # --- the Source protocol -------------------------------------------------------------
    def poll(self, now: float) -> list[Sample]:
        """PoseFrames finished since the last call (never blocks)."""
        return [p.pose for p in self._drain()]

    def status_events(self) -> list[DeviceStatus]:
        """Camera connected/lost/reconnected/ended, plus ``person`` events whose detail is the new
        tracking status ("tracking", "no person", "other person", or "choosing patient" while several
        people are in view and the patient is not chosen yet)."""
        with self._ready:
            mine, self._events = self._events, []
        return sorted(self.grabber.status_events() + mine, key=lambda e: e.t)

    def close(self) -> None:
        self._stop.set()
        self.grabber.close()
        self._thread.join(timeout=3.0)

    # --- offline use -----------------------------------------------------------------------
    def _drain(self) -> list[TrackedPicture]:
        with self._ready:
            out = list(self._results)
            self._results.clear()
        return out

    def pictures(self, timeout: float = 0.2, idle: bool = False) -> Iterator[TrackedPicture | None]:
        """Every result in order until the source ends (blocks between results). With ``idle``,
        None comes out whenever ``timeout`` passes without a result, so that a caller waiting on a
        camera that has gone quiet can still check the time and status events."""
        while True:
            with self._ready:
                if not self._results and not self.done.is_set():
                    self._ready.wait(timeout)
            batch = self._drain()
            if not batch and idle and not self.done.is_set():
                yield None
            yield from batch
            if self.error is not None:
                raise self.error
            if self.done.is_set() and not batch and not self._results:
                return


def open_pose_source(
    url: str | SourceUrl, *, every_frame: bool | None = None, keep_images: bool = False, model: Path | None = None
) -> PoseSource:
    """Open a camera, video or image-folder URL as a pose source.

    ``every_frame`` defaults to True for unpaced files (offline analysis) and False for live cameras
    and paced files (latest-frame policy).
    """
    parsed = url if isinstance(url, SourceUrl) else SourceUrl.parse(url)
    reader = open_reader(parsed.scheme, parsed.target, parsed.options)
    pace = parsed.options.get("pace", "0") not in ("0", "false", "no", "")
    if every_frame is None:
        every_frame = not reader.live and not pace
    model_path = model or (Path(parsed.options["model"]) if "model" in parsed.options else None)
    complexity = int(parsed.options.get("complexity", 1))  # only 1 ships in the wheel
    # a folder may hold unrelated photos: analyse each alone unless told they are one clip
    static = parsed.scheme == "images" and parsed.options.get("tracking", "0") in ("0", "false", "no", "")
    text = f"{parsed.scheme}:{parsed.target}"
    # the camera starts once the model is loaded (PoseSource._run), not before
    grabber = FrameGrabber(reader, text, latest_only=not every_frame, pace=pace, start=False)
    return PoseSource(
        text, grabber, lambda: MediaPipePose(model_path, complexity=complexity, static=static), keep_images=keep_images
    )


def open_camera_url(parsed: SourceUrl) -> PoseSource:
    """Entry point for the ``rehab.devices`` group (``webcam``, ``video``, ``images``); two cameras
    joined by ``+`` are opened as one triangulating source (``devices/stereo_source.py``)."""
    if "+" in parsed.target:
        from devices.stereo_source import open_stereo_url

        return open_stereo_url(parsed)
    return open_pose_source(parsed)

"""Two calibrated cameras as one pose source: ``webcam:0+webcam:1`` or ``a.mp4+b.mp4``.

Each camera's frames are captured on its own thread (``FrameGrabber``); one pose thread takes a
pair of frames, runs MediaPipe on each view and **triangulates** the 33 landmarks with the stored
calibration (``rehab.core.multiview``). What comes out is an ordinary PoseFrame whose world
landmarks are the triangulated points, in metres, in the first camera's axes (x right, y down, z
forward, as MediaPipe's) with the origin between the hips: so ``rehab track`` writes the same CSV,
and a game can use it like any camera.

Why one pose thread for both views: MediaPipe's legacy ``process()`` holds the GIL (docs/tracking.md),
so two threads would not run the two models faster, and one thread keeps the pairs in step.

Pairing: frames of two files are paired by frame number (the files must start together). Live
cameras are not synchronised: the newest frame of each is paired when they were captured within
``sync`` seconds of each other (half a frame at 30 fps is 17 ms; 50 ms by default), else the older is
dropped and the next one awaited.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from devices.base import SourceUrl, UnknownSourceError
from devices.camera import Frame, FrameGrabber, SourceOpenError, open_reader
from devices.mediapipe_pose import MediaPipePose, PoseResult
from devices.pose_source import PoseSource
from rehab.core.landmarks import landmark
from rehab.core.multiview import CameraModel
from rehab.core.multiview_pose import fuse_views
from rehab.core.types import DeviceStatus, PoseFrame

DEFAULT_SYNC_S = 0.05
_HIPS = [landmark("hip", "left"), landmark("hip", "right")]


def split_views(url: str) -> list[str] | None:
    """``["webcam:0", "webcam:1"]`` for ``webcam:0+webcam:1``; None for a one-camera URL."""
    parts = url.split("+")
    if len(parts) == 1:
        return None
    if len(parts) != 2 or not all(parts):
        raise SourceOpenError(f"'{url}': give two cameras joined by '+', e.g. webcam:0+webcam:1 or a.mp4+b.mp4")
    return parts


class StereoCombiner:
    """Two views' PoseFrames of the same moment -> one PoseFrame with triangulated world landmarks,
    centred between the hips.

    The views' sides are agreed and the landmarks triangulated by ``fuse_views``
    (``rehab.core.multiview_pose``): a landmark counts when both views saw it and their rays nearly
    meet, with a view's left and right swapped back when that is what makes them meet.
    """

    def __init__(self, cameras: Sequence[CameraModel]) -> None:
        if len(cameras) != 2:
            raise ValueError("two cameras are needed")
        self.cameras = list(cameras)

    def combine(self, views: Sequence[PoseFrame]) -> PoseFrame:
        first = views[0]
        fused = fuse_views(self.cameras, views, first.t)
        if fused.world is None:
            return PoseFrame(t=first.t, world=None, visibility=np.zeros(33), frame_index=first.frame_index)
        good = fused.visibility > 0
        world = fused.world
        if good[_HIPS].all():
            world = np.where(good[:, None], world - world[_HIPS].mean(axis=0), 0.0)
        return dataclasses.replace(fused, t=first.t, world=world)


class PairedGrabber:
    """Two FrameGrabbers that hand out frames in pairs, for a PoseSource's pose thread.

    ``get`` returns the first view's frame (the picture drawn on and kept); the second view's
    picture of the same moment is then ``partner``. Quacks like a FrameGrabber for PoseSource.
    """

    def __init__(self, grabbers: Sequence[FrameGrabber], live: bool, sync_s: float = DEFAULT_SYNC_S) -> None:
        self.grabbers = list(grabbers)
        self.reader = grabbers[0].reader
        self.live, self.sync_s = live, sync_s
        self.partner: np.ndarray | None = None
        self._pending: list[Frame | None] = [None, None]

    def start(self) -> None:
        for grabber in self.grabbers:
            grabber.start()

    def get(self, timeout: float | None = None) -> Frame | None:
        return self._live_pair(timeout) if self.live else self._file_pair(timeout)

    def _file_pair(self, timeout: float | None) -> Frame | None:
        first = self._pending[0] or self.grabbers[0].get(timeout)
        if first is None:
            return None
        self._pending[0] = first
        second = self.grabbers[1].get(timeout)
        if second is None:
            return None  # asked again: the first view's frame waits in _pending
        self._pending[0] = None
        self.partner = second.image
        return first

    def _live_pair(self, timeout: float | None) -> Frame | None:
        for i, grabber in enumerate(self.grabbers):
            newer = grabber.get(timeout if self._pending[i] is None else 0)
            if newer is not None:
                self._pending[i] = newer
        first, second = self._pending
        if first is None or second is None:
            return None
        if abs(first.t - second.t) > self.sync_s:
            self._pending[0 if first.t < second.t else 1] = None  # too old to pair: wait for its next
            return None
        self._pending = [None, None]
        self.partner = second.image
        return first

    @property
    def exhausted(self) -> bool:
        return any(grabber.exhausted for grabber in self.grabbers)

    def status_events(self) -> list[DeviceStatus]:
        return [event for grabber in self.grabbers for event in grabber.status_events()]

    def close(self) -> None:
        for grabber in self.grabbers:
            grabber.close()


class StereoEstimator:
    """MediaPipe on each view of a pair, then the combiner. Lives on the pose thread."""

    def __init__(self, grabber: PairedGrabber, urls: Sequence[str], cameras: Sequence[CameraModel], model: Path | None):
        self.grabber, self.urls, self.cameras = grabber, list(urls), list(cameras)
        self.combiner = StereoCombiner(cameras)
        self.views = [MediaPipePose(model) for _ in cameras]

    def process(self, image: np.ndarray, t: float, index: int, media_t: float | None = None) -> PoseResult:
        partner = self.grabber.partner
        assert partner is not None
        results = []
        for picture, view, url, camera in zip((image, partner), self.views, self.urls, self.cameras, strict=True):
            _check_size(picture, url, camera)
            results.append(view.process(picture, t, index, media_t))
        pose = self.combiner.combine([result.pose for result in results])
        worst = next((r.status for r in results if r.status != "tracking"), "tracking")
        return PoseResult(pose, worst)

    def close(self) -> None:
        for view in self.views:
            view.close()


def _check_size(picture: np.ndarray, url: str, camera: CameraModel) -> None:
    size = (int(picture.shape[1]), int(picture.shape[0]))
    if size != camera.size:
        raise SourceOpenError(
            f"{url} gives {size[0]}x{size[1]} pictures but {camera.name} was calibrated at "
            f"{camera.size[0]}x{camera.size[1]}; use the same size (e.g. ?width={camera.size[0]}"
            f"&height={camera.size[1]}) or calibrate again"
        )


def open_stereo_source(
    urls: Sequence[str],
    cameras: Sequence[CameraModel],
    *,
    keep_images: bool = False,
    model: Path | None = None,
    sync_s: float | None = None,
) -> PoseSource:
    """Two camera, video or image-folder URLs and their calibrated cameras, as one pose source."""
    if len(urls) != 2 or len(cameras) != 2:
        raise SourceOpenError(f"two cameras are needed, {len(urls)} given; and a setup with two calibrated cameras")
    parsed = [SourceUrl.parse(url) for url in urls]
    readers = [open_reader(p.scheme, p.target, p.options) for p in parsed]
    live = any(reader.live for reader in readers)
    if live and not all(reader.live for reader in readers):
        for reader in readers:
            reader.close()
        raise SourceOpenError("pair two live cameras, or two files: a file cannot be paired with a live camera")
    names = [f"{p.scheme}:{p.target}" for p in parsed]
    grabbers = [FrameGrabber(r, n, latest_only=live, start=False) for r, n in zip(readers, names, strict=True)]
    sync = sync_s or float(parsed[0].options.get("sync") or parsed[1].options.get("sync") or DEFAULT_SYNC_S)
    paired = PairedGrabber(grabbers, live, sync)

    def make() -> StereoEstimator:
        return StereoEstimator(paired, names, cameras, model)

    return PoseSource("+".join(names), paired, make, keep_images=keep_images)  # type: ignore[arg-type]


def open_stereo_url(parsed: SourceUrl) -> PoseSource:
    """``webcam:0+webcam:1?setup=FILE.json`` through ``open_source``, for games: the calibration is
    named by its file, since a device cannot know the data folder (``rehab track A+B`` finds it by
    ``--setup NAME``). Options for the pair (``setup``, ``sync``) go at the end of the URL."""
    from devices.camera_setup import read_setup

    urls = split_views(f"{parsed.scheme}:{parsed.target}") or []
    if "setup" not in parsed.options:
        raise UnknownSourceError(
            f"two cameras need their calibration: add ?setup=FILE.json to '{parsed.scheme}:{parsed.target}' "
            "(a setup made by 'rehab cameras calibrate', kept in the data folder's cameras/)"
        )
    setup = read_setup(Path(parsed.options["setup"]).expanduser())
    if len(setup.cameras) < 2:
        raise UnknownSourceError(f"{parsed.options['setup']} holds one camera; calibrate the two together")
    return open_stereo_source(urls, setup.camera_models()[:2], sync_s=float(parsed.options.get("sync", DEFAULT_SYNC_S)))

"""Offline analysis of a video file in several processes, for ``rehab track --workers N``.

MediaPipe's legacy ``process()`` holds the GIL, so threads cannot run two inferences at once
(measured: docs/tracking.md). Processes can: the file is cut into segments and each worker process
tracks its segments with a fresh estimator, in order within a segment. Results come back in frame
order. The cost is at each segment start: the tracker would detect the person afresh instead of
following them from the previous frame. So each worker first runs through a warm-up of up to
``WARMUP_FRAMES`` before its segment (results discarded): the tracker and MediaPipe's own landmark
smoothing have settled by the first frame that counts. Results still differ slightly from one
tracker's where the pose is ambiguous (docs/tracking.md has the measured agreement).
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from rehab.core.types import PoseFrame

#: frames tracked and thrown away before each segment (1 s at 30 fps)
WARMUP_FRAMES = 30


@dataclass(frozen=True)
class SegmentResult:
    """Plain arrays (cheap to send between processes) for frames ``start`` .. ``start + len - 1``."""

    start: int
    fps: float
    statuses: list[str]
    images: list[np.ndarray | None]
    worlds: list[np.ndarray | None]
    visibilities: list[np.ndarray]


def _track_segment(path: str, start: int, stop: int, warmup: int = WARMUP_FRAMES) -> SegmentResult:
    import cv2

    from devices.mediapipe_pose import MediaPipePose

    cap = cv2.VideoCapture(path)
    fps = float(cap.get(cv2.CAP_PROP_FPS)) or 30.0
    first = max(0, start - warmup)
    # grab() without decoding to reach the warm-up: exact, unlike seeking, on every codec
    for _ in range(first):
        if not cap.grab():
            break
    estimator = MediaPipePose()
    result = SegmentResult(start, fps, [], [], [], [])
    for index in range(first, stop):
        ok, image = cap.read()
        if not ok:
            break
        pose_result = estimator.process(image, index / fps, index, index / fps)
        if index < start:
            continue
        result.statuses.append(pose_result.status)
        result.images.append(pose_result.pose.image)
        result.worlds.append(pose_result.pose.world)
        result.visibilities.append(pose_result.pose.visibility)
    estimator.close()
    cap.release()
    return result


def frame_count(path: str) -> int:
    import cv2

    cap = cv2.VideoCapture(path)
    count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    cap.release()
    return count


def track_file_parallel(
    path: str, workers: int = 2, segment_frames: int | None = None
) -> Iterator[tuple[PoseFrame, str, float]]:
    """(PoseFrame, status, media time) for every frame of the file, in order. ``t`` is file time.

    Segments default to at most 10 s at 30 fps, as many for each worker; results stream out one
    segment at a time."""
    total = frame_count(path)
    if segment_frames is None:
        # a multiple of ``workers`` segments of at most 300 frames, equal in length, so that no
        # worker is left with one more segment than the others at the end
        count = workers * max(1, -(-total // (workers * 300)))
        segment_frames = max(30, -(-total // count))
    bounds = [(s, min(s + segment_frames, total)) for s in range(0, total, segment_frames)]
    # spawn: forking a process that has MediaPipe's threads running is not safe
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(_track_segment, path, a, b) for a, b in bounds]
        for future in futures:
            segment = future.result()
            for i, status in enumerate(segment.statuses):
                index = segment.start + i
                t = index / segment.fps
                pose = PoseFrame(
                    t=t,
                    world=segment.worlds[i],
                    visibility=segment.visibilities[i],
                    image=segment.images[i],
                    frame_index=index,
                )
                yield pose, status, t

"""Offline analysis of a video file cut into segments, for ``rehab track`` on a file.

MediaPipe's legacy ``process()`` holds the GIL, so threads cannot run two inferences at once
(measured: docs/tracking.md). Processes can: the file is cut into segments and each worker process
tracks its segments with a fresh estimator, in order within a segment. Results come back in frame
order. Each segment starts with a warm-up of ``WARMUP_FRAMES`` before its first frame (results
discarded), so the tracker has found the person and MediaPipe's own landmark smoothing has settled
by the first frame that counts.

The cut points depend on the file alone (``segment_bounds``), never on the number of workers, and
one worker tracks the same segments in turn: ``--workers 1`` and ``--workers 2`` give the same
angles, to the bit. This matters because MediaPipe's tracking never forgets where it started: two
trackers started on different frames of the same clip still disagree by a few degrees after
hundreds of frames, whatever the warm-up (measured: docs/tracking.md, Performance). A warm-up makes
each seam as good as a start; only identical cut points make the results identical.
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
#: the longest segment (30 s at 30 fps): a warm-up costs at most 1 frame in 30 of extra work
SEGMENT_MAX_FRAMES = 900
#: a file shorter than this is one segment
SEGMENT_MIN_FRAMES = 60


def segment_bounds(total: int) -> list[tuple[int, int]]:
    """``(start, stop)`` of each segment of a ``total``-frame file: an even number of equal segments
    of at most ``SEGMENT_MAX_FRAMES`` (two workers finish together), from the length alone."""
    if total < 2 * SEGMENT_MIN_FRAMES:
        return [(0, total)] if total > 0 else []
    count = 2 * -(-total // (2 * SEGMENT_MAX_FRAMES))
    length = -(-total // count)
    return [(s, min(s + length, total)) for s in range(0, total, length)]


@dataclass(frozen=True)
class SegmentResult:
    """Plain arrays (cheap to send between processes) for frames ``start`` .. ``start + len - 1``."""

    start: int
    fps: float
    statuses: list[str]
    images: list[np.ndarray | None]
    worlds: list[np.ndarray | None]
    visibilities: list[np.ndarray]


def _track_segment(path: str, start: int, stop: int | None, warmup: int = WARMUP_FRAMES) -> SegmentResult:
    """Track frames ``start`` .. ``stop - 1`` (to the end of the file when ``stop`` is None) with a
    fresh estimator that first runs through up to ``warmup`` frames before ``start``."""
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
    index = first
    while stop is None or index < stop:
        ok, image = cap.read()
        if not ok:
            break
        pose_result = estimator.process(image, index / fps, index, index / fps)
        if index >= start:
            result.statuses.append(pose_result.status)
            result.images.append(pose_result.pose.image)
            result.worlds.append(pose_result.pose.world)
            result.visibilities.append(pose_result.pose.visibility)
        index += 1
    estimator.close()
    cap.release()
    return result


def frame_count(path: str) -> int:
    import cv2

    cap = cv2.VideoCapture(path)
    count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    cap.release()
    return count


def _segments(path: str, workers: int, warmup: int) -> Iterator[SegmentResult]:
    bounds: list[tuple[int, int | None]] = list(segment_bounds(frame_count(path)))
    if bounds:  # the container's frame count can be short: the last segment reads to the end
        bounds[-1] = (bounds[-1][0], None)
    if workers == 1:  # the same segments in turn, in this process: no start-up cost
        for start, stop in bounds:
            yield _track_segment(path, start, stop, warmup)
        return
    # spawn: forking a process that has MediaPipe's threads running is not safe
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(_track_segment, path, start, stop, warmup) for start, stop in bounds]
        for future in futures:
            yield future.result()


def track_file_parallel(
    path: str, workers: int = 2, warmup: int = WARMUP_FRAMES
) -> Iterator[tuple[PoseFrame, str, float]]:
    """(PoseFrame, status, media time) for every frame of the file, in order. ``t`` is file time.

    The segments are ``segment_bounds``'s, whatever ``workers`` is; results stream out one segment
    at a time."""
    for segment in _segments(path, workers, warmup):
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

"""``rehab track``'s estimator as it runs now (``devices.mediapipe_pose.MediaPipePose``: several people
followed until the patient is chosen, then the patient alone) on the accuracy recordings, cached.

The cache key carries a hash of the estimator's source (``devices/mediapipe_pose.py`` and
``devices/several_people.py``), so the benchmark measures the code as it is, never an old run. The
time per frame is stored too (the cost of the choice, next to the one-person estimator's on the same
frames just before), measured when the outputs were computed: on a shared machine it varies.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import accuracy_data  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("devices/mediapipe_pose.py", "devices/several_people.py")


def source_hash() -> str:
    import hashlib

    digest = hashlib.sha256()
    for name in SOURCES:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class PatientRun:
    """The estimator's output per frame (``track``: P = 1, NaN where no patient was reported), its
    status per frame, and what it cost."""

    track: accuracy_data.Track
    statuses: list[str]
    seconds_per_frame: float
    inferences_per_frame: float
    #: the estimator as it was before (one person, tracking mode), timed on the same frames just before
    seconds_per_frame_one_person: float


def _run(video: Path) -> PatientRun:
    from devices.mediapipe_pose import MediaPipePose

    frames, fps = accuracy_data._read_frames(video)
    height, width = frames[0].shape[:2]
    shape = (len(frames), 1, 33)
    image, world, vis = np.full((*shape, 3), np.nan), np.full((*shape, 3), np.nan), np.full(shape, np.nan)
    statuses = []
    before = MediaPipePose(several=False)
    started = time.perf_counter()
    for f, bgr in enumerate(frames):
        before.process(bgr, f / fps, f, f / fps)
    one_person = (time.perf_counter() - started) / len(frames)
    before.close()
    estimator = MediaPipePose()
    started = time.perf_counter()
    for f, bgr in enumerate(frames):
        result = estimator.process(bgr, f / fps, f, f / fps)
        statuses.append(result.status)
        pose = result.pose
        if pose.world is not None and pose.image is not None:
            image[f, 0], world[f, 0], vis[f, 0] = pose.image, pose.world, pose.visibility
    elapsed = time.perf_counter() - started
    people = estimator._people
    inferences = people.inferences if people is not None else len(frames)
    estimator.close()
    track = accuracy_data.Track(image, world, vis, fps, (width, height))
    return PatientRun(track, statuses, elapsed / len(frames), inferences / len(frames), one_person)


def patient_run(video: Path, cache: Path | None = None) -> PatientRun:
    """The estimator's output on ``video``, from the cache when this version computed it before."""
    import mediapipe as mp

    cache = cache or accuracy_data.cache_dir()
    stored = cache / "mediapipe" / f"{video.stem}.patient.mp{mp.__version__}.{source_hash()}.npz"
    if stored.is_file():
        data = np.load(stored)
        size = tuple(int(v) for v in data["size"])
        track = accuracy_data.Track(
            data["image"], data["world"], data["visibility"], float(data["fps"]), (size[0], size[1])
        )
        statuses = [str(s) for s in data["statuses"]]
        return PatientRun(track, statuses, float(data["seconds"]), float(data["inferences"]), float(data["before"]))
    run = _run(video)
    stored.parent.mkdir(parents=True, exist_ok=True)
    partial = stored.with_suffix(".partial.npz")
    t = run.track
    np.savez_compressed(
        partial,
        image=t.image,
        world=t.world,
        visibility=t.visibility,
        fps=t.fps,
        size=t.size,
        statuses=np.array(run.statuses),
        seconds=run.seconds_per_frame,
        inferences=run.inferences_per_frame,
        before=run.seconds_per_frame_one_person,
    )
    partial.replace(stored)
    return run

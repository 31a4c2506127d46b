"""MediaPipe Pose in tracking (video) mode: pictures in, PoseFrames out.

By default this uses the legacy ``mp.solutions.pose`` API with the full model that ships inside the
mediapipe 0.10.14 wheel (nothing is downloaded at run time, so tracking works offline). A
user-supplied Tasks ``.task`` model (lite, full or heavy) can be named instead; it runs the Tasks
``PoseLandmarker`` in VIDEO mode and can return several people, from whom ``PatientLock`` keeps the
patient.

One patient: the legacy API returns one person. In tracking mode it follows the person it found from
frame to frame (it re-runs its detector only when tracking fails), which already keeps it on one
person. ``PatientLock`` adds a guard: a pose whose body centre jumps further than a person can move
between two frames is reported as "other person" (no angles) instead of being taken as the patient.
With a ``.task`` model and ``num_poses`` > 1 the lock picks, among everyone found, the person nearest
to where the patient was.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from devices.native_logs import StartupSilence
from rehab.core.landmarks import landmark
from rehab.core.types import PoseFrame

_TORSO = [landmark(n, s) for n in ("shoulder", "hip") for s in ("left", "right")]


def _centre_and_size(image_points: np.ndarray) -> tuple[np.ndarray, float]:
    """Body centre (mean of shoulders and hips, normalised image units) and torso height."""
    torso = image_points[_TORSO, :2]
    centre = torso.mean(axis=0)
    size = float(np.linalg.norm(torso[:2].mean(axis=0) - torso[2:].mean(axis=0)))
    return centre, max(size, 1e-3)


@dataclass
class PatientLock:
    """Keeps tracking one person: the first one seen (the largest, when several are), then whoever is
    nearest to where they were. A candidate further than ``max_jump`` torso heights from the patient's
    last position, within ``forget_after_s`` of last seeing them, is someone else."""

    max_jump: float = 1.0
    forget_after_s: float = 2.0
    _centre: np.ndarray | None = field(default=None, repr=False)
    _size: float = 0.0
    _seen_t: float = -math.inf

    def choose(self, t: float, candidates: list[np.ndarray]) -> int | None:
        """Index of the patient among ``candidates`` (image landmarks, (33, 3) each), or None."""
        if not candidates:
            return None
        measured = [_centre_and_size(c) for c in candidates]
        if self._centre is None or t - self._seen_t > self.forget_after_s:
            best = max(range(len(candidates)), key=lambda i: measured[i][1])
        else:
            last = self._centre
            best = min(range(len(candidates)), key=lambda i: float(np.linalg.norm(measured[i][0] - last)))
            if float(np.linalg.norm(measured[best][0] - last)) > self.max_jump * self._size:
                return None
        self._centre, self._size = measured[best]
        self._seen_t = t
        return best

    @property
    def locked(self) -> bool:
        return self._centre is not None


@dataclass(frozen=True)
class PoseResult:
    """What the estimator made of one picture: the PoseFrame and a status for people to read."""

    pose: PoseFrame
    #: "tracking", "no person" or "other person"
    status: str


#: how far outside the picture (normalised units) a landmark may be before it counts as not seen
IN_FRAME_MARGIN = 0.02


def in_frame_visibility(image: np.ndarray, visibility: np.ndarray) -> np.ndarray:
    """Visibility with landmarks outside the picture set to 0: the model extrapolates joints it
    cannot see (a knee below the bottom edge), and such a guess must not become an angle."""
    inside = np.all((image[:, :2] >= -IN_FRAME_MARGIN) & (image[:, :2] <= 1 + IN_FRAME_MARGIN), axis=1)
    return np.where(inside, visibility, 0.0)


def _arrays(landmarks: object, with_visibility: bool) -> tuple[np.ndarray, np.ndarray]:
    points = np.array([[p.x, p.y, p.z] for p in landmarks], dtype=np.float64)  # type: ignore[attr-defined]
    vis = np.array([getattr(p, "visibility", 1.0) or 0.0 for p in landmarks]) if with_visibility else np.ones(33)  # type: ignore[attr-defined]
    return points, vis


class MediaPipePose:
    """Estimates a pose from BGR pictures in order. Not thread-safe: give each thread its own.

    ``model`` None uses the bundled full model: the wheel ships only that one (complexity 1); asking
    the legacy API for lite (0) or heavy (2) makes it try to download, so we refuse those here.
    A ``.task`` path uses the Tasks API with up to ``num_poses`` people. ``static`` treats every
    picture on its own (a folder of unrelated photos): tracking one from the last would carry a
    person's position over to a picture where they are somewhere else.
    """

    def __init__(
        self,
        model: Path | None = None,
        complexity: int = 1,
        num_poses: int = 2,
        min_confidence: float = 0.5,
        lock: PatientLock | None = None,
        static: bool = False,
    ) -> None:
        import mediapipe as mp

        # unrelated pictures: no tracking from one to the next, and no patient lock between them
        self._static = static
        self.lock = lock or PatientLock(forget_after_s=-1.0 if static else 2.0)
        self._mp = mp
        self._last_ms = -1
        # TensorFlow Lite's and absl's start-up lines: from building the model to the first picture
        self._quiet = StartupSilence()
        if model is None:
            if complexity != 1:
                raise ValueError("only the full model (complexity 1) ships in the wheel; pass a .task file for others")
            self.backend = f"mediapipe {mp.__version__} legacy pose, bundled model (complexity {complexity})"
            with self._quiet.starting():
                self._legacy = mp.solutions.pose.Pose(
                    static_image_mode=static,
                    model_complexity=complexity,
                    smooth_landmarks=not static,
                    min_detection_confidence=min_confidence,
                    min_tracking_confidence=min_confidence,
                )
            self._task = None
        else:
            model = Path(model)
            if not model.is_file():
                raise FileNotFoundError(f"pose model not found: {model}")
            vision = mp.tasks.vision
            options = vision.PoseLandmarkerOptions(
                base_options=mp.tasks.BaseOptions(model_asset_path=str(model)),
                running_mode=vision.RunningMode.IMAGE if static else vision.RunningMode.VIDEO,
                num_poses=num_poses,
                min_pose_detection_confidence=min_confidence,
                min_tracking_confidence=min_confidence,
            )
            self.backend = f"mediapipe {mp.__version__} PoseLandmarker, {model.name}"
            with self._quiet.starting():
                self._task = vision.PoseLandmarker.create_from_options(options)
            self._legacy = None

    def process(self, image_bgr: np.ndarray, t: float, index: int, media_t: float | None = None) -> PoseResult:
        """The pose in one picture captured at ``t``. ``result_t`` is left for the caller to stamp."""
        rgb = np.ascontiguousarray(image_bgr[:, :, ::-1])
        candidates: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        if self._legacy is not None:
            result = self._legacy.process(rgb)
            if result.pose_landmarks is not None and result.pose_world_landmarks is not None:
                image, vis = _arrays(result.pose_landmarks.landmark, True)
                world, _ = _arrays(result.pose_world_landmarks.landmark, False)
                candidates.append((image, world, in_frame_visibility(image, vis)))
        else:
            assert self._task is not None
            # VIDEO mode needs strictly increasing milliseconds; file time when there is one
            ms = int(round(1000 * (media_t if media_t is not None else t)))
            ms = max(ms, self._last_ms + 1)
            self._last_ms = ms
            mp_image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=rgb)
            task = self._task
            result = task.detect(mp_image) if self._static else task.detect_for_video(mp_image, ms)
            for image_lms, world_lms in zip(result.pose_landmarks, result.pose_world_landmarks, strict=False):
                image, vis = _arrays(image_lms, True)
                world, _ = _arrays(world_lms, False)
                candidates.append((image, world, in_frame_visibility(image, vis)))
        self._quiet.end()
        chosen = self.lock.choose(t, [c[0] for c in candidates])
        if chosen is None:
            status = "other person" if candidates else "no person"
            return PoseResult(PoseFrame(t=t, world=None, visibility=np.zeros(33), frame_index=index), status)
        image, world, vis = candidates[chosen]
        return PoseResult(PoseFrame(t=t, world=world, visibility=vis, image=image, frame_index=index), "tracking")

    def close(self) -> None:
        self._quiet.end()
        if self._legacy is not None:
            self._legacy.close()
        if self._task is not None:
            self._task.close()

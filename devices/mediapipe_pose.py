"""MediaPipe Pose in tracking (video) mode: pictures in, PoseFrames out.

By default this uses the legacy ``mp.solutions.pose`` API with the full model that ships inside the
mediapipe 0.10.14 wheel (nothing is downloaded at run time, so tracking works offline). A
user-supplied Tasks ``.task`` model (lite, full or heavy) can be named instead; it runs the Tasks
``PoseLandmarker`` in VIDEO mode and can return several people, from whom ``PatientLock`` keeps the
patient.

One patient (issue #17): the legacy API returns one person, and in tracking mode keeps whoever it
found first; on real footage with a bystander nearer the camera that was the bystander. So, with the
bundled model, several people are found and each followed by a one-person estimator of its own
(``devices/several_people.py``), and ``PatientLock`` chooses the patient among them: the only person
in view, or, when several are, the one who moves the most (the one exercising), after watching them
for half a second. Until it has chosen, no angles are reported ("choosing patient"). Then only the
patient is followed (one inference a frame), and a pose whose body centre moves further than a person
can between two frames is reported as "other person" (no angles), never taken as the patient. With a
``.task`` model and ``num_poses`` > 1 the lock chooses among everyone the model found, the same way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from devices.native_logs import StartupSilence
from devices.several_people import MAX_JUMP, MAX_SPEED, Followed, PeopleFollower, reach
from rehab.core.landmarks import landmark
from rehab.core.types import PoseFrame

_TORSO = [landmark(n, s) for n in ("shoulder", "hip") for s in ("left", "right")]
#: the landmarks whose movement tells who is exercising: shoulders, elbows, wrists, hips, knees, ankles
_MOVING = [landmark(n, s) for n in ("shoulder", "elbow", "wrist", "hip", "knee", "ankle") for s in ("left", "right")]


def _centre_and_size(image_points: np.ndarray, aspect: float = 1.0) -> tuple[np.ndarray, float]:
    """Body centre (mean of shoulders and hips) and torso height, in picture-height units (x is scaled
    by the picture's width / height; 1 for square pictures and for callers that do not say)."""
    torso = image_points[_TORSO, :2] * np.array([aspect, 1.0])
    centre = torso.mean(axis=0)
    size = float(np.linalg.norm(torso[:2].mean(axis=0) - torso[2:].mean(axis=0)))
    return centre, max(size, 1e-3)


#: the movement that tells who exercises is averaged over this many seconds first (jitter is faster)
SMOOTH_S = 0.3


def _nanmean(points: np.ndarray) -> np.ndarray:
    """Mean over the first axis, NaN only where every value is NaN (no warning)."""
    seen = np.isfinite(points)
    count = seen.sum(axis=0)
    total = np.where(seen, points, 0.0).sum(axis=0)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


_NOSE = landmark("nose")
_WRISTS = [landmark("wrist", side) for side in ("left", "right")]


def _hand_above_head(image_points: np.ndarray, visibility: np.ndarray | None) -> bool:
    """A wrist seen higher in the picture than the nose: the hand the game asks the patient to raise."""
    seen = [w for w in _WRISTS if visibility is None or visibility[w] >= 0.5]
    if visibility is not None and visibility[_NOSE] < 0.5:
        return False
    return any(image_points[w, 1] < image_points[_NOSE, 1] for w in seen)


@dataclass(eq=False)
class _Watched:
    """Someone seen while the patient is being chosen: where they were and how they moved."""

    centre: np.ndarray
    size: float
    first_t: float
    seen_t: float
    times: list[float] = field(default_factory=list)
    points: list[np.ndarray] = field(default_factory=list)  # (12, 2), NaN where not seen
    sizes: list[float] = field(default_factory=list)
    #: since when a hand has been held above the head without a break (None: not now)
    hand_up_since: float | None = None

    def movement(self, since: float) -> float:
        """How much this person moved since ``since``: for each body landmark (a running mean over
        ``SMOOTH_S``), the distance from its median position that a quarter of the frames exceed (a
        few stray frames do not count, a movement held for a quarter of the time does), averaged over
        the landmarks, in torso heights.
        Landmarks seen in fewer than 3 of those frames are left out; 0 when none is."""
        keep = [i for i, t in enumerate(self.times) if t >= since]
        if len(keep) < 3:
            return 0.0
        raw = np.stack([self.points[i] for i in keep])
        times = np.array([self.times[i] for i in keep])
        # the slow part of the movement (a running mean over SMOOTH_S): the model's jitter on a joint
        # it is unsure of (hips at the picture's edge) is fast and would otherwise count as exercise
        points = np.stack([_nanmean(raw[(times > t - SMOOTH_S) & (times <= t)]) for t in times])
        spreads = []
        for j in range(points.shape[1]):
            track = points[:, j][np.isfinite(points[:, j, 0])]
            if len(track) >= 3:
                distances = np.linalg.norm(track - np.median(track, axis=0), axis=1)
                spreads.append(float(np.percentile(distances, 75)))
        size = float(np.median([self.sizes[i] for i in keep]))
        return float(np.mean(spreads)) / size if spreads else 0.0


@dataclass
class PatientLock:
    """Keeps tracking one person, the patient, and says who that is when several people are in view.

    Choosing: when only one person is seen, they are the patient at once. When several are, the lock
    watches them (each followed by position) and takes the one who moves the most, as the patient is
    the one exercising: once they have been watched for ``watch_s`` and their ``movement`` (the
    spread of shoulders, elbows, wrists, hips, knees and ankles over the last ``window_s``, averaged
    over them, in torso heights) is at least ``min_movement`` and ``movement_ratio`` times everyone else's. Until then
    nobody is the patient (``choosing``; no angles are reported), however long that takes: a
    bystander's angles are worse than none. The patient can also say it is them: the one person who
    holds a hand above their head for ``hand_up_s`` (what the game asks while it is choosing) is
    chosen. That counts only while choosing, and someone moving twice as much as the rest is taken
    after ``watch_s``, before any hand has been up that long. ``by_movement`` False (unrelated
    photos) takes the largest.

    Following: then whoever is nearest to where the patient was. A candidate further from the
    patient's last position than a person can move in the time since (``max_jump`` torso heights plus
    ``max_speed`` torso heights a second), within ``forget_after_s`` of last seeing them, is someone
    else. After ``forget_after_s`` without the patient, the choice starts again.
    """

    max_jump: float = MAX_JUMP
    max_speed: float = MAX_SPEED
    forget_after_s: float = 2.0
    by_movement: bool = True
    watch_s: float = 0.5
    window_s: float = 3.0
    min_movement: float = 0.1
    movement_ratio: float = 2.0
    hand_up_s: float = 1.0
    _centre: np.ndarray | None = field(default=None, repr=False)
    _size: float = 0.0
    _seen_t: float = -math.inf
    _watched: list[_Watched] = field(default_factory=list, repr=False)

    def choose(
        self,
        t: float,
        candidates: list[np.ndarray],
        aspect: float = 1.0,
        visibility: list[np.ndarray] | None = None,
    ) -> int | None:
        """Index of the patient among ``candidates`` (image landmarks, (33, 3) each), or None.
        ``aspect`` is the picture's width / height; ``visibility`` (33,) per candidate, when known,
        keeps unseen landmarks out of the movement measure."""
        if self._centre is not None and t - self._seen_t > self.forget_after_s:
            self._centre = None
        if not candidates:
            return None
        measured = [_centre_and_size(c, aspect) for c in candidates]
        if self._centre is None:
            best = self._choose(t, candidates, measured, aspect, visibility)
            if best is None:
                return None
            self._watched = []
        else:
            last = self._centre
            best = min(range(len(candidates)), key=lambda i: float(np.linalg.norm(measured[i][0] - last)))
            if float(np.linalg.norm(measured[best][0] - last)) > self._reach(self._size, t - self._seen_t):
                return None
        self._centre, self._size = measured[best]
        self._seen_t = t
        return best

    def _choose(
        self,
        t: float,
        candidates: list[np.ndarray],
        measured: list[tuple[np.ndarray, float]],
        aspect: float,
        visibility: list[np.ndarray] | None,
    ) -> int | None:
        if not self.by_movement:
            return max(range(len(candidates)), key=lambda i: measured[i][1])
        self._watched = [w for w in self._watched if t - w.seen_t <= self.forget_after_s]
        matched = self._match(t, measured)
        for i, watched in enumerate(matched):
            points = candidates[i][_MOVING, :2] * np.array([aspect, 1.0])
            if visibility is not None:
                points = np.where((visibility[i][_MOVING] >= 0.5)[:, None], points, np.nan)
            watched.times.append(t)
            watched.points.append(points)
            watched.sizes.append(measured[i][1])
            if not _hand_above_head(candidates[i], visibility[i] if visibility is not None else None):
                watched.hand_up_since = None
            elif watched.hand_up_since is None:
                watched.hand_up_since = t
        if len(self._watched) == 1:
            return 0 if len(candidates) == 1 else None  # alone: the patient
        raised = [
            i for i, w in enumerate(matched) if w.hand_up_since is not None and t - w.hand_up_since >= self.hand_up_s
        ]
        if len(raised) == 1:
            return raised[0]
        since = t - self.window_s
        # someone not seen for a while (a flicker of a detection on a poster) has no say
        moved = [w.movement(since) if t - w.seen_t <= self.watch_s else 0.0 for w in self._watched]
        lead = max(range(len(moved)), key=lambda k: moved[k])
        rest = max(m for k, m in enumerate(moved) if k != lead)
        leader = self._watched[lead]
        if t - leader.first_t < self.watch_s or moved[lead] < self.min_movement:
            return None
        here = [i for i, w in enumerate(matched) if w is leader]
        if moved[lead] < self.movement_ratio * rest or not here:
            return None
        return here[0]

    def _match(self, t: float, measured: list[tuple[np.ndarray, float]]) -> list[_Watched]:
        """The watched person each candidate is (nearest first, within reach), new ones added."""
        pairs = sorted(
            (float(np.linalg.norm(c - w.centre)), i, k)
            for i, (c, _) in enumerate(measured)
            for k, w in enumerate(self._watched)
        )
        out: list[_Watched | None] = [None] * len(measured)
        taken: set[int] = set()
        for distance, i, k in pairs:
            w = self._watched[k]
            if out[i] is None and k not in taken and distance <= self._reach(w.size, t - w.seen_t):
                out[i] = self._watched[k]
                taken.add(k)
        for i, (centre, size) in enumerate(measured):
            watched = out[i]
            if watched is None:
                watched = out[i] = _Watched(centre, size, first_t=t, seen_t=t)
                self._watched.append(watched)
            watched.centre, watched.size, watched.seen_t = centre, size, t
        return [w for w in out if w is not None]

    def _reach(self, size: float, dt: float) -> float:
        return reach(size, dt, self.max_jump, self.max_speed)

    @property
    def locked(self) -> bool:
        return self._centre is not None

    def following(self, t: float) -> bool:
        """The patient is chosen and was seen within ``forget_after_s`` of ``t``."""
        return self._centre is not None and t - self._seen_t <= self.forget_after_s

    @property
    def choosing(self) -> bool:
        """Several people seen and the patient not chosen yet."""
        return self._centre is None and len(self._watched) > 1


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


def _run_legacy(estimator: object, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Image landmarks, world landmarks and raw visibility from a legacy estimator, or None."""
    result = estimator.process(rgb)  # type: ignore[attr-defined]
    if result.pose_landmarks is None or result.pose_world_landmarks is None:
        return None
    image, vis = _arrays(result.pose_landmarks.landmark, True)
    world, _ = _arrays(result.pose_world_landmarks.landmark, False)
    return image, world, vis


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

    ``several`` (the bundled model, not ``static``): up to ``max_people`` people are found and followed
    (``devices/several_people.py``: a search every ``search_every`` frames while the patient is being
    chosen or is missing) until ``PatientLock`` has chosen the patient; then only the patient is
    followed, plus one search every ``look_around_s`` seconds for where the others are. ``several``
    False is the one-person model alone, as before issue #17.
    """

    def __init__(
        self,
        model: Path | None = None,
        complexity: int = 1,
        num_poses: int = 2,
        min_confidence: float = 0.5,
        lock: PatientLock | None = None,
        static: bool = False,
        several: bool = True,
        max_people: int = 3,
        search_every: int = 10,
        look_around_s: float = 1.0,
    ) -> None:
        import mediapipe as mp

        # unrelated pictures: no tracking from one to the next, and no patient lock between them
        self._static = static
        self.lock = lock or (PatientLock(forget_after_s=-1.0, by_movement=False) if static else PatientLock())
        self.search_every = search_every
        self.look_around_s = look_around_s
        self._looked_t = -math.inf
        self._frames = 0
        self._patient: Followed | None = None
        self._mp = mp
        self._last_ms = -1
        # TensorFlow Lite's and absl's start-up lines: from building the model to the first picture
        self._quiet = StartupSilence()
        self._legacy: object | None = None
        self._people: PeopleFollower | None = None
        self._task = None
        if model is None:
            self._start_legacy(complexity, min_confidence, static, several, max_people)
        else:
            self._start_task(Path(model), num_poses, min_confidence, static)

    def _start_legacy(self, complexity: int, min_confidence: float, static: bool, several: bool, people: int) -> None:
        mp = self._mp
        if complexity != 1:
            raise ValueError("only the full model (complexity 1) ships in the wheel; pass a .task file for others")
        self.backend = f"mediapipe {mp.__version__} legacy pose, bundled model (complexity {complexity})"

        def legacy(static_mode: bool) -> object:
            return mp.solutions.pose.Pose(
                static_image_mode=static_mode,
                model_complexity=complexity,
                smooth_landmarks=not static_mode,
                min_detection_confidence=min_confidence,
                min_tracking_confidence=min_confidence,
            )

        with self._quiet.starting():
            if static or not several:
                self._legacy = legacy(static)
            else:
                # every model built now, while the start-up chatter is silenced, and the search and the
                # first tracker run once on a blank picture: a graph's first picture is slow (~0.1 s),
                # and a live camera would drop the frames that arrive meanwhile
                trackers = [legacy(False) for _ in range(people)]
                searcher = legacy(True)
                blank = np.full((64, 64, 3), 127, np.uint8)
                for estimator in (searcher, trackers[-1]):
                    estimator.process(blank)  # type: ignore[attr-defined]
                self._people = PeopleFollower(
                    lambda: legacy(False), searcher, _run_legacy, max_people=people, spare=trackers
                )

    def _start_task(self, model: Path, num_poses: int, min_confidence: float, static: bool) -> None:
        mp = self._mp
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

    def process(self, image_bgr: np.ndarray, t: float, index: int, media_t: float | None = None) -> PoseResult:
        """The pose in one picture captured at ``t``. ``result_t`` is left for the caller to stamp."""
        rgb = np.ascontiguousarray(image_bgr[:, :, ::-1])
        candidates: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        if self._people is not None:
            return self._process_several(rgb, t, index, t if media_t is None else media_t)
        if self._legacy is not None:
            found = _run_legacy(self._legacy, rgb)
            if found is not None:
                image, world, vis = found
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
        aspect = rgb.shape[1] / rgb.shape[0]
        clock = t if media_t is None else media_t  # a file's own time: how fast people move in it
        chosen = self.lock.choose(clock, [c[0] for c in candidates], aspect, [c[2] for c in candidates])
        return self._result(t, index, candidates, chosen)

    def _result(
        self, t: float, index: int, candidates: list[tuple[np.ndarray, np.ndarray, np.ndarray]], chosen: int | None
    ) -> PoseResult:
        if chosen is None:
            status = "choosing patient" if self.lock.choosing else "other person" if candidates else "no person"
            return PoseResult(PoseFrame(t=t, world=None, visibility=np.zeros(33), frame_index=index), status)
        image, world, vis = candidates[chosen]
        return PoseResult(PoseFrame(t=t, world=world, visibility=vis, image=image, frame_index=index), "tracking")

    def _process_several(self, rgb: np.ndarray, t: float, index: int, clock: float) -> PoseResult:
        """The legacy model, with everyone in view followed until the lock has chosen the patient,
        then only the patient (``devices/several_people.py``)."""
        people = self._people
        assert people is not None
        following = self.lock.following(clock)
        patient = self._patient if following and self._patient in people.people else None
        people.follow(rgb, clock, keep=patient)
        lost = patient is not None and patient.found is None
        # search while choosing, and while the patient is missing (they may be found elsewhere)
        if (not following or lost) and (
            not any(p.found is not None for p in people.people) or self._frames % self.search_every == 0
        ):
            people.others = []
            people.search(rgb, clock, keep=patient)
        elif following and clock - self._looked_t >= self.look_around_s:
            self._looked_t = clock
            people.search(rgb, clock, follow_new=False)  # where the others are, to grey them out around the patient
        self._frames += 1
        self._quiet.end()
        followed = [p for p in people.people if p.found is not None]
        candidates = []
        for person in followed:
            assert person.found is not None
            image, world, vis = person.found
            candidates.append((image, world, in_frame_visibility(image, vis)))
        aspect = rgb.shape[1] / rgb.shape[0]
        chosen = self.lock.choose(clock, [c[0] for c in candidates], aspect, [c[2] for c in candidates])
        if chosen is not None:
            self._patient = followed[chosen]
            people.keep_only(self._patient)  # from now on, one inference a frame (and the searches)
        elif self.lock.following(clock) and patient is not None:
            people.keep_only(patient)  # someone else: not followed; the patient is kept where last seen
        return self._result(t, index, candidates, chosen)

    def close(self) -> None:
        self._quiet.end()
        if self._people is not None:
            self._people.close()
        if self._legacy is not None:
            self._legacy.close()  # type: ignore[attr-defined]
        if self._task is not None:
            self._task.close()

"""Several people from MediaPipe's one-person legacy model: a search, then one tracker per person.

The legacy model returns one person per picture, and in tracking mode it keeps whoever it found first:
on real footage with a bystander nearer the camera it followed the bystander (docs/tracking.md). So:

- **Search** (static mode, each picture on its own): find a person, grey out their box, look again, up
  to ``max_people``; people already followed are greyed out before the search starts, so it only finds
  new ones.
- **Follow**: each person found gets a tracking-mode estimator of their own, run on the whole picture
  with the other followed people's boxes greyed out (except where they overlap this person's box), so
  its detector, when it has to look again, can only find this person. Tried first: crops around each
  person; MediaPipe then found people in some crops and not in others a few pixels different, and
  its landmarks moved with the crop (up to 25 px on a poster seen at an angle: a stereo test's
  triangulated face went 4 cm off the poster's plane). On the whole picture, a person alone gets
  exactly what the one-person estimator gave before. A person whose tracker moved further than a
  person can (``reach``), or found nobody, is dropped (the next search finds them again), except the
  patient, who is kept where they were last seen.

``PatientLock`` picks the patient among the people followed; once it has, ``MediaPipePose`` keeps only
the patient's tracker: one inference a frame, as before. The search follows new people while the lock
is choosing or the patient is missing (every ``search_every`` frames, and whenever nobody is found);
while following, ``MediaPipePose`` runs it once a second only to know where the others are
(``others``, greyed out for the patient's tracker).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from devices.native_logs import native_stderr_silenced

#: (image landmarks (33, 3) normalised to the picture, world landmarks (33, 3), visibility (33,))
Found = tuple[np.ndarray, np.ndarray, np.ndarray]
#: runs a legacy MediaPipe estimator on an RGB picture
Runner = Callable[[object, np.ndarray], Found | None]

#: a pixel box (x0, y0, x1, y1)
Box = tuple[int, int, int, int]
_TORSO = [11, 12, 23, 24]
#: a box greyed out for a search is the landmark box grown by this fraction of its size
MASK_PAD = 0.1
GREY = 127
#: how far a person's torso centre may move between two pictures ``dt`` seconds apart, in torso
#: heights: ``MAX_JUMP`` (landmark jitter) plus ``MAX_SPEED`` per second (a brisk step). Measured on the
#: accuracy recording: a tracker that slid from the patient to the person beside him moved 0.76 torso
#: heights in one 60 fps frame; the patient's own torso moves far less.
MAX_JUMP = 0.3
MAX_SPEED = 5.0


def reach(size: float, dt: float, jump: float = MAX_JUMP, speed: float = MAX_SPEED) -> float:
    """How far (picture-height units) a torso of height ``size`` may have moved in ``dt`` seconds."""
    return size * (jump + speed * max(dt, 0.0))


def torso(image: np.ndarray, aspect: float) -> tuple[np.ndarray, float]:
    """Torso centre and height in picture-height units (x scaled by the picture's width / height)."""
    points = image[_TORSO, :2] * np.array([aspect, 1.0])
    centre = points.mean(axis=0)
    size = float(np.linalg.norm(points[:2].mean(axis=0) - points[2:].mean(axis=0)))
    return centre, max(size, 1e-3)


def same_person(a: np.ndarray, b: np.ndarray, aspect: float) -> bool:
    """Two sets of image landmarks on one person: torso centres within half a torso height, or one's
    torso centre inside the other's torso (the box of shoulders and hips). The second catches a
    search that found part of a large person again (seen: an arm and shoulder of a close-up)."""
    (ca, sa), (cb, sb) = torso(a, aspect), torso(b, aspect)
    if float(np.linalg.norm(ca - cb)) < 0.5 * min(sa, sb):
        return True
    for centre, other in ((ca, b), (cb, a)):
        points = other[_TORSO, :2] * np.array([aspect, 1.0])
        if np.all(centre >= points.min(axis=0)) and np.all(centre <= points.max(axis=0)):
            return True
    return False


def landmark_box(image: np.ndarray, width: int, height: int, pad: float = MASK_PAD) -> tuple[int, int, int, int]:
    """Pixel box (x0, y0, x1, y1) around the landmarks, grown by ``pad`` of its size, inside the picture."""
    xs, ys = image[:, 0] * width, image[:, 1] * height
    pad_x, pad_y = pad * (xs.max() - xs.min()), pad * (ys.max() - ys.min())
    x0, x1 = int(max(xs.min() - pad_x, 0)), int(min(xs.max() + pad_x, width))
    y0, y1 = int(max(ys.min() - pad_y, 0)), int(min(ys.max() + pad_y, height))
    return x0, y0, max(x1, x0 + 1), max(y1, y0 + 1)


def grey_out(
    rgb: np.ndarray, boxes: list[tuple[int, int, int, int]], keep: tuple[int, int, int, int] | None = None
) -> np.ndarray:
    """A copy of ``rgb`` with ``boxes`` grey, except inside ``keep``."""
    out = rgb.copy()
    for x0, y0, x1, y1 in boxes:
        out[y0:y1, x0:x1] = GREY
    if keep is not None:
        x0, y0, x1, y1 = keep
        out[y0:y1, x0:x1] = rgb[y0:y1, x0:x1]
    return out


@dataclass(eq=False)
class Followed:
    """One person followed by an estimator of their own; ``found`` is this frame's result, if any."""

    estimator: object
    image: np.ndarray
    seen_t: float
    found: Found | None = None
    #: just found by a search: their tracker's first result is not compared with the search's
    fresh: bool = True
    #: how far their torso moved this frame, in torso heights (inf: not measured)
    moved: float = np.inf
    #: pixel boxes to grey out for this person's tracker: someone else it jumped to
    avoid: list[tuple[int, int, int, int]] = field(default_factory=list)


class PeopleFollower:
    """Finds and follows several people with one-person estimators (see the module docstring).

    ``make_tracker`` builds a tracking-mode estimator, ``searcher`` is a static-mode one, ``run`` runs
    either on an RGB picture. Estimators of people no longer followed are kept for reuse (``reset``).
    """

    def __init__(
        self,
        make_tracker: Callable[[], object],
        searcher: object,
        run: Runner,
        *,
        max_people: int = 3,
        spare: list[object] | None = None,
    ) -> None:
        self._make_tracker = make_tracker
        self._searcher = searcher
        self._run = run
        self.max_people = max_people
        self.people: list[Followed] = []
        #: pixel boxes of people seen by the last ``search(follow_new=False)``, greyed out for every tracker
        self.others: list[tuple[int, int, int, int]] = []
        #: estimators not following anyone; a fresh one (built ahead) has not run yet, so needs no reset
        self._spare: list[object] = list(spare or [])
        self._used: set[int] = set()
        #: inferences run, for measuring the cost
        self.inferences = 0

    def _tracker(self) -> object:
        if self._spare:
            estimator = self._spare.pop()
            if id(estimator) in self._used:
                with native_stderr_silenced():
                    estimator.reset()  # type: ignore[attr-defined]
            self._used.add(id(estimator))
            return estimator
        with native_stderr_silenced():
            return self._make_tracker()

    def _infer(self, estimator: object, rgb: np.ndarray) -> Found | None:
        self.inferences += 1
        return self._run(estimator, rgb)

    def drop(self, person: Followed) -> None:
        self.people.remove(person)
        self._spare.append(person.estimator)

    def keep_only(self, person: Followed) -> None:
        for other in list(self.people):
            if other is not person:
                self.drop(other)

    def clear(self) -> None:
        for person in list(self.people):
            self.drop(person)

    def follow(self, rgb: np.ndarray, t: float, keep: Followed | None = None) -> None:
        """Run every followed person's tracker (others greyed out). Whoever was not found, or moved
        further than a person can (``reach``), is dropped; so is, of two trackers that ended up on one
        person, the one that moved more to get there. ``keep`` (the patient) is not dropped: they are
        missing this frame, they are kept where they were last seen, whoever their tracker went to is
        greyed out for it and their tracker starts afresh."""
        self._run_trackers(list(self.people), rgb, t, keep)

    def _run_trackers(self, targets: list[Followed], rgb: np.ndarray, t: float, keep: Followed | None) -> None:
        height, width = rgb.shape[:2]
        aspect = width / height
        boxes = {id(p): landmark_box(p.image, width, height) for p in self.people}
        for person in targets:
            others = [b for k, b in boxes.items() if k != id(person)] + person.avoid + self.others
            picture = grey_out(rgb, others, keep=boxes[id(person)]) if others else rgb
            found = self._infer(person.estimator, picture)
            person.found = found
            person.moved = np.inf
            if person.found is not None and not person.fresh:
                (old, size), (new, _) = torso(person.image, aspect), torso(person.found[0], aspect)
                distance = float(np.linalg.norm(new - old))
                person.moved = distance / size
                if distance > reach(size, t - person.seen_t):
                    self._went_elsewhere(person, keep, width, height)
        kept: list[Followed] = []
        for person in sorted(self.people, key=lambda p: p.moved):
            if person.found is None:
                continue
            if any(same_person(person.found[0], o.found[0], aspect) for o in kept if o.found is not None):
                self._went_elsewhere(person, keep, width, height)
            else:
                kept.append(person)
        for person in list(self.people):
            if person.found is None:
                if person is not keep:
                    self.drop(person)
                continue
            person.image, person.avoid, person.seen_t, person.fresh = person.found[0], [], t, False

    def _went_elsewhere(self, person: Followed, keep: Followed | None, width: int, height: int) -> None:
        """``person``'s tracker is on someone else: not found this frame; the patient's tracker starts
        afresh with that someone greyed out."""
        if person is keep and person.found is not None:
            person.avoid = [landmark_box(person.found[0], width, height)]
            with native_stderr_silenced():
                person.estimator.reset()  # type: ignore[attr-defined]
        person.found = None

    def search(self, rgb: np.ndarray, t: float, follow_new: bool = True, keep: Followed | None = None) -> None:
        """Look for people not followed yet (everyone found this frame greyed out first) and follow
        them; with ``follow_new`` False, only remember their boxes (``others``) to grey them out.
        ``keep`` as for ``follow``."""
        height, width = rgb.shape[:2]
        aspect = width / height
        picture = grey_out(rgb, [landmark_box(p.image, width, height) for p in self.people if p.found is not None])
        if not follow_new:
            self.others = []
        new: list[Followed] = []
        for _ in range(self.max_people + 1):
            if len(self.people) + len(new) + len(self.others) >= self.max_people:
                break
            found = self._infer(self._searcher, picture)
            if found is None:
                break
            image = found[0]
            box = landmark_box(image, width, height)
            picture = grey_out(picture, [box])
            if any(p.found is not None and same_person(image, p.image, aspect) for p in self.people + new):
                continue  # someone followed already, seen through the grey
            if follow_new:
                new.append(Followed(self._tracker(), image, t))
            else:
                self.others.append(box)
        # what the search found is followed from this frame on, by its own tracker: every candidate
        # comes from a tracker in one mode, so where a person is does not jump between the two modes
        if new:
            self.people.extend(new)
            self._run_trackers(new, rgb, t, keep)

    def close(self) -> None:
        for estimator in [p.estimator for p in self.people] + self._spare:
            estimator.close()  # type: ignore[attr-defined]
        self.people, self._spare = [], []

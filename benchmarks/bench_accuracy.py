"""Joint-angle accuracy on real multi-camera recordings, against a reference triangulated from all views.

Data: Pose2Sim's Demo_MultiPerson (4 calibrated 60 fps cameras, 100 frames, a man moving with a woman
beside him and others in the background), fetched by ``accuracy_data.py`` into a cache; skipped with a
one-line message when it cannot be fetched.

Reference (built here, for the person the single-camera trackers follow):
1. In every picture, MediaPipe (static mode) finds up to three people: one, then again with that
   person's box greyed out.
2. Per frame, people are matched across the four views by triangulation consistency: every choice of
   one detection (or none) per view is triangulated from 13 body landmarks, views that disagree are
   dropped landmark by landmark (``rehab.core.multiview.triangulate_consistent``, 25 px), and the
   choice with the most agreeing (view, landmark) pairs is a person; the best choice among the
   remaining detections is the next.
3. The person followed is the one whose torso most trackers' torsos sit on in the first frames, then
   the nearest in 3D from frame to frame.
4. All 33 landmarks of that person are triangulated from that frame's detections, dropping views
   that disagree (25 px); a landmark is kept only when at least ``REFERENCE_VIEWS`` views agree on it.
5. Each coordinate is low-passed at 6 Hz (Butterworth, forwards and backwards) over unbroken runs.
Angles come from ``rehab.engine.kinematics.angles_from_points`` for the reference and every estimate.

Measured per single camera (raw MediaPipe world landmarks; ``rehab track`` before this work; ours) and
per camera pair. The errors are pooled over ``ANGLES`` (the 12 limb angles) and frames where both the
reference and the estimate have a value. Nothing here is tuned to this clip: thresholds are in
pixels and seconds, set before looking at the errors, and other recordings will check them.
"""

from __future__ import annotations

import itertools
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import accuracy_data  # noqa: E402
import accuracy_patient  # noqa: E402

ANGLES = tuple(
    f"{joint}_{side}"
    for joint in (
        "elbow_flexion",
        "knee_flexion",
        "hip_flexion",
        "shoulder_elevation",
        "shoulder_flexion",
        "shoulder_abduction",
    )
    for side in ("left", "right")
)
#: the body landmarks people are matched across views by (nose, shoulders, elbows, wrists, hips, knees, ankles)
MATCH_LANDMARKS = (0, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28)
TORSO = (11, 12, 23, 24)
AGREE_PX = 25.0
#: a person needs this many (view, landmark) pairs that agree: at least 8 of the 13 landmarks seen twice
MIN_AGREEING = 16
REFERENCE_VIEWS = 2
LOW_PASS_HZ = 6.0
MIN_VISIBILITY_FOR_REFERENCE = 0.3
#: the swap fixer on the triangulated pose too? Tried: worse (cam01+cam02 median 6.1 -> 7.9, p90 26 -> 73)
PAIR_FIX_SWAPS = False


def _pixels(track: accuracy_data.Track) -> np.ndarray:
    return np.asarray(track.image[..., :2] * np.array(track.size, dtype=np.float64))


def _match_people(cameras: list, people_px: list[np.ndarray], frame: int) -> list[tuple[int, ...]]:
    """Choices of one detection per view (-1: none) that are one person, best first (at most two)."""
    from rehab.core.multiview import triangulate_consistent

    views = len(cameras)
    options = [[-1] + [p for p in range(px.shape[1]) if np.isfinite(px[frame, p, 0, 0])] for px in people_px]
    combos = [c for c in itertools.product(*options) if sum(i >= 0 for i in c) >= 2]
    chosen: list[tuple[int, ...]] = []
    for _ in range(2):
        combos = [c for c in combos if all(c[v] < 0 or c[v] != prev[v] for prev in chosen for v in range(views))]
        if not combos:
            break
        pixels = np.full((views, len(combos), len(MATCH_LANDMARKS), 2), np.nan)
        for k, combo in enumerate(combos):
            for v, p in enumerate(combo):
                if p >= 0:
                    pixels[v, k] = people_px[v][frame, p, list(MATCH_LANDMARKS)]
        points, errors, used = triangulate_consistent(cameras, pixels, max_error_px=AGREE_PX)
        agreeing = (used & np.isfinite(points[..., 0])[None]).sum(axis=(0, 2))
        spread = np.nanmedian(np.where(used, errors, np.nan).reshape(-1, len(combos)), axis=0)
        best = max(range(len(combos)), key=lambda k: (agreeing[k], -np.nan_to_num(spread[k], nan=1e9)))
        if agreeing[best] < MIN_AGREEING:
            break
        chosen.append(combos[best])
    return chosen


def _torso_centre(points: np.ndarray) -> np.ndarray:
    return np.asarray(np.nanmean(points[..., list(TORSO), :], axis=-2))


def _low_pass(series: np.ndarray, fps: float, cutoff: float = LOW_PASS_HZ) -> np.ndarray:
    """Second-order Butterworth run forwards then backwards (zero phase) over each unbroken run."""
    w = math.tan(math.pi * cutoff / fps)
    norm = 1 + math.sqrt(2) * w + w * w
    b = np.array([w * w, 2 * w * w, w * w]) / norm
    a = np.array([1.0, 2 * (w * w - 1) / norm, (1 - math.sqrt(2) * w + w * w) / norm])

    def one_way(x: np.ndarray) -> np.ndarray:
        y = np.empty_like(x)
        x1 = x2 = x[0]
        y1 = y2 = x[0]
        for i, xi in enumerate(x):
            y[i] = b[0] * xi + b[1] * x1 + b[2] * x2 - a[1] * y1 - a[2] * y2
            x2, x1, y2, y1 = x1, xi, y1, y[i]
        return y

    out = np.full_like(series, np.nan)
    finite = np.isfinite(series)
    start = None
    for i in range(len(series) + 1):
        inside = i < len(series) and finite[i]
        if inside and start is None:
            start = i
        elif not inside and start is not None:
            if i - start >= 3:
                out[start:i] = one_way(one_way(series[start:i])[::-1])[::-1]
            start = None
    return out


def _candidates(people: accuracy_data.Track, tracker: accuracy_data.Track) -> tuple[np.ndarray, np.ndarray]:
    """Pixels (F, P, 33, 2) and visibility (F, P, 33) of everyone found in one view: the static
    detections, plus the tracker's person when no static detection sits on them (static mode misses
    people that tracking mode keeps)."""
    px, vis = _pixels(people), people.visibility
    own_px, own_vis = _pixels(tracker)[:, :1], tracker.visibility[:, :1]
    for f in range(px.shape[0]):
        mine = own_px[f, 0, list(TORSO)]
        if not np.all(np.isfinite(mine)):
            continue
        size = np.linalg.norm(mine[:2].mean(0) - mine[2:].mean(0))
        others = px[f, :, list(TORSO)].mean(axis=0)
        if np.all(np.nan_to_num(np.linalg.norm(others - mine.mean(0), axis=-1), nan=np.inf) > 0.3 * size):
            continue
        own_px[f] = np.nan
    return np.concatenate([px, own_px], axis=1), np.concatenate([vis, own_vis], axis=1)


def _person_points(
    cameras: list, candidates: list, frame: int, combo: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from rehab.core.multiview import triangulate_consistent

    pixels = np.full((len(cameras), 33, 2), np.nan)
    weights = np.zeros((len(cameras), 33))
    for v, p in enumerate(combo):
        if p >= 0:
            pixels[v] = candidates[v][0][frame, p]
            weights[v] = np.where(candidates[v][1][frame, p] >= MIN_VISIBILITY_FOR_REFERENCE, 1.0, 0.0)
    points, errors, used = triangulate_consistent(cameras, pixels, weights, max_error_px=AGREE_PX)
    return points, used, np.where(used & np.isfinite(points[:, 0])[None], errors, np.nan)


def aim_point(cameras: list) -> np.ndarray:
    """The point nearest to every camera's optical axis: where the cameras were aimed."""
    a, b = np.zeros((3, 3)), np.zeros(3)
    for camera in cameras:
        direction = camera.rotation[2]  # the optical axis in world coordinates
        projector = np.eye(3) - np.outer(direction, direction)
        a += projector
        b += projector @ camera.center
    return np.asarray(np.linalg.solve(a, b))


def build_references(cameras: list, people: list, trackers: list) -> list[dict]:
    """Everyone seen by at least two agreeing views, followed from frame to frame in 3D (nearest torso,
    at most 0.5 m a frame). Each: ``points`` (F, 33, 3) low-passed, NaN where fewer than
    ``REFERENCE_VIEWS`` views agree; ``frames``; ``aim_distance_m`` (torso to where the cameras aim).
    Sorted nearest to the aim point first: that person is the patient."""
    candidates = [_candidates(p, t) for p, t in zip(people, trackers, strict=True)]
    frames = candidates[0][0].shape[0]
    persons: list[dict] = []
    for f in range(frames):
        for combo in _match_people(cameras, [c[0] for c in candidates], f):
            points, used, errors = _person_points(cameras, candidates, f, combo)
            centre = _torso_centre(points)
            if not np.all(np.isfinite(centre)):
                continue
            near = [p for p in persons if p["last_frame"] < f and np.linalg.norm(p["centre"] - centre) < 0.5]
            person = min(near, key=lambda p: float(np.linalg.norm(p["centre"] - centre))) if near else None
            if person is None:
                person = {"raw": np.full((frames, 33, 3), np.nan), "centres": [], "views": [], "errors": []}
                persons.append(person)
            keep = used.sum(axis=0) >= REFERENCE_VIEWS
            person["raw"][f, keep] = points[keep]
            person["views"].extend(used.sum(axis=0)[keep].tolist())
            person["errors"].extend(errors[:, keep][np.isfinite(errors[:, keep])].tolist())
            person["centre"], person["last_frame"] = centre, f
            person["centres"].append(centre)
    aim = aim_point(cameras)
    fps = people[0].fps
    out = []
    for person in persons:
        raw = person["raw"]
        smooth = np.stack([[_low_pass(raw[:, j, c], fps) for c in range(3)] for j in range(33)]).transpose(2, 0, 1)
        distance = float(np.linalg.norm(np.mean(person["centres"], axis=0)[:2] - aim[:2]))
        out.append(
            {
                "points": smooth,
                "frames": len(person["centres"]),
                "aim_distance_m": round(distance, 2),
                "landmarks_from_3_or_4_views": round(float(np.mean(np.array(person["views"]) >= 3)), 2),
                "reprojection_px_median": round(float(np.median(person["errors"])), 1),
                "reprojection_px_p90": round(float(np.percentile(person["errors"], 90)), 1),
            }
        )
    out = [p for p in out if p["frames"] >= 10]
    return sorted(out, key=lambda p: p["aim_distance_m"])


def followed_person(camera: object, references: list[dict], tracker: accuracy_data.Track) -> np.ndarray:
    """Per frame, which reference person the single-camera tracker is on (-1: nobody or unknown):
    its torso within half a torso height of that person's projected torso."""
    from rehab.core.multiview import project

    mine = _pixels(tracker)[:, 0, list(TORSO)]
    size = np.linalg.norm(mine[:, :2].mean(1) - mine[:, 2:].mean(1), axis=-1)
    best = np.full(len(mine), -1)
    best_distance = np.full(len(mine), np.inf)
    for k, person in enumerate(references):
        theirs = project(camera, person["points"][:, list(TORSO)])  # type: ignore[arg-type]
        distance = np.linalg.norm(theirs.mean(1) - mine.mean(1), axis=-1)
        better = np.nan_to_num(distance, nan=np.inf) < np.minimum(best_distance, 0.5 * size)
        best[better], best_distance[better] = k, distance[better]
    return best


def angle_table(points: np.ndarray, visibility: np.ndarray | None = None) -> np.ndarray:
    """(F, len(ANGLES)) degrees from (F, 33, 3) landmarks; NaN where a landmark is missing or unseen."""
    from rehab.engine.kinematics import angles_from_points

    table = np.full((len(points), len(ANGLES)), np.nan)
    for f, frame in enumerate(points):
        if not np.any(np.isfinite(frame)):
            continue
        vis = np.where(np.all(np.isfinite(frame), axis=1), 1.0, 0.0) if visibility is None else visibility[f]
        angles = angles_from_points(np.nan_to_num(frame, nan=0.0), np.where(np.isfinite(frame[:, 0]), vis, 0.0))
        table[f] = [angles.get(name) for name in ANGLES]
    return table


def tracked_table(rows: list) -> np.ndarray:
    """(F, len(ANGLES)) from TrackedAngles rows, one per frame."""
    return np.array([[row.angles.get(name) for name in ANGLES] for row in rows])


def errors_against(reference: np.ndarray, estimate: np.ndarray) -> dict[str, object]:
    both = np.isfinite(reference) & np.isfinite(estimate)
    diff = np.abs(reference - estimate)[both]
    knees = [ANGLES.index("knee_flexion_left"), ANGLES.index("knee_flexion_right")]
    elbows = [ANGLES.index("elbow_flexion_left"), ANGLES.index("elbow_flexion_right")]
    ref_frames = np.any(np.isfinite(reference), axis=1)

    def median_of(columns: list[int]) -> float | None:
        d = np.abs(reference[:, columns] - estimate[:, columns])[both[:, columns]]
        return round(float(np.median(d)), 1) if d.size else None

    return {
        "median_deg": round(float(np.median(diff)), 1) if diff.size else None,
        "p90_deg": round(float(np.percentile(diff, 90)), 1) if diff.size else None,
        "elbow_median_deg": median_of(elbows),
        "knee_median_deg": median_of(knees),
        "values_compared": int(both.sum()),
        "knee_coverage": round(float(np.mean(np.all(np.isfinite(estimate[ref_frames][:, knees]), axis=1))), 3),
    }


def pose_frames(track: accuracy_data.Track) -> list:
    """The tracker's output as PoseFrames, as ``rehab track`` gets them: landmarks outside the
    picture unseen, then the patient lock (None where nobody or someone else)."""
    from devices.mediapipe_pose import PatientLock, in_frame_visibility
    from rehab.core.types import PoseFrame

    lock = PatientLock()
    frames: list = []
    for f in range(track.world.shape[0]):
        t = f / track.fps
        if not np.isfinite(track.world[f, 0, 0, 0]):
            frames.append(None)
            continue
        image = track.image[f, 0]
        if lock.choose(t, [image]) is None:
            frames.append(None)
            continue
        vis = in_frame_visibility(image, track.visibility[f, 0])
        frames.append(PoseFrame(t=t, world=track.world[f, 0], visibility=vis, image=image, frame_index=f))
    return frames


def patient_frames(run: accuracy_patient.PatientRun) -> list:
    """The estimator's output as PoseFrames (it chose and locked the patient itself): None where it
    reported nobody, someone else, or was still choosing."""
    from rehab.core.types import PoseFrame

    track = run.track
    frames: list = []
    for f in range(track.world.shape[0]):
        if not np.isfinite(track.world[f, 0, 0, 0]):
            frames.append(None)
            continue
        t = f / track.fps
        pose = PoseFrame(t=t, world=track.world[f, 0], visibility=track.visibility[f, 0], image=track.image[f, 0])
        frames.append(PoseFrame(t=t, world=pose.world, visibility=pose.visibility, image=pose.image, frame_index=f))
    return frames


def _raw_table(run: accuracy_patient.PatientRun) -> np.ndarray:
    """Angles straight from the estimator's world landmarks: no corrections, no smoothing."""
    return angle_table(run.track.world[:, 0], run.track.visibility[:, 0])


def patient_choice_entry(
    camera: object,
    references: list[dict],
    ref_tables: list[np.ndarray],
    before: np.ndarray,
    run: accuracy_patient.PatientRun,
) -> tuple[dict[str, object], np.ndarray, list]:
    """Which person the estimator followed now (several people followed until one moves the most,
    ``devices/several_people.py``) and before (the one-person model alone), the error of ``ours``
    against the reference of whoever it followed, and what it cost."""
    followed = followed_person(camera, references, run.track)
    frames = patient_frames(run)
    table, _, _ = pipeline_table(frames, run.track.fps, True, True)
    reported = np.isfinite(run.track.world[:, 0, 0, 0])
    statuses = run.statuses
    entry: dict[str, object] = {
        "frames_on_exercising_person": {"before": int(np.sum(before == 0)), "now": int(np.sum(followed == 0))},
        "frames_on_another_person": {"before": int(np.sum(before > 0)), "now": int(np.sum(followed > 0))},
        "frames_reported_on_nobody_known": int(np.sum(reported & (followed < 0))),
        "frames_choosing_patient": statuses.count("choosing patient"),
        "frames_no_person_or_other_person": statuses.count("no person") + statuses.count("other person"),
        "first_frame_tracking": statuses.index("tracking") if "tracking" in statuses else None,
        "raw_mediapipe_world": errors_against(_reference_for(followed, ref_tables), _raw_table(run)),
        "ours": errors_against(_reference_for(followed, ref_tables), table),
        "ms_per_frame": {
            "before_one_person": round(1000 * run.seconds_per_frame_one_person, 1),
            "now": round(1000 * run.seconds_per_frame, 1),
        },
        "inferences_per_frame": round(run.inferences_per_frame, 2),
    }
    return entry, followed, frames


#: what each row of a single camera runs: (swap fixer, limbs from the image and segment lengths)
VARIANTS = {
    "rehab_track_before": (False, False),
    "swaps_fixed": (True, False),
    "limbs_from_image_and_lengths": (False, True),
    "ours": (True, True),
}


def pipeline_table(
    frames: list, fps: float, fix_swaps: bool, refine: bool, camera: object = None
) -> tuple[np.ndarray, dict[str, int], list]:
    """Angles as ``rehab track`` reports them (smoothed), and the PoseFrames after correction;
    with ``camera``, the limb refiner sees through its calibrated lens (``rehab track --setup``),
    else it assumes a typical webcam's, as a home does."""
    from rehab.core.types import PoseFrame
    from rehab.engine.limb_depth import Lens
    from rehab.engine.tracking import AngleTracker

    lens = Lens.from_matrix(camera.matrix, camera.size) if camera is not None else None  # type: ignore[attr-defined]
    tracker = AngleTracker(smooth=True, fix_swaps=fix_swaps, refine_limbs=refine, lens=lens)
    rows, corrected = [], []
    for f, frame in enumerate(frames):
        pose = frame if frame is not None else PoseFrame(t=f / fps, world=None, visibility=np.zeros(33), frame_index=f)
        rows.append(tracker.update(pose, media_t=f / fps))
        corrected.append(tracker.last_pose if frame is not None else None)
    stats = {"frames_relabelled": tracker.swaps.corrected} if tracker.swaps is not None else {}
    return tracked_table(rows), stats, corrected


def _swapped_frames(camera: object, references: list[dict], followed: np.ndarray, frames: list) -> int:
    """Frames where the tracker's elbows, wrists, knees or ankles sit on the other side's reference joint."""
    from rehab.core.multiview import project

    count = 0
    for f, frame in enumerate(frames):
        if frame is None or frame.image is None or followed[f] < 0:
            continue
        truth = project(camera, references[followed[f]]["points"][f])  # type: ignore[arg-type]
        seen = frame.image[:, :2] * np.array(camera.size)  # type: ignore[attr-defined]
        for left, right in ((13, 14), (15, 16), (25, 26), (27, 28)):
            same = np.linalg.norm(seen[left] - truth[left])
            other = np.linalg.norm(seen[left] - truth[right])
            if np.linalg.norm(truth[left] - truth[right]) > 40 and other < same:
                count += 1
                break
    return count


def knee_coverage_breakdown(track: accuracy_data.Track, frames: list, reference: np.ndarray) -> dict[str, object]:
    """Why frames with reference knees have no knee angles: nobody found, the patient lock, a leg
    landmark outside the picture, or MediaPipe's visibility below the 0.5 the angles need; and how
    far off the knee angles would have been on the low-visibility frames, had they been used."""
    from devices.mediapipe_pose import in_frame_visibility
    from rehab.engine.kinematics import MIN_VISIBILITY

    legs = [23, 24, 25, 26, 27, 28]
    knees = [ANGLES.index("knee_flexion_left"), ANGLES.index("knee_flexion_right")]
    counts = {"frames_with_reference_knees": 0, "no_person": 0, "patient_lock": 0, "outside_picture": 0}
    counts["low_visibility"] = 0
    unseen_errors: list[float] = []
    everything = angle_table(track.world[:, 0], np.ones_like(track.visibility[:, 0]))
    for f, frame in enumerate(frames):
        if not np.all(np.isfinite(reference[f, knees])):
            continue
        counts["frames_with_reference_knees"] += 1
        if not np.isfinite(track.world[f, 0, 0, 0]):
            counts["no_person"] += 1
        elif frame is None:
            counts["patient_lock"] += 1
        elif np.any(in_frame_visibility(track.image[f, 0], np.ones(33))[legs] < 1):
            counts["outside_picture"] += 1
        elif np.any(track.visibility[f, 0, legs] < MIN_VISIBILITY):
            counts["low_visibility"] += 1
            unseen_errors.extend(np.abs(everything[f, knees] - reference[f, knees]).tolist())
    out: dict[str, object] = dict(counts)
    if unseen_errors:
        out["knee_error_if_low_visibility_frames_were_used_median_deg"] = round(float(np.median(unseen_errors)), 1)
    return out


def _reference_for(followed: np.ndarray, tables: list[np.ndarray]) -> np.ndarray:
    out = np.full_like(tables[0], np.nan)
    for k, table in enumerate(tables):
        out[followed == k] = table[followed == k]
    return out


_OTHER_VIEWS: dict[tuple[int, str], list[dict]] = {}


def _other_views_references(cameras: list, people: list, trackers: list, name: str) -> list[dict]:
    """``build_references`` from every view but ``name`` (computed once per run and camera)."""
    key = (id(people), name)
    if key not in _OTHER_VIEWS:
        keep = [i for i, c in enumerate(cameras) if c.name != name]
        _OTHER_VIEWS[key] = build_references(
            [cameras[i] for i in keep], [people[i] for i in keep], [trackers[i] for i in keep]
        )
    return _OTHER_VIEWS[key]


def _held_out(cameras: list, people: list, trackers: list, name: str, frames: list) -> dict[str, object]:
    """The same camera against a reference built from the other views only (it has no say in it)."""
    mine = [i for i, c in enumerate(cameras) if c.name == name][0]
    references = _other_views_references(cameras, people, trackers, name)
    if not references:
        return {}
    followed = followed_person(cameras[mine], references, trackers[mine])
    reference = _reference_for(followed, [angle_table(r["points"]) for r in references])
    track = trackers[mine]
    raw = angle_table(track.world[:, 0], track.visibility[:, 0])
    before, _, _ = pipeline_table(frames, track.fps, False, False)
    ours, _, _ = pipeline_table(frames, track.fps, True, True)
    calibrated, _, _ = pipeline_table(frames, track.fps, True, True, cameras[mine])
    return {
        "raw_mediapipe_world": errors_against(reference, raw),
        "rehab_track_before": errors_against(reference, before),
        "ours": errors_against(reference, ours),
        "ours_with_calibrated_lens": errors_against(reference, calibrated),
    }


def _held_out_now(cameras: list, people: list, trackers: list, name: str, run: accuracy_patient.PatientRun) -> dict:
    """``ours`` on the estimator's output now, against a reference from the other views only."""
    mine = [i for i, c in enumerate(cameras) if c.name == name][0]
    references = _other_views_references(cameras, people, trackers, name)
    if not references:
        return {}
    followed = followed_person(cameras[mine], references, run.track)
    reference = _reference_for(followed, [angle_table(r["points"]) for r in references])
    ours, _, _ = pipeline_table(patient_frames(run), run.track.fps, True, True)
    calibrated, _, _ = pipeline_table(patient_frames(run), run.track.fps, True, True, cameras[mine])
    return {
        "frames_on_exercising_person": int(np.sum(followed == 0)),
        "frames_on_another_person": int(np.sum(followed > 0)),
        **errors_against(reference, ours),
        "with_calibrated_lens": errors_against(reference, calibrated),
        "raw_mediapipe_world": errors_against(reference, _raw_table(run)),
    }


def _pair_held_out(
    cameras: list, people: list, trackers: list, pair: tuple[int, int], raw: np.ndarray, ours: np.ndarray
) -> dict[str, object]:
    """A pair against a reference from the other two views only (two views cannot outvote a wrong
    one, so this reference is noisier; but the pair has no say in it)."""
    others = [i for i in range(len(cameras)) if i not in pair]
    references = build_references(
        [cameras[i] for i in others], [people[i] for i in others], [trackers[i] for i in others]
    )
    if not references:
        return {}
    tables = [angle_table(r["points"]) for r in references]
    followed = [followed_person(cameras[v], references, trackers[v]) for v in pair]
    same = (followed[0] == followed[1]) & (followed[0] >= 0)
    reference = _reference_for(np.where(same, followed[0], -1), tables)
    return {
        "frames_both_on_same_person": int(same.sum()),
        "raw_mean_of_two_views": errors_against(reference, raw),
        "ours_triangulated": errors_against(reference, ours),
    }


def measure(demo: Path) -> dict[str, object]:
    from rehab.core.multiview_pose import fuse_views
    from rehab.core.qualisys import load_qca
    from rehab.engine.tracking import AngleTracker

    cameras = load_qca(demo / accuracy_data.CALIBRATION)
    people = [accuracy_data.mediapipe_track(demo / "videos" / v, 3) for v in accuracy_data.VIDEOS]
    trackers = [accuracy_data.mediapipe_track(demo / "videos" / v, 1) for v in accuracy_data.VIDEOS]
    runs = [accuracy_patient.patient_run(demo / "videos" / v) for v in accuracy_data.VIDEOS]
    references = build_references(cameras, people, trackers)
    ref_tables = [angle_table(r["points"]) for r in references]
    fps = trackers[0].fps
    result: dict[str, object] = {
        "recording": "Pose2Sim Demo_MultiPerson: 4 cameras, 1088x1920, 60 fps, 100 frames",
        "reference_people": [{k: v for k, v in r.items() if k != "points"} for r in references],
        "angles": list(ANGLES),
    }
    singles: dict[str, object] = {}
    followed_all, frames_all, followed_now, frames_now = [], [], [], []
    for camera, track, run in zip(cameras, trackers, runs, strict=True):
        followed = followed_person(camera, references, track)
        reference = _reference_for(followed, ref_tables)
        frames = pose_frames(track)
        raw = angle_table(track.world[:, 0], track.visibility[:, 0])
        entry: dict[str, object] = {
            "frames_on_patient": int(np.sum(followed == 0)),
            "frames_on_other_person": int(np.sum(followed > 0)),
            "frames_with_a_person": int(np.sum(np.isfinite(track.world[:, 0, 0, 0]))),
            "frames_dropped_by_lock": int(
                sum(np.isfinite(track.world[f, 0, 0, 0]) and frames[f] is None for f in range(len(frames)))
            ),
            "frames_with_swapped_limbs": _swapped_frames(camera, references, followed, frames),
            "knee_coverage_lost": knee_coverage_breakdown(track, frames, reference),
            "raw_mediapipe_world": errors_against(reference, raw),
        }
        for name, (fix, refine) in VARIANTS.items():
            table, stats, corrected = pipeline_table(frames, fps, fix, refine)
            if fix:
                stats["frames_with_swapped_limbs_after"] = _swapped_frames(camera, references, followed, corrected)
            entry[name] = {**errors_against(reference, table), **stats}
        entry["against_reference_without_this_camera"] = _held_out(cameras, people, trackers, camera.name, frames)
        choice, followed_new, frames_new = patient_choice_entry(camera, references, ref_tables, followed, run)
        choice["ours_against_reference_without_this_camera"] = _held_out_now(
            cameras, people, trackers, camera.name, run
        )
        entry["with_patient_choice"] = choice
        followed_now.append(followed_new)
        frames_now.append(frames_new)
        singles[camera.name] = entry
        followed_all.append(followed)
        frames_all.append(frames)
    result["single_camera"] = singles
    pairs: dict[str, object] = {}
    for a, b in itertools.combinations(range(len(cameras)), 2):
        same = (followed_all[a] == followed_all[b]) & (followed_all[a] >= 0)
        reference = _reference_for(np.where(same, followed_all[a], -1), ref_tables)
        raw = np.nanmean(
            np.stack([angle_table(trackers[v].world[:, 0], trackers[v].visibility[:, 0]) for v in (a, b)]), axis=0
        )
        tracker = AngleTracker(smooth=True, fix_swaps=PAIR_FIX_SWAPS, refine_limbs=False)
        rows = [
            tracker.update(
                fuse_views([cameras[a], cameras[b]], [frames_all[a][f], frames_all[b][f]], f / fps), media_t=f / fps
            )
            for f in range(len(frames_all[a]))
        ]
        ours = tracked_table(rows)
        same_now = (followed_now[a] == followed_now[b]) & (followed_now[a] >= 0)
        tracker = AngleTracker(smooth=True, fix_swaps=PAIR_FIX_SWAPS, refine_limbs=False)
        rows_now = [
            tracker.update(
                fuse_views([cameras[a], cameras[b]], [frames_now[a][f], frames_now[b][f]], f / fps), media_t=f / fps
            )
            for f in range(len(frames_now[a]))
        ]
        reference_now = _reference_for(np.where(same_now, followed_now[a], -1), ref_tables)
        pairs[f"{cameras[a].name}+{cameras[b].name}"] = {
            "with_patient_choice": {
                "frames_both_on_exercising_person": int(np.sum(same_now & (followed_now[a] == 0))),
                "ours_triangulated": errors_against(reference_now, tracked_table(rows_now)),
            },
            "frames_both_on_same_person": int(same.sum()),
            "raw_mean_of_two_views": errors_against(reference, raw),
            "ours_triangulated": errors_against(reference, ours),
            "against_reference_from_the_other_two_views": _pair_held_out(cameras, people, trackers, (a, b), raw, ours),
        }
    result["camera_pairs"] = pairs
    return result


def run() -> dict[str, object]:
    demo = accuracy_data.prepare()
    if demo is None:
        return {"skipped": f"could not fetch {accuracy_data.WHEEL} (offline?)"}
    return measure(demo)

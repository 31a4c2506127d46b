"""Limbs rebuilt from image landmarks and segment lengths, on synthetic skeletons with known angles.

The simulated estimator gets the picture right but shortens every limb's depth by half, as
single-camera MediaPipe does for limbs that point at the camera.
"""

from __future__ import annotations

import numpy as np

from rehab.core.types import PoseFrame
from rehab.engine.kinematics import pose_angles
from rehab.engine.limb_depth import BONES, MIN_LENGTH_FRAMES, LimbRefiner, SegmentLengths, image_to_world_xy
from rehab.engine.tracking import AngleTracker
from rehab.sim.skeleton import Posture, image_points, world_points

DEPTH_KEPT = 0.5


def _shortened_depth(world: np.ndarray) -> np.ndarray:
    """Every limb's depth squeezed: each bone keeps its across-the-picture part and half its depth."""
    out = world.copy()
    for parent, child in BONES:
        out[child] = out[parent] + (world[child] - world[parent]) * np.array([1.0, 1.0, DEPTH_KEPT])
    return out


def _frame(posture: Posture, i: int = 0, squeeze: bool = True) -> PoseFrame:
    world = world_points(posture)
    image = image_points(world, distance_m=12.0, focal=4.0)  # far and zoomed: nearly orthographic
    seen = _shortened_depth(world) if squeeze else world
    return PoseFrame(t=i / 30, world=seen, visibility=np.ones(33), image=image, frame_index=i)


CALIBRATION = Posture(
    arm_elevation={"left": 90.0, "right": 90.0},
    arm_plane={"left": 0.0, "right": 0.0},
    hip_flexion={"left": 0.0, "right": 0.0},
)
#: arms reaching towards the camera with bent elbows, a knee lifted towards it
REACHING = Posture(
    arm_elevation={"left": 80.0, "right": 40.0},
    arm_plane={"left": 90.0, "right": 70.0},
    elbow_flexion={"left": 70.0, "right": 100.0},
    hip_flexion={"left": 70.0, "right": 0.0},
    knee_flexion={"left": 80.0, "right": 10.0},
)
CHECKED = ("elbow_flexion_left", "elbow_flexion_right", "knee_flexion_left", "hip_flexion_left")


def _errors(frame: PoseFrame, posture: Posture) -> dict[str, float]:
    truth = pose_angles(_frame(posture, squeeze=False))
    got = pose_angles(frame)
    return {name: abs(got.get(name) - truth.get(name)) for name in CHECKED}


def _calibrated() -> LimbRefiner:
    refiner = LimbRefiner()
    for i in range(MIN_LENGTH_FRAMES + 5):
        refiner(_frame(CALIBRATION, i))  # limbs across the picture: depth squeezing changes nothing
    return refiner


def test_shortened_depth_bends_the_angles() -> None:
    assert max(_errors(_frame(REACHING), REACHING).values()) > 10


def test_refined_limbs_take_back_much_of_the_error() -> None:
    """The depth is a blend of MediaPipe's and the length's (weight 1 - (d/L)^2, a hedge against
    noise in the picture), so a limb at 45 degrees to the camera gets back about half its lost
    depth, one pointing straight at the camera nearly all of it."""
    raw = _errors(_frame(REACHING), REACHING)
    refiner = _calibrated()
    refined = _errors(refiner(_frame(REACHING, 30)), REACHING)
    for name in CHECKED:
        assert refined[name] < 0.6 * raw[name], (name, raw[name], refined[name])
    assert refiner.refined == MIN_LENGTH_FRAMES + 6


def test_a_correct_estimate_is_left_correct() -> None:
    refiner = _calibrated()
    errors = _errors(refiner(_frame(REACHING, 30, squeeze=False)), REACHING)
    assert max(errors.values()) < 1.0, errors


def test_segment_lengths_are_the_patients_own() -> None:
    refiner = _calibrated()
    world = world_points(CALIBRATION)
    for bone in BONES:
        assert abs(refiner.lengths.length(bone) - np.linalg.norm(world[bone[1]] - world[bone[0]])) < 1e-9


def test_without_lengths_only_the_picture_is_used() -> None:
    lengths = SegmentLengths()
    assert lengths.length(BONES[0]) is None
    refiner = LimbRefiner()
    frame = _frame(REACHING)
    refined = refiner(frame)
    assert refined.world is not None and frame.world is not None
    # across the picture from the image, depth differences still MediaPipe's (here: squeezed)
    assert np.allclose(refined.world[:, 2] - refined.world[23, 2], frame.world[:, 2] - frame.world[23, 2], atol=1e-6)


def test_image_to_world_map_recovers_positions() -> None:
    world = world_points(REACHING)
    image = image_points(world, distance_m=12.0, focal=4.0)
    xy = image_to_world_xy(world, image, np.ones(33))
    assert xy is not None
    assert np.max(np.abs(xy - world[:, :2])) < 0.03, "nearly orthographic: within 3 cm"
    assert image_to_world_xy(world, image, np.zeros(33)) is None, "nothing visible: no map"


def test_angle_tracker_refines_by_default_and_can_be_told_not_to() -> None:
    on = AngleTracker(smooth=False, fix_swaps=False)
    off = AngleTracker(smooth=False, fix_swaps=False, refine_limbs=False)
    for i in range(MIN_LENGTH_FRAMES + 5):
        on.update(_frame(CALIBRATION, i))
        off.update(_frame(CALIBRATION, i))
    truth = pose_angles(_frame(REACHING, squeeze=False)).get("elbow_flexion_left")
    refined = abs(on.update(_frame(REACHING, 40)).angles.get("elbow_flexion_left") - truth)
    plain = abs(off.update(_frame(REACHING, 40)).angles.get("elbow_flexion_left") - truth)
    assert plain > 20 and refined < 0.6 * plain


def test_frames_without_image_or_person_pass_through() -> None:
    refiner = LimbRefiner()
    no_image = PoseFrame(t=0.0, world=world_points(REACHING), visibility=np.ones(33))
    nobody = PoseFrame(t=0.0, world=None, visibility=np.zeros(33))
    assert refiner(no_image) is no_image and refiner(nobody) is nobody


def test_corrections_forget_a_person_gone_longer_than_the_lock_remembers() -> None:
    tracker = AngleTracker(smooth=False)
    for i in range(MIN_LENGTH_FRAMES + 5):
        tracker.update(_frame(CALIBRATION, i))
    assert tracker.limbs is not None and tracker.limbs.lengths.length(BONES[0]) is not None
    nobody = PoseFrame(t=1.0, world=None, visibility=np.zeros(33))
    tracker.update(nobody)
    back_soon = PoseFrame(t=1.9, world=world_points(CALIBRATION), visibility=np.ones(33), image=None)
    tracker.update(back_soon)
    assert tracker.limbs.lengths.length(BONES[0]) is not None, "under 2 s away: still the same person"
    later = _frame(CALIBRATION, 0)
    tracker.update(PoseFrame(t=4.5, world=later.world, visibility=later.visibility, image=later.image))
    assert tracker.limbs is not None and tracker.limbs.lengths.length(BONES[0]) is None, "learned afresh"
    assert tracker.swaps is not None and tracker.swaps.seen == 1


def test_a_game_reads_limbs_as_mediapipe_gives_them() -> None:
    """Live games do not use the limb refiner (its affine map ignores perspective: see
    ``test_the_refiner_bends_perfect_landmarks_seen_in_perspective``): the elbow angles the lift game
    records are MediaPipe's, with only the side swaps undone."""
    from devices.replay import ReplaySource
    from rehab.core.clock import SimulatedClock
    from rehab.engine.display import HeadlessDisplay
    from rehab.engine.exercise import Exercise
    from rehab.engine.game import available_games
    from rehab.engine.play import SceneTimes, play

    calibration = [_frame(CALIBRATION, i) for i in range(MIN_LENGTH_FRAMES + 5)]
    frames = calibration + [_frame(REACHING, len(calibration) + i) for i in range(40)]
    lift = available_games()["lift"]
    result = play(
        ReplaySource(frames, "sim:reaching"),
        lift,
        Exercise.for_game(lift, "left", reps_planned=3),
        SimulatedClock(),
        HeadlessDisplay(),
        on_rep=lambda rep: None,
        scenes=SceneTimes(0.0, 0.0, 0.0),
    )
    times, recorded = result.streams["elbow_flexion_left"]
    raw = {f.t: pose_angles(f).get("elbow_flexion_left") for f in frames}
    reaching = [(t, v) for t, v in zip(times, recorded, strict=True) if t > calibration[-1].t]
    assert len(reaching) > 30
    assert all(abs(v - raw[t]) < 1e-6 for t, v in reaching)


def test_the_refiner_bends_perfect_landmarks_seen_in_perspective() -> None:
    """What keeps the refiner out of live games, measured: perfect world and image landmarks of a
    patient 2.5 m from a webcam-like camera (focal 1.2 picture heights) raising the arm forward. The
    affine picture-to-world map cannot follow perspective (a hand 0.6 m nearer the camera looks 30%
    bigger), so the refined shoulder flexion is off by several degrees where MediaPipe's was exact.
    A perspective-aware map would make this test fail: then games may use the refiner."""
    refiner = LimbRefiner()
    worst = 0.0
    for i, flexion in enumerate(np.linspace(0.0, 120.0, 61)):
        posture = Posture(arm_elevation={"left": flexion, "right": 10.0}, arm_plane={"left": 90.0, "right": 0.0})
        world = world_points(posture)
        frame = PoseFrame(t=i / 30, world=world, visibility=np.ones(33), image=image_points(world, 2.5, 1.2))
        exact = pose_angles(frame).get("shoulder_flexion_left")
        worst = max(worst, abs(pose_angles(refiner(frame)).get("shoulder_flexion_left") - exact))
    assert worst > 5.0


def test_lengths_are_learned_across_the_picture_only() -> None:
    """Reaching towards the camera for a long time does not teach the refiner the squeezed lengths
    it is there to correct: only frames where a bone lies across the picture count."""
    refiner = _calibrated()
    learned = {bone: refiner.lengths.length(bone) for bone in BONES}
    for i in range(300):
        refiner(_frame(REACHING, 30 + i))
    for bone in BONES:
        assert abs(refiner.lengths.length(bone) / learned[bone] - 1) < 0.02, bone
    errors = _errors(refiner(_frame(REACHING, 400)), REACHING)
    raw = _errors(_frame(REACHING), REACHING)
    assert all(errors[name] < 0.6 * raw[name] for name in CHECKED), (errors, raw)

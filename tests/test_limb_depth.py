"""Limbs rebuilt from image landmarks and segment lengths, on synthetic skeletons with known angles.

The patient stands 2.5 m from a webcam-like pinhole camera (focal 1.2 picture heights, a 4:3
picture). The simulated estimator gets the picture right but shortens every limb's depth by half,
as single-camera MediaPipe does for limbs that point at the camera.
"""

from __future__ import annotations

import numpy as np

from rehab.core.types import PoseFrame
from rehab.engine.kinematics import pose_angles
from rehab.engine.limb_depth import (
    BONES,
    MIN_LENGTH_FRAMES,
    Lens,
    LimbRefiner,
    SegmentLengths,
    picture_aspect_of,
    place_body,
)
from rehab.engine.tracking import AngleTracker
from rehab.sim.skeleton import Posture, image_points, world_points

DEPTH_KEPT = 0.5
DISTANCE_M, FOCAL, ASPECT = 2.5, 1.2, 4 / 3


def _shortened_depth(world: np.ndarray) -> np.ndarray:
    """Every limb's depth squeezed: each bone keeps its across-the-picture part and half its depth."""
    out = world.copy()
    for parent, child in BONES:
        out[child] = out[parent] + (world[child] - world[parent]) * np.array([1.0, 1.0, DEPTH_KEPT])
    return out


def _frame(posture: Posture, i: int = 0, squeeze: bool = True) -> PoseFrame:
    world = world_points(posture)
    image = image_points(world, distance_m=DISTANCE_M, focal=FOCAL)
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
    """The depth is a blend of MediaPipe's and the length's (weight (along / L)^2, a hedge against
    noise in the picture), so a bone pointing straight at the camera gets back nearly all its lost
    depth (the lifted thigh and shin: hip and knee), one lying across the line of sight little. The
    forearms here are raised ahead of the body, above the camera: seen from below they lie largely
    across the line of sight, so their errors fall by only about a quarter."""
    raw = _errors(_frame(REACHING), REACHING)
    refiner = _calibrated()
    refined = _errors(refiner(_frame(REACHING, 30)), REACHING)
    for name in CHECKED:
        assert refined[name] < (0.3 if name.startswith(("knee", "hip")) else 0.75) * raw[name], (name, raw, refined)
    # from the 15th frame on, once the picture's width-to-height ratio is learned
    assert refiner.refined == 7


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
    """Before the bones are known every landmark moves onto its line of sight, at MediaPipe's depth."""
    assert SegmentLengths().length(BONES[0]) is None
    lens = Lens.typical(ASPECT)
    frame = _frame(REACHING)
    refined = LimbRefiner(lens)(frame)
    assert refined.world is not None and frame.world is not None and frame.image is not None
    assert np.allclose(refined.world[:, 2], frame.world[:, 2], atol=1e-9), "depths still MediaPipe's (squeezed)"
    translation = place_body(frame.world, lens.sight_lines(frame.image[:, :2]), frame.visibility)
    assert translation is not None
    seen = refined.world + translation
    picture = np.column_stack([0.5 + FOCAL * seen[:, 0] / seen[:, 2] / ASPECT, 0.5 + FOCAL * seen[:, 1] / seen[:, 2]])
    assert np.max(np.abs(picture - frame.image[:, :2])) < 1e-9, "every landmark where the picture shows it"


def test_the_body_is_placed_at_its_distance_from_the_camera() -> None:
    world = world_points(REACHING)
    image = image_points(world, distance_m=DISTANCE_M, focal=FOCAL)
    sight = Lens.typical(ASPECT).sight_lines(image[:, :2])
    translation = place_body(world, sight, np.ones(33))
    assert translation is not None and np.allclose(translation, [0.0, 0.0, DISTANCE_M], atol=1e-9)
    assert place_body(world, sight, np.zeros(33)) is None, "nothing visible: not placed"
    behind = place_body(world, -sight, np.ones(33))
    assert behind is None, "a fit putting the body behind the camera is refused"


def test_the_pictures_shape_is_read_from_the_poses() -> None:
    """PoseFrames carry normalised picture positions only; the width-to-height ratio the lines of
    sight need is what metres per picture width over metres per picture height says."""
    world = world_points(REACHING)
    for aspect in (4 / 3, 16 / 9, 9 / 16):
        image = image_points(world, distance_m=DISTANCE_M, focal=FOCAL, aspect=aspect)
        found = picture_aspect_of(world, image, np.ones(33))
        assert found is not None and abs(found / aspect - 1) < 0.03, (aspect, found)
    assert picture_aspect_of(world, image, np.zeros(33)) is None


def test_a_calibrated_lens_comes_from_the_intrinsics() -> None:
    matrix = np.array([[900.0, 0.0, 650.0], [0.0, 910.0, 350.0], [0.0, 0.0, 1.0]])
    lens = Lens.from_matrix(matrix, (1280, 720))
    assert lens == Lens(900 / 1280, 910 / 720, (650 / 1280, 350 / 720))
    sight = lens.sight_lines(np.array([[650 / 1280, 350 / 720], [1550 / 1280, 350 / 720]]))
    assert np.allclose(sight, [[0.0, 0.0, 1.0], [1.0, 0.0, 1.0]]), "900 px right of the centre: 45 degrees"


def test_angle_tracker_refines_by_default_and_can_be_told_not_to() -> None:
    on = AngleTracker(smooth=False, fix_swaps=False)
    off = AngleTracker(smooth=False, fix_swaps=False, refine_limbs=False)
    for i in range(MIN_LENGTH_FRAMES + 5):
        on.update(_frame(CALIBRATION, i))
        off.update(_frame(CALIBRATION, i))
    truth = pose_angles(_frame(REACHING, squeeze=False)).get("elbow_flexion_left")
    refined = abs(on.update(_frame(REACHING, 40)).angles.get("elbow_flexion_left") - truth)
    plain = abs(off.update(_frame(REACHING, 40)).angles.get("elbow_flexion_left") - truth)
    assert plain > 20 and refined < 0.75 * plain


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


def test_a_game_reads_the_refined_limbs() -> None:
    """Live games make the same corrections as ``rehab track``: the elbow angles the lift game
    records for an arm reaching towards the camera are the rebuilt limb's, far nearer the truth
    than MediaPipe's squeezed ones."""
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
    truth = pose_angles(_frame(REACHING, squeeze=False)).get("elbow_flexion_left")
    squeezed = abs(pose_angles(frames[-1]).get("elbow_flexion_left") - truth)
    reaching = [v for t, v in zip(times, recorded, strict=True) if t > calibration[-1].t]
    assert len(reaching) > 30 and squeezed > 20
    assert all(abs(v - truth) < 0.75 * squeezed for v in reaching), (squeezed, reaching[:3])


def test_perfect_landmarks_seen_in_perspective_stay_exact() -> None:
    """Perfect world and picture landmarks of a patient 2.5 m from a webcam raising the arm
    forward (the hand comes 0.6 m nearer the camera and looks 30% bigger): the refined shoulder
    flexion is MediaPipe's, exactly. The earlier affine picture-to-world map, blind to
    perspective, was off by up to 12 degrees here."""
    refiner = LimbRefiner()
    worst, refined = 0.0, 0
    for i, flexion in enumerate(np.linspace(0.0, 150.0, 76)):
        frame = _raising_forward(flexion, i, DISTANCE_M)
        out = refiner(frame)
        refined += out is not frame
        exact = pose_angles(frame).get("shoulder_flexion_left")
        worst = max(worst, abs(pose_angles(out).get("shoulder_flexion_left") - exact))
    assert refined > 60 and worst < 0.1, (refined, worst)


def test_a_webcam_with_another_focal_length_costs_little() -> None:
    """Uncalibrated, the refiner assumes 1.2 picture heights; cameras 25% wider or narrower than
    that, 1.5 m away (where perspective is strongest), bend the flexion by about 5 degrees at most
    (``rehab track --setup`` gives the camera's own lens)."""
    for focal in (0.9, 1.5):
        refiner = LimbRefiner()
        worst = 0.0
        for i, flexion in enumerate(np.linspace(0.0, 150.0, 76)):
            frame = _raising_forward(flexion, i, 1.5, focal)
            exact = pose_angles(frame).get("shoulder_flexion_left")
            worst = max(worst, abs(pose_angles(refiner(frame)).get("shoulder_flexion_left") - exact))
        assert 0.5 < worst < 6.0, (focal, worst)


def _raising_forward(flexion: float, i: int, distance_m: float, focal: float = FOCAL) -> PoseFrame:
    posture = Posture(arm_elevation={"left": flexion, "right": 10.0}, arm_plane={"left": 90.0, "right": 0.0})
    world = world_points(posture)
    image = image_points(world, distance_m, focal)
    return PoseFrame(t=i / 30, world=world, visibility=np.ones(33), image=image, frame_index=i)


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
    assert all(errors[name] < 0.75 * raw[name] for name in CHECKED), (errors, raw)

"""The real MediaPipe on real photographs: anatomical sides, plausible ranges, and the patient lock."""

import math

import numpy as np
import pytest

from devices.mediapipe_pose import MediaPipePose, PatientLock, in_frame_visibility
from rehab.core.landmarks import landmark
from rehab.engine.kinematics import pose_angles
from rehab.engine.setup_guidance import FRONT, classify_view, facing_angle

skimage_data = pytest.importorskip("skimage.data")


@pytest.fixture(scope="module")
def estimate():
    def run(rgb: np.ndarray):
        estimator = MediaPipePose()  # a fresh tracker per photo: nothing carried over
        try:
            return estimator.process(np.ascontiguousarray(rgb[:, :, ::-1]), t=0.0, index=0)
        finally:
            estimator.close()

    return run


def test_astronaut_sides_are_anatomical_and_hidden_legs_give_no_angles(estimate):
    result = estimate(skimage_data.astronaut())
    assert result.status == "tracking"
    pose = result.pose
    ls, rs = landmark("left_shoulder"), landmark("right_shoulder")
    # she faces the camera: her left shoulder is on the picture's right, and in world x too
    assert pose.image[ls, 0] > 0.55 > 0.3 > pose.image[rs, 0]
    assert pose.world[ls, 0] > pose.world[rs, 0]
    assert classify_view(facing_angle(pose.world)) == FRONT
    angles = pose_angles(pose)
    # her hips and legs are below the picture or hidden: nothing that needs them may be made up
    for name in (
        "knee_flexion_left",
        "knee_flexion_right",
        "hip_flexion_left",
        "shoulder_elevation_right",
        "shoulder_flexion_left",
        "trunk_lateral_flexion",
        "trunk_rotation",
    ):
        assert math.isnan(angles.get(name)), name
    # her head is straight and square to the shoulders in the photo
    assert abs(angles.get("cervical_rotation")) < 15
    assert abs(angles.get("cervical_lateral_flexion")) < 15


def test_cameraman_full_body_sides_and_ranges(estimate):
    gray = skimage_data.camera()
    result = estimate(np.stack([gray] * 3, axis=-1))
    assert result.status == "tracking"
    pose = result.pose
    assert pose.image[landmark("left_shoulder"), 0] > pose.image[landmark("right_shoulder"), 0]
    angles = pose_angles(pose)
    # both elbows are bent holding the camera; his right knee is nearly straight
    for name in ("elbow_flexion_left", "elbow_flexion_right"):
        assert 30 < angles.get(name) <= 180
    knee = angles.get("knee_flexion_right")
    assert math.isnan(knee) or 0 <= knee < 60
    for name, value in angles.values.items():
        if not math.isnan(value):
            assert -180 <= value <= 180, name


def test_empty_picture_is_no_person(estimate):
    result = estimate(np.full((240, 320, 3), 127, np.uint8))
    assert result.status == "no person"
    assert result.pose.world is None
    assert all(math.isnan(v) for v in pose_angles(result.pose).values.values())


def test_landmarks_outside_the_picture_count_as_unseen():
    image = np.full((33, 3), 0.5)
    image[landmark("left_knee"), 1] = 1.4
    visibility = in_frame_visibility(image, np.full(33, 0.9))
    assert visibility[landmark("left_knee")] == 0 and visibility[landmark("right_knee")] == 0.9


def test_only_the_bundled_model_is_allowed_without_a_task_file():
    with pytest.raises(ValueError, match="only the full model"):
        MediaPipePose(complexity=0)
    with pytest.raises(FileNotFoundError):
        MediaPipePose(model="missing.task")


def person_at(x: float, size: float = 0.2) -> np.ndarray:
    points = np.zeros((33, 3))
    for side, dx in (("left", 0.05), ("right", -0.05)):
        points[landmark("shoulder", side)] = (x + dx, 0.4, 0)
        points[landmark("hip", side)] = (x + dx, 0.4 + size, 0)
    return points


def test_patient_lock_keeps_the_patient_when_someone_else_appears():
    lock = PatientLock()
    patient, therapist = person_at(0.5, size=0.3), person_at(0.85, size=0.2)
    assert lock.choose(0.0, [patient]) == 0
    # the therapist walks in, listed first: the lock stays on the patient
    assert lock.choose(0.033, [therapist, person_at(0.52, 0.3)]) == 1
    # the tracker jumps to the therapist alone: not taken as the patient
    assert lock.choose(0.066, [therapist]) is None
    # after the patient has been gone a while, whoever is there is the new patient
    assert lock.choose(3.0, [therapist]) == 0


def test_unrelated_photos_lock_takes_the_largest_person():
    # several people from the start are watched until one moves (tests/test_patient_choice.py);
    # a folder of unrelated photos has no movement to watch: the largest person is taken
    lock = PatientLock(forget_after_s=-1.0, by_movement=False)
    assert lock.choose(0.0, [person_at(0.2, 0.1), person_at(0.6, 0.3)]) == 1
    assert lock.choose(0.1, []) is None


@pytest.mark.parametrize("patient_first", [True, False])
def test_a_second_person_walking_in_does_not_take_over(tmp_path, patient_first):
    """Real photographs side by side: the patient alone, then someone else appears beside them."""
    cv2 = pytest.importorskip("cv2")
    from devices.pose_source import open_pose_source

    astronaut = skimage_data.astronaut()[:, :, ::-1]
    cameraman = np.stack([skimage_data.camera()] * 3, axis=-1)
    patient, other = (astronaut, cameraman) if patient_first else (cameraman, astronaut)
    path = tmp_path / "two.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), 30.0, (1024, 512))
    for i in range(24):
        canvas = np.full((512, 1024, 3), 90, np.uint8)
        canvas[:, :512] = patient
        if i >= 8:
            canvas[:, 512:] = other
        writer.write(canvas)
    writer.release()
    source = open_pose_source(str(path))
    pictures = list(source.pictures())
    source.close()
    assert [p.status for p in pictures] == ["tracking"] * 24
    centres = [float(p.pose.image[[11, 12, 23, 24], 0].mean()) for p in pictures]
    assert all(c < 0.5 for c in centres)  # always the person on the left half
    assert max(centres) - min(centres) < 0.03

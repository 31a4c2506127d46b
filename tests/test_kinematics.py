"""Kinematics against synthetic skeletons whose angles are known exactly."""

import itertools
import math

import numpy as np
import pytest

from rehab.core.types import PoseFrame
from rehab.engine.kinematics import angles_from_points, pose_angles, three_point_angle
from rehab.sim.skeleton import Posture, Segments, world_points

# shoulders as wide as hips: the trunk line is then vertical and every angle definition
# (which measures shoulder and hip angles against the same-side trunk line) has an exact answer
SQUARE = Segments(shoulder_width=0.3, hip_width=0.3)
FACINGS = (-150, -90, -45, -20, 0, 20, 45, 90, 135, 180)
PITCHES = (-20, 0, 25)
ALL_VISIBLE = np.ones(33)


def measure(posture: Posture, segments: Segments = SQUARE) -> dict[str, float]:
    return dict(angles_from_points(world_points(posture, segments), ALL_VISIBLE).values)


def both(left: float, right: float) -> dict[str, float]:
    return {"left": left, "right": right}


def test_three_point_angle():
    a, b, c = np.array([1.0, 0, 0]), np.zeros(3), np.array([0, 1.0, 0])
    assert three_point_angle(a, b, c) == pytest.approx(90.0)
    assert math.isnan(three_point_angle(b, b, c))


@pytest.mark.parametrize("facing,pitch", list(itertools.product(FACINGS, PITCHES)))
def test_every_angle_in_every_orientation(facing, pitch):
    posture = Posture(
        arm_elevation=both(70, 35),
        arm_plane=both(90, 0),  # left: pure flexion; right: pure abduction
        elbow_flexion=both(35, 110),
        hip_flexion=both(40, -15),
        knee_flexion=both(75, 10),
        facing_deg=facing,
        camera_pitch_deg=pitch,
    )
    a = measure(posture)
    assert a["elbow_flexion_left"] == pytest.approx(35, abs=1e-6)
    assert a["elbow_flexion_right"] == pytest.approx(110, abs=1e-6)
    assert a["knee_flexion_left"] == pytest.approx(75, abs=1e-6)
    assert a["knee_flexion_right"] == pytest.approx(10, abs=1e-6)
    assert a["hip_flexion_left"] == pytest.approx(40, abs=1e-6)
    assert a["hip_flexion_right"] == pytest.approx(-15, abs=1e-6)  # extension is negative
    assert a["shoulder_elevation_left"] == pytest.approx(70, abs=1e-6)
    assert a["shoulder_elevation_right"] == pytest.approx(35, abs=1e-6)
    assert a["shoulder_flexion_left"] == pytest.approx(70, abs=1e-6)
    assert a["shoulder_abduction_left"] == pytest.approx(0, abs=1e-6)
    assert a["shoulder_abduction_right"] == pytest.approx(35, abs=1e-6)
    assert a["shoulder_flexion_right"] == pytest.approx(0, abs=1e-6)


@pytest.mark.parametrize("elevation", [0, 30, 60, 90, 120, 150, 175])
@pytest.mark.parametrize("plane", [0, 90])
def test_shoulder_plane_angles_across_the_range(elevation, plane):
    posture = Posture(arm_elevation=both(elevation, 0), arm_plane=both(plane, 90), facing_deg=30)
    a = measure(posture)
    measured = a["shoulder_flexion_left"] if plane == 90 else a["shoulder_abduction_left"]
    assert measured == pytest.approx(elevation, abs=1e-6)


def test_shoulder_extension_is_negative():
    posture = Posture(arm_elevation=both(0, 40), arm_plane=both(90, -90))  # right arm swung backwards
    assert measure(posture)["shoulder_flexion_right"] == pytest.approx(-40, abs=1e-6)


def test_sides_are_anatomical_not_image_sides():
    # facing the camera, the patient's left arm appears on the image's right (+x)
    posture = Posture(elbow_flexion=both(90, 10))
    points = world_points(posture, SQUARE)
    assert points[13, 0] > points[14, 0]  # left elbow is at larger x
    a = measure(posture)
    assert a["elbow_flexion_left"] == pytest.approx(90)
    assert a["elbow_flexion_right"] == pytest.approx(10)


def test_arm_straight_out_sideways_has_no_flexion_value():
    posture = Posture(arm_elevation=both(90, 0), arm_plane=both(0, 90))
    a = measure(posture)
    assert a["shoulder_abduction_left"] == pytest.approx(90)
    assert math.isnan(a["shoulder_flexion_left"])


def test_real_proportions_stay_close_to_the_definitions():
    # with shoulders wider than hips the trunk line leans about 1 degree; angles move by about that
    posture = Posture(arm_elevation=both(70, 20), arm_plane=both(90, 0), hip_flexion=both(30, 0))
    a = measure(posture, Segments())
    assert a["shoulder_flexion_left"] == pytest.approx(70, abs=0.5)
    assert a["shoulder_elevation_right"] == pytest.approx(20, abs=3)
    assert a["hip_flexion_left"] == pytest.approx(30, abs=1)


def test_low_visibility_gives_nan_not_a_guess():
    visibility = np.ones(33)
    visibility[15] = 0.1  # left wrist hidden
    angles = angles_from_points(world_points(Posture(), SQUARE), visibility)
    assert math.isnan(angles.get("elbow_flexion_left"))
    assert angles.confidence["elbow_flexion_left"] == pytest.approx(0.1)
    assert not math.isnan(angles.get("elbow_flexion_right"))


def test_no_person_gives_all_nan():
    angles = pose_angles(PoseFrame(t=3.0, world=None, visibility=np.zeros(33)))
    assert angles.t == 3.0
    assert angles.values and all(math.isnan(v) for v in angles.values.values())

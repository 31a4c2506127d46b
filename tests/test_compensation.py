import math

import pytest

from rehab.core.types import JointAngles
from rehab.engine.compensation import CompensationMonitor, CompensationRules
from rehab.engine.reps import RepDetector, RepRule
from rehab.engine.scripted_motion import MotionScript, simulate_angles


def run(samples, angle_name):
    detector = RepDetector(RepRule.for_range(10, 120))
    monitor = CompensationMonitor(CompensationRules.for_movement(angle_name))
    flags = []
    for angles in samples:
        rep = detector.step(angles.t, angles.get(angle_name))
        monitor.observe(angles, detector.in_progress or rep is not None)
        if rep:
            flags.append(monitor.take())
    return flags


def test_leaning_sideways_to_lift_the_arm_is_flagged_only_on_that_rep():
    arm = MotionScript("shoulder_flexion_left", 10.0, (130.0, 130.0, 130.0), noise_deg=1.0)
    # the patient stands 4 degrees crooked, and leans 18 degrees during the second rep only
    crooked_and_leaning = MotionScript("trunk_lateral_flexion", 4.0, (4.0, 22.0, 4.0), noise_deg=1.0)
    samples = simulate_angles([arm, crooked_and_leaning], seed=2)
    assert run(samples, "shoulder_flexion_left") == [(), ("trunk_lean",), ()]


def test_uneven_knees_in_a_squat_are_flagged():
    left = MotionScript("knee_flexion_left", 10.0, (120.0, 120.0), noise_deg=1.0)
    right = MotionScript("knee_flexion_right", 10.0, (115.0, 90.0), noise_deg=1.0)
    assert run(simulate_angles([left, right], seed=1), "knee_flexion_left") == [(), ("uneven_knees",)]


def test_missing_trunk_angle_flags_nothing():
    samples = [
        JointAngles(t=i / 30, values={"shoulder_flexion_left": v, "trunk_lateral_flexion": math.nan})
        for i, v in enumerate([10.0] * 30 + [130.0] * 60 + [10.0] * 30)
    ]
    assert run(samples, "shoulder_flexion_left") == [()]


def test_hiking_a_hip_during_knee_work_is_flagged():
    knee = MotionScript("knee_flexion_left", 10.0, (100.0, 100.0), noise_deg=1.0)
    # the pelvis sits 2 degrees off level (a tilted camera), and hikes 9 more during the second rep
    pelvis = MotionScript("pelvic_obliquity", 2.0, (2.0, 11.0), noise_deg=0.5)
    assert run(simulate_angles([knee, pelvis], seed=4), "knee_flexion_left") == [(), ("hip_hike",)]


def test_pelvic_obliquity_from_landmarks_is_positive_when_the_right_hip_is_higher():
    import numpy as np

    from rehab.core.landmarks import landmark
    from rehab.engine.kinematics import angles_from_points
    from rehab.sim.skeleton import Posture, world_points

    points = world_points(Posture(facing_deg=30)).copy()
    assert angles_from_points(points, np.ones(33)).get("pelvic_obliquity") == pytest.approx(0.0, abs=1e-6)
    hip_gap = np.linalg.norm(points[landmark("left_hip")] - points[landmark("right_hip")])
    points[landmark("right_hip"), 1] -= hip_gap * np.sin(np.radians(8))  # up is -y in MediaPipe's frame
    assert angles_from_points(points, np.ones(33)).get("pelvic_obliquity") == pytest.approx(8.0, abs=0.6)

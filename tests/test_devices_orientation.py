"""Orientation and angles on synthetic rotations whose angles are known exactly."""

from __future__ import annotations

import random

import imufusion
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.orientation import (
    JointTracker,
    OrientationError,
    SegmentTracker,
    euler_zyx,
    q_axis_angle,
    q_from_euler,
    q_mul,
    q_normalize,
    tilt_from_gravity,
)
from devices.witmotion import WitMotionParser
from rehab.core.types import ImuSample, JointAngles
from rehab.sim.serial_devices import MOTIONS, Simulator, _ramp, _swing, imu_state

X, Y, Z = (1, 0, 0), (0, 1, 0), (0, 0, 1)
angle = st.floats(-170, 170)


def random_quat(rng: random.Random):
    return q_normalize([rng.gauss(0, 1) for _ in range(4)])


@given(st.floats(-179, 179), st.floats(-85, 85), st.floats(-179, 179))
def test_euler_round_trip_matches_imufusion(roll, pitch, yaw):
    q = q_from_euler(roll, pitch, yaw)
    assert euler_zyx(q) == pytest.approx((roll, pitch, yaw), abs=1e-6)
    assert imufusion.quaternion_to_euler(np.array(q)) == pytest.approx((roll, pitch, yaw), abs=1e-3)


@settings(max_examples=60, deadline=None)
@given(st.floats(-10, 150), st.floats(-80, 80), st.integers(0, 10_000))
def test_two_imu_elbow_angles_are_exact_whatever_the_upper_arm_and_strap_do(flexion, pronation, seed):
    rng = random.Random(seed)
    strap = random_quat(rng)  # how the upper-arm sensor happens to sit on the arm
    tracker = JointTracker("elbow_left", neutral_s=0.0)
    upper_neutral = random_quat(rng)
    tracker.angles(0.0, q_mul(upper_neutral, strap), upper_neutral)  # neutral pose
    upper = random_quat(rng)  # the whole arm moved somewhere else, and the joint bent
    forearm = q_mul(upper, q_mul(q_axis_angle(Y, flexion), q_axis_angle(X, pronation)))
    result = tracker.angles(1.0, q_mul(upper, strap), forearm)
    assert result.values["elbow_flexion_left"] == pytest.approx(flexion, abs=1e-6)
    assert result.values["wrist_pronation_left"] == pytest.approx(pronation, abs=1e-6)


def test_knee_and_right_side_names_and_signs():
    tracker = JointTracker("elbow_right", neutral_s=0.0)
    tracker.angles(0.0, q_from_euler(0, 0, 0), q_from_euler(0, 0, 0))
    got = tracker.angles(1.0, q_from_euler(0, 0, 0), q_mul(q_axis_angle(Y, 30), q_axis_angle(X, -50)))
    assert dict(got.values) == pytest.approx({"elbow_flexion_right": 30.0, "wrist_pronation_right": 50.0})
    knee = JointTracker("knee_left", neutral_s=0.0)
    knee.angles(0.0, (1, 0, 0, 0), (1, 0, 0, 0))
    assert dict(knee.angles(1.0, (1, 0, 0, 0), q_axis_angle(Y, 70)).values) == pytest.approx({"knee_flexion_left": 70})
    with pytest.raises(OrientationError):
        JointTracker("ankle_left")


def test_tilt_from_gravity_points_the_sensor_frame_right():
    for up in [(0, 0, 1), (-1, 0, 0), (0, 0.6, 0.8), (0, 0, -1)]:
        q = tilt_from_gravity(up)
        from devices.orientation import q_to_matrix

        assert pytest.approx(up, abs=1e-9) == q_to_matrix(q).T @ [0, 0, 1]


@pytest.mark.parametrize(
    ("motion", "segment", "name", "truth"),
    [
        ("forearm", "forearm_left", "wrist_pronation_left", lambda t: _swing(t, 60, 4)),
        ("neck", "head", "cervical_rotation", lambda t: -_swing(t, 60, 6)),
        ("breathing", "trunk", "trunk_flexion", lambda t: _swing(t, 3, 5)),
    ],
)
def test_ahrs_single_imu_segment_angles_follow_the_true_motion(motion, segment, name, truth):
    # raw gyro + accel only (what an MPU6050 sketch sends) through imufusion, 100 Hz for 12 s
    tracker = SegmentTracker(segment, neutral_s=1.0, fusion="ahrs")
    errors = []
    for k in range(1200):
        t = k / 100
        s = imu_state(MOTIONS[motion], t)
        for out in tracker.process([ImuSample(t, "sim", accel_g=s.accel_g, gyro_dps=s.gyro_dps)])[1:]:
            assert isinstance(out, JointAngles)
            errors.append(abs(out.values[name] - truth(t)))
    assert len(errors) > 1000
    assert max(errors) < 2.0


def test_gyro_bias_is_learnt_while_still():
    # a gyro reading 1 deg/s too high while lying still for 30 s: integrated blindly that is 30 deg
    # of heading drift; the bias estimator must remove most of it
    from devices.orientation import OrientationEstimator

    estimator = OrientationEstimator("ahrs")
    for k in range(3000):
        q = estimator.update(ImuSample(k / 100, accel_g=(0, 0, 1), gyro_dps=(0, 0, 1.0)))
    assert abs(euler_zyx(q)[2]) < 15.0
    assert estimator.bias.get_offset()[2] == pytest.approx(1.0, abs=0.1)


def test_device_angles_are_used_when_the_device_reports_them():
    tracker = SegmentTracker("head", neutral_s=0.0)
    tracker.process([ImuSample(0.0, euler_deg=(0, 0, 10))])  # neutral: the headset yaw reads 10
    out = tracker.process([ImuSample(0.1, euler_deg=(0, 0, 40)), ImuSample(0.1, gyro_dps=(0, 0, 500))])
    angles = [o for o in out if isinstance(o, JointAngles)]
    assert len(angles) == 1 and angles[0].values["cervical_rotation"] == pytest.approx(-30.0)


def test_simulated_witmotion_bytes_give_the_elbow_angle_end_to_end():
    # two simulated WT901s (upper arm, forearm) -> bytes -> parsers -> two-IMU elbow flexion
    sim = Simulator("witmotion", "elbow", count=2, seed=1)
    upper, fore = WitMotionParser("upper"), WitMotionParser("fore")
    tracker = JointTracker("elbow_left", neutral_s=1.0)
    worst = 0.0
    seen = 0
    for k in range(600):
        t = k / 100
        for parser, distal in ((upper, False), (fore, True)):
            for sample in parser.feed(sim.frame(t, distal=distal), t):
                result = tracker.update(sample, distal=distal)
                if result is not None and distal:  # the proximal one pairs with the previous tick
                    seen += 1
                    worst = max(worst, abs(result.values["elbow_flexion_left"] - _ramp(t, 120, 4)))
    assert seen > 400
    assert worst < 0.5  # int16 quantisation of the device quaternion and angles


def test_the_neutral_pose_is_taken_from_a_still_hold_not_from_settling_in():
    from devices.orientation import Neutral, q_angle_deg, q_axis_angle

    neutral = Neutral(1.0)
    t = 0.0
    # the patient is still lowering the arm for the first 0.8 s (40 degrees down to 0), then holds
    for i in range(9):
        neutral.offer(t, q_axis_angle((0, 1, 0), 40.0 - 5.0 * i))
        t += 0.1
    while not neutral.offer(t, q_axis_angle((0, 1, 0), 0.0)):
        t += 0.1
    assert neutral.value is not None
    assert q_angle_deg(neutral.value, q_axis_angle((0, 1, 0), 0.0)) < 0.5
    assert t >= 1.8  # it waited for a whole second of stillness

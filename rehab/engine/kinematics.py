"""Joint angles from 3D joint centres (conventions in docs/architecture.md: neutral-zero, degrees).

Works on any right-handed frame in metres (MediaPipe world landmarks are one). The body frame comes
from the two shoulders and two hips, so shoulder and hip angles are relative to the trunk, as a
goniometer measures them, whatever way the patient faces the camera.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rehab.core.landmarks import SIDES, landmark
from rehab.core.motions import POSE_ANGLE_NAMES
from rehab.core.types import JointAngles, PoseFrame

#: below this landmark visibility an angle is reported as NaN rather than guessed
MIN_VISIBILITY = 0.5
#: a plane angle (shoulder flexion/abduction) needs this much of the arm to lie in its plane;
#: an arm pointing straight sideways has no defined flexion, and we say so with NaN
MIN_IN_PLANE = 0.25


def _unit(v: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(v))
    return v / norm if norm > 1e-9 else np.full(3, np.nan)


def three_point_angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    """The angle ABC in degrees (0..180); NaN when a segment has no length."""
    u, v = _unit(a - b), _unit(c - b)
    cosine = float(np.clip(np.dot(u, v), -1.0, 1.0))
    return math.degrees(math.acos(cosine))


@dataclass(frozen=True)
class BodyFrame:
    """Trunk axes: ``left`` (patient's left), ``up`` (hips to shoulders), ``forward`` (= left x up)."""

    left: np.ndarray
    up: np.ndarray
    forward: np.ndarray

    @classmethod
    def from_points(cls, points: np.ndarray) -> BodyFrame:
        ls, rs = points[landmark("left_shoulder")], points[landmark("right_shoulder")]
        lh, rh = points[landmark("left_hip")], points[landmark("right_hip")]
        left = _unit((ls - rs) + (lh - rh))
        up = (ls + rs) / 2 - (lh + rh) / 2
        up = _unit(up - np.dot(up, left) * left)
        return cls(left=left, up=up, forward=np.cross(left, up))


def _plane_angle(arm: np.ndarray, down: np.ndarray, toward: np.ndarray) -> tuple[float, float]:
    """Angle of ``arm`` from ``down`` towards ``toward`` within their plane, and the in-plane share."""
    along_down, along_toward = float(np.dot(arm, down)), float(np.dot(arm, toward))
    length = float(np.linalg.norm(arm))
    in_plane = math.hypot(along_down, along_toward) / length if length > 1e-9 else 0.0
    return math.degrees(math.atan2(along_toward, along_down)), in_plane


def angles_from_points(points: np.ndarray, visibility: np.ndarray, t: float = 0.0) -> JointAngles:
    """Every pose angle for both sides from a (33, 3) landmark array, with confidences 0..1."""
    values: dict[str, float] = {}
    confidence: dict[str, float] = {}
    body = BodyFrame.from_points(points)

    def put(name: str, value: float, conf: float) -> None:
        ok = conf >= MIN_VISIBILITY and math.isfinite(value)
        values[name] = value if ok else math.nan
        confidence[name] = round(conf, 3) if math.isfinite(conf) else 0.0

    trunk_vis = float(min(visibility[landmark(n, s)] for n in ("shoulder", "hip") for s in SIDES))
    for side in SIDES:
        shoulder, elbow, wrist = (points[landmark(n, side)] for n in ("shoulder", "elbow", "wrist"))
        hip, knee, ankle = (points[landmark(n, side)] for n in ("hip", "knee", "ankle"))

        def vis(*names: str, side: str = side) -> float:
            return float(min(visibility[landmark(n, side)] for n in names))

        put(f"elbow_flexion_{side}", 180 - three_point_angle(shoulder, elbow, wrist), vis("shoulder", "elbow", "wrist"))
        put(f"knee_flexion_{side}", 180 - three_point_angle(hip, knee, ankle), vis("hip", "knee", "ankle"))

        # hip: 3D magnitude, sign from the sagittal plane (thigh ahead of the trunk line is flexion)
        trunk_down, thigh = hip - shoulder, knee - hip
        sign = -1.0 if float(np.dot(np.cross(trunk_down, thigh), body.left)) > 0 else 1.0
        put(
            f"hip_flexion_{side}",
            sign * (180 - three_point_angle(shoulder, hip, knee)),
            min(vis("shoulder", "hip", "knee"), trunk_vis),
        )

        arm_vis = min(vis("shoulder", "elbow", "hip"), trunk_vis)
        put(f"shoulder_elevation_{side}", three_point_angle(hip, shoulder, elbow), arm_vis)
        arm = elbow - shoulder
        outward = body.left if side == "left" else -body.left
        flexion, sagittal_share = _plane_angle(arm, -body.up, body.forward)
        abduction, frontal_share = _plane_angle(arm, -body.up, outward)
        put(f"shoulder_flexion_{side}", flexion, arm_vis if sagittal_share >= MIN_IN_PLANE else 0.0)
        put(f"shoulder_abduction_{side}", abduction, arm_vis if frontal_share >= MIN_IN_PLANE else 0.0)
    _trunk_and_neck(points, visibility, put)
    return JointAngles(t=t, values=values, confidence=confidence)


def _signed_about(v: np.ndarray, zero: np.ndarray, positive: np.ndarray) -> float:
    """Angle of ``v`` from ``zero`` towards ``positive`` (two orthonormal axes), in degrees, -180..180."""
    return math.degrees(math.atan2(float(np.dot(v, positive)), float(np.dot(v, zero))))


def _trunk_and_neck(points: np.ndarray, visibility: np.ndarray, put: Callable[[str, float, float], None]) -> None:
    """Trunk and cervical angles; every one is positive towards the patient's RIGHT, as the serial
    IMU angles and the games read them (a bend or turn to the left is negative).

    - ``trunk_lateral_flexion``: the trunk line (mid-hips to mid-shoulders) against the pelvis (the
      hip line), in the frontal plane: 0 when the trunk is square on the pelvis, positive leaning right.
    - ``trunk_rotation``: the shoulder line against the hip line, about the trunk line: positive when
      the shoulders turn to face the patient's right (the right shoulder goes back).
    - ``cervical_rotation``: the ear line against the thorax (shoulder line and trunk line), about the
      trunk line: positive when the head turns to the patient's right (nose towards the right shoulder).
    - ``cervical_lateral_flexion``: the ear line's tilt out of the thorax's transverse plane: positive
      when the right ear goes down towards the right shoulder.
    - ``pelvic_obliquity``: the hip line's tilt against the camera's horizontal: positive when the
      right hip is higher. The camera's vertical stands in for gravity, so a tilted camera offsets
      it: it is meant for changes against the patient's own resting value (a hip hike), not alone.
    Cervical flexion/extension is not computed: from nose and ears its zero differs from person to
    person by more than the accuracy we could claim, so it needs a neutral calibration first.
    """
    ls, rs = points[landmark("left_shoulder")], points[landmark("right_shoulder")]
    lh, rh = points[landmark("left_hip")], points[landmark("right_hip")]
    le, re_ = points[landmark("left_ear")], points[landmark("right_ear")]
    vis = {
        n: float(visibility[landmark(n)])
        for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip", "left_ear", "right_ear")
    }
    trunk_vis = min(vis["left_shoulder"], vis["right_shoulder"], vis["left_hip"], vis["right_hip"])
    trunk = _unit((ls + rs) / 2 - (lh + rh) / 2)
    hip_line = _unit(lh - rh)

    # against the pelvis, not gravity: the camera's vertical is unknown when it is tilted
    # (each value below is measured towards the left, then negated: positive is towards the right)
    put("trunk_lateral_flexion", -(90.0 - three_point_angle(hip_line, np.zeros(3), trunk)), trunk_vis)

    hips_vis = min(vis["left_hip"], vis["right_hip"])
    camera_up = np.array([0.0, -1.0, 0.0])  # MediaPipe's y points down
    put("pelvic_obliquity", math.degrees(math.asin(float(np.clip(np.dot(-hip_line, camera_up), -1, 1)))), hips_vis)

    # thorax frame: up along the trunk line, left along the shoulder line made square to it
    def square_to(v: np.ndarray, axis: np.ndarray) -> np.ndarray:
        return _unit(v - np.dot(v, axis) * axis)

    shoulder_left = square_to(ls - rs, trunk)
    thorax_forward = np.cross(shoulder_left, trunk)
    hips_in_plane = square_to(hip_line, trunk)
    # the shoulders turned left about the trunk line: measured from the hips, so hips are the zero
    hips_forward = np.cross(hips_in_plane, trunk)
    put("trunk_rotation", -_signed_about(shoulder_left, hips_in_plane, -hips_forward), trunk_vis)

    ears = _unit(le - re_)
    head_vis = min(vis["left_ear"], vis["right_ear"], vis["left_shoulder"], vis["right_shoulder"])
    put("cervical_rotation", -_signed_about(square_to(ears, trunk), shoulder_left, -thorax_forward), head_vis)
    put("cervical_lateral_flexion", math.degrees(math.asin(float(np.clip(np.dot(ears, trunk), -1, 1)))), head_vis)


def pose_angles(frame: PoseFrame) -> JointAngles:
    """Joint angles of one pose frame; every angle NaN (confidence 0) when no person was found."""
    if frame.world is None:
        return JointAngles(
            t=frame.t,
            values=dict.fromkeys(POSE_ANGLE_NAMES, math.nan),
            confidence=dict.fromkeys(POSE_ANGLE_NAMES, 0.0),
        )
    return angles_from_points(frame.world, frame.visibility, frame.t)

"""A synthetic human skeleton with exactly known joint angles, in MediaPipe's world frame.

Used to make test data and the built-in demo recording: set anatomical angles, get the 33 landmarks
a perfect pose estimator would report. Segment lengths are adult averages (Winter's anthropometric
proportions for a 1.70 m body).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from rehab.core.landmarks import INDEX, SIDES

HEIGHT_M = 1.70


@dataclass(frozen=True)
class Segments:
    shoulder_width: float = 0.259 * HEIGHT_M * 0.75  # between shoulder joint centres
    hip_width: float = 0.191 * HEIGHT_M * 0.9
    trunk: float = 0.288 * HEIGHT_M  # hip joint centres to shoulder joint centres
    upper_arm: float = 0.186 * HEIGHT_M
    forearm: float = 0.146 * HEIGHT_M
    hand: float = 0.108 * HEIGHT_M
    thigh: float = 0.245 * HEIGHT_M
    shank: float = 0.246 * HEIGHT_M
    foot: float = 0.152 * HEIGHT_M


@dataclass(frozen=True)
class Posture:
    """Anatomical angles in degrees (docs/architecture.md conventions) per side, plus where the body faces.

    The arm is raised by ``elevation`` in a plane ``plane`` degrees forward of the frontal plane
    (plane 0 = pure abduction, plane 90 = pure flexion). ``facing_deg`` turns the whole body about
    the vertical: 0 faces the camera, 90 turns the patient's left side to the camera.
    """

    arm_elevation: dict[str, float] = field(default_factory=lambda: {"left": 0.0, "right": 0.0})
    arm_plane: dict[str, float] = field(default_factory=lambda: {"left": 90.0, "right": 90.0})
    elbow_flexion: dict[str, float] = field(default_factory=lambda: {"left": 0.0, "right": 0.0})
    hip_flexion: dict[str, float] = field(default_factory=lambda: {"left": 0.0, "right": 0.0})
    knee_flexion: dict[str, float] = field(default_factory=lambda: {"left": 0.0, "right": 0.0})
    facing_deg: float = 0.0
    #: tilt of the camera view about its own horizontal axis (camera looking down is positive)
    camera_pitch_deg: float = 0.0
    #: trunk and neck, each positive towards the patient's right (rehab.engine.kinematics conventions):
    #: lean of the trunk on the pelvis, turn of the shoulders on the hips, turn and tilt of the head
    trunk_lateral_flexion: float = 0.0
    trunk_rotation: float = 0.0
    cervical_rotation: float = 0.0
    cervical_lateral_flexion: float = 0.0


def _rad(deg: float) -> float:
    return math.radians(deg)


def _perpendicular_toward(direction: np.ndarray, preferred: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """The unit vector perpendicular to ``direction`` nearest to ``preferred``."""
    for candidate in (preferred, fallback):
        v = candidate - np.dot(candidate, direction) * direction
        norm = np.linalg.norm(v)
        if norm > 1e-6:
            return v / norm
    raise ValueError("no perpendicular found")


def anatomical_points(posture: Posture, seg: Segments | None = None) -> np.ndarray:
    """Landmarks (33, 3) in the body frame: x = patient's left, y = up, z = forward, origin mid-hips."""
    seg = seg or Segments()
    left, up, forward = np.eye(3)
    points = np.zeros((33, 3))

    def put(name: str, p: np.ndarray) -> None:
        points[INDEX[name]] = p

    shoulder_mid = up * seg.trunk
    for side in SIDES:
        out = left if side == "left" else -left
        shoulder = shoulder_mid + out * seg.shoulder_width / 2
        hip = out * seg.hip_width / 2
        put(f"{side}_shoulder", shoulder)
        put(f"{side}_hip", hip)

        # arm: elevation within a plane swung forward from the frontal plane
        e, p = _rad(posture.arm_elevation[side]), _rad(posture.arm_plane[side])
        humerus = -up * math.cos(e) + math.sin(e) * (math.cos(p) * out + math.sin(p) * forward)
        elbow = shoulder + humerus * seg.upper_arm
        # the elbow bends the forearm forward (towards the face when the arm is raised)
        bend = _perpendicular_toward(humerus, forward, up)
        f = _rad(posture.elbow_flexion[side])
        forearm = math.cos(f) * humerus + math.sin(f) * bend
        wrist = elbow + forearm * seg.forearm
        put(f"{side}_elbow", elbow)
        put(f"{side}_wrist", wrist)
        put(f"{side}_index", wrist + forearm * seg.hand * 0.8)
        put(f"{side}_pinky", wrist + forearm * seg.hand * 0.7 - out * 0.02)
        put(f"{side}_thumb", wrist + forearm * seg.hand * 0.4 + out * 0.02)

        # leg: hip flexion in the sagittal plane; the knee bends the shank backwards
        h = _rad(posture.hip_flexion[side])
        thigh = -up * math.cos(h) + forward * math.sin(h)
        knee = hip + thigh * seg.thigh
        k = _rad(posture.knee_flexion[side])
        shank = math.cos(k) * thigh - math.sin(k) * _perpendicular_toward(thigh, forward, up)
        ankle = knee + shank * seg.shank
        put(f"{side}_knee", knee)
        put(f"{side}_ankle", ankle)
        put(f"{side}_heel", ankle - forward * 0.05 - up * 0.04)
        put(f"{side}_foot_index", ankle + forward * (seg.foot - 0.05) - up * 0.06)

    head = shoulder_mid + up * 0.22
    put("nose", head + forward * 0.10)
    for side in SIDES:
        out = left if side == "left" else -left
        put(f"{side}_eye_inner", head + forward * 0.08 + up * 0.03 + out * 0.015)
        put(f"{side}_eye", head + forward * 0.08 + up * 0.03 + out * 0.03)
        put(f"{side}_eye_outer", head + forward * 0.07 + up * 0.03 + out * 0.045)
        put(f"{side}_ear", head + out * 0.075)
        put(f"mouth_{side}", head + forward * 0.085 - up * 0.04 + out * 0.025)
    return _bend_trunk_and_neck(points, posture, shoulder_mid)


#: landmarks that move with the head (0..10) and with the thorax (the rest above the hips)
_HEAD = list(range(11))
_UPPER = [INDEX[n] for n in INDEX if not n.endswith(("hip", "knee", "ankle", "heel", "foot_index"))]


def _about(axis: int, deg: float) -> np.ndarray:
    """Right-handed rotation about body axis 0 (left), 1 (up) or 2 (forward)."""
    c, s = math.cos(_rad(deg)), math.sin(_rad(deg))
    i, j = [(1, 2), (2, 0), (0, 1)][axis]
    m = np.eye(3)
    m[i, i], m[i, j], m[j, i], m[j, j] = c, -s, s, c
    return m


def _bend_trunk_and_neck(points: np.ndarray, posture: Posture, neck: np.ndarray) -> np.ndarray:
    """Turn the head about the neck, then the upper body about the mid-hips (zero angles: unchanged)."""
    out = points.copy()
    # turning left is +rotation about up and leaning or tilting left is -rotation about forward;
    # the posture's angles are positive towards the patient's right, hence the signs below.
    # The head turns, then tilts about its own forward axis; the trunk leans, then turns about its
    # own long axis: the orders rehab.engine.kinematics measures them in.
    head = _about(1, -posture.cervical_rotation) @ _about(2, posture.cervical_lateral_flexion)
    out[_HEAD] = (out[_HEAD] - neck) @ head.T + neck
    trunk = _about(2, posture.trunk_lateral_flexion) @ _about(1, -posture.trunk_rotation)
    out[_UPPER] = out[_UPPER] @ trunk.T
    return out


def body_to_camera(facing_deg: float, camera_pitch_deg: float = 0.0) -> np.ndarray:
    """Rotation from the body frame to MediaPipe's world frame (x right, y down, z away from camera).

    Facing the camera, the patient's left is the image's right (+x), up is -y, forward is -z.
    """
    facing = np.array([[1.0, 0, 0], [0, -1.0, 0], [0, 0, -1.0]]).T  # columns: images of left, up, forward
    yaw = -_rad(facing_deg)
    # turn the body about its vertical: positive turns the patient's left side towards the camera
    turn = np.array([[math.cos(yaw), 0, -math.sin(yaw)], [0, 1, 0], [math.sin(yaw), 0, math.cos(yaw)]]).T
    pitch = _rad(camera_pitch_deg)
    tilt = np.array([[1, 0, 0], [0, math.cos(pitch), -math.sin(pitch)], [0, math.sin(pitch), math.cos(pitch)]])
    return tilt @ facing @ turn


def world_points(posture: Posture, seg: Segments | None = None) -> np.ndarray:
    """Landmarks (33, 3) in MediaPipe's world frame for the posture."""
    rotation = body_to_camera(posture.facing_deg, posture.camera_pitch_deg)
    return anatomical_points(posture, seg) @ rotation.T


def image_points(
    world: np.ndarray,
    distance_m: float = 3.0,
    focal: float = 1.2,
    centre: tuple[float, float] = (0.5, 0.5),
    aspect: float = 4 / 3,
) -> np.ndarray:
    """Normalised image landmarks (33, 3) a pinhole camera ``distance_m`` in front of the mid-hips
    would see (``focal`` in picture heights; ``centre`` where the mid-hips land). For setup-guidance
    tests: world x is the picture's right, y down, as in MediaPipe."""
    depth = world[:, 2] + distance_m
    y = centre[1] + focal * world[:, 1] / depth
    x = centre[0] + focal * world[:, 0] / depth / aspect
    return np.column_stack([x, y, world[:, 2] / distance_m])

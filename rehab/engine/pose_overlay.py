"""Draws a tracked skeleton and its joint angles on a video frame, for a clinician to review.

Drawing only: it reads a PoseFrame and JointAngles and never computes an angle itself. The patient's
left side is drawn in orange and labelled L, the right in blue and labelled R, so a mirrored or
swapped side is obvious at a glance.
"""

from __future__ import annotations

import math

import numpy as np

from rehab.core.landmarks import BONES, NAMES, landmark
from rehab.core.types import JointAngles, PoseFrame

LEFT_BGR = (0, 140, 255)
RIGHT_BGR = (255, 150, 0)
MIDDLE_BGR = (220, 220, 220)
TEXT_BGR = (255, 255, 255)

#: angle drawn next to a joint: (angle motion, landmark name, short label)
_JOINT_LABELS = (
    ("elbow_flexion", "elbow", "elb"),
    ("knee_flexion", "knee", "knee"),
    ("hip_flexion", "hip", "hip"),
    ("shoulder_flexion", "shoulder", "flex"),
    ("shoulder_abduction", "shoulder", "abd"),
)
_PANEL = ("trunk_lateral_flexion", "trunk_rotation", "cervical_rotation", "cervical_lateral_flexion")


def _fmt(value: float) -> str:
    return "--" if math.isnan(value) else str(round(value))  # round() never prints "-0"


def _side_colour(index: int) -> tuple[int, int, int]:
    name = NAMES[index]
    if name.startswith("left") or name.endswith("left"):
        return LEFT_BGR
    if name.startswith("right") or name.endswith("right"):
        return RIGHT_BGR
    return MIDDLE_BGR


def _text(image: np.ndarray, text: str, at: tuple[int, int], colour: tuple[int, int, int], scale: float) -> None:
    import cv2

    # a dark outline first so labels read on any background; drawn as shifted copies because a
    # thicker stroke also widens the glyph advance and the outline would drift off the text
    x, y = at
    for dx, dy in ((-1, -1), (1, -1), (-1, 1), (1, 1)):
        cv2.putText(image, text, (x + dx, y + dy), cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), 1, cv2.LINE_AA)
    cv2.putText(image, text, at, cv2.FONT_HERSHEY_SIMPLEX, scale, colour, 1, cv2.LINE_AA)


def draw_pose(
    image: np.ndarray, pose: PoseFrame, angles: JointAngles, status: str = "tracking", min_visibility: float = 0.5
) -> np.ndarray:
    """A copy of ``image`` (BGR) with the skeleton, angle labels and a status line drawn on it.
    ``status`` may hold several lines separated by newlines (tracking status, setup advice)."""
    import cv2

    out = image.copy()
    height, width = out.shape[:2]
    scale = max(0.8, min(width, height) / 600)
    if pose.image is not None:
        pixels = np.column_stack([pose.image[:, 0] * width, pose.image[:, 1] * height]).astype(int)
        seen = pose.visibility >= min_visibility
        for a, b in BONES:
            if seen[a] and seen[b]:
                colour = _side_colour(b) if _side_colour(a) == _side_colour(b) else MIDDLE_BGR
                cv2.line(out, tuple(pixels[a]), tuple(pixels[b]), colour, max(2, int(3 * scale)), cv2.LINE_AA)
        for i in range(11, 33):
            if seen[i]:
                cv2.circle(out, tuple(pixels[i]), max(3, int(4 * scale)), _side_colour(i), -1, cv2.LINE_AA)
        for side, tag in (("left", "L"), ("right", "R")):
            colour = LEFT_BGR if side == "left" else RIGHT_BGR
            offsets: dict[int, int] = {}
            for motion, joint, label in _JOINT_LABELS:
                i = landmark(joint, side)
                value = angles.get(f"{motion}_{side}")
                if not seen[i] or math.isnan(value):
                    continue
                row = offsets.get(i, 0)
                offsets[i] = row + 1
                x, y = int(pixels[i][0]) + 8, int(pixels[i][1]) - 6 + int(row * 22 * scale)
                _text(out, f"{tag} {label} {_fmt(value)}", (x, y), colour, 0.5 * scale)
    lines = status.splitlines() + [f"{name.replace('_', ' ')} {_fmt(angles.get(name))}" for name in _PANEL]
    # a dark panel keeps the trunk and neck numbers readable over any background
    text_w = max(cv2.getTextSize(line, cv2.FONT_HERSHEY_SIMPLEX, 0.55 * scale, 1)[0][0] for line in lines)
    panel = out[: int((12 + len(lines) * 22) * scale), : text_w + 20]
    panel[:] = (panel * 0.4).astype(out.dtype)
    for row, line in enumerate(lines):
        _text(out, line, (10, int((22 + row * 22) * scale)), TEXT_BGR, 0.55 * scale)
    return out

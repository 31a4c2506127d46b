"""Draws a tracked skeleton and its joint angles on a video frame, for a clinician to review.

Drawing only: it reads a PoseFrame and JointAngles and never computes an angle itself. The patient's
left side is drawn in orange and labelled L, the right in blue and labelled R, so a mirrored or
swapped side is obvious at a glance.

Labels sit on dark backings in lighter tints of the side colours, so they read over a bright sky as
over a dark room, and are laid out together so that no two overlap (a left and a right elbow close
together, arms crossed or side-on, used to print one label over the other).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rehab.core.landmarks import BONES, NAMES, landmark
from rehab.core.types import JointAngles, PoseFrame

LEFT_BGR = (0, 140, 255)
RIGHT_BGR = (255, 150, 0)
MIDDLE_BGR = (220, 220, 220)
TEXT_BGR = (255, 255, 255)
#: label text: lighter tints of the side colours, at least 4.5:1 against the label backing
LEFT_TEXT_BGR = (90, 175, 255)
RIGHT_TEXT_BGR = (255, 200, 120)
#: how much of the picture shows through a label's backing
BACKING_SHOWS = 0.2

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


@dataclass(frozen=True)
class Label:
    """One joint's angle labels: its lines, their colour, and the backing box (x0, y0, x1, y1)."""

    lines: tuple[str, ...]
    colour: tuple[int, int, int]
    box: tuple[int, int, int, int]


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def layout_labels(
    pose: PoseFrame,
    angles: JointAngles,
    size: tuple[int, int],
    keep_clear: tuple[tuple[int, int, int, int], ...] = (),
    min_visibility: float = 0.5,
) -> list[Label]:
    """Where each visible joint's angle labels go in a ``size`` (width, height) picture: beside the
    joint, on the side away from the body, moved up or down or across until the box touches no
    other label and nothing in ``keep_clear`` (the status panel)."""
    import cv2

    width, height = size
    if pose.image is None:
        return []
    scale = max(0.8, min(width, height) / 600)
    font_scale, pad = 0.5 * scale, max(3, int(4 * scale))
    line_h = cv2.getTextSize("Ag", cv2.FONT_HERSHEY_SIMPLEX, font_scale, 1)[0][1] + 2 * pad
    pixels = np.column_stack([pose.image[:, 0] * width, pose.image[:, 1] * height])
    seen = pose.visibility >= min_visibility
    trunk = [landmark(j, s) for j in ("shoulder", "hip") for s in ("left", "right")]
    middle = float(np.mean(pixels[trunk][seen[trunk], 0])) if seen[trunk].any() else width / 2
    placed: list[tuple[int, int, int, int]] = list(keep_clear)
    labels: list[Label] = []
    for side, tag in (("left", "L"), ("right", "R")):
        by_joint: dict[int, list[str]] = {}
        for motion, joint, short in _JOINT_LABELS:
            i = landmark(joint, side)
            value = angles.get(f"{motion}_{side}")
            if seen[i] and not math.isnan(value):
                by_joint.setdefault(i, []).append(f"{tag} {short} {_fmt(value)}")
        for i, lines in by_joint.items():
            w = max(cv2.getTextSize(line, cv2.FONT_HERSHEY_SIMPLEX, font_scale, 1)[0][0] for line in lines) + 2 * pad
            h = line_h * len(lines)
            x, y = int(pixels[i][0]), int(pixels[i][1])
            gap = max(6, int(8 * scale))
            right, left = x + gap, x - gap - w
            across = (right, left) if x >= middle else (left, right)
            box = None
            for step in range(2 * (height // max(1, line_h // 2)) + 1):
                # 0, +1, -1, +2, -2 ... half-lines from centred on the joint, each side in turn
                dy = (step + 1) // 2 * (1 if step % 2 else -1) * (line_h // 2)
                for x0 in across:
                    x0 = min(max(0, x0), width - w)
                    y0 = min(max(0, y - h // 2 + dy), height - h)
                    candidate = (x0, y0, x0 + w, y0 + h)
                    if not any(_overlap(candidate, other) for other in placed):
                        box = candidate
                        break
                if box is not None:
                    break
            if box is None:  # no free place in the whole picture: leave this joint unlabelled
                continue
            placed.append(box)
            labels.append(Label(tuple(lines), LEFT_TEXT_BGR if side == "left" else RIGHT_TEXT_BGR, box))
    return labels


def _draw_label(image: np.ndarray, label: Label, scale: float) -> None:
    import cv2

    x0, y0, x1, y1 = label.box
    backing = image[y0:y1, x0:x1]
    backing[:] = (backing * BACKING_SHOWS).astype(image.dtype)
    line_h = (y1 - y0) // len(label.lines)
    pad = max(3, int(4 * scale))
    for row, line in enumerate(label.lines):
        baseline = y0 + (row + 1) * line_h - pad
        cv2.putText(
            image, line, (x0 + pad, baseline), cv2.FONT_HERSHEY_SIMPLEX, 0.5 * scale, label.colour, 1, cv2.LINE_AA
        )


def draw_pose(
    image: np.ndarray, pose: PoseFrame, angles: JointAngles, status: str = "tracking", min_visibility: float = 0.5
) -> np.ndarray:
    """A copy of ``image`` (BGR) with the skeleton, angle labels and a status line drawn on it.
    ``status`` may hold several lines separated by newlines (tracking status, setup advice)."""
    import cv2

    out = image.copy()
    height, width = out.shape[:2]
    scale = max(0.8, min(width, height) / 600)
    lines = status.splitlines() + [f"{name.replace('_', ' ')} {_fmt(angles.get(name))}" for name in _PANEL]
    text_w = max(cv2.getTextSize(line, cv2.FONT_HERSHEY_SIMPLEX, 0.55 * scale, 1)[0][0] for line in lines)
    panel_box = (0, 0, min(width, text_w + 20), min(height, int((12 + len(lines) * 22) * scale)))
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
        for label in layout_labels(pose, angles, (width, height), (panel_box,), min_visibility):
            _draw_label(out, label, scale)
    # a dark panel keeps the trunk and neck numbers readable over any background
    panel = out[panel_box[1] : panel_box[3], panel_box[0] : panel_box[2]]
    panel[:] = (panel * BACKING_SHOWS).astype(out.dtype)
    for row, line in enumerate(lines):
        _text(out, line, (10, int((22 + row * 22) * scale)), TEXT_BGR, 0.55 * scale)
    return out

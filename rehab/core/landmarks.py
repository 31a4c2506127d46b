"""MediaPipe Pose landmark indices. Left and right are the patient's anatomical sides."""

from __future__ import annotations

import itertools

import numpy as np

NAMES: tuple[str, ...] = (
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
)

INDEX: dict[str, int] = {name: i for i, name in enumerate(NAMES)}

SIDES = ("left", "right")


def landmark(name: str, side: str | None = None) -> int:
    """Index of ``name`` (``landmark("shoulder", "left")`` or ``landmark("left_shoulder")``)."""
    return INDEX[f"{side}_{name}" if side else name]


#: bones drawn for a skeleton overlay
BONES: tuple[tuple[int, int], ...] = tuple(
    (INDEX[a], INDEX[b])
    for a, b in (
        ("left_shoulder", "right_shoulder"),
        ("left_hip", "right_hip"),
        ("left_shoulder", "left_hip"),
        ("right_shoulder", "right_hip"),
        ("left_shoulder", "left_elbow"),
        ("left_elbow", "left_wrist"),
        ("right_shoulder", "right_elbow"),
        ("right_elbow", "right_wrist"),
        ("left_hip", "left_knee"),
        ("left_knee", "left_ankle"),
        ("right_hip", "right_knee"),
        ("right_knee", "right_ankle"),
        ("left_ankle", "left_heel"),
        ("left_heel", "left_foot_index"),
        ("right_ankle", "right_heel"),
        ("right_heel", "right_foot_index"),
    )
)


#: left/right landmark pairs by the group MediaPipe swaps together (one camera can call the left arm
#: the right for a while); used to undo swaps over time and to agree sides between cameras
SWAP_GROUPS: dict[str, tuple[tuple[int, int], ...]] = {
    "head": ((1, 4), (2, 5), (3, 6), (7, 8), (9, 10)),
    "trunk": ((11, 12), (23, 24)),
    "arms": ((13, 14), (15, 16), (17, 18), (19, 20), (21, 22)),
    "knees": ((25, 26),),
    "feet": ((27, 28), (29, 30), (31, 32)),
}
#: every combination of groups swapped (True) or not, in ``SWAP_GROUPS`` order
SWAP_FLIPS = np.array(list(itertools.product((False, True), repeat=len(SWAP_GROUPS))))


def _permutation(flips: np.ndarray) -> np.ndarray:
    order = np.arange(33)
    for flipped, name in zip(flips, SWAP_GROUPS, strict=True):
        if flipped:
            for a, b in SWAP_GROUPS[name]:
                order[a], order[b] = b, a
    return order


#: the landmark order of every labelling in ``SWAP_FLIPS`` (row 0 is MediaPipe's own)
LABELLINGS = np.stack([_permutation(f) for f in SWAP_FLIPS])

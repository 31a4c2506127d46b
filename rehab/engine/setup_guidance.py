"""Before an exercise: is the patient placed so the camera can measure it? If not, say what to change.

Works on one PoseFrame (world landmarks for which way the body faces, image landmarks for what is in
the picture), so games and tests call it without a camera. Messages speak to the patient, in their
own left and right: a patient facing the camera sees the picture mirrored, so "move to your left"
is worked out from the side of the picture they are cut off at and the way they face.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from rehab.core.i18n import N_, _
from rehab.core.landmarks import landmark
from rehab.core.motions import BACK, FRONT, LEFT_SIDE, RIGHT_SIDE, motion_of, split_name
from rehab.core.types import PoseFrame
from rehab.engine.kinematics import MIN_VISIBILITY, BodyFrame

__all__ = ["BACK", "FRONT", "LEFT_SIDE", "RIGHT_SIDE", "SetupAdvice", "advise", "landmarks_for", "view_for"]

#: margin (normalised image units) a joint should keep from the picture's edge
EDGE_MARGIN = 0.03
#: a torso (shoulders to hips) shorter than this share of the picture height is too far away
MIN_TORSO_HEIGHT = 0.12


@dataclass(frozen=True)
class SetupAdvice:
    """``ok`` when tracking can start; ``view`` is how the patient stands to the camera;
    ``messages`` what to change, most important first."""

    ok: bool
    view: str
    facing_deg: float
    messages: tuple[str, ...]


def facing_angle(world: np.ndarray) -> float:
    """How far the body is turned from facing the camera, degrees: 0 facing it, +90 with the left
    side to the camera, -90 with the right side, 180 with the back to it."""
    forward = BodyFrame.from_points(world).forward
    # MediaPipe world z points away from the camera, so facing the camera is forward = -z
    # turning the left side to the camera swings the nose towards the picture's left (-x)
    return math.degrees(math.atan2(float(-forward[0]), float(-forward[2])))


def classify_view(facing_deg: float) -> str:
    a = abs(facing_deg)
    if a <= 35:
        return FRONT
    if a >= 145:
        return BACK
    if 55 <= a <= 125:
        return LEFT_SIDE if facing_deg > 0 else RIGHT_SIDE
    return "turned"  # half-way: neither view is good for measuring


def landmarks_for(angle_names: Iterable[str]) -> list[str]:
    """Landmark names needed to measure the given angles (``elbow_flexion_left``, ...)."""
    needed: list[str] = []
    for angle in angle_names:
        motion, side = motion_of(angle), split_name(angle)[1]
        sides = (side,) if side else ("left", "right")
        joints = (motion.joints or ()) if motion is not None else ()
        for joint in (*joints, "shoulder", "hip"):
            for s in sides:
                name = f"{s}_{joint}"
                if name not in needed:
                    needed.append(name)
    return needed


def view_for(angle_names: Iterable[str]) -> str | None:
    """The camera view the registry names for the motions measured, when they agree; None for any."""
    views = {m.view for m in map(motion_of, angle_names) if m is not None and m.measured_by_pose}
    return views.pop() if len(views) == 1 else None


def _turn_message(want: str, view: str) -> str:
    if want == FRONT:
        return _("turn to face the camera")
    return _("turn your left side to the camera") if want == LEFT_SIDE else _("turn your right side to the camera")


def advise(frame: PoseFrame, angles: Iterable[str] = (), view: str | None = None) -> SetupAdvice:
    """Check a frame against what an exercise needs: the ``angles`` it measures and the ``view``
    (FRONT, LEFT_SIDE, RIGHT_SIDE or None for any)."""
    if frame.world is None or frame.image is None:
        return SetupAdvice(False, "unknown", math.nan, (_("no one is in view: stand in front of the camera"),))
    facing = facing_angle(frame.world)
    seen_view = classify_view(facing)
    messages: list[str] = []
    image, vis = frame.image, frame.visibility

    needed = [landmark(n) for n in landmarks_for(angles)] or [
        landmark(n, s) for n in ("shoulder", "hip") for s in ("left", "right")
    ]
    xs, ys = image[needed, 0], image[needed, 1]
    low, high = EDGE_MARGIN, 1 - EDGE_MARGIN
    cut_top, cut_bottom = bool(np.any(ys < low)), bool(np.any(ys > high))
    cut_left, cut_right = bool(np.any(xs < low)), bool(np.any(xs > high))
    if cut_top or cut_bottom:
        messages.append(_("step back from the camera"))
    if cut_left != cut_right:
        # facing the camera, the patient's right side is at the picture's left edge: cut off there,
        # they must move to their own left. Side-on or from behind that does not hold, so we name
        # the middle of the picture instead.
        if seen_view == FRONT:
            messages.append(_("move a step to your left") if cut_left else _("move a step to your right"))
        else:
            messages.append(_("move towards the middle of the picture"))
    elif cut_left and cut_right:
        messages.append(_("step back from the camera"))

    torso = [landmark(n, s) for n in ("shoulder", "hip") for s in ("left", "right")]
    torso_height = abs(float(image[torso[:2], 1].mean() - image[torso[2:], 1].mean()))
    if torso_height < MIN_TORSO_HEIGHT and not messages:
        messages.append(_("come closer to the camera"))

    if view is not None and seen_view != view:
        messages.append(_turn_message(view, seen_view))

    hidden = [
        i for i in needed if vis[i] < MIN_VISIBILITY and low <= image[i, 0] <= high and low <= image[i, 1] <= high
    ]
    for i in hidden[:2]:
        joint = _(JOINT_WORDS.get(i, landmark_name(i)))
        messages.append(_("make sure your {joint} can be seen (nothing in front of it)").format(joint=joint))
    # messages dedupe, keep order
    unique = tuple(dict.fromkeys(messages))
    return SetupAdvice(ok=not unique, view=seen_view, facing_deg=facing, messages=unique)


#: the joints an exercise may need the camera to see, in words for the catalog (the others, never
#: asked for, keep their landmark names)
JOINT_WORDS: dict[int, str] = {
    landmark("left_shoulder"): N_("left shoulder"),
    landmark("right_shoulder"): N_("right shoulder"),
    landmark("left_elbow"): N_("left elbow"),
    landmark("right_elbow"): N_("right elbow"),
    landmark("left_wrist"): N_("left wrist"),
    landmark("right_wrist"): N_("right wrist"),
    landmark("left_hip"): N_("left hip"),
    landmark("right_hip"): N_("right hip"),
    landmark("left_knee"): N_("left knee"),
    landmark("right_knee"): N_("right knee"),
    landmark("left_ankle"): N_("left ankle"),
    landmark("right_ankle"): N_("right ankle"),
    landmark("left_ear"): N_("left ear"),
    landmark("right_ear"): N_("right ear"),
}


def landmark_name(index: int) -> str:
    from rehab.core.landmarks import NAMES

    return NAMES[index].replace("_", " ")

"""A picture of each movement, and of where to stand, for the instruction card.

The rules and the drawing are apart. ``movement_poses`` is pure: from a motion, a side and the
mirror setting it gives the stick figure's joints at the start and at the end of the movement (a
simple 3D body posed by joint angles, then seen from the motion's camera view) and the arrows that
show the way. ``draw_movement`` only draws what it returns.

Sides are clinical: the figure faces the viewer, so the patient's RIGHT limb is on the picture's
LEFT, unless ``mirror`` (the screen shows the patient as in a mirror: right limb on the right).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pygame

from rehab.core.i18n import _
from rehab.core.motions import BACK, FRONT, LEFT_SIDE, MOTIONS, RIGHT_SIDE, Motion
from rehab.engine.hud import font
from rehab.engine.palette import PALETTE, blend

Vec = tuple[float, float, float]
Point = tuple[float, float]

SIDES = ("left", "right")
#: the stick figure's bones, by joint name; sided joints are ``left_*`` / ``right_*``
_LIMBS = (
    ("shoulder", "elbow"),
    ("elbow", "wrist"),
    ("wrist", "hand"),
    ("hip", "knee"),
    ("knee", "ankle"),
    ("ankle", "toe"),
)
BONES: tuple[tuple[str, str], ...] = (
    ("neck", "pelvis"),
    *((("neck", f"{s}_shoulder")) for s in SIDES),
    *((("pelvis", f"{s}_hip")) for s in SIDES),
    *((f"{s}_{a}", f"{s}_{b}") for s in SIDES for a, b in _LIMBS),
)
#: body sizes, metres (a 1.7 m adult)
_HEAD_R = 0.11
_UPPER_ARM, _FOREARM, _HAND = 0.30, 0.26, 0.10
_THIGH, _SHIN, _FOOT = 0.45, 0.45, 0.14
#: the front view looks a little from above and from the exercised side, so a limb moving towards
#: or away from the camera (a knee bending back, an arm turning in) still shows in the picture
_FRONT_YAW_DEG, _PITCH_DEG = 22.0, 14.0


@dataclass(frozen=True)
class Figure:
    """One pose: each joint in 3D (metres; x to the patient's left, y up, z forwards) and where it
    falls in the picture (0..1 across and down; the body's midline is at 0.5 across)."""

    body: Mapping[str, Vec]
    points: Mapping[str, Point]
    #: the eyes on the camera's side of the head (the face shows which way the head turns)
    eyes: tuple[str, ...] = ()


@dataclass(frozen=True)
class MovementPoses:
    """What the movement picture shows."""

    motion: str
    side: str | None
    #: the camera's view the figure is seen from: FRONT, LEFT_SIDE or RIGHT_SIDE
    view: str
    start: Figure
    #: one end pose, or two for a movement both ways (a head turn to each side)
    ends: tuple[Figure, ...]
    #: the curved arrows (picture points, the head at the last point)
    arrows: tuple[tuple[Point, ...], ...]
    #: the joints the movement moves (the rest of the figure stays still)
    moved: frozenset[str]
    #: the head's size in the picture (0..1)
    head_radius: float
    #: a horizontal guide across the hips ("keep your hips level")
    level_line: float | None = None
    #: the movement could not be drawn as itself: a standing figure with no arrow
    generic: bool = False
    #: the joints drawn in the accent colour: the moved ones, or fewer where the whole body moves
    highlight: frozenset[str] = frozenset()


# --- vector helpers ---------------------------------------------------------------------------


def _add(a: Vec, b: Vec, k: float = 1.0) -> Vec:
    return (a[0] + k * b[0], a[1] + k * b[1], a[2] + k * b[2])


def _sub(a: Vec, b: Vec) -> Vec:
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2])


def _dot(a: Vec, b: Vec) -> float:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def _cross(a: Vec, b: Vec) -> Vec:
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def _unit(a: Vec) -> Vec:
    n = math.sqrt(_dot(a, a)) or 1.0
    return (a[0] / n, a[1] / n, a[2] / n)


def _mix(a: Vec, b: Vec, cos_k: float, sin_k: float) -> Vec:
    return (cos_k * a[0] + sin_k * b[0], cos_k * a[1] + sin_k * b[1], cos_k * a[2] + sin_k * b[2])


def _perp(v: Vec, to: Vec) -> Vec:
    """``v`` made perpendicular to the unit vector ``to``."""
    return _unit(_add(v, to, -_dot(v, to)))


def _rot_x(v: Vec, deg: float) -> Vec:
    """About the left-right axis: positive turns up into forwards (and down into backwards)."""
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return (v[0], v[1] * c - v[2] * s, v[1] * s + v[2] * c)


def _rot_y(v: Vec, deg: float) -> Vec:
    """About the vertical: positive turns forwards towards the patient's left."""
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return (v[0] * c + v[2] * s, v[1], -v[0] * s + v[2] * c)


def _rot_z(v: Vec, deg: float) -> Vec:
    """About the forward axis: positive tips up towards the patient's right."""
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return (v[0] * c - v[1] * s, v[0] * s + v[1] * c, v[2])


# --- the body ---------------------------------------------------------------------------------


def _legs(a: Callable[[str], float], pelvis: Vec) -> dict[str, Vec]:
    """Hips, knees, ankles and toes of both legs, posed by ``a`` (an angle by name)."""
    joints: dict[str, Vec] = {}
    for side, out in (("left", 1.0), ("right", -1.0)):
        hip = _add(pelvis, _rot_z((out * 0.10, 0.0, 0.0), -a("pelvis_tilt")))
        down: Vec = (0.0, -1.0, 0.0)
        thigh = _rot_x(down, -a(f"hip_flexion_{side}"))
        spread = math.radians(a(f"hip_out_{side}"))
        thigh = _unit((out * math.sin(spread), thigh[1] * math.cos(spread), thigh[2] * math.cos(spread)))
        knee = _add(hip, thigh, _THIGH)
        shin = _rot_x(thigh, a(f"knee_{side}"))
        ankle = _add(knee, shin, _SHIN)
        foot = _rot_x(shin, -(90.0 + a(f"ankle_up_{side}")))
        joints.update({f"{side}_hip": hip, f"{side}_knee": knee, f"{side}_ankle": ankle})
        joints[f"{side}_toe"] = _add(ankle, foot, _FOOT)
    return joints


def body_pose(angles: Mapping[str, float]) -> dict[str, Vec]:
    """The joints of a standing adult posed by ``angles`` (degrees; missing ones 0): per side
    ``shoulder_plane`` (0 out to the side, 90 forwards, -90 backwards) and ``shoulder_raise``,
    ``shoulder_turn_out`` (external rotation), ``elbow``, ``forearm_turn`` (0 palm up, 90 thumb up,
    180 palm down), ``wrist`` (towards the palm), ``hip_flexion``, ``hip_out``, ``knee``, ``ankle_up``;
    ``trunk_lean`` (forwards); ``trunk_bend`` / ``trunk_turn`` / ``neck_turn`` / ``neck_tilt``
    (towards the patient's right), ``neck_bend`` (chin down), ``pelvis_tilt`` (right hip up)."""

    def a(name: str) -> float:
        return angles.get(name, 0.0)

    pelvis: Vec = (0.0, 0.95, 0.0)
    joints: dict[str, Vec] = {"pelvis": pelvis, **_legs(a, pelvis)}

    # the chest's front, not drawn: the arrow of a turning trunk runs round it
    upper: dict[str, Vec] = {"neck": (0.0, 0.50, 0.0), "chest": (0.0, 0.40, 0.12)}
    for side, out in (("left", 1.0), ("right", -1.0)):
        shoulder: Vec = (out * 0.19, 0.48, 0.0)
        plane, raise_ = math.radians(a(f"shoulder_plane_{side}")), math.radians(a(f"shoulder_raise_{side}"))
        arm = (out * math.sin(raise_) * math.cos(plane), -math.cos(raise_), math.sin(raise_) * math.sin(plane))
        elbow = _add(shoulder, arm, _UPPER_ARM)
        turn_out = math.radians(a(f"shoulder_turn_out_{side}"))
        bend = _perp((out * math.sin(turn_out), 0.0, math.cos(turn_out)), arm)
        flex = math.radians(a(f"elbow_{side}"))
        forearm = _mix(arm, bend, math.cos(flex), math.sin(flex))
        wrist = _add(elbow, forearm, _FOREARM)
        palm_up = _perp(_mix(bend, arm, math.cos(flex), -math.sin(flex)), forearm)
        inwards = _perp(_perp((-out, 0.0, 0.0), forearm), palm_up)
        turn = math.radians(a(f"forearm_turn_{side}"))
        palm = _mix(palm_up, inwards, math.cos(turn), math.sin(turn))
        bend_wrist = math.radians(a(f"wrist_{side}"))
        hand = _mix(forearm, palm, math.cos(bend_wrist), math.sin(bend_wrist))
        upper.update({f"{side}_shoulder": shoulder, f"{side}_elbow": elbow, f"{side}_wrist": wrist})
        upper[f"{side}_hand"] = _add(wrist, hand, _HAND)
        # the thumb side of the hand: it shows a forearm turning
        upper[f"{side}_thumb"] = _add(wrist, _cross(forearm, palm), -out * 0.09)

    def head_turned(v: Vec) -> Vec:
        return _rot_z(_rot_x(_rot_y(v, -a("neck_turn")), a("neck_bend")), a("neck_tilt"))

    neck = upper["neck"]
    upper["head"] = _add(neck, head_turned((0.0, 0.17, 0.0)))
    upper["head_top"] = _add(neck, head_turned((0.0, 0.17 + _HEAD_R, 0.0)))
    upper["nose"] = _add(neck, head_turned((0.0, 0.17, _HEAD_R)))
    for side, out in (("left", 1.0), ("right", -1.0)):
        upper[f"{side}_eye"] = _add(neck, head_turned((out * 0.045, 0.19, _HEAD_R * 0.85)))
    for name, v in upper.items():
        joints[name] = _add(pelvis, _rot_z(_rot_y(_rot_x(v, a("trunk_lean")), -a("trunk_turn")), a("trunk_bend")))
    return joints


def joint_angle(body: Mapping[str, Vec], a: str, b: str, c: str) -> float:
    """The bend at ``b`` between the bones to ``a`` and ``c``, degrees (0 straight)."""
    u, v = _unit(_sub(body[a], body[b])), _unit(_sub(body[c], body[b]))
    return 180.0 - math.degrees(math.acos(max(-1.0, min(1.0, _dot(u, v)))))


# --- the movements ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Move:
    """A movement as joint angles: the start, the change, the arrow (the path of ``tip`` round
    ``pivot``, pushed out by ``reach`` so it runs beside the limb) and, for a side view, which."""

    start: Mapping[str, float]
    change: Mapping[str, float]
    tip: str
    pivot: str
    reach: float = 1.3
    view: str | None = None
    #: how far the front view turns round, degrees, so a limb moving forwards (negative:
    #: backwards) swings out beside the body rather than straight at the camera
    turn: float = _FRONT_YAW_DEG
    #: how far the camera looks down, degrees: steeper for a turn about the body's long axis
    pitch: float = 14.0
    #: what the picture frames: the whole ``body``, or closer (the ``head`` and shoulders, the
    #: ``trunk``, the ``legs``), so a small movement of the head, a wrist or an ankle still shows
    frame: str = "body"
    #: the feet stay on the floor: the body is lowered as the legs bend (a squat)
    grounded: bool = False
    #: the joints to draw in the accent colour when not all the moved ones (a squat's legs)
    highlight: frozenset[str] | None = None
    #: where the camera stands round the patient, degrees, when the view alone does not say (a
    #: squat, both legs alike, is clearest from the side)
    yaw: float | None = None


def _elbow_bent_forwards(extra: Mapping[str, float] | None = None) -> dict[str, float]:
    return {"elbow_S": 90.0, "shoulder_raise_S": 5.0, **(extra or {})}


#: a picture that is not one motion of the table: a mini-squat, both legs
SQUAT = "squat"
_PICTURED_ONLY = {SQUAT: Motion(SQUAT, "squat", sided=False)}


def _moves(rom: Mapping[str, float]) -> dict[str, _Move]:
    """Every movement; ``S`` in an angle name is the exercised side. End angles are the motion's
    normal range where it draws clearly, and less where a full range would hide the limb (a knee
    bent to 135 degrees puts the foot behind the thigh)."""
    # the table is in three parts only to keep each function short enough to read
    return {**_moves_part_1(rom), **_moves_part_2(rom), **_moves_part_3(rom)}


def _moves_part_1(rom: Mapping[str, float]) -> dict[str, _Move]:
    return {
        "elbow_flexion": _Move(
            # the upper arm turned out, so the forearm bends up beside the body, not at the camera
            {"shoulder_raise_S": 30.0, "shoulder_turn_out_S": 90.0},
            {"elbow_S": rom["elbow_flexion"]},
            "S_hand",
            "S_elbow",
        ),
        "knee_flexion": _Move({}, {"knee_S": 90.0}, "S_ankle", "S_knee", turn=-45.0),
        "hip_flexion": _Move({}, {"hip_flexion_S": 90.0, "knee_S": 90.0}, "S_knee", "S_hip", 1.25, turn=45.0),
        "shoulder_elevation": _Move(
            {"shoulder_plane_S": 30.0}, {"shoulder_raise_S": 170.0}, "S_hand", "S_shoulder", 1.1
        ),
        "shoulder_flexion": _Move(
            {"shoulder_plane_S": 90.0}, {"shoulder_raise_S": 170.0}, "S_hand", "S_shoulder", 1.1, turn=40.0
        ),
        "shoulder_abduction": _Move({}, {"shoulder_raise_S": 170.0}, "S_hand", "S_shoulder", 1.1),
        "trunk_lateral_flexion": _Move({}, {"trunk_bend": 30.0}, "head_top", "pelvis", 1.08),
        # the hands held out in front turn with the trunk: they show the turn better than the shoulders
        "trunk_rotation": _Move(
            {"elbow_left": 90.0, "elbow_right": 90.0}, {"trunk_turn": 45.0}, "chest", "neck", 2.4, pitch=30.0
        ),
        "cervical_rotation": _Move({}, {"neck_turn": 70.0}, "nose", "head", 1.8, pitch=35.0, frame="head"),
        "cervical_lateral_flexion": _Move({}, {"neck_tilt": 40.0}, "head_top", "neck", 1.25, frame="head"),
        "shoulder_extension": _Move(
            {"shoulder_plane_S": -90.0}, {"shoulder_raise_S": rom["shoulder_extension"]}, "S_hand", "S_shoulder", 1.1
        ),
    }


def _moves_part_2(rom: Mapping[str, float]) -> dict[str, _Move]:
    return {
        "shoulder_internal_rotation": _Move(
            _elbow_bent_forwards(), {"shoulder_turn_out_S": -60.0}, "S_wrist", "S_elbow", 1.3
        ),
        "shoulder_external_rotation": _Move(
            _elbow_bent_forwards(), {"shoulder_turn_out_S": 80.0}, "S_wrist", "S_elbow", 1.3
        ),
        "wrist_pronation": _Move(
            _elbow_bent_forwards({"forearm_turn_S": 90.0}),
            {"forearm_turn_S": 80.0},
            "S_thumb",
            "S_wrist",
            1.5,
            frame="trunk",
        ),
        "wrist_supination": _Move(
            _elbow_bent_forwards({"forearm_turn_S": 90.0}),
            {"forearm_turn_S": -80.0},
            "S_thumb",
            "S_wrist",
            1.5,
            frame="trunk",
        ),
        "wrist_flexion": _Move(
            _elbow_bent_forwards({"forearm_turn_S": 180.0}),
            {"wrist_S": 70.0},
            "S_hand",
            "S_wrist",
            1.8,
            "side",
            frame="trunk",
        ),
        "wrist_extension": _Move(
            _elbow_bent_forwards({"forearm_turn_S": 180.0}),
            {"wrist_S": -65.0},
            "S_hand",
            "S_wrist",
            1.8,
            "side",
            frame="trunk",
        ),
    }


def _moves_part_3(rom: Mapping[str, float]) -> dict[str, _Move]:
    return {
        "hip_extension": _Move({}, {"hip_flexion_S": -rom["hip_extension"]}, "S_ankle", "S_hip", 1.05),
        "hip_abduction": _Move({}, {"hip_out_S": 40.0}, "S_ankle", "S_hip", 1.05),
        # the foot off the floor, so the ankle can move both ways
        "ankle_dorsiflexion": _Move(
            {"hip_flexion_S": 30.0, "knee_S": 30.0}, {"ankle_up_S": 30.0}, "S_toe", "S_ankle", 1.6, "side", frame="legs"
        ),
        "ankle_plantarflexion": _Move(
            {"hip_flexion_S": 30.0, "knee_S": 30.0},
            {"ankle_up_S": -45.0},
            "S_toe",
            "S_ankle",
            1.6,
            "side",
            frame="legs",
        ),
        # not a motion of the table: what the squat game asks, both knees and hips bending together
        SQUAT: _Move(
            {"shoulder_plane_left": 90.0, "shoulder_plane_right": 90.0},
            {
                **{
                    f"{j}_{s}": v for s in SIDES for j, v in (("knee", 70.0), ("hip_flexion", 55.0), ("ankle_up", 25.0))
                },
                "trunk_lean": 30.0,
                "shoulder_raise_left": 80.0,
                "shoulder_raise_right": 80.0,
            },
            "pelvis",
            "left_ankle",
            1.0,
            grounded=True,
            yaw=75.0,
            highlight=frozenset({"pelvis", *(f"{s}_{j}" for s in SIDES for j in ("hip", "knee", "ankle", "toe"))}),
        ),
        "cervical_flexion": _Move({}, {"neck_bend": rom["cervical_flexion"]}, "nose", "neck", 1.5, frame="head"),
        "cervical_extension": _Move({}, {"neck_bend": -rom["cervical_extension"]}, "nose", "neck", 1.5, frame="head"),
    }


def picture_of(motion: str, also: tuple[str, ...] = ()) -> str:
    """The movement to picture for a game or exercise whose main motion is ``motion`` and that also
    reads ``also``: knee flexion read with hip flexion is a squat (both legs), not one knee bending."""
    if motion == "knee_flexion" and "hip_flexion" in also:
        return SQUAT
    return motion


#: the joints a closer picture keeps in view (the rest of the body runs off the picture's edge)
_HEAD_AND_SHOULDERS = frozenset(
    {"neck", "head", "head_top", "nose", "left_eye", "right_eye", "left_shoulder", "right_shoulder"}
)
_FRAMES: dict[str, frozenset[str] | None] = {
    "body": None,
    "head": _HEAD_AND_SHOULDERS,
    "trunk": _HEAD_AND_SHOULDERS | {"pelvis", "left_hip", "right_hip", "left_elbow", "right_elbow"},
    "legs": frozenset({f"{s}_{j}" for s in SIDES for j in ("hip", "knee", "ankle", "toe")}),
}

_ROM = {name: motion.normal_rom_deg or 0.0 for name, motion in MOTIONS.items()}
_MOVES = _moves(_ROM)


def _sided(angles: Mapping[str, float], side: str) -> dict[str, float]:
    return {name.replace("_S", f"_{side}"): value for name, value in angles.items()}


def _joint(name: str, side: str) -> str:
    return name.replace("S_", f"{side}_")


def _view_of(motion: Motion, move: _Move | None, side: str | None) -> str:
    """The motion's camera view; a side view shows the exercised side (a right shoulder moving
    back is seen from the right). Wrist and ankle bends, which the camera does not measure, are
    seen from the side, where they move."""
    view = motion.view if move is None or move.view is None else LEFT_SIDE
    if view in (LEFT_SIDE, RIGHT_SIDE) and side in SIDES:
        return LEFT_SIDE if side == "left" else RIGHT_SIDE
    return view


def _yaw(view: str, side: str | None, turn: float = _FRONT_YAW_DEG) -> float:
    """Where the camera stands round the patient, degrees (0 in front, 90 at their left)."""
    if view == LEFT_SIDE:
        return 80.0  # not quite 90: the far arm and leg peep out behind the near ones
    if view == RIGHT_SIDE:
        return -80.0
    if view == BACK:
        return 180.0
    # seen a little from the other side, a limb moving forwards swings out, clear of the body
    return {"left": -turn, "right": turn}.get(side or "", 0.0)


def _project(v: Vec, yaw: float, pitch: float, mirror: bool) -> Point:
    """The camera's picture of a point: x to the picture's right, y down (metres, unscaled)."""
    t, p = math.radians(yaw), math.radians(pitch)
    across = v[0] * math.cos(t) - v[2] * math.sin(t)  # the camera's right is the patient's left
    towards = v[0] * math.sin(t) + v[2] * math.cos(t)
    return (-across if mirror else across, -v[1] * math.cos(p) + towards * math.sin(p))


def _bodies_in_3d(
    motion: Motion, move: _Move | None, side: str | None
) -> tuple[dict[str, Vec], list[dict[str, Vec]], list[list[Vec]]]:
    """The start pose, the end pose (one each way for a two-way motion shown both ways) and the
    path of the moving tip from start to end, in 3D."""
    both_ways = move is not None and motion.two_sided and side is None
    start_angles = _sided(move.start, side) if move and side else dict(move.start if move else {})

    def angles_at(share: float, direction: float) -> dict[str, float]:
        assert move is not None
        change = _sided(move.change, side) if side else dict(move.change)
        if not motion.sided and side == "left":
            direction = -direction  # two-way motions are positive towards the patient's right
        return {k: start_angles.get(k, 0.0) + direction * share * change.get(k, 0.0) for k in {*start_angles, *change}}

    directions = (1.0, -1.0) if both_ways else (1.0,)

    def posed(angles: Mapping[str, float]) -> dict[str, Vec]:
        body = body_pose(angles)
        if move is None or not move.grounded:
            return body
        # the feet where they stood: the hips go down and back
        stood, now = body_pose({})["left_ankle"], body["left_ankle"]
        shift = (0.0, stood[1] - now[1], stood[2] - now[2])
        return {k: _add(v, shift) for k, v in body.items()}

    start_body = posed(start_angles)
    end_bodies = [posed(angles_at(1.0, d)) for d in directions] if move else []
    paths: list[list[Vec]] = []
    if move is not None:
        tip, pivot = _joint(move.tip, side or ""), _joint(move.pivot, side or "")
        for d in directions:
            steps = [posed(angles_at(i / 16, d)) for i in range(17)]
            paths.append([_add(b[pivot], _sub(b[tip], b[pivot]), move.reach) for b in steps])
    return start_body, end_bodies, paths


def _framing(
    flat: Mapping[str, Mapping[str, Point]], arrows: list[list[Point]], framed: frozenset[str] | None
) -> tuple[float, float]:
    """One scale for every pose, and the height to centre: the body's midline in the middle of the
    picture (only the joints in ``framed`` count when it is given: a close-up of the head)."""
    xs = [abs(x) for pose in flat.values() for k, (x, _y) in pose.items() if framed is None or k in framed]
    ys = [y for pose in flat.values() for k, (_x, y) in pose.items() if framed is None or k in framed]
    xs += [abs(x) for a in arrows for x, _y in a]
    ys += [y for a in arrows for _x, y in a]
    top, bottom = min(ys) - _HEAD_R, max(ys)
    return 0.92 / max(2 * (max(xs) + _HEAD_R), bottom - top), (top + bottom) / 2


def movement_poses(motion_name: str, side: str | None, mirror: bool = False) -> MovementPoses:
    """The movement picture of one motion on one side (None for a motion without one, or to show
    a two-way motion both ways). An unknown motion gives a standing figure marked generic."""
    motion = MOTIONS.get(motion_name) or _PICTURED_ONLY.get(motion_name) or Motion(motion_name, motion_name)
    move = _MOVES.get(motion_name)
    # a side names the limb, or the way a two-way movement goes; other movements have none
    side = side if side in SIDES and (motion.sided or motion.two_sided) else None
    if move is not None and motion.sided and side is None:
        side = "right"  # a sided motion named without its side: the picture must pick one
    view = _view_of(motion, move, side)
    yaw = _yaw(view, side if motion.sided else None, move.turn if move else _FRONT_YAW_DEG)
    if move is not None and move.yaw is not None:
        yaw = move.yaw
    pitch = move.pitch if move else _PITCH_DEG
    start_body, end_bodies, paths = _bodies_in_3d(motion, move, side)
    flat = {
        "start": {k: _project(v, yaw, pitch, mirror) for k, v in start_body.items()},
        **{f"end{i}": {k: _project(v, yaw, pitch, mirror) for k, v in b.items()} for i, b in enumerate(end_bodies)},
    }
    arrows = [[_project(v, yaw, pitch, mirror) for v in path] for path in paths]
    scale, middle = _framing(flat, arrows, _FRAMES.get(move.frame if move else "body"))

    def place(p: Point) -> Point:
        return (0.5 + p[0] * scale, 0.5 + (p[1] - middle) * scale)

    camera = (math.sin(math.radians(yaw)), 0.0, math.cos(math.radians(yaw)))

    def figure(body: Mapping[str, Vec], key: str) -> Figure:
        eyes = tuple(e for e in ("left_eye", "right_eye") if _dot(_sub(body[e], body["head"]), camera) > 0.03)
        return Figure(body=dict(body), points={k: place(p) for k, p in flat[key].items()}, eyes=eyes)

    start = figure(start_body, "start")
    ends = tuple(figure(b, f"end{i}") for i, b in enumerate(end_bodies)) or (start,)
    moved = frozenset(
        k
        for k in start.body
        for end in ends
        if max(abs(s - e) for s, e in zip(start.body[k], end.body[k], strict=True)) > 1e-6
    )
    level = None
    if motion_name == "pelvic_obliquity":
        level = start.points["left_hip"][1]
    return MovementPoses(
        motion=motion_name,
        side=side,
        view=view,
        start=start,
        ends=ends,
        arrows=tuple(tuple(place(p) for p in a) for a in arrows),
        moved=moved,
        highlight=moved if move is None or move.highlight is None else move.highlight,
        head_radius=_HEAD_R * scale,
        level_line=level,
        generic=move is None and level is None,
    )


# --- drawing ----------------------------------------------------------------------------------


def _square(rect: pygame.Rect) -> tuple[float, float, float]:
    """The drawing square inside ``rect``: left, top, side."""
    side = min(rect.width, rect.height)
    return rect.x + (rect.width - side) / 2, rect.y + (rect.height - side) / 2, side


def _draw_figure(
    surface: pygame.Surface,
    figure: Figure,
    px: Callable[[Point], tuple[int, int]],
    width: int,
    head_px: int,
    color: tuple[int, int, int],
    moved_color: tuple[int, int, int],
    moved: frozenset[str],
    thumbs: tuple[str, ...] = (),
) -> None:
    for side in thumbs:  # only where the forearm turns: the thumb shows which way the hand faces
        pygame.draw.line(
            surface, moved_color, px(figure.points[f"{side}_wrist"]), px(figure.points[f"{side}_thumb"]), width
        )
    for a, b in BONES:
        paint = moved_color if a in moved and b in moved or b in moved and a not in ("neck", "pelvis") else color
        pygame.draw.line(surface, paint, px(figure.points[a]), px(figure.points[b]), width)
        for joint in (a, b):
            pygame.draw.circle(surface, paint, px(figure.points[joint]), max(1, width // 2))
    neck, head = px(figure.points["neck"]), px(figure.points["head"])
    head_paint = moved_color if "head" in moved and "neck" not in moved else color
    pygame.draw.line(surface, color, neck, head, width)
    pygame.draw.circle(surface, PALETTE.background_top, head, head_px)
    pygame.draw.circle(surface, head_paint, head, head_px, max(2, width * 2 // 3))
    nose = px(figure.points["nose"])
    reach = math.dist(nose, head)
    if reach > head_px * 0.45:  # the face turned away from the camera: a nose shows the way it looks

        def along(share: float) -> tuple[int, int]:
            return (round(head[0] + (nose[0] - head[0]) * share), round(head[1] + (nose[1] - head[1]) * share))

        pygame.draw.line(surface, head_paint, along(head_px / reach), along((head_px + 1.5 * width) / reach), width)
    for eye in figure.eyes:
        pygame.draw.circle(surface, head_paint, px(figure.points[eye]), max(2, width // 2))


def _draw_arrow(
    surface: pygame.Surface, points: list[tuple[int, int]], color: tuple[int, int, int], width: int
) -> None:
    if len(points) < 2 or points[0] == points[-1]:
        return
    length = sum(math.dist(a, b) for a, b in itertools.pairwise(points))
    head = max(4.0, min(width * 3.0, length / 3))
    # stop the line short of the tip so the head's point stays sharp
    tip = points[-1]
    back = next((p for p in reversed(points[:-1]) if math.dist(p, tip) >= head), points[0])
    line = [p for p in points if math.dist(p, tip) >= head * 0.8] or [points[0]]
    if len(line) >= 2:
        pygame.draw.lines(surface, color, False, line, width)
    dx, dy = tip[0] - back[0], tip[1] - back[1]
    n = math.hypot(dx, dy) or 1.0
    ux, uy = dx / n, dy / n
    base = (tip[0] - ux * head * 1.4, tip[1] - uy * head * 1.4)
    left = (base[0] - uy * head, base[1] + ux * head)
    right = (base[0] + uy * head, base[1] - ux * head)
    pygame.draw.line(surface, color, line[-1], base, width)
    pygame.draw.polygon(surface, color, [tip, left, right])


def draw_movement(
    surface: pygame.Surface, rect: pygame.Rect, motion_name: str, side: str | None, mirror: bool = False
) -> None:
    """The movement in ``rect``: the start pose dimmed, the end pose bright, the moving limb in the
    accent colour, a curved arrow the way it goes. Nothing is drawn outside ``rect``."""
    poses = movement_poses(motion_name, side, mirror)
    left, top, size = _square(rect)
    width = max(2, int(size / 34))
    pad = width * 2 + 2
    inner = size - 2 * pad

    def to_px(p: Point) -> tuple[int, int]:
        return (round(left + pad + p[0] * inner), round(top + pad + p[1] * inner))

    head_px = max(3, round(poses.head_radius * inner))
    dim = blend(PALETTE.background_top, PALETTE.muted, 0.45)
    old_clip = surface.get_clip()
    surface.set_clip(rect.clip(old_clip) if old_clip else rect)
    try:
        thumbs = tuple(s for s in SIDES if f"{s}_thumb" in poses.moved)
        _draw_figure(surface, poses.start, to_px, width, head_px, dim, dim, frozenset(), thumbs)
        for end in poses.ends:
            _draw_figure(surface, end, to_px, width, head_px, PALETTE.text, PALETTE.accent, poses.highlight, thumbs)
        if poses.level_line is not None:
            y = to_px((0.0, poses.level_line))[1]
            pygame.draw.line(surface, PALETTE.target, (left + pad, y), (left + size - pad, y), max(2, width // 2))
        for arrow in poses.arrows:
            _draw_arrow(surface, [to_px(p) for p in arrow], PALETTE.target, max(2, width * 2 // 3))
    finally:
        surface.set_clip(old_clip)


# --- where to stand ---------------------------------------------------------------------------

#: how far from the camera the patient stands, metres: far enough for the whole body to be in
#: the picture of a laptop's camera
STAND_DISTANCE_M = 2.0


@dataclass(frozen=True)
class StandSketch:
    """The where-to-stand sketch seen from above, in metres: the camera at (0, 0) looking down the
    picture's y axis (y grows away from the camera), the patient at ``patient``, facing
    ``facing`` (a unit vector in the same axes: (0, -1) faces the camera)."""

    patient: tuple[float, float]
    facing: tuple[float, float]
    seated: bool
    #: the camera's field of view, half-angle, degrees
    half_view_deg: float = 30.0


def stand_sketch(view: str, seated: bool) -> StandSketch:
    """Facing the camera for a front view; for a side view the side named towards the camera (a
    patient seen from the left faces the camera's left, the picture's left); the back for BACK."""
    facing = {FRONT: (0.0, -1.0), LEFT_SIDE: (-1.0, 0.0), RIGHT_SIDE: (1.0, 0.0), BACK: (0.0, 1.0)}.get(
        view, (0.0, -1.0)
    )
    return StandSketch(patient=(0.0, STAND_DISTANCE_M), facing=facing, seated=seated)


def draw_where_to_stand(surface: pygame.Surface, rect: pygame.Rect, view: str, seated: bool) -> None:
    """A small map seen from above: the laptop and its camera at the bottom, the patient about
    2 m away at the top, facing the camera or side-on, inside the camera's view."""
    sketch = stand_sketch(view, seated)
    left, top, size = _square(rect)
    width = max(2, int(size / 60))
    # metres to pixels: the laptop at the bottom, the patient (and a chair behind) near the top
    span = STAND_DISTANCE_M + 1.2
    scale = size / span

    def px(x: float, y: float) -> tuple[int, int]:
        return (round(left + size / 2 + x * scale), round(top + size - 0.35 * scale - y * scale))

    old_clip = surface.get_clip()
    surface.set_clip(rect.clip(old_clip) if old_clip else rect)
    try:
        _draw_camera_and_view(surface, px, sketch, scale, width)
        _draw_distance(surface, px, size, width)
        _draw_patient_from_above(surface, px, sketch, scale, width)
    finally:
        surface.set_clip(old_clip)


def _draw_camera_and_view(
    surface: pygame.Surface,
    px: Callable[[float, float], tuple[int, int]],
    sketch: StandSketch,
    scale: float,
    width: int,
) -> None:
    """The camera's field of view (the patient well inside it) and the laptop with its camera."""
    # the camera's view: the patient is well inside it
    reach = STAND_DISTANCE_M + 0.8
    spread = math.tan(math.radians(sketch.half_view_deg)) * reach
    cone = [px(0, 0), px(-spread, reach), px(spread, reach)]
    pygame.draw.polygon(surface, blend(PALETTE.background_top, PALETTE.accent, 0.25), cone)
    # the laptop: its base towards the bottom, the screen and camera facing the patient
    pygame.draw.rect(
        surface,
        PALETTE.metal,
        pygame.Rect(*px(-0.2, -0.02), round(0.4 * scale), round(0.25 * scale)),
        border_radius=3,
    )
    pygame.draw.line(surface, PALETTE.text, px(-0.2, 0.0), px(0.2, 0.0), width * 2)
    pygame.draw.circle(surface, PALETTE.accent, px(0, 0.0), max(3, width * 2))


def _draw_distance(
    surface: pygame.Surface, px: Callable[[float, float], tuple[int, int]], size: float, width: int
) -> None:
    """A two-headed arrow beside the map, labelled about 2 m when the label fits."""
    # about 2 m between them
    x_line = -0.75
    a, b = px(x_line, 0.05), px(x_line, STAND_DISTANCE_M - 0.05)
    pygame.draw.line(surface, PALETTE.target, a, b, max(1, width // 2 + 1))
    for end, way in ((a, 1), (b, -1)):
        h = max(4, width * 3)
        pygame.draw.polygon(
            surface,
            PALETTE.target,
            [end, (end[0] - h, end[1] - way * h * 1.4), (end[0] + h, end[1] - way * h * 1.4)],
        )
    label = _("about 2 m")
    face = font(36)
    if face.get_height() < size / 5:
        image = face.render(label, True, PALETTE.target)
        spot = image.get_rect(midleft=(a[0] + width * 3, (a[1] + b[1]) // 2))
        surface.blit(image, spot)


def _draw_patient_from_above(
    surface: pygame.Surface,
    px: Callable[[float, float], tuple[int, int]],
    sketch: StandSketch,
    scale: float,
    width: int,
) -> None:
    """The patient seen from above (and the chair behind a seated one): feet ahead, shoulders across,
    a head with a nose the way they face."""
    fx, fy = sketch.facing
    sx, sy = -fy, fx  # across the shoulders
    ox, oy = sketch.patient
    # the chair behind a seated patient
    if sketch.seated:
        seat = [
            px(ox - fx * 0.05 + sx * u - fx * v, oy - fy * 0.05 + sy * u - fy * v)
            for u, v in ((-0.23, -0.2), (0.23, -0.2), (0.23, 0.26), (-0.23, 0.26))
        ]
        pygame.draw.polygon(surface, PALETTE.wood, seat)
        back = (
            px(ox - fx * 0.32 - sx * 0.25, oy - fy * 0.32 - sy * 0.25),
            px(ox - fx * 0.32 + sx * 0.25, oy - fy * 0.32 + sy * 0.25),
        )
        pygame.draw.line(surface, PALETTE.wood_dark, *back, width * 3)
    # the patient from above: feet ahead, shoulders across, head with a nose the way they face
    feet_ahead = 0.42 if sketch.seated else 0.26
    for u in (-0.11, 0.11):
        heel = px(ox + fx * (feet_ahead - 0.1) + sx * u, oy + fy * (feet_ahead - 0.1) + sy * u)
        toe = px(ox + fx * feet_ahead + sx * u, oy + fy * feet_ahead + sy * u)
        pygame.draw.line(surface, PALETTE.muted, heel, toe, max(3, round(0.08 * scale)))
    shoulders = (px(ox - sx * 0.22, oy - sy * 0.22), px(ox + sx * 0.22, oy + sy * 0.22))
    pygame.draw.line(surface, PALETTE.accent, *shoulders, max(3, round(0.14 * scale)))
    for end in shoulders:
        pygame.draw.circle(surface, PALETTE.accent, end, max(2, round(0.07 * scale)))
    head = px(ox, oy)
    head_r = max(4, round(0.11 * scale))
    nose = [
        px(ox + fx * 0.19, oy + fy * 0.19),
        px(ox + fx * 0.05 + sx * 0.06, oy + fy * 0.05 + sy * 0.06),
        px(ox + fx * 0.05 - sx * 0.06, oy + fy * 0.05 - sy * 0.06),
    ]
    pygame.draw.polygon(surface, PALETTE.text, nose)
    pygame.draw.circle(surface, PALETTE.text, head, head_r)


# --- on the instruction card ------------------------------------------------------------------

#: the pictures' largest and smallest side on the instruction card, pixels; below the smallest a
#: picture would be too small to read and the card shows none
CARD_PICTURE_MAX, CARD_PICTURE_MIN = 220, 90
_CARD_GAP = 12


def card_picture_rects(size: tuple[int, int], text_bottom: int, status_top: int, count: int) -> list[pygame.Rect]:
    """Where ``count`` pictures go on the instruction card: side by side, centred, in the room
    between the last line of text and the status lines, never over either; none if too small."""
    room = status_top - text_bottom - 2 * _CARD_GAP
    side = min(CARD_PICTURE_MAX, room, (size[0] - (count + 1) * 3 * _CARD_GAP) // max(count, 1))
    if count < 1 or side < CARD_PICTURE_MIN:
        return []
    gap = 4 * _CARD_GAP
    left = (size[0] - count * side - (count - 1) * gap) // 2
    top = text_bottom + _CARD_GAP + (room - side) // 2
    return [pygame.Rect(left + i * (side + gap), top, side, side) for i in range(count)]


@dataclass(frozen=True)
class CardPictures:
    """What the instruction card pictures: the movement, and where to stand when a camera watches."""

    motion: str
    #: the exercised side; None for a movement without one (a two-way one is shown both ways)
    side: str | None
    #: the screen shows the patient as in a mirror
    mirror: bool = False
    #: the camera's view to stand for; None when no camera watches (no where-to-stand sketch)
    stand_view: str | None = None
    seated: bool = False

    @property
    def count(self) -> int:
        return 1 if self.stand_view is None else 2


def draw_card_pictures(surface: pygame.Surface, pictures: CardPictures, text_bottom: int, status_top: int) -> None:
    """The movement picture, and the where-to-stand sketch beside it, between the card's text and
    its status lines (nothing when there is no room)."""
    rects = card_picture_rects(surface.get_size(), text_bottom, status_top, pictures.count)
    draw_pictures_in(surface, pictures, rects)


def draw_pictures_in(surface: pygame.Surface, pictures: CardPictures, rects: list[pygame.Rect]) -> None:
    """The movement picture in the first rect, where to stand in the second (nothing without rects)."""
    if not rects:
        return
    draw_movement(surface, rects[0], pictures.motion, pictures.side, pictures.mirror)
    if pictures.stand_view is not None:
        draw_where_to_stand(surface, rects[1], pictures.stand_view, pictures.seated)

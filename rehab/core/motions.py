"""Every movement the system knows, in one table: adding a movement is adding one ``Motion`` here.

A motion is named without its side (``elbow_flexion``); the angle measured on one side adds it
(``elbow_flexion_left``, the patient's anatomical side). Degrees, neutral-zero.

Sign conventions: a motion measured both ways from neutral and without a side (trunk lateral
flexion and rotation, cervical rotation and lateral flexion) is POSITIVE TOWARDS THE PATIENT'S RIGHT
and negative to their left; ``pelvic_obliquity`` is positive when the right hip is higher. Sided
motions are positive in their named direction (flexion, abduction, elevation).

Guidance, compensation, smoothing, plan validation, tracking's CSV columns, game controls and
reports read this table; nothing else lists motions.
"""

from __future__ import annotations

from dataclasses import dataclass

from rehab.core.i18n import N_, _
from rehab.core.landmarks import SIDES

#: views an exercise can ask the camera for
FRONT, LEFT_SIDE, RIGHT_SIDE, BACK = "front", "left side", "right side", "back"

#: the One Euro setting (min_cutoff_hz, beta) for a motion that was never tuned
DEFAULT_ONE_EURO: tuple[float, float] = (1.0, 0.02)


@dataclass(frozen=True)
class Motion:
    """One movement and everything the system needs to measure, smooth, guide and judge it."""

    #: the motion's name without a side: ``elbow_flexion``, ``cervical_rotation``
    name: str
    #: what the patient is asked to do, in plain words (English; shown through ``_()``: the table
    #: marks each with ``N_`` for the catalog)
    label: str
    #: measured separately on the left and the right
    sided: bool = True
    #: measured both ways from neutral (a head turn), signed as the module docstring says
    two_sided: bool = False
    #: pose landmark joints the camera must see besides the trunk (shoulders and hips); None when
    #: the camera does not measure this motion (IMU or goniometer only)
    joints: tuple[str, ...] | None = None
    #: the camera view that measures it best
    view: str = FRONT
    #: AAOS normal active range of motion, degrees; None when AAOS gives none
    normal_rom_deg: float | None = None
    #: One Euro smoothing (min_cutoff_hz, beta), tuned per motion (how: the note above the table)
    one_euro: tuple[float, float] = DEFAULT_ONE_EURO
    #: compensations watched during a rep: ``trunk_lean``, ``uneven_knees``, ``hip_hike``
    compensations: tuple[str, ...] = ()

    @property
    def measured_by_pose(self) -> bool:
        return self.joints is not None

    def angle_names(self) -> tuple[str, ...]:
        """The angle names this motion produces: one per side, or its own name."""
        return tuple(f"{self.name}_{s}" for s in SIDES) if self.sided else (self.name,)


# One Euro settings were each the best of a grid sweep (min cutoff 0.3-2.5 Hz, beta 0-0.1)
# minimising RMS error against the true angle on synthetic 30 fps movements with webcam-like
# landmark noise (limbs: rehab.sim.poses sessions; trunk and neck: the same noise on skeleton moves
# of 20-60 degrees, benchmarks/bench_track.py). Where the best few settings were within 0.02
# degrees of each other we kept the round value. docs/tracking.md has the numbers.

_ARM = ("trunk_lean",)
_LEG = ("trunk_lean", "uneven_knees", "hip_hike")

_TABLE: tuple[Motion, ...] = (
    # measured by the camera, sided; this order is the order of tracking's CSV columns
    Motion("elbow_flexion", N_("bend your elbow"), joints=("shoulder", "elbow", "wrist"), view=FRONT,
           normal_rom_deg=150, one_euro=(1.0, 0.02), compensations=_ARM),
    Motion("knee_flexion", N_("bend your knee"), joints=("hip", "knee", "ankle"), view=FRONT,
           normal_rom_deg=135, one_euro=(0.5, 0.05), compensations=_LEG),
    Motion("hip_flexion", N_("lift your thigh"), joints=("shoulder", "hip", "knee"), view=FRONT,
           normal_rom_deg=120, one_euro=(0.5, 0.05), compensations=_LEG),
    Motion("shoulder_elevation", N_("raise your arm"), joints=("shoulder", "elbow", "hip"), view=FRONT,
           normal_rom_deg=180, one_euro=(1.0, 0.1), compensations=_ARM),
    Motion("shoulder_flexion", N_("raise your arm forwards"), joints=("shoulder", "elbow", "hip"), view=FRONT,
           normal_rom_deg=180, one_euro=(1.0, 0.1), compensations=_ARM),
    Motion("shoulder_abduction", N_("raise your arm out to the side"), joints=("shoulder", "elbow", "hip"),
           view=FRONT, normal_rom_deg=180, one_euro=(1.0, 0.1), compensations=_ARM),
    # measured by the camera, one value each, signed towards the patient's right
    Motion("trunk_lateral_flexion", N_("bend sideways"), sided=False, two_sided=True, joints=(), view=FRONT,
           normal_rom_deg=35, one_euro=(0.5, 0.05)),
    Motion("trunk_rotation", N_("turn your upper body"), sided=False, two_sided=True, joints=(), view=FRONT,
           normal_rom_deg=45, one_euro=(0.5, 0.01)),
    Motion("cervical_rotation", N_("turn your head"), sided=False, two_sided=True, joints=("ear",), view=FRONT,
           normal_rom_deg=80, one_euro=(0.7, 0.01)),
    Motion("cervical_lateral_flexion", N_("tilt your head to the side"), sided=False, two_sided=True,
           joints=("ear",), view=FRONT, normal_rom_deg=45, one_euro=(0.5, 0.02)),
    # not swept: borrowed from trunk_lateral_flexion, a similar slow frontal-plane tilt of the hip line
    Motion("pelvic_obliquity", N_("keep your hips level"), sided=False, two_sided=True, joints=(), view=FRONT,
           one_euro=(0.5, 0.05)),
    # measured by IMUs or a goniometer (plans may name them; the camera does not measure them)
    Motion("shoulder_extension", N_("reach your arm back"), view=LEFT_SIDE, normal_rom_deg=60, compensations=_ARM),
    Motion("shoulder_internal_rotation", N_("turn your arm inwards"), normal_rom_deg=70, compensations=_ARM),
    Motion("shoulder_external_rotation", N_("turn your arm outwards"), normal_rom_deg=90, compensations=_ARM),
    Motion("wrist_pronation", N_("turn your palm down"), normal_rom_deg=80),
    Motion("wrist_supination", N_("turn your palm up"), normal_rom_deg=80),
    Motion("wrist_flexion", N_("bend your wrist down"), normal_rom_deg=80),
    Motion("wrist_extension", N_("bend your wrist up"), normal_rom_deg=70),
    Motion("hip_extension", N_("move your leg back"), view=LEFT_SIDE, normal_rom_deg=30, compensations=_LEG),
    Motion("hip_abduction", N_("move your leg out to the side"), normal_rom_deg=45, compensations=_LEG),
    Motion("ankle_dorsiflexion", N_("pull your toes up"), normal_rom_deg=20),
    Motion("ankle_plantarflexion", N_("point your toes"), normal_rom_deg=50),
    Motion("cervical_flexion", N_("bring your chin down"), sided=False, view=LEFT_SIDE, normal_rom_deg=45),
    Motion("cervical_extension", N_("look up"), sided=False, view=LEFT_SIDE, normal_rom_deg=45),
)  # fmt: skip

#: every motion by name
MOTIONS: dict[str, Motion] = {m.name: m for m in _TABLE}

#: motions computed per side from pose landmarks
SIDED_MOTIONS: tuple[str, ...] = tuple(m.name for m in _TABLE if m.measured_by_pose and m.sided)
#: motions of the trunk and neck computed from pose landmarks, one value each
UNSIDED_MOTIONS: tuple[str, ...] = tuple(m.name for m in _TABLE if m.measured_by_pose and not m.sided)
#: every angle the camera measures, in tracking's column order (sided ones left then right)
POSE_ANGLE_NAMES: tuple[str, ...] = (
    *(f"{m}_{s}" for m in SIDED_MOTIONS for s in SIDES),
    *UNSIDED_MOTIONS,
)
#: American Academy of Orthopaedic Surgeons normal active ROM, degrees (thoracolumbar values scale
#: displays only)
NORMAL_ROM_DEG: dict[str, float] = {m.name: m.normal_rom_deg for m in _TABLE if m.normal_rom_deg is not None}


def split_name(angle_name: str) -> tuple[str, str | None]:
    """``elbow_flexion_left`` -> (``elbow_flexion``, ``left``); unsided names give side None."""
    motion, _, side = angle_name.rpartition("_")
    if side in SIDES:
        return motion, side
    return angle_name, None


def motion_of(angle_name: str) -> Motion | None:
    """The motion an angle (``elbow_flexion_left``) or motion name belongs to; None for channels
    that are not joint motions (``meditation``, ``hand``)."""
    return MOTIONS.get(split_name(angle_name)[0])


def side_words(words: str, side: str | None) -> str:
    """A movement's words with the side it is done on, in the patient's language: "Bend your knee,
    left side" (a whole sentence per side, so a language can place the side where it reads best)."""
    if side == "left":
        return _("{movement}, left side").format(movement=words)
    if side == "right":
        return _("{movement}, right side").format(movement=words)
    return words

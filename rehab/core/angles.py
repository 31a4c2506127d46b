"""Names of the joint angles, and the normal active range of motion (AAOS) for each motion.

Names follow ``<joint>_<motion>_<side>`` with the patient's anatomical side; degrees, neutral-zero.
"""

from __future__ import annotations

from rehab.core.landmarks import SIDES

#: motions computed per side from pose landmarks
SIDED_MOTIONS: tuple[str, ...] = (
    "elbow_flexion",
    "knee_flexion",
    "hip_flexion",
    "shoulder_elevation",
    "shoulder_flexion",
    "shoulder_abduction",
)

#: motions of the trunk and neck, one value each, computed from pose landmarks (sign conventions in
#: ``rehab.engine.kinematics`` and docs/tracking.md): positive is towards the patient's right
UNSIDED_MOTIONS: tuple[str, ...] = (
    "trunk_lateral_flexion",
    "trunk_rotation",
    "cervical_rotation",
    "cervical_lateral_flexion",
    "pelvic_obliquity",
)

POSE_ANGLE_NAMES: tuple[str, ...] = (
    *(f"{m}_{s}" for m in SIDED_MOTIONS for s in SIDES),
    *UNSIDED_MOTIONS,
)

#: American Academy of Orthopaedic Surgeons normal active ROM, degrees (DESIGN.md)
NORMAL_ROM_DEG: dict[str, float] = {
    "shoulder_flexion": 180,
    "shoulder_extension": 60,
    "shoulder_abduction": 180,
    "shoulder_elevation": 180,
    "shoulder_internal_rotation": 70,
    "shoulder_external_rotation": 90,
    "elbow_flexion": 150,
    "wrist_pronation": 80,
    "wrist_supination": 80,
    "wrist_flexion": 80,
    "wrist_extension": 70,
    "hip_flexion": 120,
    "hip_extension": 30,
    "hip_abduction": 45,
    "knee_flexion": 135,
    "ankle_dorsiflexion": 20,
    "ankle_plantarflexion": 50,
    "cervical_flexion": 45,
    "cervical_extension": 45,
    "cervical_lateral_flexion": 45,
    "cervical_rotation": 80,
    # thoracolumbar values (AAOS), not in DESIGN.md's list: used only to scale displays
    "trunk_lateral_flexion": 35,
    "trunk_rotation": 45,
}


def split_name(angle_name: str) -> tuple[str, str | None]:
    """``elbow_flexion_left`` -> (``elbow_flexion``, ``left``); unsided names give side None."""
    motion, _, side = angle_name.rpartition("_")
    if side in SIDES:
        return motion, side
    return angle_name, None

"""Immutable, timestamped value types that flow from devices to games and the store.

Every sample carries ``t``: seconds on a monotonic clock, stamped where the sample was captured.
The types are plain frozen dataclasses so they can cross threads and be compared in tests; array
fields are made read-only so "frozen" means frozen all the way down.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

#: MediaPipe Pose has 33 landmarks; we keep its indexing so frames from any source line up.
POSE_LANDMARK_COUNT = 33


def frozen_array(values: object, shape: tuple[int, ...], name: str) -> np.ndarray:
    """``values`` as a read-only float array of ``shape``: frozen value types hold arrays nobody can change."""
    array = np.array(values, dtype=np.float64)
    if array.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {array.shape}")
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class PoseFrame:
    """One body pose estimate.

    ``world`` holds 3D joint centres in metres in MediaPipe's world frame: origin between the hips,
    x towards the image right, y down, z away from the camera (a right-handed frame). Landmark
    names are the patient's anatomical sides (index 11 is the left shoulder), never image sides.
    ``image`` holds normalised image coordinates (x, y in 0..1, z relative depth).
    ``visibility`` is the per-landmark probability, 0..1, that the landmark is visible.
    """

    t: float
    world: np.ndarray | None
    visibility: np.ndarray
    image: np.ndarray | None = None
    frame_index: int = 0
    #: when the pose result was ready (monotonic seconds); latency = result_t - t
    result_t: float | None = None
    #: how many cameras the pose was triangulated from: 1 is one camera's estimate, whose left/right
    #: labels may be swapped (``rehab.engine.side_swaps``); 2 or more measured depth and sides
    views: int = 1

    def __post_init__(self) -> None:
        shape = (POSE_LANDMARK_COUNT, 3)
        if self.world is not None:
            object.__setattr__(self, "world", frozen_array(self.world, shape, "world"))
        if self.image is not None:
            object.__setattr__(self, "image", frozen_array(self.image, shape, "image"))
        object.__setattr__(self, "visibility", frozen_array(self.visibility, (POSE_LANDMARK_COUNT,), "visibility"))

    @property
    def has_person(self) -> bool:
        return self.world is not None


@dataclass(frozen=True)
class ImuSample:
    """One reading from an inertial unit. Fields a device does not report are None.

    Units: accel in g, gyro in deg/s, magnetometer in the device's units, Euler angles in degrees
    (roll, pitch, yaw), quaternion as (w, x, y, z), temperature in degrees Celsius.
    """

    t: float
    device: str = ""
    accel_g: tuple[float, float, float] | None = None
    gyro_dps: tuple[float, float, float] | None = None
    mag: tuple[float, float, float] | None = None
    euler_deg: tuple[float, float, float] | None = None
    quaternion: tuple[float, float, float, float] | None = None
    temperature_c: float | None = None


@dataclass(frozen=True)
class EegSample:
    """One reading from an EEG headset (NeuroSky ThinkGear style). Absent fields are None.

    ``attention`` and ``meditation`` are the headset's 0-100 eSense values; ``poor_signal`` is 0
    (good contact) to 200 (no contact); ``bands`` are the eight band powers delta..mid-gamma.
    """

    t: float
    device: str = ""
    poor_signal: int | None = None
    attention: int | None = None
    meditation: int | None = None
    raw: int | None = None
    bands: tuple[int, ...] | None = None


@dataclass(frozen=True)
class JointAngles:
    """Joint angles in degrees (neutral-zero method) at one instant.

    ``values`` maps angle names such as ``elbow_flexion_left`` to degrees, NaN when the angle
    cannot be trusted. ``confidence`` maps the same names to 0..1.
    """

    t: float
    values: Mapping[str, float] = field(default_factory=dict)
    confidence: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", MappingProxyType(dict(self.values)))
        object.__setattr__(self, "confidence", MappingProxyType(dict(self.confidence)))

    def get(self, name: str) -> float:
        """The angle in degrees, NaN when unknown."""
        return self.values.get(name, math.nan)


@dataclass(frozen=True)
class RepMetrics:
    """What one completed repetition measured."""

    index: int
    t_start: float
    t_end: float
    start_deg: float
    peak_deg: float
    rom_deg: float
    hold_s: float
    duration_s: float
    peak_velocity_dps: float
    target_deg: float
    success: bool
    #: spectral arc length smoothness (SPARC, Balasubramanian 2015): closer to 0 is smoother; NaN if unknown
    smoothness_sparc: float = math.nan
    #: compensations seen during the rep, e.g. ("trunk_lean",), ("hip_hike",)
    compensations: tuple[str, ...] = ()
    #: the angle went past the plan's safety ceiling during the rep
    over_ceiling: bool = False


@dataclass(frozen=True)
class Controls:
    """What a game sees of the patient: movement normalised to their own calibrated range.

    ``level`` is 0 at the patient's rest position and 1 at the target; it may exceed 1. For a
    two-sided movement (trunk side bend, head turn) it runs from -1 (target to the patient's left)
    to +1 (target to the right), 0 in neutral.
    ``axes`` carries further movements a game uses, each normalised the same way, by motion name
    (e.g. ``{"shoulder_abduction": 0.4}`` beside a shoulder-flexion level).
    ``tracking`` is False while input is lost (no person in view, device unplugged).
    """

    t: float
    level: float
    angle_deg: float
    tracking: bool = True
    axes: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "axes", MappingProxyType(dict(self.axes)))


@dataclass(frozen=True)
class DeviceStatus:
    """A change in a device's connection that a game shows and a session records.

    ``kind`` is one of ``connected``, ``lost``, ``reconnected``, ``ended`` (a finite source such as
    a replay file ran out), ``recalibrate`` (after a dropout an IMU's heading is unknown: angles are
    NaN until the patient holds still in the start position), ``recalibrated``, and ``person`` for
    camera sources (``detail``: ``tracking``, ``no person``, ``other person``, or ``choosing patient``
    while several people are in view and none has yet moved enough to be the one exercising).
    """

    t: float
    device: str
    kind: str
    detail: str = ""

"""Pose frames to joint-angle rows: what ``rehab track`` writes, testable without a camera.

Angles are computed from world landmarks, smoothed per angle (One Euro, NaN never filled in), and
written one row per analysed source frame: ``time_s`` (position in the file, or seconds since the
first frame for a live camera), ``frame`` (0-based source frame index), then every angle in degrees,
empty when unknown.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TextIO

from rehab.core.motions import POSE_ANGLE_NAMES
from rehab.core.types import JointAngles, PoseFrame
from rehab.engine.filters import AngleSmoother
from rehab.engine.kinematics import pose_angles
from rehab.engine.limb_depth import Lens, LimbRefiner
from rehab.engine.pose_corrections import OneCameraCorrections
from rehab.engine.side_swaps import SwapFixer

CSV_COLUMNS: tuple[str, ...] = ("time_s", "frame", *POSE_ANGLE_NAMES)


@dataclass(frozen=True)
class TrackedAngles:
    """One analysed frame: its time, the angles as reported (smoothed unless turned off), and status."""

    time_s: float
    frame: int
    angles: JointAngles
    status: str


class AngleTracker:
    """Turns a stream of PoseFrames into TrackedAngles, with per-angle smoothing.

    ``fix_swaps`` and ``refine_limbs`` correct one camera's poses before the angles are read
    (``rehab.engine.pose_corrections``, the same corrections live games make); poses from two
    cameras pass as they are. ``lens``: the camera's when calibrated (``rehab track --setup``).
    """

    def __init__(
        self, smooth: bool = True, fix_swaps: bool = True, refine_limbs: bool = True, lens: Lens | None = None
    ) -> None:
        self._smoother = AngleSmoother() if smooth else None
        self._first_t: float | None = None
        self.corrections = OneCameraCorrections(fix_swaps, refine_limbs, lens)
        self.last_pose: PoseFrame | None = None

    @property
    def swaps(self) -> SwapFixer | None:
        return self.corrections.swaps

    @property
    def limbs(self) -> LimbRefiner | None:
        return self.corrections.limbs

    def update(self, pose: PoseFrame, status: str = "tracking", media_t: float | None = None) -> TrackedAngles:
        if self._first_t is None:
            self._first_t = pose.t
        time_s = media_t if media_t is not None else pose.t - self._first_t
        pose = self.corrections(pose)
        #: the pose the angles were read from (after the corrections), for drawing and diagnostics
        self.last_pose = pose
        angles = pose_angles(pose)
        if self._smoother is not None:
            # the filters run on source time, so an offline file smooths exactly as it would live
            angles = self._smoother(JointAngles(t=time_s, values=angles.values, confidence=angles.confidence))
        if pose.world is None and status == "tracking":
            status = "no person"
        return TrackedAngles(time_s=time_s, frame=pose.frame_index, angles=angles, status=status)


def csv_row(tracked: TrackedAngles) -> list[str]:
    cells = [f"{tracked.time_s:.4f}", str(tracked.frame)]
    for name in POSE_ANGLE_NAMES:
        value = tracked.angles.get(name)
        cells.append("" if math.isnan(value) else f"{value:.2f}")
    return cells


def write_csv(out: TextIO, rows: Iterable[TrackedAngles]) -> int:
    """Write the header and ``rows``; returns how many rows were written."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for tracked in rows:
        writer.writerow(csv_row(tracked))
        count += 1
    return count

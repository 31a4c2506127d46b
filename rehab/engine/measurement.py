"""One exercise measured: angle samples in, game controls and finished reps out.

Pure and time-free (each sample carries its own time): the play loop feeds it and reads
``controls``; tests feed it angle sequences directly.
"""

from __future__ import annotations

import math
from dataclasses import replace

from rehab.core.types import Controls, JointAngles, RepMetrics
from rehab.engine.compensation import CompensationMonitor, CompensationRules
from rehab.engine.controls import ControlMapper
from rehab.engine.exercise import Exercise
from rehab.engine.reps import RepDetector


def untracked(t: float) -> Controls:
    """Controls that steer nothing: input is lost."""
    return Controls(t=t, level=0.0, angle_deg=math.nan, tracking=False)


class Measurement:
    def __init__(self, exercise: Exercise) -> None:
        self.exercise = exercise
        self.mapper = ControlMapper(exercise.calibration, exercise.axes)
        self.detector = RepDetector(exercise.rule)
        self.monitor = CompensationMonitor(CompensationRules.for_movement(exercise.angle_name))
        self.controls = untracked(0.0)
        #: the furthest the patient has moved so far (either way, for two-sided movements)
        self.best_deg = math.nan
        #: the last sample went past the safety ceiling
        self.over_ceiling = False

    def add(self, angles: JointAngles) -> RepMetrics | None:
        """Take one sample; the rep it completes, with compensations and the ceiling applied."""
        exercise = self.exercise
        self.controls = controls = self.mapper(angles)
        measured = abs(controls.angle_deg) if exercise.signed else controls.angle_deg
        if controls.tracking:
            self.best_deg = measured if math.isnan(self.best_deg) else max(measured, self.best_deg)
        self.over_ceiling = measured > exercise.ceiling_deg
        rep = self.detector.step(angles.t, measured)
        self.monitor.observe(angles, self.detector.in_progress or rep is not None)
        if rep is None:
            return None
        rep = replace(rep, compensations=self.monitor.take())
        if rep.peak_deg > exercise.ceiling_deg:
            rep = replace(rep, over_ceiling=True, success=False)
        return rep

    def retarget(self, exercise: Exercise) -> None:
        """A new target or ceiling from now on: the next rep is judged by it, and the game's level
        reaches 1 at the new target (the rep in progress keeps what it has measured)."""
        self.exercise = exercise
        self.mapper = ControlMapper(exercise.calibration, exercise.axes)
        self.detector.rule = exercise.rule

    def input_lost(self, t: float) -> None:
        """The device is gone or silent: the last value must not steer the game any more."""
        self.controls = untracked(t)

"""Calibration: the patient's own comfortable range, measured before play.

The patient moves as far as is comfortable three times; the median of the peaks (never past the
safety ceiling) becomes their range, so one overreach or one timid try does not set it. The
thresholds are set low (a rep counts from half-way to the ceiling), so a stiff joint still registers.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, replace
from typing import Any

from rehab.core.clock import Clock
from rehab.core.i18n import _
from rehab.engine.display import Display
from rehab.engine.exercise import Exercise
from rehab.engine.game import GameSpec
from rehab.engine.play import SceneTimes, play

CALIBRATION_REPS = 3
CALIBRATION_MAX_S = 120.0


@dataclass(frozen=True)
class MeasuredRange:
    start_deg: float  # median angle each movement started from
    peak_deg: float  # median peak, capped at the ceiling
    movements: int


def calibration_exercise(info: GameSpec, side: str, ceiling_deg: float) -> Exercise:
    """Three movements counted from half-way to the ceiling (a stiff joint still registers), with
    no goal shown or asked for: the game's range reaches up to the ceiling."""
    rest = Exercise.for_game(info, side).rest_deg
    easy = rest + 0.5 * (ceiling_deg - rest)
    return replace(
        Exercise.for_game(info, side, CALIBRATION_REPS, 0.0, easy), ceiling_deg=ceiling_deg, calibrating=True
    )


def measure_range(
    source: Any,
    info: GameSpec,
    side: str,
    ceiling_deg: float,
    clock: Clock,
    display: Display,
    scenes: SceneTimes,
    title: str,
    notes: str = "",
) -> MeasuredRange | None:
    """Three comfortable movements in ``info``'s game; None when none was seen in two minutes.
    ``notes``: the plan's notes for the patient, on the instruction card before the first move."""
    shown = replace(
        info,
        title=_("Calibration: {game}").format(game=title),
        description=_("Move as far as is comfortable, three times. Do not push into pain."),
    )
    calibration = calibration_exercise(info, side, ceiling_deg)
    played = play(
        source,
        shown,
        calibration,
        clock,
        display,
        on_rep=lambda rep: None,
        max_seconds=CALIBRATION_MAX_S,
        scenes=scenes,
        stop_after_reps=CALIBRATION_REPS,
        notes=notes,
    )
    if not played.reps:
        return None
    peak = min(statistics.median(r.peak_deg for r in played.reps), ceiling_deg)
    start = statistics.median(r.start_deg for r in played.reps)
    return MeasuredRange(start_deg=start, peak_deg=peak, movements=len(played.reps))

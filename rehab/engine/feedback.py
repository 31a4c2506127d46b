"""What the patient is told after each rep: encouragement, "slower", "a little further".

Pure: a rep and the exercise in, a short message and a sound cue out. Physiotherapists ask for slow,
controlled reps (about two seconds each way); a flick that reaches the goal is not a good rep.
"""

from __future__ import annotations

from dataclasses import dataclass

from rehab.core.i18n import N_, _
from rehab.core.types import RepMetrics

#: a rep faster than this (seconds, up and down together) is too quick to be controlled
MIN_CONTROLLED_S = 1.5
#: or whose fastest moment exceeds this (deg/s)
MAX_CONTROLLED_DPS = 300.0
ENCOURAGEMENT = (N_("Great rep!"), N_("Well done!"), N_("Nice and steady!"), N_("That's it!"), N_("Excellent!"))


@dataclass(frozen=True)
class Feedback:
    message: str
    cue: str  # a name in rehab.engine.sound.CUES


def rep_feedback(rep: RepMetrics) -> Feedback:
    if rep.over_ceiling:
        return Feedback(_("Too far! Stay within your safe range."), "warning")
    if rep.duration_s < MIN_CONTROLLED_S or rep.peak_velocity_dps > MAX_CONTROLLED_DPS:
        return Feedback(_("Slower, please: about two seconds up and two down."), "rep")
    if "trunk_lean" in rep.compensations:
        return Feedback(_("Keep your body upright: move only the arm."), "rep")
    if "hip_hike" in rep.compensations:
        return Feedback(_("Keep your hips level: let the knee do the work."), "rep")
    if "uneven_knees" in rep.compensations:
        return Feedback(_("Share the weight evenly on both legs."), "rep")
    if not rep.success:
        if rep.peak_deg < rep.target_deg:
            return Feedback(_("Nearly there! Try a little further if it is comfortable."), "rep")
        return Feedback(_("Hold it at the top a little longer."), "rep")
    return Feedback(_(ENCOURAGEMENT[rep.index % len(ENCOURAGEMENT)]), "goal")


#: what the game says while the range is measured, in place of its own words about a goal
CALIBRATION_MESSAGE = N_("Move as far as is comfortable, then back")


def calibration_feedback(rep: RepMetrics, planned: int) -> Feedback:
    """After a movement while the range is measured: no goal to praise or ask more for, only thanks
    and the safety limit."""
    if rep.over_ceiling:
        return Feedback(_("Too far! Stay within your safe range."), "warning")
    return Feedback(_("Movement {number} of {count}: thank you.").format(number=rep.index, count=planned), "rep")

"""Today's session as the home screen's big button describes it: what it holds and about how long,
read from the patient's current plan, and whether a session cut short can be carried on."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from progress.store import Store
from rehab.app.plan_versions import current_plan
from rehab.app.plans import ExercisePlan, Plan
from rehab.app.session_runner import RESUME_WINDOW, unfinished_group
from rehab.core.errors import RehabError
from rehab.core.i18n import _, ngettext
from rehab.core.motions import motion_of

#: seconds a rep takes beyond its hold (down, up, a breath), for the estimate only
REP_S = 3.0
#: the setup check, calibration and instruction cards of one exercise, for the estimate only
EXERCISE_OVERHEAD_S = 60.0
#: the pain questions at the start and the end
QUESTIONS_S = 60.0


@dataclass(frozen=True)
class TodayPlan:
    """``ready`` when a session can start; ``parts`` in plain words; ``minutes`` rounded up to 5."""

    ready: bool
    parts: tuple[str, ...] = ()
    minutes: int = 0
    #: why there is nothing to start, in one sentence ("" when ready)
    problem: str = ""
    #: the plan's words for the patient ("Hold a stable chair")
    notes: str = ""
    #: the movements whose comfortable range a session measures first, in plain words
    to_measure: tuple[str, ...] = ()

    def summary(self) -> str:
        """One line for the button: "Bend your knee, Breathing: about 15 minutes"."""
        if not self.ready:
            return self.problem
        about = ngettext("{parts}: about {count} minute", "{parts}: about {count} minutes", self.minutes)
        return about.format(parts=_(", ").join(self.parts), count=self.minutes)


def today_plan(store: Store, patient_id: str) -> TodayPlan:
    try:
        assigned = current_plan(store, patient_id)
    except (RehabError, KeyError, TypeError, ValueError):
        return TodayPlan(
            False, problem=_("Your plan could not be read: please ask your physiotherapist for a new one.")
        )
    if assigned is None:
        return TodayPlan(False, problem=_("You have no exercise plan yet: your physiotherapist sends it."))
    plan = assigned.plan
    parts = tuple(dict.fromkeys(part_words(plan)))
    if not parts:
        return TodayPlan(False, problem=_("Your plan has no exercises in it yet."))
    to_measure = tuple(movement_words(e) for e in calibrated_movements(plan))
    return TodayPlan(True, parts, estimate_minutes(plan), notes=plan.notes, to_measure=to_measure)


def calibrated_movements(plan: Plan) -> list[ExercisePlan]:
    """The plan's exercises whose range a session calibrates first, each movement once."""
    chosen: dict[str, ExercisePlan] = {}
    for exercise in plan.exercise:
        if exercise.calibrate:
            chosen.setdefault(exercise.angle_name, exercise)
    return list(chosen.values())


def movement_words(exercise: ExercisePlan) -> str:
    """An exercise's movement as the patient says it: "Bend your knee"."""
    motion = motion_of(exercise.angle_name)
    label = _(motion.label) if motion is not None else exercise.name
    return label[:1].upper() + label[1:]


def part_words(plan: Plan) -> list[str]:
    """Each part of the plan as the patient says it: "Bend your knee", "Breathing", "The tower"."""
    words = [movement_words(exercise) for exercise in plan.exercise]
    if plan.breathing is not None:
        words.append(_("Breathing"))
    if plan.exposure is not None:
        words.append(_("Facing your fear, step by step"))
    return words


def estimate_minutes(plan: Plan) -> int:
    """About how long the plan's session takes, rounded up to 5 minutes (a patient plans their
    morning by it; a precise figure would promise what a rest or a pause breaks)."""
    seconds = QUESTIONS_S
    for e in plan.exercise:
        seconds += EXERCISE_OVERHEAD_S + e.sets * e.reps * (e.hold_s + REP_S) + max(e.sets - 1, 0) * e.rest_s
    if plan.breathing is not None:
        seconds += plan.breathing.minutes * 60
    if plan.exposure is not None:
        seconds += len(plan.exposure.step) * plan.exposure.minutes_per_step * 60
    return max(5, int(math.ceil(seconds / 60 / 5)) * 5)


def can_resume(store: Store, patient_id: str, now_iso: str) -> bool:
    """Whether a guided session was cut short recently enough to carry on (what ``rehab session
    start --resume`` would continue)."""
    since = datetime.fromisoformat(now_iso) - RESUME_WINDOW
    return bool(unfinished_group(store, patient_id, since))

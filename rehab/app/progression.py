"""Progression between sessions: the plan's rules applied to what the patient actually did.

Pure functions over plain data: the session runner gathers the history from the store and records
each change as a new plan version with its reason, so the therapist sees why a target moved and can
override it (``rehab plan override``), which is just another version with the therapist's reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from rehab.app.plans import ExercisePlan, Plan
from rehab.core import errors


@dataclass(frozen=True)
class Outcome:
    """How one session went for one exercise."""

    reps_planned: int  # sets x reps
    reps_done: int
    successes: int
    #: the session ran to its end, and pain did not rise by the plan's threshold
    completed: bool

    @property
    def qualifies(self) -> bool:
        """Every prescribed rep done and every one a success (a rep past the ceiling never is)."""
        return self.completed and self.reps_done >= self.reps_planned and self.successes == self.reps_done


@dataclass(frozen=True)
class Change:
    exercise: int  # index in plan.exercise
    name: str
    field: str  # target_deg or target_percent
    old: float
    new: float
    reason: str


def propose(plan: Plan, history: Mapping[int, Sequence[Outcome]]) -> list[Change]:
    """Changes the rules call for. ``history[i]`` holds exercise i's outcomes under the current plan
    version, oldest first: a new version (any change) starts the count again, so a target never
    moves twice on the same evidence."""
    changes = []
    for i, exercise in enumerate(plan.exercise):
        rule = exercise.progression
        if rule is None or not rule.enabled:
            continue
        recent = list(history.get(i, ()))[-rule.every_sessions :]
        if len(recent) < rule.every_sessions or not all(o.qualifies for o in recent):
            continue
        old = exercise.target
        new = min(rule.cap, round(old * (1 + rule.step_percent / 100), 1))
        if new <= old:
            continue  # already at the cap
        unit = "°" if exercise.target_deg is not None else "%"
        sessions = "1 session" if rule.every_sessions == 1 else f"{rule.every_sessions} sessions"
        reason = (
            f"{exercise.name}: target {old:g}{unit} -> {new:g}{unit} after {sessions} with every rep "
            f"successful (rule: +{rule.step_percent:g}%, capped at {rule.cap:g}{unit})"
        )
        field = "target_deg" if exercise.target_deg is not None else "target_percent"
        changes.append(Change(i, exercise.name, field, old, new, reason))
    return changes


def apply(plan: Plan, changes: Sequence[Change]) -> Plan:
    for change in changes:
        exercise = plan.exercise[change.exercise]
        plan = plan.with_exercise(change.exercise, exercise.with_target(change.new))
    return plan


class OverrideError(errors.PlanError, ValueError):
    """The therapist's override does not fit the plan (unknown exercise, target past the ceiling)."""


def find_exercise(plan: Plan, name: str) -> int:
    """An exercise by its name (case-insensitive) or its number from 1."""
    for i, exercise in enumerate(plan.exercise):
        if exercise.name.lower() == name.lower() or name == str(i + 1):
            return i
    names = ", ".join(f"{i + 1} ({e.name})" for i, e in enumerate(plan.exercise)) or "none"
    raise OverrideError(f"no exercise {name!r} in the plan; exercises: {names}")


def override(plan: Plan, exercise: int, target: float | None, freeze: bool | None, reason: str) -> tuple[Plan, Change]:
    """The therapist sets a target or freezes/unfreezes progression; recorded like any change."""
    current: ExercisePlan = plan.exercise[exercise]
    updated = current
    if target is not None:
        if current.target_deg is not None and not 0 < target <= current.ceiling_deg:
            raise OverrideError(
                f"target {target:g}° is past the ceiling of {current.ceiling_deg:g}° "
                "(raise the ceiling in the plan file and assign it)"
            )
        if current.target_percent is not None and not 10 <= target <= 100:
            raise OverrideError(f"target {target:g}% is outside 10-100% of the calibrated range")
        updated = updated.with_target(target)
    if freeze is not None:
        if current.progression is None:
            raise OverrideError(f"{current.name} has no progression rule to freeze or resume")
        updated = replace(updated, progression=replace(current.progression, enabled=not freeze))
    field = "target_deg" if current.target_deg is not None else "target_percent"
    change = Change(exercise, current.name, field, current.target, updated.target, f"therapist: {reason}")
    return plan.with_exercise(exercise, updated), change

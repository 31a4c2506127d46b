""" "My progress" in the patient's terms: for each movement, the best range lately against the goal,
and how many days in a row they have exercised. Read from the progress store; no drawing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from progress.store import Store
from rehab.core.i18n import _
from rehab.core.motions import motion_of, side_words, split_name

#: "lately": the best of the last two weeks, so one bad day does not hide the progress
RECENT_DAYS = 14


@dataclass(frozen=True)
class MovementProgress:
    angle_name: str
    words: str  # "Bend your knee, right side"
    best_deg: float
    goal_deg: float | None

    @property
    def share(self) -> float:
        """How far towards the goal (1.0 at it); 1.0 with no goal."""
        if not self.goal_deg:
            return 1.0
        return max(0.0, self.best_deg / self.goal_deg)

    def sentence(self) -> str:
        best, goal = f"{self.best_deg:.0f}", f"{self.goal_deg or 0:.0f}"
        if self.goal_deg is None:
            return _("Best {best}°").format(best=best)
        if self.best_deg >= self.goal_deg:
            return _("Best {best}°: goal of {goal}° reached").format(best=best, goal=goal)
        return _("Best {best}° of your goal of {goal}°").format(best=best, goal=goal)


@dataclass(frozen=True)
class Progress:
    movements: tuple[MovementProgress, ...]
    streak_days: int
    days_this_week: int


def movement_words(angle_name: str) -> str:
    motion = motion_of(angle_name)
    if motion is None:
        return angle_name.replace("_", " ")
    label = _(motion.label)
    words = label[:1].upper() + label[1:]
    side = split_name(angle_name)[1]
    return side_words(words, side) if side else words


def read_progress(store: Store, patient_id: str, today: date) -> Progress:
    first = (today - timedelta(days=RECENT_DAYS - 1)).isoformat()
    sessions = store.sessions_between(patient_id, first, today.isoformat())
    movement_of = {s.id: s.movement for s in sessions if (s.kind or "physical") == "physical"}
    best: dict[str, float] = {}
    for rep in store.reps_between(patient_id, first, today.isoformat()):
        movement = movement_of.get(rep.session_id)
        if movement is None or rep.peak_deg is None or rep.over_ceiling:
            continue  # a rep past the safe limit is not a best to aim at
        best[movement] = max(best.get(movement, 0.0), abs(rep.peak_deg))
    goals = _goals(store, patient_id)
    latest_target = {s.movement: s.target_deg for s in sessions if s.target_deg is not None}
    movements = tuple(
        MovementProgress(name, movement_words(name), value, goals.get(name, latest_target.get(name)))
        for name, value in sorted(best.items())
    )
    days = _session_days(store, patient_id)
    return Progress(movements, streak(days, today), sum(1 for d in days if today - d < timedelta(days=7)))


def _goals(store: Store, patient_id: str) -> dict[str, float]:
    """Goals in degrees from the newest plan version (what the patient aims at now)."""
    row = store.latest_plan_version(patient_id)
    if row is None:
        return {}
    goals = row.body.get("goals_deg") or {}
    return {str(k): float(v) for k, v in goals.items() if isinstance(v, int | float)}


def _session_days(store: Store, patient_id: str) -> set[date]:
    days = set()
    for s in store.sessions(patient_id):
        try:
            days.add(date.fromisoformat(s.started_at[:10]))
        except ValueError:
            continue
    return days


def streak(days: set[date], today: date) -> int:
    """Days in a row with a session, up to today (or up to yesterday: today is not over yet)."""
    day = today if today in days else today - timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count

"""Today's guided session: the patient's current plan, run safely, and never losing a finished rep.

Order: pain before (0-10), then for each exercise a setup check, a calibration (move as far as is
comfortable three times; the median of the peaks), the sets with rests between them and a pain
check before each set after the first, then any breathing or exposure part, then pain after and
the plan's progression rules.

Crash safety comes from the store: every rep is committed the moment it completes, and a guided
session is the group of today's store sessions (one per exercise) still ``in_progress`` under a
plan. ``resume=True`` finds that group and continues: finished sets are skipped, a set cut short
continues with the reps it still needs, and rep numbers carry on from the last stored one, so no
rep is lost or counted twice.

Everything outside (store, clock, display, input, the patient's answers, today's date) comes in
through ``SessionContext``; this module never reads a clock or a terminal.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from progress.store import Store
from rehab.app.plans import ExercisePlan, Plan, from_dict
from rehab.app.progression import Change, Outcome, apply, propose
from rehab.core.clock import Clock
from rehab.core.types import RepMetrics
from rehab.engine.calibration import measure_range
from rehab.engine.exercise import Exercise
from rehab.engine.game import GameSpec
from rehab.engine.mental import store_ratings
from rehab.engine.play import NO_SCENES, Display, SceneTimes, play

#: seconds of input the setup check looks at, and the share of it that must show the movement
SETUP_CHECK_S = 3.0
SETUP_TRACKED_SHARE = 0.5
#: time between sets in the stored session timeline, beyond the prescribed rest
SET_GAP_S = 1.0


class SessionError(Exception):
    """The session cannot start as asked (no plan, an unfinished session without --resume)."""


@dataclass(frozen=True)
class AssignedPlan:
    version: int
    row_id: int
    plan: Plan
    reason: str


def plan_body(plan: Plan, reason: str, changes: list[Change] | None = None) -> dict[str, Any]:
    """What a plan version stores: the plan itself, why this version exists, and the goals the
    reports chart (degrees per movement, where the target is in degrees)."""
    goals = {e.angle_name: e.target_deg for e in plan.exercise if e.target_deg is not None}
    return {
        "plan": plan.to_dict(),
        "reason": reason,
        "goals_deg": goals,
        "changes": [c.__dict__ for c in changes or []],
    }


def assign(
    store: Store,
    patient_id: str,
    plan: Plan,
    created_at: str,
    today: str,
    reason: str,
    changes: list[Change] | None = None,
) -> int:
    """Store a new plan version for the patient (old versions are kept); returns its number."""
    plan = replace(plan, patient=patient_id)
    body = plan_body(plan, reason, changes)
    return store.add_plan_version(patient_id, created_at, today, plan.sessions_per_week, body)


def current_plan(store: Store, patient_id: str) -> AssignedPlan | None:
    versions = store.plan_versions(patient_id)
    if not versions:
        return None
    row = versions[-1]
    return AssignedPlan(
        row["version"],
        row["id"],
        from_dict(row["body"]["plan"], f"plan version {row['version']}"),
        row["body"].get("reason", ""),
    )


@dataclass
class SessionContext:
    store: Store
    games: Mapping[str, GameSpec]
    #: (game, exercise or None for breathing/exposure, seed) -> an input source for one phase
    open_source: Callable[[GameSpec, ExercisePlan | None, int], Any]
    display: Display
    make_clock: Callable[[], Clock]
    #: (moment: before, during or after) -> pain 0-10, or None when it cannot be asked
    ask_pain: Callable[[str], float | None]
    now_iso: Callable[[], str]
    today: str  # ISO date
    say: Callable[[str], None] = print
    scenes: SceneTimes = NO_SCENES
    input_url: str = "sim"


@dataclass
class ExerciseResult:
    name: str
    angle_name: str
    target_deg: float
    calibrated_deg: float = math.nan
    reps: int = 0
    successes: int = 0
    over_ceiling: int = 0
    skipped: str = ""


@dataclass
class SessionResult:
    status: str  # completed, stopped_for_pain, stopped, not_started
    plan_version: int
    pain_before: float | None = None
    pain_after: float | None = None
    exercises: list[ExerciseResult] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    session_ids: list[int] = field(default_factory=list)
    message: str = ""


class _Stop(Exception):
    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class _Timed:
    """Wraps a source to remember the first and last sample times of one phase, so the phase's reps
    can be placed on the session's own timeline whatever clock the device stamps with."""

    def __init__(self, source: Any) -> None:
        self.source = source
        self.url = getattr(source, "url", "")
        self.first: float | None = None
        self.last: float | None = None

    def poll(self, now: float) -> list[Any]:
        samples = list(self.source.poll(now))
        if samples:
            self.first = samples[0].t if self.first is None else self.first
            self.last = samples[-1].t
        return samples

    def status_events(self) -> list[Any]:
        return list(self.source.status_events())

    def close(self) -> None:
        self.source.close()

    @property
    def span(self) -> float:
        return 0.0 if self.first is None or self.last is None else self.last - self.first


def unfinished_group(store: Store, patient_id: str, today: str) -> list[dict[str, Any]]:
    """Today's store sessions of an unfinished guided session (one per exercise started), oldest first."""
    return [
        s
        for s in store.sessions(patient_id)
        if s["status"] == "in_progress" and s.get("plan_id") is not None and s["started_at"][:10] == today
    ]


def run_session(ctx: SessionContext, patient_id: str, resume: bool = False) -> SessionResult:
    assigned = current_plan(ctx.store, patient_id)
    group = unfinished_group(ctx.store, patient_id, ctx.today)
    if group and not resume:
        raise SessionError(
            f"there is an unfinished session from today (started {group[0]['started_at'][11:16]}); "
            "run again with --resume to carry on where it stopped"
        )
    if group:
        assigned = _plan_of(ctx.store, patient_id, group[0]["plan_id"])
    elif resume:
        ctx.say("Nothing to resume today: starting a new session.")
    if assigned is None:
        raise SessionError(
            f"patient {patient_id} has no plan; assign one with 'rehab plan assign FILE --patient {patient_id}'"
        )
    runner = _Runner(ctx, patient_id, assigned, group)
    return runner.run()


def _plan_of(store: Store, patient_id: str, row_id: int) -> AssignedPlan:
    for row in store.plan_versions(patient_id):
        if row["id"] == row_id:
            plan = from_dict(row["body"]["plan"], f"plan version {row['version']}")
            return AssignedPlan(row["version"], row["id"], plan, row["body"].get("reason", ""))
    raise SessionError(f"the unfinished session's plan (id {row_id}) is missing from the store")


class _Runner:
    def __init__(self, ctx: SessionContext, patient_id: str, assigned: AssignedPlan, group: list[dict[str, Any]]):
        self.ctx = ctx
        self.store = ctx.store
        self.patient = patient_id
        self.assigned = assigned
        self.plan = assigned.plan
        self.group = group
        self.unclaimed = list(group)
        self.session_ids = [s["id"] for s in group]
        self.result = SessionResult("completed", assigned.version, session_ids=self.session_ids)
        self.pain_before: float | None = None
        self.sets_run = 0  # sets played in this run: a pain check comes before every set after the first

    # -- the whole session ------------------------------------------------------------------

    def run(self) -> SessionResult:
        ctx, plan = self.ctx, self.plan
        ctx.say(f"Plan version {self.assigned.version}: {plan.title}")
        self.pain_before = self._pain_before()
        self.result.pain_before = self.pain_before
        if self.pain_before is not None and self.pain_before > plan.safety.max_pain_before and not self.group:
            self.store.add_rating(self.patient, ctx.now_iso(), "pain", self.pain_before, moment="before")
            self.result.status = "not_started"
            self.result.message = (
                f"Your pain is {self.pain_before:g} out of 10. Your plan says not to exercise "
                f"when it is above {plan.safety.max_pain_before:g}: rest today, and tell your "
                "physiotherapist if it stays this high."
            )
            ctx.say(self.result.message)
            return self.result
        try:
            for index, exercise in enumerate(plan.exercise):
                self.result.exercises.append(self._exercise(index, exercise))
            self._mental()
        except _Stop as stop:
            if stop.status == "stopped_for_pain":
                self._finish("stopped")
            # stopped by the patient: left in progress, so --resume today carries on from here
            self.result.status = stop.status
            self.result.message = stop.message
            ctx.say(stop.message)
            return self.result
        after = ctx.ask_pain("after")
        self.result.pain_after = after
        rose = False
        if after is not None:
            self.store.add_rating(
                self.patient, ctx.now_iso(), "pain", after, session_id=self._last_id(), moment="after"
            )
            if self.pain_before is not None and after - self.pain_before >= plan.safety.pain_stop_rise:
                rose = True
                self.result.message = (
                    f"Your pain went from {self.pain_before:g} to {after:g} out of 10. Your "
                    "targets will not go up this time; tell your physiotherapist if it does "
                    "not settle."
                )
        self._finish("completed")
        if not rose:
            self._progress()
        if self.result.message:
            ctx.say(self.result.message)
        return self.result

    def _pain_before(self) -> float | None:
        ids = set(self.session_ids)
        for rating in self.store.ratings(self.patient, "pain"):
            if rating["session_id"] in ids and rating["moment"] == "before":
                return float(rating["value"])
        if self.group:
            return None  # resumed a session whose first rating was never stored: nothing to compare with
        return self.ctx.ask_pain("before")

    def _first_session(self, session_id: int) -> None:
        """The pain rating before belongs to the first store session of the group."""
        if not self.session_ids and self.pain_before is not None:
            self.store.add_rating(
                self.patient, self.ctx.now_iso(), "pain", self.pain_before, session_id=session_id, moment="before"
            )
        self.session_ids.append(session_id)

    def _last_id(self) -> int | None:
        return self.session_ids[-1] if self.session_ids else None

    def _finish(self, status: str) -> None:
        now = self.ctx.now_iso()
        for session_id in self.session_ids:
            if self.store.session(session_id)["status"] == "in_progress":
                self.store.finish_session(session_id, now, status)

    def _pain_check(self) -> None:
        """Before every set after the first: pain up by the plan's threshold ends the session."""
        if self.sets_run == 0:
            return
        value = self.ctx.ask_pain("during")
        if value is None:
            return
        self.store.add_rating(
            self.patient, self.ctx.now_iso(), "pain", value, session_id=self._last_id(), moment="during"
        )
        if self.pain_before is not None and value - self.pain_before >= self.plan.safety.pain_stop_rise:
            raise _Stop(
                "stopped_for_pain",
                f"Your pain went from {self.pain_before:g} to {value:g} out of 10, so we stopped here to keep "
                "you safe. Everything you did is saved. Rest, and tell your physiotherapist if the pain does "
                "not settle.",
            )

    # -- one exercise ---------------------------------------------------------------------

    def _exercise(self, index: int, exercise: ExercisePlan) -> ExerciseResult:
        ctx = self.ctx
        info = ctx.games.get(exercise.game)
        outcome = ExerciseResult(exercise.name, exercise.angle_name, math.nan)
        if info is None:
            outcome.skipped = f"game {exercise.game!r} is not installed"
            ctx.say(f"{exercise.name}: skipped, {outcome.skipped}.")
            return outcome
        stored = self._claim(exercise)
        if (
            stored is not None
            and all(s["t_end"] is not None for s in self.store.sets(stored["id"]))
            and len(self.store.sets(stored["id"])) >= exercise.sets
        ):
            ctx.say(f"{exercise.name}: already done today.")
            return self._tally(outcome, stored["id"], stored["target_deg"])
        side = exercise.side or "left"
        if stored is None:
            ok, why = self._setup_check(info, exercise, index * 100)
            if not ok:
                outcome.skipped = why
                ctx.say(f"{exercise.name}: skipped, {why}.")
                return outcome
            calibrated = self._calibrate(info, exercise, index * 100 + 1) if exercise.calibrate else None
            target = self._target(exercise, info, calibrated)
            if target is None:
                outcome.skipped = "the calibration could not see the movement, and the target is a share of it"
                ctx.say(f"{exercise.name}: skipped, {outcome.skipped}.")
                return outcome
            session_id = self.store.start_session(
                self.patient,
                ctx.now_iso(),
                info.name,
                exercise.angle_name,
                side if info.sided else "",
                ctx.input_url,
                target,
            )
            self.store.set_session_plan(session_id, self.assigned.version, "physical")
            self._first_session(session_id)
            outcome.calibrated_deg = calibrated if calibrated is not None else math.nan
        else:
            session_id, target = stored["id"], float(stored["target_deg"])
            ctx.say(f"{exercise.name}: carrying on where the session stopped.")
        game_exercise = replace(
            Exercise.for_game(info, side, exercise.reps, exercise.hold_s, target), ceiling_deg=exercise.ceiling_deg
        )
        ctx.say(
            f"{exercise.name}: {exercise.sets} sets of {exercise.reps}, target {target:.0f}°, "
            f"safe limit {exercise.ceiling_deg:.0f}°."
        )
        self._sets(index, exercise, info, game_exercise, session_id)
        return self._tally(outcome, session_id, target)

    def _claim(self, exercise: ExercisePlan) -> dict[str, Any] | None:
        """The stored session of this exercise in the resumed group, if it was started."""
        for stored in self.unclaimed:
            if stored["movement"] == exercise.angle_name and stored["game"] == exercise.game:
                self.unclaimed.remove(stored)
                return stored
        return None

    def _tally(self, outcome: ExerciseResult, session_id: int, target: float) -> ExerciseResult:
        reps = self.store.reps(session_id)
        outcome.target_deg = target
        outcome.reps = len(reps)
        outcome.successes = sum(bool(r["success"]) for r in reps)
        outcome.over_ceiling = sum(bool(r["over_ceiling"]) for r in reps)
        return outcome

    def _setup_check(self, info: GameSpec, exercise: ExercisePlan, seed: int) -> tuple[bool, str]:
        """A few seconds of input must show the movement before anything is measured."""
        source = self.ctx.open_source(info, exercise, seed)
        read = _reader(info)
        clock = self.ctx.make_clock()
        start = clock.now()
        seen = tracked = 0
        now = start
        while now - start < SETUP_CHECK_S:
            for sample in source.poll(now):
                angles = read(sample)
                seen += 1
                if angles is not None and math.isfinite(angles.get(exercise.angle_name)):
                    tracked += 1
            if any(e.kind == "ended" for e in source.status_events()):
                break
            now = clock.now()
        if seen == 0:
            return False, f"no input arrived from {self.ctx.input_url} (is the device connected?)"
        if tracked < SETUP_TRACKED_SHARE * seen:
            return False, (
                f"{exercise.angle_name.replace('_', ' ')} could not be measured: check that the whole "
                "body part is in view (or the sensor is on) and try again"
            )
        return True, ""

    def _calibrate(self, info: GameSpec, exercise: ExercisePlan, seed: int) -> float | None:
        """Median of the peaks of three comfortable movements, never past the ceiling; None if none seen.
        A calibration made earlier in a resumed session is reused, so the target stays the same."""
        ctx = self.ctx
        if self.group:
            since = self.group[0]["started_at"]
            for row in reversed(self.store.calibrations(self.patient)):
                if row["movement"] == exercise.angle_name and row["at"] >= since:
                    return float(row["max_deg"])
        source = ctx.open_source(info, exercise, seed)
        measured = measure_range(
            source,
            info,
            exercise.side or "left",
            exercise.ceiling_deg,
            ctx.make_clock(),
            ctx.display,
            ctx.scenes,
            exercise.name,
        )
        if measured is None:
            return None
        self.store.add_calibration(
            self.patient,
            ctx.now_iso(),
            exercise.angle_name,
            round(measured.start_deg, 1),
            round(measured.peak_deg, 1),
            ctx.input_url,
        )
        ctx.say(
            f"{exercise.name}: calibrated {measured.movements} movements, comfortable range up to "
            f"{measured.peak_deg:.0f}°."
        )
        return float(measured.peak_deg)

    @staticmethod
    def _target(exercise: ExercisePlan, info: GameSpec, calibrated: float | None) -> float | None:
        if exercise.target_deg is not None:
            return min(exercise.target_deg, exercise.ceiling_deg)
        if calibrated is None:
            return None
        rest = Exercise.for_game(info, exercise.side or "left").rest_deg
        assert exercise.target_percent is not None
        target = rest + exercise.target_percent / 100 * (calibrated - rest)
        return round(min(target, exercise.ceiling_deg), 1)

    def _sets(
        self, index: int, exercise: ExercisePlan, info: GameSpec, game_exercise: Exercise, session_id: int
    ) -> None:
        ctx = self.ctx
        existing = {row["set_index"]: row for row in self.store.sets(session_id)}
        reps = self.store.reps(session_id)
        next_rep = max((r["rep_index"] for r in reps), default=0) + 1
        clock_s = (
            max(
                [r["t_end"] for r in reps] + [row["t_end"] or row["t_start"] for row in existing.values()],
                default=-SET_GAP_S,
            )
            + SET_GAP_S
        )
        for number in range(1, exercise.sets + 1):
            row = existing.get(number)
            if row is not None and row["t_end"] is not None:
                continue
            self._pain_check()
            if row is None:
                if self.sets_run and exercise.rest_s > 0 and number > 1:
                    self._rest(
                        exercise.rest_s,
                        f"Set {number - 1} of {exercise.sets} done",
                        f"{exercise.name}, set {number} of {exercise.sets}",
                    )
                    clock_s += exercise.rest_s
                set_id = self.store.start_set(session_id, number, exercise.angle_name, exercise.reps, clock_s)
                remaining = exercise.reps
            else:
                set_id = row["id"]
                remaining = exercise.reps - sum(1 for r in reps if r["t_start"] >= row["t_start"])
            self.sets_run += 1
            source = _Timed(ctx.open_source(info, exercise, index * 100 + 10 + number))
            offset, counter = clock_s, [next_rep]

            def commit(
                rep: RepMetrics, offset: float = offset, counter: list[int] = counter, source: _Timed = source
            ) -> None:
                base = source.first or 0.0
                placed = replace(
                    rep, index=counter[0], t_start=rep.t_start - base + offset, t_end=rep.t_end - base + offset
                )
                self.store.add_rep(session_id, placed)
                counter[0] += 1

            played = play(
                source,
                info,
                replace(game_exercise, reps_planned=remaining),
                ctx.make_clock(),
                ctx.display,
                on_rep=commit,
                max_seconds=max(120.0, 30.0 * remaining),
                scenes=ctx.scenes,
                stop_after_reps=remaining,
            )
            next_rep = counter[0]
            clock_s = offset + source.span
            self.store.finish_set(set_id, clock_s)
            clock_s += SET_GAP_S
            done = sum(r.success for r in played.reps)
            ctx.say(
                f"  set {number}: {len(played.reps)} reps, {done} reached the target"
                + (
                    f" ({sum(r.over_ceiling for r in played.reps)} past the safe limit)"
                    if any(r.over_ceiling for r in played.reps)
                    else ""
                )
            )
            if played.ended == "stopped by the player":
                raise _Stop(
                    "stopped",
                    "You stopped the session. Everything you did is saved; run it again with "
                    "--resume today to carry on.",
                )

    def _rest(self, seconds: float, done: str, coming: str) -> None:
        from rehab.engine.session_scenes import draw_rest

        clock = self.ctx.make_clock()
        start = now = clock.now()
        shown = -1
        while now - start < seconds:
            left = int(seconds - (now - start) + 0.999)
            if left != shown:  # redraw once a second: a rest is long and the screen barely changes
                draw_rest(self.ctx.display.surface, left, done, coming)
                shown = left
            self.ctx.display.present()
            if self.ctx.display.quit_requested():
                raise _Stop("stopped", "You stopped the session during a rest. Everything you did is saved.")
            now = clock.now()

    # -- breathing and exposure ---------------------------------------------------------------

    def _mental(self) -> None:
        parts: list[tuple[str, Any]] = [("breathing", self.plan.breathing), ("exposure", self.plan.exposure)]
        for kind, part in parts:
            if part is None:
                continue
            info = self.ctx.games.get(part.game)
            if info is None:
                self.ctx.say(f"{kind.capitalize()}: skipped, game {part.game!r} is not installed yet.")
                continue
            since = self.group[0]["started_at"] if self.group else "9999"
            if any(s["game"] == part.game and s["started_at"] >= since for s in self.store.sessions(self.patient)):
                continue
            seconds = 60.0 * (part.minutes if kind == "breathing" else part.minutes_per_step * len(part.step))
            exercise = Exercise.for_game(info, "left", reps_planned=1)
            session_id = self.store.start_session(
                self.patient,
                self.ctx.now_iso(),
                info.name,
                exercise.angle_name,
                "",
                self.ctx.input_url,
                exercise.target_deg,
            )
            self.store.set_session_plan(session_id, self.assigned.version, "mental")
            self._first_session(session_id)
            source = self.ctx.open_source(info, None, 900)
            # the plan's own settings reach the game: the pace, or the therapist's hierarchy
            options: dict[str, Any] = (
                {"pace_bpm": part.breaths_per_min, "duration_s": seconds}
                if kind == "breathing"
                else {
                    "steps": [(s.description, s.suds_move_on) for s in part.step],
                    "suds_stop": part.suds_stop,
                    "minutes_per_step": part.minutes_per_step,
                }
            )
            played = play(
                source,
                info,
                exercise,
                self.ctx.make_clock(),
                self.ctx.display,
                on_rep=partial(self.store.add_rep, session_id),
                max_seconds=seconds,
                scenes=self.ctx.scenes,
                game_options=options,
            )
            # stress before/after breathing and SUDS during exposure belong with the pain ratings
            store_ratings(self.store, self.patient, session_id, self.ctx.now_iso(), played.extras)
            self.ctx.say(f"{kind.capitalize()}: done ({seconds / 60:g} minutes).")

    # -- progression --------------------------------------------------------------------------

    def _progress(self) -> None:
        history = {i: self._history(e) for i, e in enumerate(self.plan.exercise) if e.progression is not None}
        changes = propose(self.plan, history)
        if not changes:
            return
        new_plan = apply(self.plan, changes)
        reason = "; ".join(c.reason for c in changes)
        version = assign(
            self.store, self.patient, new_plan, self.ctx.now_iso(), self.ctx.today, f"progression: {reason}", changes
        )
        self.result.changes = changes
        for change in changes:
            self.ctx.say(f"Progress! {change.reason}. (plan version {version})")

    def _history(self, exercise: ExercisePlan) -> list[Outcome]:
        """Outcomes of this exercise in completed sessions under the current plan version, oldest first;
        a day on which pain rose by the plan's threshold never counts towards progression."""
        rose = pain_rise_days(self.store, self.patient, self.plan.safety.pain_stop_rise)
        outcomes = []
        for s in self.store.sessions(self.patient):
            if s.get("plan_id") != self.assigned.row_id or s["game"] != exercise.game:
                continue
            if s["movement"] != exercise.angle_name or s["status"] != "completed":
                continue
            reps = self.store.reps(s["id"])
            outcomes.append(
                Outcome(
                    reps_planned=exercise.sets * exercise.reps,
                    reps_done=len(reps),
                    successes=sum(bool(r["success"]) for r in reps),
                    completed=s["started_at"][:10] not in rose,
                )
            )
        return outcomes


def _reader(info: GameSpec) -> Callable[[Any], Any]:
    """How the game reads a sample: its own reader (a fresh one, when readers keep state), else joint
    angles from a pose, or the angles a device or simulator sent."""
    own = info.reader()

    def read(sample: Any) -> Any:
        from rehab.core.types import JointAngles, PoseFrame
        from rehab.engine.kinematics import pose_angles

        values = own(sample) if own is not None else None
        if values is not None:
            return values
        if isinstance(sample, PoseFrame):
            return pose_angles(sample)
        return sample if isinstance(sample, JointAngles) else None

    return read


def pain_rise_days(store: Store, patient_id: str, threshold: float) -> set[str]:
    """Days (ISO dates) on which a pain rating during or after a session rose ``threshold`` or more
    above that day's rating before. (A store query written here: the store has no such method.)"""
    before: dict[str, float] = {}
    rose = set()
    for rating in store.ratings(patient_id, "pain"):
        day = rating["at"][:10]
        if rating["moment"] == "before":
            before.setdefault(day, float(rating["value"]))
        elif (
            rating["moment"] in ("during", "after")
            and day in before
            and float(rating["value"]) - before[day] >= threshold
        ):
            rose.add(day)
    return rose

"""Today's guided session: the patient's current plan, run safely, and never losing a finished rep.

Order: pain before (0-10), then for each exercise a setup check, a calibration (move as far as is
comfortable three times; the median of the peaks), the sets with rests between them and a pain
check before each set after the first, then any breathing or exposure part, then pain after and
the plan's progression rules.

Crash safety comes from the store: every rep is committed the moment it completes, and a guided
session is the group of store sessions (one per exercise or part) still ``in_progress`` under a
plan, started within ``RESUME_WINDOW`` (so a session cut just before midnight resumes just after).
``resume=True`` finds that group and continues: finished sets are skipped, a set cut short
continues with the reps it still needs, and rep numbers carry on from the last stored one, so no
rep is lost or counted twice. It fails safe after a crash at any store write (the crash-injection
harness, ``tests/test_crash_injection.py``, checks every one):

- the pain before is stored in the same commit as the first store session, so a resumed session
  always compares with it; a resumed run asks about pain before its first set if sets were played;
- a pain rise ends the session in the same commit as the rating that shows it;
- a breathing or exposure part ends (its ``ended_at``) in the same commit as its recording and
  ratings: a part without an end is run again (in a new store session if the cut one stored reps,
  which stays as ``interrupted``), never skipped;
- the close (pain after, the end of every store session, the progression) is one commit, and
  ``--resume`` after a session that ended does nothing: no exercise is redone;
- a session older than the window, left ``in_progress`` by a crash, is closed as ``interrupted``
  by the next start.

Everything outside (store, clock, display, input, the patient's answers, today's date) comes in
through ``SessionContext``; this module never reads a clock or a terminal.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from progress.store import ExerciseProgress, SessionRow, Store, tell_once_per_wait
from rehab.app.outcomes import ask_due_outcomes
from rehab.app.plan_versions import AssignedPlan, assign, current_plan, plan_by_id
from rehab.app.plans import ExercisePlan, Plan, games_not_installed
from rehab.app.progression import Change, Outcome, apply, propose
from rehab.core.clock import Clock
from rehab.core.errors import RehabError
from rehab.core.i18n import _, ngettext
from rehab.core.types import RepMetrics
from rehab.engine.calibration import measure_range
from rehab.engine.display import Display
from rehab.engine.exercise import Exercise
from rehab.engine.game import GameSpec
from rehab.engine.live import ENDED_BY_PHYSIO
from rehab.engine.mental import store_rating
from rehab.engine.play import NO_SCENES, PlayResult, SceneTimes, play
from rehab.engine.ratings import Rating

#: seconds of input the setup check looks at, and the share of it that must show the movement
SETUP_CHECK_S = 3.0
SETUP_TRACKED_SHARE = 0.5
#: time between sets in the stored session timeline, beyond the prescribed rest
SET_GAP_S = 1.0
#: an unfinished session started this recently can be resumed; an older one is closed as interrupted
RESUME_WINDOW = timedelta(hours=12)


class SessionError(RehabError):
    """The session cannot start as asked (no plan, an unfinished session without --resume)."""


@dataclass
class SessionContext:
    store: Store
    games: Mapping[str, GameSpec]
    #: (game, exercise or None for breathing/exposure, seed) -> an input source for one phase
    open_source: Callable[[GameSpec, ExercisePlan | None, int], Any]
    display: Display
    make_clock: Callable[[], Clock]
    #: (moment: before, during or after; the camera's hand pointer, None without a camera)
    #: -> pain 0-10, or None when it cannot be asked
    ask_pain: Callable[[str, Callable[[float], float] | None], float | None]
    now_iso: Callable[[], str]
    today: str  # ISO date
    say: Callable[[str], None] = print
    scenes: SceneTimes = NO_SCENES
    input_url: str = "sim"
    #: the terminal, for the plan's questionnaires when there is no window (None: nobody to ask there)
    read_line: Callable[[str], str | None] | None = None
    #: seconds the closing card waits for the patient to close it: ``math.inf`` in a window (it stays
    #: until a key or a click), 0 on a headless display (drawn once, nobody is there to read it)
    card_s: float = 0.0
    #: an ISO time: calibrations made since then are used instead of measuring again (the home
    #: screen's first run measured the patient just before this first session); "" measures
    reuse_calibrations_since: str = ""
    #: a linked home's live link to its clinic (``rehab.app.live_share.LiveShare``): the patient is
    #: asked at the start whether to share the session live; None never asks
    live: Any = None

    def __post_init__(self) -> None:
        # another program holding the database is waited out, never a lost rep: say so once per wait
        self.store.on_busy = tell_once_per_wait(self.say)


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
    status: str  # completed, stopped_for_pain, stopped, not_started, already_ended
    plan_version: int
    pain_before: float | None = None
    pain_after: float | None = None
    exercises: list[ExerciseResult] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    session_ids: list[int] = field(default_factory=list)
    message: str = ""
    #: the message in the patient's words on the closing card, where the terminal's names a
    #: command-line option ("" when both say the same)
    screen_message: str = ""
    #: the breathing and exposure parts run, one line each, for the closing card
    parts_done: list[str] = field(default_factory=list)


class _Stop(Exception):
    def __init__(self, status: str, message: str, reason: str = "stopped_by_patient", screen: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.reason = reason  # the visit's stop reason (progress.store.STOP_REASONS)
        self.screen = screen  # the message for the closing card, when it differs


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


def unfinished_group(store: Store, patient_id: str, since: datetime) -> list[SessionRow]:
    """The store sessions of an unfinished guided session (one per exercise or part started) begun
    at or after ``since``, oldest first."""
    return [
        s
        for s in store.sessions(patient_id)
        if s.status == "in_progress" and s.plan_id is not None and _started_since(s, since)
    ]


def close_stale(store: Store, patient_id: str, since: datetime, now_iso: str) -> list[int]:
    """Close as ``interrupted`` the patient's sessions left in progress (by a crash or a kill) before
    ``since``: too old to resume, and never left open for ever. Returns their ids."""
    old = [s for s in store.sessions(patient_id) if s.status == "in_progress" and not _started_since(s, since)]
    stale = [s.id for s in old]
    if stale:
        with store.transaction("close stale sessions"):
            store.finish_unfinished(stale, now_iso, "interrupted")
            for visit_id in {s.visit_id for s in old if s.visit_id is not None}:
                visit = store.visit(visit_id)
                if visit is not None and visit.status == "in_progress":
                    store.end_visit(visit_id, now_iso, "interrupted")
    return stale


def _started_since(session: SessionRow, since: datetime) -> bool:
    try:
        started = datetime.fromisoformat(session.started_at)
    except ValueError:
        return False
    if (started.tzinfo is None) != (since.tzinfo is None):
        started = started.replace(tzinfo=since.tzinfo)
    return started >= since


def run_session(ctx: SessionContext, patient_id: str, resume: bool = False) -> SessionResult:
    """Run today's session, then show its closing card (what was done, and any safety words) until
    the patient closes it. The card comes after the last store write: nothing waits on it."""
    result = _run(ctx, patient_id, resume)
    from rehab.app.session_cards import end_card
    from rehab.engine.message_card import show_card

    show_card(ctx.display, ctx.make_clock(), end_card(result), ctx.card_s)
    return result


def _run(ctx: SessionContext, patient_id: str, resume: bool) -> SessionResult:
    assigned = current_plan(ctx.store, patient_id)
    since = datetime.fromisoformat(ctx.now_iso()) - RESUME_WINDOW
    close_stale(ctx.store, patient_id, since, ctx.now_iso())
    group = unfinished_group(ctx.store, patient_id, since)
    if group and not resume:
        raise SessionError(
            f"there is an unfinished session from {group[0].started_at[:10]} {group[0].started_at[11:16]}; "
            "run again with --resume to carry on where it stopped"
        )
    if group:
        assert group[0].plan_id is not None
        assigned = plan_by_id(ctx.store, group[0].plan_id)
        if assigned is None:
            raise SessionError(f"the unfinished session's plan (id {group[0].plan_id}) is missing from the store")
    elif resume:
        ended = _ended_since(ctx.store, patient_id, since)
        if ended is not None:
            return _already_ended(ctx, ended, assigned)
        ctx.say("Nothing to resume: starting a new session.")
    if assigned is None:
        raise SessionError(
            f"patient {patient_id} has no plan; assign one with 'rehab plan assign FILE --patient {patient_id}'"
        )
    missing = games_not_installed(assigned.plan, ctx.games)
    if missing:
        # a part silently skipped would read as a session done: refuse, before anything is stored
        raise SessionError(f"plan version {assigned.version} cannot be run: {missing}")
    walk = _Walk(ctx, patient_id, assigned, group, resume=resume, window_start=since.isoformat(timespec="seconds"))
    return _Runner(walk).run()


def _ended_since(store: Store, patient_id: str, since: datetime) -> SessionRow | None:
    """The patient's latest guided session, if it ended (completed, or stopped for pain) since ``since``."""
    guided = [s for s in store.sessions(patient_id) if s.plan_id is not None]
    latest = guided[-1] if guided else None
    if latest is None or latest.status not in ("completed", "stopped") or not _started_since(latest, since):
        return None
    return latest


def _already_ended(ctx: SessionContext, ended: SessionRow, assigned: AssignedPlan | None) -> SessionResult:
    """``--resume`` after a session that ended (perhaps just before a crash): nothing is run again."""
    how = "was stopped because your pain rose" if ended.status == "stopped" else "was completed"
    result = SessionResult("already_ended", assigned.version if assigned else 0)
    result.message = (
        f"Your last session (started {ended.started_at[11:16]}) {how}: there is nothing to resume, and "
        "nothing was run again."
    )
    ctx.say(result.message)
    return result


@dataclass
class _Walk:
    """What every part of one walk through a guided session shares: the context, the plan followed,
    the resumed group, the store sessions of this guided session so far, and the pain before."""

    ctx: SessionContext
    patient: str
    assigned: AssignedPlan
    group: list[SessionRow]
    resume: bool = False
    window_start: str = ""  # ISO time: a calibration made since then is reused when resuming
    session_ids: list[int] = field(default_factory=list)
    pain_before: float | None = None
    pain_before_stored: bool = False
    # sets played: a pain check comes before every set after the first, and before the first set
    # of a resumed run when sets were played before the cut
    sets_run: int = 0
    visit_id: str | None = None  # the guided session as a whole (progress.store visits)
    #: the camera's hand pointer for the pain question, made the first time it is asked
    hand: Callable[[float], float] | None = None

    def __post_init__(self) -> None:
        self.session_ids = [s.id for s in self.group]
        self.visit_id = next((s.visit_id for s in self.group if s.visit_id is not None), None)
        self.sets_run = int(any(self.store.sets(s.id) for s in self.group))

    @property
    def store(self) -> Store:
        return self.ctx.store

    @property
    def plan(self) -> Plan:
        return self.assigned.plan

    def last_id(self) -> int | None:
        return self.session_ids[-1] if self.session_ids else None

    def ask_pain(self, moment: str) -> float | None:
        """The pain question, answerable by a raised hand too when the session has a camera."""
        from rehab.app.outcomes import no_hand

        if self.hand is None:
            self.hand = _camera_hand(self.ctx, self.plan)
        # without a camera the question says nothing of hands and only Enter or a tap chooses
        value = self.ctx.ask_pain(moment, None if self.hand is no_hand else self.hand)
        self.stop_if_physio_ended()  # every answer given before this question is already stored
        return value

    def stop_if_physio_ended(self) -> None:
        """The physio ended the session from afar during a rest or a pain question: it stops as when
        they end a set, with everything done and answered kept."""
        live = self.ctx.live
        if live is not None and live.between.ended:
            raise _physio_ended()

    def start_session(self, info: GameSpec, movement: str, side: str, target: float, kind: str) -> int:
        """A new store session under the plan. The pain rating before belongs to the group's first,
        and goes in with it in one commit: a resumed session always has the pain to compare with."""
        with_pain = not self.pain_before_stored and self.pain_before is not None
        with self.store.transaction("session start" + (" and pain before" if with_pain else "")):
            if self.visit_id is None:
                self.begin_visit()
            session_id = self.store.start_session(
                self.patient,
                self.ctx.now_iso(),
                info.name,
                movement,
                side,
                self.ctx.input_url,
                target,
                plan_id=self.assigned.row_id,
                kind=kind,
                visit_id=self.visit_id,
            )
            if with_pain and self.pain_before is not None:
                self.rate_pain(self.pain_before, "before", session_id)
                self.pain_before_stored = True
        self.session_ids.append(session_id)
        return session_id

    def begin_visit(self) -> None:
        """The guided session as a whole: a new visit (in the caller's transaction, so that no crash
        leaves a visit without its first part), or the resumed one in progress again."""
        if self.visit_id is None:
            self.visit_id = self.store.start_visit(self.patient, self.ctx.now_iso(), self.assigned.row_id)
            return
        visit = self.store.visit(self.visit_id)
        if visit is not None and visit.status != "in_progress":
            self.store.reopen_visit(self.visit_id)

    def end_visit(self, status: str, reason: str | None = None) -> None:
        if self.visit_id is not None:
            self.store.end_visit(self.visit_id, self.ctx.now_iso(), status, reason)

    def rate_pain(self, value: float, moment: str, session_id: int | None) -> None:
        self.store.add_rating(self.patient, self.ctx.now_iso(), "pain", value, session_id=session_id, moment=moment)
        if self.ctx.live is not None:
            self.ctx.live.send({"type": "pain", "moment": moment, "value": value})

    def pain_check(self) -> None:
        """Before every set after the first: pain up by the plan's threshold ends the session."""
        if self.sets_run == 0:
            return
        value = self.ask_pain("during")
        if value is None:
            return
        rose = self.pain_before is not None and value - self.pain_before >= self.plan.safety.pain_stop_rise
        # the rating that shows the rise and the end of the session go in together: no crash between
        # them can leave a session that a resume would carry on
        with self.store.transaction("pain during" + (" and pain stop" if rose else "")):
            self.rate_pain(value, "during", self.last_id())
            if rose:
                self.store.finish_unfinished(self.session_ids, self.ctx.now_iso(), "stopped")
                self.end_visit("stopped", "stopped_for_pain")
        if rose:
            raise _Stop(
                "stopped_for_pain",
                _(
                    "Your pain went from {before} to {now} out of 10, so we stopped here to keep you safe. "
                    "Everything you did is saved. Rest, and tell your physiotherapist if the pain does not settle."
                ).format(before=f"{self.pain_before:g}", now=f"{value:g}"),
            )


def _physio_ended() -> _Stop:
    return _Stop(
        "stopped",
        "Your physio ended the session. Everything you did is saved.",
        reason="ended_by_physio",
        screen=_("Your physio ended the session. Everything you did is saved."),
    )


class _Runner:
    """The whole session: pain before, the exercises, breathing and exposure, pain after, progression."""

    def __init__(self, walk: _Walk) -> None:
        self.walk = walk
        self.ctx = walk.ctx
        self.result = SessionResult("completed", walk.assigned.version, session_ids=walk.session_ids)

    def run(self) -> SessionResult:
        walk, plan = self.walk, self.walk.plan
        self.ctx.say(f"Plan version {walk.assigned.version}: {plan.title}")
        if self.ctx.live is not None:
            from rehab.app.live_share import offer

            offer(self.ctx.live, self.ctx.display, self.ctx.make_clock, self.ctx.card_s, self.ctx.say)
        try:
            walk.pain_before = self.result.pain_before = self._pain_before()
        except _Stop as stop:  # the physio ended it during the question: nothing was stored yet
            return self._stopped(stop, None)
        if walk.pain_before is None and walk.resume:
            raise SessionError("the pain before this session is not known: give it with --pain-before N (0-10)")
        if walk.pain_before is not None and walk.pain_before > plan.safety.max_pain_before and not walk.group:
            return self._not_started(walk.pain_before)
        if walk.visit_id is not None:
            walk.begin_visit()
        if not walk.group:  # a resumed session asked them when it began
            # stored by their own time, before the visit's first part exists (no visit id)
            ask_due_outcomes(
                self.ctx,
                walk.patient,
                plan,
                walk.visit_id,
                self.ctx.today,
                read_line=self.ctx.read_line,
                hand=_camera_hand(self.ctx, plan),
            )
        exercises = _Exercises(walk)
        try:
            for index, exercise in enumerate(plan.exercise):
                self.result.exercises.append(exercises.run(index, exercise))
            self.result.parts_done = _run_mental(walk)
        except _Stop as stop:
            return self._stopped(stop, exercises)
        try:
            # the close is one commit: a crash leaves the session open (resumed, nothing redone) or closed
            with walk.store.transaction("session close"):
                rose = self._pain_after()
                self._finish("completed")
                walk.end_visit("completed")
                if not rose:
                    self.result.changes = _progress(walk)
        except _Stop as stop:  # the physio ended it during the last pain question: nothing is closed
            return self._stopped(stop, None)
        if self.result.message:
            self.ctx.say(self.result.message)
        return self.result

    def _stopped(self, stop: _Stop, exercises: _Exercises | None) -> SessionResult:
        walk = self.walk
        if exercises is not None and exercises.cut_short is not None:  # what was done of it, for the closing card
            self.result.exercises.append(exercises.cut_short)
        # stopped for pain: ended with the rating that showed the rise; stopped by the patient, the
        # physio or a lost device: its parts left in progress, so --resume carries on from here
        if stop.status == "stopped":
            walk.end_visit("stopped", stop.reason)
        self.result.status = stop.status
        self.result.message = stop.message
        self.result.screen_message = stop.screen
        self.ctx.say(stop.message)
        return self.result

    def _pain_before(self) -> float | None:
        """A resumed session compares with the pain given before it started (stored with its first
        store session, which may since have been closed as interrupted when a part was run again);
        one without it (stored by an older rehab) asks again rather than run without the pain rule."""
        walk = self.walk
        if not walk.session_ids:
            return self.walk.ask_pain("before")
        cut = [s.id for s in walk.store.sessions(walk.patient) if s.status == "interrupted" and s.plan_id is not None]
        stored = walk.store.session_ratings([*cut, *walk.session_ids], "pain", "before")
        stored = [r for r in stored if r.at >= walk.window_start]
        walk.pain_before_stored = True
        if stored:
            return float(stored[-1].value)
        asked = self.walk.ask_pain("before")
        if asked is not None:
            walk.rate_pain(asked, "before", walk.session_ids[0])
        return asked

    def _not_started(self, pain: float) -> SessionResult:
        walk = self.walk
        # the visit records that the patient came and was told to rest: it counts in the report
        with walk.store.transaction("pain too high to start"):
            walk.begin_visit()
            walk.rate_pain(pain, "before", None)
            walk.end_visit("not_started", "pain_too_high")
        self.result.status = "not_started"
        self.result.message = _(
            "Your pain is {pain} out of 10. Your plan says not to exercise when it is above {limit}: rest "
            "today, and tell your physiotherapist if it stays this high."
        ).format(pain=f"{pain:g}", limit=f"{self.walk.plan.safety.max_pain_before:g}")
        self.ctx.say(self.result.message)
        return self.result

    def _pain_after(self) -> bool:
        """Ask and store the pain after; True when it rose by the plan's threshold (no progression then)."""
        walk = self.walk
        after = self.result.pain_after = self.walk.ask_pain("after")
        if after is None:
            return False
        walk.rate_pain(after, "after", walk.last_id())
        if walk.pain_before is None or after - walk.pain_before < walk.plan.safety.pain_stop_rise:
            return False
        self.result.message = _(
            "Your pain went from {before} to {after} out of 10. Your targets will not go up this time; "
            "tell your physiotherapist if it does not settle."
        ).format(before=f"{walk.pain_before:g}", after=f"{after:g}")
        return True

    def _finish(self, status: str) -> None:
        if self.walk.session_ids:
            self.walk.store.finish_unfinished(self.walk.session_ids, self.ctx.now_iso(), status)


def _camera_hand(ctx: SessionContext, plan: Plan) -> Callable[[float], float]:
    """With a camera and a window, a hand held over an answer chooses it (the questionnaires, the
    pain question), as in the games: the session's own camera (opened once, shared with the
    exercises) is watched for it."""
    from rehab.app.outcomes import hand_pointer, no_hand
    from rehab.engine.display import HeadlessDisplay

    camera = ctx.input_url.startswith(("webcam:", "video:"))
    if not camera or isinstance(ctx.display, HeadlessDisplay) or not plan.exercise:
        return no_hand
    first = plan.exercise[0]
    info = ctx.games.get(first.game)
    return no_hand if info is None else hand_pointer(ctx.open_source(info, first, 0))


class _Exercises:
    """One exercise at a time: a new store session (prepared first) or the resumed one, its sets, its tally."""

    def __init__(self, walk: _Walk) -> None:
        self.walk = walk
        self.ctx = walk.ctx
        self.unclaimed = list(walk.group)
        #: the exercise a stop cut short, tallied as far as it went
        self.cut_short: ExerciseResult | None = None

    def run(self, index: int, exercise: ExercisePlan) -> ExerciseResult:
        ctx, store = self.ctx, self.walk.store
        info = ctx.games.get(exercise.game)
        outcome = ExerciseResult(exercise.name, exercise.angle_name, math.nan)
        if info is None:
            return _skip(ctx, outcome, f"game {exercise.game!r} is not installed")
        stored = self._claim(exercise)
        if stored is None:
            started = _Preparation(self.walk).prepare(index, exercise, info, outcome)
            if started is None:
                return outcome
            session_id, target = started
            progress = ExerciseProgress((), ())
        else:
            session_id, target = stored.id, float(stored.target_deg or 0.0)
            progress = store.exercise_progress(session_id)
            if len(progress.sets) >= exercise.sets and all(s.t_end is not None for s in progress.sets):
                ctx.say(f"{exercise.name}: already done today.")
                return self._tally(outcome, session_id, target)
            ctx.say(f"{exercise.name}: carrying on where the session stopped.")
        game_exercise = replace(
            Exercise.for_game(info, exercise.side or "left", exercise.reps, exercise.hold_s, target),
            ceiling_deg=exercise.ceiling_deg,
        )
        ctx.say(
            f"{exercise.name}: {exercise.sets} sets of {exercise.reps}, target {target:.0f}°, "
            f"safe limit {exercise.ceiling_deg:.0f}°."
        )
        try:
            _Sets(self.walk, index, exercise, info, game_exercise, session_id).run(progress)
        except _Stop:
            self.cut_short = self._tally(outcome, session_id, target)
            raise
        return self._tally(outcome, session_id, target)

    def _claim(self, exercise: ExercisePlan) -> SessionRow | None:
        """The stored session of this exercise in the resumed group, if it was started."""
        for stored in self.unclaimed:
            if stored.movement == exercise.angle_name and stored.game == exercise.game:
                self.unclaimed.remove(stored)
                return stored
        return None

    def _tally(self, outcome: ExerciseResult, session_id: int, target: float) -> ExerciseResult:
        tally = self.walk.store.rep_tallies([session_id]).get(session_id)
        outcome.target_deg = target
        if tally is not None:
            outcome.reps, outcome.successes, outcome.over_ceiling = tally.reps, tally.successes, tally.over_ceiling
        return outcome


class _Preparation:
    """Before a new exercise's sets: the setup check, the calibration and the target it gives."""

    def __init__(self, walk: _Walk) -> None:
        self.walk = walk
        self.ctx = walk.ctx

    def prepare(
        self, index: int, exercise: ExercisePlan, info: GameSpec, outcome: ExerciseResult
    ) -> tuple[int, float] | None:
        """Check the setup, calibrate and set the target, then open the exercise's store session:
        (session id, target), or None when the exercise is skipped (``outcome`` says why)."""
        ok, why = self._setup_check(info, exercise, index * 100)
        if not ok:
            _skip(self.ctx, outcome, why)
            return None
        calibrated = self._calibrate(info, exercise, index * 100 + 1) if exercise.calibrate else None
        target = self._target(exercise, info, calibrated)
        if target is None:
            why = _("the calibration could not see the movement, and the target is a share of it")
            _skip(self.ctx, outcome, why)
            return None
        side = (exercise.side or "left") if info.sided else ""
        session_id = self.walk.start_session(info, exercise.angle_name, side, target, "physical")
        outcome.calibrated_deg = calibrated if calibrated is not None else math.nan
        return session_id, target

    def _setup_check(self, info: GameSpec, exercise: ExercisePlan, seed: int) -> tuple[bool, str]:
        """A few seconds of input must show the movement before anything is measured."""
        from rehab.engine.director import run_scenes
        from rehab.engine.session_scenes import SetupCheckScene

        source = self.ctx.open_source(info, exercise, seed)
        check = SetupCheckScene(source, _reader(info), exercise.angle_name, SETUP_CHECK_S)
        run_scenes(self.ctx.make_clock(), self.ctx.display, check)
        seen, tracked = check.seen, check.tracked
        if seen == 0:
            return False, _no_input_words(self.ctx.input_url)
        if tracked < SETUP_TRACKED_SHARE * seen and check.person == "choosing patient":
            return False, _(
                "several people were in view and the camera could not tell which is you: ask the others "
                "to step aside, or raise a hand above your head for a moment, then try again"
            )
        if tracked < SETUP_TRACKED_SHARE * seen:
            return False, _(
                "the movement could not be measured: check that the whole body part is in view (or the "
                "sensor is on), then try again"
            )
        return True, ""

    def _calibrate(self, info: GameSpec, exercise: ExercisePlan, seed: int) -> float | None:
        """Median of the peaks of three comfortable movements, never past the ceiling; None if none seen.
        A calibration made earlier in a resumed session (or just before a crash cut it, before its
        first store session) is reused, so the target stays the same and the patient does it once;
        so is one made since ``reuse_calibrations_since`` (the home screen's first run)."""
        ctx, walk = self.ctx, self.walk
        since = ctx.reuse_calibrations_since
        if walk.group or walk.resume:
            since = walk.group[0].started_at if walk.group else walk.window_start
        if since:
            earlier = walk.store.latest_calibration(walk.patient, exercise.angle_name, since)
            if earlier is not None:
                return float(earlier.max_deg)
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
            self.walk.plan.notes,
        )
        if measured is None:
            return None
        walk.store.add_calibration(
            walk.patient,
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


def _no_input_words(url: str) -> str:
    """Why an exercise did not start when nothing came from the input, in the patient's words."""
    if url.startswith(("webcam:", "video:", "images:")):
        return _("the camera sent no picture: check that it is plugged in and that no other program is using it")
    return _("nothing came from your sensor: check that it is switched on and connected")


def _skip(ctx: SessionContext, outcome: ExerciseResult, why: str) -> ExerciseResult:
    outcome.skipped = why
    ctx.say(f"{outcome.name}: skipped, {why}.")
    return outcome


class _Sets:
    """The sets of one exercise, each rep committed the moment it completes. A resumed exercise skips
    its finished sets, a set cut short plays only the reps it still needs, and rep numbers and the
    stored timeline carry on from what is stored."""

    def __init__(
        self, walk: _Walk, index: int, exercise: ExercisePlan, info: GameSpec, game_exercise: Exercise, session_id: int
    ) -> None:
        self.walk = walk
        self.ctx = walk.ctx
        self.index = index
        self.exercise = exercise
        self.info = info
        self.game_exercise = game_exercise
        self.session_id = session_id
        self.next_rep = 1
        self.clock_s = 0.0  # seconds on the session's stored timeline

    def run(self, progress: ExerciseProgress) -> None:
        existing = {row.set_index: row for row in progress.sets}
        self.next_rep = max((r.rep_index for r in progress.reps), default=0) + 1
        ends = [r.t_end for r in progress.reps if r.t_end is not None]
        ends += [row.t_end if row.t_end is not None else row.t_start for row in progress.sets]
        self.clock_s = max(ends, default=-SET_GAP_S) + SET_GAP_S
        exercise = self.exercise
        for number in range(1, exercise.sets + 1):
            row = existing.get(number)
            if row is not None and row.t_end is not None:
                continue
            self.walk.pain_check()
            if row is None:
                if self.walk.sets_run and exercise.rest_s > 0 and number > 1:
                    self._rest(
                        exercise.rest_s,
                        _("Set {number} of {count} done").format(number=number - 1, count=exercise.sets),
                        _("{exercise}, set {number} of {count}").format(
                            exercise=exercise.name, number=number, count=exercise.sets
                        ),
                    )
                    self.clock_s += exercise.rest_s
                set_id = self.walk.store.start_set(
                    self.session_id, number, exercise.angle_name, exercise.reps, self.clock_s
                )
                remaining = exercise.reps
            else:
                set_id = row.id
                remaining = exercise.reps - sum(1 for r in progress.reps if (r.t_start or 0.0) >= row.t_start)
            self.walk.sets_run += 1
            self._one_set(number, set_id, remaining)

    def _one_set(self, number: int, set_id: int, remaining: int) -> None:
        ctx = self.ctx
        source = _Timed(ctx.open_source(self.info, self.exercise, self.index * 100 + 10 + number))
        offset = self.clock_s
        if ctx.live is not None:
            label = _("{exercise}, set {number} of {count}")
            words = label.format(exercise=self.exercise.name, number=number, count=self.exercise.sets)
            ctx.live.send({"type": "scene", "scene": "set", "set": words})

        def commit(rep: RepMetrics) -> None:
            shift = offset - (source.first or 0.0)
            placed = replace(rep, index=self.next_rep, t_start=rep.t_start + shift, t_end=rep.t_end + shift)
            self.walk.store.add_rep(self.session_id, placed)
            self.next_rep += 1

        played = play(
            source,
            # the exercise as the plan names it ("Head turns"), not the game ("Glider")
            replace(self.info, title=self.exercise.name),
            replace(self.game_exercise, reps_planned=remaining),
            ctx.make_clock(),
            ctx.display,
            on_rep=commit,
            max_seconds=max(120.0, 30.0 * remaining),
            scenes=ctx.scenes,
            stop_after_reps=remaining,
            notes=self.walk.plan.notes,
            live=ctx.live,
        )
        self.clock_s = offset + source.span
        if ctx.live is not None:
            ctx.live.between.movement = self.exercise.angle_name  # a target sent in the rest is for it
        # the set's end, its angle streams and device events, in one commit, on the session's timeline
        _record(self.walk.store, self.session_id, played, offset - (source.first or 0.0), set_id, self.clock_s)
        self.clock_s += SET_GAP_S
        self._report(number, played)

    def _report(self, number: int, played: PlayResult) -> None:
        done = sum(r.success for r in played.reps)
        over = sum(r.over_ceiling for r in played.reps)
        self.ctx.say(
            f"  set {number}: {len(played.reps)} reps, {done} reached the target"
            + (f" ({over} past the safe limit)" if over else "")
        )
        if _device_lost(played):
            raise _Stop(
                "stopped",
                "The camera or device stopped sending and did not come back, so we stopped here. Everything you "
                "did is saved; check the connection, then run it again with --resume today to carry on.",
                reason="device_lost",
                screen=_(
                    "The camera or device stopped sending and did not come back, so we stopped here. Everything "
                    "you did is saved: check the connection, then start today's session again to carry on."
                ),
            )
        if played.ended == ENDED_BY_PHYSIO:
            raise _physio_ended()
        if played.ended == "stopped by the player":
            raise _Stop(
                "stopped",
                "You stopped the session. Everything you did is saved; run it again with --resume today to carry on.",
                screen=_(
                    "You stopped the session. Everything you did is saved: start today's session again today "
                    "to carry on where you stopped."
                ),
            )

    def _rest(self, seconds: float, done: str, coming: str) -> None:
        from rehab.engine.director import run_scenes
        from rehab.engine.session_scenes import RestScene

        rest = RestScene(seconds, done, coming)
        live = self.ctx.live
        if live is not None:
            live.send({"type": "scene", "scene": "rest", "seconds": seconds, "next": coming})
        # under the live session's break: the physio's message, pause and end act during the rest
        run_scenes(self.ctx.make_clock(), self.ctx.display, live.between.around(rest) if live is not None else rest)
        self.walk.stop_if_physio_ended()
        if rest.stopped:
            raise _Stop("stopped", _("You stopped the session during a rest. Everything you did is saved."))


def record_game_summary(store: Store, session_id: int, summary: dict[str, Any]) -> None:
    """A mental game's own measures, and its breathing rate per minute as the stream reports plot
    (the ratings in it are stored one by one as they are given, so they are left out here)."""
    kept = {key: _json_safe(value) for key, value in summary.items() if key != "rating_list"}
    if kept:
        store.set_summary(session_id, kept)
    rates = summary.get("rate_by_minute_bpm") or []
    if rates:
        # each minute's rate at that minute's middle, seconds from the first breath
        store.add_stream(session_id, "breathing_rate", "1/min", [60.0 * i + 30.0 for i in range(len(rates))], rates)


def _json_safe(value: Any) -> Any:
    """NaN (a measure that could not be made) as null, so that a summary is always storable as JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def _device_lost(played: PlayResult) -> bool:
    """The set ended with its device lost and not back (a lost device pauses the game until it ends)."""
    kinds = [e.kind for e in played.events if e.kind in ("lost", "reconnected")]
    return bool(kinds) and kinds[-1] == "lost"


def _record(
    store: Store,
    session_id: int,
    played: PlayResult,
    shift: float,
    set_id: int | None = None,
    set_end: float | None = None,
) -> None:
    """Store what the play recorded besides reps (its sample streams and device events), moved by
    ``shift`` seconds onto the session's timeline, and end its set, in one commit."""
    channels = {name: ([t + shift for t in times], values) for name, (times, values) in played.streams.items()}
    events = [replace(e, t=e.t + shift) for e in played.events]
    store.add_recording(session_id, channels, events, set_id=set_id, set_end=set_end)


# -- breathing and exposure -------------------------------------------------------------------


def _run_mental(walk: _Walk) -> list[str]:
    """Run the plan's breathing and exposure parts; a line for each, for the closing card."""
    parts: list[tuple[str, Any]] = [("breathing", walk.plan.breathing), ("exposure", walk.plan.exposure)]
    done: list[str] = []
    for kind, part in parts:
        if part is None:
            continue
        info = walk.ctx.games.get(part.game)
        if info is None:
            walk.ctx.say(f"{kind.capitalize()}: skipped, game {part.game!r} is not installed yet.")
            continue
        cut = next((s for s in walk.group if s.game == part.game), None)
        if cut is not None and cut.ended_at is not None:
            walk.ctx.say(f"{kind.capitalize()}: already done.")  # a resumed session does not repeat it
            done.append(
                _("Breathing: done earlier today.") if kind == "breathing" else _("Exposure: done earlier today.")
            )
            continue
        done.append(_mental_part(walk, kind, part, info, _reusable(walk, cut)))
    return done


def _reusable(walk: _Walk, cut: SessionRow | None) -> int | None:
    """The store session of a part cut before its end, if it can hold the part's rerun: one that
    stored nothing is reused; one holding reps (breaths) or answers keeps them, closed as
    ``interrupted``, so the rerun's answers never mix with them."""
    if cut is None:
        return None
    answered = any(r.session_id == cut.id for r in walk.store.ratings(walk.patient))
    if not walk.store.reps(cut.id) and not answered:
        return cut.id
    walk.store.finish_session(cut.id, walk.ctx.now_iso(), "interrupted")
    walk.session_ids.remove(cut.id)
    return None


def _store_answer(walk: _Walk, session_id: int, rating: Rating) -> None:
    store_rating(walk.store, walk.patient, session_id, walk.ctx.now_iso(), rating)


#: time a question may take (the games' prompts wait 30 s): breathing asks stress before and after,
#: exposure asks SUDS on arriving at each step and before the calm breathing that closes it
QUESTION_S = 30.0


def _questions_s(kind: str, part: Any) -> float:
    """Time for the part's questions on top of its minutes, so the time limit never cuts the breathing
    or the last step short; at the limit the closing question is asked all the same."""
    return QUESTION_S * (2 if kind == "breathing" else len(part.step) + 1)


def _mental_part(walk: _Walk, kind: str, part: Any, info: GameSpec, session_id: int | None) -> str:
    """Play a breathing or exposure part from its start; its recording, its ratings and its end go in
    one commit, so a part cut short is run again, never taken for done."""
    ctx = walk.ctx
    seconds = 60.0 * (part.minutes if kind == "breathing" else part.minutes_per_step * len(part.step))
    exercise = Exercise.for_game(info, "left", reps_planned=1)
    if session_id is None:
        session_id = walk.start_session(info, exercise.angle_name, "", exercise.target_deg, "mental")
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
        ctx.open_source(info, None, 900),
        info,
        exercise,
        ctx.make_clock(),
        ctx.display,
        on_rep=partial(walk.store.add_rep, session_id),
        max_seconds=seconds + _questions_s(kind, part),
        scenes=ctx.scenes,
        game_options=options,
        # stress before/after breathing and SUDS during exposure: each stored the moment it is given
        on_rating=partial(_store_answer, walk, session_id),
        notes=walk.plan.notes,
    )
    with walk.store.transaction(f"{kind} end"):
        _record(walk.store, session_id, played, 0.0)
        record_game_summary(walk.store, session_id, played.extras)
        walk.store.end_part(session_id, ctx.now_iso())
    ctx.say(f"{kind.capitalize()}: done ({seconds / 60:g} minutes).")
    played_min = played.play_s / 60
    minutes = round(played_min)
    if kind == "breathing":
        said = ngettext("Breathing: {count} minute.", "Breathing: {count} minutes.", minutes)
    else:
        said = ngettext("Exposure: {count} minute.", "Exposure: {count} minutes.", minutes)
    return said.format(count=f"{played_min:.0f}")


# -- progression ------------------------------------------------------------------------------


def _progress(walk: _Walk) -> list[Change]:
    """Apply the plan's progression rules to this plan version's history; a change is a new version."""
    plan = walk.plan
    changes = propose(plan, _history(walk))
    if not changes:
        return []
    reason = "; ".join(c.reason for c in changes)
    ctx = walk.ctx
    version = assign(
        walk.store, walk.patient, apply(plan, changes), ctx.now_iso(), ctx.today, f"progression: {reason}", changes
    )
    for change in changes:
        ctx.say(f"Progress! {change.reason}. (plan version {version})")
    return changes


def _history(walk: _Walk) -> dict[int, list[Outcome]]:
    """Exercise index -> outcomes in completed sessions under the current plan version, oldest first;
    a day on which pain rose by the plan's threshold never counts towards progression."""
    rose = pain_rise_days(walk.store, walk.patient, walk.plan.safety.pain_stop_rise)
    sessions = [
        s for s in walk.store.sessions(walk.patient) if s.plan_id == walk.assigned.row_id and s.status == "completed"
    ]
    tallies = walk.store.rep_tallies([s.id for s in sessions]) if sessions else {}
    history: dict[int, list[Outcome]] = {}
    for index, exercise in enumerate(walk.plan.exercise):
        if exercise.progression is None:
            continue
        history[index] = [
            Outcome(
                reps_planned=exercise.sets * exercise.reps,
                reps_done=tallies[s.id].reps if s.id in tallies else 0,
                successes=tallies[s.id].successes if s.id in tallies else 0,
                completed=s.started_at[:10] not in rose,
            )
            for s in sessions
            if s.game == exercise.game and s.movement == exercise.angle_name
        ]
    return history


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
    above that day's rating before."""
    before: dict[str, float] = {}
    rose = set()
    for rating in store.ratings(patient_id, "pain"):
        day = rating.at[:10]
        if rating.moment == "before":
            before.setdefault(day, float(rating.value))
        elif rating.moment in ("during", "after") and day in before and float(rating.value) - before[day] >= threshold:
            rose.add(day)
    return rose

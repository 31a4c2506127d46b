"""Exposure: climb a fear hierarchy at the patient's own pace, rating SUDS (0-100) as they go.

SUDS is asked when a level starts, every ``rate_every_s`` on it, and when leaving. Moving up is
only ever offered (when SUDS has halved from the level's peak or fallen to the therapist's
threshold, after ``min_level_s``), never forced: an unanswered offer means staying. Stop is always
one gesture away (the top of the pointer's range, held) and leads into a calm breathing scene.
Pure rules: time comes in through ``update``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from games.exposure import metrics
from games.exposure.hierarchy import Hierarchy, Level, load_hierarchy
from rehab.core.i18n import N_, _
from rehab.core.types import Controls
from rehab.engine.api import STOP_LEVEL, SUDS, PatientSummary, Prompt, PromptView, Rating

#: the choices are compared as they are (English); the rating view translates them on screen
GO_UP, STAY, FINISH = N_("Go up"), N_("Stay here"), N_("Finish")
#: holding the pointer in the stop zone this long stops, outside any prompt
STOP_HOLD_S = 2.0
#: the calm breathing that closes exposure, however it ends (a stop, Esc, the top level, the time):
#: six slow breaths of the calm scene's ten-second circle
CALM_S = 60.0


@dataclass(frozen=True)
class ExposureSnapshot:
    t: float
    phase: str  # rate_start, expose, rate_during, offer, rate_exit, calm
    level_index: int
    level: Level
    levels_total: int
    level_seconds: float
    suds_curve: tuple[tuple[float, float], ...]  # this level's (seconds into the level, SUDS)
    last_suds: float
    peak_suds: float
    threshold: float
    next_rating_s: float
    stop_hold: float  # 0..1 of the hold that stops, outside prompts
    pointer: float
    prompt: PromptView | None
    finished: bool  # calm after the top level, rather than after a stop
    calm_s: float
    message: str


#: a level name up to this long leads the arrival question and it still fits the prompt's two lines
#: of 34 characters ("<name>: how" on the first, "anxious are you here? (SUDS 0-100)" the second)
NAME_IN_QUESTION_CHARS = 24


def _on_arrival(level_name: str) -> str:
    """The question on reaching a level, led by the level's name (the panel that shows it is under
    the question). Not "at <name>": a name such as "At the foot of the tower" read "at at the foot".
    A longer name is left to the panel, so that no part of the question is cut off."""
    if len(level_name) <= NAME_IN_QUESTION_CHARS:
        return _("{level}: how anxious are you here? (SUDS 0-100)").format(level=level_name)
    return _("How anxious are you on this level? (SUDS 0-100)")


class ExposureGame:
    name = "exposure"

    def __init__(self, hierarchy: Hierarchy | None = None, hold_s: float = 0.0) -> None:
        self.h = hierarchy or load_hierarchy()
        self.t = 0.0
        self.index = 0
        self.visits: list[metrics.LevelVisit] = []
        self.ratings: list[Rating] = []
        self.stops = 0
        self.skipped = 0
        self.finished = False
        self._leaving = False
        self.calm_s = 0.0
        self._since_rating = 0.0
        self._stop_held = 0.0
        self._started = False
        self._pointer = math.nan
        self._by_keys = False
        self.phase = "rate_start"
        self.prompt: Prompt | None = None
        self._enter_level(0)

    # --- flow -------------------------------------------------------------------------------
    def _enter_level(self, index: int) -> None:
        self.index = index
        self.visits.append(metrics.LevelVisit(index, self.level.name, self.t))
        self._ask("rate_start")

    def _ask(self, phase: str) -> None:
        self.phase = phase
        if phase == "offer":
            last = self.index == len(self.h.levels) - 1
            if last:
                question = _("Well done: your fear has come down. Finish here?")
            else:
                question = _("Well done: your fear has come down. Go up a level?")
            self.prompt = Prompt(question, choices=(STAY, FINISH if last else GO_UP), timeout_s=30.0)
        elif phase == "rate_exit":
            self.prompt = Prompt(
                _("Before we rest: how anxious are you now?"), scale=SUDS, allow_stop=False, timeout_s=30.0
            )
        else:
            question = _("How anxious are you now? (SUDS 0-100)")
            if phase == "rate_start":
                question = _on_arrival(self.level.name)
            self.prompt = Prompt(question, scale=SUDS)
        if self._by_keys:
            self.prompt.keys_only()

    def answer_by_keys(self) -> None:
        """A player on the keys: only Enter answers, and Esc (not a marker held at the top) stops."""
        self._by_keys = True
        if self.prompt is not None:
            self.prompt.keys_only()

    def choose(self) -> None:
        if self.prompt is not None:
            self.prompt.choose()

    def request_exit(self) -> None:
        """The player pressed Esc: ask how anxious they are now (the exit SUDS) before they go,
        unless they are already resting or never started."""
        self._leaving = True
        if self._started and self.phase not in ("rate_exit", "calm"):
            self._ask("rate_exit")

    @property
    def ready_to_leave(self) -> bool:
        """After an exit request, once the exit rating is answered (or skipped by timing out) and the
        calm breathing after it is done; a second Esc leaves at once."""
        return self._leaving and (not self._started or self.over)

    @property
    def over(self) -> bool:
        """Exposure ends on calm breathing: it is over once the patient has breathed calmly for a minute."""
        return self.phase == "calm" and self.calm_s >= CALM_S

    @property
    def level(self) -> Level:
        return self.h.levels[self.index]

    @property
    def visit(self) -> metrics.LevelVisit:
        return self.visits[-1]

    def update(self, dt: float, controls: Controls) -> None:
        if not self._started:
            if not controls.tracking:
                return  # nothing is timed until the patient's pointer is first seen
            self._started = True
        self.t += dt
        pointer = controls.level if controls.tracking else math.nan
        self._pointer = pointer
        if self.phase == "calm":
            self.calm_s += dt
            return
        self.visit.seconds += dt
        if self.prompt is not None:
            answer = self.prompt.update(dt, pointer)
            if answer is not None:
                self._answered(answer.kind, answer.value, answer.choice)
            return
        # exposing: the next SUDS question comes round, and the stop zone is always there
        self._since_rating += dt
        # on the keys the marker rests where it was left: resting at the top is not a wish to stop
        held = not self._by_keys and not math.isnan(pointer) and pointer >= STOP_LEVEL
        self._stop_held = self._stop_held + dt if held else 0.0
        if self._stop_held >= STOP_HOLD_S:
            self._stop()
        elif self._since_rating >= self.h.rate_every_s:
            self._ask("rate_during")

    def _answered(self, kind: str, value: float, choice: str) -> None:
        phase, self.prompt = self.phase, None
        if kind == "stop":
            self._stop()
            return
        if phase == "rate_exit":
            if kind == "value":
                self._record(value, "after")
            else:
                self.skipped += 1
            self.phase = "calm"
            return
        if phase == "offer":
            if choice == GO_UP:
                self._enter_level(self.index + 1)
            elif choice == FINISH:
                self.finished = True
                self._ask("rate_exit")
            else:  # staying, by choice or by not answering: ask again at the next interval
                self.phase, self._since_rating = "expose", 0.0
            return
        # a SUDS rating at the start of a level or during it
        self._since_rating = 0.0
        if kind == "value":
            self._record(value, "before" if not self.ratings else "during")
        else:
            self.skipped += 1
        self.phase = "expose"
        suds = [v for _, v in self.visit.suds]
        if self.h.suds_stop is not None and kind == "value" and value >= self.h.suds_stop:
            self._stop()  # the therapist's limit: too much distress ends exposure, calmly
            return
        move_on = self.level.suds_move_on if self.level.suds_move_on is not None else self.h.suds_threshold
        if self.visit.seconds >= self.h.min_level_s and metrics.may_advance(suds, move_on):
            self._ask("offer")

    def _record(self, value: float, moment: str) -> None:
        self.visit.suds.append((self.t, value))
        self.ratings.append(Rating("suds", value, self.t, moment, self.level.name))

    def _stop(self) -> None:
        self.stops += 1
        self._stop_held = 0.0
        self._ask("rate_exit")

    # --- views --------------------------------------------------------------------------------
    def snapshot(self) -> ExposureSnapshot:
        v = self.visit
        curve = tuple((t - v.t_start, s) for t, s in v.suds)
        return ExposureSnapshot(
            t=self.t,
            phase=self.phase,
            level_index=self.index,
            level=self.level,
            levels_total=len(self.h.levels),
            level_seconds=v.seconds,
            suds_curve=curve,
            last_suds=curve[-1][1] if curve else math.nan,
            peak_suds=v.peak if curve else math.nan,
            threshold=self.h.suds_threshold,
            next_rating_s=max(0.0, self.h.rate_every_s - self._since_rating),
            stop_hold=min(self._stop_held / STOP_HOLD_S, 1.0),
            pointer=self._pointer,
            prompt=self.prompt.view() if self.prompt is not None else None,
            finished=self.finished,
            calm_s=self.calm_s,
            message=self._message(),
        )

    def _message(self) -> str:
        if self.phase == "calm":
            return (
                _("Well done. Breathe with the circle.") if self.finished else _("You stopped. That is fine: breathe")
            )
        if self.prompt is not None:
            return ""  # the question says how to answer on its own panel; a line under it would repeat it
        if self._stop_held > 0:
            return _("Keep holding to stop and rest")
        if self._by_keys:
            return _("Take your time. Esc stops and rests")
        return _("Take your time. Raise the marker to the top to stop")

    def patient_summary(self) -> PatientSummary:
        """The end-of-game screen: the highest level, fear (SUDS) at the start, at its peak and at
        the end, and the time spent breathing calmly."""
        top = metrics.highest_level(self.visits)
        highest = _("Highest level: {top} of {count}, {name}")
        lines = [highest.format(top=top, count=len(self.h.levels), name=self.h.levels[top - 1].name)]
        values = [r.value for r in self.ratings]
        if values:
            fear = _("Fear (SUDS 0-100): {start} at the start, {peak} at most, {end} at the end")
            lines.append(fear.format(start=f"{values[0]:g}", peak=f"{max(values):g}", end=f"{values[-1]:g}"))
        else:
            lines.append(_("Fear was not rated this time."))
        minutes, seconds = divmod(int(self.calm_s), 60)
        lines.append(_("Calm breathing: {time}").format(time=f"{minutes}:{seconds:02d}"))
        return PatientSummary(tuple(lines), praise=bool(values))

    def summary(self) -> dict[str, Any]:
        """Counts and metrics for the session: SUDS curve and time per level, highest level, stops."""
        top = metrics.highest_level(self.visits)
        return {
            "levels": len(self.visits),
            "ratings": len(self.ratings),
            "ratings_skipped": self.skipped,
            "highest_level": top,
            "highest_level_name": self.h.levels[top - 1].name if top else "",
            "levels_in_hierarchy": len(self.h.levels),
            "stops": self.stops,
            "finished": self.finished,
            "seconds_per_level": metrics.time_per_level(self.visits),
            "suds_by_level": metrics.curves(self.visits),
            "calm_seconds": round(self.calm_s, 2),
            "rating_list": [asdict(r) for r in self.ratings],
        }

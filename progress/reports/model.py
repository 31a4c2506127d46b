"""The values a report shows, shared by every format (PDF, HTML, CSV, FHIR).

These names and fields are the contract between the code that reads the store (``data.py`` and the
modules it calls) and the writers; fields are only ever added, never renamed. ``data.py`` re-exports
all of them, so writers import from ``progress.reports.data``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from progress.store import StoredRep

#: status key -> the words a person reads; every session and visit has one of these keys
STATUS_TEXT: dict[str, str] = {
    "completed": "Completed",
    "stopped_for_pain": "Stopped for pain",
    "stopped_by_patient": "Stopped by the patient",
    "pain_too_high": "Pain too high to start",
    "device_lost": "Device lost",
    "ended_by_physio": "Ended by the physio (live session)",
    "interrupted": "Interrupted",
    "in_progress": "In progress",
    "free_play": "Free play",
}
#: the status keys that mean a safety rule or a lost device ended a guided session early
SAFETY_STOPS: frozenset[str] = frozenset({"stopped_for_pain", "pain_too_high", "device_lost"})


@dataclass(frozen=True)
class SessionSummary:
    """One store session with its reps summarised; angles in degrees. Aggregates are None without reps.

    A mental session (breathing, exposure, focus) has ``kind`` "mental" and no angle aggregates: its
    game's "reps" are breaths or levels, never angles; its own measures are in ``ReportData.mental``.
    """

    session_id: int
    day: date
    started_at: str  # ISO timestamp (shifted when pseudonymised)
    ended_at: str | None
    kind: str  # physical or mental
    game: str
    movement: str
    side: str | None
    status: str  # the store's session status: in_progress, completed, stopped, interrupted
    target_deg: float | None
    plan_version: int | None
    prescribed_reps: int | None
    reps: int
    successes: int
    best_peak_deg: float | None
    mean_peak_deg: float | None
    best_rom_deg: float | None
    mean_rom_deg: float | None
    pain_before: float | None
    pain_after: float | None
    status_key: str  # a STATUS_TEXT key, from its visit ("free_play" for a completed one without)
    visit_id: str | None


@dataclass(frozen=True)
class Rating:
    day: date
    at: str
    kind: str  # pain (0-10), suds (0-100), stress (0-10)
    value: float
    session_id: int | None
    t: float | None
    moment: str


@dataclass(frozen=True)
class PlanVersion:
    version: int
    effective_from: date
    sessions_per_week: int
    goals_deg: dict[str, float]  # angle name -> goal peak angle
    reason: str  # why this version was made (progression rule, clinician's change); "" if not said
    changes: tuple[str, ...]
    title: str | None


@dataclass(frozen=True)
class VisitSummary:
    """One guided session as a whole: what a plan prescribes and adherence counts."""

    visit_id: str
    day: date
    started_at: str
    status: str  # a STATUS_TEXT key
    plan_version: int | None
    session_ids: tuple[int, ...]
    pain_before: float | None
    pain_after: float | None


@dataclass(frozen=True)
class WeekAdherence:
    week_start: date  # a Monday
    prescribed: int  # the plan's sessions per week, prorated for a week cut by the period's ends
    done: int  # guided sessions completed
    stopped: int  # guided sessions stopped early or not started, whatever the reason
    percent: float | None  # done / prescribed * 100, None when nothing was prescribed


@dataclass(frozen=True)
class Adherence:
    """Prescribed guided sessions done. Free play never counts; it is shown apart."""

    weeks: tuple[WeekAdherence, ...]
    prescribed: int
    done: int
    stopped_for_safety: int  # stopped for pain, pain too high to start, device lost
    not_started: int
    percent: float | None  # the real percent, above 100 when more than prescribed were done
    free_play_sessions: int

    @property
    def more_than_prescribed(self) -> bool:
        return self.done > self.prescribed

    def text(self) -> str:
        """One line for people: "5 of 6 prescribed sessions done (83%)"."""
        if self.prescribed == 0:
            return f"{self.done} guided session{'' if self.done == 1 else 's'} done; none prescribed in this period"
        line = f"{self.done} of {self.prescribed} prescribed sessions done ({self.percent:.0f}%)"
        return line + ": more than prescribed" if self.more_than_prescribed else line


@dataclass(frozen=True)
class MentalSummary:
    """One breathing, exposure or focus session with its own measures (None when not measured)."""

    session_id: int
    day: date
    game: str
    status_key: str
    minutes: float | None
    breaths: int | None
    mean_rate_bpm: float | None
    pace_bpm: float | None
    seconds_near_pace: float | None  # breathing within 1 breath/min of the pace
    suds_before: float | None
    suds_peak: float | None
    suds_after: float | None
    highest_level: int | None
    calm_seconds: float | None
    stress_before: float | None
    stress_after: float | None
    mean_attention: float | None


@dataclass(frozen=True)
class OutcomeScore:
    """One outcome questionnaire (PROM) as answered and scored."""

    response_id: int
    measure: str  # instrument id: oks, phq9, ...
    title: str
    day: date
    at: str
    status: str  # completed, stopped, in_progress
    total: float | None
    band: str | None
    score_min: float
    score_max: float
    higher_is_better: bool
    unit: str
    flags: tuple[str, ...]
    answered: int
    items: int
    short_title: str
    loinc_total: str | None
    loinc_panel: str | None
    answers: dict[str, int]  # item key -> the value of the choice given


@dataclass(frozen=True)
class MovementGlance:
    """One physical movement over the period, for the first page."""

    movement: str
    title: str  # plain clinical name, e.g. "Knee flexion, right"
    baseline_deg: float | None  # median best peak of the first 3 sessions with reps
    latest_deg: float | None  # median best peak of the last 3
    change_deg: float | None
    goal_deg: float | None  # the goal of the plan in force at the period's end
    goal_met: bool | None
    normal_deg: float | None  # AAOS normal active range
    sessions: int
    best_hold_s: float | None
    mean_hold_s: float | None
    mean_sparc: float | None
    compensations: dict[str, int]  # compensation name -> reps with it
    over_ceiling: int


@dataclass(frozen=True)
class PlanEvent:
    version: int
    effective_from: date
    reason: str
    changes: tuple[str, ...]


@dataclass(frozen=True)
class Glance:
    """The first page: what a clinician wants to know in a minute."""

    movements: tuple[MovementGlance, ...]
    adherence: Adherence
    pain_first: float | None  # mean pain before, the first 7 days with ratings
    pain_last: float | None  # the same, the last 7 days with ratings
    pain_trend: str  # falling, rising, steady, not enough ratings
    stopped_for_safety: int
    plan_title: str | None
    plan_version: int | None
    plan_events: tuple[PlanEvent, ...]
    outcome_flags: tuple[OutcomeScore, ...]  # responses with safety flags


@dataclass(frozen=True)
class ReportHeader:
    """Optional fields a clinician adds on the command line."""

    clinic: str | None = None
    clinician: str | None = None
    diagnosis: str | None = None
    operated_side: str | None = None  # left, right, both
    surgery_date: date | None = None


@dataclass(frozen=True)
class ReportData:
    """What a report shows. ``patient`` is the id, or its pseudonym when pseudonymised, in which case
    every date and time is shifted by ``date_shift_days`` (a multiple of 7, so weekdays stay)."""

    patient: str
    pseudonymized: bool
    start: date
    end: date
    generated_at: str
    sessions: tuple[SessionSummary, ...]
    reps: tuple[StoredRep, ...]  # in session then rep order; physical sessions only
    ratings: tuple[Rating, ...]
    plans: tuple[PlanVersion, ...]
    #: session id -> (seconds, breaths per minute) for mental sessions
    breathing: dict[int, tuple[tuple[float, ...], tuple[float, ...]]]
    visits: tuple[VisitSummary, ...]
    adherence: Adherence
    mental: tuple[MentalSummary, ...]
    outcomes: tuple[OutcomeScore, ...]
    glance: Glance
    header: ReportHeader
    date_shift_days: int  # 0 unless pseudonymised

    @property
    def movements(self) -> list[str]:
        """The physical movements with reps; mental sessions never appear here."""
        return sorted({s.movement for s in self.sessions if s.kind == "physical" and s.reps})

    def plan_on(self, day: date) -> PlanVersion | None:
        current = None
        for plan in self.plans:
            if plan.effective_from <= day:
                current = plan
        return current

    def goal_deg(self, movement: str, day: date) -> float | None:
        plan = self.plan_on(day)
        return plan.goals_deg.get(movement) if plan else None

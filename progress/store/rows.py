"""What the store hands back: small frozen rows, one type per table, named as the columns are.

Rows are read by attribute. ``row["name"]`` also works, for code written when the store returned
dicts; new code should use attributes, which a type checker can follow.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


class _Row:
    """Read access by column name, as the dict rows this store used to return allowed."""

    def __getitem__(self, name: str) -> Any:
        if name not in {f.name for f in fields(self)}:  # type: ignore[arg-type]
            raise KeyError(name)
        return getattr(self, name)

    def get(self, name: str, default: Any = None) -> Any:
        return getattr(self, name, default)


# the row's UUID (schema 5, for clinic sync): read where present, left out of comparisons and
# reprs, so a row compares equal to the same values written in a test or read from a copy
def _uuid() -> Any:
    return field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Patient(_Row):
    id: str
    created_at: str


@dataclass(frozen=True)
class SessionRow(_Row):
    """One store session: one game played for one movement (a guided session has one per exercise)."""

    id: int
    patient_id: str
    started_at: str  # ISO 8601 wall-clock time with offset
    ended_at: str | None
    game: str
    movement: str  # angle name, e.g. elbow_flexion_left
    side: str | None
    input: str | None  # the source URL the session was played with
    target_deg: float | None
    status: str  # in_progress, completed, stopped
    plan_id: int | None
    kind: str | None  # physical or mental; None (sessions before schema 3) reads as physical
    visit_id: str | None = None  # the guided session it is part of; None for free play and before schema 4


#: rep columns as they are stored and exported, in this order; the names of ``RepMetrics``
#: except ``rep_index`` (``RepMetrics.index``: ``index`` is an SQL keyword)
REP_COLUMNS: tuple[str, ...] = (
    "session_id",
    "rep_index",
    "t_start",
    "t_end",
    "start_deg",
    "peak_deg",
    "rom_deg",
    "hold_s",
    "duration_s",
    "peak_velocity_dps",
    "target_deg",
    "success",
    "smoothness_sparc",
    "compensations",
    "over_ceiling",
)


@dataclass(frozen=True)
class StoredRep(_Row):
    """One stored repetition. Measures are None where an old database never recorded them."""

    session_id: int
    rep_index: int
    t_start: float | None
    t_end: float | None
    start_deg: float | None
    peak_deg: float | None
    rom_deg: float | None
    hold_s: float | None
    duration_s: float | None
    peak_velocity_dps: float | None
    target_deg: float | None
    success: bool
    smoothness_sparc: float | None  # SQLite keeps NaN as NULL: unknown smoothness reads as None
    compensations: tuple[str, ...]
    over_ceiling: bool
    uuid: str | None = _uuid()

    def stored_values(self) -> tuple[Any, ...]:
        """The values in ``REP_COLUMNS`` order as the database holds them (flags 0/1, names comma-joined)."""
        return tuple(_stored(getattr(self, name)) for name in REP_COLUMNS)


def _stored(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, tuple):
        return ",".join(value)
    return value


@dataclass(frozen=True)
class PlanVersionRow(_Row):
    id: int
    patient_id: str
    version: int  # 1, 2, ... per patient
    created_at: str
    effective_from: str  # ISO date
    sessions_per_week: int
    body: dict[str, Any]  # the plan version as stored (plan, reason, goals_deg, changes)
    uuid: str | None = _uuid()


@dataclass(frozen=True)
class SetRow(_Row):
    id: int
    session_id: int
    set_index: int
    movement: str
    prescribed_reps: int | None
    t_start: float
    t_end: float | None  # None while the set is unfinished
    uuid: str | None = _uuid()


@dataclass(frozen=True)
class RatingRow(_Row):
    id: int
    patient_id: str
    session_id: int | None
    at: str
    t: float | None
    kind: str  # pain, suds, stress
    value: float
    moment: str  # before, during, after, diary
    uuid: str | None = _uuid()


@dataclass(frozen=True)
class CalibrationRow(_Row):
    """A measured comfortable range. The columns predate ``MeasuredRange``: ``rest_deg`` is its
    ``start_deg`` and ``max_deg`` its ``peak_deg`` (renaming stored columns would need schema 4)."""

    id: int
    patient_id: str
    at: str
    movement: str
    rest_deg: float  # MeasuredRange.start_deg: the median angle each movement started from
    max_deg: float  # MeasuredRange.peak_deg: the median peak, capped at the ceiling
    input: str  # the source URL, as sessions.input
    uuid: str | None = _uuid()


@dataclass(frozen=True)
class Stream(_Row):
    """A stored stream of samples: ``t`` in seconds, ``values`` in ``unit``."""

    name: str
    unit: str
    set_id: int | None
    t: tuple[float, ...]
    values: tuple[float, ...]


@dataclass(frozen=True)
class RepTally(_Row):
    """How many reps a session stored, how many reached the target, how many went past the ceiling."""

    reps: int = 0
    successes: int = 0
    over_ceiling: int = 0


@dataclass(frozen=True)
class ExerciseProgress(_Row):
    """What a resumed exercise needs in one read: its sets and its reps so far."""

    sets: tuple[SetRow, ...]
    reps: tuple[StoredRep, ...]


@dataclass(frozen=True)
class VisitRow(_Row):
    """One guided session as a whole: what a plan prescribes and adherence counts."""

    id: str  # a random UUID
    patient_id: str
    plan_id: int | None
    started_at: str
    ended_at: str | None
    status: str  # in_progress, completed, stopped, not_started, interrupted
    stop_reason: str | None  # stopped_for_pain, stopped_by_patient, pain_too_high, device_lost, ended_by_physio


@dataclass(frozen=True)
class OutcomeResponseRow(_Row):
    """One questionnaire as the patient answered it, kept answer by answer."""

    id: int
    patient_id: str
    visit_id: str | None
    at: str
    measure: str
    answers: dict[str, int]  # item key -> the value of the choice given
    status: str  # in_progress, completed, stopped
    score: float | None
    band: str | None
    flags: tuple[str, ...]
    uuid: str | None = _uuid()


@dataclass(frozen=True)
class OutboxRow(_Row):
    """A row waiting for the clinic: the table it is in and its UUID, in the order it changed."""

    seq: int
    kind: str  # the home table: plans, visits, sessions, ...
    uuid: str


@dataclass(frozen=True)
class MessageRow(_Row):
    """A message from the patient's physio, received on a sync."""

    id: int
    server_id: int
    text: str
    created_at: str | None  # when the physio wrote it (the server's clock)
    received_at: str | None  # when this home received it
    shown_at: str | None  # when it was first shown to the patient; None until then

"""One patient's period as the store holds it, read once, with every date moved when pseudonymised.

Dates are shifted here, on the rows, before anything is computed from them: every later value (a
session's day, a week of adherence, a plan's start) is then consistent, and no writer can forget one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from progress.pseudonym import shift_iso
from progress.store import OutcomeResponseRow, PlanVersionRow, RatingRow, SessionRow, Store, StoredRep, VisitRow
from rehab.core.motions import motion_of

#: the channels mental games report instead of an angle (a free game may not mark its kind)
MENTAL_GAMES = frozenset({"breathe", "exposure", "focus"})


@dataclass(frozen=True)
class PeriodRows:
    sessions: tuple[SessionRow, ...]
    reps: tuple[StoredRep, ...]  # physical sessions only: a breathing game's "reps" are breaths
    ratings: tuple[RatingRow, ...]
    plans: tuple[PlanVersionRow, ...]
    visits: tuple[VisitRow, ...]  # started in the period, and any other a period's session belongs to
    outcomes: tuple[OutcomeResponseRow, ...]
    prescribed_reps: dict[int, int]
    summaries: dict[int, dict[str, Any]]  # mental session id -> its game's summary


def is_mental(row: SessionRow) -> bool:
    """Mental when marked so, or when its channel is not a joint motion (a free breathing game)."""
    return row.kind == "mental" or row.game in MENTAL_GAMES or motion_of(row.movement) is None


def read_period(store: Store, patient_id: str, lo: str, hi: str, shift: int) -> PeriodRows:
    """Every row of the period (ISO dates ``lo``..``hi``, real ones), dates moved by ``shift`` days."""
    sessions = store.sessions_between(patient_id, lo, hi)
    mental = {s.id for s in sessions if is_mental(s)}
    reps = tuple(r for r in store.reps_between(patient_id, lo, hi) if r.session_id not in mental)
    visits = {v.id: v for v in store.visits_between(patient_id, lo, hi)}
    for row in sessions:
        if row.visit_id is not None and row.visit_id not in visits:
            found = store.visit(row.visit_id)
            if found is not None:
                visits[found.id] = found
    return PeriodRows(
        sessions=tuple(_session(s, shift) for s in sessions),
        reps=reps,
        ratings=tuple(replace(r, at=shift_iso(r.at, shift)) for r in store.ratings_between(patient_id, lo, hi)),
        plans=tuple(_plan(p, shift) for p in store.plan_versions(patient_id)),
        visits=tuple(sorted((_visit(v, shift) for v in visits.values()), key=lambda v: (v.started_at, v.id))),
        outcomes=tuple(
            replace(o, at=shift_iso(o.at, shift)) for o in store.outcome_responses_between(patient_id, lo, hi)
        ),
        prescribed_reps=store.prescribed_reps_between(patient_id, lo, hi),
        summaries=store.session_summaries(sorted(mental)) if mental else {},
    )


def _session(row: SessionRow, shift: int) -> SessionRow:
    kind = "mental" if is_mental(row) else "physical"
    ended = shift_iso(row.ended_at, shift) if row.ended_at else None
    return replace(row, started_at=shift_iso(row.started_at, shift), ended_at=ended, kind=kind)


def _visit(row: VisitRow, shift: int) -> VisitRow:
    ended = shift_iso(row.ended_at, shift) if row.ended_at else None
    return replace(row, started_at=shift_iso(row.started_at, shift), ended_at=ended)


def _plan(row: PlanVersionRow, shift: int) -> PlanVersionRow:
    return replace(
        row, created_at=shift_iso(row.created_at, shift), effective_from=shift_iso(row.effective_from, shift)
    )

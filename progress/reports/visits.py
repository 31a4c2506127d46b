"""Guided sessions (visits) and the status of every session, as the report shows them.

A store session takes the status of the guided session it belongs to ("Stopped for pain" for each
of its parts), except a part that was cut and run again, which stays "Interrupted". A session of
free play is "Free play" when it ended normally.
"""

from __future__ import annotations

from datetime import date

from progress.reports.model import Rating, VisitSummary
from progress.store import SessionRow, VisitRow


def visit_status_key(visit: VisitRow) -> str:
    """The STATUS_TEXT key of a guided session."""
    if visit.status == "completed":
        return "completed"
    if visit.status == "not_started":
        return visit.stop_reason or "pain_too_high"
    if visit.status == "stopped":
        return visit.stop_reason or "stopped_by_patient"
    return "interrupted" if visit.status == "interrupted" else "in_progress"


def session_status_key(row: SessionRow, visit: VisitRow | None) -> str:
    """The STATUS_TEXT key of one store session."""
    if row.status == "interrupted":
        return "interrupted"
    if visit is not None:
        return visit_status_key(visit)
    if row.status == "completed":
        return "free_play"
    # a free game ends "stopped" when the player leaves it, which is how free play normally ends
    return "free_play" if row.status == "stopped" else "in_progress"


def visit_summaries(
    visits: tuple[VisitRow, ...],
    sessions: tuple[SessionRow, ...],
    ratings: tuple[Rating, ...],
    plan_versions: dict[int, int],
) -> tuple[VisitSummary, ...]:
    """Each visit with its sessions and the pain given before and after it."""
    return tuple(_visit(v, sessions, ratings, plan_versions) for v in visits)


def _visit(
    visit: VisitRow, sessions: tuple[SessionRow, ...], ratings: tuple[Rating, ...], plan_versions: dict[int, int]
) -> VisitSummary:
    ids = tuple(s.id for s in sessions if s.visit_id == visit.id)
    pain = [r for r in ratings if r.kind == "pain" and _in_visit(r, visit, ids)]
    before = [r.value for r in pain if r.moment == "before"]
    after = [r.value for r in pain if r.moment == "after"]
    return VisitSummary(
        visit_id=visit.id,
        day=date.fromisoformat(visit.started_at[:10]),
        started_at=visit.started_at,
        status=visit_status_key(visit),
        plan_version=plan_versions.get(visit.plan_id) if visit.plan_id is not None else None,
        session_ids=ids,
        pain_before=before[0] if before else None,
        pain_after=after[-1] if after else None,
    )


def _in_visit(rating: Rating, visit: VisitRow, ids: tuple[int, ...]) -> bool:
    """A rating given in one of the visit's sessions, or (pain too high to start: no session) one
    given on its own while the visit was open."""
    if rating.session_id is not None:
        return rating.session_id in ids
    return visit.started_at <= rating.at <= (visit.ended_at or visit.started_at)

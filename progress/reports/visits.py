"""Guided sessions (visits) and the status of every session, as the report shows them.

A store session takes the status of the guided session it belongs to ("Stopped for pain" for each
of its parts), except a part that was cut and run again, which stays "Interrupted". A session of
free play is "Free play" when it ended normally.
"""

from __future__ import annotations

from collections import defaultdict
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
    """Each visit with its sessions and the pain given before and after it (one pass over each table)."""
    parts: dict[str, list[int]] = defaultdict(list)
    visit_of: dict[int, str] = {}
    for session in sessions:
        if session.visit_id is not None:
            parts[session.visit_id].append(session.id)
            visit_of[session.id] = session.visit_id
    pain: dict[str, list[Rating]] = defaultdict(list)
    unlinked = [r for r in ratings if r.kind == "pain" and r.session_id is None]
    for rating in ratings:
        if rating.kind == "pain" and rating.session_id in visit_of:
            pain[visit_of[rating.session_id]].append(rating)
    summaries = []
    for visit in visits:
        given = pain[visit.id] or [r for r in unlinked if _while_open(r, visit)]
        summaries.append(_visit(visit, tuple(parts[visit.id]), given, plan_versions))
    return tuple(summaries)


def _visit(visit: VisitRow, ids: tuple[int, ...], pain: list[Rating], plan_versions: dict[int, int]) -> VisitSummary:
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


def _while_open(rating: Rating, visit: VisitRow) -> bool:
    """A pain rating given on its own while the visit was open: pain too high to start leaves no session."""
    return visit.started_at <= rating.at <= (visit.ended_at or visit.started_at)

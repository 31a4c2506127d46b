"""Breathing, exposure and focus sessions with their own measures: never reported as angles.

The game's stored summary gives what only it measured (breaths, the rate, time near the pace, the
highest exposure level, calm time, attention); SUDS and stress come from the ratings table, where
each answer was stored the moment it was given, with the summary as a fallback for stress.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from progress.reports.model import MentalSummary, Rating
from progress.store import SessionRow


def mental_summaries(
    sessions: tuple[SessionRow, ...],
    status_keys: Mapping[int, str],
    summaries: Mapping[int, dict[str, Any]],
    ratings: tuple[Rating, ...],
) -> tuple[MentalSummary, ...]:
    by_session: dict[int, list[Rating]] = {}
    for rating in ratings:
        if rating.session_id is not None and rating.kind in ("suds", "stress"):
            by_session.setdefault(rating.session_id, []).append(rating)
    return tuple(
        _summary(row, status_keys[row.id], summaries.get(row.id, {}), by_session.get(row.id, []))
        for row in sessions
        if row.kind == "mental"
    )


def _summary(row: SessionRow, status_key: str, game: dict[str, Any], ratings: list[Rating]) -> MentalSummary:
    suds = [r for r in ratings if r.kind == "suds"]
    stress = [r for r in ratings if r.kind == "stress"]
    suds_before, suds_after = _ends(suds)
    stress_before, stress_after = _ends(stress)
    return MentalSummary(
        session_id=row.id,
        day=date.fromisoformat(row.started_at[:10]),
        game=row.game,
        status_key=status_key,
        minutes=_minutes(row, game),
        breaths=_int(game.get("breaths")),
        mean_rate_bpm=_float(game.get("mean_rate_bpm")),
        pace_bpm=_float(game.get("pace_bpm")),
        seconds_near_pace=_float(game.get("seconds_within_1_bpm_of_target")),
        suds_before=suds_before,
        suds_peak=max((r.value for r in suds), default=None),
        suds_after=suds_after,
        highest_level=_int(game.get("highest_level")),
        calm_seconds=_float(game.get("calm_seconds")),
        stress_before=stress_before if stress_before is not None else _float(game.get("stress_before")),
        stress_after=stress_after if stress_after is not None else _float(game.get("stress_after")),
        mean_attention=_float(game.get("mean_attention")),
    )


def _ends(ratings: list[Rating]) -> tuple[float | None, float | None]:
    """The answer before and the one after: those marked so, else the first and the last of several."""
    ordered = sorted(ratings, key=lambda r: (r.at, r.t if r.t is not None else 0.0))
    before = [r.value for r in ordered if r.moment == "before"]
    after = [r.value for r in ordered if r.moment == "after"]
    first = before[0] if before else (ordered[0].value if len(ordered) > 1 else None)
    last = after[-1] if after else (ordered[-1].value if len(ordered) > 1 else None)
    return first, last


def _minutes(row: SessionRow, game: dict[str, Any]) -> float | None:
    """Wall-clock length; the game's own breathing time when the session has no end time."""
    if row.ended_at and "T" in row.started_at and "T" in row.ended_at:
        seconds = (datetime.fromisoformat(row.ended_at) - datetime.fromisoformat(row.started_at)).total_seconds()
        if seconds > 0:
            return seconds / 60
    breathing = _float(game.get("breathing_seconds"))
    return breathing / 60 if breathing else None


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else None

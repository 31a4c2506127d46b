"""Outcome questionnaires (PROMs) as the report shows them: the score with its instrument's scale."""

from __future__ import annotations

from datetime import date

from progress.reports.model import OutcomeScore
from progress.store import OutcomeResponseRow
from rehab.core.errors import NotFoundError
from rehab.core.questionnaires import instrument


def outcome_scores(rows: tuple[OutcomeResponseRow, ...]) -> tuple[OutcomeScore, ...]:
    """Every questionnaire of a known instrument, oldest first (one from a newer rehab is left out)."""
    scores = []
    for row in rows:
        try:
            measure = instrument(row.measure)
        except NotFoundError:
            continue
        scored = {item.key for item in measure.scored_items}
        scores.append(
            OutcomeScore(
                response_id=row.id,
                measure=row.measure,
                title=measure.title,
                day=date.fromisoformat(row.at[:10]),
                at=row.at,
                status=row.status,
                total=row.score,
                band=row.band,
                score_min=measure.score_min,
                score_max=measure.score_max,
                higher_is_better=measure.higher_is_better,
                unit=measure.unit,
                flags=row.flags,
                answered=sum(1 for key in row.answers if key in scored),
                items=len(scored),
                short_title=measure.short_title,
                loinc_total=measure.loinc_total,
                loinc_panel=measure.loinc_panel,
                answers=dict(row.answers),
            )
        )
    return tuple(scores)

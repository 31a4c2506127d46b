"""Outcome measures (PROMs): latest score, change since the first, band, and a chart per measure."""

from __future__ import annotations

from progress.reports import figures_outcomes
from progress.reports.blocks import Block, Chart, Heading, Table, without_empty_columns
from progress.reports.data import OutcomeScore, ReportData
from progress.reports.dates import human_date, number, plural, signed
from rehab.core.questionnaires import SELF_HARM_FLAG


def flag_text(flag: str) -> str:
    return "thoughts of self-harm" if flag == SELF_HARM_FLAG else flag.replace("_", " ")


def by_measure(data: ReportData) -> dict[str, list[OutcomeScore]]:
    """Completed and scored questionnaires per measure, oldest first (data keeps them in date order)."""
    measures: dict[str, list[OutcomeScore]] = {}
    for score in data.outcomes:
        if score.total is not None:
            measures.setdefault(score.measure, []).append(score)
    return measures


def _digits(value: float) -> int:
    return 0 if float(value).is_integer() else 1


def _change(first: OutcomeScore, last: OutcomeScore) -> str:
    """The change with its sign and whether it went the better way for this measure."""
    if first is last or first.total is None or last.total is None:
        return "–"
    delta = last.total - first.total
    if delta == 0:
        return "0 (no change)"
    better = (delta > 0) == first.higher_is_better
    return f"{signed(delta, _digits(delta))} ({'better' if better else 'worse'})"


def glance_blocks(data: ReportData) -> list[Block]:
    measures = by_measure(data)
    if not measures:
        return []
    rows = []
    for scores in measures.values():
        first, last = scores[0], scores[-1]
        total = last.total if last.total is not None else 0.0
        rows.append(
            (
                f"{last.short_title} ({'higher' if last.higher_is_better else 'lower'} is better)",
                f"{number(total, _digits(total))} of {last.score_max:g}",
                human_date(last.day),
                _change(first, last),
                last.band or "–",
                plural(len(scores), "time"),
            )
        )
    header = ("Outcome measure", "Latest", "On", "Change since first", "Band", "Answered")
    return [Table("Outcome measures", header, tuple(rows), (0.27, 0.11, 0.14, 0.2, 0.15, 0.13), first_numeric=9)]


def outcome_blocks(data: ReportData) -> list[Block]:
    """The outcome page: each measure on its own scale, then every questionnaire in a table."""
    measures = by_measure(data)
    if not data.outcomes:
        return []
    blocks: list[Block] = [Heading("Outcome measures")]
    for scores in measures.values():
        last = scores[-1]
        alt = f"{last.title} over time: " + ", ".join(f"{human_date(s.day)} {s.total:g}" for s in scores) + "."
        fig = figures_outcomes.outcome_chart(scores, data.start, data.end)
        direction = "higher is better" if last.higher_is_better else "lower is better"
        blocks.append(Chart(f"{last.title} ({last.short_title}): {direction}", fig, alt))
    rows = tuple(
        (
            human_date(s.day),
            s.short_title,
            s.status.replace("_", " "),
            "–" if s.total is None else f"{number(s.total, _digits(s.total))} of {s.score_max:g}",
            s.band or "–",
            f"{s.answered} of {s.items}",
            ", ".join(flag_text(f) for f in s.flags) or "–",
        )
        for s in data.outcomes
    )
    header = ("Date", "Measure", "Status", "Score", "Band", "Answered", "Flags")
    marked = frozenset(i for i, s in enumerate(data.outcomes) if s.flags)
    widths = (0.14, 0.12, 0.12, 0.12, 0.14, 0.12, 0.24)
    note = "A score is left out (–) when too many questions were unanswered to score it."
    table = Table("Questionnaires answered", header, rows, widths, marked=marked, first_numeric=9, note=note)
    blocks.append(without_empty_columns(table))
    return blocks

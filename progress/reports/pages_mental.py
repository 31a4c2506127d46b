"""Breathing, exposure and focus: their own measures, charts and tables, in their own units.

A breathing session is breaths per minute against a pace, an exposure session SUDS before, at the
peak and after; neither is ever an angle, and neither has "reps".
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta

from progress.reports import figures_mental
from progress.reports.blocks import Block, Chart, Heading, Table, without_empty_columns
from progress.reports.data import STATUS_TEXT, MentalSummary, ReportData
from progress.reports.dates import human_date, minutes, number, pair, plural

#: above this many sessions of one game the table shows one row per week
MAX_ROWS = 62
_FINE = ("completed", "free_play")
GAME_TITLES = {"breathe": "Breathing", "exposure": "Exposure", "focus": "Focus"}
_EARLY = 3  # sessions averaged for "first" and "latest"


def game_title(game: str) -> str:
    return GAME_TITLES.get(game, game.replace("_", " ").capitalize())


def _ends(sessions: list[MentalSummary], value: Callable[[MentalSummary], float | None]) -> tuple[float | None, ...]:
    """Mean of the first three and of the last three sessions that measured it."""
    values = [v for v in (value(m) for m in sessions) if v is not None]
    if not values:
        return None, None
    return statistics.fmean(values[:_EARLY]), statistics.fmean(values[-_EARLY:])


def glance_blocks(data: ReportData) -> list[Block]:
    """First against latest for each mental measure that was recorded."""
    if not data.mental:
        return []
    breathe = [m for m in data.mental if m.mean_rate_bpm is not None]
    exposure = [m for m in data.mental if m.suds_peak is not None]
    measures: list[tuple[str, list[MentalSummary], Callable[[MentalSummary], float | None], int, str]] = [
        ("Breathing rate (breaths/min)", breathe, lambda m: m.mean_rate_bpm, 1, ""),
        ("Time near the pace", breathe, lambda m: m.seconds_near_pace, 0, "s"),
        ("SUDS at the peak (0-100)", exposure, lambda m: m.suds_peak, 0, ""),
        ("Highest exposure level", exposure, lambda m: m.highest_level, 0, ""),
        ("Stress before (0-10)", list(data.mental), lambda m: m.stress_before, 1, ""),
        ("Stress after (0-10)", list(data.mental), lambda m: m.stress_after, 1, ""),
    ]
    rows = []
    for title, sessions, value, digits, unit in measures:
        first, last = _ends(sessions, value)
        if first is not None:
            shown = sum(1 for m in sessions if value(m) is not None)
            fmt = minutes if unit == "s" else (lambda v, d=digits: number(v, d))
            rows.append((title, fmt(first), fmt(last), plural(shown, "session")))
    paces = sorted({m.pace_bpm for m in breathe if m.pace_bpm is not None})
    note = "First and latest: the mean of the first three and of the last three sessions that measured it."
    if paces:
        note += " Breathing pace set: " + ", ".join(f"{p:g}" for p in paces) + " breaths/min."
    header = ("Mental measure", "First", "Latest", "Sessions")
    return [Table("Breathing, exposure and stress", header, tuple(rows), (0.4, 0.2, 0.2, 0.2), note=note)]


def mental_blocks(data: ReportData) -> list[Block]:
    """The mental page: charts in their own units, then one table per game."""
    if not data.mental:
        return []
    blocks: list[Block] = [Heading("Breathing, exposure and focus")]
    charts = (
        ("Breathing rate", figures_mental.breathing(data), _breathing_alt(data)),
        ("SUDS in exposure sessions", figures_mental.exposure(data), _suds_alt(data)),
        ("Stress and calm", figures_mental.stress_and_calm(data), "Stress before and after each session, 0 to 10."),
    )
    for title, fig, alt in charts:
        if fig is not None:
            blocks.append(Chart(title, fig, alt))
    for game in sorted({m.game for m in data.mental}):
        blocks.append(session_table(game, [m for m in data.mental if m.game == game]))
    return blocks


def _breathing_alt(data: ReportData) -> str:
    rates = [m for m in data.mental if m.mean_rate_bpm is not None]
    if not rates:
        return "Breathing rate minute by minute in the last sessions."
    return (
        f"Mean breathing rate per session, from {number(rates[0].mean_rate_bpm, 1)} breaths/min on "
        f"{human_date(rates[0].day)} to {number(rates[-1].mean_rate_bpm, 1)} on {human_date(rates[-1].day)}."
    )


def _suds_alt(data: ReportData) -> str:
    suds = [m for m in data.mental if m.suds_peak is not None]
    if not suds:
        return "SUDS before and after each exposure session."
    return (
        f"SUDS at the peak of each exposure session, from {number(suds[0].suds_peak)} to {number(suds[-1].suds_peak)}."
    )


def _common(m: MentalSummary) -> tuple[str, ...]:
    return human_date(m.day), STATUS_TEXT.get(m.status_key, m.status_key), number(m.minutes)


def _stress(m: MentalSummary) -> str:
    return pair(m.stress_before, m.stress_after)


#: game -> (columns after date, status and minutes; their widths; the cells of one session)
_COLUMNS: dict[str, tuple[tuple[str, ...], tuple[float, ...], Callable[[MentalSummary], tuple[str, ...]]]] = {
    "breathe": (
        ("Breaths", "Rate /min", "Pace /min", "Near pace", "Stress before/after"),
        (0.09, 0.1, 0.1, 0.11, 0.17),
        lambda m: (number(m.breaths), number(m.mean_rate_bpm, 1), number(m.pace_bpm, 1),
                   minutes(m.seconds_near_pace), _stress(m)),
    ),
    "exposure": (
        ("SUDS before", "SUDS peak", "SUDS after", "Level", "Calm", "Stress"),
        (0.1, 0.1, 0.1, 0.07, 0.1, 0.1),
        lambda m: (number(m.suds_before), number(m.suds_peak), number(m.suds_after), number(m.highest_level),
                   minutes(m.calm_seconds), _stress(m)),
    ),
}  # fmt: skip
_OTHER = (("Mean attention", "Stress before/after"), (0.22, 0.28), lambda m: (number(m.mean_attention), _stress(m)))


def session_table(game: str, sessions: list[MentalSummary]) -> Table:
    """One row per session of one game (one per week, with means, when there are too many); stopped
    ones marked and saying why; unmeasured columns left out."""
    header, widths, cells = _COLUMNS.get(game, _OTHER)
    if len(sessions) > MAX_ROWS:
        weeks = _by_week(sessions)
        rows = tuple(
            (f"week of {human_date(monday)}", _statuses(group), *_means(group, cells)) for monday, group in weeks
        )
        marked = frozenset(i for i, (_, group) in enumerate(weeks) if any(m.status_key not in _FINE for m in group))
        caption = f"{game_title(game)} sessions by week (means of {plural(len(sessions), 'session')})"
        return without_empty_columns(
            Table(caption, ("Week", "Sessions", *header), rows, (0.17, 0.26, *widths[: len(header)]), marked, 2)
        )
    rows = tuple((*_common(m), *cells(m)) for m in sessions)
    marked = frozenset(i for i, m in enumerate(sessions) if m.status_key not in _FINE)
    table = Table(
        f"{game_title(game)} sessions",
        ("Date", "Status", "Minutes", *header),
        rows,
        (0.14, 0.2, 0.09, *widths),
        marked=marked,
        first_numeric=2,
    )
    return without_empty_columns(table)


def _by_week(sessions: list[MentalSummary]) -> list[tuple[date, list[MentalSummary]]]:
    weeks: dict[date, list[MentalSummary]] = {}
    for m in sessions:
        weeks.setdefault(m.day - timedelta(days=m.day.weekday()), []).append(m)
    return sorted(weeks.items())


def _statuses(group: list[MentalSummary]) -> str:
    counts = Counter(STATUS_TEXT.get(m.status_key, m.status_key).lower() for m in group)
    return ", ".join(f"{n} {words}" for words, n in sorted(counts.items()))


def _means(group: list[MentalSummary], cells: Callable[[MentalSummary], tuple[str, ...]]) -> tuple[str, ...]:
    """The week's cells drawn from one session holding the mean of each measure."""

    def mean(name: str) -> float | None:
        values = [v for v in (getattr(m, name) for m in group) if v is not None]
        return statistics.fmean(values) if values else None

    def whole(name: str) -> int | None:
        value = mean(name)
        return None if value is None else round(value)

    averaged = replace(
        group[0],
        breaths=whole("breaths"),
        highest_level=whole("highest_level"),
        mean_rate_bpm=mean("mean_rate_bpm"),
        pace_bpm=mean("pace_bpm"),
        seconds_near_pace=mean("seconds_near_pace"),
        suds_before=mean("suds_before"),
        suds_peak=mean("suds_peak"),
        suds_after=mean("suds_after"),
        calm_seconds=mean("calm_seconds"),
        stress_before=mean("stress_before"),
        stress_after=mean("stress_after"),
        mean_attention=mean("mean_attention"),
    )
    return cells(averaged)

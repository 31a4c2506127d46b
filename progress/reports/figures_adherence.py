"""Adherence plots: a calendar (one small month per block, each day numbered, filled by what happened)
and a strip of prescribed sessions done per week.

A calendar a clinician already knows how to read (weeks as rows, Monday first, day numbers) rather
than a heat map: the question it answers is "which days, and what went wrong on them". A day with
a stopped session is hatched as well as coloured, so it stands out in grey print and to a reader
who cannot tell orange from green.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from matplotlib.collections import PatchCollection
from matplotlib.dates import date2num
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import MaxNLocator

from progress.reports.data import ReportData
from progress.reports.dates import MONTHS
from progress.reports.figures import FREE, INK, MISSED, STOPPED, date_axis, style

#: day state -> (fill, legend words); "stopped" days are also hatched
STATES = {
    "completed": ("#81c784", "guided session completed"),
    "free_play": (FREE, "free play only"),
    "stopped": (STOPPED, "stopped or not started (hatched)"),
    "none": (MISSED, "no session"),
}
_ENDED_EARLY = frozenset(
    {"stopped_for_pain", "stopped_by_patient", "pain_too_high", "device_lost", "ended_by_physio", "interrupted"}
)
_MOST_COLUMNS = 6


def day_states(data: ReportData) -> dict[date, tuple[str, bool]]:
    """Each day of the period -> (its fill state, whether a session was stopped or not started)."""
    keys: dict[date, set[str]] = defaultdict(set)
    for session in data.sessions:
        keys[session.day].add(session.status_key)
    for visit in data.visits:  # a visit refused for pain has no session to carry its status
        keys[visit.day].add(visit.status)
    states = {}
    day = data.start
    while day <= data.end:
        seen = keys.get(day, set())
        stopped = bool(seen & _ENDED_EARLY)
        if "completed" in seen:
            state = "completed"
        elif stopped:
            state = "stopped"
        elif "free_play" in seen:
            state = "free_play"
        else:
            state = "none"
        states[day] = (state, stopped)
        day += timedelta(days=1)
    return states


def _months(start: date, end: date) -> list[tuple[int, int]]:
    months, (year, month) = [], (start.year, start.month)
    while (year, month) <= (end.year, end.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def adherence_calendar(data: ReportData) -> Figure:
    """One block per month of the period (up to six a row); every day numbered."""
    states = day_states(data)
    months = _months(data.start, data.end)
    columns = min(len(months), _MOST_COLUMNS)
    rows = -(-len(months) // columns)
    cell = min(0.26, 6.9 / (columns * 8))  # inches; a month is 7 cells and a gap
    fig = Figure(figsize=(max(2.6, columns * 8 * cell), rows * 7.9 * cell + 0.35), layout="constrained")
    axes = fig.subplots(rows, columns, squeeze=False).ravel()
    for ax, (year, month) in zip(axes, months, strict=False):
        _month(ax, year, month, states, font=min(7.0, cell * 72 * 0.42))
    for ax in axes[len(months) :]:
        ax.set_axis_off()
    handles = [
        Patch(facecolor=fill, edgecolor="white", hatch="////" if key == "stopped" else None, label=words)
        for key, (fill, words) in STATES.items()
    ]
    fig.legend(handles=handles, loc="outside lower left", ncols=4 if columns > 2 else 2, fontsize=6.5, frameon=False)
    return fig


def _month(ax, year: int, month: int, states: dict[date, tuple[str, bool]], font: float) -> None:  # type: ignore[no-untyped-def]
    first = date(year, month, 1)
    cells, fills, hatched = [], [], []
    day, row = first, 0
    while day.month == month:
        column = day.weekday()
        state, stopped = states.get(day, ("outside", False))
        square = Rectangle((column + 0.06, row + 0.06), 0.88, 0.88)
        cells.append(square)
        fills.append(STATES[state][0] if state in STATES else "white")
        if stopped:
            hatched.append(Rectangle((column + 0.06, row + 0.06), 0.88, 0.88))
        ax.text(
            column + 0.5,
            row + 0.55,
            str(day.day),
            ha="center",
            va="center",
            fontsize=font,
            color=INK if state in STATES else "#bdbdbd",
        )
        day += timedelta(days=1)
        row += column == 6
    ax.add_collection(PatchCollection(cells, facecolors=fills, edgecolors="none"))
    if hatched:
        ax.add_collection(PatchCollection(hatched, facecolors="none", edgecolors="#4e342e", hatch="////", linewidths=0))
    for column, letter in enumerate("MTWTFSS"):
        ax.text(column + 0.5, -0.45, letter, ha="center", va="center", fontsize=font, color="#616161")
    ax.set_xlim(0, 7)
    ax.set_ylim(6.05, -0.9)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(f"{MONTHS[month - 1]} {year}", fontsize=font + 1, color=INK, loc="left", pad=1)


def weekly_strip(data: ReportData) -> Figure | None:
    """Prescribed sessions done per week, as bars against the week's prescription; None without a plan."""
    weeks = [w for w in data.adherence.weeks if w.prescribed]
    if not weeks:
        return None
    fig = Figure(figsize=(7.0, 1.05), layout="constrained")
    ax = fig.subplots()
    x = date2num([w.week_start for w in weeks])
    ax.bar(x, [w.prescribed for w in weeks], width=5.5, align="edge", color=MISSED, label="prescribed")
    ax.bar(x, [w.done for w in weeks], width=5.5, align="edge", color=STATES["completed"][0], label="done")
    stopped = [w.stopped for w in weeks]
    if any(stopped):
        ax.bar(
            x,
            stopped,
            bottom=[w.done for w in weeks],
            width=5.5,
            align="edge",
            color=STOPPED,
            hatch="////",
            edgecolor="#4e342e",
            linewidth=0,
            label="stopped or not started",
        )
    if len(weeks) <= 16:  # a label per bar while they stay readable
        for left, week in zip(x, weeks, strict=True):
            height = max(week.prescribed, week.done + week.stopped)
            ax.text(left + 2.75, height, f"{week.done}/{week.prescribed}", ha="center", va="bottom", fontsize=6)
    top = max(max(w.prescribed for w in weeks), max(w.done + w.stopped for w in weeks))
    ax.set_ylim(0, top * 1.3 + 0.5)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
    date_axis(ax, data.start, data.end)
    low, high = ax.get_xlim()  # a period shorter than a week must still show its weeks' bars and labels
    ax.set_xlim(min(low, float(x[0])), max(high, float(x[-1]) + 5.5))
    ax.set_ylabel("sessions", fontsize=7, color=INK)
    ax.legend(fontsize=6.5, frameon=False, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=3)
    style(ax)
    return fig

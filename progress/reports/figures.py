"""The report's plots, drawn with matplotlib's object API (no pyplot: no global state, no GUI backend).

Each function takes ``ReportData`` and returns a Figure, or None when there is nothing to draw; the
PDF embeds them as PNG, the HTML as SVG.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

from matplotlib.colors import LinearSegmentedColormap
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, DateFormatter, DayLocator, date2num
from matplotlib.figure import Figure

from progress.reports.data import ReportData, adherence, days
from rehab.core.motions import NORMAL_ROM_DEG, split_name

INK = "#1f2933"
MEASURED = "#1565c0"
GOAL = "#2e7d32"
NORMAL = "#9e9e9e"
PAIN = "#c62828"
ADHERENCE_MAP = LinearSegmentedColormap.from_list("adherence", ["#eceff1", "#a5d6a7", "#2e7d32"])


def _style(ax) -> None:  # type: ignore[no-untyped-def]
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.tick_params(labelsize=7, colors=INK)
    ax.grid(axis="y", color="#e0e0e0", linewidth=0.6)
    ax.set_axisbelow(True)


def _xlim(ax, data: ReportData) -> None:  # type: ignore[no-untyped-def]
    """The whole period, a day of margin either side, with readable date ticks."""
    ax.set_xlim(date2num(data.start - timedelta(days=1)), date2num(data.end + timedelta(days=1)))
    if (data.end - data.start).days <= 10:
        # a short period: one tick a day (the automatic locator would show hours, which mean nothing here)
        ax.xaxis.set_major_locator(DayLocator())
        ax.xaxis.set_major_formatter(DateFormatter("%d %b"))
        return
    locator = AutoDateLocator(maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))


def _title(angle_name: str) -> str:
    motion, side = split_name(angle_name)
    text = motion.replace("_", " ").capitalize()
    return f"{text} ({side})" if side else text


def rom_trend(data: ReportData) -> Figure | None:
    """Peak angle per session for each movement, against the AAOS normal and the goal."""
    movements = data.movements
    if not movements:
        return None
    fig = Figure(figsize=(7.0, 1.9 * len(movements) + 0.3), layout="constrained")
    axes = fig.subplots(len(movements), 1, squeeze=False)[:, 0]
    for ax, movement in zip(axes, movements, strict=True):
        sessions = [s for s in data.sessions if s.movement == movement and s.best_peak_deg is not None]
        x = date2num([s.day for s in sessions])
        ax.plot(x, [s.mean_peak_deg for s in sessions], color=MEASURED, linewidth=1.4, label="mean peak")
        ax.scatter(x, [s.best_peak_deg for s in sessions], color=MEASURED, s=9, zorder=3, label="best peak")
        motion, _ = split_name(movement)
        normal = NORMAL_ROM_DEG.get(motion)
        top = max([s.best_peak_deg or 0.0 for s in sessions] + [10.0])
        if normal is not None:
            ax.axhline(normal, color=NORMAL, linestyle="--", linewidth=1.0, label=f"AAOS normal {normal:g}°")
            top = max(top, normal)
        goals = [data.goal_deg(movement, s.day) or s.target_deg for s in sessions]
        if any(g is not None for g in goals):
            ax.step(
                x,
                [g if g is not None else float("nan") for g in goals],
                where="post",
                color=GOAL,
                linewidth=1.2,
                label="goal",
            )
            if len(x) == 1:  # a step line through one point draws nothing: mark the goal instead
                ax.scatter(x, goals, marker="_", s=300, color=GOAL, zorder=2)
            top = max([top] + [g for g in goals if g is not None])
        ax.set_ylim(0, top * 1.12)
        _xlim(ax, data)
        ax.set_ylabel("degrees", fontsize=7, color=INK)
        ax.set_title(_title(movement), fontsize=9, loc="left", color=INK)
        ax.legend(fontsize=6.5, loc="lower right", frameon=False, ncols=4)
        _style(ax)
    return fig


def adherence_calendar(data: ReportData) -> Figure:
    """One square per day (weeks as columns, Monday on top), darker the more of the prescription was done."""
    done, prescribed = adherence(data)
    first = data.start - timedelta(days=data.start.weekday())
    weeks = (data.end - first).days // 7 + 1
    grid = [[float("nan")] * weeks for _ in range(7)]
    for day in days(data.start, data.end):
        column, row = (day - first).days // 7, day.weekday()
        wanted = prescribed[day]
        count = done.get(day, 0)
        # without a plan, any session fills the day; with one, the share of the day's prescription
        grid[row][column] = min(1.0, count / wanted) if wanted > 0 else (1.0 if count else 0.0)
    # squares of about 0.12 inch whatever the period: a year fills the page width, a month stays small
    width = min(7.0, max(2.0, 0.125 * weeks + 0.7))
    fig = Figure(figsize=(width, 1.35), layout="constrained")
    ax = fig.subplots()
    ax.imshow(grid, cmap=ADHERENCE_MAP, vmin=0, vmax=1, aspect="equal", interpolation="none")
    ax.set_yticks(range(7), ["Mon", "", "Wed", "", "Fri", "", "Sun"], fontsize=6.5)
    months = _month_ticks(first, weeks)
    ax.set_xticks([c for c, _ in months], [label for _, label in months], fontsize=6.5)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xticks([c - 0.5 for c in range(weeks + 1)], minor=True)
    ax.set_yticks([r - 0.5 for r in range(8)], minor=True)
    ax.grid(which="minor", color="white", linewidth=1.2)
    ax.tick_params(which="minor", length=0)
    return fig


def _month_ticks(first: date, weeks: int) -> list[tuple[int, str]]:
    ticks, seen = [], set()
    for column in range(weeks):
        # label a week by its Sunday's month, so a first week starting in the previous month is not labelled
        monday = first + timedelta(weeks=column, days=6)
        key = (monday.year, monday.month)
        if key not in seen:
            seen.add(key)
            ticks.append((column, monday.strftime("%b") if weeks > 3 else monday.strftime("%d %b")))
    return ticks


def pain_trend(data: ReportData) -> Figure | None:
    """Pain (0-10) over the period: before and after sessions, and diary entries."""
    pain = [r for r in data.ratings if r.kind == "pain"]
    if not pain:
        return None
    fig = Figure(figsize=(7.0, 1.8), layout="constrained")
    ax = fig.subplots()
    styles = {"before": ("o", "before session"), "after": ("s", "after session")}
    for moment in sorted({r.moment for r in pain}):
        points = [r for r in pain if r.moment == moment]
        marker, label = styles.get(moment, ("^", moment))
        ax.plot(
            date2num([r.day for r in points]),
            [r.value for r in points],
            marker=marker,
            markersize=3,
            linewidth=0.9,
            color=PAIN,
            alpha=1.0 if moment == "before" else 0.55,
            label=label,
        )
    ax.set_ylim(0, 10.5)
    _xlim(ax, data)
    ax.set_ylabel("pain 0-10", fontsize=7, color=INK)
    ax.legend(fontsize=6.5, frameon=False, loc="upper right", ncols=3)
    _style(ax)
    return fig


def suds_curves(data: ReportData) -> Figure | None:
    """SUDS during each mental session, with the breathing rate beside it when it was measured."""
    mental = [s for s in data.sessions if s.kind == "mental"]
    if not mental:
        return None
    fig = Figure(figsize=(7.0, 2.0), layout="constrained")
    suds_ax, breath_ax = fig.subplots(1, 2)
    for index, session in enumerate(mental[-8:]):  # the last eight: more lines stop being readable
        points = [r for r in data.ratings if r.kind == "suds" and r.session_id == session.session_id]
        shade = 0.35 + 0.65 * (index + 1) / min(8, len(mental))
        if points:
            suds_ax.plot(
                [(r.t or 0.0) / 60 for r in points],
                [r.value for r in points],
                marker="o",
                markersize=2.5,
                color=MEASURED,
                alpha=shade,
                linewidth=1.0,
                label=session.day.isoformat(),
            )
        if session.session_id in data.breathing:
            t, values = data.breathing[session.session_id]
            breath_ax.plot([v / 60 for v in t], values, color=GOAL, alpha=shade, linewidth=1.0)
    suds_ax.set_ylim(0, 100)
    suds_ax.set_title("SUDS during mental sessions", fontsize=8, loc="left")
    suds_ax.set_xlabel("minutes", fontsize=7)
    suds_ax.legend(fontsize=5.5, frameon=False)
    breath_ax.set_title("Breathing rate (breaths/min)", fontsize=8, loc="left")
    breath_ax.set_xlabel("minutes", fontsize=7)
    for ax in (suds_ax, breath_ax):
        _style(ax)
    return fig


def png(fig: Figure, dpi: int = 150) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


def svg(fig: Figure) -> str:
    buffer = io.StringIO()
    # metadata Date=None: the same data gives the same SVG (no clock in the output)
    fig.savefig(buffer, format="svg", facecolor="white", metadata={"Date": None})
    return buffer.getvalue()

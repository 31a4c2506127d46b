"""The report's physical plots, drawn with matplotlib's object API (no pyplot: no global state, no GUI
backend), and the pieces every plot shares (colours, the date axis, PNG and SVG output).

Each plot takes ``ReportData`` and returns a Figure, or None when there is nothing to draw; the
PDF embeds them as PNG, the HTML as SVG. Mental and outcome plots are in ``figures_mental`` and
``figures_outcomes``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, timedelta

from matplotlib.dates import date2num
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator

from progress.reports.data import Rating, ReportData
from progress.reports.dates import date_ticks
from rehab.core.motions import NORMAL_ROM_DEG, split_name

INK = "#1f2933"
MEASURED = "#1565c0"
GOAL = "#2e7d32"
NORMAL = "#757575"
PAIN = "#c62828"
STOPPED = "#ef6c00"
FREE = "#90caf9"
MISSED = "#eceff1"

#: a reference line (goal, AAOS normal) further than this from the measured values is written at the
#: chart's edge instead of stretching the axis: a 0-150° axis for values of 42-46 hides the trend
REACH_DEG = 30.0
#: the least span of a value axis, so day-to-day noise of a few degrees is not blown up into a trend
MIN_SPAN_DEG = 20.0


def style(ax) -> None:  # type: ignore[no-untyped-def]
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.tick_params(labelsize=7, colors=INK)
    ax.grid(axis="y", color="#e0e0e0", linewidth=0.6)
    ax.set_axisbelow(True)


def date_axis(ax, start: date, end: date, most: int = 8) -> None:  # type: ignore[no-untyped-def]
    """The whole period with a day of margin either side; ticks only inside it, labelled by
    ``dates.date_ticks`` (human dates, the year once), never by matplotlib's date formatters."""
    ax.set_xlim(date2num(start - timedelta(days=1)), date2num(end + timedelta(days=1)))
    ticks = date_ticks(start, end, most)
    ax.set_xticks([date2num(day) for day, _ in ticks], [label for _, label in ticks])
    ax.xaxis.set_minor_locator(NullLocator())


def value_limits(
    values: Sequence[float], references: Sequence[float], min_span: float = MIN_SPAN_DEG, reach: float = REACH_DEG
) -> tuple[float, float]:
    """y limits that fit ``values`` with a margin, widened to take in each reference line lying
    within ``reach`` of them; references further away are left out (the caller marks them in text)."""
    low, high = min(values), max(values)
    lo, hi = low, high
    for ref in references:
        if low - reach <= ref <= high + reach:  # near the values themselves, not near another reference
            lo, hi = min(lo, ref), max(hi, ref)
    if hi - lo < min_span:
        middle = (lo + hi) / 2
        lo, hi = middle - min_span / 2, middle + min_span / 2
    margin = 0.1 * (hi - lo)
    return lo - margin, hi + margin


def movement_title(angle_name: str) -> str:
    """``knee_flexion_right`` -> ``Knee flexion, right``."""
    motion, side = split_name(angle_name)
    text = motion.replace("_", " ").capitalize()
    return f"{text}, {side}" if side else text


def rom_trend(data: ReportData) -> Figure | None:
    """Peak angle per session for each physical movement, against the goal and the AAOS normal."""
    movements = data.movements
    if not movements:
        return None
    fig = Figure(figsize=(7.0, 1.75 * len(movements) + 0.2), layout="constrained")
    axes = fig.subplots(len(movements), 1, squeeze=False)[:, 0]
    for ax, movement in zip(axes, movements, strict=True):
        _rom_panel(ax, data, movement)
    return fig


def _rom_panel(ax, data: ReportData, movement: str) -> None:  # type: ignore[no-untyped-def]
    sessions = [s for s in data.sessions if s.movement == movement and s.best_peak_deg is not None]
    x = date2num([s.day for s in sessions])
    best = [s.best_peak_deg or 0.0 for s in sessions]
    ax.plot(x, [s.mean_peak_deg for s in sessions], color=MEASURED, linewidth=1.4, label="mean peak")
    ax.scatter(x, best, color=MEASURED, s=9, zorder=3, label="best peak")
    goals = [data.goal_deg(movement, s.day) or s.target_deg for s in sessions]
    normal = NORMAL_ROM_DEG.get(split_name(movement)[0])
    references = [g for g in goals if g is not None] + ([normal] if normal is not None else [])
    measured = best + [s.mean_peak_deg for s in sessions if s.mean_peak_deg is not None]
    lo, hi = value_limits(measured, references)
    ax.set_ylim(lo, hi)
    outside: list[str] = []
    if any(g is not None for g in goals):
        ax.step(x, [g if g is not None else float("nan") for g in goals], where="post", color=GOAL, label="goal")
        if len(x) == 1:  # a step line through one point draws nothing: mark the goal instead
            ax.scatter(x, goals, marker="_", s=300, color=GOAL, zorder=2)
        outside += _off_chart("goal", [g for g in goals if g is not None], lo, hi)
    if normal is not None:
        ax.axhline(normal, color=NORMAL, linestyle="--", linewidth=1.0, label=f"AAOS normal {normal:g}°")
        outside += _off_chart("AAOS normal", [normal], lo, hi)
    if outside:
        ax.text(
            0.995, 0.97, "; ".join(outside), transform=ax.transAxes, ha="right", va="top", fontsize=6.5, color=INK,
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1.0},
        )  # fmt: skip
    date_axis(ax, data.start, data.end)
    ax.set_ylabel("degrees", fontsize=7, color=INK)
    ax.set_title(movement_title(movement), fontsize=9, loc="left", color=INK)
    ax.legend(fontsize=6.5, loc="lower right", bbox_to_anchor=(1.0, 1.0), frameon=False, ncols=4, borderaxespad=0.2)
    style(ax)


def _off_chart(name: str, values: list[float], lo: float, hi: float) -> list[str]:
    """Words for a reference line the axis leaves out, with an arrow that says on which side."""
    above = sorted({v for v in values if v > hi})
    below = sorted({v for v in values if v < lo})
    words = []
    for side, arrow, found in (("above", "↑", above), ("below", "↓", below)):
        if found:  # a goal raised many times is one range, not a list
            span = f"{found[0]:g}°" if len(found) == 1 else f"{found[0]:g}-{found[-1]:g}°"
            words.append(f"{name} {span} {side} {arrow}")
    return words


#: above this many days pain is drawn as weekly means: a year of daily points is a red smear
WEEKLY_PAIN_DAYS = 120


def pain_trend(data: ReportData) -> Figure | None:
    """Pain (0-10) over the period: before and after sessions, and any other moment (during, diary)."""
    pain = [r for r in data.ratings if r.kind == "pain"]
    if not pain:
        return None
    weekly = (data.end - data.start).days > WEEKLY_PAIN_DAYS
    fig = Figure(figsize=(7.0, 1.8), layout="constrained")
    ax = fig.subplots()
    styles = {"before": ("o", "before session"), "after": ("s", "after session")}
    for moment in sorted({r.moment for r in pain}):
        points = _pain_points([r for r in pain if r.moment == moment], weekly)
        marker, label = styles.get(moment, ("^", moment))
        ax.plot(
            date2num([day for day, _ in points]),
            [value for _, value in points],
            marker=marker,
            markersize=3,
            linewidth=0.9,
            color=PAIN,
            alpha=1.0 if moment == "before" else 0.55,
            label=label + (", weekly mean" if weekly else ""),
        )
    ax.set_ylim(0, 10.5)
    date_axis(ax, data.start, data.end)
    ax.set_ylabel("pain 0-10", fontsize=7, color=INK)
    ax.legend(fontsize=6.5, frameon=False, loc="upper right", ncols=3)
    style(ax)
    return fig


def _pain_points(ratings: list[Rating], weekly: bool) -> list[tuple[date, float]]:
    """Each rating, or the mean of each week's (drawn on its Monday)."""
    if not weekly:
        return [(r.day, r.value) for r in ratings]
    weeks: dict[date, list[float]] = {}
    for r in ratings:
        weeks.setdefault(r.day - timedelta(days=r.day.weekday()), []).append(r.value)
    return [(monday, sum(values) / len(values)) for monday, values in sorted(weeks.items())]


def png(fig: Figure, dpi: int = 150) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


def svg(fig: Figure) -> str:
    buffer = io.StringIO()
    # metadata Date=None: the same data gives the same SVG (no clock in the output)
    fig.savefig(buffer, format="svg", facecolor="white", metadata={"Date": None})
    return buffer.getvalue()

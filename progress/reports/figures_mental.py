"""Plots of breathing, exposure and focus sessions in their own units: breaths per minute against the
pace, SUDS 0-100, stress 0-10, minutes of calm. Never degrees, never "reps"."""

from __future__ import annotations

from matplotlib.dates import date2num
from matplotlib.figure import Figure

from progress.reports.data import MentalSummary, ReportData
from progress.reports.dates import short_date
from progress.reports.figures import GOAL, INK, MEASURED, PAIN, STOPPED, date_axis, style

#: within-session curves drawn at most: more lines stop being readable
MOST_CURVES = 6


def breathing(data: ReportData) -> Figure | None:
    """Mean breathing rate per session against the pace; beside it, the rate minute by minute in the
    last sessions that recorded it."""
    sessions = [m for m in data.mental if m.mean_rate_bpm is not None]
    curves = [m for m in data.mental if m.session_id in data.breathing][-MOST_CURVES:]
    if not sessions and not curves:
        return None
    fig = Figure(figsize=(7.0, 2.1), layout="constrained")
    if sessions and curves:
        left, right = fig.subplots(1, 2, width_ratios=(3, 2))
        _rate_per_session(left, data, sessions)
        _rate_within(right, data, curves)
    elif sessions:
        _rate_per_session(fig.subplots(), data, sessions)
    else:
        _rate_within(fig.subplots(), data, curves)
    return fig


def _rate_per_session(ax, data: ReportData, sessions: list[MentalSummary]) -> None:  # type: ignore[no-untyped-def]
    x = date2num([m.day for m in sessions])
    ax.plot(
        x, [m.mean_rate_bpm for m in sessions], "o-", color=MEASURED, markersize=3, linewidth=1.0, label="mean rate"
    )
    paces = [m.pace_bpm for m in sessions]
    if any(p is not None for p in paces):
        ax.step(x, [p if p is not None else float("nan") for p in paces], where="post", color=GOAL, label="pace")
    values = [m.mean_rate_bpm or 0.0 for m in sessions] + [p for p in paces if p is not None]
    ax.set_ylim(0, max(values) * 1.25 + 1)
    date_axis(ax, data.start, data.end, most=5)
    ax.set_ylabel("breaths/min", fontsize=7, color=INK)
    ax.set_title("Mean breathing rate per session", fontsize=8, loc="left", color=INK)
    ax.legend(fontsize=6.5, frameon=False, loc="lower right", ncols=2)
    style(ax)


def _rate_within(ax, data: ReportData, curves: list[MentalSummary]) -> None:  # type: ignore[no-untyped-def]
    for index, session in enumerate(curves):
        t, values = data.breathing[session.session_id]
        shade = 0.35 + 0.65 * (index + 1) / len(curves)
        label = short_date(session.day) if index in (0, len(curves) - 1) else None
        ax.plot([v / 60 for v in t], values, color=MEASURED, alpha=shade, linewidth=1.0, label=label)
    paces = {s.pace_bpm for s in curves if s.pace_bpm is not None}
    for pace in paces:
        ax.axhline(pace, color=GOAL, linestyle="--", linewidth=1.0)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("minutes into the session", fontsize=7, color=INK)
    ax.set_ylabel("breaths/min", fontsize=7, color=INK)
    ax.set_title("Within the last sessions (dashed: pace)", fontsize=8, loc="left", color=INK)
    ax.legend(fontsize=6, frameon=False, loc="lower left")
    style(ax)


def exposure(data: ReportData) -> Figure | None:
    """SUDS before, at the peak and after each exposure session (0-100), with the highest level."""
    sessions = [m for m in data.mental if m.suds_peak is not None or m.suds_before is not None]
    if not sessions:
        return None
    fig = Figure(figsize=(7.0, 1.9), layout="constrained")
    ax = fig.subplots()
    x = date2num([m.day for m in sessions])
    for left, m in zip(x, sessions, strict=True):
        values = [v for v in (m.suds_before, m.suds_peak, m.suds_after) if v is not None]
        ax.plot([left, left], [min(values), max(values)], color="#b0bec5", linewidth=1.0, zorder=1)
    marks = (
        ("suds_before", "o", "before", PAIN),
        ("suds_peak", "^", "peak", STOPPED),
        ("suds_after", "s", "after", MEASURED),
    )
    for name, marker, label, colour in marks:
        points = [(left, getattr(m, name)) for left, m in zip(x, sessions, strict=True) if getattr(m, name) is not None]
        if points:
            xs, ys = zip(*points, strict=True)
            ax.scatter(xs, ys, marker=marker, s=14, color=colour, label=label, zorder=3)
    ax.set_ylim(0, 105)
    date_axis(ax, data.start, data.end)
    ax.set_ylabel("SUDS 0-100", fontsize=7, color=INK)
    ax.legend(fontsize=6.5, frameon=False, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=3)
    style(ax)
    return fig


def stress_and_calm(data: ReportData) -> Figure | None:
    """Stress before and after each session (0-10) and, for exposure, minutes calm."""
    stress = [m for m in data.mental if m.stress_before is not None or m.stress_after is not None]
    calm = [m for m in data.mental if m.calm_seconds is not None]
    if not stress and not calm:
        return None
    fig = Figure(figsize=(7.0, 1.8), layout="constrained")
    axes = list(fig.subplots(1, 2)) if stress and calm else [fig.subplots()]
    most = 4 if len(axes) == 2 else 8  # ticks a half-width panel has room for
    if stress:
        ax = axes.pop(0)
        for name, marker, label, colour in (
            ("stress_before", "o", "before", PAIN),
            ("stress_after", "s", "after", MEASURED),
        ):
            points = [(m.day, getattr(m, name)) for m in stress if getattr(m, name) is not None]
            if points:
                days, values = zip(*points, strict=True)
                ax.scatter(date2num(days), values, marker=marker, s=12, color=colour, label=label, zorder=3)
        ax.set_ylim(0, 10.5)
        ax.set_ylabel("stress 0-10", fontsize=7, color=INK)
        ax.set_title("Stress before and after", fontsize=8, loc="left", color=INK)
        ax.legend(fontsize=6.5, frameon=False, loc="upper right", ncols=2)
        date_axis(ax, data.start, data.end, most)
        style(ax)
    if calm:
        ax = axes.pop(0)
        ax.bar(date2num([m.day for m in calm]), [(m.calm_seconds or 0.0) / 60 for m in calm], width=0.8, color=GOAL)
        ax.set_ylabel("minutes", fontsize=7, color=INK)
        ax.set_title("Time calm in exposure sessions", fontsize=8, loc="left", color=INK)
        date_axis(ax, data.start, data.end, most)
        style(ax)
    return fig

"""Outcome measures over time, each on its own published scale with its bands shaded and labelled."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.dates import date2num
from matplotlib.figure import Figure

from progress.reports.data import OutcomeScore
from progress.reports.figures import INK, MEASURED, date_axis, style
from rehab.core.errors import NotFoundError
from rehab.core.questionnaires import Band, instrument

#: band shades from the best band to the worst (light to darker), whatever the scale's direction
SHADES = ("#e8f5e9", "#fffde7", "#fff3e0", "#ffebee", "#fce4ec")


def bands_of(measure: str) -> tuple[Band, ...]:
    try:
        return instrument(measure).bands
    except NotFoundError:
        return ()


def outcome_chart(scores: Sequence[OutcomeScore], start, end) -> Figure:  # type: ignore[no-untyped-def]
    """One measure's totals over the period on the full scale (score_min..score_max)."""
    first = scores[0]
    fig = Figure(figsize=(7.0, 1.6))
    ax = fig.subplots()
    # fixed margins, not a constrained layout: the band labels on the right would otherwise give each
    # measure's chart a different width, and charts stacked on a page should line up
    fig.subplots_adjust(left=0.08, right=0.84, bottom=0.2, top=0.95)
    bands = sorted(bands_of(first.measure), key=lambda b: b.low, reverse=first.higher_is_better)
    for index, band in enumerate(bands):
        # published bands are whole-number ranges (0-4, 5-9): shade each to the half-point between them
        low, high = max(band.low - 0.5, first.score_min), min(band.high + 0.5, first.score_max)
        ax.axhspan(low, high, color=SHADES[min(index, len(SHADES) - 1)], zorder=0)
        ax.text(
            1.005, (low + high) / 2, band.label, transform=ax.get_yaxis_transform(), fontsize=6, va="center", color=INK
        )
    scored = [(s.day, s.total) for s in scores if s.total is not None]
    ax.plot(date2num([d for d, _ in scored]), [t for _, t in scored], "o-", color=MEASURED, markersize=3.5)
    for day, total in scored:
        ax.annotate(f"{total:g}", (date2num(day), total), textcoords="offset points", xytext=(0, 4),
                    ha="center", fontsize=6, color=INK)  # fmt: skip
    ax.set_ylim(first.score_min, first.score_max)
    date_axis(ax, start, end)
    ax.set_ylabel(f"{first.unit} ({first.score_min:g}-{first.score_max:g})", fontsize=7, color=INK)
    style(ax)
    return fig

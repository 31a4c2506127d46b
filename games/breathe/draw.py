"""Drawing for Breathe: a soft pacer circle, the patient's breath as a ring around it, and a chart
of the last 30 s of both. Reads a BreatheSnapshot only. Everything moves slowly; nothing flashes."""

from __future__ import annotations

import math

import pygame

from games.breathe.rules import BreatheSnapshot
from rehab.engine.api import PALETTE, draw_prompt, text, vertical_gradient

CENTRE = (240, 290)
R_OUT, R_IN = 60, 165  # pacer radius breathed out / in
CHART = pygame.Rect(460, 96, 350, 190)
CALM_TOP, CALM_BOTTOM = (22, 44, 60), (40, 84, 96)  # teal dusk: calmer than the physical games' blue


def _radius(level: float) -> int:
    return int(R_OUT + (R_IN - R_OUT) * min(max(level, -0.1), 1.15))


def draw_background(surface: pygame.Surface) -> None:
    vertical_gradient(surface, CALM_TOP, CALM_BOTTOM, band=6)


def draw_breathe(surface: pygame.Surface, snap: BreatheSnapshot) -> None:
    draw_background(surface)
    # the pacer: a filled soft circle with a faint halo
    r = _radius(snap.pacer)
    pygame.draw.circle(surface, (46, 104, 118), CENTRE, R_IN + 6, 2)
    pygame.draw.circle(surface, (70, 140, 150), CENTRE, r)
    pygame.draw.circle(surface, (110, 178, 184), CENTRE, r, 4)
    if snap.phase == "breathe":
        if not math.isnan(snap.level):
            pygame.draw.circle(surface, PALETTE.target, CENTRE, _radius(snap.level), 5)
        text(surface, "In" if snap.inhaling else "Out", 64, PALETTE.text, CENTRE, "center")
        minutes, seconds = divmod(int(snap.remaining_s + 0.999), 60)
        text(surface, f"{minutes}:{seconds:02d} left", 30, PALETTE.muted, (CENTRE[0], CENTRE[1] + 40), "midtop")
    if snap.prompt is not None:
        draw_prompt(surface, snap.prompt)
        return
    _draw_chart(surface, snap)
    _draw_numbers(surface, snap)


def _draw_chart(surface: pygame.Surface, snap: BreatheSnapshot) -> None:
    pygame.draw.rect(surface, (20, 38, 50), CHART, border_radius=10)
    text(surface, "the circle", 24, (140, 190, 196), (CHART.left + 12, CHART.bottom + 6))
    text(surface, "your breath", 24, PALETTE.target, (CHART.left + 130, CHART.bottom + 6))
    if len(snap.trace) < 2:
        return
    n = len(snap.trace)
    step = CHART.width / max(n - 1, 1) if n < 300 else CHART.width / 299

    def point(i: int, level: float) -> tuple[int, int]:
        share = min(max(level, -0.1), 1.15)
        return int(CHART.left + i * step), int(CHART.bottom - 14 - share * (CHART.height - 34))

    pacer = [point(i, p) for i, (p, _) in enumerate(snap.trace)]
    pygame.draw.lines(surface, (110, 178, 184), False, pacer, 3)
    run: list[tuple[int, int]] = []
    for i, (_, level) in enumerate(snap.trace):
        if math.isnan(level):  # a gap in tracking stays a gap on the chart
            if len(run) > 1:
                pygame.draw.lines(surface, PALETTE.target, False, run, 3)
            run = []
        else:
            run.append(point(i, level))
    if len(run) > 1:
        pygame.draw.lines(surface, PALETTE.target, False, run, 3)


def _fmt(value: float, pattern: str) -> str:
    return "--" if math.isnan(value) else pattern.format(value)


def _draw_numbers(surface: pygame.Surface, snap: BreatheSnapshot) -> None:
    x, y = CHART.left, CHART.bottom + 44
    rows = [
        ("Breaths", str(snap.breaths)),
        ("Your rate", _fmt(snap.rate_bpm, "{:.1f} a minute") + f"  (aim {snap.pace_bpm:g})"),
        ("Steadiness", _fmt(100 * snap.regularity, "{:.0f}%")),
        ("On pace", f"{int(snap.near_target_s) // 60}:{int(snap.near_target_s) % 60:02d}"),
    ]
    for row, (label, value) in enumerate(rows):
        text(surface, label, 32, PALETTE.muted, (x, y + 38 * row))
        text(surface, value, 32, PALETTE.text, (x + 150, y + 38 * row))

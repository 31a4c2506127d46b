"""Drawing for Breathe: a soft pacer circle, the patient's breath as a ring around it, and a chart
of the last 30 s of both. Reads a BreatheSnapshot only. Everything moves slowly; nothing flashes."""

from __future__ import annotations

import math

import pygame

from games.breathe.rules import BreatheSnapshot
from rehab.core.i18n import _
from rehab.engine.api import PALETTE, draw_prompt, font, message_top, text, vertical_gradient

CENTRE = (240, 290)
R_OUT, R_IN = 60, 165  # pacer radius breathed out / in
CHART = pygame.Rect(460, 96, 350, 190)
CALM_TOP, CALM_BOTTOM = (22, 44, 60), (40, 84, 96)  # teal dusk: calmer than the physical games' blue
#: the pacer's fill: dark enough for "In" and "Out" on it at 5:1 (it was 3.5:1)
PACER = (50, 110, 120)
#: every word on the screen: 24 px high at the default scale
TEXT_SIZE = 36


def _on_panel(surface: pygame.Surface, words: str, midtop: tuple[int, int]) -> None:
    """Words over the pacer, which grows and shrinks under them: on a dark panel of their own, so
    they read at 4.5:1 whether the circle or the sky is behind."""
    box = text(surface, words, TEXT_SIZE, PALETTE.text, midtop, "midtop")
    pygame.draw.rect(surface, PALETTE.panel, box.inflate(12, 4), border_radius=6)
    text(surface, words, TEXT_SIZE, PALETTE.text, midtop, "midtop")


def _radius(level: float) -> int:
    return int(R_OUT + (R_IN - R_OUT) * min(max(level, -0.1), 1.15))


def draw_background(surface: pygame.Surface) -> None:
    vertical_gradient(surface, CALM_TOP, CALM_BOTTOM, band=6)


def draw_breathe(surface: pygame.Surface, snap: BreatheSnapshot) -> None:
    draw_background(surface)
    # the pacer: a filled soft circle with a faint halo
    r = _radius(snap.pacer)
    pygame.draw.circle(surface, (46, 104, 118), CENTRE, R_IN + 6, 2)
    pygame.draw.circle(surface, PACER, CENTRE, r)
    pygame.draw.circle(surface, (110, 178, 184), CENTRE, r, 4)
    if snap.phase == "breathe":
        if not math.isnan(snap.level):
            pygame.draw.circle(surface, PALETTE.target, CENTRE, _radius(snap.level), 5)
        text(surface, _("In") if snap.inhaling else _("Out"), 64, PALETTE.text, CENTRE, "center")
        minutes, seconds = divmod(int(snap.remaining_s + 0.999), 60)
        _on_panel(surface, _("{time} left").format(time=f"{minutes}:{seconds:02d}"), (CENTRE[0], CENTRE[1] + 40))
    if snap.prompt is not None:
        draw_prompt(surface, snap.prompt)
        return
    chart, numbers_top, row_height = chart_and_numbers(surface.get_size())
    _draw_chart(surface, snap, chart)
    _draw_numbers(surface, snap, (chart.left, numbers_top), row_height)


def chart_and_numbers(size: tuple[int, int]) -> tuple[pygame.Rect, int, int]:
    """The chart's box, the top of the numbers under it and their row height, at the current text
    size: the numbers sit above the message (two lines of it: "we will find your breath again", or
    any at large text), the chart's key above them, and the chart takes what room is left."""
    row_height = font(TEXT_SIZE).get_linesize() + 8
    numbers_top = message_top(size, 2) - 6 - NUMBER_ROWS * row_height
    chart = CHART.copy()
    chart.height = min(CHART.height, numbers_top - row_height - 6 - CHART.top)
    return chart, numbers_top, row_height


def _draw_chart(surface: pygame.Surface, snap: BreatheSnapshot, chart: pygame.Rect) -> None:
    pygame.draw.rect(surface, (20, 38, 50), chart, border_radius=10)
    key = text(surface, _("the circle"), TEXT_SIZE, (140, 190, 196), (chart.left + 12, chart.bottom + 6))
    text(surface, _("your breath"), TEXT_SIZE, PALETTE.target, (max(chart.left + 170, key.right + 24), key.top))
    if len(snap.trace) < 2:
        return
    n = len(snap.trace)
    step = chart.width / max(n - 1, 1) if n < 300 else chart.width / 299

    def point(i: int, level: float) -> tuple[int, int]:
        share = min(max(level, -0.1), 1.15)
        return int(chart.left + i * step), int(chart.bottom - 14 - share * (chart.height - 34))

    pacer = [point(i, p) for i, (p, _level) in enumerate(snap.trace)]
    pygame.draw.lines(surface, (110, 178, 184), False, pacer, 3)
    run: list[tuple[int, int]] = []
    for i, (_pace, level) in enumerate(snap.trace):
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


#: breaths, rate, steadiness, time on pace
NUMBER_ROWS = 4


def _draw_numbers(surface: pygame.Surface, snap: BreatheSnapshot, topleft: tuple[int, int], row_height: int) -> None:
    x, y = topleft
    rows = [
        (_("Breaths"), str(snap.breaths)),
        (
            _("Your rate"),
            _fmt(snap.rate_bpm, _("{rate} a minute").replace("{rate}", "{:.1f}"))
            + "  "
            + _("(aim {pace})").format(pace=f"{snap.pace_bpm:g}"),
        ),
        (_("Steadiness"), _fmt(100 * snap.regularity, "{:.0f}%")),
        (_("On pace"), f"{int(snap.near_target_s) // 60}:{int(snap.near_target_s) % 60:02d}"),
    ]
    value_x = x + max(170, max(font(TEXT_SIZE).size(label)[0] for label, _value in rows) + 24)
    room = surface.get_width() - 12 - value_x
    for row, (label, value) in enumerate(rows):
        text(surface, label, TEXT_SIZE, PALETTE.text, (x, y + row_height * row))  # muted fell to 4.1:1 at the foot
        # "8.9 a minute (aim 6)" ran off the screen at the largest text: a long value is drawn smaller,
        # down to two thirds (never under the default size's 24 px at the largest scale)
        size = next((s for s in range(TEXT_SIZE, 23, -2) if font(s).size(value)[0] <= room), 24)
        text(surface, value, size, PALETTE.text, (value_x, y + row_height * row))

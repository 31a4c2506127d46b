"""Drawing for Focus: a night lake, a paper lantern that rises while the patient is calm, the
lanterns already released resting in the sky, and a calm bar with the adaptive goal. Reads a
FocusSnapshot only. The glow is fixed, never pulsing: nothing here flashes."""

from __future__ import annotations

import math

import pygame

from games.focus.rules import FocusSnapshot
from rehab.core.i18n import _
from rehab.engine.api import PALETTE, font, text, vertical_gradient

NIGHT_TOP, NIGHT_BOTTOM = (14, 22, 44), (34, 52, 84)
WATER_Y = 420
LANTERN_X = 560
LOW_Y, HIGH_Y = WATER_Y - 30, 110  # the lantern's centre on the water and at release
WARM, WARM_DARK = (246, 178, 92), (196, 112, 52)
PANEL = pygame.Rect(24, 76, 300, 330)
#: where released lanterns rest in the sky (they stay put, in order)
RESTING = [(420, 120), (700, 100), (470, 200), (760, 190), (380, 260), (640, 150), (730, 270), (520, 140)]


def _glow(surface: pygame.Surface, centre: tuple[int, int], radius: int, alpha: int) -> None:
    halo = pygame.Surface((radius * 2, radius * 2), pygame.SRCALPHA)
    for r, a in ((radius, alpha // 3), (int(radius * 0.7), alpha // 2), (int(radius * 0.45), alpha)):
        pygame.draw.circle(halo, (*WARM, a), (radius, radius), r)
    surface.blit(halo, (centre[0] - radius, centre[1] - radius))


def _lantern(surface: pygame.Surface, centre: tuple[int, int], scale: float = 1.0) -> None:
    w, h = int(38 * scale), int(50 * scale)
    body = pygame.Rect(0, 0, w, h)
    body.center = centre
    _glow(surface, centre, int(70 * scale), 90)
    pygame.draw.rect(surface, WARM, body, border_radius=int(12 * scale))
    pygame.draw.rect(surface, WARM_DARK, body, max(1, int(3 * scale)), border_radius=int(12 * scale))
    pygame.draw.rect(surface, (255, 226, 160), body.inflate(-w // 2, -h // 2), border_radius=int(6 * scale))


def _scene(surface: pygame.Surface, snap: FocusSnapshot) -> None:
    w, h = surface.get_size()
    vertical_gradient(surface, NIGHT_TOP, NIGHT_BOTTOM, bottom=WATER_Y, band=6)
    for i in range(40):  # fixed stars: positions from the index, so they never move or twinkle
        x, y = (i * 197) % (w - 140), 60 + (i * 89) % (WATER_Y - 120)
        pygame.draw.circle(surface, (200, 210, 230), (x, y), 1 + i % 2)
    pygame.draw.ellipse(surface, (20, 32, 48), (-80, WATER_Y - 50, 520, 110))
    pygame.draw.ellipse(surface, (24, 38, 56), (520, WATER_Y - 40, 480, 90))
    pygame.draw.rect(surface, (18, 34, 56), (0, WATER_Y, w, h - WATER_Y))
    for row in range(6):  # still ripples
        y = WATER_Y + 14 + row * 16
        pygame.draw.line(surface, (34, 56, 84), (80 + 40 * row, y), (760 - 30 * row, y), 2)
    for i in range(min(snap.lanterns, len(RESTING))):
        _lantern(surface, RESTING[i], 0.45)
    y = int(LOW_Y + (HIGH_Y - LOW_Y) * snap.lantern)
    # its reflection on the water, fainter the higher it goes
    _glow(surface, (LANTERN_X, WATER_Y + 40), 40, int(70 * (1 - snap.lantern)))
    _lantern(surface, (LANTERN_X, y))


#: the smallest words on the screen: 24 px high at the default scale
TEXT_SIZE = 36


def _fmt(value: float) -> str:
    return "--" if math.isnan(value) else f"{value:.0f}"


def _panel(surface: pygame.Surface, snap: FocusSnapshot) -> None:
    """The calm bar with its goal, and the numbers beside it: laid out from the words' own sizes,
    so the panel grows with the patient's text size rather than the words running into each other."""
    minutes, seconds = divmod(int(snap.time_above_s), 60)
    rows = [
        (_("Calm"), _fmt(snap.meditation)),
        (_("Focus"), _fmt(snap.attention)),
        (_("Lanterns"), str(snap.lanterns)),
        (_("Calm time"), f"{minutes}:{seconds:02d}"),
    ]
    label_font, value_font = font(TEXT_SIZE), font(40)
    bar_left = PANEL.left + 24
    x = bar_left + 40 + 12 + label_font.size(_("goal"))[0] + 20  # right of the goal's word
    # a table: each label with its value on the same line, the values in a column of their own
    value_x = x + max(label_font.size(label)[0] for label, _value in rows) + 16
    widest_value = max(value_font.size(value)[0] for _label, value in rows)
    row_height = value_font.get_linesize() + 14
    top_gap = label_font.get_linesize() + 20  # room for "calm" over the bar
    panel = pygame.Rect(PANEL.left, PANEL.top, max(PANEL.width, value_x + widest_value + 16 - PANEL.left), 0)
    panel.height = max(PANEL.height, top_gap + row_height * len(rows) + 30)
    veil = pygame.Surface(panel.size, pygame.SRCALPHA)
    veil.fill((*PALETTE.panel, 190))
    surface.blit(veil, panel.topleft)
    bar = pygame.Rect(bar_left, panel.top + top_gap, 40, panel.height - top_gap - 30)
    text(surface, _("calm"), TEXT_SIZE, PALETTE.muted, (bar.centerx, panel.top + 10), "midtop")
    pygame.draw.rect(surface, PALETTE.gauge_back, bar, border_radius=8)
    if not math.isnan(snap.meditation):
        top = int(bar.bottom - snap.meditation / 100 * bar.height)
        color = WARM if snap.above else PALETTE.accent
        pygame.draw.rect(surface, color, (bar.left, top, bar.width, bar.bottom - top), border_radius=8)
    goal_y = int(bar.bottom - snap.threshold / 100 * bar.height)
    pygame.draw.line(surface, PALETTE.target, (bar.left - 8, goal_y), (bar.right + 8, goal_y), 4)
    text(surface, _("goal"), TEXT_SIZE, PALETTE.target, (bar.right + 12, goal_y), "midleft")
    for row, (label, value) in enumerate(rows):
        middle = bar.top + row_height * row + row_height // 2
        text(surface, label, TEXT_SIZE, PALETTE.muted, (x, middle), "midleft")
        text(surface, value, 40, PALETTE.text, (value_x, middle), "midleft")


def draw_focus(surface: pygame.Surface, snap: FocusSnapshot) -> None:
    _scene(surface, snap)
    _panel(surface, snap)
    if snap.poor_signal:
        box = pygame.Rect(360, 200, 440, 130)
        veil = pygame.Surface(box.size, pygame.SRCALPHA)
        veil.fill((*PALETTE.panel, 230))
        surface.blit(veil, box.topleft)
        text(surface, _("Adjust the headset"), 48, PALETTE.target, (box.centerx, box.top + 22), "midtop")
        text(surface, _("The lantern waits for you"), TEXT_SIZE, PALETTE.text, (box.centerx, box.top + 80), "midtop")

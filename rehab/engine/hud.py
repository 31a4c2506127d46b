"""The heads-up display every game shares: reps, timer, and a live gauge of the angle.

Drawing only: it takes a HudState and a pygame surface. Games draw their scene first, then this.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pygame

from rehab.engine.palette import PALETTE


@dataclass(frozen=True)
class HudState:
    reps_done: int
    reps_planned: int
    elapsed_s: float
    angle_label: str
    angle_deg: float
    target_deg: float
    rest_deg: float
    best_deg: float  # the highest angle reached so far this session (for two-sided: either way)
    message: str = ""
    #: a two-sided movement (head turn, side bend): the gauge shows how far, and the label which way
    signed: bool = False
    #: reps and the angle gauge are for physical games; mental games show only the time
    gauge: bool = True


_fonts: dict[int, pygame.font.Font] = {}
#: text size multiplier for players who need larger print (``--font-scale``); display-wide, like
#: the operating system's own text-size setting, so every game and scene honours it
_font_scale = [1.0]


def set_font_scale(scale: float) -> None:
    if not 0.5 <= scale <= 2.5:
        raise ValueError(f"font scale must be between 0.5 and 2.5, got {scale}")
    _font_scale[0] = scale


def font(size: int) -> pygame.font.Font:
    """The default pygame font at ``size`` pixels times the font scale, cached (it ships inside
    pygame: no system fonts needed)."""
    pixels = max(8, int(size * _font_scale[0]))
    if pixels not in _fonts:
        if not pygame.font.get_init():
            pygame.font.init()
        _fonts[pixels] = pygame.font.Font(None, pixels)
    return _fonts[pixels]


def text(
    surface: pygame.Surface,
    words: str,
    size: int,
    color: tuple[int, int, int],
    pos: tuple[int, int],
    anchor: str = "topleft",
) -> pygame.Rect:
    image = font(size).render(words, True, color)
    rect = image.get_rect(**{anchor: pos})
    surface.blit(image, rect)
    return rect


def wrap_to_width(words: str, size: int, width: int) -> list[str]:
    """``words`` broken at spaces into lines no wider than ``width`` pixels at ``size`` (and the
    font scale): what fits on screen, whatever the scale. A word too long for a line is kept whole
    on its own line."""
    rows: list[str] = []
    face = font(size)
    for word in words.split():
        if rows and face.size(f"{rows[-1]} {word}")[0] <= width:
            rows[-1] += f" {word}"
        else:
            rows.append(word)
    return rows


def draw_hud(surface: pygame.Surface, hud: HudState) -> None:
    width, height = surface.get_size()
    bar = pygame.Rect(0, 0, width, 56)
    pygame.draw.rect(surface, PALETTE.panel, bar)
    minutes, seconds = divmod(int(hud.elapsed_s), 60)
    text(surface, f"{minutes}:{seconds:02d}", 44, PALETTE.text, (width // 2, 12), "midtop")
    if hud.message:
        text(surface, hud.message, 40, PALETTE.text, (width // 2 - 40, height - 24), "midbottom")
    if not hud.gauge:
        return
    text(surface, f"Reps  {hud.reps_done} / {hud.reps_planned}", 44, PALETTE.text, (20, 12))

    # vertical gauge on the right: rest at the bottom, a bit beyond the target at the top
    gauge = pygame.Rect(width - 80, 110, 36, height - 190)
    top_deg = max(hud.target_deg, hud.best_deg if math.isfinite(hud.best_deg) else hud.target_deg) * 1.1
    span = top_deg - hud.rest_deg

    def y_of(deg: float) -> int:
        share = (deg - hud.rest_deg) / span if span else 0.0
        return int(gauge.bottom - min(max(share, 0.0), 1.0) * gauge.height)

    pygame.draw.rect(surface, PALETTE.gauge_back, gauge, border_radius=8)
    # an outline keeps the gauge's extent visible when its track blends into the background
    # (the high-contrast palette turns the track black)
    pygame.draw.rect(surface, PALETTE.muted, gauge.inflate(4, 4), 2, border_radius=10)
    if math.isfinite(hud.angle_deg):
        amount = abs(hud.angle_deg) if hud.signed else hud.angle_deg
        fill = pygame.Rect(gauge.left, y_of(amount), gauge.width, gauge.bottom - y_of(amount))
        color = PALETTE.good if amount >= hud.target_deg else PALETTE.accent
        pygame.draw.rect(surface, color, fill, border_radius=8)
        # the sign convention for two-sided movements: positive is towards the patient's right
        way = ("" if round(amount) == 0 else (" R" if hud.angle_deg > 0 else " L")) if hud.signed else ""
        text(surface, f"{amount:.0f}°{way}", 36, PALETTE.text, (gauge.centerx, gauge.bottom + 8), "midtop")
    else:
        text(surface, "--", 36, PALETTE.muted, (gauge.centerx, gauge.bottom + 8), "midtop")
    target_y = y_of(hud.target_deg)
    pygame.draw.line(surface, PALETTE.target, (gauge.left - 10, target_y), (gauge.right + 10, target_y), 4)
    text(surface, "goal", 24, PALETTE.target, (gauge.left - 14, target_y), "midright")
    if math.isfinite(hud.best_deg):
        best_y = y_of(hud.best_deg)
        pygame.draw.line(surface, PALETTE.muted, (gauge.left, best_y), (gauge.right, best_y), 2)
        if abs(best_y - target_y) >= 18:  # never print one label over the other
            text(surface, "best", 22, PALETTE.muted, (gauge.left - 14, best_y), "midright")
    for row, word in enumerate(reversed(hud.angle_label.split())):
        text(surface, word, 24, PALETTE.muted, (gauge.centerx, gauge.top - 8 - 20 * row), "midbottom")

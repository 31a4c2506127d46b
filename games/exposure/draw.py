"""Drawing for Exposure: the tower seen from the side with the patient on the current level (the
glass floor juts out from the top), a card about the level with its SUDS curve, and the calm
breathing scene after a stop. Reads an ExposureSnapshot only; nothing moves fast or flashes."""

from __future__ import annotations

import math

import pygame

from games.exposure.rules import ExposureSnapshot
from rehab.core.i18n import _
from rehab.engine.api import PALETTE, draw_prompt, font, message_top, text, vertical_gradient, wrap_to_width

GROUND_Y, TOP_Y = 470, 145  # screen y of the ground and of the highest level
TOWER_X, TOWER_W = 560, 120
MAX_HEIGHT_M = 40.0
CARD = pygame.Rect(28, 76, 380, 392)
SKY_TOP, SKY_BOTTOM = (58, 92, 128), (120, 156, 178)


#: the smallest words on the screen: 24 px high at the default scale
TEXT_SIZE = 36


def height_to_y(height_m: float) -> int:
    """Screen y of a height above the ground: the one place the world meets pixels."""
    return int(GROUND_Y - min(max(height_m / MAX_HEIGHT_M, 0.0), 1.0) * (GROUND_Y - TOP_Y))


def _sky(surface: pygame.Surface) -> None:
    w, h = surface.get_size()
    vertical_gradient(surface, SKY_TOP, SKY_BOTTOM, band=6)
    pygame.draw.ellipse(surface, PALETTE.hill_far, (-100, GROUND_Y - 60, 700, 160))
    pygame.draw.ellipse(surface, PALETTE.hill_far, (420, GROUND_Y - 80, 700, 190))
    pygame.draw.rect(surface, PALETTE.grass, (0, GROUND_Y, w, 8))
    pygame.draw.rect(surface, PALETTE.soil, (0, GROUND_Y + 8, w, h - GROUND_Y - 8))
    for x in (470, 740, 790):  # trees far below give the height its scale
        pygame.draw.line(surface, PALETTE.wood_dark, (x, GROUND_Y), (x, GROUND_Y - 22), 5)
        pygame.draw.circle(surface, PALETTE.grass, (x, GROUND_Y - 32), 16)


def _person(surface: pygame.Surface, x: int, feet_y: int) -> None:
    pygame.draw.circle(surface, PALETTE.hand, (x, feet_y - 44), 8)
    pygame.draw.line(surface, PALETTE.target, (x, feet_y - 36), (x, feet_y - 14), 6)
    pygame.draw.line(surface, PALETTE.target, (x, feet_y - 14), (x - 6, feet_y), 4)
    pygame.draw.line(surface, PALETTE.target, (x, feet_y - 14), (x + 6, feet_y), 4)


def _tower(surface: pygame.Surface, snap: ExposureSnapshot) -> None:
    body = pygame.Rect(TOWER_X, TOP_Y, TOWER_W, GROUND_Y - TOP_Y)
    pygame.draw.rect(surface, (92, 98, 112), body)
    for floor in range(0, int(MAX_HEIGHT_M) + 1, 5):  # a line per floor, a window per floor
        y = height_to_y(floor)
        pygame.draw.line(surface, (72, 78, 92), (body.left, y), (body.right, y), 2)
        if floor < MAX_HEIGHT_M:
            pygame.draw.rect(surface, (150, 170, 190), (body.centerx - 12, y - 30, 24, 20), border_radius=3)
    pygame.draw.rect(surface, (72, 78, 92), (body.left - 10, TOP_Y - 10, TOWER_W + 20, 12))
    y = height_to_y(snap.level.height_m)
    if snap.phase == "calm":
        _person(surface, TOWER_X - 60, GROUND_Y)
        return
    if snap.level.scene == "glass":
        glass = pygame.Rect(body.right, y - 6, 110, 10)
        pane = pygame.Surface(glass.size, pygame.SRCALPHA)
        pane.fill((190, 225, 240, 110))
        surface.blit(pane, glass.topleft)
        pygame.draw.rect(surface, (210, 235, 245), glass, 2)
        pygame.draw.line(surface, PALETTE.metal, (glass.right, y - 6), (glass.right, y - 40), 3)
        _person(surface, glass.right - 40, y - 6)
    elif snap.level.height_m <= 0:
        _person(surface, body.right + 50, GROUND_Y)
    else:
        ledge = pygame.Rect(body.right, y - 6, 70, 8)
        pygame.draw.rect(surface, (72, 78, 92), ledge)
        pygame.draw.line(surface, PALETTE.metal, (ledge.right, y - 6), (ledge.right, y - 40), 3)
        pygame.draw.line(surface, PALETTE.metal, (ledge.left, y - 40), (ledge.right, y - 40), 3)
        _person(surface, ledge.centerx, y - 6)
    if snap.level.height_m > 0:
        text(surface, f"{snap.level.height_m:g} m", 30, PALETTE.text, (body.left - 12, y), "midright")


def _card(surface: pygame.Surface, snap: ExposureSnapshot) -> None:
    """The level, what to do there, the time and SUDS so far, and the SUDS curve: laid out from the
    words' own sizes, so at a large text size the card widens (up to the tower) and the curve
    shrinks rather than the words running into each other or under the message."""
    minutes, seconds = divmod(int(snap.level_seconds), 60)
    last = "--" if math.isnan(snap.last_suds) else f"{snap.last_suds:.0f}"
    here = _("Here {time}   SUDS now {suds}").format(time=f"{minutes}:{seconds:02d}", suds=last)
    line = font(TEXT_SIZE).get_linesize()
    card = CARD.copy()
    widest = max(font(TEXT_SIZE).size(here)[0], font(42).size(snap.level.name)[0])
    card.width = min(max(CARD.width, widest + 36), TOWER_X - 24 - CARD.left)
    card.height = min(CARD.height, message_top(surface.get_size(), 2) - 6 - CARD.top)
    veil = pygame.Surface(card.size, pygame.SRCALPHA)
    veil.fill((*PALETTE.panel, 200))
    surface.blit(veil, card.topleft)
    x, y = card.left + 18, card.top + 14
    level = _("Level {number} of {count}").format(number=snap.level_index + 1, count=snap.levels_total)
    y = text(surface, level, TEXT_SIZE, PALETTE.muted, (x, y)).bottom
    y = text(surface, snap.level.name, 42, PALETTE.text, (x, y)).bottom + 4
    for row in wrap_to_width(snap.level.description, TEXT_SIZE, card.width - 36):
        y = text(surface, row, TEXT_SIZE, PALETTE.muted, (x, y)).bottom
    y = text(surface, here, TEXT_SIZE, PALETTE.text, (x, y + 10)).bottom
    axis = font(TEXT_SIZE).size("100")[0] + 10  # the curve's 0/50/100 stand left of it
    top = y + line // 2 + 4  # "100" is centred on the curve's top edge
    curve = pygame.Rect(x + axis, top, card.right - 18 - x - axis, card.bottom - 8 - line - 4 - top)
    _curve(surface, snap, curve)


def _curve(surface: pygame.Surface, snap: ExposureSnapshot, box: pygame.Rect) -> None:
    pygame.draw.rect(surface, (24, 36, 54), box, border_radius=6)
    line = font(TEXT_SIZE).get_linesize()
    # the scale's numbers where they fit beside a curve squeezed by large text; the caption stays
    values = (0, 50, 100) if box.height >= 2.2 * line else (0, 100) if box.height >= line + 4 else ()
    for value in values:
        y = int(box.bottom - value / 100 * box.height)
        text(surface, str(value), TEXT_SIZE, PALETTE.muted, (box.left - 6, y), "midright")
    # the threshold and half the peak: where moving up gets offered
    goals = [snap.threshold] + ([snap.peak_suds / 2] if not math.isnan(snap.peak_suds) else [])
    y_goal = int(box.bottom - max(goals) / 100 * box.height)
    pygame.draw.line(surface, PALETTE.good, (box.left, y_goal), (box.right, y_goal), 2)
    span = max(120.0, snap.level_seconds)
    points = [
        (int(box.left + t / span * box.width), int(box.bottom - s / 100 * box.height)) for t, s in snap.suds_curve
    ]
    if len(points) > 1:
        pygame.draw.lines(surface, PALETTE.target, False, points, 3)
    for point in points:
        pygame.draw.circle(surface, PALETTE.target, point, 5)
    text(surface, _("your fear (SUDS) here"), TEXT_SIZE, PALETTE.muted, (box.left, box.bottom + 4))


def _calm(surface: pygame.Surface, snap: ExposureSnapshot) -> None:
    """A slow breathing circle (6 a minute) over the scene: somewhere to land after stopping."""
    veil = pygame.Surface(CARD.size, pygame.SRCALPHA)
    veil.fill((*PALETTE.panel, 200))
    surface.blit(veil, CARD.topleft)
    title = _("You did well today") if snap.finished else _("Rest here")
    text(surface, title, 46, PALETTE.text, (CARD.centerx, CARD.top + 18), "midtop")
    cycle = (snap.calm_s % 10.0) / 10.0
    share = (
        0.5 - 0.5 * math.cos(math.pi * cycle / 0.4)
        if cycle < 0.4
        else 0.5 + 0.5 * math.cos(math.pi * (cycle - 0.4) / 0.6)
    )
    centre = (CARD.centerx, CARD.top + 230)
    pygame.draw.circle(surface, (50, 110, 120), centre, int(50 + 90 * share))  # "In"/"Out" on it at 5:1
    text(surface, _("In") if cycle < 0.4 else _("Out"), 52, PALETTE.text, centre, "center")


def draw_exposure(surface: pygame.Surface, snap: ExposureSnapshot) -> None:
    _sky(surface)
    _tower(surface, snap)
    if snap.phase == "calm":
        _calm(surface, snap)
        return
    _card(surface, snap)
    if snap.prompt is not None:
        draw_prompt(surface, snap.prompt)
    elif snap.stop_hold > 0:
        ring = pygame.Rect(0, 0, 120, 120)
        ring.center = (760, 140)
        pygame.draw.arc(surface, PALETTE.shelf, ring, math.pi / 2, math.pi / 2 + 2 * math.pi * snap.stop_hold, 10)
        text(surface, _("Stop"), 36, PALETTE.text, ring.center, "center")

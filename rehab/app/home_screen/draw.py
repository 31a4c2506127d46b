"""Painting a placed page: background, buttons, bars, the text field, the keyboard focus ring and
the hand pointer with its filling ring. Drawing only."""

from __future__ import annotations

import math

import pygame

from rehab.app.home_screen.layout import Page
from rehab.engine.hud import text
from rehab.engine.palette import PALETTE

RING = 5


def draw_page(
    surface: pygame.Surface,
    page: Page,
    focused: str = "",
    hand: tuple[float, float] | None = None,
    dwell: float = 0.0,
) -> None:
    surface.fill(PALETTE.background_top)
    for button in page.buttons:
        rect = pygame.Rect(button.rect)
        pygame.draw.rect(surface, button.fill, rect, border_radius=14)
        pygame.draw.rect(surface, PALETTE.muted, rect, 2, border_radius=14)
    for bar in page.bars:
        rect = pygame.Rect(bar.rect)
        pygame.draw.rect(surface, PALETTE.gauge_back, rect, border_radius=10)
        pygame.draw.rect(surface, PALETTE.muted, rect, 2, border_radius=10)
        filled = rect.copy()
        filled.width = max(0, min(int(rect.width * min(bar.share, 1.0)), rect.width))
        if filled.width:
            pygame.draw.rect(surface, PALETTE.good if bar.reached else PALETTE.accent, filled, border_radius=10)
    if page.field_box is not None:
        box = pygame.Rect(page.field_box)
        pygame.draw.rect(surface, PALETTE.panel, box, border_radius=8)
        pygame.draw.rect(surface, PALETTE.target, box, 3, border_radius=8)
    for row in page.rows:
        text(surface, row.words, row.size, row.color, row.rect[:2], "topleft")
    for button in page.buttons:
        if button.key == focused:
            # the focus ring: thick, outside the button, in the warning yellow that no button uses
            pygame.draw.rect(surface, PALETTE.target, pygame.Rect(button.rect).inflate(12, 12), RING, border_radius=18)
    if hand is not None:
        _draw_hand(surface, hand, dwell)


def _draw_hand(surface: pygame.Surface, point: tuple[float, float], dwell: float) -> None:
    centre = (int(point[0]), int(point[1]))
    pygame.draw.circle(surface, PALETTE.hand, centre, 16)
    pygame.draw.circle(surface, PALETTE.panel, centre, 16, 3)
    ring = pygame.Rect(0, 0, 64, 64)
    ring.center = centre
    pygame.draw.circle(surface, PALETTE.gauge_back, centre, 32, 6)
    if dwell > 0:
        pygame.draw.arc(surface, PALETTE.good, ring, math.pi / 2, math.pi / 2 + 2 * math.pi * dwell, 6)

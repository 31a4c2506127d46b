"""Screens of a guided session between games: rest between sets, and a short message card.

Drawing only; ``rehab.app.session_runner`` decides what shows and for how long.
"""

from __future__ import annotations

import pygame

from rehab.engine.hud import text
from rehab.engine.palette import PALETTE
from rehab.engine.scenes import wrap


def draw_rest(surface: pygame.Surface, seconds_left: float, done: str, coming: str) -> None:
    """A calm screen with a big countdown: rest is part of the prescription, not a loading screen."""
    surface.fill(PALETTE.background_top)
    w, h = surface.get_size()
    text(surface, "Rest", 84, PALETTE.text, (w // 2, 60), "midtop")
    text(surface, done, 40, PALETTE.good, (w // 2, 165), "midtop")
    text(surface, f"{max(0, int(seconds_left + 0.999))}", 180, PALETTE.target, (w // 2, h // 2 + 40), "center")
    for row, line in enumerate(wrap(f"Next: {coming}", 48)):
        text(surface, line, 36, PALETTE.muted, (w // 2, h - 120 + 42 * row), "midtop")


def draw_card(surface: pygame.Surface, title: str, lines: list[str]) -> None:
    surface.fill(PALETTE.background_top)
    w, _ = surface.get_size()
    text(surface, title, 64, PALETTE.text, (w // 2, 70), "midtop")
    rows = [part for line in lines for part in wrap(line, 48)]
    for row, line in enumerate(rows):
        text(surface, line, 38, PALETTE.muted, (w // 2, 180 + 50 * row), "midtop")

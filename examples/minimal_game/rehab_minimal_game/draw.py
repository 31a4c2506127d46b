"""Kite's drawing: reads a KiteSnapshot only. The engine draws the HUD (reps, gauge, messages) on top."""

from __future__ import annotations

import pygame

from rehab.engine.api import PALETTE, text
from rehab_minimal_game.rules import KiteSnapshot


def draw_kite(surface: pygame.Surface, snapshot: object) -> None:
    assert isinstance(snapshot, KiteSnapshot)
    w, h = surface.get_size()
    surface.fill(PALETTE.background_top)
    ground, top = h - 60, 120
    y = int(ground - snapshot.height * (ground - top))
    pygame.draw.line(surface, PALETTE.muted, (w // 2, ground), (w // 2, y + 32), 2)  # the string
    color = PALETTE.good if snapshot.high else PALETTE.accent
    x = w // 2
    pygame.draw.polygon(surface, color, [(x, y - 32), (x + 22, y), (x, y + 32), (x - 22, y)])
    text(surface, f"Climbs: {snapshot.climbs}", 32, PALETTE.text, (24, 70))

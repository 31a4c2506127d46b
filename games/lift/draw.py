"""Drawing for Lift: a pulley frame, the rope, the weight and the shelf. Reads a LiftSnapshot only."""

from __future__ import annotations

import pygame

from games.lift.rules import LiftSnapshot
from rehab.core.i18n import _
from rehab.engine.api import PALETTE, readable_on, text, vertical_gradient


def world_to_screen(height_share: float, surface: pygame.Surface) -> int:
    """Screen y of a weight height (0 floor .. 1 shelf): the one place world meets pixels."""
    _, h = surface.get_size()
    floor_y, shelf_y = h - 110, 215
    return int(floor_y - height_share * (floor_y - shelf_y))


def draw_background(surface: pygame.Surface) -> None:
    vertical_gradient(surface, PALETTE.background_top, PALETTE.background_bottom)


def draw_lift(surface: pygame.Surface, snap: LiftSnapshot) -> None:
    w, h = surface.get_size()
    draw_background(surface)
    cx = w // 2 - 60
    floor_y, shelf_y = world_to_screen(0.0, surface), world_to_screen(1.0, surface)
    # frame and pulley
    pulley = (cx, 100)
    pygame.draw.line(surface, PALETTE.metal, (cx - 170, floor_y), (cx - 170, pulley[1] - 22), 10)
    pygame.draw.line(surface, PALETTE.metal, (cx - 175, pulley[1] - 22), (cx + 20, pulley[1] - 22), 10)
    pygame.draw.circle(surface, PALETTE.metal, pulley, 20, 6)
    pygame.draw.line(surface, PALETTE.panel, (0, floor_y), (w - 130, floor_y), 6)
    # the shelf the weight must reach: its top is where the weight's base sits when lifted
    pygame.draw.rect(surface, PALETTE.shelf, (cx + 62, shelf_y, 180, 12), border_radius=4)
    text(surface, _("shelf"), 36, PALETTE.text, (cx + 152, shelf_y + 16), "midtop")
    # rope and weight
    base_y = world_to_screen(snap.weight_height, surface)
    box = pygame.Rect(0, 0, 110, 80)
    box.midbottom = (cx, base_y)
    pygame.draw.line(surface, PALETTE.text, (cx, pulley[1] + 20), (cx, box.top), 3)
    color = PALETTE.good if snap.phase in ("hold", "lower") else PALETTE.weight
    pygame.draw.rect(surface, color, box, border_radius=10)
    # light on the blue weight, dark on the orange one (light text on orange was 2:1)
    text(surface, _("2 kg"), 34, readable_on(color), box.center, "center")
    # hold ring: fills while the weight stays at the shelf
    if snap.phase == "hold":
        ring = pygame.Rect(0, 0, 70, 70)
        ring.center = (cx + 152, shelf_y - 50)
        pygame.draw.arc(surface, PALETTE.target, ring, 1.5708, 1.5708 + 6.2832 * snap.hold_progress, 8)

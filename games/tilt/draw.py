"""Drawing for Tilt: a wooden board on a stand, two cups, the marble. Reads a TiltSnapshot only.

The engine draws the HUD on top (a bar at the top, the angle gauge on the right, the message at
the bottom); the board sits in the free area between them.
"""

from __future__ import annotations

import math

import pygame

from games.tilt.rules import TiltSnapshot
from rehab.core.i18n import _
from rehab.engine.api import PALETTE, blend, text, vertical_gradient

#: the board's pivot on screen, and pixels per metre
PIVOT = (420, 300)
SCALE = 400.0
PLANK_DEPTH = 0.06  # how far the plank's underside lies below its top, metres
RIM_WIDTH = 0.035


def world_to_screen(x: float, y: float) -> tuple[int, int]:
    """The one place world meets pixels."""
    return int(PIVOT[0] + x * SCALE), int(PIVOT[1] - y * SCALE)


def _board_point(x: float, y: float, angle: float) -> tuple[int, int]:
    c, s = math.cos(angle), math.sin(angle)
    return world_to_screen(x * c - y * s, x * s + y * c)


def _background(surface: pygame.Surface) -> None:
    w, h = surface.get_size()
    vertical_gradient(surface, PALETTE.background_top, PALETTE.background_bottom)
    floor_y = 462
    pygame.draw.rect(surface, PALETTE.sky_hill, (0, floor_y, w, h - floor_y))
    pygame.draw.line(surface, blend(PALETTE.sky_hill, PALETTE.muted, 0.3), (0, floor_y), (w, floor_y), 3)


def _stand(surface: pygame.Surface) -> None:
    px, py = PIVOT
    base = [(px - 70, 462), (px + 70, 462), (px + 14, py + 30), (px - 14, py + 30)]
    pygame.draw.polygon(surface, PALETTE.metal, base)
    pygame.draw.polygon(surface, blend(PALETTE.metal, (0, 0, 0), 0.3), base, 3)
    pygame.draw.circle(surface, blend(PALETTE.metal, (0, 0, 0), 0.3), (px, py + 28), 12)


def _board(surface: pygame.Surface, snap: TiltSnapshot) -> None:
    a = snap.board_angle
    profile = snap.board_profile
    h = profile[-1][0]
    rim_top = profile[-1][1]
    t = snap.board_thickness
    # the plank: its top follows the profile (with the cups' dips), its underside is straight
    top = [(x, y + t) for x, y in profile[1:-1]]
    plank = [*top, (h, -PLANK_DEPTH), (-h, -PLANK_DEPTH)]
    pts = [_board_point(x, y, a) for x, y in plank]
    pygame.draw.polygon(surface, PALETTE.board, pts)
    # wood grain: two faint lines along the plank
    for depth in (0.02, 0.042):
        pygame.draw.line(
            surface,
            blend(PALETTE.board, PALETTE.board_edge, 0.45),
            _board_point(-h + 0.05, -depth, a),
            _board_point(h - 0.05, -depth, a),
            2,
        )
    pygame.draw.polygon(surface, PALETTE.board_edge, pts, 3)
    for sign in (-1, 1):
        x0, x1 = sorted((sign * h, sign * (h + RIM_WIDTH)))
        rim = [(x0, -PLANK_DEPTH), (x1, -PLANK_DEPTH), (x1, rim_top), (x0, rim_top)]
        rim_pts = [_board_point(x, y, a) for x, y in rim]
        pygame.draw.polygon(surface, PALETTE.board_edge, rim_pts)


def _cups(surface: pygame.Surface, snap: TiltSnapshot) -> None:
    a = snap.board_angle
    h = snap.board_profile[-1][0]
    depth = -snap.board_profile[1][1] - snap.board_thickness
    for cup in snap.cups:
        cx, cy = world_to_screen(cup.x, cup.y)
        # the hole lies in the board, so it turns with it: an ellipse in board coordinates
        centre = (h - 0.075) * (-1 if cup.side == "left" else 1)
        hole = [
            _board_point(centre + 0.07 * math.cos(k * math.pi / 12), -depth + 0.02 * math.sin(k * math.pi / 12), a)
            for k in range(24)
        ]
        pygame.draw.polygon(surface, PALETTE.cup, hole)
        if cup.active:
            pygame.draw.polygon(surface, PALETTE.target, hole, 4)
            # a gently bobbing marker above the cup that waits for the marble
            bob = 6 * math.sin(2 * math.pi * 0.6 * snap.t)
            mx, my = cx + (24 if cup.side == "left" else -24), cy  # a little inboard, clear of the rim
            tip_y = int(max(my - 95, 172) + bob)  # never up into the score in the corner
            pygame.draw.polygon(surface, PALETTE.target, [(mx, tip_y), (mx - 22, tip_y - 30), (mx + 22, tip_y - 30)])
            bend = _("bend left") if cup.side == "left" else _("bend right")
            text(surface, bend, 36, PALETTE.target, (mx, tip_y - 38), "midbottom")
            if snap.settle_progress > 0:
                ring = pygame.Rect(0, 0, 56 + 2 * int(snap.marble_radius * SCALE), 0)
                ring.height = ring.width
                ring.center = world_to_screen(*snap.marble)
                end = math.pi / 2 + 2 * math.pi * snap.settle_progress
                pygame.draw.arc(surface, PALETTE.good, ring, math.pi / 2, end, 7)


def _celebrate(surface: pygame.Surface, snap: TiltSnapshot) -> None:
    """A calm ring and a rising +1 over the cup that just scored (the one no longer active)."""
    duration = 1.2
    if not snap.since_score < duration:
        return
    progress = snap.since_score / duration
    done = next((c for c in snap.cups if not c.active), None)
    if done is None:
        return
    cx, cy = world_to_screen(done.x, done.y)
    fade = 1.0 - progress
    color = blend(PALETTE.background_bottom, PALETTE.good, fade)
    pygame.draw.circle(surface, color, (cx, cy - 20), int(40 + 70 * progress), max(1, int(6 * fade)))
    label = blend(PALETTE.background_bottom, PALETTE.target, 1.6 * fade)
    text(surface, "+1", 60, label, (cx, int(cy - 70 - 50 * progress)), "center")


def _marble(surface: pygame.Surface, snap: TiltSnapshot) -> None:
    x, y = snap.marble
    cx, cy = world_to_screen(x, y)
    r = int(snap.marble_radius * SCALE)
    shade = blend(PALETTE.marble, (0, 0, 0), 0.35)
    pygame.draw.circle(surface, shade, (cx, cy), r)
    pygame.draw.circle(surface, PALETTE.marble, (cx - 2, cy - 2), r - 3)
    # a swirl that turns with the marble, so rolling reads as rolling
    for k in range(2):
        ang = snap.marble_angle + k * math.pi
        sx, sy = cx + math.cos(ang) * r * 0.5, cy - math.sin(ang) * r * 0.5
        pygame.draw.circle(surface, blend(PALETTE.marble, PALETTE.weight, 0.7), (int(sx), int(sy)), r // 4)
    pygame.draw.circle(surface, blend(PALETTE.marble, (255, 255, 255), 0.6), (cx - r // 3, cy - r // 3), r // 4)


def draw_tilt(surface: pygame.Surface, snap: TiltSnapshot) -> None:
    _background(surface)
    _stand(surface)
    _board(surface, snap)
    _cups(surface, snap)
    _marble(surface, snap)
    _celebrate(surface, snap)

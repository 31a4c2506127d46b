"""Drawing for Reach: an evening sky, drifting balloons, the hand, pops. Reads a ReachSnapshot only.

The engine draws the HUD on top (a bar at the top, the angle gauge on the right, the message at
the bottom); the world maps into the free area between them.
"""

from __future__ import annotations

import math

import pygame

from games.reach.rules import ReachSnapshot
from rehab.core.i18n import _
from rehab.engine.api import PALETTE, Color, blend, text, vertical_gradient

#: world (0, 0) on screen, and pixels per world unit
ORIGIN = (30, 472)
SCALE = 400.0


def balloon_colors() -> tuple[Color, ...]:
    """Read at draw time, so a palette switch (high contrast) reaches the balloons too."""
    p = PALETTE
    return (p.balloon_1, p.balloon_2, p.balloon_3, p.balloon_4, p.balloon_5, p.balloon_6)


def world_to_screen(x: float, y: float) -> tuple[int, int]:
    """The one place world meets pixels."""
    return int(ORIGIN[0] + x * SCALE), int(ORIGIN[1] - y * SCALE)


def _background(surface: pygame.Surface, t: float) -> None:
    w, h = surface.get_size()
    vertical_gradient(surface, PALETTE.background_top, PALETTE.background_bottom)
    # slow clouds (they drift a screen width in about three minutes: calm, never distracting)
    for i, (cx, cy, size) in enumerate(((120, 200, 0.9), (470, 170, 0.8), (690, 240, 1.0), (300, 300, 0.7))):
        x = (cx + t * (4 + i)) % (w + 300) - 150
        for dx, dy, r in ((0, 0, 34), (36, 8, 28), (-34, 10, 26), (14, -16, 26)):
            pygame.draw.circle(surface, PALETTE.sky_cloud, (int(x + dx * size), int(cy + dy * size)), int(r * size))
    # rolling hills along the bottom, behind the message
    points = [(0, h)] + [
        (x, int(h - 78 - 16 * math.sin(x / 130) - 10 * math.sin(x / 47))) for x in range(0, w + 10, 10)
    ]
    pygame.draw.polygon(surface, PALETTE.sky_hill, [*points, (w, h)])


def _workspace(surface: pygame.Surface, snap: ReachSnapshot) -> None:
    """A faint dashed frame: where balloons can appear, i.e. the patient's own reach."""
    left, bottom, right, top = snap.workspace
    x0, y0 = world_to_screen(left, top)
    x1, y1 = world_to_screen(right, bottom)
    color = blend(PALETTE.background_bottom, PALETTE.muted, 0.25)
    for x in range(x0, x1, 24):
        pygame.draw.line(surface, color, (x, y0), (min(x + 12, x1), y0), 2)
        pygame.draw.line(surface, color, (x, y1), (min(x + 12, x1), y1), 2)
    for y in range(y0, y1, 24):
        pygame.draw.line(surface, color, (x0, y), (x0, min(y + 12, y1)), 2)
        pygame.draw.line(surface, color, (x1, y), (x1, min(y + 12, y1)), 2)


def _balloon(
    surface: pygame.Surface,
    x: float,
    y: float,
    radius: float,
    color: Color,
    points: int,
    scale: float,
    sway: float,
    t: float,
) -> None:
    if scale <= 0.02:
        return
    cx, cy = world_to_screen(x, y)
    rw = max(2, int(radius * SCALE * scale))
    rh = int(rw * 1.18)
    # the string trails below, curling gently in the wind
    knot = (cx, cy + rh)
    string = [knot]
    for i in range(1, 9):
        s = i / 8
        string.append((int(cx - sway * 60 * s + 6 * math.sin(3 * s + 2 * t) * s), int(knot[1] + 70 * s * scale)))
    pygame.draw.lines(surface, PALETTE.muted, False, string, 2)
    body = pygame.Rect(0, 0, 2 * rw, 2 * rh)
    body.center = (cx, cy)
    shadow = blend(color, (0, 0, 0), 0.25)
    pygame.draw.ellipse(surface, shadow, body)
    pygame.draw.ellipse(surface, color, body.inflate(-6, -6).move(-2, -3))
    shine = pygame.Rect(0, 0, max(2, rw // 2), max(2, int(rh * 0.7)))
    shine.center = (cx - rw // 3, cy - rh // 3)
    pygame.draw.ellipse(surface, blend(color, (255, 255, 255), 0.45), shine)
    pygame.draw.polygon(surface, shadow, [(cx, cy + rh - 4), (cx - 8, cy + rh + 8), (cx + 8, cy + rh + 8)])
    # written once the balloon has grown enough for its points to be 24 px high or more
    if int(44 * scale) >= 36:
        text(surface, f"+{points}", int(44 * scale), PALETTE.panel, (cx + 2, cy + 4), "center")


def _pop(surface: pygame.Surface, x: float, y: float, progress: float, color: Color, points: int) -> None:
    cx, cy = world_to_screen(x, y)
    fade = 1.0 - progress
    ring = int(30 + 60 * progress)
    ring_color = blend(PALETTE.background_bottom, color, fade)
    pygame.draw.circle(surface, ring_color, (cx, cy), ring, max(1, int(6 * fade)))
    for k in range(10):  # scraps of rubber flying outwards and falling
        a = 2 * math.pi * k / 10 + 0.3
        d = 20 + 90 * progress
        px = cx + math.cos(a) * d
        py = cy + math.sin(a) * d + 60 * progress * progress
        pygame.draw.circle(surface, ring_color, (int(px), int(py)), max(2, int(8 * fade)))
    label = blend(PALETTE.background_bottom, PALETTE.target, min(1.0, 1.6 * fade))
    text(surface, f"+{points}", 56, label, (cx, int(cy - 20 - 50 * progress)), "center")


def _hand(surface: pygame.Surface, x: float, y: float, active: bool) -> None:
    """An open hand seen from the palm: big, light, with a ring so it reads on any balloon."""
    cx, cy = world_to_screen(x, y)
    color = PALETTE.hand if active else PALETTE.muted
    pygame.draw.circle(surface, blend(PALETTE.background_bottom, PALETTE.accent, 0.5), (cx, cy + 6), 34)
    pygame.draw.circle(surface, PALETTE.accent, (cx, cy + 6), 34, 4)
    for i, (dx, length) in enumerate(((-15, 20), (-5, 25), (5, 25), (15, 21))):
        finger = pygame.Rect(0, 0, 10, length)
        finger.midbottom = (cx + dx, cy + 2)
        pygame.draw.rect(surface, color, finger, border_radius=5)
        del i
    thumb = [(cx - 14, cy + 14), (cx - 28, cy + 2), (cx - 23, cy - 3), (cx - 10, cy + 6)]
    pygame.draw.polygon(surface, color, thumb)
    palm = pygame.Rect(0, 0, 32, 24)
    palm.midtop = (cx, cy)
    pygame.draw.ellipse(surface, color, palm)


def draw_reach(surface: pygame.Surface, snap: ReachSnapshot) -> None:
    _background(surface, snap.t)
    _workspace(surface, snap)
    colors = balloon_colors()
    for b in snap.balloons:
        _balloon(surface, b.x, b.y, b.radius, colors[b.color_index % len(colors)], b.points, b.scale, b.sway, snap.t)
    for p in snap.pops:
        _pop(surface, p.x, p.y, p.progress, colors[p.color_index % len(colors)], p.points)
    _hand(surface, *snap.hand, active=snap.phase != "paused")
    _counts(surface, snap)


def _counts(surface: pygame.Surface, snap: ReachSnapshot) -> None:
    """Balloons and points, one under the other at any text size, on a panel of their own (the
    reach area's dashed edge and the clouds pass behind them)."""
    balloons = _("Balloons  {count}").format(count=snap.popped)
    points = _("Points  {count}").format(count=snap.score)
    first = text(surface, balloons, 40, PALETTE.text, (24, 70))
    second = text(surface, points, 36, PALETTE.muted, (26, first.bottom + 2))
    pygame.draw.rect(surface, PALETTE.panel, first.union(second).inflate(16, 8), border_radius=6)
    text(surface, balloons, 40, PALETTE.text, (24, 70))
    text(surface, points, 36, PALETTE.muted, (26, first.bottom + 2))

"""Drawing for Neck: the view from behind a hang glider flying over dusk fields towards ring gates.

Reads a NeckSnapshot only. The camera is fixed, so the glider's place on screen shows the patient
where their head is pointing; the engine's HUD covers the top bar, the gauge on the right and the
message at the bottom, and the scene is centred in the space left between them.
"""

from __future__ import annotations

import math

import pygame

from games.neck.rules import GATE_GAP_M, GATE_HALF_LEVEL, GATES_AHEAD, LANE_M, NeckSnapshot
from rehab.core.i18n import _
from rehab.engine.api import PALETTE, Color, blend, text, vertical_gradient

CENTRE_X = 415  # middle of the area the HUD leaves free
HORIZON_Y = 205
CAMERA_BACK_M = 6.0  # the camera sits this far behind the glider ...
CAMERA_UP_M = 0.8  # ... and this far above it
GROUND_M = -2.2  # the fields, below the glider's flying height
FOCAL_PX = 600.0
FAR_Z = GATES_AHEAD * GATE_GAP_M


def world_to_screen(x: float, y: float, z: float) -> tuple[float, float, float]:
    """World metres (x right, y up, z ahead of the glider) to screen x, y and pixels per metre there."""
    scale = FOCAL_PX / max(z + CAMERA_BACK_M, 0.5)
    return CENTRE_X + x * scale, HORIZON_Y + (CAMERA_UP_M - y) * scale, scale


def _sky_and_fields(surface: pygame.Surface, snap: NeckSnapshot) -> None:
    w = surface.get_width()
    vertical_gradient(surface, PALETTE.background_top, PALETTE.background_bottom, bottom=HORIZON_Y)
    # slow clouds, drifting a little as the glider moves sideways
    cloud = blend(PALETTE.cloud, PALETTE.background_bottom, 0.35)
    for i, (cx, cy, r) in enumerate(((120, 110, 26), (330, 82, 20), (560, 120, 30), (760, 92, 22))):
        x = int((cx - snap.glider_x * 20 + snap.t * (2 + i)) % (w + 160)) - 80
        for dx, dy, k in ((-1.2, 0.2, 0.7), (0.0, 0.0, 1.0), (1.1, 0.25, 0.75)):
            pygame.draw.circle(surface, cloud, (int(x + dx * r), int(cy + dy * r)), int(r * k))
        pygame.draw.rect(surface, cloud, (int(x - 1.2 * r), cy, int(2.3 * r), int(0.6 * r)), border_radius=6)
    # far hills on the horizon
    points = [(0, HORIZON_Y)]
    for sx in range(0, w + 20, 20):
        u = sx / 140.0
        points.append((sx, int(HORIZON_Y - 18 - 14 * math.sin(u) - 8 * math.sin(2.7 * u + 1.0))))
    points.append((w, HORIZON_Y))
    pygame.draw.polygon(surface, blend(PALETTE.hill_far, PALETTE.panel, 0.35), points)
    # fields: darker towards the viewer, so the message at the bottom reads
    field = blend(PALETTE.grass, PALETTE.hill_near, 0.55)
    vertical_gradient(surface, field, PALETTE.soil, top=HORIZON_Y, curve=0.8)
    # furrows across the fields every 10 m, flowing towards the viewer with the flight
    for k in range(14):
        z = k * 10.0 - snap.distance % 10.0
        if z < -CAMERA_BACK_M + 1.5:
            continue
        _, fy, scale = world_to_screen(0.0, GROUND_M, z)
        color = blend(PALETTE.grass, PALETTE.hill_near, 0.3 + 0.7 * min(z / 100.0, 1.0))
        pygame.draw.line(surface, color, (0, int(fy)), (w, int(fy)), max(1, int(scale / 40)))
    # the edges of the calibrated range: two faint lanes on the fields at level -1 and +1
    for side in (-1.0, 1.0):
        near = world_to_screen(side * LANE_M, GROUND_M, -CAMERA_BACK_M + 1.6)
        far = world_to_screen(side * LANE_M, GROUND_M, FAR_Z)
        pygame.draw.line(surface, blend(PALETTE.hill_near, PALETTE.grass, 0.5), near[:2], far[:2], 3)


def _gate(surface: pygame.Surface, x_level: float, z: float, color: Color, fog: float) -> None:
    """A ring on a pole: the opening is exactly the part of the lane that counts as 'through'."""
    cx, cy, scale = world_to_screen(x_level * LANE_M, 0.0, z)
    r = GATE_HALF_LEVEL * LANE_M * scale
    _, ground_y, _ = world_to_screen(x_level * LANE_M, GROUND_M, z)
    pole = blend(PALETTE.wood_dark, PALETTE.background_bottom, fog)
    pygame.draw.line(surface, pole, (int(cx), int(cy + r)), (int(cx), int(ground_y)), max(2, int(scale * 0.08)))
    ring = pygame.Rect(0, 0, int(2 * r), int(2 * r))
    ring.center = (int(cx), int(cy))
    pygame.draw.ellipse(surface, blend(color, PALETTE.background_bottom, fog), ring, max(3, int(scale * 0.14)))


def _glider(surface: pygame.Surface, snap: NeckSnapshot) -> None:
    """A hang glider seen from behind: a wide delta wing banking with the turn, the pilot below."""
    cx, cy, scale = world_to_screen(snap.glider_x * LANE_M, snap.glider_y, 0.0)
    _, ground_y, _ = world_to_screen(snap.glider_x * LANE_M, GROUND_M, 0.0)
    shadow = pygame.Rect(0, 0, int(1.2 * scale), int(0.2 * scale))
    shadow.center = (int(cx), int(ground_y))
    pygame.draw.ellipse(surface, PALETTE.soil, shadow)
    bank = math.radians(snap.bank_deg)

    def rot(dx: float, dy: float) -> tuple[int, int]:
        return (
            int(cx + dx * math.cos(bank) - dy * math.sin(bank)),
            int(cy + dx * math.sin(bank) + dy * math.cos(bank)),
        )

    half = 0.68 * scale
    # pilot hangs under the wing's keel
    pygame.draw.line(surface, PALETTE.metal, rot(0, -2), rot(0, 0.38 * scale), 3)
    pygame.draw.line(surface, PALETTE.metal, rot(-0.22 * scale, 0.36 * scale), rot(0.22 * scale, 0.36 * scale), 3)
    pygame.draw.circle(surface, PALETTE.weight, rot(0, 0.48 * scale), int(0.1 * scale))
    pygame.draw.circle(surface, blend(PALETTE.wood, PALETTE.text, 0.55), rot(0, 0.33 * scale), int(0.07 * scale))
    wing = [rot(-half, 0.12 * scale), rot(0, -0.2 * scale), rot(half, 0.12 * scale), rot(0, 0.02 * scale)]
    pygame.draw.polygon(surface, PALETTE.good, wing)
    stripe = [
        rot(-half * 0.55, 0.02 * scale),
        rot(0, -0.2 * scale),
        rot(half * 0.55, 0.02 * scale),
        rot(0, -0.06 * scale),
    ]
    pygame.draw.polygon(surface, blend(PALETTE.good, PALETTE.text, 0.45), stripe)
    pygame.draw.polygon(surface, PALETTE.wood_dark, wing, 3)


def draw_neck(surface: pygame.Surface, snap: NeckSnapshot) -> None:
    _sky_and_fields(surface, snap)
    upcoming = [g for g in snap.gates if g.z > 0]
    next_gate = upcoming[0] if upcoming else None
    # far to near; gates just flown through stay visible (faded) for a moment in front of the glider
    for gate in sorted(snap.gates, key=lambda g: -g.z):
        if gate.z <= 0:
            continue
        color = PALETTE.target if gate is next_gate else PALETTE.accent
        _gate(surface, gate.offset, gate.z, color, 0.8 * min(gate.z / FAR_Z, 1.0))
    _glider(surface, snap)
    for gate in snap.gates:
        if -2.5 < gate.z <= 0:
            color = PALETTE.good if gate.result == "passed" else PALETTE.muted
            _gate(surface, gate.offset, gate.z, color, 0.4)
    # on a panel of its own: the sky and the gates pass behind it (4.1:1 on the sky alone)
    gates = _("Gates: {count}").format(count=snap.passed)
    box = text(surface, gates, 40, PALETTE.text, (24, 70))
    pygame.draw.rect(surface, PALETTE.panel, box.inflate(16, 6), border_radius=6)
    text(surface, gates, 40, PALETTE.text, (24, 70))
    if snap.phase == "paused":
        veil = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
        veil.fill((*PALETTE.panel, 130))
        surface.blit(veil, (0, 0))

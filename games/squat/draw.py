"""Drawing for Squat: a dusk meadow, the runner, crates, the jump meter and the knees' symmetry bar.

Reads a SquatSnapshot only. The engine's HUD covers the top 56 px, the gauge the right ~130 px and the
message the bottom strip; the scene keeps its important pieces out of those places.
"""

from __future__ import annotations

import math

import pygame

from games.squat.rules import GRAVITY, MIN_CHARGE, RUN_SPEED, TOO_DEEP, UNEVEN, SquatSnapshot, jump_height
from rehab.core.i18n import _
from rehab.engine.api import PALETTE, Color, blend, font, text, vertical_gradient

PX_PER_M = 130
GROUND_Y = 430  # screen y of the ground line
RUNNER_SCREEN_X = 300
METER = pygame.Rect(36, 240, 40, 170)  # the jump meter: level 0 at the bottom, TOO_DEEP at the top


def world_to_screen(x: float, y: float, camera_x: float) -> tuple[int, int]:
    """World metres (x along the track, y up from the ground) to pixels: the one place they meet."""
    return int(RUNNER_SCREEN_X + (x - camera_x) * PX_PER_M), int(GROUND_Y - y * PX_PER_M)


def _sky(surface: pygame.Surface) -> None:
    vertical_gradient(surface, PALETTE.background_top, PALETTE.background_bottom, bottom=GROUND_Y)
    pygame.draw.circle(surface, blend(PALETTE.background_bottom, PALETTE.text, 0.55), (600, 118), 30)


def _hills(surface: pygame.Surface, camera_x: float, color: Color, parallax: float, base: int, amp: float) -> None:
    w, _ = surface.get_size()
    shift = camera_x * PX_PER_M * parallax
    points = [(0, GROUND_Y)]
    for sx in range(0, w + 16, 16):
        u = (sx + shift) / 260.0
        points.append((sx, int(base - amp * (0.6 * math.sin(u) + 0.4 * math.sin(2.3 * u + 1.7)))))
    points.append((w, GROUND_Y))
    pygame.draw.polygon(surface, color, points)


def _ground(surface: pygame.Surface, camera_x: float) -> None:
    w, h = surface.get_size()
    pygame.draw.rect(surface, PALETTE.soil, (0, GROUND_Y, w, h - GROUND_Y))
    pygame.draw.rect(surface, PALETTE.grass, (0, GROUND_Y, w, 12))
    # tufts every half metre, scrolling with the runner so the motion reads
    first = math.floor(camera_x - RUNNER_SCREEN_X / PX_PER_M)
    for i in range(first * 2, first * 2 + int(w / PX_PER_M * 2) + 4):
        x, _ = world_to_screen(i / 2.0, 0.0, camera_x)
        jitter = (i * 37) % 11
        pygame.draw.line(
            surface, PALETTE.grass, (x + jitter, GROUND_Y + 18 + jitter), (x + jitter + 10, GROUND_Y + 18 + jitter), 3
        )


def _crate(surface: pygame.Surface, rect: pygame.Rect, cleared: bool) -> None:
    face = blend(PALETTE.wood, PALETTE.hill_near, 0.45) if cleared else PALETTE.wood
    edge = blend(PALETTE.wood_dark, PALETTE.hill_near, 0.45) if cleared else PALETTE.wood_dark
    pygame.draw.rect(surface, face, rect, border_radius=6)
    pygame.draw.rect(surface, edge, rect, 4, border_radius=6)
    inner = rect.inflate(-14, -14)
    if inner.width > 10 and inner.height > 10:
        pygame.draw.line(surface, edge, inner.bottomleft, inner.topright, 4)
    for y in range(rect.top + 18, rect.bottom - 8, 18):
        pygame.draw.line(surface, edge, (rect.left + 4, y), (rect.right - 5, y), 2)


def _arc_preview(surface: pygame.Surface, snap: SquatSnapshot) -> None:
    """Dots along the jump the current charge would give: it grows as the patient bends further."""
    if not snap.charging or snap.charge < MIN_CHARGE or not snap.on_ground or snap.phase == "paused":
        return
    vy = math.sqrt(2.0 * GRAVITY * jump_height(snap.charge))
    vx = RUN_SPEED
    ahead = [ob for ob in snap.obstacles if not ob.cleared]
    if ahead:
        dist = ahead[0].x + ahead[0].width / 2.0 - snap.runner_x
        if 0.0 < dist < 3.0:
            vx = min(max(dist / (vy / GRAVITY), 0.8), 4.0)
    flight = 2.0 * vy / GRAVITY
    for k in range(1, 12):
        t = flight * k / 12
        x, y = snap.runner_x + vx * t, vy * t - GRAVITY * t * t / 2.0 + 0.45
        pygame.draw.circle(surface, PALETTE.target, world_to_screen(x, y, snap.runner_x), 4)


def _runner(surface: pygame.Surface, snap: SquatSnapshot) -> None:
    """A round, friendly runner; legs bend with the patient's own squat depth."""
    feet_x, feet_y = world_to_screen(snap.runner_x, snap.runner_y, snap.runner_x)
    crouch = min(snap.crouch, TOO_DEEP) / TOO_DEEP
    leg = 0.44 * PX_PER_M  # thigh + shin, pixels
    hip_h = leg * (0.92 - 0.45 * crouch) if snap.on_ground else leg * 0.62
    hip = (feet_x - 4, int(feet_y - hip_h))
    running = snap.on_ground and abs(snap.runner_vx) > 0.1 and not snap.charging
    stride = math.sin(snap.runner_x * 7.0) if running else 0.0
    for side, sign in ((0, 1.0), (1, -1.0)):
        foot = (int(feet_x + sign * stride * 16), feet_y - (int(abs(stride) * 8) if sign * stride < 0 else 0))
        # knee pushed forward by the bend: two segments of leg/2 between hip and foot
        dx, dy = foot[0] - hip[0], foot[1] - hip[1]
        span = max(math.hypot(dx, dy), 1.0)
        bend = math.sqrt(max((leg / 2) ** 2 - (span / 2) ** 2, 0.0))
        knee = (int((hip[0] + foot[0]) / 2 + bend * -dy / span * -1), int((hip[1] + foot[1]) / 2 + bend * dx / span))
        color = PALETTE.weight if side else blend(PALETTE.weight, PALETTE.panel, 0.35)
        pygame.draw.lines(surface, color, False, [hip, knee, foot], 10)
        pygame.draw.ellipse(surface, PALETTE.panel, (foot[0] - 6, foot[1] - 7, 22, 10))
    body_r = int(0.22 * PX_PER_M)
    squash = 1.0 + 0.12 * crouch
    body = pygame.Rect(0, 0, int(2 * body_r * squash), int(2 * body_r / squash))
    body.midbottom = (hip[0] + 2, hip[1] + 6)
    pygame.draw.ellipse(surface, PALETTE.accent, body)
    pygame.draw.ellipse(
        surface,
        blend(PALETTE.accent, PALETTE.text, 0.35),
        body.inflate(-body.width // 2, -body.height // 2).move(-6, -10),
    )
    eye = (body.centerx + body_r // 2, body.centery + 2)
    pygame.draw.circle(surface, PALETTE.text, eye, 9)
    pygame.draw.circle(surface, PALETTE.panel, (eye[0] + 3, eye[1]), 4)
    # a headband whose two ribbons trail behind, longer and higher in a jump
    band_y = body.top + body.height // 5
    pygame.draw.line(surface, PALETTE.good, (body.left + 6, band_y), (body.right - 4, band_y - 4), 6)
    lift = 10 if not snap.on_ground else 0
    for k, length in ((0, 30), (1, 22)):
        tip = (body.left - length, band_y + 10 + 8 * k - lift + int(3 * stride))
        pygame.draw.line(surface, PALETTE.good, (body.left + 6, band_y), tip, 5)
    # shadow on the ground while in the air
    if not snap.on_ground:
        shadow = pygame.Rect(0, 0, max(20, 60 - int(snap.runner_y * 30)), 10)
        shadow.center = (feet_x, GROUND_Y + 4)
        pygame.draw.ellipse(surface, PALETTE.soil, shadow)


def _meter(surface: pygame.Surface, snap: SquatSnapshot) -> None:
    """The jump meter: the charge stored (filled) and the live squat depth (a line); the top band,
    past the target, is the 'not so deep' zone."""
    text(surface, _("Jump"), 36, PALETTE.muted, (METER.centerx, METER.top - 6), "midbottom")

    def y_of(level: float) -> int:
        return int(METER.bottom - min(max(level, 0.0), TOO_DEEP) / TOO_DEEP * METER.height)

    pygame.draw.rect(surface, PALETTE.gauge_back, METER, border_radius=10)
    full_y = y_of(1.0)
    deep = pygame.Rect(METER.left, METER.top, METER.width, full_y - METER.top)
    pygame.draw.rect(
        surface,
        blend(PALETTE.gauge_back, PALETTE.shelf, 0.35),
        deep,
        border_top_left_radius=10,
        border_top_right_radius=10,
    )
    if snap.charge > 0:
        top = y_of(snap.charge)
        color = PALETTE.good if snap.charge >= MIN_CHARGE else PALETTE.accent
        pygame.draw.rect(surface, color, (METER.left, top, METER.width, METER.bottom - top), border_radius=10)
    pygame.draw.line(surface, PALETTE.target, (METER.left - 6, full_y), (METER.right + 6, full_y), 4)
    text(surface, _("full"), 36, PALETTE.target, (METER.right + 10, full_y), "midleft")
    if snap.phase != "paused" and math.isfinite(snap.level):
        live_y = y_of(snap.level)
        pygame.draw.polygon(
            surface,
            PALETTE.text,
            [(METER.right + 3, live_y), (METER.right + 15, live_y - 8), (METER.right + 15, live_y + 8)],
        )
    outline = PALETTE.shelf if snap.too_deep else PALETTE.panel
    pygame.draw.rect(surface, outline, METER, 4 if snap.too_deep else 2, border_radius=10)


#: the knees' panel's words: 24 px high at the default scale
SYMMETRY_SIZE = 36


def _symmetry(surface: pygame.Surface, snap: SquatSnapshot) -> None:
    """Both knees' depth side by side, and whether they were even, on a panel right of the jump meter
    that grows with the text; its frame turns yellow when the latest squat was uneven."""
    if snap.knee_left is None or snap.knee_right is None:
        return
    diff = abs(snap.knee_left - snap.knee_right)
    if diff > UNEVEN or snap.uneven:
        knees, color = _("Knees: uneven"), PALETTE.target
    else:
        knees, color = _("Knees: even"), PALETTE.muted
    face = font(SYMMETRY_SIZE)
    line = face.get_linesize()
    sides = ((_("L"), snap.knee_left), (_("R"), snap.knee_right))
    label_width = max(face.size(label)[0] for label, _value in sides)
    panel = pygame.Rect(METER.right + 90, 112, max(220, face.size(knees)[0] + 24), 12 + 3 * line)
    pygame.draw.rect(surface, PALETTE.panel, panel, border_radius=10)
    if snap.uneven:
        pygame.draw.rect(surface, PALETTE.target, panel, 3, border_radius=10)
    bar_left = panel.left + 22 + label_width
    width = panel.right - 12 - bar_left
    for row, (label, value) in enumerate(sides):
        middle = panel.top + 6 + row * line + line // 2
        text(surface, label, SYMMETRY_SIZE, PALETTE.muted, (panel.left + 12, middle), "midleft")
        back = pygame.Rect(bar_left, middle - 8, width, 16)
        pygame.draw.rect(surface, PALETTE.gauge_back, back, border_radius=6)
        share = min(max(value, 0.0), TOO_DEEP) / TOO_DEEP
        if share > 0:
            pygame.draw.rect(surface, PALETTE.accent, (back.left, back.top, int(width * share), 16), border_radius=6)
    text(surface, knees, SYMMETRY_SIZE, color, (panel.left + 12, panel.top + 6 + 2 * line))


def draw_squat(surface: pygame.Surface, snap: SquatSnapshot) -> None:
    _sky(surface)
    _hills(surface, snap.runner_x, PALETTE.hill_far, 0.15, 330, 40)
    _hills(surface, snap.runner_x + 40.0, PALETTE.hill_near, 0.35, 385, 28)
    _ground(surface, snap.runner_x)
    w, _ = surface.get_size()
    for ob in snap.obstacles:
        left, top = world_to_screen(ob.x, ob.height, snap.runner_x)
        right, _ = world_to_screen(ob.x + ob.width, 0.0, snap.runner_x)
        if right < 0 or left > w:
            continue
        _crate(surface, pygame.Rect(left, top, right - left, GROUND_Y - top + 2), ob.cleared)
    _arc_preview(surface, snap)
    _runner(surface, snap)
    _meter(surface, snap)
    _symmetry(surface, snap)
    if snap.phase == "paused":
        veil = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
        veil.fill((*PALETTE.panel, 130))
        surface.blit(veil, (0, 0))

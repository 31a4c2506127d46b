"""The screens around play: instructions, countdown, pause banner and the end-of-game summary.

Drawing only; ``rehab.engine.play`` decides which scene is showing from the time it is given.
"""

from __future__ import annotations

import pygame

from rehab.core.types import RepMetrics
from rehab.engine.hud import text
from rehab.engine.palette import PALETTE


def wrap(line: str, width: int) -> list[str]:
    """Break a sentence into lines of at most ``width`` characters, at spaces."""
    rows: list[str] = []
    for word in line.split():
        if rows and len(rows[-1]) + 1 + len(word) <= width:
            rows[-1] += " " + word
        else:
            rows.append(word)
    return rows or [""]


def _backdrop(surface: pygame.Surface) -> None:
    surface.fill(PALETTE.background_top)


def draw_instructions(
    surface: pygame.Surface, title: str, lines: list[str], seconds_left: float, camera_check: str | None = None
) -> None:
    """``camera_check``: what the patient must change before play can start (None: nothing to check,
    "" when the camera sees everything it needs)."""
    _backdrop(surface)
    w, h = surface.get_size()
    text(surface, title, 84, PALETTE.text, (w // 2, 90), "midtop")
    rows = [(part, row == 0) for row, line in enumerate(lines) for part in wrap(line, 48)]
    for row, (line, first) in enumerate(rows):
        text(surface, line, 40, PALETTE.text if first else PALETTE.muted, (w // 2, 200 + 52 * row), "midtop")
    if camera_check:
        text(surface, f"Camera check: {camera_check}", 40, PALETTE.target, (w // 2, h - 120), "midtop")
        text(surface, "We start as soon as the camera can see you well.", 32, PALETTE.muted, (w // 2, h - 70), "midtop")
        return
    if camera_check == "":
        text(surface, "The camera can see you well.", 32, PALETTE.good, (w // 2, h - 120), "midtop")
    text(surface, f"Starting in {max(0, int(seconds_left + 0.999))} s", 36, PALETTE.accent, (w // 2, h - 70), "midtop")


def draw_countdown(surface: pygame.Surface, seconds_left: float) -> None:
    dim = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
    dim.fill((*PALETTE.panel, 170))
    surface.blit(dim, (0, 0))
    w, h = surface.get_size()
    number = max(1, int(seconds_left + 0.999))
    text(surface, str(number), 220, PALETTE.target, (w // 2, h // 2 + 20), "center")
    text(surface, "Get ready", 56, PALETTE.text, (w // 2, h // 2 - 120), "center")


def draw_pause_banner(surface: pygame.Surface, reason: str) -> None:
    w, h = surface.get_size()
    banner = pygame.Surface((w, 110), pygame.SRCALPHA)
    banner.fill((*PALETTE.panel, 215))
    surface.blit(banner, (0, h // 2 - 55))
    text(surface, "Paused", 56, PALETTE.target, (w // 2, h // 2 - 10), "midbottom")
    text(surface, reason, 34, PALETTE.text, (w // 2, h // 2 + 2), "midtop")


def draw_summary(surface: pygame.Surface, title: str, reps: list[RepMetrics], reps_planned: int) -> None:
    _backdrop(surface)
    w, _ = surface.get_size()
    text(surface, f"{title}: well done!", 64, PALETTE.text, (w // 2, 40), "midtop")
    goal = sum(r.success for r in reps)
    text(
        surface,
        f"{len(reps)} of {reps_planned} reps, {goal} reached the goal",
        40,
        PALETTE.accent,
        (w // 2, 120),
        "midtop",
    )
    header = f"{'rep':>4}   {'peak':>6}   {'range':>6}   {'hold':>5}"
    text(surface, header, 32, PALETTE.muted, (w // 2, 190), "midtop")
    for row, rep in enumerate(reps[-8:]):
        line = f"{rep.index:>4}   {rep.peak_deg:>5.0f}°   {rep.rom_deg:>5.0f}°   {rep.hold_s:>4.1f}s"
        color = PALETTE.good if rep.success else PALETTE.text
        text(surface, line, 32, color, (w // 2, 228 + 34 * row), "midtop")

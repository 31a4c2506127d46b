"""Scenes of a guided session between games: the setup check, rest between sets, and a message card.

Rules and drawing only; ``rehab.app.session_runner`` decides what shows and for how long, and runs
the scenes on the frame loop (``rehab.engine.director``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pygame

from rehab.core.i18n import _
from rehab.core.types import JointAngles
from rehab.engine.director import END, Keys, Scene
from rehab.engine.hud import text
from rehab.engine.palette import PALETTE
from rehab.engine.play import InputSource
from rehab.engine.scenes import wrap


def draw_rest(surface: pygame.Surface, seconds_left: float, done: str, coming: str) -> None:
    """A calm screen with a big countdown: rest is part of the prescription, not a loading screen."""
    surface.fill(PALETTE.background_top)
    w, h = surface.get_size()
    text(surface, _("Rest"), 84, PALETTE.text, (w // 2, 60), "midtop")
    text(surface, done, 40, PALETTE.good, (w // 2, 165), "midtop")
    text(surface, f"{max(0, int(seconds_left + 0.999))}", 180, PALETTE.target, (w // 2, h // 2 + 40), "center")
    for row, line in enumerate(wrap(_("Next: {coming}").format(coming=coming), 48)):
        text(surface, line, 36, PALETTE.muted, (w // 2, h - 120 + 42 * row), "midtop")


def draw_card(surface: pygame.Surface, title: str, lines: list[str]) -> None:
    surface.fill(PALETTE.background_top)
    w = surface.get_width()
    text(surface, title, 64, PALETTE.text, (w // 2, 70), "midtop")
    rows = [part for line in lines for part in wrap(line, 48)]
    for row, line in enumerate(rows):
        text(surface, line, 38, PALETTE.muted, (w // 2, 180 + 50 * row), "midtop")


class RestScene:
    """Rest between sets for ``seconds``; Esc stops the session (``stopped`` says so)."""

    name = "rest"

    def __init__(self, seconds: float, done: str, coming: str) -> None:
        self.seconds, self.done, self.coming = seconds, done, coming
        self.start: float | None = None
        self.left = math.ceil(seconds)
        self._shown = -1
        self.stopped = False

    def update(self, now: float, dt: float, keys: Keys) -> Scene | None:
        self.start = now if self.start is None else self.start
        if now - self.start >= self.seconds:
            return END
        self.left = int(self.seconds - (now - self.start) + 0.999)
        return None

    def draw(self, surface: pygame.Surface) -> None:
        if self.left != self._shown:  # redraw once a second: a rest is long and the screen barely changes
            draw_rest(surface, self.left, self.done, self.coming)
            self._shown = self.left

    def on_quit(self, presses: int) -> bool:
        self.stopped = True
        return True


class SetupCheckScene:
    """A few seconds of input, counting the samples that show ``angle_name``; draws nothing new.

    Esc does not cut it short: the check is over in seconds, and the play after it ends at once."""

    name = "setup check"

    def __init__(
        self, source: InputSource, read: Callable[[Any], JointAngles | None], angle_name: str, seconds: float
    ) -> None:
        self.source, self.read, self.angle_name, self.seconds = source, read, angle_name, seconds
        self.start: float | None = None
        #: samples seen, and those in which the movement could be measured
        self.seen = 0
        self.tracked = 0
        #: the camera's last word on who it sees ("choosing patient" while several people are in view)
        self.person = ""

    def update(self, now: float, dt: float, keys: Keys) -> Scene | None:
        self.start = now if self.start is None else self.start
        if now - self.start >= self.seconds:
            return END
        for sample in self.source.poll(now):
            angles = self.read(sample)
            self.seen += 1
            if angles is not None and math.isfinite(angles.get(self.angle_name)):
                self.tracked += 1
        events = self.source.status_events()
        self.person = next((e.detail for e in reversed(events) if e.kind == "person"), self.person)
        if any(e.kind == "ended" for e in events):
            return END
        return None

    def draw(self, surface: pygame.Surface) -> None:
        """Nothing: the screen keeps what it showed before."""

    def on_quit(self, presses: int) -> bool:
        return False

"""``keyboard:``: play any game without a camera or device. Up/Down (or W/S) move the angle;
Left/Right (or A/D) move a two-sided movement. Needs a window, since keys come from it."""

from __future__ import annotations

import math

from devices.base import SourceUrl
from rehab.core.types import DeviceStatus, JointAngles

#: degrees per second while a key is held: about as fast as a careful patient moves
RATE_DPS = 60.0


class KeyboardSource:
    def __init__(self, angle_name: str, rest_deg: float, max_deg: float, signed: bool) -> None:
        self.url = "keyboard:"
        self.angle_name = angle_name
        self.rest_deg = rest_deg
        self.max_deg = max_deg
        self.signed = signed
        self._angle = 0.0 if signed else rest_deg
        self._last: float | None = None
        self._events = [DeviceStatus(0.0, self.url, "connected")]

    def poll(self, now: float) -> list[JointAngles]:
        import pygame

        dt = 0.0 if self._last is None else now - self._last
        self._last = now
        if not pygame.display.get_init():
            return []
        keys = pygame.key.get_pressed()
        up = keys[pygame.K_UP] or keys[pygame.K_w] or keys[pygame.K_RIGHT] or keys[pygame.K_d]
        down = keys[pygame.K_DOWN] or keys[pygame.K_s] or keys[pygame.K_LEFT] or keys[pygame.K_a]
        self._angle += (float(up) - float(down)) * RATE_DPS * dt
        low = -self.max_deg if self.signed else self.rest_deg
        self._angle = min(max(self._angle, low), self.max_deg)
        if not math.isfinite(self._angle):
            self._angle = 0.0
        return [JointAngles(t=now, values={self.angle_name: self._angle}, confidence={self.angle_name: 1.0})]

    def status_events(self) -> list[DeviceStatus]:
        events, self._events = self._events, []
        return events

    def close(self) -> None:
        pass


def open_keyboard(url: SourceUrl) -> KeyboardSource:
    """The CLI builds the keyboard source itself (it knows the game's angle); a bare URL gets elbow flexion."""
    return KeyboardSource("elbow_flexion_left", 0.0, 150.0, signed=False)

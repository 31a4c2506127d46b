"""A patient at the home screen's window, for tests: a real SDL window (dummy driver) whose events
are posted to pygame's own queue by a script that looks at what is on screen each frame, in the
home screen's loop and in every game or card it starts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pygame

from rehab.app.home_screen.actions import HomeServices
from rehab.app.home_screen.app import HomeLoop, HomeWindow
from rehab.app.home_screen.layout import Page
from rehab.app.home_screen.settings import HomeSettings, apply_look, load_settings
from rehab.app.home_screen.state import HomeState
from rehab.core.clock import SimulatedClock

FPS = 60


class RobotWindow(HomeWindow):
    """``robot(window)`` runs before each frame's events are read, wherever they are read."""

    def __init__(self, robot: Callable[[RobotWindow], None], max_frames: int = 20_000) -> None:
        super().__init__(fullscreen=False)
        self.robot = robot
        self.max_frames = max_frames
        self.frames = 0
        self.in_game_frames = 0
        self.loop: HomeLoop | None = None

    def _tick(self) -> None:
        self.frames += 1
        if self.frames > self.max_frames:
            raise AssertionError(f"the robot gave up after {self.max_frames} frames")
        self.robot(self)

    def home_events(self) -> list[pygame.event.Event]:
        self._tick()
        return super().home_events()

    def present(self) -> None:
        self.in_game_frames += 1
        self._tick()
        super().present()

    # what the robot sees and does
    @property
    def state(self) -> HomeState:
        assert self.loop is not None
        return self.loop.state

    @property
    def in_home(self) -> bool:
        """Whether this frame is the home screen's own (not a game or card it started)."""
        return self.loop is not None and not self.loop.busy

    def page(self) -> Page:
        assert self.loop is not None
        return self.loop.page()

    def shows(self, key: str) -> bool:
        return any(b.key == key for b in self.page().buttons)

    def click(self, key: str) -> None:
        rect = next(b.rect for b in self.page().buttons if b.key == key)
        pos = (rect[0] + rect[2] // 2, rect[1] + rect[3] // 2)
        pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=pos))

    def key(self, key: int, mod: int = 0) -> None:
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key, mod=mod, unicode=""))

    def type(self, words: str) -> None:
        for ch in words:
            pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=0, mod=0, unicode=ch))


def start(
    home: Path, robot: Callable[[RobotWindow], None], input_url: str = "sim", max_frames: int = 20_000
) -> tuple[RobotWindow, HomeServices]:
    """The home screen for the data folder ``home``, run to its end by ``robot``."""
    services = HomeServices(home, input_url, real_time=False)
    settings: HomeSettings = load_settings(services.home)
    apply_look(settings)
    window = RobotWindow(robot, max_frames)
    loop = HomeLoop(window, HomeState(services, settings), services, SimulatedClock(FPS))
    window.loop = loop
    return window, services

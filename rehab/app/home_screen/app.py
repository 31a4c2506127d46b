"""The home screen's frame loop on one window: read input, let the state react, run what it asks
for (today's session, breathing, the camera check, linking) on the same window, draw.

The hand pointer is optional: a source of poses (a camera's, or a simulated patient's in a test)
whose index finger, held still over a button for two seconds, presses it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Protocol

import pygame

from rehab.app.home_screen import actions
from rehab.app.home_screen.camera_check import check_camera
from rehab.app.home_screen.draw import draw_page
from rehab.app.home_screen.dwell import HandDwell, Target, hand_point
from rehab.app.home_screen.events import Input, translate
from rehab.app.home_screen.first_measure import measure_movements
from rehab.app.home_screen.layout import Page, layout
from rehab.app.home_screen.settings import HomeSettings, apply_look, load_settings
from rehab.app.home_screen.state import HomeState
from rehab.core.clock import Clock, RealClock
from rehab.core.errors import RehabError
from rehab.core.types import PoseFrame
from rehab.engine.display import SIZE, WindowDisplay

#: seconds without a pose after which the hand pointer is dropped
STALE_HAND_S = 0.5


class PoseFeed(Protocol):
    """Poses for the hand pointer: the newest since the last call, or None."""

    def latest(self, now: float) -> PoseFrame | None: ...

    def close(self) -> None: ...


class CameraHand:
    """The camera's poses for the hand pointer (the home screen's own; closed while a session or a
    game has the camera)."""

    def __init__(self, url: str) -> None:
        from devices.pose_source import open_pose_source

        self.source = open_pose_source(url)

    def latest(self, now: float) -> PoseFrame | None:
        poses = [p for p in self.source.poll(now) if isinstance(p, PoseFrame)]
        return poses[-1] if poses else None

    def close(self) -> None:
        self.source.close()


def camera_hand(services: actions.HomeServices, settings: HomeSettings) -> PoseFeed | None:
    """A hand pointer when the settings ask for one and the input is a camera that opens."""
    url = services.input_for(settings)
    if not settings.hand_pointer or not url.startswith(("webcam:", "video:")):
        return None
    try:
        return CameraHand(url)
    except (RehabError, OSError, ValueError):
        return None  # no camera: the mouse, keys and touch still work; Check my camera says why


class HomeWindow(WindowDisplay):
    """The game window, which also hands the home screen its raw events (clicks, taps, Tab, text):
    games read the same window through ``present`` as always."""

    def __init__(self, fullscreen: bool = True) -> None:
        super().__init__(SIZE, title="rehab", fullscreen=fullscreen)

    def home_events(self) -> list[pygame.event.Event]:
        return pygame.event.get()


class HomeLoop:
    def __init__(self, window: HomeWindow, state: HomeState, services: actions.HomeServices, clock: Clock) -> None:
        self.window = window
        self.state = state
        self.services = services
        self.clock = clock
        self.dwell = HandDwell()
        self.hand: PoseFeed | None = None
        #: opens the hand pointer for the settings (None: ``hand`` is set from outside, as in tests)
        self.make_hand: Callable[[HomeSettings], PoseFeed | None] | None = None
        self._hand_for: tuple[bool, str] | None = None
        self.point: tuple[float, float] | None = None
        self._pose_at = -math.inf
        self.frames = 0
        #: True while an action (a session, a game, a card) has the window
        self.busy = False
        #: how the last action went (what it told the patient), for the record
        self.last_outcome: actions.Outcome | None = None
        #: when the first run measured the patient's ranges, for the first session to use
        self.measured_since = ""

    @property
    def size(self) -> tuple[int, int]:
        w, h = self.window.surface.get_size()
        return (w, h)

    def page(self) -> Page:
        return layout(self.state.content(), self.size, self.state.page)

    def run(self) -> None:
        previous = math.nan
        while not self.state.closed:
            now = self.clock.now()
            dt = 0.0 if math.isnan(previous) else now - previous
            previous = now
            self.step(now, dt)

    def step(self, now: float, dt: float) -> None:
        page = self.page()
        for item in translate(self.window.home_events(), self.size):
            self.handle(item, page)
            page = self.page()
        self.point = self._hand_point(now)
        targets = [Target(b.key, b.rect) for b in page.buttons]
        pressed = self.dwell.update(dt, self.point, targets)
        if pressed:
            self.state.press(pressed, "hand")
        action = self.state.take_pending()
        if action:
            self.busy = True
            self.close_hand()  # the session, the game or the check takes the camera
            try:
                self.run_action(action)
            finally:
                self.busy = False
            self.dwell.reset()
            return
        page = self.page()
        draw_page(self.window.surface, page, self.state.focused_key(page), self.point, self.dwell.progress)
        pygame.display.flip()
        self.frames += 1

    def handle(self, item: Input, page: Page) -> None:
        if item.kind == "quit":
            self.state.closed = True
        elif item.kind == "key":
            self.state.key(item.key, page)
        elif item.kind == "text":
            self.state.text(item.text)
        elif item.kind == "point":
            self.state.point(item.point, page)

    def _keep_hand_feed(self) -> None:
        """Open or close the camera's hand pointer when the settings that choose it change."""
        if self.make_hand is None:
            return
        wanted = (self.state.settings.hand_pointer, self.state.settings.input)
        if wanted != self._hand_for:
            self.close_hand()
            self.hand = self.make_hand(self.state.settings)
            self._hand_for = wanted

    def close_hand(self) -> None:
        if self.make_hand is not None and self.hand is not None:
            self.hand.close()
            self.hand, self._hand_for, self.point = None, None, None

    def _hand_point(self, now: float) -> tuple[float, float] | None:
        self._keep_hand_feed()
        if self.hand is None:
            return None
        pose = self.hand.latest(now)
        if pose is not None:
            self._pose_at = now
            return hand_point(pose, self.size)
        # between camera frames the hand stays where it was; a camera gone quiet drops it, so a
        # frozen picture never holds a button down
        return self.point if now - self._pose_at <= STALE_HAND_S else None

    def run_action(self, action: str) -> None:
        state, services, window = self.state, self.services, self.window
        patient = state.facts.patient
        if action.startswith("session"):
            # the first run's measurement stands for the first session only
            since, self.measured_since = self.measured_since, ""
            outcome = actions.run_session(services, window, state.settings, patient, action, since)
        elif action == "relax":
            outcome = actions.relax(services, window, state.settings, patient)
        elif action == "camera":
            outcome = check_camera(services, window, state.settings)
        elif action == "measure":
            measured = measure_movements(services, window, state.settings, patient)
            outcome, self.measured_since = measured, measured.since
        else:  # link
            outcome = actions.link(services, state.link_address, state.typed)
        self.last_outcome = outcome
        apply_look(state.settings)  # a game may have changed nothing, but the screen owns the look
        pygame.event.clear()  # keys pressed to close the last card are spent
        state.done(action, outcome.problem, outcome.message)


def open_home(home: Path, fullscreen: bool = True, input_url: str = "", language: str = "") -> int:
    """``rehab`` with no arguments: the home screen until the patient closes it. The window opens
    first: started from a shortcut, nobody reads the terminal, so a data folder or store that cannot
    be opened is said on the window (and then, as ever, in one line on stderr). ``language``
    (``--language``) is used instead of the saved one, and kept if the patient changes a setting."""

    def chosen(settings: HomeSettings) -> HomeSettings:
        return replace(settings, language=language) if language else settings

    apply_look(chosen(load_settings(Path(home).expanduser())))  # read only: nothing is made before the window
    window = HomeWindow(fullscreen)
    try:
        try:
            services = actions.HomeServices(home, input_url)
        except (RehabError, OSError) as error:
            from rehab.app.cli import describe_os_error
            from rehab.app.session_cards import show_problem

            show_problem(window, str(error) if isinstance(error, RehabError) else describe_os_error(error))
            raise
        try:
            settings = chosen(load_settings(services.home))
            loop = HomeLoop(window, HomeState(services, settings), services, RealClock())
            loop.make_hand = lambda chosen: camera_hand(services, chosen)
            try:
                loop.run()
            finally:
                loop.close_hand()
        finally:
            services.close()
    finally:
        window.close()
    return 0

"""The one frame loop: a director runs scenes (instructions, play, a rating, a rest) one after another.

Every screen of the program is a ``Scene``: it is given the time and the keys of each frame and
answers whether to carry on, switch to another scene or end; then it draws itself. The director
alone reads the clock, asks the display for quit and pause, presents frames, takes the screenshot
and times the frames, so a scene is rules and drawing only and a test can run it on a simulated
clock, in the manner of Arcade's views or Godot's scenes.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pygame

from rehab.core.clock import Clock
from rehab.engine.display import Display, save_screenshot
from rehab.engine.game import FrameStats


@dataclass(frozen=True)
class Keys:
    """What the player pressed since the last frame."""

    #: the pause key (P or Space) was pressed
    pause: bool = False
    #: named keys, in order: "up", "down", "enter"
    pressed: tuple[str, ...] = ()


class Scene(Protocol):
    """One screen. Time comes in as an argument; a scene never reads a clock or the display."""

    @property
    def name(self) -> str: ...

    def update(self, now: float, dt: float, keys: Keys) -> Scene | None:
        """Advance to ``now`` (``dt`` seconds after the last frame, 0 on the first). None stays in
        this scene; another scene takes over this same frame; ``END`` ends the run."""
        ...

    def draw(self, surface: pygame.Surface) -> None: ...

    def on_quit(self, presses: int) -> bool:
        """The player asked to quit (Esc counts one press, closing the window two). True ends the
        run now; False carries on (a game asking one last question, a check that must finish)."""
        ...


class _End:
    """Returned by ``Scene.update`` to end the run."""

    name = "end"

    def update(self, now: float, dt: float, keys: Keys) -> Scene | None:
        return None

    def draw(self, surface: pygame.Surface) -> None:
        pass

    def on_quit(self, presses: int) -> bool:
        return True


END: Scene = _End()


@dataclass(frozen=True)
class Screenshot:
    """Save the frame ``at_s`` seconds into the scene called ``scene``; if that moment never comes,
    the last frame drawn before the scene is left (or the run ends)."""

    path: Path
    scene: str
    at_s: float = math.inf


@dataclass
class RunReport:
    """What the director saw: frames and time per scene, and how the run ended."""

    frames: dict[str, FrameStats] = field(default_factory=dict)
    #: seconds of real time each scene took, waiting for the clock included
    wall_s: dict[str, float] = field(default_factory=dict)
    quit: bool = False

    def stats_of(self, names: tuple[str, ...]) -> FrameStats:
        """The frame timings of the named scenes together."""
        return FrameStats([t for name in names for t in self.frames.get(name, FrameStats()).frame_times_s])

    def wall_of(self, names: tuple[str, ...]) -> float:
        return sum(self.wall_s.get(name, 0.0) for name in names)


class Director:
    """Owns the frame loop: clock, display, screenshot and frame statistics."""

    def __init__(self, clock: Clock, display: Display, screenshot: Screenshot | None = None) -> None:
        self.clock = clock
        self.display = display
        self.screenshot = screenshot
        self._shot_taken = False

    def run(self, first: Scene) -> RunReport:
        """Run scenes from ``first`` until one ends the run or the player quits."""
        report = RunReport()
        scene: Scene = first
        previous: float | None = None
        entered = math.nan  # when the current scene began, for the screenshot
        while True:
            began = time.perf_counter()
            now = self.clock.now()
            if self.display.quit_requested() and scene.on_quit(self.display.quit_presses):
                report.quit = True
                break
            keys = Keys(self.display.pause_pressed(), tuple(self.display.keys_pressed()))
            dt = 0.0 if previous is None else now - previous
            previous = now
            shown = self._switch(scene, scene.update(now, dt, keys), now, dt)
            if shown is END:
                break
            if shown is not scene or math.isnan(entered):
                entered = now
            scene = shown
            frame_started = time.perf_counter()
            scene.draw(self.display.surface)
            self.display.present()
            report.frames.setdefault(scene.name, FrameStats()).add(time.perf_counter() - frame_started)
            self._maybe_shoot(scene.name, now - entered)
            report.wall_s[scene.name] = report.wall_s.get(scene.name, 0.0) + time.perf_counter() - began
        self._shoot_if_missed()
        return report

    def _switch(self, scene: Scene, following: Scene | None, now: float, dt: float) -> Scene:
        """The scene that shows this frame: each new scene is updated at once with the same time."""
        while following is not None and following is not END:
            self._leaving(scene.name, following.name)
            scene, following = following, following.update(now, dt, Keys())
        if following is END:
            self._shoot_if_missed()
            return END
        return scene

    def _leaving(self, name: str, following: str) -> None:
        if self.screenshot is not None and name == self.screenshot.scene and following != name:
            self._shoot_if_missed()

    def _maybe_shoot(self, scene: str, into_scene_s: float) -> None:
        shot = self.screenshot
        if shot is not None and not self._shot_taken and scene == shot.scene and into_scene_s >= shot.at_s:
            save_screenshot(self.display.surface, shot.path)
            self._shot_taken = True

    def _shoot_if_missed(self) -> None:
        if self.screenshot is not None and not self._shot_taken:
            save_screenshot(self.display.surface, self.screenshot.path)
            self._shot_taken = True


def run_scenes(clock: Clock, display: Display, first: Scene, screenshot: Screenshot | None = None) -> RunReport:
    """Run ``first`` and the scenes it leads to on one frame loop."""
    return Director(clock, display, screenshot).run(first)

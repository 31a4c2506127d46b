"""The one frame loop: scenes switch, time comes in, quit and pause reach the scene, screenshots."""

import pygame

from rehab.core.clock import SimulatedClock
from rehab.engine.director import END, Keys, Screenshot, run_scenes
from rehab.engine.display import HeadlessDisplay


class Timed:
    """A scene that lasts ``frames`` frames, fills the screen with ``colour`` and logs what it is given."""

    def __init__(self, name, frames, log, colour=(0, 0, 0), then=None, leave_on_quit=True):
        self.name, self.frames, self.log, self.colour, self.then = name, frames, log, colour, then
        self.leave_on_quit = leave_on_quit
        self.updates = 0
        self.quits = []

    def update(self, now, dt, keys):
        if self.updates == self.frames:
            return self.then if self.then is not None else END
        self.updates += 1
        self.log.append((self.name, round(now, 6), round(dt, 6), keys))
        return None

    def draw(self, surface):
        surface.fill(self.colour)
        self.log.append((self.name, "drawn"))

    def on_quit(self, presses):
        self.quits.append(presses)
        return self.leave_on_quit


class Scripted(HeadlessDisplay):
    """A player who quits after ``quit_after`` frames and presses pause on the given frames."""

    def __init__(self, quit_after=None, presses=1, pause_on=(), keys_on=None):
        super().__init__(size=(64, 36))
        self.presented = 0
        self.quit_after, self.presses, self.pause_on = quit_after, presses, set(pause_on)
        self.keys_on = keys_on or {}

    def present(self):
        self.presented += 1

    def quit_requested(self):
        return self.quit_after is not None and self.presented >= self.quit_after

    @property
    def quit_presses(self):
        return self.presses if self.quit_requested() else 0

    def pause_pressed(self):
        return self.presented in self.pause_on

    def keys_pressed(self):
        return list(self.keys_on.get(self.presented, []))


def test_time_is_passed_in_from_the_clock_with_the_step_since_the_last_frame():
    log = []
    run_scenes(SimulatedClock(fps=10), Scripted(), Timed("a", 3, log))
    updates = [entry[1:3] for entry in log if entry[1] != "drawn"]
    assert updates == [(0.0, 0.0), (0.1, 0.1), (0.2, 0.1)]


def test_a_scene_switches_to_the_next_in_the_same_frame_and_the_run_ends_on_END():
    log = []
    second = Timed("b", 2, log)
    display = Scripted()
    report = run_scenes(SimulatedClock(fps=10), display, Timed("a", 2, log, then=second))
    names = [entry[0] for entry in log if entry[1] == "drawn"]
    assert names == ["a", "a", "b", "b"]
    # the frame that left "a" was b's first: same time, drawn once
    assert [entry[1] for entry in log if entry[0] == "b" and entry[1] != "drawn"] == [0.2, 0.3]
    assert display.presented == 4
    assert {name: len(stats.frame_times_s) for name, stats in report.frames.items()} == {"a": 2, "b": 2}
    assert not report.quit


def test_quit_ends_the_run_when_the_scene_agrees():
    log = []
    scene = Timed("a", 100, log)
    display = Scripted(quit_after=5, presses=1)
    report = run_scenes(SimulatedClock(), display, scene)
    assert report.quit and display.presented == 5 and scene.quits == [1]


def test_a_scene_may_carry_on_after_quit_and_hears_each_press():
    log = []
    scene = Timed("a", 8, log, leave_on_quit=False)
    display = Scripted(quit_after=5, presses=2)
    report = run_scenes(SimulatedClock(), display, scene)
    assert not report.quit and display.presented == 8
    assert scene.quits == [2, 2, 2, 2]  # asked before frames 6, 7 and 8, and before the end


def test_pause_and_keys_reach_the_scene_on_the_frame_after_they_were_pressed():
    log = []
    display = Scripted(pause_on={2}, keys_on={1: ["up", "enter"]})
    run_scenes(SimulatedClock(), display, Timed("a", 4, log))
    keys = [entry[3] for entry in log if entry[1] != "drawn"]
    assert keys == [Keys(), Keys(False, ("up", "enter")), Keys(True, ()), Keys()]


def colour_at(path):
    return tuple(pygame.image.load(str(path)).get_at((1, 1)))[:3]


def test_the_screenshot_is_the_frame_at_the_given_time_into_its_scene(tmp_path):
    log = []
    shades = [(10 * i, 0, 0) for i in range(10)]

    class Fading(Timed):
        def draw(self, surface):
            surface.fill(shades[self.updates])

    first = Timed("intro", 3, log, colour=(0, 0, 255), then=Fading("play", 9, log))
    shot = tmp_path / "shot.png"
    run_scenes(SimulatedClock(fps=8), Scripted(), first, Screenshot(shot, "play", at_s=0.5))
    # play began at 0.375 s (frame 4, its first update): 0.5 s later it had been updated 5 times
    assert colour_at(shot) == shades[5]


def test_a_screenshot_whose_moment_never_comes_is_the_last_frame_of_its_scene(tmp_path):
    log = []
    first = Timed("play", 3, log, colour=(0, 200, 0), then=Timed("summary", 3, log, colour=(0, 0, 200)))
    shot = tmp_path / "shot.png"
    run_scenes(SimulatedClock(), Scripted(), first, Screenshot(shot, "play", at_s=60.0))
    assert colour_at(shot) == (0, 200, 0)


def test_a_run_that_quits_early_still_saves_its_screenshot(tmp_path):
    log = []
    shot = tmp_path / "shot.png"
    first = Timed("intro", 10, log, colour=(0, 0, 255), then=Timed("play", 10, log))
    run_scenes(SimulatedClock(), Scripted(quit_after=2), first, Screenshot(shot, "play", at_s=1.0))
    assert colour_at(shot) == (0, 0, 255)

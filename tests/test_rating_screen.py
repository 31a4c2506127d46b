"""Pain asked on screen: keys move the marker, Enter chooses, Esc skips."""

from rehab.core.clock import SimulatedClock
from rehab.engine.display import HeadlessDisplay
from rehab.engine.rating_screen import ask_on_screen


class KeyedDisplay(HeadlessDisplay):
    """A display whose player presses the given keys, one per frame, then waits."""

    def __init__(self, keys, quit_after=None):
        super().__init__()
        self.keys = list(keys)
        self.frames = 0
        self.quit_after = quit_after

    def keys_pressed(self):
        return [self.keys.pop(0)] if self.keys else []

    def present(self):
        self.frames += 1

    def quit_requested(self):
        return self.quit_after is not None and self.frames >= self.quit_after


def test_up_three_times_then_enter_answers_three():
    assert ask_on_screen(KeyedDisplay(["up", "up", "up", "enter"]), SimulatedClock(), "Pain now?") == 3.0


def test_the_marker_stays_on_the_scale():
    keys = ["down", "down"] + ["up"] * 14 + ["enter"]
    assert ask_on_screen(KeyedDisplay(keys), SimulatedClock(), "Pain now?") == 10.0


def test_resting_does_not_choose_and_escape_skips():
    display = KeyedDisplay(["up", "up"], quit_after=600)  # ten seconds at 60 frames a second, no Enter
    assert ask_on_screen(display, SimulatedClock(), "Pain now?") is None
    assert display.frames >= 600

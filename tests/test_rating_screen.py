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


def _y_of(value: int) -> int:
    from rehab.engine.rating_view import SCALE_BAR, TOP_LEVEL

    return int(SCALE_BAR.bottom - value / 10 / TOP_LEVEL * SCALE_BAR.height)


def test_a_tap_on_the_scale_chooses_the_value_there():
    """A tap (or a click) on the scale is an explicit choice, as Enter is; on the bar, on its number
    or on its words, not elsewhere on the screen."""
    from rehab.engine.rating_view import SCALE_BAR

    assert ask_on_screen(KeyedDisplay([f"click:{SCALE_BAR.centerx},{_y_of(3)}"]), SimulatedClock(), "Pain?") == 3.0
    assert ask_on_screen(KeyedDisplay([f"click:{SCALE_BAR.left - 40},{_y_of(7)}"]), SimulatedClock(), "Pain?") == 7.0
    beside_the_top = KeyedDisplay([f"click:{SCALE_BAR.right + 60},{SCALE_BAR.top + 2}"])
    assert ask_on_screen(beside_the_top, SimulatedClock(), "Pain?") == 10.0  # above 10 is still 10
    away = KeyedDisplay(["click:900,300", "click:10,10", "up", "enter"])
    assert ask_on_screen(away, SimulatedClock(), "Pain?") == 1.0  # the clicks away chose nothing


def test_a_tap_on_a_real_window_reaches_the_question():
    """Through pygame's own event queue on an SDL window (dummy driver), as a touch screen sends it."""
    import pygame

    from rehab.engine.rating_view import SCALE_BAR
    from tests.screen_text import PatientAtWindow

    tap = pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=(SCALE_BAR.centerx, _y_of(5)))
    window = PatientAtWindow(press_from=3, event=tap)
    try:
        assert ask_on_screen(window, SimulatedClock(), "Pain?") == 5.0
    finally:
        window.close()

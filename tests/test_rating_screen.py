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


# -- a raised hand (a patient standing back from the laptop) -------------------------------------


def _pose_pointing_at(value: int):
    """A synthetic patient whose left hand, raised to the side, points at ``value`` on the pain
    scale: the arm's elevation is searched until the hand level is in the middle of that value's band."""
    import numpy as np

    from rehab.core.types import PoseFrame
    from rehab.engine.ratings import HAND_TOP_LEVEL, REST_LEVEL, hand_level
    from rehab.sim.skeleton import Posture, world_points

    wanted = REST_LEVEL + value / 10 * (HAND_TOP_LEVEL - REST_LEVEL)
    low, high = 0.0, 180.0
    for _ in range(40):
        elevation = (low + high) / 2
        world = world_points(Posture(arm_elevation={"left": elevation, "right": 0.0}))
        pose = PoseFrame(t=0.0, world=world, visibility=np.ones(33))
        if hand_level(pose) < wanted:
            low = elevation
        else:
            high = elevation
    return pose


def _hand_of(script):
    """A hand pointer (as ``rehab.app.outcomes.hand_pointer`` makes from a camera) following
    ``script(now)``: a pose, or None while no one is seen."""
    import math

    from rehab.engine.ratings import hand_level

    def level(now: float) -> float:
        pose = script(now)
        return math.nan if pose is None else hand_level(pose)

    return level


def test_a_hand_held_at_a_number_chooses_it_after_the_hover_time():
    import numpy as np

    from rehab.core.types import PoseFrame
    from rehab.engine.ratings import HOVER_S
    from rehab.sim.skeleton import Posture, world_points

    down = PoseFrame(t=0.0, world=world_points(Posture()), visibility=np.ones(33))
    six = _pose_pointing_at(6)
    display = KeyedDisplay([], quit_after=3000)
    # arm by the side for 3 s (points at nothing), then raised to 6 and held
    answer = ask_on_screen(display, SimulatedClock(), "Pain?", hand=_hand_of(lambda now: down if now < 3 else six))
    assert answer == 6.0
    assert display.frames >= (3 + HOVER_S) * 60 - 2  # not before the hold is complete


def test_an_arm_resting_by_the_side_never_answers():
    import numpy as np

    from rehab.core.types import PoseFrame
    from rehab.sim.skeleton import Posture, world_points

    down = PoseFrame(t=0.0, world=world_points(Posture()), visibility=np.ones(33))
    display = KeyedDisplay([], quit_after=900)
    assert ask_on_screen(display, SimulatedClock(), "Pain?", hand=_hand_of(lambda now: down)) is None
    assert display.frames >= 900


def test_keys_resting_between_presses_do_not_choose_even_with_a_camera():
    """With a hand pointer the question has a hover time; the keys' marker must still wait for Enter."""
    display = KeyedDisplay(["up", "up"], quit_after=900)
    assert ask_on_screen(display, SimulatedClock(), "Pain?", hand=_hand_of(lambda now: None)) is None
    display = KeyedDisplay(["up", "up", "enter"])
    assert ask_on_screen(display, SimulatedClock(), "Pain?", hand=_hand_of(lambda now: None)) == 2.0


def test_a_hand_already_up_must_come_down_before_it_answers():
    """The hand that just answered the last question (still up at 4) must not answer this one too."""
    import numpy as np

    from rehab.core.types import PoseFrame
    from rehab.sim.skeleton import Posture, world_points

    four, eight = _pose_pointing_at(4), _pose_pointing_at(8)
    down = PoseFrame(t=0.0, world=world_points(Posture()), visibility=np.ones(33))
    held_up = KeyedDisplay([], quit_after=600)
    assert ask_on_screen(held_up, SimulatedClock(), "Pain?", hand=_hand_of(lambda now: four)) is None
    assert held_up.frames >= 600

    def lowered_then_eight(now: float):
        return four if now < 3 else down if now < 4 else eight

    assert (
        ask_on_screen(KeyedDisplay([], quit_after=900), SimulatedClock(), "Pain?", hand=_hand_of(lowered_then_eight))
        == 8.0
    )

"""The questionnaire screen: its rules without pygame, hand-hover, the scene driven by keys, clicks
and a hand on a simulated clock, and a layout that never clips a word at any text scale.

Refresh the documentation screenshots with ``python -m tests.test_questionnaire_screen docs/screenshots``
and look at them before committing."""

from __future__ import annotations

import math
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from rehab.core.clock import SimulatedClock
from rehab.core.questionnaires import INSTRUMENTS, Choice, Item, instrument
from rehab.engine.display import HeadlessDisplay
from rehab.engine.questionnaire_scene import (
    HOVER_S,
    REST_LEVEL,
    SAFETY_TEXT,
    HandHover,
    QuestionnaireScene,
    QuestionnaireState,
)

PHQ9 = instrument("phq9")
GAD7 = instrument("gad7")


class Kept:
    """A sink that keeps what the scene hands it, in order."""

    def __init__(self) -> None:
        self.events: list[tuple] = []

    def begin(self) -> None:
        self.events.append(("begin",))

    def answer(self, key: str, value: int) -> None:
        self.events.append(("answer", key, value))

    def safety(self, text: str) -> None:
        self.events.append(("safety", text))

    @property
    def answers(self) -> dict[str, int]:
        return {e[1]: e[2] for e in self.events if e[0] == "answer"}


class KeyedDisplay(HeadlessDisplay):
    """A window whose patient presses the given keys, one a frame (None: a frame without a key)."""

    def __init__(self, keys, quit_after=None):
        super().__init__()
        self.keys = list(keys)
        self.frames = 0
        self.quit_after = quit_after

    def keys_pressed(self):
        key = self.keys.pop(0) if self.keys else None
        return [key] if key else []

    def present(self):
        self.frames += 1

    def quit_requested(self):
        return self.quit_after is not None and self.frames >= self.quit_after


def run(instrument_, keys, hand=None, quit_after=None, frames_cap=20_000):
    from rehab.engine.director import run_scenes

    sink = Kept()
    scene = QuestionnaireScene(instrument_, sink, hand) if hand else QuestionnaireScene(instrument_, sink)
    display = KeyedDisplay(keys, quit_after if quit_after is not None else frames_cap)
    run_scenes(SimulatedClock(), display, scene)
    return scene, sink, display


# -- the rules, without pygame -------------------------------------------------------------------


def test_the_state_goes_intro_questions_done_and_keeps_each_answer():
    state = QuestionnaireState(GAD7)
    assert state.phase == "intro" and state.answer(0) is None  # nothing is answered from the intro
    assert state.begin() and not state.begin()
    given = [state.answer(p) for p in (0, 1, 2, 3, 0, 1, 2)]
    assert given == [(f"gad7_{n}", v) for n, v in zip(range(1, 8), (0, 1, 2, 3, 0, 1, 2), strict=True)]
    assert state.phase == "done" and state.complete


def test_back_shows_the_previous_answer_and_a_new_one_replaces_it():
    state = QuestionnaireState(GAD7)
    state.begin()
    state.answer(3)
    state.answer(1)
    state.back()
    assert state.index == 1 and state.cursor == 1 and state.view().given == 1
    state.back()
    state.back()  # at the first question, back stays there
    assert state.index == 0 and state.cursor == 3
    assert state.answer(0) == ("gad7_1", 0)
    assert state.answers == {"gad7_1": 0, "gad7_2": 1} and state.index == 1


def test_leaving_keeps_every_answer_and_is_not_complete():
    state = QuestionnaireState(PHQ9)
    state.begin()
    state.answer(2)
    state.leave()
    assert state.phase == "left" and state.answers == {"phq9_1": 2} and not state.complete


def test_number_keys_point_at_the_choice_with_that_value_not_its_position():
    reversed_order = replace(GAD7, items=tuple(replace(i, choices=tuple(reversed(i.choices))) for i in GAD7.items))
    state = QuestionnaireState(reversed_order)
    state.begin()
    assert state.point_at_value(0) and state.cursor == 3
    assert not state.point_at_value(7) and state.cursor == 3
    assert state.answer(state.cursor) == ("gad7_1", 0)


def test_item_9_above_0_shows_the_safety_card_at_once_then_the_questionnaire_goes_on():
    state = QuestionnaireState(PHQ9)
    state.begin()
    for _ in range(8):
        state.answer(0)
    assert state.answer(1) == ("phq9_9", 1)
    assert state.phase == "safety" and state.view().safety_text == SAFETY_TEXT
    state.acknowledge()
    assert state.phase == "question" and state.item.key == "phq9_10"


def test_item_9_at_0_shows_no_card_and_a_card_on_the_last_question_ends_after_it():
    state = QuestionnaireState(PHQ9)
    state.begin()
    for _ in range(9):
        state.answer(0)
    assert state.phase == "question"
    last = replace(PHQ9, items=PHQ9.items[:9])  # item 9 as the last question
    state = QuestionnaireState(last)
    state.begin()
    for position in (0,) * 8 + (3,):
        state.answer(position)
    assert state.phase == "safety"
    state.acknowledge()
    assert state.phase == "done"


# -- hand-hover ----------------------------------------------------------------------------------


def test_a_hand_held_on_a_choice_for_two_seconds_chooses_it_and_must_rest_before_the_next():
    hover = HandHover()
    level = HandHover.target  # the top of four choices needs the hand high
    high = 0.99
    assert level(high, 4) == 0 and level(REST_LEVEL - 0.01, 4) is None and level(math.nan, 4) is None
    dt = 1 / 60
    frames = [hover.update(dt, high, 4) for _ in range(int(HOVER_S * 60) + 2)]
    assert [f for f in frames if f is not None] == [0]
    assert frames.index(0) >= int(HOVER_S * 60)  # not before two seconds
    # still up: nothing more, however long; lowered and raised again: chooses again
    assert all(hover.update(dt, high, 4) is None for _ in range(300))
    hover.update(dt, 0.0, 4)
    assert [c for c in (hover.update(dt, high, 4) for _ in range(200)) if c is not None] == [0]


def test_a_wandering_hand_chooses_nothing():
    hover = HandHover()
    levels = [0.35, 0.95] * 400  # between the bottom and the top choice every frame
    assert all(hover.update(1 / 60, lvl, 4) is None for lvl in levels)


# -- the scene on a simulated clock --------------------------------------------------------------


def test_keys_answer_every_question_and_each_answer_reaches_the_sink_as_given():
    keys = ["enter"] + [k for v in (1, 0, 2, 3, 0, 1, 2) for k in (str(v), "enter")]
    scene, sink, _ = run(GAD7, keys)
    assert sink.events[0] == ("begin",)
    assert sink.answers == dict(zip([f"gad7_{n}" for n in range(1, 8)], (1, 0, 2, 3, 0, 1, 2), strict=True))
    assert scene.state.phase == "done"


def test_up_down_enter_backspace_and_enter_alone_never_answers():
    keys = ["enter", "enter", "down", "down", "enter", "backspace", "up", "enter", "left", "escape"]
    scene, sink, _ = run(GAD7, keys)
    # Enter with nothing pointed at did nothing; Down twice chose 1; back, Up to 0, Enter; back; Esc
    assert [e for e in sink.events if e[0] == "answer"] == [("answer", "gad7_1", 1), ("answer", "gad7_1", 0)]
    assert scene.state.phase == "left" and scene.state.answers == {"gad7_1": 0}


def test_escape_from_the_window_leaves_keeping_the_answers():
    scene, sink, display = run(PHQ9, ["enter", "2", "enter", "1", "enter"], quit_after=30)
    assert scene.state.phase == "left" and sink.answers == {"phq9_1": 2, "phq9_2": 1}
    assert display.frames == 30


def test_a_click_on_a_button_chooses_it():
    # the first frame draws the intro; its Begin button is where the click goes
    scene, sink, _ = run(GAD7, [None, "click:480,0"], quit_after=5)
    assert ("begin",) not in sink.events  # a click outside every button does nothing
    display = HeadlessDisplay()
    scene = QuestionnaireScene(GAD7, Kept())
    scene.draw(display.surface)
    begin = scene.buttons[0]
    scene._key(f"click:{begin[0] + 5},{begin[1] + 5}")
    scene.draw(display.surface)
    third = scene.buttons[2]
    scene._key(f"click:{third[0] + third[2] // 2},{third[1] + third[3] - 2}")
    assert scene.sink.answers == {"gad7_1": 2}


def test_a_hand_answers_on_its_own_lowering_between_questions():
    # a patient who raises a hand to the top choice (value 0) for 2.5 s, then lowers it for 1 s
    def hand(now: float) -> float:
        return 0.99 if now % 3.5 < 2.5 else 0.0

    scene, sink, _ = run(GAD7, [], hand=hand)
    assert sink.answers == {f"gad7_{n}": 0 for n in range(1, 8)}
    assert scene.state.phase == "done"


def test_the_safety_card_stays_until_a_key_and_the_sink_gets_its_text():
    keys = ["enter"] + ["0", "enter"] * 8 + ["2", "enter"] + [None] * 600 + ["down"]
    scene, sink, _ = run(PHQ9, keys, quit_after=2000)
    assert ("safety", SAFETY_TEXT) in sink.events
    assert sink.events.index(("safety", SAFETY_TEXT)) == sink.events.index(("answer", "phq9_9", 2)) + 1
    assert scene.state.phase == "left"  # quit at frame 2000, on question 10, after the card was read
    assert scene.state.item.key == "phq9_10"


def test_the_safety_card_is_on_screen_ten_seconds_later_without_a_key():
    keys = ["enter"] + ["0", "enter"] * 8 + ["1", "enter"]
    scene, _, _ = run(PHQ9, keys, quit_after=700)
    assert scene.state.phase == "left" and scene.state.answers["phq9_9"] == 1
    assert scene.state._after_safety == "question" and scene.state.item.key == "phq9_10"


# -- the layout: large text that wraps and never clips -------------------------------------------

LONG_WORDS = "Because of my condition I find it extraordinarily difficult to manage"


def _clinic_like(measure):
    """A measure as a clinic's file would make it: long questions and long answers (NDI's answers
    are whole sentences), so the layout is tried on more than the shipped text."""
    return replace(
        measure,
        items=tuple(
            replace(
                item,
                text=f"{LONG_WORDS} ({item.key}): how much does this affect your daily life at home and at work?",
                choices=tuple(Choice(c.value, f"{LONG_WORDS} ({c.value})") for c in item.choices),
            )
            for item in measure.items
        ),
    )


def _screens(measure):
    """Every screen of ``measure``, with the longest how-to line (a camera follows a hand)."""
    state = QuestionnaireState(measure)
    yield state.view(hand=True)
    state.begin()
    for index in range(len(measure.items)):
        state.index = index
        yield state.view(hand=True)
    state.phase = "safety"
    yield state.view(hand=True)


@pytest.mark.parametrize("font_scale", [1.0, 2.5])
@pytest.mark.parametrize("measure_id", sorted(INSTRUMENTS))
def test_every_screen_fits_every_word_at_the_default_and_largest_text(measure_id, font_scale):
    from rehab.engine.hud import set_font_scale
    from rehab.engine.questionnaire_view import layout

    HeadlessDisplay()
    set_font_scale(font_scale)
    try:
        for measure in (INSTRUMENTS[measure_id], _clinic_like(INSTRUMENTS[measure_id])):
            for view in _screens(measure):
                placed = layout(view, (960, 540))
                words = " ".join(t.words for t in placed.texts)
                expected = {"intro": view.intro, "safety": view.safety_text}.get(view.phase, view.question)
                assert expected.split()[-1] in words  # the last word made it: nothing dropped
                for box in placed.texts:
                    assert box.rect.left >= 0 and box.rect.right <= 960, (measure_id, box.words)
                    assert box.rect.top >= 0 and box.rect.bottom <= 540, (measure_id, box.words)
                for a, b in zip(placed.buttons, placed.buttons[1:], strict=False):
                    assert a.bottom <= b.top  # buttons never overlap
                above = [t.rect for t in placed.texts if t.rect.top < placed.hint_top]
                assert all(r.bottom <= placed.hint_top for r in [*above, *placed.buttons])
    finally:
        set_font_scale(1.0)


def test_a_larger_text_setting_never_makes_the_text_smaller_than_the_default():
    # shrinking to fit must not overshoot: a patient who asked for large print gets at least the
    # print everyone gets (within a shrink step and whole pixels), even when the clinic's long answers must wrap
    from rehab.engine.hud import set_font_scale
    from rehab.engine.questionnaire_view import layout

    HeadlessDisplay()

    def question_heights(measure) -> list[int]:
        return [max(t.rect.height for t in layout(v, (960, 540)).texts) for v in _screens(measure)]

    for measure in (PHQ9, _clinic_like(instrument("ndi"))):
        default = question_heights(measure)
        set_font_scale(2.5)
        try:
            large = question_heights(measure)
        finally:
            set_font_scale(1.0)
        assert all(big >= 0.9 * small for big, small in zip(large, default, strict=True)), (large, default)


def test_the_question_is_at_least_32_px_at_the_default_scale():
    from rehab.engine.questionnaire_view import layout

    HeadlessDisplay()
    for measure in (PHQ9, GAD7):
        for view in list(_screens(measure))[1:-1]:
            placed = layout(view, (960, 540))
            question = [t for t in placed.texts if t.words in view.question]
            assert question and all(t.rect.height >= 32 for t in question)


def test_a_word_wider_than_the_screen_is_broken_not_clipped():
    from rehab.engine.questionnaire_view import wrap_px

    HeadlessDisplay()
    lines = wrap_px("x" * 300, 40, 400)
    assert len(lines) > 1 and "".join(lines) == "x" * 300


# -- screenshots ---------------------------------------------------------------------------------


def save_screens(folder: Path) -> list[Path]:
    """The intro, a question (answered before, the hand half-way to choosing another) and the safety
    card, as PNGs in ``folder``."""
    from rehab.engine.display import save_screenshot
    from rehab.engine.questionnaire_view import draw_questionnaire

    display = HeadlessDisplay()
    state = QuestionnaireState(PHQ9)
    shots = []
    draw_questionnaire(display.surface, state.view(hand=True))
    shots.append(folder / "questionnaire_intro.png")
    save_screenshot(display.surface, shots[-1])
    state.begin()
    for position in (1, 0, 2):
        state.answer(position)
    state.back()
    draw_questionnaire(display.surface, state.view(hover=1, hover_share=0.6, hand=True))
    shots.append(folder / "questionnaire_question.png")
    save_screenshot(display.surface, shots[-1])
    state.index = 8
    state.answer(1)
    draw_questionnaire(display.surface, state.view())
    shots.append(folder / "questionnaire_safety.png")
    save_screenshot(display.surface, shots[-1])
    return shots


def test_the_screens_render_with_their_words_in_view(tmp_path):
    import pygame

    shots = save_screens(tmp_path)
    for shot in shots:
        image = pygame.image.load(str(shot))
        assert image.get_size() == (960, 540)
        colours = {image.get_at((x, y))[:3] for x in range(0, 960, 16) for y in range(0, 540, 16)}
        assert len(colours) > 3  # more than a blank background


def test_an_item_with_no_choices_draws_without_buttons():
    from rehab.engine.questionnaire_view import layout

    HeadlessDisplay()
    odd = replace(GAD7, items=(Item("gad7_1", "Only text", ()),))
    state = QuestionnaireState(odd)
    state.begin()
    assert layout(state.view(), (960, 540)).buttons == ()


if __name__ == "__main__":
    for written in save_screens(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/rehab-screenshots")):
        print(written)

"""The instruction card shows a picture of the movement under its words (issue 16), checked on the
frames of a real SDL window (dummy video driver): the card's picture region must equal, pixel for
pixel, the movement picture drawn on its own for that movement, side and mirror.

``REHAB_SHOTS=/some/folder`` also saves the cards looked at as PNGs.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pygame
import pytest

from devices.replay import ReplaySource
from progress.store import DB_FILENAME, Store
from rehab.app.plan_versions import assign
from rehab.app.plans import parse_text
from rehab.app.session_runner import SessionContext, run_session
from rehab.app.session_sources import source_opener
from rehab.core.clock import SimulatedClock
from rehab.engine.director import Screenshot, run_scenes
from rehab.engine.display import SIZE, HeadlessDisplay
from rehab.engine.exercise import Exercise
from rehab.engine.game import available_games
from rehab.engine.hud import set_font_scale
from rehab.engine.movement_picture import SQUAT, card_picture_rects, draw_movement
from rehab.engine.palette import PALETTE, use_high_contrast
from rehab.engine.play import SceneTimes
from rehab.engine.scenes import PlayRules, Round, card_pictures, first_scene, instruction_layout, status_top
from tests.screen_text import PatientAtWindow

NOTES = "Hold a stable chair or counter. Both feet flat; knees over the toes."
PLAN = f"""\
title = "Knee, test plan"
patient = "P1"
sessions_per_week = 5
notes = "{NOTES}"

[safety]
pain_stop_rise = 2
max_pain_before = 6

[[exercise]]
name = "Mini-squat"
game = "squat"
movement = "knee_flexion"
side = "right"
sets = 1
reps = 3
hold_s = 1
rest_s = 5
target_deg = 40
ceiling_deg = 70
"""


@pytest.fixture(autouse=True)
def _windows_closed():
    """Each test's windows are closed after it (the look is put back by tests/conftest.py)."""
    yield
    pygame.display.quit()


def _picture_rect(title: str, lines: list[str], notes: str) -> pygame.Rect:
    rows = instruction_layout(SIZE, title, lines, notes)
    rects = card_picture_rects(SIZE, max(pygame.Rect(r.rect).bottom for r in rows), status_top(SIZE), 1)
    assert rects, "no room for the picture on this card"
    return rects[0]


def _expected(rect: pygame.Rect, motion: str, side: str | None, mirror: bool = False) -> np.ndarray:
    """The movement picture drawn alone, on the card's background, where the card puts it."""
    alone = pygame.Surface(SIZE)
    alone.fill(PALETTE.background_top)
    draw_movement(alone, rect, motion, side, mirror)
    return pygame.surfarray.array3d(alone.subsurface(rect))


def _region(frame: pygame.Surface, rect: pygame.Rect) -> np.ndarray:
    return pygame.surfarray.array3d(frame.subsurface(rect))


def _shot(surface: pygame.Surface, name: str) -> None:
    folder = os.environ.get("REHAB_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        pygame.image.save(surface, str(Path(folder) / f"{name}.png"))


def test_the_instruction_card_of_a_guided_knee_exercise_shows_the_movement_picture(tmp_path):
    """The plan's knee exercise is played by the squat game, which reads knee and hip flexion: the
    card under the words shows the mini-squat picture, on every instruction frame."""
    path = tmp_path / DB_FILENAME
    store = Store.open(path)
    assign(store, "P1", parse_text(PLAN), "2026-11-02T09:00:00+00:00", "2026-11-02", "plan")
    info = available_games()["squat"]
    lines = [info.description, "Bend your knee, right side", "Goal: 40 degrees. Esc stops at any time."]
    rect = _picture_rect("Mini-squat", lines, NOTES)
    expected = _expected(rect, SQUAT, None)
    one_knee = _expected(rect, "knee_flexion", "right")
    assert not np.array_equal(expected, one_knee)  # the check below can tell the pictures apart
    shown: list[int] = []

    def look(frame: int) -> None:
        if np.array_equal(_region(display.surface, rect), expected):
            if not shown:
                _shot(display.surface, "instructions_knee_with_picture")
            shown.append(frame)

    display = PatientAtWindow(press_from=1, watch=look)
    ctx = SessionContext(
        store=store,
        games=available_games(),
        open_source=source_opener("sim", True, [], 1),
        display=display,
        make_clock=SimulatedClock,
        ask_pain=lambda moment, hand: 2.0,
        now_iso=lambda: "2026-11-02T10:00:00+00:00",
        today="2026-11-02",
        say=lambda line: None,
        scenes=SceneTimes(1.0, 0.5, 0.0),
    )
    assert run_session(ctx, "P1").status == "completed"
    store.close()
    # a second of instructions at 30 frames a second (and more while the notes are read)
    assert len(shown) >= 30, f"the picture was on {len(shown)} frames"


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("look", ["normal", "high contrast"])
def test_the_card_shows_the_exercised_side_and_keeps_its_words(side, look):
    """Lift's elbow, on the side played: the picture of that side, never the other's; the card's
    words are all still where the layout puts them, none under the picture."""
    if look == "high contrast":
        use_high_contrast()
    info = available_games()["lift"]
    exercise = Exercise.for_game(info, side)
    rules = PlayRules(lambda rep: None, 1.0, None, False, None)
    source = ReplaySource(info.simulate(side, 0), f"sim:{info.name}")
    state = Round.start_round(source, info, exercise, SceneTimes(2.0, 0.0, 0.0), rules, {})
    shot = Path(os.environ.get("REHAB_SHOTS") or "/tmp") / f"instructions_lift_{side}_{look.replace(' ', '_')}.png"
    run_scenes(SimulatedClock(30), HeadlessDisplay(), first_scene(state), Screenshot(shot, "instructions", 0.5))
    frame = pygame.image.load(str(shot))
    side_words = "Bend your elbow, left side" if side == "left" else "Bend your elbow, right side"
    lines = [info.description, side_words, "Goal: 120 degrees. Esc stops at any time."]
    rect = _picture_rect("Lift", lines, "")
    other = "right" if side == "left" else "left"
    assert np.array_equal(_region(frame, rect), _expected(rect, "elbow_flexion", side))
    assert not np.array_equal(_region(frame, rect), _expected(rect, "elbow_flexion", other))
    for row in instruction_layout(SIZE, "Lift", lines, ""):
        box = pygame.Rect(row.rect)
        assert box.height >= 24 and not box.colliderect(rect), row.words


def _reach_card(seated: bool) -> tuple[object, pygame.Surface]:
    info = available_games()["reach"]
    source = ReplaySource(info.simulate("left", 0), "sim:reach")
    rules = PlayRules(lambda rep: None, 5.0, None, True, None, seated=seated)  # a camera's setup check
    scene = first_scene(Round.start_round(source, info, Exercise.for_game(info, "left"), SceneTimes(1.0), rules, {}))
    frame = HeadlessDisplay().surface
    scene.draw(frame)
    _shot(frame, f"reach_card_seated_{seated}")
    return scene, frame


def test_playing_seated_draws_the_chair_in_where_to_stand():
    """``rehab play --seated`` reaches the card: its where-to-stand sketch is the seated one (it was
    always drawn standing). The two cards differ only inside the sketch."""
    standing, standing_frame = _reach_card(False)
    seated, seated_frame = _reach_card(True)
    assert standing.pictures.seated is False and seated.pictures.seated is True
    assert seated.pictures.stand_view is not None
    changed = np.argwhere(
        np.any(
            _region(standing_frame, standing_frame.get_rect()) != _region(seated_frame, seated_frame.get_rect()), axis=2
        )
    )
    assert len(changed), "the seated card looks the same as the standing one"
    left, top = changed.min(axis=0)
    right, bottom = changed.max(axis=0)
    assert left > SIZE[0] // 2  # the sketch is the right-hand picture; the words and the movement stay


@pytest.mark.parametrize("checking", [False, True])
def test_at_the_largest_text_the_games_description_gives_way_to_the_pictures(checking):
    """At 1.5x the card's words left no room for the pictures on any physical game's card: there the
    game's own description is left out (the movement, the goal and the notes stay) and the
    movement picture is drawn, pixel for pixel; at the default size every line stays. (With a
    two-sentence note and the camera check's lines there is still no room: no picture then.)"""
    note = "Hold a stable chair."
    from rehab.app.home_screen.settings import LARGEST_SCALE
    from rehab.engine.scenes import draw_instructions
    from tests.drawn_words import DrawnWords

    info = available_games()["lift"]
    exercise = Exercise.for_game(info, "left")
    lines = [info.description, "Bend your elbow, left side", "Goal: 120 degrees. Esc stops at any time."]
    advice = "Step back from the camera." if checking else None
    pictures = card_pictures(info, exercise, camera=True)
    for scale, described in ((1.0, True), (LARGEST_SCALE, False)):
        set_font_scale(scale)
        frame = HeadlessDisplay().surface
        with DrawnWords() as drawn:
            draw_instructions(frame, info.title, lines, 4.0, advice, note, pictures)
        _shot(frame, f"lift_card_{scale:g}_{'checking' if checking else 'plain'}")
        assert (info.description.split()[0] in " ".join(drawn.rows())) is described
        assert "Bend your elbow, left side" in drawn.rows()
        shown = lines if described else lines[1:]
        bottom = max(pygame.Rect(r.rect).bottom for r in instruction_layout(SIZE, info.title, shown, note))
        rects = card_picture_rects(SIZE, bottom, status_top(SIZE, checking), 2)
        assert rects, "room for the pictures"
        assert np.array_equal(_region(frame, rects[0]), _expected(rects[0], pictures.motion, "left"))

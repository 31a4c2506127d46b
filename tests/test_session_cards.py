"""What a patient sees in a guided session, checked on the rendered frames of a real SDL window
(dummy video driver) with keys posted to pygame's event queue, and words found in a frame by
drawing them as the engine does and comparing pixels (``tests/screen_text.py``).

``REHAB_SHOTS=/some/folder`` also saves the frames looked at as PNGs.
"""

from __future__ import annotations

import math
import os
from dataclasses import replace
from pathlib import Path

import pygame
import pytest

from progress.store import DB_FILENAME, Store
from rehab.app.plan_versions import assign
from rehab.app.plans import parse_text
from rehab.app.session_cards import end_card
from rehab.app.session_runner import SessionContext, run_session
from rehab.app.session_sources import source_opener
from rehab.core.clock import SimulatedClock
from rehab.core.types import RepMetrics
from rehab.engine.director import run_scenes
from rehab.engine.display import SIZE, HeadlessDisplay
from rehab.engine.exercise import Exercise
from rehab.engine.game import available_games
from rehab.engine.hud import font, set_font_scale, wrap_to_width
from rehab.engine.message_card import GUARD_S, MARGIN, Card, draw_page, layout, show_card
from rehab.engine.palette import PALETTE, use_high_contrast
from rehab.engine.play import SceneTimes
from rehab.engine.scenes import LINE_SIZE, PlayRules, Round, draw_summary, first_scene, instruction_layout
from tests.screen_text import PatientAtWindow, centred_row_top, contrast_ratio, shows_at

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
sets = {{sets}}
reps = 3
hold_s = 1
rest_s = 5
target_deg = 40
ceiling_deg = 70
"""
FPS = 60


def _shot(surface: pygame.Surface | None, name: str) -> None:
    folder = os.environ.get("REHAB_SHOTS")
    if folder and surface is not None:
        Path(folder).mkdir(parents=True, exist_ok=True)
        pygame.image.save(surface, str(Path(folder) / f"{name}.png"))


@pytest.fixture(autouse=True)
def _windows_closed():
    """Each test's windows are closed after it, whatever its outcome: SDL makes one at a time."""
    yield
    pygame.display.quit()


def _rows_shown(frame: pygame.Surface, rows) -> bool:
    return all(shows_at(frame, r.words, r.size, r.color, PALETTE.background_top, r.rect[:2]) for r in rows)


# -- the card itself: it stays until the patient closes it, and fits -------------------------------


def test_a_card_stays_until_a_key_and_ignores_a_key_pressed_before_it():
    card = Card("Rest today", ("Tell your physiotherapist.",), "Your pain is 8 out of 10.")
    # no key for ten seconds: still up; Enter from then on closes it
    waiting = PatientAtWindow(press_from=10 * FPS)
    closed = show_card(waiting, SimulatedClock(FPS), card)
    assert closed.closed_by == "key" and waiting.frames >= 10 * FPS
    assert _rows_shown(waiting.last, layout(card, SIZE)[0])
    waiting.close()  # SDL keeps one window at a time
    # Enter held down from the first frame (a key meant for the screen before): the card still shows
    # for GUARD_S before a key counts
    hasty = PatientAtWindow(press_from=1)
    show_card(hasty, SimulatedClock(FPS), card)
    assert hasty.frames >= GUARD_S * FPS


@pytest.mark.parametrize(
    ("event", "closed_by"),
    [
        (pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=(400, 300)), "key"),
        (pygame.event.Event(pygame.KEYDOWN, key=pygame.K_SPACE), "key"),
        (pygame.event.Event(pygame.KEYDOWN, key=pygame.K_ESCAPE), "quit"),
    ],
)
def test_a_click_space_or_esc_also_closes_it(event, closed_by):
    display = PatientAtWindow(press_from=2 * FPS, event=event)
    assert show_card(display, SimulatedClock(FPS), Card("Session complete", ("Lift: 8 movements.",))).closed_by == (
        closed_by
    )
    assert display.frames >= 2 * FPS


def test_an_esc_that_stopped_the_game_does_not_skip_the_card():
    display = PatientAtWindow(press_from=FPS)
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_ESCAPE))
    display.present()  # the Esc that ended the game before the card
    assert display.quit_presses == 1
    assert show_card(display, SimulatedClock(FPS), Card("Session stopped")).closed_by == "key"


@pytest.mark.parametrize("look", ["normal", "high contrast", "scale 1.5"])
def test_card_text_is_24_px_or_more_high_contrast_and_never_clipped(look):
    if look == "high contrast":
        use_high_contrast()
    if look == "scale 1.5":
        set_font_scale(1.5)
    lines = tuple(f"Exercise {n}: 10 movements, 8 reached your goal of 100°." for n in range(1, 9))
    card = Card(
        "We stopped to keep you safe",
        lines,
        "Your pain went from 3 to 5 out of 10, so we stopped here to keep you safe. Everything you did is saved.",
    )
    pages = layout(card, SIZE)
    display = HeadlessDisplay()
    for number, page in enumerate(pages):
        display.surface.fill((0, 0, 0))
        draw_page(display.surface, page)
        _shot(display.surface, f"card_{look.replace(' ', '_')}_page{number + 1}")
        assert _rows_shown(display.surface, page)
        boxes = [pygame.Rect(r.rect) for r in page]
        for row, box in zip(page, boxes, strict=True):
            assert display.surface.get_rect().contains(box), row.words
            assert box.height >= 24, row.words
            assert contrast_ratio(row.color, PALETTE.background_top) >= 4.5, row.words
        assert not any(a.colliderect(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    # every line is on some page, in order, once
    shown = [r.words for page in pages for r in page[1:-1] if r.size != 64]
    expected = [w for line in (card.warning, *lines) for w in wrap_to_width(line, 40, SIZE[0] - 2 * MARGIN)]
    assert shown == expected
    if look == "scale 1.5":
        assert len(pages) > 1  # too long for one screen at this size: split, not cut
    # and never in the middle of a sentence: each line's rows are on one page
    page_of = [number for number, page in enumerate(pages) for r in page[1:-1] if r.size != 64]
    for line in (card.warning, *lines):
        count = len(wrap_to_width(line, 40, SIZE[0] - 2 * MARGIN))
        assert len(set(page_of[:count])) == 1, line
        page_of = page_of[count:]


# -- a guided session ends on a card, after everything is stored -----------------------------------


class _StoreWatch:
    """At each frame: what the store holds, read over its own connection (as another program would),
    and a fingerprint of the picture on the window."""

    def __init__(self, path: Path) -> None:
        self.store = Store.open(path)
        self.seen: dict[int, tuple[tuple[str, ...], tuple[tuple[str, float], ...]]] = {}
        self.pictures: list[int] = []
        self.display: PatientAtWindow | None = None

    def __call__(self, frame: int) -> None:
        visits = tuple(v.status for v in self.store.visits("P1"))
        pains = tuple((r.moment, float(r.value)) for r in self.store.ratings("P1", "pain"))
        self.seen[frame] = (visits, pains)
        assert self.display is not None
        self.pictures.append(hash(pygame.image.tobytes(self.display.surface, "RGB")))

    def card_frames(self) -> list[int]:
        """The frames (numbered from 1) showing the last picture: the closing card's."""
        last = len(self.pictures)
        first = last
        while first > 1 and self.pictures[first - 2] == self.pictures[-1]:
            first -= 1
        return list(range(first, last + 1))


def _context(store, display, ask_pain=lambda moment, hand: 2.0, open_source=None, input_url="sim", **more):
    """A guided session's context on the test's day: simulated input unless ``open_source`` is given."""
    return SessionContext(
        store=store,
        games=available_games(),
        open_source=open_source or source_opener("sim", True, [], 1),
        display=display,
        make_clock=SimulatedClock,
        ask_pain=ask_pain,
        now_iso=lambda: "2026-11-02T10:00:00+00:00",
        today="2026-11-02",
        say=lambda line: None,
        scenes=SceneTimes(1.0, 0.5, 0.0),
        input_url=input_url,
        **more,
    )


def _session(tmp_path, pains, sets=1):
    """A session on a real window, Enter pressed at every frame (only a card takes keys here)."""
    path = tmp_path / DB_FILENAME
    store = Store.open(path)
    assign(store, "P1", parse_text(PLAN.format(sets=sets)), "2026-11-02T09:00:00+00:00", "2026-11-02", "plan")
    watch = _StoreWatch(path)
    display = watch.display = PatientAtWindow(press_from=1, watch=watch)
    answers = dict(pains)
    ctx = _context(store, display, lambda moment, hand: answers.get(moment), card_s=math.inf)
    result = run_session(ctx, "P1")
    return result, display, watch, store


def test_pain_too_high_to_start_is_said_on_a_card_after_it_is_stored(tmp_path):
    result, display, watch, store = _session(tmp_path, {"before": 8.0})
    assert result.status == "not_started"
    card = end_card(result)
    assert card.title == "Rest today" and "Your pain is 8 out of 10" in card.warning
    assert _rows_shown(display.last, layout(card, SIZE)[0])
    _shot(display.last, "session_rest_today")
    # the card is the only thing drawn: at every frame of it the rating and the visit are stored
    assert display.frames >= GUARD_S * FPS
    assert all(watch.seen[f] == (("not_started",), (("before", 8.0),)) for f in range(1, display.frames + 1))
    store.close()


def test_pain_rising_ends_on_a_safety_card_with_what_was_done(tmp_path):
    result, display, watch, store = _session(tmp_path, {"before": 3.0, "during": 5.0}, sets=2)
    assert result.status == "stopped_for_pain"
    card = end_card(result)
    assert card.title == "We stopped to keep you safe"
    assert "Your pain went from 3 to 5 out of 10, so we stopped here to keep you safe" in card.warning
    assert card.lines[0].startswith("Mini-squat: 3 movements,")
    assert _rows_shown(display.last, layout(card, SIZE)[0])
    _shot(display.last, "session_stopped_for_pain")
    frames = watch.card_frames()
    assert len(frames) >= GUARD_S * FPS  # Enter is pressed at every frame: it closes once a key counts
    for frame in frames:
        assert watch.seen[frame] == (("stopped",), (("before", 3.0), ("during", 5.0)))
    store.close()


def test_every_session_ends_on_a_session_complete_card_after_everything_is_stored(tmp_path):
    result, display, watch, store = _session(tmp_path, {"before": 2.0, "after": 3.0})
    assert result.status == "completed"
    card = end_card(result)
    assert card.title == "Session complete" and card.warning == ""
    reps = result.exercises[0]
    assert card.lines == (
        f"Mini-squat: 3 movements, {reps.successes} reached your goal of 40°.",
        "Pain: 2 before, 3 after (out of 10).",
    )
    assert _rows_shown(display.last, layout(card, SIZE)[0])
    _shot(display.last, "session_complete")
    # up for GUARD_S with the session closed and both pain answers stored at every one of its frames
    frames = watch.card_frames()
    assert len(frames) >= GUARD_S * FPS
    assert all(watch.seen[f] == (("completed",), (("before", 2.0), ("after", 3.0))) for f in frames)
    # ... which was not yet so while the last set played
    assert watch.seen[frames[0] - 1][0] == ("in_progress",)
    store.close()


def test_a_device_lost_card_says_what_to_do_in_the_patients_words():
    from rehab.app.session_runner import SessionResult

    result = SessionResult("stopped", 1, message="... run it again with --resume today to carry on.")
    result.screen_message = "The camera or device stopped sending ... start today's session again to carry on."
    assert "--resume" not in end_card(result).warning


# -- the plan's notes, plain words -----------------------------------------------------------------


def test_the_plans_notes_are_on_the_instruction_card_before_the_exercise(tmp_path):
    """The notes' first line is looked for, centred, on every frame drawn until the first rep."""
    path = tmp_path / DB_FILENAME
    store = Store.open(path)
    assign(store, "P1", parse_text(PLAN.format(sets=1)), "2026-11-02T09:00:00+00:00", "2026-11-02", "plan")
    first_line = wrap_to_width(f"Remember: {NOTES}", LINE_SIZE, SIZE[0] - 2 * MARGIN)[0]
    found: list[tuple[int, int]] = []

    def look(frame: int) -> None:
        if not found and not store.reps(store.sessions("P1")[0].id if store.sessions("P1") else -1):
            top = centred_row_top(display.surface, first_line, LINE_SIZE, PALETTE.target, PALETTE.background_top)
            if top is not None:
                found.append((frame, top))
                _shot(display.surface, "instructions_with_notes")

    display = PatientAtWindow(press_from=1, watch=look)
    ctx = _context(store, display)
    assert run_session(ctx, "P1").status == "completed"
    assert found, "the plan's notes were never on screen"
    store.close()


def test_notes_make_the_instruction_card_stay_longer_to_be_read():
    info = available_games()["lift"]
    rules = PlayRules(lambda rep: None, 10.0, None, False, None, notes=NOTES)
    plain = Round.start_round(
        [], info, Exercise.for_game(info, "left"), SceneTimes(4.0, 3.0, 0.0), replace(rules, notes=""), {}
    )
    noted = Round.start_round([], info, Exercise.for_game(info, "left"), SceneTimes(4.0, 3.0, 0.0), rules, {})
    assert noted.instructions_s - plain.instructions_s == pytest.approx(0.4 * len(NOTES.split()))


@pytest.mark.parametrize("look", ["normal", "high contrast"])
def test_instruction_card_fits_with_notes_in_plain_words(look):
    if look == "high contrast":
        use_high_contrast()
    info = available_games()["neck"]
    exercise = Exercise.for_game(info, "left")
    source = _replay(info)
    rules = PlayRules(lambda rep: None, 1.0, None, False, None, notes=NOTES)
    state = Round.start_round(source, info, exercise, SceneTimes(2.0, 0.0, 0.0), rules, {})
    display = HeadlessDisplay()
    from rehab.engine.director import Screenshot

    shot = Path(os.environ.get("REHAB_SHOTS") or "/tmp") / f"instructions_neck_{look.replace(' ', '_')}.png"
    run_scenes(SimulatedClock(FPS), display, first_scene(state), Screenshot(shot, "instructions", 0.5))
    frame = pygame.image.load(str(shot))
    scene_lines = [info.description, "Turn your head", "Goal: 50 degrees. Esc stops at any time."]
    rows = instruction_layout(SIZE, "Head turns", scene_lines, NOTES)
    assert rows[0].words == "Head turns"  # the movement's plain words, not "Glider"
    assert _rows_shown(frame, rows)
    bottom = min(pygame.Rect(r.rect).top for r in _status_rows())
    for row in rows:
        box = pygame.Rect(row.rect)
        assert box.height >= 24 and box.bottom <= bottom and frame.get_rect().contains(box), row.words
        assert contrast_ratio(row.color, PALETTE.background_top) >= 4.5, row.words


def _status_rows():
    from rehab.engine.scenes import status_layout

    return status_layout(SIZE, 3.0, None)


def _replay(info):
    from devices.replay import ReplaySource

    return ReplaySource(info.simulate("left", 0), f"sim:{info.name}")


# -- summaries, the countdown, exposure's question -------------------------------------------------


def _rep(index: int, success: bool) -> RepMetrics:
    return RepMetrics(
        index=index,
        t_start=float(index),
        t_end=index + 1.0,
        start_deg=10.0,
        peak_deg=60.0,
        rom_deg=50.0,
        hold_s=1.0,
        duration_s=1.0,
        peak_velocity_dps=90.0,
        target_deg=100.0,
        success=success,
    )


@pytest.mark.parametrize(("successes", "heading"), [(0, "Lift: finished"), (1, "Lift: well done!")])
def test_the_summary_praises_only_a_goal_reached(successes, heading):
    surface = HeadlessDisplay().surface
    reps = [_rep(i, i <= successes) for i in range(1, 4)]
    draw_summary(surface, "Lift", reps, 8)
    _shot(surface, f"summary_{successes}_goals")
    words = font(64).size(heading)
    assert shows_at(surface, heading, 64, PALETTE.text, PALETTE.background_top, ((SIZE[0] - words[0]) // 2, 40))


def test_a_title_with_its_own_colon_gives_one_colon_in_the_heading():
    from rehab.engine.scenes import _heading

    assert _heading("Exposure: heights", True) == "Heights: well done!"  # not "Exposure: heights: well done!"
    assert _heading("Focus: lantern", False) == "Lantern: finished"
    assert _heading("Lift", True) == "Lift: well done!"


@pytest.mark.parametrize(("game", "countdown"), [("breathe", False), ("exposure", False), ("lift", True)])
def test_no_countdown_is_drawn_over_a_game_that_opens_on_a_question(game, countdown):
    info = available_games()[game]
    rules = PlayRules(lambda rep: None, 5.0, None, False, None)
    state = Round.start_round(
        _replay(info), info, Exercise.for_game(info, "left"), SceneTimes(1.0, 3.0, 0.0), rules, {}
    )
    limit_reached_at: list[float] = []

    class Watching(HeadlessDisplay):
        def present(self) -> None:
            # the time limit ends play, or (breathe, exposure) starts the closing question
            if not limit_reached_at and (state.leaving or state.result.ended):
                limit_reached_at.append(state.played_s)

    report = run_scenes(SimulatedClock(FPS), Watching(), first_scene(state))
    assert ("countdown" in report.frames) is countdown
    assert "play" in report.frames and limit_reached_at[0] == pytest.approx(5.0, abs=0.1)


def test_exposure_asks_on_arrival_by_the_levels_name_without_at_at():
    from games.exposure.hierarchy import load_hierarchy
    from games.exposure.rules import ExposureGame
    from rehab.engine.rating_view import PANEL, QUESTION_LEFT, draw_prompt, question_lines
    from rehab.engine.scenes import wrap

    game = ExposureGame()
    question = game.snapshot().prompt.question
    assert question == "At the foot of the tower: how anxious are you here? (SUDS 0-100)"
    surface = HeadlessDisplay().surface
    surface.fill(PALETTE.panel)
    draw_prompt(surface, game.snapshot().prompt)
    _shot(surface, "exposure_arrival_question")
    lines, size = question_lines(question)
    step = font(size).get_linesize() + 4
    for row, line in enumerate(lines):
        assert shows_at(surface, line, size, PALETTE.text, PALETTE.panel, (QUESTION_LEFT, PANEL.top + 18 + step * row))
    # every level of the shipped tower, and a plan's steps, ask a question that fits its two lines
    names = [level.name for level in load_hierarchy().levels] + ["Step 1", "A very long level name for a therapist"]
    for name in names:
        game.index, game.h = 0, replace(game.h, levels=(replace(game.h.levels[0], name=name),))
        game._ask("rate_start")
        asked = game.snapshot().prompt.question
        assert "at at" not in asked.lower() and len(wrap(asked, 34)) <= 2, asked


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_camera_that_sends_nothing_is_said_plainly_and_the_session_is_not_called_complete(tmp_path, language):
    """Seen on a real window with a video that had ended: 'Session complete' over 'Mini-squat: not
    done today (no input arrived from video:/tmp/... (is the device connected?))', in English in French."""
    from devices.replay import ReplaySource
    from rehab.core.i18n import set_language

    set_language(language)
    store = Store.open(tmp_path / DB_FILENAME)
    assign(store, "P1", parse_text(PLAN.format(sets=1)), "2026-11-02T09:00:00+00:00", "2026-11-02", "plan")
    # a camera sending nothing
    nothing = lambda info, exercise, seed: ReplaySource([], url="webcam:0")  # noqa: E731
    ctx = _context(store, HeadlessDisplay(), open_source=nothing, input_url="webcam:0")
    result = run_session(ctx, "P1")
    card = end_card(result)
    store.close()
    if language == "en":
        assert card.title == "Your exercises could not be done today"
        assert card.lines[0] == (
            "Mini-squat: not done today (the camera sent no picture: check that it is plugged in and that no "
            "other program is using it)."
        )
    else:
        assert card.title == "Vos exercices n'ont pas pu être faits aujourd'hui"
        assert "la caméra n'a envoyé aucune image" in card.lines[0]
    assert "webcam:0" not in card.lines[0] and "input" not in card.lines[0]


@pytest.mark.parametrize("camera", [False, True], ids=["simulated", "camera"])
def test_the_pain_question_gets_the_cameras_hand_only_with_a_camera(tmp_path, camera):
    """Seen on a real window with simulated input: the pain question said 'Hold a hand up at your
    number' when there was no camera to see a hand."""
    import numpy as np

    from devices.replay import ReplaySource
    from rehab.core.types import PoseFrame
    from rehab.sim.skeleton import Posture, world_points

    store = Store.open(tmp_path / DB_FILENAME)
    assign(store, "P1", parse_text(PLAN.format(sets=1)), "2026-11-02T09:00:00+00:00", "2026-11-02", "plan")
    raised = world_points(Posture(arm_elevation={"left": 170.0, "right": 0.0}))
    poses = [PoseFrame(t=i / 30, world=raised, visibility=np.ones(33)) for i in range(30 * 20)]
    hands: list = []

    def ask_pain(moment, hand):
        hands.append(hand if hand is None else hand(0.5))  # what the camera's hand points at
        return 2.0

    display = PatientAtWindow(press_from=1)
    seen = (lambda info, exercise, seed: ReplaySource(poses, url="webcam:0")) if camera else None
    ctx = _context(store, display, ask_pain, open_source=seen, input_url="webcam:0" if camera else "sim")
    run_session(ctx, "P1")
    display.close()
    store.close()
    assert hands and (all(h is not None and h > 0.9 for h in hands[:1]) if camera else all(h is None for h in hands))

"""What a patient sees in and after a game (issue 16): each mental game's own feedback and summary,
the closing rating, explicit choices by key, the input refused before play, calibration's words,
one counter and the key hints. Frames are read pixel for pixel (``tests.screen_text``)."""

from __future__ import annotations

import os
from pathlib import Path

import pygame
import pytest

from devices.replay import ReplaySource
from rehab.core.clock import SimulatedClock
from rehab.engine.director import run_scenes
from rehab.engine.display import SIZE, HeadlessDisplay
from rehab.engine.exercise import Exercise
from rehab.engine.game import SummarisesForPatient, available_games
from rehab.engine.hud import set_font_scale
from rehab.engine.palette import PALETTE, use_high_contrast
from rehab.engine.play import SceneTimes
from rehab.engine.scenes import (
    SUMMARY_TITLE_SIZE,
    PlayRules,
    Round,
    SummaryScene,
    first_scene,
    patient_summary_layout,
)
from tests.drawn_words import DrawnWords
from tests.screen_text import contrast_ratio, shows_at

FPS = 30
#: no instructions or countdown, a second of summary
SUMMARY_ONLY = SceneTimes(0.0, 0.0, 1.0)


def _shot(surface: pygame.Surface, name: str) -> None:
    folder = os.environ.get("REHAB_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        pygame.image.save(surface, str(Path(folder) / f"{name}.png"))


def _round(game: str, seconds: float = 2000.0, times: SceneTimes = SUMMARY_ONLY) -> Round:
    info = available_games()[game]
    source = ReplaySource(info.simulate("left", 0), f"sim:{game}")
    rules = PlayRules(lambda rep: None, seconds, None, False, None)
    return Round.start_round(source, info, Exercise.for_game(info, "left"), times, rules, {})


def _rows_shown(frame: pygame.Surface, rows) -> bool:
    return all(shows_at(frame, r.words, r.size, r.color, PALETTE.background_top, r.rect[:2]) for r in rows)


# -- 1. each mental game has its own feedback and summary -------------------------------------------


@pytest.mark.parametrize(
    ("game", "first_words"),
    [("breathe", "20 breaths, 6.7 a minute (aim 6)"), ("exposure", "Highest level: 3 of 6"), ("focus", "Lanterns")],
)
@pytest.mark.parametrize("look", ["normal", "high contrast", "scale 1.5"])
def test_a_mental_game_ends_on_its_own_summary_not_a_table_of_reps(game, first_words, look):
    if look == "high contrast":
        use_high_contrast()
    if look == "scale 1.5":
        set_font_scale(1.5)
    state = _round(game)
    display = HeadlessDisplay()
    report = run_scenes(SimulatedClock(FPS), display, first_scene(state))
    assert "summary" in report.frames
    frame = display.surface
    _shot(frame, f"summary_{game}_{look.replace(' ', '_')}")
    assert isinstance(state.game, SummarisesForPatient)
    rows = patient_summary_layout(SIZE, state.info.title, state.game.patient_summary())
    words = [r.words for r in rows]
    body = " ".join(r.words for r in rows if r.size != SUMMARY_TITLE_SIZE)  # a line may wrap at 1.5x
    assert body.startswith(first_words), words
    assert not any("reps" in w or "reached the goal" in w or "peak" in w for w in words), words
    assert _rows_shown(frame, rows)
    boxes = [pygame.Rect(row.rect) for row in rows]
    for row, box in zip(rows, boxes, strict=True):
        assert frame.get_rect().contains(box) and box.height >= 24, row.words
        assert contrast_ratio(row.color, PALETTE.background_top) >= 4.5, row.words
    assert not any(a.colliderect(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def test_breathe_summary_says_breaths_rate_and_stress_before_and_after():
    state = _round("breathe")
    run_scenes(SimulatedClock(FPS), HeadlessDisplay(), first_scene(state))
    lines = state.game.patient_summary().lines
    assert lines[2] == "Stress (0-10): 7 before, 3 after", lines
    assert lines[1].startswith("Breathing at the pace: ") and lines[1].endswith(" of 3:00"), lines


def test_exposure_summary_says_suds_at_the_start_peak_and_end_and_calm_time():
    state = _round("exposure")
    run_scenes(SimulatedClock(FPS), HeadlessDisplay(), first_scene(state))
    suds = [r.value for r in state.game.ratings]
    lines = state.game.patient_summary().lines
    assert lines[1] == f"Fear (SUDS 0-100): {suds[0]:g} at the start, {max(suds):g} at most, {suds[-1]:g} at the end"
    assert lines[2].startswith("Calm breathing: 0:")


def test_breaths_are_counted_but_never_told_to_go_a_little_further():
    """Breaths still count (the store keeps them as reps), but the rep feedback for joints ('Nearly
    there! Try a little further') is not said while breathing."""
    state = _round("breathe")
    seen: list[str] = []

    class Watching(HeadlessDisplay):
        def present(self) -> None:
            if state.feedback is not None:
                seen.append(state.feedback.message)

    run_scenes(SimulatedClock(FPS), Watching(), first_scene(state))
    assert len(state.result.reps) >= 10 and seen == []


def test_a_physical_game_keeps_its_table_of_reps():
    state = _round("lift")
    run_scenes(SimulatedClock(FPS), HeadlessDisplay(), first_scene(state))
    assert not isinstance(state.game, SummarisesForPatient)
    assert isinstance(SummaryScene(state), SummaryScene) and state.feedback is not None


# -- 2. the exercise's own length, and the closing rating always asked ------------------------------


def _pointer(channels: tuple[str, ...], value: float, seconds: float) -> list:
    """A patient holding still: every channel at ``value`` for ``seconds`` (every rating is the same)."""
    from rehab.core.types import JointAngles

    return [JointAngles(t=i / FPS, values=dict.fromkeys(channels, value)) for i in range(int(seconds * FPS))]


def _play(game: str, samples: list, max_seconds: float, display=None):
    from rehab.engine.play import play

    info = available_games()[game]
    return play(
        ReplaySource(samples, f"sim:{game}"),
        info,
        Exercise.for_game(info, "left"),
        SimulatedClock(FPS),
        display or HeadlessDisplay(),
        on_rep=lambda rep: None,
        max_seconds=max_seconds,
    )


def test_breathing_cut_by_the_time_limit_still_asks_stress_after():
    result = _play("breathe", _pointer(("breath", "hand"), 40.0, 600.0), max_seconds=40.0)
    moments = [(r["moment"], r["value"]) for r in result.extras["rating_list"]]
    assert moments == [("before", 4.0), ("after", 4.0)]
    assert result.ended == "time limit" and 40.0 <= result.play_s < 50.0


def test_breathing_ends_by_itself_after_its_minutes_and_the_last_question():
    result = _play("breathe", _pointer(("breath", "hand"), 40.0, 600.0), max_seconds=500.0)
    assert result.ended == "finished" and result.extras["stress_after"] == 4.0
    assert 180.0 < result.play_s < 200.0  # three minutes of breathing and two questions, not 500 s


def test_exposure_cut_by_the_time_limit_asks_suds_then_breathes_calmly():
    from games.exposure.rules import CALM_S

    result = _play("exposure", _pointer(("hand",), 40.0, 600.0), max_seconds=30.0)
    assert result.ended == "time limit"
    assert [r["moment"] for r in result.extras["rating_list"]][-1] == "after"
    assert result.extras["calm_seconds"] >= CALM_S


@pytest.mark.parametrize(
    ("game", "seconds"), [("breathe", 240.0), ("exposure", 1200.0), ("focus", 300.0), ("lift", 120.0)]
)
def test_play_lasts_the_exercise_not_120_s(game, seconds):
    assert available_games()[game].play_s == seconds


def test_rehab_play_breathe_by_default_breathes_three_minutes_and_asks_stress_after(tmp_path):
    import json

    from rehab.app.cli import main

    stats = tmp_path / "stats.json"
    assert main(["--home", str(tmp_path), "play", "breathe", "--stats", str(stats)]) == 0
    data = json.loads(stats.read_text())
    assert data["breathing_seconds"] >= 180.0 and data["stress_after"] == 3.0


# -- 3. on the keys, only Enter chooses ------------------------------------------------------------


def _keyboard_round(game: str, press_enter_from: int | None, seconds: float):
    from devices.keyboard import KeyboardSource
    from tests.screen_text import PatientAtWindow

    info = available_games()[game]
    exercise = Exercise.for_game(info, "left")
    display = PatientAtWindow(press_from=press_enter_from)
    source = KeyboardSource(exercise.angle_name, exercise.rest_deg, exercise.target_deg * 1.2, exercise.signed)
    rules = PlayRules(lambda rep: None, seconds, None, False, None)
    state = Round.start_round(source, info, exercise, SceneTimes(0.0, 0.0, 0.0), rules, {})
    return state, display


@pytest.mark.parametrize(("game", "kind"), [("breathe", "stress"), ("exposure", "suds")])
def test_on_the_keys_a_rating_waits_for_enter_however_long_the_marker_rests(game, kind):
    state, display = _keyboard_round(game, press_enter_from=10 * FPS, seconds=11.0)
    try:
        run_scenes(SimulatedClock(FPS), display, first_scene(state))
    finally:
        display.close()
    first = state.game.ratings[0]
    # the marker rested at 0 for ten seconds: nothing was chosen until Enter
    assert first.kind == kind and first.value == 0.0 and first.t >= 10.0 - 1 / FPS
    prompt = state.game.snapshot().prompt
    assert prompt is None or prompt.by_keys


def test_the_keys_question_says_up_down_then_enter():
    from games.breathe.rules import BreatheGame
    from rehab.engine.rating_view import draw_prompt

    game = BreatheGame()
    game.answer_by_keys()
    view = game.snapshot().prompt
    assert view.by_keys and game.snapshot().message == ""  # the panel says it, once
    surface = HeadlessDisplay().surface
    surface.fill(PALETTE.panel)
    with DrawnWords() as drawn:
        draw_prompt(surface, view)
    assert "Up / Down, then Enter" in drawn.rows()
    _shot(surface, "keys_prompt")
    from rehab.engine.hud import font
    from rehab.engine.rating_view import LABEL_SIZE, PANEL

    hint = "Up / Down, then Enter"
    width, height = font(LABEL_SIZE).size(hint)
    centre_x, ring_bottom = PANEL.left + 470, PANEL.top + 245 + 95
    assert shows_at(surface, hint, LABEL_SIZE, PALETTE.muted, PALETTE.panel, (centre_x - width // 2, ring_bottom + 10))
    assert height >= 24 and contrast_ratio(PALETTE.muted, PALETTE.panel) >= 4.5


def test_a_raised_hand_still_chooses_by_holding_still():
    """The dwell is for a raised hand (camera, replay): it still chooses there."""
    result = _play("exposure", _pointer(("hand",), 40.0, 20.0), max_seconds=10.0)
    assert result.extras["rating_list"][0]["value"] == 40.0 and result.extras["rating_list"][0]["t"] < 4.0


def test_on_the_keys_resting_at_the_top_does_not_stop_exposure():
    from games.exposure.rules import ExposureGame
    from rehab.core.types import Controls

    game = ExposureGame()
    game.answer_by_keys()
    middle = Controls(t=0.0, level=0.5, angle_deg=50.0, tracking=True)
    top = Controls(t=0.0, level=1.2, angle_deg=120.0, tracking=True)
    game.update(0.1, middle)
    game.choose()
    game.update(0.1, middle)  # Enter on the arrival question: SUDS 50
    assert [r.value for r in game.ratings] == [50.0]
    for _ in range(100):
        game.update(0.1, top)  # ten seconds resting at the top of the keys' range
    assert game.stops == 0 and game.snapshot().message == "Take your time. Esc stops and rests"


# -- 6. one counter, key hints, the safety limit on the gauge --------------------------------------


@pytest.mark.parametrize(
    ("game", "snapshot_module", "count"),
    [("lift", "games.lift.draw:draw_lift", "lifted"), ("tilt", "games.tilt.draw:draw_tilt", "scored")],
)
def test_a_game_draws_no_second_count_of_the_movements_beside_the_huds_reps(game, snapshot_module, count):
    """Lift's 'On the shelf: 4' and Tilt's 'Cups 3' counted the same movements as the HUD's reps by
    other rules, and disagreed with it: the frame is now the same whatever the game's own count."""
    from dataclasses import replace

    from rehab.engine.game import Imported

    state = _round(game, seconds=8.0)
    run_scenes(SimulatedClock(FPS), HeadlessDisplay(), first_scene(state))
    snapshot = state.game.snapshot()
    draw = Imported(snapshot_module).resolve()
    pictures = []
    for n in (3, 4):
        surface = HeadlessDisplay().surface
        draw(surface, replace(snapshot, **{count: n}))
        pictures.append(pygame.image.tobytes(surface, "RGB"))
    assert pictures[0] == pictures[1]


def _hud(**changes):
    from rehab.engine.hud import HudState

    values = dict(
        reps_done=2,
        reps_planned=8,
        elapsed_s=12.0,
        angle_label="knee flexion right",
        angle_deg=30.0,
        target_deg=40.0,
        rest_deg=0.0,
        best_deg=35.0,
        ceiling_deg=70.0,
    )
    values.update(changes)
    return HudState(**values)


@pytest.mark.parametrize("look", ["normal", "high contrast"])
def test_the_safety_limit_is_drawn_and_named_on_the_gauge(look):
    import numpy as np

    from rehab.engine.hud import LABEL_SIZE, draw_hud, font, gauge_rect, gauge_y

    if look == "high contrast":
        use_high_contrast()
    surface = HeadlessDisplay().surface
    surface.fill(PALETTE.background_top)
    draw_hud(surface, _hud())
    _shot(surface, f"gauge_limit_{look.replace(' ', '_')}")
    width, _ = surface.get_size()
    column = pygame.surfarray.array3d(surface)[width - 39]
    rows = np.nonzero(np.all(column == PALETTE.limit, axis=1))[0]
    limit_y = gauge_y(_hud(), gauge_rect(surface.get_size()), 70.0)
    assert len(rows) == 4 and limit_y in rows  # the limit's line, 4 px thick, across the gauge at 70°
    label = pygame.Rect((0, 0), font(LABEL_SIZE).size("limit"))
    label.midright = (width - 80 - 14, limit_y)
    assert shows_at(surface, "limit", LABEL_SIZE, PALETTE.limit, PALETTE.panel, label.topleft)
    assert label.height >= 24 and contrast_ratio(PALETTE.limit, PALETTE.panel) >= 4.5
    # no limit, no line
    surface.fill(PALETTE.background_top)
    draw_hud(surface, _hud(ceiling_deg=float("inf")))
    column = pygame.surfarray.array3d(surface)[width - 39]
    assert not np.all(column == PALETTE.limit, axis=1).any()


@pytest.mark.parametrize(
    ("game", "hint"),
    [
        ("lift", "Up/Down move, P pause, Esc stop"),
        ("tilt", "Left/Right move, P pause, Esc stop"),
        ("breathe", "P pause, Esc stop"),
    ],
)
def test_keyboard_play_shows_which_keys_do_what(game, hint):
    from rehab.engine.hud import KEYS_HINT_SIZE, keys_hint_rect

    state, display = _keyboard_round(game, press_enter_from=None, seconds=2.0)
    try:
        run_scenes(SimulatedClock(FPS), display, first_scene(state))
        frame = display.last
        assert frame is not None
        _shot(frame, f"keys_hint_{game}")
        clock = pygame.Rect(0, 0, 0, 0)
        box = keys_hint_rect(frame.get_size(), hint, clock)
        assert shows_at(frame, hint, KEYS_HINT_SIZE, PALETTE.text, PALETTE.panel, box.topleft)
        assert box.height >= 24 and contrast_ratio(PALETTE.text, PALETTE.panel) >= 4.5
    finally:
        display.close()


def test_no_key_hint_for_a_camera_or_a_replay():
    state = _round("lift", seconds=1.0)
    assert not state.by_keys


# -- 5. calibration asks for the comfortable range, with no goal -----------------------------------


def _knee_bends(peak: float, count: int = 3) -> list:
    from rehab.engine.scripted_motion import MotionScript, simulate_angles

    return simulate_angles([MotionScript("knee_flexion_left", 5.0, [peak] * count)], seed=0)


def test_squat_calibration_shows_no_goal_and_never_says_not_so_deep_short_of_the_limit():
    """Calibration said 'move as far as is comfortable' beside 'Goal: 38 degrees', and squat said
    'Not so deep!' at 44 degrees with a 70-degree ceiling."""
    from rehab.engine.calibration import calibration_exercise

    info = available_games()["squat"]
    exercise = calibration_exercise(info, "left", 70.0)
    rules = PlayRules(lambda rep: None, 60.0, 3, False, None)
    source = ReplaySource(_knee_bends(44.0), "sim:squat")
    state = Round.start_round(source, info, exercise, SceneTimes(1.0, 0.0, 0.0), rules, {})
    messages: set[str] = set()
    instruction_lines: list[str] = []

    class Watching(HeadlessDisplay):
        def present(self) -> None:
            messages.add(state.hud_state(state.game.snapshot()).message)

    scene = first_scene(state)
    instruction_lines = list(scene.lines)
    run_scenes(SimulatedClock(FPS), Watching(), scene)
    assert len(state.result.reps) == 3
    assert not any("Goal" in line for line in instruction_lines), instruction_lines
    assert "We measure your range: there is no goal yet. Esc stops at any time." in instruction_lines
    assert "Move as far as is comfortable, then back" in messages
    assert {"Movement 1 of 3: thank you.", "Movement 2 of 3: thank you."} <= messages
    said = " ".join(messages).lower()
    assert "deep" not in said and "further" not in said and "nearly there" not in said, messages
    assert not state.hud_state(state.game.snapshot()).goal


def test_calibration_draws_the_limit_but_no_goal_on_the_gauge(tmp_path):
    import numpy as np

    from rehab.engine.calibration import measure_range

    info = available_games()["squat"]
    shots: list[pygame.Surface] = []

    class Keeping(HeadlessDisplay):
        def present(self) -> None:
            shots.append(self.surface.copy())

    measured = measure_range(
        ReplaySource(_knee_bends(44.0), "sim:squat"),
        info,
        "left",
        70.0,
        SimulatedClock(FPS),
        Keeping(),
        SceneTimes(0.0, 0.0, 0.0),
        "Mini-squat",
    )
    assert measured is not None and measured.movements == 3 and 40.0 < measured.peak_deg < 48.0
    frame = shots[len(shots) // 2]
    _shot(frame, "calibration_squat")
    width, _ = frame.get_size()
    column = pygame.surfarray.array3d(frame)[width - 39]
    assert np.all(column == PALETTE.limit, axis=1).sum() == 4
    assert not np.all(column == PALETTE.target, axis=1).any()


# -- 4. an input that cannot give the game's movement ----------------------------------------------

REHAB = str(Path(__import__("sys").executable).with_name("rehab"))


def _raw_imu(seconds: float) -> list:
    """A single IMU's own samples, before (or without) any segment's angles: orientation only."""
    from rehab.core.types import ImuSample

    return [
        ImuSample(i / 50, "witmotion", euler_deg=(0.5, 1.0, 2.0), quaternion=(1.0, 0.0, 0.0, 0.0))
        for i in range(int(seconds * 50))
    ]


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("witmotion:/dev/ttyUSB0?segment=trunk", "Hold still in your start position for a moment"),
        ("webcam:0", "We cannot see you. Step back into view of the camera."),
        ("thinkgear:/dev/rfcomm0", "Waiting for the headset"),
    ],
)
def test_nothing_measured_yet_is_explained_in_the_inputs_own_words(url, words):
    """An IMU waiting for its still start position was told to step back into view of the camera."""
    from rehab.engine.scenes import pause_banner_layout

    info = available_games()["tilt"]
    rules = PlayRules(lambda rep: None, 3.0, None, False, None)
    source = ReplaySource(_raw_imu(10.0), url)
    state = Round.start_round(source, info, Exercise.for_game(info, "left"), SceneTimes(0.0, 0.0, 0.0), rules, {})
    display = HeadlessDisplay()
    run_scenes(SimulatedClock(FPS), display, first_scene(state))
    assert state.pause_reason().startswith(words)
    frame = display.surface
    _shot(frame, f"paused_{url.partition(':')[0]}")
    rows = pause_banner_layout(frame.get_size(), state.pause_reason())
    assert all(shows_at(frame, r.words, r.size, r.color, PALETTE.panel, r.rect[:2]) for r in rows)
    for row in rows:
        box = pygame.Rect(row.rect)
        assert box.height >= 24 and frame.get_rect().contains(box), row.words
        assert contrast_ratio(row.color, PALETTE.panel) >= 4.5


def _rehab(home: Path, *args: str):
    import subprocess

    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy", "REHAB_HOME": str(home)}
    return subprocess.run([REHAB, "play", *args], capture_output=True, text=True, timeout=120, env=env)


@pytest.mark.parametrize(
    ("game", "url", "gives"),
    [
        (
            "tilt",
            "witmotion:/dev/ttyUSB0?segment=forearm_left",
            "gives wrist_pronation_left, not trunk_lateral_flexion",
        ),
        ("tilt", "witmotion:/dev/ttyUSB0", "gives raw IMU orientation only, not trunk_lateral_flexion"),
        ("focus", "witmotion:/dev/ttyUSB0", "gives raw IMU orientation only, not meditation"),
    ],
)
def test_rehab_play_refuses_a_live_input_that_cannot_give_the_games_movement(tmp_path, game, url, gives):
    done = _rehab(tmp_path, game, "--input", url)
    assert done.returncode == 2 and done.stdout == ""
    [line] = done.stderr.strip().splitlines()
    assert gives in line and f"which {game} needs" in line and "Traceback" not in line, line


def test_rehab_play_refuses_a_single_imu_recording_instead_of_counting_nothing(tmp_path):
    from devices.jsonl import write_recording

    recording = tmp_path / "one-imu.jsonl"
    write_recording(recording, _raw_imu(20.0))
    done = _rehab(tmp_path, "tilt", "--input", f"replay:{recording}")
    assert done.returncode == 2, done.stdout
    [line] = done.stderr.strip().splitlines()
    assert "gives raw IMU orientation only, not trunk_lateral_flexion (bend sideways), which tilt needs" in line
    assert not (tmp_path / "progress.db").exists() or "Stored as session" not in done.stdout


@pytest.mark.parametrize(
    ("game", "url"),
    [
        ("tilt", "witmotion:/dev/ttyUSB0?segment=trunk"),
        ("neck", "witmotion:/dev/ttyUSB0?segment=head"),
        ("lift", "joint:elbow_left?proximal=witmotion:/dev/ttyUSB0&distal=witmotion:/dev/ttyUSB1"),
        ("breathe", "witmotion:/dev/ttyUSB0"),
        ("focus", "thinkgear:/dev/rfcomm0"),
        ("lift", "webcam:0"),
    ],
)
def test_inputs_that_give_the_movement_pass(game, url):
    from rehab.app.input_fit import input_problem

    info = available_games()[game]
    assert input_problem(url, info, Exercise.for_game(info, "left").angle_name) is None


def test_tilt_lists_no_imu_input_that_gives_it_nothing():
    from rehab.app.input_fit import input_problem

    tilt = available_games()["tilt"]
    assert not any("forearm" in way or "wrist" in way for way in tilt.inputs)
    assert input_problem("witmotion:/dev/ttyUSB0?segment=forearm_left", tilt, "trunk_lateral_flexion") is not None


def test_an_imu_player_is_not_told_the_game_cannot_see_their_arm():
    info = available_games()["lift"]
    rules = PlayRules(lambda rep: None, 3.0, None, False, None)
    source = ReplaySource(
        _raw_imu(10.0), "joint:elbow_left?proximal=witmotion:/dev/ttyUSB0&distal=witmotion:/dev/ttyUSB1"
    )
    state = Round.start_round(source, info, Exercise.for_game(info, "left"), SceneTimes(0.0, 0.0, 0.0), rules, {})
    run_scenes(SimulatedClock(FPS), HeadlessDisplay(), first_scene(state))
    assert "see your arm" in state.game.snapshot().message  # the game's own words, for a camera
    assert state.hud_state(state.game.snapshot()).message == ""


KNEE_PLAN = """\
title = "Knee"
patient = "P1"
sessions_per_week = 5

[[exercise]]
name = "Mini-squat"
game = "squat"
movement = "knee_flexion"
side = "right"
sets = 1
reps = 3
target_deg = 40
ceiling_deg = 70
"""


def test_a_session_refuses_an_input_none_of_its_exercises_can_use_before_asking_anything(tmp_path):
    import subprocess

    from progress.store import DB_FILENAME, Store

    (tmp_path / "plan.toml").write_text(KNEE_PLAN)
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    home = ["--home", str(tmp_path)]
    assigned = subprocess.run([REHAB, *home, "plan", "assign", str(tmp_path / "plan.toml"), "--patient", "P1"], env=env)
    assert assigned.returncode == 0
    url = "witmotion:/dev/ttyUSB0?segment=forearm_left"
    done = subprocess.run(
        [
            REHAB,
            *home,
            "session",
            "start",
            "--patient",
            "P1",
            "--input",
            url,
            "--headless",
            "--pain-before",
            "2",
            "--pain-after",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert "gives wrist_pronation_left, not knee_flexion_right (bend your knee), which squat needs" in line, line
    store = Store.open(tmp_path / DB_FILENAME)
    try:
        assert store.sessions("P1") == [] and store.ratings("P1") == []
    finally:
        store.close()


def test_breathing_screen_words_are_24_px_and_read_at_4_5_to_1_on_what_is_behind_them():
    """'2:07 left' was grey on the growing teal circle (about 2:1), the chart's key 16 px."""
    from games.breathe.draw import CENTRE, TEXT_SIZE, chart_and_numbers, draw_breathe
    from rehab.engine.hud import font

    state = _round("breathe", seconds=60.0, times=SceneTimes(0.0, 0.0, 0.0))
    kept = []

    class Keeping(HeadlessDisplay):
        def present(self) -> None:
            snapshot = state.game.snapshot()
            if snapshot.phase == "breathe" and snapshot.breaths >= 5 and not kept:
                kept.append(snapshot)

    run_scenes(SimulatedClock(FPS), Keeping(), first_scene(state))
    [snap] = kept
    surface = HeadlessDisplay().surface
    draw_breathe(surface, snap)
    _shot(surface, "breathe_words")
    left = f"{int(snap.remaining_s + 0.999) // 60}:{int(snap.remaining_s + 0.999) % 60:02d} left"
    width, height = font(TEXT_SIZE).size(left)
    assert shows_at(surface, left, TEXT_SIZE, PALETTE.text, PALETTE.panel, (CENTRE[0] - width // 2, CENTRE[1] + 40))
    assert height >= 24 and contrast_ratio(PALETTE.text, PALETTE.panel) >= 4.5
    pixels = pygame.surfarray.array3d(surface)
    chart, numbers_top, row_height = chart_and_numbers(surface.get_size())
    for words, color, x, y in [
        ("the circle", (140, 190, 196), chart.left + 12, chart.bottom + 6),
        ("Breaths", PALETTE.text, chart.left, numbers_top),
        ("On pace", PALETTE.text, chart.left, numbers_top + row_height * 3),
    ]:
        # the sky's gradient behind the words, from their top to their foot (it changes in 6 px bands)
        behind = {tuple(int(v) for v in pixels[x - 4, y + dy]) for dy in range(font(TEXT_SIZE).get_height())}
        assert min(contrast_ratio(color, b) for b in behind) >= 4.5, (words, behind)
        assert font(TEXT_SIZE).size(words)[1] >= 24


def test_exposure_and_focus_words_are_24_px_and_fit_their_panels():
    """The level card's words were 15-20 px ('Level 1 of 6', the description, the curve's key)."""
    from games.exposure import draw as exposure_draw
    from games.exposure.hierarchy import load_hierarchy
    from games.focus import draw as focus_draw
    from rehab.engine.hud import font
    from rehab.engine.scenes import wrap

    for module in (exposure_draw, focus_draw):
        assert font(module.TEXT_SIZE).get_height() >= 24
    card = exposure_draw.CARD
    inside = card.width - 2 * 18
    for level in load_hierarchy().levels:
        for line in [f"Level {level.name}", *wrap(level.description, 27)[:3], "Here 12:59   SUDS now 100"]:
            assert font(exposure_draw.TEXT_SIZE).size(line)[0] <= inside, line
    assert 18 + 42 + font(exposure_draw.TEXT_SIZE).size("your fear (SUDS) here")[0] <= card.width
    for words in ("Calm time", "Lanterns"):
        left = focus_draw.PANEL.left + 24 + 40 + 70
        assert left + font(focus_draw.TEXT_SIZE).size(words)[0] <= focus_draw.PANEL.right, words


def test_a_second_esc_during_the_calm_breathing_leaves_at_once():
    """Esc leads to the exit SUDS and a minute of calm breathing; Esc again leaves then and there."""
    frames = {"n": 0}

    class EscTwice(HeadlessDisplay):
        quit_presses = 0

        def present(self) -> None:
            frames["n"] += 1
            if frames["n"] == 20 * FPS:
                self.quit_presses = 1  # the first Esc: the exit question, then calm breathing
            if frames["n"] == 40 * FPS:
                self.quit_presses = 2  # the second, twenty seconds later

        def quit_requested(self) -> bool:
            return self.quit_presses > 0

    result = _play("exposure", _pointer(("hand",), 40.0, 600.0), max_seconds=500.0, display=EscTwice())
    assert result.ended == "stopped by the player"
    assert 0.0 < result.extras["calm_seconds"] < 20.0 and 39.0 < result.play_s < 41.0

"""The patient's home screen, run on a real SDL window (dummy driver) with events posted to
pygame's queue by a simulated patient (``tests/home_screen_robot.py``) and a real SQLite store:
the first run to a finished simulated session and back home, the resume question, progress,
settings, and the hand pointer's dwell."""

from __future__ import annotations

import os
from pathlib import Path

import pygame
import pytest

from progress.store import DB_FILENAME, Store
from rehab.app.home_screen.settings import load_settings
from rehab.app.plan_versions import assign
from rehab.app.plans import parse_text
from rehab.engine.display import SIZE
from rehab.engine.hud import set_font_scale
from rehab.engine.palette import use_high_contrast
from tests.home_screen_robot import FPS, RobotWindow, start

PLAN = """\
title = "Knee, test plan"
patient = "Marie"
sessions_per_week = 5
notes = "Hold a stable chair."

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


def _shot(window: RobotWindow, name: str, colors: int = 16) -> None:
    """The frame drawn last, into $REHAB_HOME_SHOTS (docs/home/) when set."""
    folder = os.environ.get("REHAB_HOME_SHOTS")
    if folder:
        from tests.test_home_screen_layout import save_small

        save_small(window.surface, Path(folder) / f"{name}.png", colors)


def _give_plan(store: Store, patient: str) -> None:
    plan = parse_text(PLAN.replace("Marie", patient))
    assign(store, patient, plan, "2026-12-07T09:00:00+00:00", "2026-12-07", "test")


class FirstRunPatient:
    """Goes through the first run by keyboard and mouse, finds no plan, gets one (as a sync would
    bring it), starts today's session, answers everything with Enter, and closes the home screen
    once back on it after the session."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.no_plan_said = ""
        self.measure_said = ""
        self.plan_given = False
        self.session_frames = 0

    def __call__(self, window: RobotWindow) -> None:
        if not window.in_home:
            self.session_frames += 1
            if self.session_frames % 20 == 0:
                window.key(pygame.K_RETURN)  # pain 0, cards closed: whatever the session asks
            return
        state = window.state
        if not self.seen or self.seen[-1] != state.screen:
            self.seen.append(state.screen)
        elif window.frames % 5:
            return  # one thing at a time, as a person would
        screen = state.screen
        if screen == "welcome":
            window.key(pygame.K_RETURN)
        elif screen == "first_link":
            window.click("first_link_no")
        elif screen == "first_name" and not state.typed:
            window.type("Marie")
        elif screen == "first_name":
            window.key(pygame.K_RETURN)
        elif screen == "first_camera":
            window.click("first_camera_skip")
        elif screen == "first_measure":
            self.measure_said = " ".join(line.words for line in state.content().lines)
            window.key(pygame.K_RETURN)  # "Next": no plan, nothing to measure
        elif screen == "first_done":
            window.click("first_done")
        elif screen == "home" and not self.plan_given and "info" not in self.seen:
            window.click("start")
        elif screen == "info" and not self.plan_given:
            self.no_plan_said = " ".join(state.info_lines)
            _give_plan(window.loop.services.store, state.facts.patient)
            self.plan_given = True
            window.click("ok")
        elif screen == "home" and self.plan_given and not self.session_frames:
            window.click("start")
        elif screen == "home" and self.session_frames:
            pygame.event.post(pygame.event.Event(pygame.QUIT))


def test_first_run_to_a_finished_session_and_back_home(tmp_path):
    patient = FirstRunPatient()
    window, services = start(tmp_path, patient)
    window.loop.run()
    store = services.store
    assert patient.seen[:7] == [
        "welcome", "first_link", "first_name", "first_camera", "first_measure", "first_done", "home"
    ]  # fmt: skip
    assert patient.measure_said.startswith("Your exercise plan has not come yet.")
    assert len(store.calibrations("Marie")) == 1  # nothing measured in the first run: the session measured
    assert "no exercise plan" in patient.no_plan_said
    assert [p.id for p in store.patients()] == ["Marie"]
    assert load_settings(tmp_path).patient == "Marie"
    sessions = store.sessions("Marie")
    assert [s.status for s in sessions] == ["completed"]
    assert len(store.reps(sessions[0].id)) == 3
    assert patient.session_frames > FPS  # the session was played on the window
    assert window.state.screen == "home" and window.state.facts.patient == "Marie"
    services.close()


# -- the resume question -----------------------------------------------------------------------------


def _interrupted_home(tmp_path) -> None:
    """A home whose guided session was cut after its first store write (a kill, a power cut)."""
    from rehab.app.home_screen.actions import now_iso
    from rehab.app.home_screen.settings import HomeSettings, save_settings

    store = Store.open(tmp_path / DB_FILENAME)
    try:
        store.ensure_patient("P-0042", now_iso())
        _give_plan(store, "P-0042")
        plan = store.latest_plan_version("P-0042")
        visit = store.start_visit("P-0042", now_iso(), plan.id)
        store.start_session(
            "P-0042", now_iso(), "squat", "knee_flexion_right", "right", "sim", 40, plan_id=plan.id, kind="physical",
            visit_id=visit,
        )  # fmt: skip
    finally:
        store.close()
    save_settings(tmp_path, HomeSettings(patient="P-0042"))


class ResumingPatient:
    """Presses Start, answers the question on screen with ``answer``, plays the session out."""

    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.asked: list[str] = []
        self.session_frames = 0

    def __call__(self, window: RobotWindow) -> None:
        if not window.in_home:
            self.session_frames += 1
            if self.session_frames % 20 == 0:
                window.key(pygame.K_RETURN)
            return
        if window.frames % 5:
            return
        state = window.state
        if state.screen == "home" and not self.asked:
            window.click("start")
        elif state.screen == "resume":
            self.asked.append(state.content().title)
            window.click(self.answer)
        elif state.screen == "home":
            pygame.event.post(pygame.event.Event(pygame.QUIT))


@pytest.mark.parametrize("answer", ["resume_yes", "resume_no"])
def test_after_an_interruption_the_screen_asks_to_carry_on(tmp_path, answer):
    _interrupted_home(tmp_path)
    patient = ResumingPatient(answer)
    window, services = start(tmp_path, patient)
    assert "you stopped early last time" in window.state.content().buttons[0].detail
    window.loop.run()
    assert patient.asked == ["Carry on where you stopped?"]
    statuses = [s.status for s in services.store.sessions("P-0042")]
    if answer == "resume_yes":
        # carried on in the same store session, as 'rehab session start --resume' does
        assert statuses == ["completed"]
    else:
        # the cut session is closed as interrupted and today's starts again
        assert statuses == ["interrupted", "completed"]
    assert len(services.store.reps(services.store.sessions("P-0042")[-1].id)) == 3
    services.close()


# -- progress ----------------------------------------------------------------------------------------


def test_progress_after_sessions_shows_each_movement_its_best_and_the_goal(tmp_path):
    from datetime import date, timedelta

    from rehab.app.home_screen import screens
    from rehab.app.home_screen.progress_view import read_progress
    from rehab.sim.history import make_history

    today = date(2026, 12, 7)
    store = Store.open(tmp_path / DB_FILENAME)
    try:
        make_history(store, "P-0042", today - timedelta(days=41), days=42, kind="physical")
        progress = read_progress(store, "P-0042", today)
        # worked out here from the stored reps: the best of the last 14 days per movement
        first = (today - timedelta(days=13)).isoformat()
        movement_of = {s.id: s.movement for s in store.sessions_between("P-0042", first, today.isoformat())}
        expected: dict[str, float] = {}
        for rep in store.reps_between("P-0042", first, today.isoformat()):
            if rep.peak_deg is not None and not rep.over_ceiling and rep.session_id in movement_of:
                name = movement_of[rep.session_id]
                expected[name] = max(expected.get(name, 0.0), abs(rep.peak_deg))
        goals = store.latest_plan_version("P-0042").body["goals_deg"]
    finally:
        store.close()
    shown = {m.angle_name: m for m in progress.movements}
    assert set(shown) == set(expected) and "knee_flexion_right" in shown
    knee = shown["knee_flexion_right"]
    assert knee.words == "Bend your knee, right side"
    assert knee.best_deg == pytest.approx(expected["knee_flexion_right"])
    assert knee.goal_deg == goals["knee_flexion_right"] == 105.0
    assert progress.streak_days >= 1
    from rehab.app.home_screen.facts import HomeFacts

    lines = [line.words for line in screens.progress(HomeFacts("P-0042", progress=progress)).lines]
    assert (
        f"Best {knee.best_deg:.0f}° of your goal of 105°" in lines
        or f"Best {knee.best_deg:.0f}°: goal of 105° reached" in lines
    )
    assert "Bend your knee, right side" in lines


def test_progress_after_a_session_played_from_the_home_screen(tmp_path):
    from rehab.app.home_screen import screens

    patient = FirstRunPatient()
    window, services = start(tmp_path, patient)
    window.loop.run()
    store = services.store
    reps = store.reps(store.sessions("Marie")[0].id)
    best = max(abs(r.peak_deg) for r in reps if not r.over_ceiling)
    content = screens.progress(window.state.facts)
    words = [line.words for line in content.lines]
    assert words[0] == "You exercised 1 day. Keep it up!"
    assert words[1] == "Bend your knee, right side"
    assert words[2] in (f"Best {best:.0f}° of your goal of 40°", f"Best {best:.0f}°: goal of 40° reached")
    services.close()


# -- settings ----------------------------------------------------------------------------------------


def test_settings_are_kept_owner_only_and_apply_to_every_screen(tmp_path):
    import stat

    from rehab.app.home_screen.settings import settings_path
    from rehab.engine.hud import font
    from rehab.engine.palette import PALETTE

    _interrupted_home(tmp_path)
    presses = ["settings", "text_size", "text_size", "contrast", "sound", "input", "hand", "back"]

    def robot(window: RobotWindow) -> None:
        if window.frames % 5:
            return
        if presses and not window.shows(presses[0]):
            window.click("_more")  # the largest text puts the last settings on a second page
        elif presses:
            window.click(presses.pop(0))
        else:
            pygame.event.post(pygame.event.Event(pygame.QUIT))

    window, services = start(tmp_path, robot)
    normal_label_h = font(44).get_height()
    window.loop.run()
    services.close()
    saved = load_settings(tmp_path)
    assert (saved.text_size, saved.high_contrast, saved.sound, saved.input) == ("Largest", True, False, "keyboard")
    assert saved.hand_pointer
    assert saved.patient == "P-0042"
    assert stat.S_IMODE(settings_path(tmp_path).stat().st_mode) == 0o600
    # applied: the text is drawn larger and in high contrast from then on
    assert font(44).get_height() > normal_label_h * 1.4
    assert PALETTE.text == (255, 255, 255) and PALETTE.background_top == (0, 0, 0)
    # and kept for next time: a new home screen opens with them
    set_font_scale(1.0)
    use_high_contrast(False)
    window.close()
    window, services = start(tmp_path, lambda w: pygame.event.post(pygame.event.Event(pygame.QUIT)))
    assert font(44).get_height() > normal_label_h * 1.4 and PALETTE.text == (255, 255, 255)
    assert window.state.settings.input == "keyboard"
    services.close()


def test_a_damaged_settings_file_reads_as_the_defaults(tmp_path):
    from rehab.app.home_screen.settings import HomeSettings, settings_path

    settings_path(tmp_path).write_text('{"text_size": "Huge", "sound": "yes", "patient": "../x"}')
    assert load_settings(tmp_path) == HomeSettings()
    settings_path(tmp_path).write_text("not json")
    assert load_settings(tmp_path) == HomeSettings()


# -- the hand pointer, and keyboard users ------------------------------------------------------------


class HandAt:
    """A simulated patient's pose with the right index finger at a point of the screen (the camera
    sees a mirror image of what the patient sees)."""

    def __init__(self, size: tuple[int, int]) -> None:
        self.size = size
        self.point: tuple[float, float] | None = None

    def latest(self, now: float):
        import numpy as np

        from rehab.core.types import PoseFrame

        if self.point is None:
            return None
        image = np.full((33, 3), 0.5)
        image[20] = (1.0 - self.point[0] / self.size[0], self.point[1] / self.size[1], 0.0)
        visibility = np.zeros(33)
        visibility[20] = 1.0
        return PoseFrame(now, None, visibility, image)

    def close(self) -> None:
        self.point = None


def _centre(window: RobotWindow, key: str) -> tuple[int, int]:
    rect = next(b.rect for b in window.page().buttons if b.key == key)
    return (rect[0] + rect[2] // 2, rect[1] + rect[3] // 2)


def test_a_hand_held_over_a_button_for_2_s_presses_it(tmp_path):
    _interrupted_home(tmp_path)
    seen: dict[int, str] = {}

    def robot(window: RobotWindow) -> None:
        hand.point = _centre(window, "progress") if window.state.screen == "home" else None
        seen[window.frames] = window.state.screen
        if window.frames == FPS + 2:
            _shot(window, "home_hand_pointer_normal")  # the ring half full
        if window.state.screen == "progress":
            pygame.event.post(pygame.event.Event(pygame.QUIT))

    window, services = start(tmp_path, robot)
    hand = HandAt(window.surface.get_size())
    window.loop.hand = hand
    window.loop.run()
    services.close()
    pressed_at = min(frame for frame, screen in seen.items() if screen == "progress")
    # held from the first frame: pressed 2 s later, not before
    assert 2 * FPS <= pressed_at <= 2 * FPS + 3
    assert window.state.last_press == ("progress", "hand")


def test_a_hand_that_moves_away_starts_again(tmp_path):
    from rehab.app.home_screen.dwell import HandDwell, Target

    dwell = HandDwell()
    a, b = Target("a", (0, 0, 100, 100)), Target("b", (200, 0, 100, 100))
    for _ in range(90):  # 1.5 s over a
        assert dwell.update(1 / FPS, (50, 50), [a, b]) is None
    for _ in range(90):  # then 1.5 s over b: neither is pressed
        assert dwell.update(1 / FPS, (250, 50), [a, b]) is None
    pressed = [dwell.update(1 / FPS, (250, 50), [a, b]) for _ in range(60)]
    assert pressed.count("b") == 1  # b after 2 s over it, once
    assert all(dwell.update(1 / FPS, (250, 50), [a, b]) is None for _ in range(600))  # held on: not again


def test_a_keyboard_or_mouse_user_is_never_pressed_by_waiting(tmp_path):
    _interrupted_home(tmp_path)
    waited = {"frames": 0}

    def robot(window: RobotWindow) -> None:
        state = window.state
        if window.frames == 1:
            window.key(pygame.K_TAB)
            window.key(pygame.K_TAB)  # focus on the second button: My progress
        elif window.frames == 2:
            x, y = _centre(window, "relax")
            pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=(x, y), rel=(0, 0), buttons=(0, 0, 0)))
        elif state.screen == "home" and window.frames < 10 * FPS:
            waited["frames"] = window.frames
            if window.frames == 5:
                _shot(window, "home_keyboard_focus_normal")
        elif window.frames == 10 * FPS:
            window.key(pygame.K_RETURN)
        elif state.screen != "home":
            pygame.event.post(pygame.event.Event(pygame.QUIT))

    window, services = start(tmp_path, robot)
    window.loop.run()
    services.close()
    assert waited["frames"] == 10 * FPS - 1  # ten seconds on the home screen: nothing pressed
    assert window.state.screen == "progress" and window.state.last_press == ("progress", "key")


def test_keyboard_reaches_every_button_with_tab_and_shift_tab(tmp_path):
    _interrupted_home(tmp_path)
    focused: list[str] = []

    def robot(window: RobotWindow) -> None:
        state = window.state
        count = len(window.page().buttons)
        if window.frames <= count + 1:
            focused.append(state.focused_key(window.page()))
            window.key(pygame.K_TAB)
        elif window.frames == count + 2:
            focused.append(state.focused_key(window.page()))
            window.key(pygame.K_TAB, pygame.KMOD_SHIFT)
        elif window.frames == count + 3:
            focused.append(state.focused_key(window.page()))
            pygame.event.post(pygame.event.Event(pygame.QUIT))

    window, services = start(tmp_path, robot)
    window.loop.run()
    services.close()
    keys = [b.key for b in window.page().buttons]
    assert focused[0] == ""  # no ring before the keyboard is used
    assert focused[1 : len(keys) + 1] == keys and focused[len(keys) + 1] == keys[0]  # round and back to the top
    assert focused[-1] == keys[-1]  # shift+tab from the first goes to the last


def test_a_tap_presses_once(tmp_path):
    _interrupted_home(tmp_path)

    def robot(window: RobotWindow) -> None:
        if window.frames == 1:
            x, y = _centre(window, "settings")
            w, h = window.surface.get_size()
            pygame.event.post(pygame.event.Event(pygame.FINGERDOWN, x=x / w, y=y / h, touch_id=1, finger_id=1))
        elif window.frames == 3:
            pygame.event.post(pygame.event.Event(pygame.QUIT))

    window, services = start(tmp_path, robot)
    window.loop.run()
    services.close()
    assert window.state.screen == "settings" and window.state.last_press == ("settings", "pointer")


def test_the_hand_pointer_follows_the_setting_and_lets_go_of_the_camera_for_a_session(tmp_path):
    """The loop opens the hand pointer when the setting is on and closes it before anything it
    starts takes the camera (here the camera check, which finds none), then opens it again."""
    _interrupted_home(tmp_path)
    opened: list[str] = []
    closed: list[int] = []

    class Feed(HandAt):
        def close(self) -> None:
            closed.append(len(opened))

    def make_hand(settings):
        if not settings.hand_pointer:
            return None
        opened.append(settings.input)
        return Feed(SIZE)

    steps = ["settings", "hand", "back", "camera"]

    def robot(window: RobotWindow) -> None:
        if not window.in_home:
            window.key(pygame.K_RETURN)  # closes the "No camera found" card
        elif window.frames % 5 == 0 and steps:
            window.click(steps.pop(0))
        elif window.frames % 5 == 0 and window.state.screen == "home":
            pygame.event.post(pygame.event.Event(pygame.QUIT))

    window, services = start(tmp_path, robot, input_url="webcam:97")
    window.loop.make_hand = make_hand
    window.loop.run()
    window.loop.close_hand()
    services.close()
    assert opened == ["camera", "camera"]  # on with the setting, again after the camera check
    assert closed == [1, 2]  # closed before the check took the camera, and at the end


def test_check_my_camera_with_no_camera_says_so_on_a_card(tmp_path):
    from rehab.engine.message_card import layout as card_layout
    from tests.screen_text import shows_at

    _interrupted_home(tmp_path)
    seen: dict[str, object] = {}

    def robot(window: RobotWindow) -> None:
        if not window.in_home:
            if "frame" not in seen:
                seen["frame"] = window.surface.copy()
                _shot(window, "camera_missing_normal")
            window.key(pygame.K_RETURN)
        elif window.frames == 3:
            window.click("camera")
        elif window.frames > 3 and window.state.screen == "home":
            pygame.event.post(pygame.event.Event(pygame.QUIT))

    window, services = start(tmp_path, robot, input_url="webcam:97")
    window.loop.run()
    services.close()
    card = window.loop.last_outcome.card
    assert card is not None and card.title == "No camera found"
    assert card.lines[0].startswith("The camera (webcam:97) could not be opened")
    rows = card_layout(card, SIZE)[0]
    from rehab.engine.palette import PALETTE

    assert all(shows_at(seen["frame"], r.words, r.size, r.color, PALETTE.background_top, r.rect[:2]) for r in rows)
    assert window.state.screen == "home"


def test_a_session_that_cannot_open_the_camera_says_why_in_one_sentence(tmp_path):
    _interrupted_home(tmp_path)
    said: list[tuple[str, tuple[str, ...]]] = []

    def robot(window: RobotWindow) -> None:
        if not window.in_home:
            window.key(pygame.K_RETURN)
            return
        state = window.state
        if window.frames % 5:
            return
        if state.screen == "home" and not said:
            window.click("start")
        elif state.screen == "resume":
            window.click("resume_no")
        elif state.screen == "info":
            said.append((state.info_title, state.info_lines))
            window.click("ok")
        elif state.screen == "home":
            pygame.event.post(pygame.event.Event(pygame.QUIT))

    window, services = start(tmp_path, robot, input_url="webcam:97")
    window.loop.run()
    services.close()
    ((title, lines),) = said
    assert title == "We had to stop"
    assert lines[0].startswith("The camera (webcam:97) could not be opened") and lines[0].endswith(".")
    assert "Traceback" not in lines[0] and "\n" not in lines[0]


def test_relax_plays_the_breathing_game_and_comes_back_home(tmp_path):
    _interrupted_home(tmp_path)
    frames = {"game": 0}

    def robot(window: RobotWindow) -> None:
        if not window.in_home:
            frames["game"] += 1
            if frames["game"] % 30 == 0:
                window.key(pygame.K_RETURN)  # the stress questions
            return
        if window.frames == 3:
            window.click("relax")
        elif window.frames > 3 and window.state.screen == "home" and window.frames % 5 == 0:
            pygame.event.post(pygame.event.Event(pygame.QUIT))

    window, services = start(tmp_path, robot, max_frames=60_000)
    window.loop.run()
    breathing = [s for s in services.store.sessions("P-0042") if s.game == "breathe"]
    services.close()
    assert len(breathing) == 1 and breathing[0].kind == "mental" and breathing[0].status == "completed"
    assert frames["game"] > 60 * FPS  # minutes of breathing were played on the window
    assert window.state.screen == "home"


def test_rehab_home_without_a_display_says_so_in_one_line(tmp_path, capsys):
    from rehab.app.cli import main

    assert main(["--home", str(tmp_path), "home"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "needs a display" in err
    assert main(["--home", str(tmp_path)]) == 0  # 'rehab' alone with no display: the help
    assert capsys.readouterr().out.startswith("usage: rehab")


def test_check_my_camera_shows_the_patient_with_the_skeleton_and_plain_advice(tmp_path):
    """A video of a real photograph (an astronaut, half body) as the camera, through the real
    pose tracker: the self-view is drawn with the skeleton, and the setup guidance's words under it."""
    import numpy as np

    from rehab.engine.palette import PALETTE
    from rehab.sim.clips import photo_clip

    clip = photo_clip(tmp_path / "camera.mp4", 45, photo="astronaut")
    _interrupted_home(tmp_path / "home")
    best = {"bone_pixels": 0}

    def robot(window: RobotWindow) -> None:
        if not window.in_home:
            pixels = pygame.surfarray.array3d(window.surface)
            bones = int(np.all(pixels == PALETTE.good, axis=-1).sum())
            if bones > best["bone_pixels"]:
                best["bone_pixels"] = bones
                best["frame"] = window.surface.copy()
        elif window.frames == 3:
            window.click("camera")
        elif window.frames > 3 and window.state.screen == "home":
            pygame.event.post(pygame.event.Event(pygame.QUIT))

    window, services = start(tmp_path / "home", robot, input_url=f"video:{clip}", max_frames=200_000)
    window.loop.run()
    services.close()
    advice = window.loop.last_outcome.message
    assert advice != "Starting the camera..." and advice.endswith(".")  # the tracker saw someone
    assert best["bone_pixels"] > 500  # the skeleton drawn over the picture
    folder = os.environ.get("REHAB_HOME_SHOTS")
    if folder:
        from tests.test_home_screen_layout import save_small

        save_small(best["frame"], Path(folder) / "camera_check_normal.png", colors=64)  # a photograph


class _Presser:
    """Presses Enter on the real window every 0.2 s from another thread (SDL's queue takes events
    from any thread), for ``open_home``, which makes its own window and clock."""

    def __init__(self) -> None:
        import threading

        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.seen: list[pygame.Surface] = []  # the window's picture before each press

    def _run(self) -> None:
        while not self.stop.wait(0.2):
            if pygame.display.get_init() and pygame.display.get_surface() is not None:
                self.seen.append(pygame.display.get_surface().copy())
                pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_RETURN, mod=0, unicode=""))

    def __enter__(self) -> _Presser:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.thread.join()


def test_a_store_that_cannot_be_opened_is_said_on_the_window_first(tmp_path):
    """Started from a shortcut nobody reads the terminal: the problem is on a card, then the one
    line on stderr as ever (the error goes on to the command line's handler)."""
    from rehab.app.home_screen import app
    from rehab.core.errors import StoreError
    from rehab.engine.message_card import TITLE_SIZE
    from rehab.engine.palette import PALETTE
    from tests.screen_text import centred_row_top

    (tmp_path / DB_FILENAME).write_text("not a database " * 100)
    with _Presser() as presser, pytest.raises(StoreError, match="not a rehab database"):
        app.open_home(tmp_path, fullscreen=False)
    title = [
        centred_row_top(f, "We had to stop", TITLE_SIZE, PALETTE.text, PALETTE.background_top) for f in presser.seen
    ]
    assert any(top is not None for top in title)


def test_open_home_runs_the_real_loop_until_the_window_is_closed(tmp_path):
    from rehab.app.home_screen import app

    _interrupted_home(tmp_path)
    pygame.display.init()
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    assert app.open_home(tmp_path, fullscreen=False) == 0


def test_plan_news_says_sent_for_the_first_plan_and_changed_after_and_only_for_the_clinics(tmp_path):
    from rehab.app.home_screen.notices import unread_notices
    from rehab.app.home_sync import FROM_CLINIC

    store = Store.open(tmp_path / DB_FILENAME)
    try:
        plan = parse_text(PLAN)
        assign(store, "Marie", plan, "2026-12-01T09:00:00+00:00", "2026-12-01", f"{FROM_CLINIC}: start gently")
        (first,) = unread_notices(store, "Marie", seen_plan_version=0)
        assert (first.title, first.text) == (
            "Your exercise plan is here",
            "Your physiotherapist sent your exercise plan: start gently",
        )
        assert unread_notices(store, "Marie", seen_plan_version=1) == []
        assign(store, "Marie", plan, "2026-12-05T09:00:00+00:00", "2026-12-05", f"{FROM_CLINIC}: deeper squats")
        (changed,) = unread_notices(store, "Marie", seen_plan_version=1)
        assert (changed.title, changed.text) == (
            "Your plan has changed",
            "Your physiotherapist changed your plan: deeper squats",
        )
        # a goal raised at home by the plan's own progression is the session card's news, not the clinic's
        assign(store, "Marie", plan, "2026-12-06T09:00:00+00:00", "2026-12-06", "progression: target reached")
        assert unread_notices(store, "Marie", seen_plan_version=2) == []
    finally:
        store.close()


def test_a_hand_pointer_whose_camera_goes_quiet_presses_nothing(tmp_path):
    """Poses stop coming (a camera unplugged, a frozen picture): the pointer is dropped after
    half a second, not left holding the button it was over."""
    _interrupted_home(tmp_path)

    class Stalls(HandAt):
        def latest(self, now):
            return super().latest(now) if now < 1.0 else None

    def robot(window: RobotWindow) -> None:
        hand.point = _centre(window, "progress")
        if window.frames == 5 * FPS:
            pygame.event.post(pygame.event.Event(pygame.QUIT))

    window, services = start(tmp_path, robot)
    hand = Stalls(SIZE)
    window.loop.hand = hand
    window.loop.run()
    services.close()
    assert window.state.screen == "home" and window.state.last_press == ("", "")
    assert window.loop.point is None

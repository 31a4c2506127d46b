"""The patient's home screen, run on a real SDL window (dummy driver) with events posted to
pygame's queue by a simulated patient (``tests/home_screen_robot.py``) and a real SQLite store:
the first run to a finished simulated session and back home, the resume question, progress,
settings, and the hand pointer's dwell."""

from __future__ import annotations

import pygame
import pytest

from progress.store import Store
from rehab.app.home_screen.settings import load_settings
from rehab.app.plan_versions import assign
from rehab.app.plans import parse_text
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
def _default_look():
    set_font_scale(1.0)
    use_high_contrast(False)
    yield
    set_font_scale(1.0)
    use_high_contrast(False)
    pygame.display.quit()


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
        elif screen == "first_name" and not state.typed:
            window.type("Marie")
        elif screen == "first_name":
            window.key(pygame.K_RETURN)
        elif screen == "first_camera":
            window.click("first_camera_skip")
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
    assert patient.seen[:5] == ["welcome", "first_name", "first_camera", "first_done", "home"]
    assert "no exercise plan" in patient.no_plan_said
    assert [p.id for p in store.patients()] == ["Marie"]
    assert load_settings(tmp_path).patient == "Marie"
    sessions = store.sessions("Marie")
    assert [s.status for s in sessions] == ["completed"]
    assert len(store.reps(sessions[0].id)) == 3
    assert patient.session_frames > FPS  # the session was played on the window
    assert window.state.screen == "home" and window.state.facts.patient == "Marie"
    services.close()

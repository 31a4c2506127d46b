"""Linking to the clinic from the home screen, against a real ``rehab clinic serve`` (SQLite): the
address and the pairing code typed on screen, each mistake said in one sentence at its field, and
then what the clinic sent (a message, a new plan) shown on the home screen until read."""

from __future__ import annotations

import pygame
import pytest

from progress.store import DB_FILENAME, Store
from rehab.app.home_screen.actions import now_iso
from rehab.app.home_screen.settings import HomeSettings, load_settings, save_settings
from tests.clinic_fixtures import start_clinic_server
from tests.home_screen_robot import RobotWindow, start
from tests.test_home_screen import PLAN

MESSAGE = "Hello Marie, your new plan starts gently. Hold the chair!"


@pytest.fixture
def clinic(tmp_path):
    server = start_clinic_server(f"sqlite:///{tmp_path / 'clinic' / 'clinic.sqlite3'}", tmp_path / "clinic")
    try:
        physio = server.physio("ana@clinic.test")
        server.patient("P-0042", physio.email)
        token = server.login("ana@clinic.test")
        plan = server.request(
            "POST",
            "/api/v1/patients/P-0042/plans",
            token,
            json={"toml": PLAN.replace("Marie", "P-0042"), "reason": "start gently"},
        )
        assert plan.status_code == 201, plan.text
        sent = server.request("POST", "/api/v1/patients/P-0042/messages", token, json={"text": MESSAGE})
        assert sent.status_code == 201, sent.text
        yield server
    finally:
        server.stop()


class LinkingPatient:
    """Types a wrong address, then the right one; a wrong code, then the right one; reads the news."""

    def __init__(self, url: str, code: str) -> None:
        self.steps = [
            ("home", lambda w: w.click("link")),
            ("link_url", lambda w: w.type("not an address")),
            ("link_url", lambda w: w.key(pygame.K_RETURN)),
            ("link_url", self.note_error),
            ("link_url", lambda w: [w.key(pygame.K_BACKSPACE) for _ in range(20)]),
            ("link_url", lambda w: w.type(url)),
            ("link_url", lambda w: w.key(pygame.K_RETURN)),
            ("link_code", lambda w: w.type("ZZZZ-ZZZZ")),
            ("link_code", lambda w: w.key(pygame.K_RETURN)),
            ("link_code", self.note_error),
            ("link_code", lambda w: [w.key(pygame.K_BACKSPACE) for _ in range(9)]),
            ("link_code", lambda w: w.type(code.lower())),  # as a patient may type it
            ("link_code", lambda w: w.key(pygame.K_RETURN)),
            ("info", self.note_info),
            ("info", lambda w: w.click("ok")),
            ("home", self.note_home),
            ("home", lambda w: w.click("notices")),
            ("notice", self.note_notice),
            ("notice", lambda w: w.key(pygame.K_RETURN)),
            ("notice", self.note_notice),
            ("notice", lambda w: w.key(pygame.K_RETURN)),
            ("home", self.note_home),
            ("home", lambda w: pygame.event.post(pygame.event.Event(pygame.QUIT))),
        ]
        self.errors: list[str] = []
        self.said: list[str] = []
        self.notices: list[tuple[str, str]] = []
        self.homes: list[tuple[str, tuple[str, ...]]] = []

    def __call__(self, window: RobotWindow) -> None:
        if not window.in_home or window.frames % 3 or not self.steps:
            return
        screen, act = self.steps[0]
        if window.state.screen != screen:
            return  # wait for the screen the next step is for (linking takes a moment)
        self.steps.pop(0)
        act(window)

    def note_error(self, window: RobotWindow) -> None:
        self.errors.append(window.state.content().field.error)

    def note_info(self, window: RobotWindow) -> None:
        self.said.append(window.state.info_title)

    def note_notice(self, window: RobotWindow) -> None:
        content = window.state.content()
        self.notices.append((content.title, content.lines[0].words))

    def note_home(self, window: RobotWindow) -> None:
        content = window.state.content()
        self.homes.append((content.title, tuple(b.label for b in content.buttons)))


def test_linking_on_screen_brings_the_clinics_message_and_plan(tmp_path, clinic):
    home = tmp_path / "home"
    store = Store.open(home / DB_FILENAME)
    store.ensure_patient("Marie", now_iso())
    store.close()
    save_settings(home, HomeSettings(patient="Marie"))
    patient = LinkingPatient(clinic.url, clinic.pairing_code("P-0042"))
    window, services = start(home, patient)
    window.loop.run()
    assert not patient.steps, f"stuck before {patient.steps[0][0]}"
    assert patient.errors[0] == "That is not a clinic address: it looks like https://clinic.example.org."
    assert patient.errors[1].startswith("The clinic refused the code ZZZZ-ZZZZ")
    assert all(e.count(". ") == 0 and e.endswith(".") for e in patient.errors)  # one sentence each
    assert patient.said == ["Linked to your clinic"]
    # the linked patient's home: the clinic's message and plan change, each read in turn
    title, labels = patient.homes[0]
    assert title == "Hello, P-0042" and labels[0] == "A message from your physiotherapist"
    assert patient.notices == [
        ("A message from your physiotherapist", MESSAGE),
        ("Your exercise plan is here", "Your physiotherapist sent your exercise plan: start gently"),
    ]
    assert "My clinic" in patient.homes[-1][1] and patient.homes[-1][1][0] == "Start today's session"
    assert all(m.shown_at is not None for m in services.store.messages())
    assert load_settings(home).seen_plan_version == services.store.latest_plan_version("P-0042").version
    services.close()


class FirstRunLinkingPatient:
    """A new home: has a code from the clinic, links during the first run, skips the camera check,
    measures the plan's movement, then starts today's session and plays it out."""

    def __init__(self, url: str, code: str) -> None:
        self.steps = [
            ("welcome", lambda w: w.key(pygame.K_RETURN)),
            ("first_link", lambda w: w.click("first_link_yes")),
            ("link_url", lambda w: w.type(url)),
            ("link_url", lambda w: w.key(pygame.K_RETURN)),
            ("link_code", lambda w: w.type(code)),
            ("link_code", lambda w: w.key(pygame.K_RETURN)),
            ("info", lambda w: w.click("ok")),
            ("first_camera", lambda w: w.click("first_camera_skip")),
            ("first_measure", self.note_measure),
            ("first_measure", lambda w: w.click("first_measure_go")),
            ("first_done", self.note_done),
            ("first_done", lambda w: w.click("first_done")),
            ("home", self.note_calibrations),
            ("home", lambda w: w.click("start")),
            ("home", lambda w: pygame.event.post(pygame.event.Event(pygame.QUIT))),
        ]
        self.measure_lines: tuple[str, ...] = ()
        self.done_title = ""
        self.calibrations_before_session = 0
        self.session_frames = 0

    def __call__(self, window: RobotWindow) -> None:
        if not window.in_home:
            self.session_frames += 1
            if self.session_frames % 20 == 0:
                window.key(pygame.K_RETURN)  # the measuring's and the session's cards and questions
            return
        if window.frames % 3 or not self.steps:
            return
        screen, act = self.steps[0]
        if window.state.screen == screen:
            self.steps.pop(0)
            act(window)

    def note_measure(self, window: RobotWindow) -> None:
        self.measure_lines = tuple(line.words for line in window.state.content().lines)

    def note_done(self, window: RobotWindow) -> None:
        self.done_title = window.state.content().title

    def note_calibrations(self, window: RobotWindow) -> None:
        self.calibrations_before_session = len(window.loop.services.store.calibrations("P-0042"))


def test_a_first_run_links_measures_the_plans_movement_and_the_first_session_uses_it(tmp_path, clinic):
    """Calibration in the first run: the clinic's plan comes with the link, so the first run knows
    which movement to measure; the session started right after does not measure it again."""
    home = tmp_path / "home"
    patient = FirstRunLinkingPatient(clinic.url, clinic.pairing_code("P-0042"))
    window, services = start(home, patient, max_frames=40_000)
    window.loop.run()
    assert not patient.steps, f"stuck before {patient.steps[0][0]}"
    assert patient.measure_lines[0] == "We measure how far you move comfortably: Bend your knee."
    assert patient.done_title == "All set, P-0042"  # the clinic's code: no name was asked
    store = services.store
    assert patient.calibrations_before_session == 1
    (measured,) = store.calibrations("P-0042")  # the session used the first run's measurement
    assert measured.movement == "knee_flexion_right" and 0 < measured.max_deg <= 70
    sessions = store.sessions("P-0042")
    assert [s.status for s in sessions] == ["completed"] and len(store.reps(sessions[0].id)) == 3
    assert window.loop.measured_since == ""  # it stands for the first session only
    assert [p.id for p in store.patients()] == ["P-0042"]
    services.close()

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

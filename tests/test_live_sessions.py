"""Live remote sessions (issue #18) end to end, against a real ``rehab clinic serve`` on loopback
(SQLite and PostgreSQL): a home runs the real guided session on simulated poses with the real
sender (``rehab.app.live_share``), a viewer watches over the browser's WebSocket with a real login
session's cookie, and the physio's actions reach the game and are stored.

Nothing here waits on a clock to decide a result: the game's frame loop is held at a frame while
the viewer reads and acts, and a wait only ever ends when what it waits for has arrived (or fails
after a generous bound with what was seen).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pygame
import pytest
import sqlalchemy as sa
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from clinic.db import create_engine
from clinic.live import actions
from clinic.web import sessions
from devices.replay import ReplaySource
from progress.store import DB_FILENAME, Store
from rehab.app.live_share import LiveShare
from rehab.app.plan_versions import assign
from rehab.app.plans import parse_text
from rehab.app.session_runner import SessionContext, run_session
from rehab.core.clock import SimulatedClock
from rehab.engine.game import available_games
from rehab.engine.hud import MESSAGE_SIZE, font, message_rows
from rehab.engine.palette import PALETTE
from rehab.engine.play import SceneTimes
from rehab.sim.poses import SimulatedSession
from tests.clinic_fixtures import ClinicServer, _wait_until_answering, actions_reaching_home, free_port
from tests.screen_text import PatientAtWindow

PLAN = """\
title = "Elbow, live test plan"
patient = "P1"
sessions_per_week = 5

[safety]
pain_stop_rise = 3
max_pain_before = 8

[[exercise]]
name = "Biceps curl"
game = "lift"
movement = "elbow_flexion"
side = "left"
sets = 1
reps = 6
hold_s = 0.3
rest_s = 0
target_deg = 100
ceiling_deg = 150
"""
MESSAGE = "slower on the way down"
LIVE_RED = (200, 40, 40)
#: past every peak of the simulated patient (at most 133 degrees), within the plan's ceiling
NEW_TARGET = 145.0
#: the longest any wait here may take before it fails with what it saw
PATIENCE_S = 60.0


@pytest.fixture(autouse=True)
def _headless_and_closed(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    yield
    pygame.display.quit()


# -- helpers ------------------------------------------------------------------------------------


def ws_url(server_url: str) -> str:
    return "ws://" + server_url.split("://", 1)[1]


def web_cookie(db_url: str, email: str) -> str:
    """A login session's cookie for ``email``, made as the login form makes it."""
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            user_id = conn.execute(sa.text("select id from users where email = :e"), {"e": email}).scalar_one()
            return sessions.start(conn, int(user_id))
    finally:
        engine.dispose()


def open_viewer(server_url: str, cookie: str | None, patient: str = "P1") -> ClientConnection:
    headers = {"Cookie": f"{sessions.COOKIE}={cookie}"} if cookie else {}
    return connect(f"{ws_url(server_url)}/patients/{patient}/live/socket", additional_headers=headers)


def receive_until(viewer: ClientConnection, wanted: Any, seen: list[dict[str, Any]]) -> dict[str, Any]:
    """The first message ``wanted(message)`` accepts; every message read is kept in ``seen``."""
    deadline = time.monotonic() + PATIENCE_S
    while time.monotonic() < deadline:
        message = json.loads(viewer.recv(timeout=PATIENCE_S))
        seen.append(message)
        if wanted(message):
            return message
    raise AssertionError(f"never came; seen: {[m.get('type') for m in seen]}")


def drain(viewer: ClientConnection, seen: list[dict[str, Any]]) -> None:
    """Whatever has arrived, without waiting."""
    while True:
        try:
            seen.append(json.loads(viewer.recv(timeout=0)))
        except TimeoutError:
            return


def home_store(tmp_path: Path) -> Store:
    store = Store.open(tmp_path / "home" / DB_FILENAME)
    assign(store, "P1", parse_text(PLAN), "2026-11-02T09:00:00+00:00", "2026-11-02", "plan")
    return store


def posed_input(info: Any, exercise: Any, seed: int) -> ReplaySource:
    """A simulated patient seen by a camera: poses (landmarks), not just angles."""
    session = SimulatedSession(exercise="elbow_flexion", side="left", seed=seed % 1000)
    return ReplaySource(list(session.frames()), url="sim:lift")


def context(store: Store, display: Any, live: LiveShare | None) -> SessionContext:
    return SessionContext(
        store=store,
        games=available_games(),
        open_source=posed_input,
        display=display,
        make_clock=lambda: SimulatedClock(60),
        ask_pain=lambda moment, hand: 2.0,
        now_iso=lambda: "2026-11-02T10:00:00+00:00",
        today="2026-11-02",
        say=lambda line: None,
        scenes=SceneTimes(0.5, 0.5, 0.0),
        card_s=math.inf,
        live=live,
    )


def message_drawn(frame: pygame.Surface, words: str, rows: list[tuple[str, pygame.Rect]] | None = None) -> bool:
    """Every fully inked pixel of the HUD message's words shows the text colour at its place (the
    HUD's place unless ``rows`` say where the lines are)."""
    pixels = pygame.surfarray.array3d(frame)
    rows = message_rows(frame.get_size(), words) if rows is None else rows
    if not rows:
        return False
    for line, box in rows:
        glyphs = font(MESSAGE_SIZE).render(line, True, PALETTE.text)
        alpha = pygame.surfarray.array_alpha(glyphs)
        inked = alpha == 255
        region = pixels[box.left : box.left + glyphs.get_width(), box.top : box.top + glyphs.get_height()]
        if region.shape[:2] != inked.shape or not inked.any():
            return False
        if not np.all(region[inked] == np.array(PALETTE.text)):
            return False
    return True


class CountingShare(LiveShare):
    """The real sender, counting the frames with a skeleton the game handed it (so the test knows
    when one is on its way to the viewer)."""

    skeletons_sent = 0

    def send(self, message: dict[str, Any]) -> None:
        if self.sharing and message.get("type") == "frame" and message.get("landmarks"):
            self.skeletons_sent += 1
        super().send(message)


@dataclass
class Physio:
    """The test's physio at the viewer's socket, reading and acting between two game frames."""

    viewer: ClientConnection
    live: CountingShare
    seen: list[dict[str, Any]] = field(default_factory=list)
    skeletons: list[list[list[float]]] = field(default_factory=list)
    acted = False
    shown_at: int | None = None
    shot: pygame.Surface | None = None
    display: Any = None

    def __call__(self, frame: int) -> None:
        if len(self.skeletons) < 3 and self.live.skeletons_sent > len(self.skeletons):
            # the game is held at this frame until the skeleton it sent reaches the viewer
            got = receive_until(self.viewer, lambda m: m["type"] == "frame" and m["landmarks"], self.seen)
            self.skeletons.append(got["landmarks"])
            return
        drain(self.viewer, self.seen)
        if len(self.skeletons) >= 3 and not self.acted:
            self.act()
        last = self.display.last
        if self.acted and self.shown_at is None and last is not None and message_drawn(last, MESSAGE):
            self.shown_at, self.shot = frame, last.copy()

    def act(self) -> None:
        self.viewer.send(json.dumps({"type": "action", "kind": "message", "text": MESSAGE}))
        reason = "good control: try the full range"
        self.viewer.send(json.dumps({"type": "action", "kind": "target", "value": NEW_TARGET, "reason": reason}))
        self.acted = True
        deadline = time.monotonic() + PATIENCE_S  # the game waits for both actions to reach the home
        while len(self.live.waiting_actions) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(self.live.waiting_actions) == 2, f"the actions never reached the home; saw {self.seen[-3:]}"


def clinic_with_patient(server: ClinicServer) -> tuple[str, str]:
    """The patient P1 of physio@a.test, its home's device token and the physio's login cookie."""
    server.physio("physio@a.test", "team-a")
    server.patient("P1", "physio@a.test")
    return server.pair("P1"), web_cookie(server.db_url, "physio@a.test")


# -- the tests ----------------------------------------------------------------------------------


def test_live_session_streams_to_the_physio_and_their_actions_reach_the_game(
    clinic_server: ClinicServer, tmp_path: Path
) -> None:
    token, cookie = clinic_with_patient(clinic_server)
    store = home_store(tmp_path)
    live = CountingShare(clinic_server.url, token)
    with open_viewer(clinic_server.url, cookie) as viewer:
        assert json.loads(viewer.recv(timeout=PATIENCE_S)) == {"type": "status", "home": "waiting"}
        physio = Physio(viewer, live)
        # the patient says yes with Enter (pressed at every frame: only the question takes it)
        display = physio.display = PatientAtWindow(press_from=1, watch=physio)
        try:
            result = run_session(context(store, display, live), "P1")
        finally:
            live.close()
        receive_until(viewer, lambda m: m["type"] == "sharing" and m["sharing"] is False, physio.seen)
    seen = physio.seen
    assert result.status == "completed"
    # the skeleton: 33 landmarks [x, y, visibility] in image coordinates, moving from frame to frame
    assert len(physio.skeletons) >= 3 and all(len(s) == 33 for s in physio.skeletons)
    assert all(0.0 <= x <= 1.0 and 0.0 <= y <= 1.0 for s in physio.skeletons for x, y, _v in s[11:17])
    # the pain answer, the set, and the angle against the goal and the ceiling
    pain = next(m for m in seen if m["type"] == "pain")
    assert (pain["moment"], pain["value"]) == ("before", 2.0)
    frames = [m for m in seen if m["type"] == "frame"]
    assert frames[0]["set"] == "Biceps curl, set 1 of 1"
    assert frames[0]["angle"]["name"] == "elbow_flexion_left" and frames[0]["angle"]["ceiling"] == 150.0
    # the message was drawn in the game window
    assert physio.shown_at is not None and physio.shot is not None, "the physio's message never showed in the game"
    assert message_drawn(physio.shot, MESSAGE)
    assert physio.shot.get_at((20, 70))[:3] == LIVE_RED  # the LIVE badge, while shared
    if os.environ.get("REHAB_SHOTS"):
        pygame.image.save(physio.shot, str(Path(os.environ["REHAB_SHOTS"]) / "live_message_in_game.png"))
    # both actions were applied and answered; the reps after the new target are judged by it
    done = [m for m in seen if m["type"] == "action_done"]
    assert [(d["kind"], d["applied"]) for d in done] == [("message", True), ("target", True)]
    after = seen[seen.index(done[-1]) :]
    assert all(m["angle"]["goal"] == NEW_TARGET for m in after if m["type"] == "frame")
    reps_after = [m for m in after if m["type"] == "rep"]
    assert reps_after and not any(r["success"] for r in reps_after)
    assert all(r["peak_deg"] < NEW_TARGET for r in reps_after)
    # both actions stored on the server, the target with its reason
    engine = create_engine(clinic_server.db_url)
    stored = actions(engine, "P1")
    engine.dispose()
    assert [(a["kind"], a["text"], a["value"]) for a in stored] == [
        ("message", MESSAGE, None),
        ("target", None, NEW_TARGET),
    ]
    assert stored[1]["reason"] == "good control: try the full range"
    # and the store at home holds every rep, as without live sharing
    assert sum(len(store.reps(row.id)) for row in store.sessions("P1")) == 6
    store.close()


def test_live_patient_who_says_no_sends_nothing(clinic_server: ClinicServer, tmp_path: Path) -> None:
    token, _cookie = clinic_with_patient(clinic_server)
    store = home_store(tmp_path)
    live = LiveShare(clinic_server.url, token)
    # the patient moves to "No" and presses Enter
    display = PatientAtWindow(press_from=1, event=pygame.event.Event(pygame.KEYDOWN, key=pygame.K_RIGHT))
    answers = iter([pygame.K_RETURN] * 100_000)  # after the first frame's Right

    def press(frame: int) -> None:
        display.event = pygame.event.Event(pygame.KEYDOWN, key=next(answers))

    display.watch = press
    try:
        result = run_session(context(store, display, live), "P1")
    finally:
        live.close()
    store.close()
    assert result.status == "completed"
    assert not live.sharing and live.sent == 0 and not live.connected
    engine = create_engine(clinic_server.db_url)
    with engine.begin() as conn:
        shared = conn.execute(sa.text("select count(*) from audit_log where action = 'live share'")).scalar_one()
    engine.dispose()
    assert shared == 0  # the home never even connected


def test_live_viewers_without_the_right_are_refused(clinic_server: ClinicServer) -> None:
    token, own_cookie = clinic_with_patient(clinic_server)
    clinic_server.physio("other@b.test", "team-b")
    clinic_server.user("reader@a.test", "clinician")
    other = web_cookie(clinic_server.db_url, "other@b.test")
    reader = web_cookie(clinic_server.db_url, "reader@a.test")
    for cookie in (None, "not-a-session", other):
        with pytest.raises(InvalidStatus) as refused:
            open_viewer(clinic_server.url, cookie)
        assert refused.value.response.status_code == 403
    # another site's page cannot ride the physio's cookie
    with pytest.raises(InvalidStatus):
        connect(
            f"{ws_url(clinic_server.url)}/patients/P1/live/socket",
            additional_headers={"Cookie": f"{sessions.COOKIE}={own_cookie}", "Origin": "https://evil.example"},
        )
    # a home needs its device token, and a user's token is not one
    for bearer in ("nope", clinic_server.admin_token):
        with pytest.raises(InvalidStatus):
            connect(
                f"{ws_url(clinic_server.url)}/api/v1/live/home",
                additional_headers={"Authorization": f"Bearer {bearer}"},
            )
    # the live page itself: the other team's physio gets the 403 page
    page = clinic_server.request("GET", "/patients/P1/live", cookies={sessions.COOKIE: other})
    assert page.status_code == 403
    # a clinician watches but cannot act: the action is refused and nothing is stored
    with open_viewer(clinic_server.url, reader) as viewer:
        seen: list[dict[str, Any]] = []
        viewer.send(json.dumps({"type": "action", "kind": "end"}))
        error = receive_until(viewer, lambda m: m["type"] == "error", seen)
    assert "only the patient's physio" in error["error"]
    engine = create_engine(clinic_server.db_url)
    assert actions(engine, "P1") == []
    engine.dispose()
    del token


def cut_connections(db_url: str) -> None:
    """Ends every other connection to the database, as a restarted or failed-over PostgreSQL does."""
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "select pg_terminate_backend(pid) from pg_stat_activity "
                    "where datname = current_database() and pid <> pg_backend_pid()"
                )
            )
    finally:
        engine.dispose()


def _second_server(db_url: str, folder: Path) -> tuple[str, subprocess.Popen[bytes]]:
    """Another ``rehab clinic serve`` process on the same database."""
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "second-server.log"
    code = "import sys; from rehab.app import cli; sys.exit(cli.main(sys.argv[1:]))"
    argv = ["--home", str(folder / "home"), "clinic", "serve", "--port", str(port), "--db", db_url]
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-c", code, *argv], stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    _wait_until_answering(url, process, log)
    return url, process


def test_live_relay_between_two_server_processes_on_one_postgresql(clinic_server: ClinicServer, tmp_path: Path) -> None:
    if not clinic_server.db_url.startswith("postgresql"):
        pytest.skip("one SQLite server process relays in memory; processes meet through PostgreSQL")
    token, cookie = clinic_with_patient(clinic_server)
    other_url, other = _second_server(clinic_server.db_url, tmp_path / "second")
    try:
        seen: list[dict[str, Any]] = []
        # the browser on the second process, the home on the first
        with open_viewer(other_url, cookie) as viewer:
            receive_until(viewer, lambda m: m == {"type": "status", "home": "waiting"}, seen)
            live = LiveShare(clinic_server.url, token)
            live.start()
            try:
                frame = {"type": "frame", "t": 1.0, "landmarks": [[0.5, 0.25, 0.9]] * 33, "angle": {"value": 42.0}}
                live.send(frame)
                got = receive_until(viewer, lambda m: m["type"] == "frame", seen)
                assert got["landmarks"][0] == [0.5, 0.25, 0.9] and got["angle"]["value"] == 42.0
                assert {"type": "status", "home": "connected"} in seen
                viewer.send(json.dumps({"type": "action", "kind": "message", "text": MESSAGE}))
                assert [(a.kind, a.text) for a in actions_reaching_home(live)] == [("message", MESSAGE)]
                # the database drops every connection but ours: the processes listen again and relay
                cut_connections(clinic_server.db_url)
                deadline = time.monotonic() + PATIENCE_S
                got_again = None
                while got_again is None and time.monotonic() < deadline:
                    live.send({"type": "frame", "t": 2.0, "landmarks": [[0.5, 0.75, 0.9]] * 33})
                    with contextlib.suppress(TimeoutError):
                        message = json.loads(viewer.recv(timeout=0.2))
                        seen.append(message)
                        if message["type"] == "frame" and message["landmarks"][0][1] == 0.75:
                            got_again = message
                assert got_again is not None, "the relay did not come back after the database cut"
            finally:
                live.close()
            receive_until(viewer, lambda m: m.get("home") == "lost" or m.get("sharing") is False, seen)
    finally:
        other.kill()
        other.wait()


def test_live_sender_with_the_clinic_unreachable_never_holds_the_game() -> None:
    """The line is down (nothing listens on the port): sending returns at once, frames wait in a
    short queue that drops the oldest, and the sender says why in one line."""
    live = LiveShare(f"http://127.0.0.1:{free_port()}", "token")
    live.start()
    try:
        for n in range(1000):
            live.send({"type": "frame", "t": n / 30, "landmarks": None})
        live.send({"type": "rep", "index": 1})
        assert live.dropped >= 990 and live.sent == 0
        deadline = time.monotonic() + PATIENCE_S
        while not live.problem and time.monotonic() < deadline:
            time.sleep(0.01)
        assert live.problem.startswith("live sharing lost the clinic (") and "\n" not in live.problem
        assert live.sharing  # it keeps trying, with a growing wait
    finally:
        live.close()


def test_live_is_offered_only_for_the_linked_patient(tmp_path: Path) -> None:
    """Another patient's session on the linked computer is never shared (it would reach the linked
    patient's record): no live link for them, one for the linked patient."""
    from rehab.app.cli.session import _live_link
    from rehab.app.clinic_link import ClinicLink, save_link

    assert _live_link(tmp_path, "P1") is None  # not linked
    save_link(tmp_path, ClinicLink("http://127.0.0.1:9", "token", "device", "P1", "2026-12-07T10:00:00+00:00"))
    assert _live_link(tmp_path, "P2") is None
    linked = _live_link(tmp_path, "P1")
    assert isinstance(linked, LiveShare) and linked.url == "ws://127.0.0.1:9/api/v1/live/home"
    assert not linked.sharing  # nothing starts before the patient says yes


def test_live_target_and_ceiling_stay_within_the_plans_limits() -> None:
    """A physio's change from afar is refused outside the plan's limits, with the reason said."""
    from rehab.engine.live import Limits, LiveAction

    plan = Limits(rest_deg=10.0, ceiling_deg=150.0)
    target = LiveAction(1, "target", value=145.0)
    assert plan.check(target, 100.0, 150.0) == ""
    assert "between 15 and 150" in plan.check(LiveAction(2, "target", value=160.0), 100.0, 150.0)
    assert "between 15 and 120" in plan.check(LiveAction(3, "target", value=130.0), 100.0, 120.0)  # a lowered ceiling
    assert plan.check(LiveAction(4, "ceiling", value=120.0), 100.0, 150.0) == ""
    assert "plan's 150" in plan.check(LiveAction(5, "ceiling", value=170.0), 100.0, 150.0)  # never above the plan's
    assert "the target (100)" in plan.check(LiveAction(6, "ceiling", value=90.0), 100.0, 150.0)
    assert plan.check(LiveAction(7, "target"), 100.0, 150.0) == "no value given"


def test_live_actions_are_checked_on_the_server_before_they_are_stored() -> None:
    from clinic.errors import ClinicError
    from clinic.live import parse_action

    ok = parse_action(json.dumps({"type": "action", "kind": "target", "value": "70", "reason": "sore today"}))
    assert (ok.kind, ok.value, ok.reason) == ("target", 70.0, "sore today")
    for bad, says in (
        ({"type": "action", "kind": "target", "value": 70}, "give a reason"),
        ({"type": "action", "kind": "ceiling", "value": "nan", "reason": "x"}, "between -180 and 180"),
        ({"type": "action", "kind": "message", "text": "x" * 201}, "1 to 200 characters"),
        ({"type": "action", "kind": "message"}, "1 to 200 characters"),
        ({"type": "action", "kind": "reboot"}, "an action is one of"),
    ):
        with pytest.raises(ClinicError, match=says):
            parse_action(json.dumps(bad))


class EndingPhysio(Physio):
    """Ends the session from afar once the viewer has seen the patient move."""

    def act(self) -> None:
        self.viewer.send(json.dumps({"type": "action", "kind": "end"}))
        self.acted = True
        deadline = time.monotonic() + PATIENCE_S
        while not self.live.waiting_actions and time.monotonic() < deadline:
            time.sleep(0.01)
        assert self.live.waiting_actions, "the end never reached the home"


def test_live_end_from_the_physio_stops_the_session_and_keeps_what_was_done(
    clinic_server: ClinicServer, tmp_path: Path
) -> None:
    token, cookie = clinic_with_patient(clinic_server)
    store = home_store(tmp_path)
    live = CountingShare(clinic_server.url, token)
    with open_viewer(clinic_server.url, cookie) as viewer:
        physio = EndingPhysio(viewer, live)
        display = physio.display = PatientAtWindow(press_from=1, watch=physio)
        try:
            result = run_session(context(store, display, live), "P1")
        finally:
            live.close()
        receive_until(viewer, lambda m: m["type"] == "sharing" and m["sharing"] is False, physio.seen)
    done = [m for m in physio.seen if m["type"] == "action_done"]
    assert [(d["kind"], d["applied"]) for d in done] == [("end", True)]
    assert result.status == "stopped" and "Your physio ended the session" in result.message
    visit = store.visits("P1")[-1]
    assert (visit.status, visit.stop_reason) == ("stopped", "ended_by_physio")
    reps_at_home = sum(len(store.reps(row.id)) for row in store.sessions("P1"))
    reps_seen = [m for m in physio.seen if m["type"] == "rep"]
    assert reps_at_home == len(reps_seen) < 6  # ended early; every rep done before is kept
    store.close()

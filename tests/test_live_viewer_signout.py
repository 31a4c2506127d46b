"""A browser's live socket lives no longer than its login session (issue #18), on SQLite and
PostgreSQL: logout, a disabled account, the 12 hours and a removed right to the patient close it
(4401 signed out, 4403 no access) and stop its frames; an action sent after the login ended is
refused and never stored; watching a streaming session keeps the login alive past the idle timeout,
while an open page with no home connected does not.

The server is the real app under uvicorn on a loopback port, in this process (as the login rate
limit's test in tests/test_clinic_access.py serves it) so that the test holds the server's clock and
shrinks ``clinic.live.RECHECK_S``: time is passed in, never waited for. The home is a plain
WebSocket client with its device token, sending frames as ``rehab.app.live_share`` does.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from clinic import live, pairing, tables
from clinic.accounts import add_user, disable
from clinic.app import create_app
from clinic.auth import cli_principal, token_hash
from clinic.config import ClinicConfig
from clinic.db import open_database
from clinic.patients import add_patient
from clinic.web import sessions
from tests.clinic_fixtures import PASSWORD
from tests.test_clinic_access import Clock, serve_in_thread
from tests.test_live_sessions import PATIENCE_S, open_viewer, receive_until, ws_url

#: the check's interval here (the server's is ``live.RECHECK_S``, 5 s)
RECHECK_S = 0.05
PHYSIO = "physio@a.test"
#: the time the server's clock starts at (any moment: nothing here reads the wall clock's date)
START = datetime(2026, 12, 7, 9, 0, 0, tzinfo=timezone.utc)
FRAME = json.dumps({"type": "frame", "t": 1.0, "landmarks": [[0.5, 0.5, 0.9]] * 33}, separators=(",", ":"))
BEAT = json.dumps({"type": "beat"}, separators=(",", ":"))


@dataclass
class Clinic:
    """The app served on loopback, its clock, and patient P1 of the physio with a linked home."""

    url: str
    clock: Clock
    engine: sa.Engine
    home_token: str

    def cookie(self, email: str = PHYSIO) -> str:
        """A new login session's cookie, made as the login form makes it (on the server's clock)."""
        with self.engine.begin() as conn:
            user_id = conn.execute(sa.select(tables.users.c.id).where(tables.users.c.email == email)).scalar_one()
            return sessions.start(conn, int(user_id))

    def home(self) -> ClientConnection:
        headers = {"Authorization": f"Bearer {self.home_token}"}
        return connect(f"{ws_url(self.url)}{live.HOME_PATH}", additional_headers=headers)

    def last_seen(self, cookie: str) -> str | None:
        s = tables.web_sessions
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(s.c.last_seen_at).where(s.c.token_hash == token_hash(cookie))).first()
        return None if row is None else str(row.last_seen_at)

    def page(self, cookie: str) -> httpx.Response:
        return httpx.get(f"{self.url}/patients/P1", cookies={sessions.COOKIE: cookie}, timeout=60)


@pytest.fixture
def clinic(clinic_db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Clinic]:
    monkeypatch.setattr(live, "RECHECK_S", RECHECK_S)
    open_database(ClinicConfig(db_url=clinic_db_url)).dispose()  # the schema
    clock = Clock(START)
    app = create_app(ClinicConfig(db_url=clinic_db_url, clock=clock))
    engine: sa.Engine = app.state.engine
    with engine.begin() as conn:
        add_user(conn, PHYSIO, "physio", PASSWORD, team="team-a")
        add_user(conn, "other@b.test", "physio", PASSWORD, team="team-b")
        add_patient(conn, cli_principal(), "P1", PHYSIO)
        code = pairing.new_code(conn, cli_principal(), "P1").code
        token = pairing.pair(conn, code, "home").device_token
    url, stop = serve_in_thread(app)
    try:
        yield Clinic(url, clock, engine, token)
    finally:
        stop()
        engine.dispose()


@contextlib.contextmanager
def watching(clinic: Clinic, cookie: str) -> Iterator[tuple[ClientConnection, ClientConnection, list[dict[str, Any]]]]:
    """A viewer with the cookie and a home streaming to it: both sockets, once the viewer has a frame."""
    seen: list[dict[str, Any]] = []
    with open_viewer(clinic.url, cookie) as viewer:
        receive_until(viewer, lambda m: m == {"type": "status", "home": "waiting"}, seen)
        with clinic.home() as home:
            home.send(FRAME)
            receive_until(viewer, lambda m: m["type"] == "frame", seen)
            yield viewer, home, seen


def closed_while_streaming(viewer: ClientConnection, home: ClientConnection) -> tuple[ConnectionClosed, int]:
    """The home keeps sending frames until the viewer's socket is closed by the server: the close,
    and how many frames the viewer still got (those already on their way). Fails after the
    patience with the frames that kept coming."""
    frames = 0
    deadline = time.monotonic() + PATIENCE_S
    while time.monotonic() < deadline:
        home.send(FRAME)
        try:
            message = json.loads(viewer.recv(timeout=RECHECK_S))
        except TimeoutError:
            continue
        except ConnectionClosed as closed:
            return closed, frames
        frames += message["type"] == "frame"
    raise AssertionError(f"the viewer's socket stayed open; {frames} frames kept coming")


def assert_signed_out(closed: ConnectionClosed) -> None:
    assert closed.rcvd is not None, "the server did not close the socket with a reason"
    assert (closed.rcvd.code, closed.rcvd.reason) == (4401, "You have been signed out. Sign in again to keep watching.")


def log_out(clinic: Clinic, cookie: str) -> None:
    """The web app's logout button (its form, with the session's CSRF token)."""
    answer = httpx.post(
        f"{clinic.url}/logout",
        data={"csrf": sessions.csrf_token(cookie)},
        cookies={sessions.COOKIE: cookie},
        timeout=60,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/login"


def test_live_logout_closes_the_viewers_socket_and_stops_its_frames(clinic: Clinic) -> None:
    cookie = clinic.cookie()
    with watching(clinic, cookie) as (viewer, home, _seen):
        log_out(clinic, cookie)
        closed, _frames = closed_while_streaming(viewer, home)
        assert_signed_out(closed)
        home.send(FRAME)
        with pytest.raises(ConnectionClosed):
            viewer.recv(timeout=PATIENCE_S)  # nothing more, ever
    assert clinic.last_seen(cookie) is None  # the session is gone, not revived by the watching


def test_live_disabled_account_closes_the_viewers_socket(clinic: Clinic) -> None:
    cookie = clinic.cookie()
    with watching(clinic, cookie) as (viewer, home, _seen):
        with clinic.engine.begin() as conn:
            disable(conn, PHYSIO)  # as `rehab clinic user disable` and the admin page do
        closed, _frames = closed_while_streaming(viewer, home)
        assert_signed_out(closed)


def test_live_removed_right_to_the_patient_closes_the_viewers_socket(clinic: Clinic) -> None:
    cookie = clinic.cookie()
    with watching(clinic, cookie) as (viewer, home, _seen):
        # the patient moves to another team's physio: still signed in, but no longer theirs to see
        with clinic.engine.begin() as conn:
            other = conn.execute(sa.select(tables.users.c.id).where(tables.users.c.email == "other@b.test")).scalar()
            conn.execute(sa.update(tables.patients).values(physio_id=other, team="team-b"))
        closed, _frames = closed_while_streaming(viewer, home)
        assert closed.rcvd is not None
        assert (closed.rcvd.code, closed.rcvd.reason) == (4403, "You may no longer see this patient.")
    assert clinic.last_seen(cookie) is not None  # the login itself goes on


def test_live_twelve_hours_close_the_viewers_socket_even_while_watching(clinic: Clinic) -> None:
    cookie = clinic.cookie()
    with watching(clinic, cookie) as (viewer, home, _seen):
        # the login was made 12 hours ago and has been seen just now: only the 12 hours end it
        s = tables.web_sessions
        made = (START - timedelta(hours=12, seconds=1)).isoformat()
        with clinic.engine.begin() as conn:
            conn.execute(sa.update(s).where(s.c.token_hash == token_hash(cookie)).values(created_at=made))
        closed, _frames = closed_while_streaming(viewer, home)
        assert_signed_out(closed)


def test_live_action_after_the_login_ended_is_refused_and_not_stored(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the action itself finds that the login has ended (no periodic check comes first)."""
    monkeypatch.setattr(live, "RECHECK_S", 3600.0)
    cookie, second = clinic.cookie(), clinic.cookie()
    with watching(clinic, cookie) as (viewer, home, seen):
        log_out(clinic, cookie)
        viewer.send(json.dumps({"type": "action", "kind": "end"}))
        with pytest.raises(ConnectionClosed) as ended:
            receive_until(viewer, lambda m: False, seen)
        assert_signed_out(ended.value)
        # the same physio, still signed in elsewhere, sends a message: it is the first the home hears
        with open_viewer(clinic.url, second) as still:
            still.send(json.dumps({"type": "action", "kind": "message", "text": "hello"}))
            heard = json.loads(home.recv(timeout=PATIENCE_S))
            assert (heard["type"], heard["kind"], heard["text"]) == ("action", "message", "hello")
    assert [(a["kind"], a["text"]) for a in live.actions(clinic.engine, "P1")] == [("message", "hello")]
    assert not any(m["type"] == "action_sent" for m in seen)


def step_until(wanted: Callable[[], bool], home: ClientConnection) -> None:
    """Until ``wanted()`` (the home beating meanwhile, as it does when it has nothing else to send)."""
    deadline = time.monotonic() + PATIENCE_S
    while not wanted():
        assert time.monotonic() < deadline, "never happened"
        home.send(BEAT)
        time.sleep(RECHECK_S)


def test_live_watching_a_streaming_session_keeps_the_login_past_the_idle_timeout(clinic: Clinic) -> None:
    """40 minutes of watching without a click, in 10-minute steps of the server's clock: each
    check while the home streams marks the login seen, so it outlives the 30 minutes idle."""
    cookie = clinic.cookie()
    with watching(clinic, cookie) as (viewer, home, _seen):
        for _ in range(4):
            clinic.clock.now += timedelta(minutes=10)
            now = clinic.clock.now.isoformat()
            step_until(lambda now=now: clinic.last_seen(cookie) == now, home)
        assert clinic.clock.now - START == timedelta(minutes=40) > sessions.IDLE_TIMEOUT
        home.send(FRAME)
        assert receive_until(viewer, lambda m: m["type"] == "frame", [])["landmarks"]  # still watching
    assert clinic.page(cookie).status_code == 200  # and still signed in on the other pages


def test_live_open_page_with_no_home_connected_still_times_out(clinic: Clinic) -> None:
    """Watching counts as activity only while a session streams: an open page waiting for a patient
    who never comes is idle like any other page, and is signed out after 30 minutes."""
    cookie = clinic.cookie()
    with open_viewer(clinic.url, cookie) as viewer:
        seen: list[dict[str, Any]] = []
        receive_until(viewer, lambda m: m == {"type": "status", "home": "waiting"}, seen)
        clinic.clock.now += timedelta(minutes=20)
        time.sleep(10 * RECHECK_S)  # some checks pass: none marks the login seen
        assert clinic.last_seen(cookie) == START.isoformat()
        clinic.clock.now += timedelta(minutes=10, seconds=1)
        with pytest.raises(ConnectionClosed) as ended:
            receive_until(viewer, lambda m: False, seen)
        assert_signed_out(ended.value)
    assert clinic.page(cookie).status_code == 303  # to the login page

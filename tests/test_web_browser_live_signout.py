"""The live page once its login session has ended, in a real browser (headless chromium) against a
real ``rehab clinic serve`` on SQLite and PostgreSQL: it says "You have been signed out. Sign in
again to keep watching." with a link to sign in, not "connection lost", clears the patient's skeleton,
disables the physio's controls and opens no new socket.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from clinic import live, tables
from clinic.accounts import disable
from clinic.db import create_engine
from rehab.app.live_share import LiveShare
from tests.clinic_fixtures import _SERVE, ClinicServer, _wait_until_answering
from tests.test_web_browser_live import PATIENCE_MS, canvas_picture, frames_seen, skeleton_frames

SIGNED_OUT = "You have been signed out. Sign in again to keep watching."


def streaming_page(clinic_server: ClinicServer, web_page: Callable[..., Any]) -> tuple[Any, LiveShare, list[Any]]:
    """The physio's live page with a home streaming a skeleton to it, and the page's sockets so far."""
    clinic_server.physio("physio@a.test", "team-a")
    clinic_server.patient("P1", "physio@a.test")
    token = clinic_server.pair("P1")
    page = web_page("physio@a.test", "/patients/P1/live")
    sockets: list[Any] = []
    page.on("websocket", lambda socket: sockets.append(socket))
    page.wait_for_function("document.getElementById('live-status').dataset.status === 'waiting'", timeout=PATIENCE_MS)
    share = LiveShare(clinic_server.url, token)
    share.start()
    share.send(skeleton_frames()[0])
    page.wait_for_function("Number(document.getElementById('frames').textContent) >= 1", timeout=PATIENCE_MS)
    return page, share, sockets


def blank_canvas(page: Any) -> str:
    """The skeleton's canvas as the page clears it (its background, nothing drawn)."""
    return str(
        page.evaluate(
            "(() => { const c = document.createElement('canvas'); c.width = 480; c.height = 360;"
            " const g = c.getContext('2d'); g.fillStyle = '#1b1f23'; g.fillRect(0, 0, 480, 360);"
            " return c.toDataURL(); })()"
        )
    )


def assert_signed_out(page: Any, sockets: list[Any]) -> None:
    page.wait_for_function(
        "document.getElementById('live-status').dataset.status === 'signed-out'", timeout=PATIENCE_MS
    )
    assert page.locator("#live-status").inner_text() == SIGNED_OUT
    again = page.locator("#live-sign-in a")
    assert again.is_visible() and again.get_attribute("href") == "/login?next=/patients/P1/live"
    assert not page.locator("#live-badge").is_visible()
    assert canvas_picture(page) == blank_canvas(page)  # the patient's skeleton is gone from the screen
    assert page.locator("#live-pause").is_disabled() and page.locator("#live-message").is_disabled()
    # no reconnecting: the page would have tried again after 0.5 s, then 1 s
    count = len(sockets)
    time.sleep(2.0)
    assert len(sockets) == count and page.locator("#live-status").get_attribute("data-status") == "signed-out"


def test_browser_live_page_after_logout_says_signed_out_and_stops(
    clinic_server: ClinicServer, web_page: Callable[..., Any]
) -> None:
    page, share, sockets = streaming_page(clinic_server, web_page)
    try:
        assert canvas_picture(page) != blank_canvas(page) and frames_seen(page) >= 1
        # the physio logs out in another tab, then presses Pause on the live page: refused at once
        other = page.context.new_page()
        other.goto(clinic_server.url + "/caseload")
        with other.expect_navigation():
            other.get_by_role("button", name="Log out").click()
        page.click("#live-pause")
        assert_signed_out(page, sockets)
    finally:
        share.close()
    assert not share.take_actions()  # the pause never reached the home


def test_browser_live_page_of_a_disabled_account_says_signed_out(
    clinic_server: ClinicServer, web_page: Callable[..., Any]
) -> None:
    """No click: the server's own check (every ``clinic.live.RECHECK_S`` seconds) ends it."""
    page, share, sockets = streaming_page(clinic_server, web_page)
    try:
        engine = create_engine(clinic_server.db_url)
        with engine.begin() as conn:
            disable(conn, "physio@a.test")
        engine.dispose()
        started = time.monotonic()
        assert_signed_out(page, sockets)
        assert time.monotonic() - started < live.RECHECK_S + 10.0
    finally:
        share.close()


def serve_again(server: ClinicServer, folder: Path) -> subprocess.Popen[bytes]:
    """Another ``rehab clinic serve`` on the same port and database, once the first has stopped."""
    port = server.url.rsplit(":", 1)[1]
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "clinic-server-again.log"
    argv = ["--home", str(folder / "home"), "clinic", "serve", "--port", port, "--db", server.db_url]
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-c", _SERVE, *argv], stdout=out, stderr=subprocess.STDOUT)
    _wait_until_answering(server.url, process, log)
    return process


def test_browser_live_page_refused_on_reconnecting_after_logout_says_signed_out(
    clinic_server: ClinicServer, web_page: Callable[..., Any], tmp_path: Path
) -> None:
    """The line drops (the server restarts) and the login ends meanwhile: the reconnect is refused
    before the socket opens, which tells the browser nothing; the page asks for itself, is sent to
    the login page, and says it is signed out instead of reconnecting for ever."""
    page, share, sockets = streaming_page(clinic_server, web_page)
    share.close()
    clinic_server.stop()  # the page's socket drops with no reason: it reconnects, in vain meanwhile
    page.wait_for_function("document.getElementById('live-status').dataset.status === 'server'", timeout=PATIENCE_MS)
    engine = create_engine(clinic_server.db_url)
    with engine.begin() as conn:
        conn.execute(sa.delete(tables.web_sessions))  # every login ended meanwhile (as a logout does)
    engine.dispose()
    again = serve_again(clinic_server, tmp_path / "again")
    try:
        assert_signed_out(page, sockets)
    finally:
        again.kill()
        again.wait()

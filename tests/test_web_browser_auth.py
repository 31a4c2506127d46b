"""Logging in and out of the web app in a real browser (Debian's chromium through Playwright) against
a real clinic server on SQLite and PostgreSQL: the keyboard-only login, a wrong password, the way
back to the page asked for (never to another site), logout, the cookie's flags, CSRF, and a physio
kept out of another team's patient. The idle timeout is tested on the library with a clock the
test moves (a server in another process has the wall clock).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from tests.browser_fixtures import SESSION_COOKIE, log_in, require_page
from tests.clinic_fixtures import PASSWORD, ClinicServer

ANA = "ana@clinic.test"  # physio, team north
BO = "bo@clinic.test"  # physio, team south
OWN = "P-0042"  # Ana's patient
OTHER = "P-0077"  # Bo's patient


@pytest.fixture
def clinic(clinic_server: ClinicServer) -> ClinicServer:
    clinic_server.physio(ANA, "north")
    clinic_server.physio(BO, "south")
    clinic_server.patient(OWN, ANA)
    clinic_server.patient(OTHER, BO)
    return clinic_server


def path_of(page: Any) -> str:
    parts = urlsplit(page.url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def focused_id(page: Any) -> str:
    return str(page.evaluate("document.activeElement ? document.activeElement.id : ''"))


def tab_to(page: Any, element_id: str) -> None:
    """Presses Tab until the element has the focus (fails after 15 presses)."""
    for _ in range(15):
        if focused_id(page) == element_id:
            return
        page.keyboard.press("Tab")
    pytest.fail(f"#{element_id} cannot be reached with the Tab key (focus is on #{focused_id(page)})")


def test_browser_login_with_the_keyboard_only_lands_on_the_caseload(
    clinic: ClinicServer, new_page: Callable[..., Any]
) -> None:
    require_page("GET", "/caseload")
    page = new_page()
    page.goto(clinic.url + "/")
    assert path_of(page) == "/login?next=/", "a logged-out visitor of / is sent to the login page"
    tab_to(page, "email")
    page.keyboard.type(ANA)
    page.keyboard.press("Tab")
    assert focused_id(page) == "password"
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/caseload$"))
    assert page.locator("header.top .who").inner_text().startswith(ANA)
    assert page.locator("header.top nav a[aria-current=page]").inner_text() == "Caseload"
    assert "Log in" not in page.title()


def test_browser_wrong_password_shows_the_error_on_the_login_page(
    clinic: ClinicServer, new_page: Callable[..., Any]
) -> None:
    page = new_page()
    page.goto(clinic.url + "/login")
    page.fill("#email", ANA)
    page.fill("#password", "not the password at all")
    with page.expect_navigation() as navigation:
        page.keyboard.press("Enter")
    assert navigation.value.status == 401
    alert = page.get_by_role("alert")
    assert alert.inner_text() == "Wrong email or password."
    assert page.locator("#email").input_value() == ANA, "the email typed is kept"
    assert page.locator("#password").input_value() == "", "the password is never sent back"
    assert page.locator("#email").get_attribute("aria-describedby") == "login-error"
    assert [c for c in page.context.cookies() if c["name"] == SESSION_COOKIE] == []


def test_browser_logged_out_user_goes_to_login_and_back_to_the_page_asked_for(
    clinic: ClinicServer, new_page: Callable[..., Any]
) -> None:
    require_page("GET", f"/patients/{OWN}")
    page = new_page()
    page.goto(f"{clinic.url}/patients/{OWN}")
    assert path_of(page) == f"/login?next=/patients/{OWN}"
    page.fill("#email", ANA)
    page.fill("#password", PASSWORD)
    with page.expect_navigation() as navigation:
        page.click("form[action='/login'] button[type=submit]")
    assert path_of(page) == f"/patients/{OWN}"
    assert navigation.value is not None and navigation.value.status == 200
    assert OWN in page.locator("main").inner_text()


@pytest.mark.parametrize("elsewhere", ["//evil.example/x", "https://evil.example/", "/\\evil.example"])
def test_browser_login_never_sends_the_user_to_another_site(
    clinic: ClinicServer, new_page: Callable[..., Any], elsewhere: str
) -> None:
    page = new_page()
    page.goto(clinic.url + "/login?next=" + elsewhere)
    page.fill("#email", ANA)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("form[action='/login'] button[type=submit]")
    assert urlsplit(page.url).netloc == urlsplit(clinic.url).netloc
    assert path_of(page) == "/caseload"


def test_browser_logout_ends_the_session(clinic: ClinicServer, new_page: Callable[..., Any]) -> None:
    require_page("GET", "/caseload")
    page = log_in(new_page(), clinic.url, ANA)
    assert path_of(page) == "/caseload"
    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()
    assert path_of(page) == "/login"
    assert [c for c in page.context.cookies() if c["name"] == SESSION_COOKIE] == []
    page.go_back()
    page.wait_for_load_state()
    assert path_of(page) == "/login?next=/caseload", "the back button must not show the caseload again"
    page.goto(clinic.url + "/caseload")
    assert path_of(page) == "/login?next=/caseload"


def test_browser_logout_ends_the_session_on_the_server_even_with_the_old_cookie(
    clinic: ClinicServer, new_page: Callable[..., Any]
) -> None:
    page = log_in(new_page(), clinic.url, ANA)
    cookie = next(c for c in page.context.cookies() if c["name"] == SESSION_COOKIE)
    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()
    stolen = new_page()
    stolen.context.add_cookies([cookie])  # the cookie kept from before the logout
    stolen.goto(clinic.url + "/caseload")
    assert path_of(stolen) == "/login?next=/caseload"


def test_browser_session_cookie_is_httponly_and_samesite_strict(
    clinic: ClinicServer, new_page: Callable[..., Any]
) -> None:
    page = log_in(new_page(), clinic.url, ANA)
    [cookie] = [c for c in page.context.cookies() if c["name"] == SESSION_COOKIE]
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    assert cookie["path"] == "/"
    assert cookie["expires"] == -1, "a session cookie: gone when the browser closes"
    assert SESSION_COOKIE not in page.evaluate("document.cookie"), "scripts cannot read it"


def test_browser_form_without_its_csrf_token_is_refused(clinic: ClinicServer, new_page: Callable[..., Any]) -> None:
    page = log_in(new_page(), clinic.url, ANA)
    token = page.locator("form[action='/logout'] input[name=csrf]").input_value()
    assert re.fullmatch(r"[0-9a-f]{64}", token)
    for form in ({}, {"csrf": ""}, {"csrf": "0" * 64}, {"csrf": token[:-1]}):
        answer = page.request.post(clinic.url + "/logout", form=form, max_redirects=0)
        assert answer.status == 403, f"{form}: {answer.status}"
        assert "did not come from this site" in answer.text()
    page.reload()
    assert path_of(page) == "/caseload", "a refused form leaves the session as it was"
    other = log_in(new_page(), clinic.url, BO)  # another session's token is not this session's
    other_token = other.locator("form[action='/logout'] input[name=csrf]").input_value()
    assert other_token != token
    answer = page.request.post(clinic.url + "/logout", form={"csrf": other_token}, max_redirects=0)
    assert answer.status == 403
    answer = page.request.post(clinic.url + "/logout", form={"csrf": token}, max_redirects=0)
    assert answer.status == 303 and answer.headers["location"] == "/login"


def test_browser_physio_opening_another_teams_patient_by_url_gets_403(
    clinic: ClinicServer, new_page: Callable[..., Any]
) -> None:
    require_page("GET", f"/patients/{OTHER}")
    page = log_in(new_page(), clinic.url, ANA)
    answer = page.goto(f"{clinic.url}/patients/{OTHER}")
    assert answer is not None and answer.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "Not allowed"
    assert "P-0077" not in page.title() and page.locator("table").count() == 0, "none of the patient's data"
    answer = page.goto(f"{clinic.url}/patients/{OWN}")
    assert answer is not None and answer.status == 200, "her own patient opens"
    answer = page.goto(f"{clinic.url}/patients/P-9999")
    assert answer is not None and answer.status == 404


# -- the idle timeout, on the library, with a clock the test moves ---------------------------------


class Clock:
    def __init__(self) -> None:
        self.at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def clocked(clinic_db_url: str) -> Any:
    from clinic.accounts import add_user
    from clinic.config import ClinicConfig
    from clinic.db import open_database

    clock = Clock()
    engine = open_database(ClinicConfig(db_url=clinic_db_url, clock=clock))
    with engine.begin() as conn:
        user_id = add_user(conn, ANA, "physio", PASSWORD, "north").id
    yield engine, clock, user_id
    engine.dispose()


def _resume(engine: sa.Engine, token: str) -> Any:
    from clinic.web import sessions

    with engine.begin() as conn:
        return sessions.resume(conn, token)


def test_browser_session_ends_after_30_idle_minutes(clocked: Any) -> None:
    from clinic.tables import web_sessions
    from clinic.web import sessions

    engine, clock, user_id = clocked
    with engine.begin() as conn:
        token = sessions.start(conn, user_id)
    clock.advance(minutes=29, seconds=59)
    found = _resume(engine, token)
    assert found is not None and found.who.name == ANA and found.who.role == "physio"
    clock.advance(minutes=29, seconds=59)  # 59 minutes after the login, 30 minutes less a second idle
    assert _resume(engine, token) is not None, "every request keeps the session alive"
    clock.advance(minutes=30, seconds=1)
    assert _resume(engine, token) is None
    with engine.begin() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(web_sessions)).scalar() == 0, "deleted"
    clock.advance(minutes=-60)
    assert _resume(engine, token) is None, "an ended session never comes back"


def test_browser_session_ends_after_12_hours_however_busy(clocked: Any) -> None:
    from clinic.web import sessions

    engine, clock, user_id = clocked
    with engine.begin() as conn:
        token = sessions.start(conn, user_id)
    for _ in range(12 * 3):  # a request every 20 minutes for 12 hours
        clock.advance(minutes=20)
        assert _resume(engine, token) is not None
    clock.advance(seconds=1)
    assert _resume(engine, token) is None


def test_browser_session_of_a_disabled_account_ends_at_once(clocked: Any) -> None:
    from clinic.accounts import disable
    from clinic.web import sessions

    engine, clock, user_id = clocked
    with engine.begin() as conn:
        token = sessions.start(conn, user_id)
    assert _resume(engine, token) is not None
    with engine.begin() as conn:
        disable(conn, ANA)
    assert _resume(engine, token) is None
    assert _resume(engine, "not-a-token") is None

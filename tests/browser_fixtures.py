"""A real browser for the web app's tests (their names contain ``browser``): Playwright driving
Debian's chromium, headless, never a browser Playwright downloaded (that download cannot work here).

Where ``/usr/bin/chromium`` is missing the browser tests skip with the reason, except as root under
CI or REHAB_REQUIRE_POSTGRES=1 (where ``make test`` installs it, as it installs PostgreSQL): there
its absence is a broken build and they fail. ``chromium_browser`` is one browser for the session
(Playwright gives every launch a fresh, temporary profile); every test gets its own contexts, so no
cookie leaks from one test to the next. ``web_page(email)`` is a page logged in as that user
through the login form of the ``clinic_server`` fixture; ``web_client(server, email)`` is the same
without a browser (httpx with the session cookie), for tests over plain HTTP.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.clinic_fixtures import PASSWORD, ClinicServer

CHROMIUM = Path("/usr/bin/chromium")
#: headless, and nothing that talks to the network or to Google on its own
CHROMIUM_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
DESKTOP = {"width": 1280, "height": 900}
TABLET = {"width": 820, "height": 1180}
SESSION_COOKIE = "rehab_clinic_session"


def browser_required() -> bool:
    """As tests/test_clinic_postgres.py decides for PostgreSQL: root under CI (env CI) or
    REHAB_REQUIRE_POSTGRES=1, where `make test` installs chromium; missing there is a failure."""
    asked = os.environ.get("REHAB_REQUIRE_POSTGRES") == "1" or os.environ.get("CI", "") not in ("", "0", "false")
    return asked and os.geteuid() == 0


def launch_chromium(playwright: Any) -> Any:
    """Debian's chromium through Playwright (``playwright.chromium``), headless; a fresh profile."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_ARGS))


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Any]:
    """One headless chromium for the test session (a playwright Browser)."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium (`make browser` does, as root)"
        if browser_required():
            pytest.fail(reason + "; it is required here (CI or REHAB_REQUIRE_POSTGRES=1, as root)")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_page(chromium_browser: Any) -> Iterator[Callable[..., Any]]:
    """``new_page(viewport=DESKTOP)``: a page in a new context (its own cookies); all closed after."""
    contexts: list[Any] = []

    def make(viewport: dict[str, int] | None = None) -> Any:
        context = chromium_browser.new_context(viewport=viewport or DESKTOP, locale="en-GB", timezone_id="UTC")
        context.set_default_timeout(30_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def log_in(page: Any, base_url: str, email: str, password: str = PASSWORD, path: str = "/caseload") -> Any:
    """Logs ``page`` in through the login form on the way to ``path`` and waits until it is there."""
    page.goto(f"{base_url}/login?next={quote(path, safe='/')}")
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("form[action='/login'] button[type=submit]")
    assert "/login" not in page.url, f"logging in as {email} failed: {page.locator('main').inner_text()}"
    return page


@pytest.fixture
def web_page(clinic_server: ClinicServer, new_page: Callable[..., Any]) -> Callable[..., Any]:
    """``web_page(email, path="/caseload", viewport=DESKTOP)``: a page logged in as that user (made
    beforehand, e.g. with ``clinic_server.physio``) through the login form, showing ``path``."""

    def make(email: str, path: str = "/caseload", viewport: dict[str, int] | None = None) -> Any:
        return log_in(new_page(viewport), clinic_server.url, email, path=path)

    return make


# -- the same without a browser ---------------------------------------------------------------------

_CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = _CSRF.search(html)
    assert found, "no CSRF field on this page"
    return found.group(1)


@contextlib.contextmanager
def web_client(server: ClinicServer, email: str, password: str = PASSWORD) -> Iterator[Any]:
    """``with web_client(server, email) as client``: an httpx.Client logged in to the web app as
    ``email`` (the session cookie kept); redirects are not followed, so a test sees each 303."""
    import httpx

    with httpx.Client(base_url=server.url, timeout=60, follow_redirects=False) as client:
        answer = client.post("/login", data={"email": email, "password": password, "next": "/caseload"})
        assert answer.status_code == 303, f"web login {email}: {answer.status_code} {answer.text[:300]}"
        assert SESSION_COOKIE in client.cookies, "no session cookie after logging in"
        yield client


def require_page(method: str, path: str) -> None:
    """Fails with a clear message when the web app has no route for ``method path`` (a page another
    part of the app adds): a missing page is a failure of the scenario, never a silent skip."""
    from starlette.routing import Match

    from clinic.app import create_app
    from clinic.config import ClinicConfig

    app = create_app(ClinicConfig(db_url="sqlite://"))
    scope = {"type": "http", "method": method, "path": path, "root_path": "", "app": app}
    for route in app.routes:
        if route.matches(scope)[0] == Match.FULL and not path.startswith("/static"):
            return
    pytest.fail(f"the web app has no page for {method} {path} yet (a module of clinic.web.PAGES is missing)")

"""The web app end to end in a real browser (Debian's chromium through Playwright, headless) against a
real ``rehab clinic serve`` on SQLite and on PostgreSQL, fed by real homes: two patients of one
physio, each home linked with ``rehab link`` and pushed with ``rehab sync`` from a store of
simulated sessions (tests/clinic_demo.py), one whose pain rose by 3 today and one with no session
for 4 days.

The physio logs in with the keyboard only, finds both alerts at the top of the caseload in their
sentences, opens the patient by clicking, points the mouse at a dot of the range-of-motion chart and
reads in its label the date and value the home stored for that session; writes a note holding
markup and sees it as text, with no script run; logs out and is kept out. A physio of another team
who types the patient's URL gets the 403 page. Every expected value is read from the homes' stores.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from progress.store import Store
from tests.browser_fixtures import SESSION_COOKIE, log_in, require_page
from tests.clinic_demo import (
    IDLE_PATIENT,
    KNEE,
    NEW_PATIENT,
    OTHER_PHYSIO,
    PAIN_PATIENT,
    PHYSIO,
    DemoClinic,
    PeakPoint,
    build_caseload,
    home_store,
    last_session_day,
    peak_points,
)
from tests.clinic_fixtures import PASSWORD, ClinicServer

#: a note a careless page would run: a script, and an image whose error handler runs
NOTE = (
    "Knee sore after the new target. <script>window.__noteRan = 'script'; alert('note')</script>"
    '<img src="/nowhere.png" onerror="window.__noteRan = \'img\'"> Review on Friday.'
)
ROM_CHART = "#rom-" + KNEE.replace("_", "-")
TABLET_PORTRAIT = {"width": 800, "height": 1280}


@pytest.fixture
def demo(clinic_server: ClinicServer, tmp_path: Path) -> DemoClinic:
    return build_caseload(clinic_server, tmp_path / "homes")


def path_of(page: Any) -> str:
    parts = urlsplit(page.url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def short_date(day: date) -> str:
    """'7 Dec': how the caseload writes a day."""
    return f"{day.day} {day.strftime('%b')}"


def as_plotly_prints(value: float) -> str:
    """``value`` as the chart's hover template prints it: rounded to 2 decimals in the figure's JSON,
    then d3-format's '.1f', which is JavaScript's toFixed (a tie goes up, on the exact binary value)."""
    return str(Decimal(round(value, 2)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


# -- the steps ----------------------------------------------------------------------------------------


def log_in_with_the_keyboard(page: Any, base_url: str, email: str) -> None:
    """From the caseload's URL, logged out: the login page, Tab to the email, type, Tab, type, Enter."""
    page.goto(base_url + "/caseload")
    assert path_of(page) == "/login?next=/caseload"
    icon = page.request.get(base_url + str(page.locator("link[rel=icon]").get_attribute("href")))
    assert icon.status == 200 and icon.headers["content-type"].startswith("image/svg+xml"), "the favicon"
    for _ in range(15):
        if page.evaluate("document.activeElement && document.activeElement.id") == "email":
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail("the email field cannot be reached with the Tab key")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert path_of(page) == "/caseload"


def expected_pain_alert(demo: DemoClinic) -> str:
    """The pain sentence from the home's own ratings of its last guided session."""
    with home_store(demo.homes[PAIN_PATIENT]) as store:
        last = store.sessions(PAIN_PATIENT)[-1]
        before = _one_rating(store, last.id, "before")
        after = _one_rating(store, last.id, "after")
    assert after - before >= 2, "the demo home must hold a rise the caseload calls an alert"
    return f"pain {before:g} → {after:g} in the last session ({short_date(date.fromisoformat(last.started_at[:10]))})"


def _one_rating(store: Store, session_id: int, moment: str) -> float:
    (rating,) = store.session_ratings([session_id], "pain", moment)
    return rating.value


def expected_idle_alert(demo: DemoClinic) -> str:
    days = (demo.today - last_session_day(demo.homes[IDLE_PATIENT], IDLE_PATIENT)).days
    assert days >= 3, "the demo home must be quiet long enough for the alert"
    return f"no session for {days} days; the home last synced on {short_date(demo.today)}"


def check_caseload(page: Any, demo: DemoClinic) -> None:
    rows = page.locator("#caseload-table tbody tr")
    order = [rows.nth(i).get_attribute("data-patient") for i in range(rows.count())]
    # the patient without alerts has the lowest id: only the alerts put the others above it
    assert order == [PAIN_PATIENT, IDLE_PATIENT, NEW_PATIENT]
    pain = rows.nth(0).locator("ul.alerts li").all_inner_texts()
    idle = rows.nth(1).locator("ul.alerts li").all_inner_texts()
    assert expected_pain_alert(demo) in pain, pain
    assert expected_idle_alert(demo) in idle, idle
    assert rows.nth(2).locator("ul.alerts").count() == 0
    assert rows.nth(2).locator("td").first.inner_text() == "none"


def hover_label(page: Any, index: int) -> list[str]:
    """Moves the mouse onto the ``index``-th dot of the best-peak line and returns the label's lines."""
    chart = page.locator(ROM_CHART)
    dot = chart.locator(".scatterlayer .trace").first.locator("path.point").nth(index)
    dot.scroll_into_view_if_needed()
    box = dot.bounding_box()
    assert box is not None, f"dot {index} of the range-of-motion chart is not drawn"
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    label = chart.locator(".hoverlayer .hovertext")
    label.wait_for()
    lines: list[str] = label.locator("tspan.line").all_text_contents()
    page.mouse.move(1, 1)  # away, so the next label is the next dot's
    label.wait_for(state="detached")
    return lines


def check_the_chart_hovers(page: Any, points: list[PeakPoint]) -> None:
    chart = page.locator(ROM_CHART)
    chart.locator(".scatterlayer .trace path.point").first.wait_for()
    assert chart.locator(".scatterlayer .trace").first.locator("path.point").count() == len(points)
    for index in (len(points) // 2, len(points) - 1):  # one from the history, today's painful one
        point = points[index]
        expected = [point.day, f"{point.game} ({point.status})", f"best peak {as_plotly_prints(point.best_peak_deg)}°"]
        assert hover_label(page, index) == expected, f"dot {index} of {len(points)}"


def check_a_note_is_text(page: Any) -> None:
    dialogs: list[str] = []

    def refuse(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", refuse)
    page.fill("#note-text", NOTE)
    with page.expect_navigation():
        page.get_by_role("button", name="Save note").click()
    assert page.get_by_role("status").inner_text() == "The note was saved."
    notes = page.locator("section[aria-labelledby=notes]")
    assert notes.locator("li.note .text").first.inner_text() == NOTE, "the markup is shown as the text typed"
    assert notes.locator("li.note script, li.note img").count() == 0, "the note made no elements"
    page.wait_for_load_state("load")  # an image's error, had there been one, is in by now
    assert page.evaluate("window.__noteRan") is None, "a script from the note ran"
    assert dialogs == []


def check_logout_keeps_them_out(page: Any, base_url: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()
    assert path_of(page) == "/login"
    assert [c for c in page.context.cookies() if c["name"] == SESSION_COOKIE] == []
    page.goto(base_url + "/caseload")
    assert path_of(page) == "/login?next=/caseload"
    assert page.get_by_role("heading", level=1).inner_text() == "Log in"
    assert page.locator("#caseload-table").count() == 0


# -- the flow -----------------------------------------------------------------------------------------


def test_browser_flow_login_caseload_alerts_patient_chart_note_logout(
    demo: DemoClinic, new_page: Callable[..., Any]
) -> None:
    for method, path in (("GET", "/caseload"), ("GET", f"/patients/{PAIN_PATIENT}")):
        require_page(method, path)
    url = demo.server.url
    page = new_page()

    log_in_with_the_keyboard(page, url, PHYSIO)
    check_caseload(page, demo)

    with page.expect_navigation():
        page.locator(f"#caseload-table a[href='/patients/{PAIN_PATIENT}']").click()
    assert path_of(page) == f"/patients/{PAIN_PATIENT}"
    assert page.get_by_role("heading", level=1).inner_text() == f"Patient {PAIN_PATIENT}"
    check_the_chart_hovers(page, peak_points(demo.homes[PAIN_PATIENT], PAIN_PATIENT, KNEE))

    check_a_note_is_text(page)
    check_logout_keeps_them_out(page, url)


def test_browser_physio_of_another_team_typing_the_patients_url_gets_the_403_page(
    demo: DemoClinic, new_page: Callable[..., Any]
) -> None:
    require_page("GET", f"/patients/{PAIN_PATIENT}")
    page = log_in(new_page(), demo.server.url, OTHER_PHYSIO)
    answer = page.goto(f"{demo.server.url}/patients/{PAIN_PATIENT}")
    assert answer is not None and answer.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "Not allowed"
    assert page.get_by_role("link", name="Back to the caseload").count() == 1
    main = page.locator("main").inner_text()
    points = peak_points(demo.homes[PAIN_PATIENT], PAIN_PATIENT, KNEE)
    assert "kitchen laptop" not in main and points[-1].day not in main, "none of the patient's data"
    assert page.locator(f"{ROM_CHART}, table, form[action$='/notes']").count() == 0
    page.goto(demo.server.url + "/caseload")
    assert PAIN_PATIENT not in page.locator("main").inner_text(), "nor on Bo's caseload"


def test_browser_on_a_tablet_pages_fit_the_width_and_wide_tables_scroll_in_their_box(
    demo: DemoClinic, new_page: Callable[..., Any]
) -> None:
    url, patient = demo.server.url, f"/patients/{PAIN_PATIENT}"
    page = log_in(new_page(TABLET_PORTRAIT), url, PHYSIO, path=patient)
    newest_session = str(page.locator("#session-table tbody a").first.get_attribute("href"))
    for path in ("/caseload", patient, newest_session):
        page.goto(url + path)
        spill = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert spill == 0, f"{path} is {spill} px wider than an {TABLET_PORTRAIT['width']} px tablet"
    page.goto(url + patient)
    box = page.locator(".table-wrap", has=page.locator("#session-table"))
    assert box.evaluate("e => e.scrollWidth > e.clientWidth"), "the session table is wider than the tablet"
    assert box.evaluate("e => { e.scrollLeft = 200; return e.scrollLeft; }") > 0, "and scrolls in its box"

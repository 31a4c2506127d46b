"""The plan editor in a real browser (Debian's chromium through Playwright, headless) against a real
``rehab clinic serve`` on SQLite and on PostgreSQL, with a home linked by ``rehab link``.

The issue's scenario: the physio opens the patient, follows "Edit plan", types one wrong value and
saves with Enter: the error is at that field, the problems are listed (and focused) at the top, and
the server holds the same versions as before. Fixed and saved, the patient page names the new
version; ``rehab sync`` at the home stores it, with the reason "from the clinic: ...". On the way
the editor is used with the keyboard alone (a row added lands the focus in it) and at 800 px wide,
and screenshots go to /tmp/plan_shots (normal, with errors, at 800 px) for a person to look at.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from clinic import plans
from clinic.db import create_engine
from progress.store import DB_FILENAME, Store
from rehab.app.cli import main
from rehab.app.plan_versions import current_plan
from tests.browser_fixtures import require_page
from tests.clinic_fixtures import ClinicServer

ANA = "ana@clinic.test"
PATIENT = "P-0042"
SHOTS = Path("/tmp/plan_shots")
PLAN = """
schema = 1
title = "Knee, weeks 2-8"
sessions_per_week = 5
notes = "Hold a stable chair."

[[exercise]]
name = "Mini-squat"
game = "squat"
movement = "knee_flexion"
side = "right"
sets = 3
reps = 10
target_deg = 40
ceiling_deg = 70

[exercise.progression]
every_sessions = 2
step_percent = 5
max_deg = 60

[[outcome_measures]]
measure = "oks"
every_days = 28
"""
REASON = "one more set now the swelling is down"


@pytest.fixture
def clinic(clinic_server: ClinicServer) -> ClinicServer:
    clinic_server.physio(ANA, "north")
    clinic_server.patient(PATIENT, ANA)
    answer = clinic_server.request(
        "POST", f"/api/v1/patients/{PATIENT}/plans", clinic_server.login(ANA), json={"toml": PLAN, "reason": "first"}
    )
    assert answer.status_code == 201, answer.text
    return clinic_server


def rehab(home: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> str:
    status = main(["--home", str(home), *args])
    out = capsys.readouterr()
    assert status == 0, out
    return out.out


def server_versions(server: ClinicServer) -> list[plans.PlanVersion]:
    engine = create_engine(server.db_url)
    try:
        with engine.connect() as conn:
            return plans.plan_versions(conn, PATIENT)
    finally:
        engine.dispose()


def focused_id(page: Any) -> str:
    return str(page.evaluate("document.activeElement ? document.activeElement.id : ''"))


def shot(page: Any, name: str, request: pytest.FixtureRequest) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    database = request.node.callspec.params.get("clinic_db_url", "db")
    page.screenshot(path=str(SHOTS / f"{name}-{database}.png"), full_page=True)


def test_browser_edit_a_plan_wrong_field_then_fixed_saved_and_synced_to_the_home(
    clinic: ClinicServer,
    web_page: Callable[..., Any],
    new_page: Callable[..., Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    request: pytest.FixtureRequest,
) -> None:
    require_page("GET", f"/patients/{PATIENT}/plan")
    home = tmp_path / "home"
    linked = rehab(home, "link", clinic.url, clinic.pairing_code(PATIENT), "--name", "living room", capsys=capsys)
    assert "now plan version 1" in linked  # linking syncs once: the home follows the clinic's version 1

    page = web_page(ANA, f"/patients/{PATIENT}")
    with page.expect_navigation():
        page.get_by_role("link", name="Edit plan").click()
    assert page.url.endswith(f"/patients/{PATIENT}/plan")
    assert page.get_by_label("Sets", exact=True).input_value() == "3"
    shot(page, "editor", request)

    # one wrong value, saved with Enter in that field: shown there, and nothing saved
    sets = page.locator("#f-exercise-1-sets")
    sets.fill("0")
    page.fill("#f-reason", REASON)
    with page.expect_navigation():
        sets.press("Enter")
    assert sets.get_attribute("aria-invalid") == "true"
    error = page.locator("#f-exercise-1-sets-error")
    assert error.is_visible() and "0 is not allowed" in error.inner_text()
    assert "f-exercise-1-sets-error" in (sets.get_attribute("aria-describedby") or "").split()
    assert focused_id(page) == "problems"  # the summary is read out first; its link leads to the field
    assert page.locator("#problems a[href='#f-exercise-1-sets']").count() == 1
    assert page.locator("[aria-invalid=true]").count() == 1
    assert len(server_versions(clinic)) == 1
    shot(page, "editor-errors", request)

    # fixed and saved: the patient page names the new version, the server holds it
    sets.fill("4")
    assert page.locator("#f-reason").input_value() == REASON  # kept from the refused try
    with page.expect_navigation():
        page.get_by_role("button", name="Save as a new version").click()
    assert page.url.endswith(f"/patients/{PATIENT}?saved=plan-2#plans")
    assert "Plan version 2 was saved" in page.locator("[role=status]").inner_text()
    history = page.locator("section[aria-labelledby=plans] tbody tr").first.inner_text()
    assert history.startswith("2") and REASON in history
    first, second = server_versions(clinic)
    assert second.plan["exercise"][0]["sets"] == 4 and second.reason == REASON
    assert {**second.plan, "exercise": []} == {**first.plan, "exercise": []}

    # the home takes it at its next sync, with the clinic's reason
    out = rehab(home, "sync", capsys=capsys)
    assert "now plan version 2" in out
    store = Store.open(home / DB_FILENAME)
    try:
        current = current_plan(store, PATIENT)
    finally:
        store.close()
    assert current is not None and current.version == 2
    assert current.reason == f"from the clinic: {REASON}"
    assert current.plan.exercise[0].sets == 4
    assert len(server_versions(clinic)) == 2  # the home's copy is not sent back as a change


def test_browser_the_editor_by_keyboard_and_on_a_tablet(
    clinic: ClinicServer, web_page: Callable[..., Any], request: pytest.FixtureRequest
) -> None:
    page = web_page(ANA, f"/patients/{PATIENT}/plan", viewport={"width": 800, "height": 1100})
    # no sideways scrolling at 800 px, and every field has a label the browser ties to it
    assert page.evaluate("document.documentElement.scrollWidth") <= 800
    fields = "#plan-form input:not([type=hidden]), #plan-form select, #plan-form textarea"
    unlabelled = page.evaluate(
        "(s) => Array.from(document.querySelectorAll(s)).filter((f) => f.labels.length === 0).map((f) => f.name)",
        fields,
    )
    assert unlabelled == []
    # keyboard alone: a row added with Enter on its button puts the focus in the new row's first field
    page.focus("#add-exercise")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert focused_id(page) == "f-exercise-2-name"
    page.keyboard.type("Heel slide")
    # a ceiling below the target: the error is at the target, read with the field
    page.fill("#f-exercise-1-ceiling-deg", "30")
    with page.expect_navigation():
        page.get_by_role("button", name="Save as a new version").click()
    target = page.locator("#f-exercise-1-target")
    assert target.get_attribute("aria-invalid") == "true"
    assert "above the safety ceiling" in page.locator("#f-exercise-1-target-error").inner_text()
    assert page.locator("#f-exercise-2-name").input_value() == "Heel slide"
    assert page.evaluate("document.documentElement.scrollWidth") <= 800
    assert re.search(r"[1-9]\d* problems?", page.locator("#problems-title").inner_text())
    assert len(server_versions(clinic)) == 1
    shot(page, "editor-800px-errors", request)

"""The patient page, a session's reps, clinical notes, messages and report downloads, over HTTP
against a real ``rehab clinic serve`` (SQLite and PostgreSQL) that a linked home synced simulated
sessions to with ``rehab sync``. The charts' JSON is compared with the server's session facts."""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from clinic import tables
from clinic.db import create_engine
from clinic.web.charts import plot_time
from progress.store import DB_FILENAME, Store
from rehab.app.cli import main
from rehab.sim.history import make_history
from tests.clinic_fixtures import PASSWORD, ClinicServer

PATIENT = "P-0042"
ANA, BOB, CARL = "ana@clinic.test", "bob@clinic.test", "carl@clinic.test"
DAYS = 21
CHART_DATA = re.compile(r'<script type="application/json" id="chart-data">(.*?)</script>', re.S)
CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


@dataclass(frozen=True)
class World:
    server: ClinicServer
    home: Path
    db: sa.Engine  # the server's database, to compare pages with what it holds


def _rehab(home: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> str:
    status = main(["--home", str(home), *args])
    out = capsys.readouterr()
    assert status == 0, out
    return out.out


def linked_home_with_history(server: ClinicServer, home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A home linked to the patient, three weeks of simulated sessions (to today) and a calibration
    in its store, sent with ``rehab sync``."""
    _rehab(home, "link", server.url, server.pairing_code(PATIENT), "--name", "living room", capsys=capsys)
    today = datetime.now(timezone.utc).date()
    store = Store.open(home / DB_FILENAME)
    try:
        make_history(store, PATIENT, today - timedelta(days=DAYS - 1), days=DAYS, kind="mixed")
        store.add_calibration(
            PATIENT, f"{today - timedelta(days=3)}T09:00:00+00:00", "knee_flexion_right", 4.5, 104.5, "sim"
        )
    finally:
        store.close()
    assert "sent" in _rehab(home, "sync", capsys=capsys)


@pytest.fixture
def world(clinic_server: ClinicServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Any:
    clinic_server.physio(ANA, "north")
    clinic_server.physio(BOB, "south")
    clinic_server.user(CARL, "clinician")
    clinic_server.patient(PATIENT, ANA)
    linked_home_with_history(clinic_server, tmp_path / "home", capsys)
    engine = create_engine(clinic_server.db_url)
    try:
        yield World(clinic_server, tmp_path / "home", engine)
    finally:
        engine.dispose()


@contextmanager
def web(server: ClinicServer, email: str) -> Iterator[httpx.Client]:
    """A client logged in through the login form (session cookie kept, redirects not followed)."""
    with httpx.Client(base_url=server.url, timeout=60, follow_redirects=False) as client:
        answer = client.post("/login", data={"email": email, "password": PASSWORD, "next": "/caseload"})
        assert answer.status_code == 303, answer.text[:300]
        yield client


def csrf(client: httpx.Client, path: str) -> str:
    found = CSRF.search(client.get(path).text)
    assert found, "no csrf field"
    return found.group(1)


def facts(world: World) -> list[dict[str, Any]]:
    f = tables.session_facts
    with world.db.connect() as conn:
        rows = conn.execute(sa.select(f).where(f.c.patient_id == PATIENT).order_by(f.c.started_at, f.c.uuid))
        return [dict(r) for r in rows.mappings()]


def count(world: World, table: sa.Table, **where: Any) -> int:
    with world.db.connect() as conn:
        query = sa.select(sa.func.count()).select_from(table)
        for column, value in where.items():
            query = query.where(table.c[column] == value)
        return int(conn.execute(query).scalar() or 0)


def chart_data(page: str) -> dict[str, Any]:
    found = CHART_DATA.search(page)
    assert found, "no chart data on the page"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def trace(figure: dict[str, Any], name_start: str) -> dict[str, Any]:
    (found,) = [t for t in figure["data"] if t["name"].startswith(name_start)]
    return found


# -- the page and its charts -----------------------------------------------------------------------


def test_the_patient_page_shows_the_synced_sessions_and_charts_of_their_facts(world: World) -> None:
    with web(world.server, ANA) as ana:
        answer = ana.get(f"/patients/{PATIENT}")
    assert answer.status_code == 200, answer.text[:500]
    page = answer.text
    known = facts(world)
    assert len(known) > 2 * DAYS  # knee, hip, breathing and exposure on most days

    charts = chart_data(page)
    for movement, normal in (("knee_flexion_right", 135), ("hip_flexion_right", 120)):
        rows = [f for f in known if f["movement"] == movement and f["best_peak_deg"] is not None]
        figure = charts["rom-" + movement.replace("_", "-")]
        peak = trace(figure, "best peak")
        assert peak["y"] == [round(f["best_peak_deg"], 2) for f in rows]
        assert peak["x"] == [plot_time(f["started_at"]) for f in rows]
        assert [c[0] for c in peak["customdata"]] == [f["day"] for f in rows]
        assert all(c[1].startswith(f["game"]) for c, f in zip(peak["customdata"], rows, strict=True))
        assert "%{customdata[0]}" in peak["hovertemplate"] and "%{y" in peak["hovertemplate"]
        # the goal: the targets of the plan's guided sessions (free play has the game's own)
        assert trace(figure, "goal")["y"] == [f["target_deg"] for f in rows if f["visit_uuid"]]
        assert trace(figure, "AAOS normal")["y"] == [normal, normal]

    pain = trace(charts["pain"], "pain before")
    assert pain["y"] == [f["pain_before"] for f in known if f["pain_before"] is not None]
    breathing = [json.loads(f["summary"]) for f in known if f["game"] == "breathe" and f["summary"]]
    assert trace(charts["breathing"], "breaths")["y"] == [round(s["mean_rate_bpm"], 2) for s in breathing]
    assert trace(charts["stress"], "stress before")["y"] == [s["stress_before"] for s in breathing]
    exposure = [json.loads(f["summary"]) for f in known if f["game"] == "exposure" and f["summary"]]
    assert trace(charts["suds"], "highest SUDS")["y"] == [
        max(lv["peak"] for lv in s["suds_by_level"]) for s in exposure
    ]

    # the session table links every session (all fit under the page's limit of 100)
    for fact in known:
        assert f'/patients/{PATIENT}/sessions/{fact["uuid"]}"' in page
    # the calendar counts guided sessions (a visit once) plus free play, over the 8 weeks shown
    done = {(f["day"], f["visit_uuid"] or f["uuid"]) for f in known}
    totals = [int(t) for t in re.findall(r'class="num week-total">(\d+)', page)]
    assert len(totals) == 8 and sum(totals) == len(done)
    assert "knee_flexion_right" in page and "104°" in page  # the calibration (max 104.5)
    assert "first plan after surgery" in page  # the plan history's reasons
    assert "living room" in page and "last seen" in page
    assert f'href="/patients/{PATIENT}/plan"' in page
    assert count(world, tables.audit_log, actor=ANA, action="web view patient", patient_id=PATIENT) == 1


def test_the_session_page_lists_every_rep_of_the_session(world: World) -> None:
    session = next(f for f in facts(world) if f["game"] == "lift" and f["reps"] >= 5)
    with world.db.connect() as conn:
        h = tables.home_rows
        bodies = conn.execute(sa.select(h.c.body).where(h.c.kind == "reps", h.c.session_uuid == session["uuid"]))
        reps = sorted((json.loads(r.body) for r in bodies), key=lambda r: r["rep_index"])
    with web(world.server, ANA) as ana:
        answer = ana.get(f"/patients/{PATIENT}/sessions/{session['uuid']}")
        missing = ana.get(f"/patients/{PATIENT}/sessions/00000000-0000-4000-8000-000000000000")
    assert answer.status_code == 200, answer.text[:500]
    body = answer.text.split('<table id="rep-table"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>", 1)[1], re.S)
    assert len(rows) == len(reps) == session["reps"]
    for row, rep in zip(rows, reps, strict=True):
        assert f"{rep['peak_deg']:.1f}°" in row and f"{rep['rom_deg']:.1f}°" in row
        assert f"{rep['peak_velocity_dps']:.0f}°/s" in row and f"{rep['smoothness_sparc']:.2f}" in row
    assert missing.status_code == 404
    assert count(world, tables.audit_log, actor=ANA, action="web view session", patient_id=PATIENT) == 1


# -- notes -----------------------------------------------------------------------------------------


def test_a_note_is_saved_dated_and_shown_escaped_and_only_with_its_csrf_token_by_a_physio(world: World) -> None:
    path = f"/patients/{PATIENT}"
    notes = tables.clinical_notes
    with web(world.server, ANA) as ana:
        token = csrf(ana, path)
        text = "Knee better. <script>alert(1)</script>"
        saved = ana.post(f"{path}/notes", data={"csrf": token, "noted_on": "2026-11-20", "text": text})
        assert saved.status_code == 303 and saved.headers["location"].startswith(path)
        page = ana.get(saved.headers["location"]).text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
        assert "2026-11-20" in page and "The note was saved." in page

        no_token = ana.post(f"{path}/notes", data={"noted_on": "2026-11-21", "text": "without a token"})
        assert no_token.status_code == 403
        empty = ana.post(f"{path}/notes", data={"csrf": token, "noted_on": "2026-11-21", "text": "   "})
        assert empty.status_code == 422
        assert re.search(r'id="note-text-error"[^>]*>a note needs some text<', empty.text)
        bad_day = ana.post(f"{path}/notes", data={"csrf": token, "noted_on": "21/11/2026", "text": "kept in the form"})
        assert bad_day.status_code == 422 and 'id="note-date-error"' in bad_day.text
        assert "kept in the form" in bad_day.text  # what was typed is not lost
    assert count(world, notes, patient_id=PATIENT) == 1
    assert count(world, tables.audit_log, actor=ANA, action="add clinical note") == 1

    with web(world.server, CARL) as carl:
        page = carl.get(path)
        assert page.status_code == 200 and "Knee better." in page.text  # a clinician reads notes
        refused = carl.post(f"{path}/notes", data={"csrf": csrf(carl, path), "noted_on": "2026-11-21", "text": "no"})
        assert refused.status_code == 403
    assert count(world, notes, patient_id=PATIENT) == 1


def test_another_teams_physio_gets_403_and_a_logged_out_user_the_login(world: World) -> None:
    session = facts(world)[0]["uuid"]
    paths = [
        f"/patients/{PATIENT}",
        f"/patients/{PATIENT}/sessions/{session}",
        f"/patients/{PATIENT}/report?format=csv",
    ]
    world.server.patient("P-0043", BOB)
    with web(world.server, BOB) as bob:
        for path in paths:
            assert bob.get(path).status_code == 403, path
        token = csrf(bob, "/patients/P-0043")  # his own patient's page
        refused = bob.post(f"/patients/{PATIENT}/messages", data={"csrf": token, "text": "hello"})
        assert refused.status_code == 403
    assert count(world, tables.audit_log, actor=BOB, patient_id=PATIENT) == 0
    assert count(world, tables.messages, patient_id=PATIENT) == 0
    for path in paths:
        answer = httpx.get(world.server.url + path, timeout=60)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login?next=")


# -- messages --------------------------------------------------------------------------------------


def test_a_message_written_on_the_page_reaches_the_home_at_its_next_sync(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    path = f"/patients/{PATIENT}"
    with web(world.server, ANA) as ana:
        token = csrf(ana, path)
        too_long = ana.post(f"{path}/messages", data={"csrf": token, "text": "x" * 501})
        assert too_long.status_code == 422 and 'id="message-text-error"' in too_long.text
        sent = ana.post(f"{path}/messages", data={"csrf": token, "text": "Well done this week, <b>Sam</b>!"})
        assert sent.status_code == 303
        page = ana.get(sent.headers["location"]).text
    assert "Well done this week, &lt;b&gt;Sam&lt;/b&gt;!" in page
    assert count(world, tables.messages, patient_id=PATIENT) == 1
    out = _rehab(world.home, "sync", capsys=capsys)
    assert "message from your clinic" in out and "Well done this week, <b>Sam</b>!" in out


# -- reports ---------------------------------------------------------------------------------------


def test_reports_download_as_pdf_csv_zip_and_fhir_from_the_pages_form(world: World) -> None:
    today = date.today().isoformat()
    first = facts(world)[0]["day"]
    path = f"/patients/{PATIENT}/report"
    with web(world.server, ANA) as ana:
        form = ana.get(f"/patients/{PATIENT}").text
        assert f'action="/patients/{PATIENT}/report"' in form and 'name="pseudonymize"' in form
        pdf = ana.get(path, params={"format": "pdf", "from": first, "to": today})
        csv = ana.get(path, params={"format": "csv", "from": first, "to": today})
        fhir = ana.get(path, params={"format": "fhir", "from": "", "to": "", "pseudonymize": "1"})
        wrong = ana.get(path, params={"format": "pdf", "from": "yesterday"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf.headers["content-disposition"]
    assert csv.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(csv.content)).namelist()
    assert names and all(name.endswith(".csv") for name in names)
    assert fhir.status_code == 200 and fhir.headers["content-type"].startswith("application/fhir+json")
    bundle = fhir.json()
    assert bundle["resourceType"] == "Bundle" and bundle["entry"]
    assert PATIENT not in fhir.text  # pseudonymised
    assert wrong.status_code == 400 and 'id="report-error"' in wrong.text
    assert "yesterday" in html.unescape(wrong.text)
    assert count(world, tables.audit_log, actor=ANA, action="read report pdf", patient_id=PATIENT) == 1


# -- the pure parts ----------------------------------------------------------------------------------


def test_a_note_needs_text_up_to_5000_characters_and_a_day_not_after_tomorrow() -> None:
    from clinic.notes import NOTE_MAX, NoteProblem, check_note

    today = date(2026, 3, 2)
    assert check_note("  ok  ", "2026-03-01", today) == ("ok", "2026-03-01")
    assert check_note("x" * NOTE_MAX, "2026-03-03", today)[1] == "2026-03-03"  # the physio's day may be ahead
    for text, day, field in (
        ("", "2026-03-01", "text"),
        ("x" * (NOTE_MAX + 1), "2026-03-01", "text"),
        ("ok", "2026-03-04", "noted_on"),
        ("ok", "1999-12-31", "noted_on"),
        ("ok", "02/03/2026", "noted_on"),
    ):
        with pytest.raises(NoteProblem) as refused:
            check_note(text, day, today)
        assert refused.value.field == field


def test_the_calendar_is_eight_weeks_monday_to_sunday_with_the_days_after_today_empty() -> None:
    from clinic.web.charts import calendar, sessions_per_day

    counts = sessions_per_day(
        [
            {"uuid": "a", "visit_uuid": "v1", "day": "2026-03-02"},
            {"uuid": "b", "visit_uuid": "v1", "day": "2026-03-02"},  # the same guided session
            {"uuid": "c", "visit_uuid": None, "day": "2026-03-02"},  # free play
            {"uuid": "d", "visit_uuid": "v2", "day": "2026-01-01"},
        ]
    )
    assert counts == {"2026-03-02": 2, "2026-01-01": 1}
    weeks = calendar(counts, date(2026, 3, 4))  # a Wednesday
    assert len(weeks) == 8 and all(len(w.days) == 7 and w.days[0].day.weekday() == 0 for w in weeks)
    last = weeks[-1].days
    assert last[0].day == date(2026, 3, 2) and last[0].label == "2 sessions" and last[1].label == "none"
    assert [d.future for d in last] == [False, False, False, True, True, True, True] and last[3].label == ""
    assert weeks[0].days[0].day == date(2026, 1, 12) and sum(w.total for w in weeks) == 2


def test_the_plan_goal_is_used_when_no_session_has_a_target() -> None:
    from clinic.web.charts import plan_goals, rom_charts

    plan = {"exercise": [{"movement": "knee_flexion", "side": "right", "target_deg": 90}, {"movement": "x"}]}
    assert plan_goals(plan) == {"knee_flexion_right": 90.0}
    fact = {"uuid": "a", "kind": "physical", "movement": "knee_flexion_right", "best_peak_deg": 80.0}
    fact |= {"started_at": "2026-03-02T10:00:00+00:00", "target_deg": None, "game": "lift", "status": "completed"}
    (chart,) = rom_charts([fact], plan_goals(plan))
    assert trace(chart.figure, "plan goal")["y"] == [90.0, 90.0]
    assert "plan goal 90°" in chart.summary and "AAOS normal range 135°" in chart.summary

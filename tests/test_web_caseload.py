"""The caseload page: its alerts from sessions synced by real homes, alerts first, who sees whom,
logins, escaping and the audit (over HTTP against a real server, on SQLite and PostgreSQL); and the
rules of ``clinic.alerts`` on hand-made facts whose answers are known."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from clinic import alerts
from clinic.alerts import DeviceInfo, Fact, Patient, PlanInfo
from progress.store import DB_FILENAME, Store
from rehab.app.cli import main
from rehab.sim.history import make_history
from tests.clinic_fixtures import PASSWORD, ClinicServer

# -- clinic.alerts on hand-made facts -------------------------------------------------------------------

TODAY = date(2026, 12, 2)  # a Wednesday: this ISO week is 30 Nov to 6 Dec
ADDED = "2026-10-01T09:00:00+00:00"
PATIENT = Patient("P-0001", "ana@clinic.test", "knee", ADDED)
HOME = [DeviceInfo("laptop", "2026-12-02T08:00:00+00:00")]


def fact(n: int, day: str, **values: object) -> Fact:
    return Fact(uuid=f"s{n}", day=day, started_at=f"{day}T10:{n:02d}:00+00:00", **values)  # type: ignore[arg-type]


def row(facts: list[Fact], plan: PlanInfo | None = None, devices: list[DeviceInfo] = HOME) -> alerts.CaseloadRow:
    return alerts.caseload_row(PATIENT, facts, plan, devices, TODAY)


def texts(found: alerts.CaseloadRow) -> list[str]:
    return [a.text for a in found.alerts]


def test_a_quiet_patient_has_no_alerts() -> None:
    facts = [
        fact(1, "2026-11-30", movement="knee_flexion_right", best_peak_deg=90.0, visit_uuid="v1", pain_before=2.0),
        fact(2, "2026-12-01", movement="knee_flexion_right", best_peak_deg=92.0, visit_uuid="v2", pain_after=3.0),
    ]
    assert row(facts).alerts == ()


def test_pain_rising_in_the_last_session_by_2_by_default_and_by_the_plans_rule_when_it_has_one() -> None:
    # pain before on the visit's first exercise, pain after on its last: one guided session
    facts = [
        fact(1, "2026-12-01", visit_uuid="v1", pain_before=2.0),
        fact(2, "2026-12-01", visit_uuid="v1", pain_after=4.0),
    ]
    assert texts(row(facts)) == ["pain 2 → 4 in the last session (1 Dec)"]
    assert row(facts, PlanInfo(pain_rise=3.0)).alerts == ()
    during = [fact(1, "2026-12-01", visit_uuid="v1", pain_before=2.0, pain_max_during=5.0, pain_after=1.0)]
    assert texts(row(during, PlanInfo(pain_rise=3.0))) == ["pain 2 → 5 in the last session (1 Dec)"]


def test_pain_before_rising_since_the_session_before() -> None:
    facts = [
        fact(1, "2026-11-30", visit_uuid="v1", pain_before=1.0, pain_after=1.0),
        fact(2, "2026-12-01", visit_uuid="v2", pain_before=3.0, pain_after=3.0),
    ]
    assert texts(row(facts)) == ["pain before the session 1 → 3 (30 Nov → 1 Dec)"]
    # pain before that fell again in the last session is no alert now
    settled = [*facts, fact(3, "2026-12-02", visit_uuid="v3", pain_before=2.0, pain_after=2.0)]
    assert row(settled).alerts == ()


def test_no_session_for_three_days_says_how_long_and_whether_the_home_syncs() -> None:
    two_days = [fact(1, "2026-11-30", visit_uuid="v1")]
    assert row(two_days).alerts == ()
    four_days = [fact(1, "2026-11-28", visit_uuid="v1")]
    assert texts(row(four_days)) == ["no session for 4 days; the home last synced on 2 Dec"]
    assert texts(row(four_days, devices=[])) == ["no session for 4 days; no home linked"]
    never = [DeviceInfo("laptop", None)]
    assert texts(row([], devices=never)) == ["no session yet, 62 days after being added; the home never synced"]
    new = Patient("P-0002", "ana@clinic.test", None, "2026-12-01T09:00:00+00:00")
    assert alerts.caseload_row(new, [], None, [], TODAY).alerts == ()  # added yesterday


def test_range_of_motion_falling_over_three_sessions_by_5_degrees_or_more() -> None:
    def sessions(*peaks: float) -> list[Fact]:
        return [
            fact(n, str(TODAY - timedelta(days=len(peaks) - n)), movement="knee_flexion_right", best_peak_deg=p)
            for n, p in enumerate(peaks)
        ]

    assert texts(row(sessions(60, 52, 48, 45))) == ["knee flexion (right) falling: 52° → 48° → 45°"]
    assert row(sessions(52, 50, 48)).alerts == ()  # 4° in all: within the camera's error
    assert row(sessions(52, 48, 49)).alerts == ()  # the last one rose
    assert row(sessions(52, 45)).alerts == ()  # only two sessions


def test_reps_past_the_ceiling_and_device_problems_in_the_last_7_days() -> None:
    facts = [
        fact(1, "2026-11-25", over_ceiling=9, device_problems=9),  # 8 days ago: too old
        fact(2, "2026-11-29", over_ceiling=1, device_problems=2),
        fact(3, "2026-11-30", over_ceiling=3),
        fact(4, "2026-12-01", visit_uuid="v4"),
    ]
    assert texts(row(facts)) == [
        "3 reps past the ceiling on 30 Nov (4 in the last 7 days)",
        "device lost or failed twice on 29 Nov",
    ]
    severities = [a.severity for a in row(facts).alerts]
    assert severities == ["alert", "warn"]


def test_adherence_counts_guided_sessions_of_this_iso_week_against_the_plan() -> None:
    facts = [
        fact(1, "2026-11-29", visit_uuid="last-week"),  # Sunday: last week
        fact(2, "2026-11-30", visit_uuid="a"),
        fact(3, "2026-11-30", visit_uuid="a"),  # the same guided session's second exercise
        fact(4, "2026-12-01", visit_uuid="b"),
        fact(5, "2026-12-01"),  # free play: no visit
    ]
    found = row(facts, PlanInfo(sessions_per_week=5))
    assert (found.done_this_week, found.adherence_text) == (2, "2 of 5")
    assert row(facts).adherence_text == "2 (no plan)"


def test_movement_trend_against_the_session_about_a_week_before() -> None:
    knee = "knee_flexion_right"
    facts = [
        fact(1, "2026-11-20", movement=knee, best_peak_deg=80.0),
        fact(2, "2026-11-24", movement=knee, best_peak_deg=90.0),  # 8 days before the latest
        fact(3, "2026-11-29", movement=knee, best_peak_deg=99.0),  # 3 days: too close
        fact(4, "2026-12-02", movement=knee, best_peak_deg=94.0),
        fact(5, "2026-12-01", movement="hip_flexion_right", best_peak_deg=70.0),
    ]
    (trend,) = row(facts, PlanInfo(movements=(knee,))).trends
    assert (trend.latest_deg, trend.before_deg, trend.arrow) == (94.0, 90.0, "↑")
    assert trend.text == "94°, up 4° since 24 Nov"
    both = row(facts).trends  # no plan: every movement done lately
    assert [t.movement for t in both] == ["hip_flexion_right", knee]
    assert both[0].text == "70° (1 Dec; none a week before)"


def test_pain_trend_is_the_mean_before_sessions_this_week_against_the_week_before() -> None:
    facts = [
        fact(1, "2026-11-18", visit_uuid="old", pain_before=9.0),  # 14 days ago: out
        fact(2, "2026-11-20", visit_uuid="a", pain_before=2.0),
        fact(3, "2026-11-25", visit_uuid="b", pain_before=3.0),
        fact(4, "2026-11-26", visit_uuid="c", pain_before=4.0),
        fact(5, "2026-12-01", visit_uuid="d", pain_before=4.0),
    ]
    pain = row(facts).pain
    assert (pain.before, pain.recent, pain.arrow) == (2.5, 4.0, "↑")
    assert pain.text == "2.5 → 4.0, rising"
    nothing = row([fact(1, "2026-11-18", visit_uuid="old", pain_before=9.0)]).pain  # no trend to draw
    assert (nothing.arrow, nothing.text) == ("", "no pain ratings in 14 days")
    one_week = row(facts[-1:]).pain
    assert (one_week.arrow, one_week.text) == ("", "4.0 this week (none the week before)")


def test_plan_info_reads_the_stored_plan() -> None:
    body = {
        "sessions_per_week": 4,
        "safety": {"pain_stop_rise": 3.0, "max_pain_before": 7.0},
        "exercise": [
            {"movement": "knee_flexion", "side": "right"},
            {"movement": "cervical_rotation"},
            {"movement": "knee_flexion", "side": "right"},
        ],
    }
    assert alerts.plan_info(body) == PlanInfo(4, ("knee_flexion_right", "cervical_rotation"), 3.0)
    assert alerts.plan_info({}, 5) == PlanInfo(5, (), 2.0)


def test_patients_with_alerts_come_first_safety_alerts_before_the_others() -> None:
    quiet = alerts.caseload_row(Patient("P-0001", "a@b.c", None, "2026-12-01"), [], None, [], TODAY)
    idle = alerts.caseload_row(Patient("P-0002", "a@b.c", None, ADDED), [], None, [], TODAY)
    pain = [fact(1, "2026-12-01", visit_uuid="v", pain_before=1.0, pain_after=6.0)]
    hurt = alerts.caseload_row(Patient("P-0003", "a@b.c", None, ADDED), pain, None, HOME, TODAY)
    assert [r.patient_id for r in alerts.sort_rows([quiet, idle, hurt])] == ["P-0003", "P-0002", "P-0001"]


# -- the page over HTTP, with two linked homes --------------------------------------------------------------

PLAN = """
schema = 1
title = "Knee, weeks 2-8"
sessions_per_week = 5

[safety]
pain_stop_rise = 3

[[exercise]]
name = "Mini-squat"
game = "squat"
movement = "knee_flexion"
side = "right"
target_deg = 40
ceiling_deg = 70
sets = 1
reps = 3
rest_s = 0
"""
#: a physio email and team may hold markup (a patient id cannot): the page must show it as text
CARL = "<i>carl</i>@clinic.test"
TEAM = '<script>alert("team")</script>'


def rehab(home: Path, *args: str) -> None:
    assert main(["--home", str(home), *args]) == 0, args


@contextlib.contextmanager
def web_login(server: ClinicServer, email: str) -> Iterator[httpx.Client]:
    """An HTTP client holding the session cookie of ``email``'s login through the login form."""
    with httpx.Client(base_url=server.url, timeout=60) as client:
        answer = client.post("/login", data={"email": email, "password": PASSWORD, "next": "/caseload"})
        assert answer.status_code == 303, answer.text
        yield client


def patients_in_order(html: str) -> list[str]:
    return re.findall(r'<tr class="[^"]*" data-patient="([^"]+)"', html)


def badges(html: str, patient: str) -> list[str]:
    row_html = html.split(f'data-patient="{patient}"', 1)[1].split("</tr>", 1)[0]
    return re.findall(r'<li class="badge \w+" data-kind="\w+">([^<]*)</li>', row_html)


@pytest.fixture
def caseload(clinic_server: ClinicServer, tmp_path: Path) -> ClinicServer:
    """Ana and Carl (one team), Dora (another); P-0001 (Ana's, added today, no sessions); P-0002
    (Ana's, whose home ran two guided sessions, the last with pain rising by the plan's 3 points);
    P-0003 (Carl's, whose home synced weeks of sessions ending 4 days ago); P-0004 (Dora's)."""
    server = clinic_server
    ana = server.physio("ana@clinic.test", TEAM)
    server.physio(CARL, TEAM)
    server.physio("dora@clinic.test", "shoulders")
    for patient, physio in (("P-0001", ana.email), ("P-0002", ana.email), ("P-0003", CARL)):
        server.patient(patient, physio)
    server.patient("P-0004", "dora@clinic.test")
    answer = server.request("POST", "/api/v1/patients/P-0002/plans", ana.token, json={"toml": PLAN, "reason": "start"})
    assert answer.status_code == 201, answer.text

    pain_home = tmp_path / "home-a"
    rehab(pain_home, "link", server.url, server.pairing_code("P-0002"), "--name", "home a")
    rehab(pain_home, "sync")  # the plan comes down
    session = ("session", "start", "--patient", "P-0002", "--input", "sim", "--headless")
    rehab(pain_home, *session, "--pain-before", "2", "--pain-after", "4")  # up 2: under the plan's 3
    rehab(pain_home, *session, "--pain-before", "2", "--pain-after", "5")  # syncs after each session

    idle_home = tmp_path / "home-b"
    rehab(idle_home, "link", server.url, server.pairing_code("P-0003"), "--name", "home b")
    today = datetime.now(timezone.utc).date()  # the server's own clock: a real process
    store = Store.open(idle_home / DB_FILENAME)
    try:  # 13 days from 16 days ago: the last guided session (day 12) is 4 days ago
        make_history(store, "P-0003", today - timedelta(days=16), days=13, kind="physical")
    finally:
        store.close()
    rehab(idle_home, "sync")
    return server


def test_caseload_alerts_from_two_synced_homes_come_first(caseload: ClinicServer) -> None:
    with web_login(caseload, "ana@clinic.test") as client:
        html = client.get("/caseload").text
    order = patients_in_order(html)
    assert sorted(order[:2]) == ["P-0002", "P-0003"] and order[2:] == ["P-0001"]  # alerts first; no Dora's
    assert "P-0004" not in html
    assert "pain 2 → 5 in the last session" in " ".join(badges(html, "P-0002"))
    assert not any(b.startswith("pain 2 → 4") for b in badges(html, "P-0002"))  # the plan's rule: 3
    idle = [b for b in badges(html, "P-0003") if b.startswith("no session")]
    assert idle and idle[0].startswith("no session for 4 days; the home last synced on ")
    assert badges(html, "P-0001") == []
    p2 = html.split('data-patient="P-0002"', 1)[1].split("</tr>", 1)[0]
    assert ">2 of 5<" in p2  # both guided sessions today, against the plan's 5 a week
    assert 'href="/patients/P-0002"' in html


def test_caseload_filters_and_search(caseload: ClinicServer) -> None:
    with web_login(caseload, "ana@clinic.test") as client:
        assert sorted(patients_in_order(client.get("/caseload", params={"show": "alerts"}).text)) == [
            "P-0002",
            "P-0003",
        ]
        assert patients_in_order(client.get("/caseload", params={"show": "idle"}).text) == ["P-0003"]
        assert patients_in_order(client.get("/caseload", params={"q": "0001"}).text) == ["P-0001"]
        assert len(patients_in_order(client.get("/caseload", params={"show": "nonsense"}).text)) == 3


def test_a_clinician_sees_every_patient_and_a_physio_only_their_own_and_their_teams(
    caseload: ClinicServer,
) -> None:
    caseload.user("cleo@clinic.test", "clinician")
    with web_login(caseload, "cleo@clinic.test") as client:
        everyone = patients_in_order(client.get("/caseload").text)
    assert sorted(everyone) == ["P-0001", "P-0002", "P-0003", "P-0004"]
    assert everyone.index("P-0004") > everyone.index("P-0003")  # no alerts: after those with some
    with web_login(caseload, "dora@clinic.test") as client:
        assert patients_in_order(client.get("/caseload").text) == ["P-0004"]
    with web_login(caseload, CARL) as client:
        assert sorted(patients_in_order(client.get("/caseload").text)) == ["P-0001", "P-0002", "P-0003"]


def test_user_text_is_escaped_on_the_caseload(caseload: ClinicServer) -> None:
    with web_login(caseload, CARL) as client:
        html = client.get("/caseload").text
    assert TEAM not in html and CARL not in html
    assert "&lt;script&gt;alert(&#34;team&#34;)&lt;/script&gt;" in html
    assert "&lt;i&gt;carl&lt;/i&gt;@clinic.test" in html


def test_logged_out_goes_to_login_and_each_view_is_audited_once(caseload: ClinicServer) -> None:
    answer = httpx.get(caseload.url + "/caseload?show=idle", timeout=60)
    assert answer.status_code == 303 and answer.headers["location"] == "/login?next=/caseload%3Fshow%3Didle"
    with web_login(caseload, "ana@clinic.test") as client:
        for _ in range(2):
            assert client.get("/caseload", params={"show": "idle"}).status_code == 200
    engine = sa.create_engine(caseload.db_url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            found = conn.execute(
                sa.text("select patient_id, detail from audit_log where action = 'read caseload' and actor = :who"),
                {"who": "ana@clinic.test"},
            ).all()
    finally:
        engine.dispose()
    assert [tuple(r) for r in found] == [(None, "1 of 3 patients shown")] * 2

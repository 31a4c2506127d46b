"""A home linked to a real clinic server (SQLite and PostgreSQL): link, sessions seen on the server,
plans assigned there followed at home, messages, conflicts, status and the link's refusals.

The faults (server down, cut connections, kill -9, two homes, another patient's rows) are in
tests/test_home_sync_faults.py.
"""

from __future__ import annotations

import json
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from progress.store import DB_FILENAME, Store
from progress.store.schema import SYNCED_TABLES
from rehab.app.cli import main
from rehab.app.clinic_link import ClinicLink, LinkError, check_server_url, load_link, save_link
from rehab.app.home_sync import prepare_for, retry_delay, status
from rehab.app.plan_versions import current_plan
from tests.clinic_fixtures import ClinicServer

PATIENT = "P-0042"
PLAN = """
schema = 1
title = "Knee, weeks 2-8"
sessions_per_week = 5

[[exercise]]
name = "Mini-squat"
game = "squat"
movement = "knee_flexion"
side = "right"
target_deg = {target}
ceiling_deg = 70
sets = 1
reps = 3
rest_s = 0
"""


@pytest.fixture
def clinic(clinic_server: ClinicServer) -> ClinicServer:
    physio = clinic_server.physio("ana@clinic.test")
    clinic_server.patient(PATIENT, physio.email)
    return clinic_server


def rehab(home: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status_ = main(["--home", str(home), *args])
    out = capsys.readouterr()
    return status_, out.out, out.err


def linked_home(clinic: ClinicServer, home: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    code = clinic.pairing_code(PATIENT)
    result = rehab(home, "link", clinic.url, code, "--name", "laptop", capsys=capsys)
    assert result[0] == 0, result
    return home


def assign_on_server(clinic: ClinicServer, target: int, reason: str) -> dict[str, Any]:
    token = clinic.login("ana@clinic.test")
    answer = clinic.request(
        "POST", f"/api/v1/patients/{PATIENT}/plans", token, json={"toml": PLAN.format(target=target), "reason": reason}
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def server_sessions(clinic: ClinicServer) -> list[dict[str, Any]]:
    token = clinic.login("ana@clinic.test")
    answer = clinic.request("GET", f"/api/v1/patients/{PATIENT}/sessions", token)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    return list(body["sessions"] if isinstance(body, dict) else body)


def guided_session(home: Path, capsys: pytest.CaptureFixture[str]) -> str:
    args = ("session", "start", "--patient", PATIENT, "--input", "sim", "--headless")
    result = rehab(home, *args, "--pain-before", "2", "--pain-after", "2", capsys=capsys)
    assert result[0] == 0, result
    return result[1]


def test_the_whole_loop_link_session_seen_on_the_server_new_plan_followed_at_home(
    clinic: ClinicServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's 'done when', through the command line: the physio's plan reaches the home, the
    session reaches the server, and a new plan assigned there is what the next session follows."""
    home = linked_home(clinic, tmp_path / "home", capsys)
    link_file = home / "clinic-link.json"
    assert stat.S_IMODE(link_file.stat().st_mode) == 0o600
    assert json.loads(link_file.read_text())["patient_id"] == PATIENT

    assign_on_server(clinic, 40, "after the first visit")
    code, out, _ = rehab(home, "sync", capsys=capsys)
    assert code == 0 and "a new plan from your clinic is now plan version 1" in out

    summary = guided_session(home, capsys)
    assert "target of 40°" in summary and "sync: sent" in summary  # synced right after the session
    (seen,) = server_sessions(clinic)
    assert (seen["game"], seen["status"], seen["reps"]) == ("squat", "completed", 3)

    assign_on_server(clinic, 45, "deeper squats")
    token = clinic.login("ana@clinic.test")
    note = {"text": "Well done. Try a little deeper now."}
    assert clinic.request("POST", f"/api/v1/patients/{PATIENT}/messages", token, json=note).status_code == 201
    code, out, _ = rehab(home, "sync", capsys=capsys)
    assert code == 0 and "now plan version 2" in out
    assert "message from your clinic" in out and "Try a little deeper now." in out
    assert "Try a little" not in rehab(home, "sync", capsys=capsys)[1]  # a message is shown once

    summary = guided_session(home, capsys)
    assert "target of 45°" in summary and "plan version 2" in summary
    assert len(server_sessions(clinic)) == 2
    code, out, _ = rehab(home, "sync", "--status", capsys=capsys)
    assert code == 0 and f"patient {PATIENT} at {clinic.url}" in out and "waiting to be sent: 0 rows" in out


def test_every_synced_row_reaches_the_server_once_whatever_the_number_of_syncs(
    clinic: ClinicServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = linked_home(clinic, tmp_path / "home", capsys)
    assign_on_server(clinic, 40, "first")
    rehab(home, "sync", capsys=capsys)
    guided_session(home, capsys)
    rehab(home, "sync", capsys=capsys)
    rehab(home, "sync", capsys=capsys)
    store = Store.open(home / DB_FILENAME)
    try:
        at_home = set()
        for table in SYNCED_TABLES:
            key = "id" if table == "visits" else "uuid"
            at_home |= {(table, row[0]) for row in store.db.conn.execute(f"select {key} from {table}")}
    finally:
        store.close()
    import sqlalchemy as sa

    engine = sa.create_engine(clinic.db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("select kind, uuid from home_rows")).all()
    finally:
        engine.dispose()
    assert len(rows) == len(set(rows))
    assert {(kind, uuid) for kind, uuid in rows} == at_home
    assert {"sessions", "reps", "ratings", "visits", "plans"} <= {kind for kind, _ in rows}


def test_a_plan_changed_at_home_while_the_clinic_assigned_one_the_clinic_wins_and_both_are_kept(
    clinic: ClinicServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = linked_home(clinic, tmp_path / "home", capsys)
    assign_on_server(clinic, 40, "first")
    rehab(home, "sync", capsys=capsys)
    local = tmp_path / "local.toml"
    local.write_text(PLAN.format(target=50))
    assert rehab(home, "plan", "assign", str(local), "--patient", PATIENT, capsys=capsys)[0] == 0
    assign_on_server(clinic, 42, "review: go gently")  # meanwhile, at the clinic
    code, out, _ = rehab(home, "sync", capsys=capsys)
    assert code == 0 and "was replaced by the clinic's" in out
    store = Store.open(home / DB_FILENAME)
    try:
        plan = current_plan(store, PATIENT)
        versions = store.plan_versions(PATIENT)
    finally:
        store.close()
    assert plan is not None and plan.plan.exercise[0].target_deg == 42
    assert [v.body["plan"]["exercise"][0]["target_deg"] for v in versions] == [40, 50, 42]  # all kept
    token = clinic.login("ana@clinic.test")
    on_server = clinic.request("GET", f"/api/v1/patients/{PATIENT}/plans", token).json()["versions"]
    home_made = [v for v in on_server if v["origin"] == "home"]
    assert len(home_made) == 1 and "the server's version wins" in home_made[0]["conflict"]


@pytest.mark.parametrize(
    ("code", "said"),
    [("2222-2222", "not right"), ("", "not right")],
)
def test_a_wrong_code_is_one_line_and_exit_2_and_links_nothing(
    clinic: ClinicServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], code: str, said: str
) -> None:
    status_, out, err = rehab(tmp_path, "link", clinic.url, code or "X", capsys=capsys)
    assert status_ == 2 and said in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "clinic-link.json").exists()


def test_a_used_code_is_refused_and_an_already_linked_home_must_unlink_first(
    clinic: ClinicServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = clinic.pairing_code(PATIENT)
    assert rehab(tmp_path / "a", "link", clinic.url, code, capsys=capsys)[0] == 0
    status_, _, err = rehab(tmp_path / "b", "link", clinic.url, code, capsys=capsys)
    assert status_ == 2 and "used already" in err
    status_, _, err = rehab(tmp_path / "a", "link", clinic.url, clinic.pairing_code(PATIENT), capsys=capsys)
    assert status_ == 2 and "already linked" in err and "rehab unlink" in err
    status_, out, _ = rehab(tmp_path / "a", "unlink", capsys=capsys)
    assert status_ == 0 and "unlinked" in out and not (tmp_path / "a" / "clinic-link.json").exists()
    status_, _, err = rehab(tmp_path / "a", "sync", capsys=capsys)
    assert status_ == 2 and "not linked" in err


def test_a_revoked_device_is_told_to_link_again_and_keeps_its_rows(
    clinic: ClinicServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = linked_home(clinic, tmp_path / "home", capsys)
    assert rehab(home, "play", "lift", "--input", "sim", "--patient", PATIENT, capsys=capsys)[0] == 0
    link = load_link(home)
    assert link is not None
    assert clinic.request("DELETE", f"/api/v1/devices/{link.device_id}", clinic.admin_token).status_code == 204
    assert rehab(home, "play", "lift", "--input", "sim", "--patient", PATIENT, capsys=capsys)[0] == 0
    status_, out, _ = rehab(home, "sync", capsys=capsys)
    assert status_ == 2 and "link again" in out and "rows are kept here" in out
    store = Store.open(home / DB_FILENAME)
    try:
        assert status(store, link).waiting_rows > 0
    finally:
        store.close()


@pytest.mark.parametrize(
    ("url", "insecure", "problem"),
    [
        ("http://clinic.example.org", False, "plain http"),
        ("http://192.168.1.20:8765", False, "plain http"),
        ("ftp://clinic.example.org", False, "not a server address"),
        ("clinic.example.org", False, "not a server address"),
        ("https://user@clinic.example.org", False, "without a query"),
    ],
)
def test_a_token_is_never_sent_unencrypted_off_this_machine(url: str, insecure: bool, problem: str) -> None:
    with pytest.raises(LinkError, match=problem):
        check_server_url(url, insecure)


def test_plain_http_is_allowed_to_this_machine_or_when_asked() -> None:
    assert check_server_url("http://127.0.0.1:8765/", False) == "http://127.0.0.1:8765"
    assert check_server_url("http://localhost:8765", False) == "http://localhost:8765"
    assert check_server_url("http://192.168.1.20:8765", True) == "http://192.168.1.20:8765"
    assert check_server_url("https://clinic.example.org", False) == "https://clinic.example.org"


def test_link_refuses_plain_http_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status_, _, err = rehab(tmp_path, "link", "http://clinic.example.org", "AAAA-BBBB", capsys=capsys)
    assert status_ == 2 and "--insecure" in err and not (tmp_path / "clinic-link.json").exists()


def test_a_damaged_link_file_is_one_line_and_unlink_removes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "clinic-link.json").write_text("{not json")
    status_, _, err = rehab(tmp_path, "sync", capsys=capsys)
    assert status_ == 2 and "damaged" in err and len(err.strip().splitlines()) == 1
    assert rehab(tmp_path, "unlink", capsys=capsys)[0] == 0
    assert not (tmp_path / "clinic-link.json").exists()


def test_retries_wait_longer_after_each_failure_up_to_an_hour() -> None:
    waits = [retry_delay(n) for n in range(1, 10)]
    assert waits[:4] == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert waits[-1] == timedelta(hours=1) and waits == sorted(waits)


def test_linking_another_clinic_or_patient_sends_the_whole_history_again(tmp_path: Path) -> None:
    store = Store.open(tmp_path / DB_FILENAME)
    try:
        from rehab.sim.history import make_history

        make_history(store, PATIENT, datetime(2026, 10, 1, tzinfo=timezone.utc).date(), days=7)
        first = ClinicLink("https://a.example.org", "t", "d1", PATIENT, "2026-12-01T10:00:00+00:00")
        assert prepare_for(store, first) is False  # the first link: the history is queued already
        queued = store.pending_count(0)
        store.set_sync_state("acked_seq", str(store.outbox_after(0, 10**6)[-1].seq))
        store.forget_outbox_through(10**9)
        assert prepare_for(store, first) is False  # the same clinic again: nothing to resend
        assert status(store, first).waiting_rows == 0
        second = ClinicLink("https://b.example.org", "t", "d2", PATIENT, "2026-12-02T10:00:00+00:00")
        assert prepare_for(store, second) is True
        assert status(store, second).waiting_rows == queued > 0
    finally:
        store.close()


def test_every_synced_table_says_whose_its_rows_are(tmp_path: Path) -> None:
    """A home sends its linked patient's rows only: each synced table must name its patient."""
    store = Store.open(tmp_path / DB_FILENAME)
    try:
        from rehab.sim.history import make_history

        make_history(store, PATIENT, datetime(2026, 10, 1, tzinfo=timezone.utc).date(), days=14, kind="mixed")
        make_history(store, "P-0007", datetime(2026, 10, 1, tzinfo=timezone.utc).date(), days=3, seed=2)
        seen: dict[str, set[str | None]] = {}
        for entry in store.outbox_after(0, 10**6):
            seen.setdefault(entry.kind, set()).add(store.patient_of(entry.kind, entry.uuid))
    finally:
        store.close()
    assert set(seen) <= set(SYNCED_TABLES) and {"sessions", "reps", "plans", "visits"} <= set(seen)
    assert all(owners <= {PATIENT, "P-0007"} for owners in seen.values()), seen


def test_the_link_file_is_owner_only_and_read_back_whole(tmp_path: Path) -> None:
    link = ClinicLink("https://a.example.org", "secret", "d1", PATIENT, "2026-12-01T10:00:00+00:00", "")
    path = save_link(tmp_path, link)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_link(tmp_path) == link

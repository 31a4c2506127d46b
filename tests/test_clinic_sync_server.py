"""The server side of sync against a real ``rehab clinic serve`` on a loopback port, on SQLite and
PostgreSQL: pushes stored exactly once (a replayed batch, the same rows again, newer and older
versions of a row), another patient's rows refused with nothing written, malformed and oversized
bodies refused with JSON, the server's clock kept beside the home's, pulls that bring only the
device's own and only newer plans and messages, and the rule for a plan changed at home and on the
server at once. Device tokens come from the real pairing flow."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from clinic import tables
from clinic.db import create_engine
from rehab.app.plans import fill_patient, template_text
from tests.clinic_fixtures import ClinicServer

PUSH = "/api/v1/sync/push"
PULL = "/api/v1/sync/pull"


@dataclass(frozen=True)
class Clinic:
    server: ClinicServer
    db: Any  # an engine on the server's database, for looking at what was stored
    physio: str  # token of the physio of both patients
    home_a: str  # device token of P-0042's home
    home_b: str  # device token of P-0043's home


@pytest.fixture
def clinic(clinic_server: ClinicServer) -> Iterator[Clinic]:
    physio = clinic_server.physio("anna@clinic.test", team="north")
    clinic_server.patient("P-0042", physio.email)
    clinic_server.patient("P-0043", physio.email)
    engine = create_engine(clinic_server.db_url)
    try:
        yield Clinic(clinic_server, engine, physio.token, clinic_server.pair("P-0042"), clinic_server.pair("P-0043"))
    finally:
        engine.dispose()


def row(kind: str, body: dict[str, Any], seq: int = 1, row_uuid: str | None = None, **more: Any) -> dict[str, Any]:
    found = {"kind": kind, "uuid": row_uuid or str(uuid.uuid4()), "seq": seq, "body": body}
    return {"client_time": "2026-03-02T09:00:00+01:00", **found, **more}


def batch(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"batch_id": str(uuid.uuid4()), "device_time": "2026-03-02T09:00:05+01:00", "rows": rows}


def session_rows(status: str = "in_progress", seq: int = 1) -> list[dict[str, Any]]:
    """A session with two reps, as the home serialises them (parents named by uuid)."""
    session = row(
        "sessions",
        {"started_at": "2026-03-02T09:00:00+01:00", "game": "lift", "movement": "elbow_flexion_left", "status": status},
        seq,
    )
    reps = [
        row("reps", {"session_uuid": session["uuid"], "rep_index": i, "peak_deg": peak}, seq + 1 + i)
        for i, peak in enumerate((81.5, 92.25))
    ]
    return [session, *reps]


def stored(clinic: Clinic) -> dict[str, dict[str, Any]]:
    """uuid -> the stored home row (body decoded)."""
    with clinic.db.connect() as conn:
        rows = conn.execute(sa.select(tables.home_rows)).mappings().all()
    return {r["uuid"]: {**r, "body": json.loads(r["body"])} for r in rows}


def count(clinic: Clinic, table: sa.Table) -> int:
    with clinic.db.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() or 0)


def push(clinic: Clinic, body: Any, token: str | None = None) -> Any:
    return clinic.server.request("POST", PUSH, token or clinic.home_a, json=body)


def test_a_batch_sent_twice_stores_each_row_once_and_answers_the_same(clinic: Clinic) -> None:
    sent = batch(session_rows())
    first = push(clinic, sent)
    assert first.status_code == 200, first.text
    assert (first.json()["rows"], first.json()["new"], first.json()["updated"]) == (3, 3, 0)
    again = push(clinic, sent)
    assert again.status_code == 200, again.text
    assert (again.json()["rows"], again.json()["new"], again.json()["updated"]) == (3, 3, 0)
    assert again.json()["replayed"] is True
    assert len(stored(clinic)) == 3
    assert count(clinic, tables.sync_receipts) == 1


def test_the_same_rows_in_a_new_batch_are_kept_once_and_only_a_newer_seq_replaces(clinic: Clinic) -> None:
    rows = session_rows(seq=10)
    assert push(clinic, batch(rows)).status_code == 200
    same = push(clinic, batch(rows)).json()
    assert (same["new"], same["updated"]) == (0, 0)
    session = rows[0]
    ended = row("sessions", {**session["body"], "status": "completed"}, 20, session["uuid"])
    newer = push(clinic, batch([ended])).json()
    assert (newer["new"], newer["updated"]) == (0, 1)
    assert stored(clinic)[session["uuid"]]["body"]["status"] == "completed"
    older = row("sessions", {**session["body"], "status": "stopped"}, 15, session["uuid"])
    late = push(clinic, batch([older])).json()
    assert (late["new"], late["updated"]) == (0, 0)
    kept = stored(clinic)[session["uuid"]]
    assert (kept["body"]["status"], kept["seq"]) == ("completed", 20)
    assert len(stored(clinic)) == 3


def test_a_row_of_another_patient_is_refused_with_409_and_nothing_of_the_batch_is_written(clinic: Clinic) -> None:
    theirs = session_rows()
    assert push(clinic, batch(theirs)).status_code == 200
    mine = row("sessions", {"game": "lift", "status": "completed"})
    stolen = row("sessions", {"game": "lift", "status": "stopped"}, 99, theirs[0]["uuid"])
    refused = clinic.server.request("POST", PUSH, clinic.home_b, json=batch([mine, stolen]))
    assert refused.status_code == 409
    assert "another patient" in refused.json()["error"]
    rows = stored(clinic)
    assert mine["uuid"] not in rows
    assert rows[theirs[0]["uuid"]]["body"]["status"] == "in_progress"
    assert rows[theirs[0]["uuid"]]["patient_id"] == "P-0042"
    assert count(clinic, tables.sync_receipts) == 1  # only the first, good batch


def _malformed() -> dict[str, Any]:
    good = row("sessions", {"game": "lift"})
    return {
        "unknown kind": batch([{**good, "kind": "passwords"}]),
        "seq as text": batch([{**good, "seq": "7"}]),
        "negative seq": batch([{**good, "seq": -1}]),
        "body not an object": batch([{**good, "body": [1, 2]}]),
        "uuid not a uuid": batch([{**good, "uuid": "../../etc"}]),
        "a field too many": batch([{**good, "patient_id": "P-0043"}]),
        "no batch id": {"device_time": "2026-03-02T09:00:00+00:00", "rows": [good]},
        "rows not a list": {**batch([]), "rows": good},
        "501 rows": batch([row("reps", {"rep_index": i}) for i in range(501)]),
    }


@pytest.mark.parametrize("case", sorted(_malformed()))
def test_a_malformed_batch_is_refused_with_a_json_error_and_nothing_written(clinic: Clinic, case: str) -> None:
    body = _malformed()[case]
    body["rows"] = body.get("rows", [])
    if isinstance(body["rows"], list):  # a good row too: it must not be stored either
        body["rows"] = [*body["rows"], row("sessions", {"game": "lift"})]
    answer = push(clinic, body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"].startswith("the request is not valid")
    assert stored(clinic) == {}
    assert count(clinic, tables.sync_receipts) == 0


def test_bodies_that_are_not_json_or_too_large_are_refused_with_json(clinic: Clinic) -> None:
    import httpx

    headers = {"Authorization": f"Bearer {clinic.home_a}", "Content-Type": "application/json"}
    broken = httpx.post(clinic.server.url + PUSH, content=b'{"batch_id": "', headers=headers, timeout=60)
    assert broken.status_code == 422 and "error" in broken.json()
    huge = batch([row("streams", {"t": {"$b64": "A" * 20_000}}, i) for i in range(300)])  # about 6 MB
    too_large = push(clinic, huge)
    assert too_large.status_code == 413 and "larger" in too_large.json()["error"]
    assert stored(clinic) == {}


def test_push_and_pull_take_only_a_device_token(clinic: Clinic) -> None:
    sent = batch(session_rows())
    assert clinic.server.request("POST", PUSH, None, json=sent).status_code == 401
    assert clinic.server.request("POST", PUSH, clinic.physio, json=sent).status_code == 403
    assert clinic.server.request("GET", PULL, None).status_code == 401
    assert clinic.server.request("GET", PULL, clinic.physio).status_code == 403
    assert clinic.server.request("GET", PULL, "not-a-token").status_code == 401
    assert stored(clinic) == {}


def test_the_server_keeps_its_receive_time_beside_the_home_clock_and_marks_the_device_seen(clinic: Clinic) -> None:
    wrong_clock = row("sessions", {"game": "lift"}, client_time="1999-12-31T23:59:00+00:00")
    answer = push(clinic, batch([wrong_clock])).json()
    kept = stored(clinic)[wrong_clock["uuid"]]
    assert kept["client_time"] == "1999-12-31T23:59:00+00:00"
    assert kept["received_at"] == answer["server_time"]
    assert not kept["received_at"].startswith("1999")
    assert (kept["patient_id"], kept["kind"]) == ("P-0042", "sessions")
    with clinic.db.connect() as conn:
        seen = conn.execute(sa.select(tables.devices.c.last_seen).where(tables.devices.c.id == kept["device_id"]))
        assert seen.scalar() is not None
        actions = [r.action for r in conn.execute(sa.select(tables.audit_log.c.action))]
    assert "push 1 rows" in actions


def _assign(clinic: Clinic, patient: str, reason: str, sessions_per_week: int = 6) -> dict[str, Any]:
    text = fill_patient(template_text("after-knee-replacement"), patient)
    text = text.replace("sessions_per_week = 6", f"sessions_per_week = {sessions_per_week}")
    answer = clinic.server.request(
        "POST", f"/api/v1/patients/{patient}/plans", clinic.physio, json={"toml": text, "reason": reason}
    )
    assert answer.status_code == 201, answer.text
    result: dict[str, Any] = answer.json()
    return result


def _message(clinic: Clinic, patient: str, text: str) -> None:
    answer = clinic.server.request("POST", f"/api/v1/patients/{patient}/messages", clinic.physio, json={"text": text})
    assert answer.status_code == 201, answer.text


def test_pull_brings_only_the_device_own_and_only_newer_plans_and_messages(clinic: Clinic) -> None:
    _assign(clinic, "P-0042", "first plan")
    _message(clinic, "P-0042", "Well done this week")
    _message(clinic, "P-0043", "For the other patient")
    first = clinic.server.request("GET", PULL, clinic.home_a).json()
    assert [p["reason"] for p in first["plans"]] == ["first plan"]
    assert first["plans"][0]["body"]["patient"] == "P-0042"
    assert [m["text"] for m in first["messages"]] == ["Well done this week"]
    assert first["messages"][0]["author"] == "anna@clinic.test"
    cursors = {"plans_after": first["plans_cursor"], "messages_after": first["messages_cursor"]}
    nothing = clinic.server.request("GET", PULL, clinic.home_a, params=cursors).json()
    assert (nothing["plans"], nothing["messages"]) == ([], [])
    _assign(clinic, "P-0042", "harder", sessions_per_week=5)
    newer = clinic.server.request("GET", PULL, clinic.home_a, params=cursors).json()
    assert [(p["version"], p["reason"], p["sessions_per_week"]) for p in newer["plans"]] == [(2, "harder", 5)]
    other = clinic.server.request("GET", PULL, clinic.home_b).json()
    assert other["plans"] == []
    assert [m["text"] for m in other["messages"]] == ["For the other patient"]
    bad = clinic.server.request("GET", PULL, clinic.home_a, params={"plans_after": "soon"})
    assert bad.status_code == 422 and "error" in bad.json()


def _home_plan(server_plan: dict[str, Any], based_on: int | None, reason: str) -> dict[str, Any]:
    """A plan version made at home, as the home pushes it (its store's plans row)."""
    plan = {**server_plan, "sessions_per_week": 3}
    body = {"plan": plan, "reason": reason, "goals_deg": {}, "changes": []}
    columns = {"version": 7, "created_at": "2026-03-02T10:00:00+01:00", "effective_from": "2026-03-02"}
    return row("plans", {**columns, "sessions_per_week": 3, "body": body, "based_on_server_version": based_on})


def test_a_plan_changed_at_home_and_on_the_server_at_once_keeps_both_and_the_server_wins(clinic: Clinic) -> None:
    v1 = _assign(clinic, "P-0042", "first plan")
    pulled = clinic.server.request("GET", PULL, clinic.home_a).json()
    agreed = _home_plan(v1["body"], based_on=1, reason="fewer sessions while on holiday")
    assert push(clinic, batch([agreed])).status_code == 200
    versions = clinic.server.request("GET", "/api/v1/patients/P-0042/plans", clinic.physio).json()["versions"]
    assert [(v["version"], v["origin"], v["conflict"]) for v in versions] == [(1, "server", None), (2, "home", None)]
    assert versions[1]["created_by"].startswith("home:")
    _assign(clinic, "P-0042", "after the review")  # version 3, while the home changes version 1 again
    clash = _home_plan(v1["body"], based_on=1, reason="changed at home again")
    assert push(clinic, batch([clash])).status_code == 200
    assert push(clinic, batch([clash])).status_code == 200  # a replay records nothing twice
    versions = clinic.server.request("GET", "/api/v1/patients/P-0042/plans", clinic.physio).json()["versions"]
    summary = [(v["version"], v["origin"], v["conflict"] is not None) for v in versions]
    assert summary == [
        (1, "server", False),
        (2, "home", False),
        (3, "server", False),
        (4, "home", True),
        (5, "server", False),
    ]
    assert "version 3 was assigned on the server; the server's version wins" in versions[3]["conflict"]
    assert versions[4]["body"] == versions[2]["body"]  # the server's plan again, as the newest version
    after = {"plans_after": pulled["plans_cursor"]}
    down = clinic.server.request("GET", PULL, clinic.home_a, params=after).json()["plans"]
    assert [p["version"] for p in down] == [3, 5]
    assert down[-1]["sessions_per_week"] == 6


def test_a_server_plan_the_home_pushes_back_is_not_a_new_version(clinic: Clinic) -> None:
    v1 = _assign(clinic, "P-0042", "first plan")
    echo = _home_plan(v1["body"], based_on=1, reason="from the clinic: first plan")
    assert push(clinic, batch([echo])).json()["new"] == 1  # kept as a home row...
    versions = clinic.server.request("GET", "/api/v1/patients/P-0042/plans", clinic.physio).json()["versions"]
    assert [v["version"] for v in versions] == [1]  # ...but not as a plan version


def test_pushed_sessions_are_seen_on_the_server(clinic: Clinic) -> None:
    rows = session_rows(status="completed")
    push(clinic, batch(rows))
    answer = clinic.server.request("GET", "/api/v1/patients/P-0042/sessions", clinic.physio)
    assert answer.status_code == 200, answer.text
    [session] = answer.json()["sessions"]
    assert session["date"] == "2026-03-02"
    assert (session["game"], session["movement"], session["status"]) == ("lift", "elbow_flexion_left", "completed")
    assert (session["reps"], session["best_peak_deg"]) == (2, 92.25)
    assert clinic.server.request("GET", "/api/v1/patients/P-0043/sessions", clinic.physio).json()["sessions"] == []

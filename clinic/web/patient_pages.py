"""The patient page (``/patients/{id}``, a stable URL to bookmark or paste into a record), one
session's reps, the physio's clinical notes and messages, and report downloads.

The page reads the per-session facts (``session_facts``), never a year of home-row bodies: only the
session page, the calibrations and the report read home rows. Every view and every change is
written to the audit log in the transaction that reads or writes; a refused request writes nothing.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.engine import Connection

from clinic import db, notes, plans, tables
from clinic.api_reports import patient_report
from clinic.auth import Principal, audit
from clinic.errors import ClinicError, NotFound
from clinic.reports import FORMATS
from clinic.web import charts
from clinic.web.deps import Csrf, WebUser, may_see, staff
from clinic.web.render import page

router = APIRouter(include_in_schema=False)

#: who writes notes and messages: a physio (own and team's patients), as through the API; a clinician
#: and an admin read them (clinical writing is a physio's work, whatever else an admin may do)
Writer = Annotated[Principal, Depends(staff("physio"))]
#: sessions listed on the page unless all are asked for (a year of daily sessions is long)
SESSIONS_SHOWN = 100
#: a form field read whole, then checked with a sentence shown at the field (not a bare 422)
FIELD_MAX = 4 * notes.NOTE_MAX


def patient_url(patient_id: str) -> str:
    return f"/patients/{quote(patient_id, safe='')}"


# -- reading -----------------------------------------------------------------------------------------


def _patient(conn: Connection, patient_id: str) -> dict[str, Any]:
    p, u = tables.patients, tables.users
    row = (
        conn.execute(
            sa.select(p.c.id, p.c.team, p.c.created_at, u.c.email.label("physio"))
            .select_from(p.join(u, u.c.id == p.c.physio_id))
            .where(p.c.id == patient_id)
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(f"patient {patient_id!r} is not known here")
    return dict(row)


def _devices(conn: Connection, patient_id: str) -> list[dict[str, Any]]:
    d = tables.devices
    query = sa.select(d.c.id, d.c.name, d.c.created_at, d.c.last_seen, d.c.revoked_at).where(
        d.c.patient_id == patient_id
    )
    return [dict(r) for r in conn.execute(query.order_by(d.c.created_at)).mappings()]


def _facts(conn: Connection, patient_id: str) -> list[dict[str, Any]]:
    f = tables.session_facts
    query = sa.select(f).where(f.c.patient_id == patient_id).order_by(f.c.started_at, f.c.uuid)
    return [dict(r) for r in conn.execute(query).mappings()]


def _home_bodies(conn: Connection, patient_id: str, kind: str, session_uuid: str | None = None) -> list[dict[str, Any]]:
    h = tables.home_rows
    query = sa.select(h.c.body).where(h.c.patient_id == patient_id, h.c.kind == kind)
    if session_uuid is not None:
        query = query.where(h.c.session_uuid == session_uuid)
    return [json.loads(r.body) for r in conn.execute(query)]


def _calibrations(conn: Connection, patient_id: str) -> list[dict[str, Any]]:
    """The range measured at the start of sessions, newest first: movement, rest, max, date."""
    found = _home_bodies(conn, patient_id, "calibrations")
    return sorted(found, key=lambda c: str(c.get("at") or ""), reverse=True)


def _plan_title(version: plans.PlanVersion | None) -> str:
    if version is None:
        return ""
    return str(version.plan.get("title") or "(untitled plan)")


def _charts(facts: list[dict[str, Any]], current: plans.PlanVersion | None) -> list[charts.Chart]:
    goals = charts.plan_goals(current.plan) if current else {}
    found: list[charts.Chart | None] = [*charts.rom_charts(facts, goals), charts.pain_chart(facts)]
    found += [charts.suds_chart(facts), charts.stress_chart(facts), charts.breathing_chart(facts)]
    return [c for c in found if c is not None]


def _view(conn: Connection, patient_id: str, today: date, all_sessions: bool) -> dict[str, Any]:
    """Everything the patient page shows, read in the caller's transaction."""
    versions = plans.plan_versions(conn, patient_id)
    current = versions[-1] if versions else None
    facts = _facts(conn, patient_id)
    newest_first = facts[::-1]
    devices = _devices(conn, patient_id)
    shown = newest_first if all_sessions else newest_first[:SESSIONS_SHOWN]
    return {
        "patient": _patient(conn, patient_id),
        "url": patient_url(patient_id),
        "devices": devices,
        # a plan version made at home names its device by id: show the device's name
        "device_names": {f"home:{d['id']}": f"home ({d['name']})" for d in devices},
        "current": current,
        "current_title": _plan_title(current),
        "versions": versions[::-1],
        "charts": _charts(facts, current),
        "calendar": charts.calendar(charts.sessions_per_day(facts), today),
        "calibrations": _calibrations(conn, patient_id),
        "sessions": shown,
        "sessions_total": len(facts),
        "notes": notes.notes(conn, patient_id),
        "messages": plans.messages(conn, patient_id)[::-1],
        "today": today.isoformat(),
        "first_day": facts[0]["day"] if facts and facts[0].get("day") else today.isoformat(),
        "formats": FORMATS,
        "note_max": notes.NOTE_MAX,
        "message_max": plans.MESSAGE_MAX,
    }


def _figures(view: dict[str, Any]) -> dict[str, Any]:
    return {chart.id: chart.figure for chart in view["charts"]}


def _render(request: Request, conn: Connection, patient_id: str, status: int = 200, **form: Any) -> HTMLResponse:
    """The patient page; ``form`` carries a refused form's values and its errors back to the fields."""
    today = db.now(conn).date()
    view = _view(conn, patient_id, today, request.query_params.get("sessions") == "all")
    defaults: dict[str, Any] = {"note_errors": {}, "note_values": {"noted_on": today.isoformat(), "text": ""}}
    defaults |= {"message_error": None, "message_text": "", "report_error": None, "report_values": {}}
    saved = request.query_params.get("saved")
    context = {**view, **defaults, **form, "figures": _figures(view), "saved": saved}
    return page(request, "patient.html", status=status, **context)


@router.get("/patients/{patient_id}", response_class=HTMLResponse)
def patient_page(patient_id: str, request: Request, who: WebUser) -> HTMLResponse:
    may_see(request, who, patient_id)
    with db.engine_of(request).begin() as conn:
        answer = _render(request, conn, patient_id)
        audit(conn, who, "web view patient", patient_id)
    return answer


@router.get("/patients/{patient_id}/sessions/{session_uuid}", response_class=HTMLResponse)
def session_page(patient_id: str, session_uuid: str, request: Request, who: WebUser) -> HTMLResponse:
    """One session: its facts, every rep, the ratings given during it and a mental game's measures."""
    may_see(request, who, patient_id)
    f = tables.session_facts
    with db.engine_of(request).begin() as conn:
        found = conn.execute(sa.select(f).where(f.c.uuid == session_uuid, f.c.patient_id == patient_id)).mappings()
        fact = found.first()
        if fact is None:
            raise NotFound(f"patient {patient_id!r} has no synced session {session_uuid!r}")
        reps = _home_bodies(conn, patient_id, "reps", session_uuid)
        ratings = _home_bodies(conn, patient_id, "ratings", session_uuid)
        audit(conn, who, "web view session", patient_id, session_uuid)
    reps.sort(key=lambda r: (r.get("rep_index") or 0, r.get("t_start") or 0.0))
    ratings.sort(key=lambda r: (r.get("t") is None, r.get("t") or 0.0, str(r.get("at") or "")))
    summary = charts.summary_of(dict(fact))
    return page(
        request,
        "session.html",
        patient_id=patient_id,
        url=patient_url(patient_id),
        fact=dict(fact),
        reps=reps,
        ratings=ratings,
        summary=summary,
        movement=charts.movement_label(str(fact["movement"] or "")),
    )


# -- writing ----------------------------------------------------------------------------------------


def _author(who: Principal) -> int:
    author = who.user_id
    assert author is not None  # the web app's users are accounts (staff), never a device
    return author


@router.post("/patients/{patient_id}/notes", dependencies=[Csrf])
def add_note(
    patient_id: str,
    request: Request,
    who: Writer,
    noted_on: Annotated[str, Form(max_length=100)] = "",
    text: Annotated[str, Form(max_length=FIELD_MAX)] = "",
) -> Response:
    """A dated clinical note; an invalid one comes back with the error at its field, nothing saved."""
    may_see(request, who, patient_id, write=True)
    with db.engine_of(request).begin() as conn:
        now = db.now_iso(conn)
        try:
            notes.check_note(text, noted_on, db.now(conn).date())
        except notes.NoteProblem as problem:
            values = {"noted_on": noted_on, "text": text}
            audit(conn, who, "web view patient", patient_id, f"note refused: {problem}")
            return _render(
                request, conn, patient_id, 422, note_errors={problem.field: str(problem)}, note_values=values
            )
        note = notes.add_note(conn, patient_id, _author(who), noted_on, text, now)
        audit(conn, who, "add clinical note", patient_id, f"note {note.id} dated {note.noted_on}")
    return RedirectResponse(f"{patient_url(patient_id)}?saved=note#notes", status_code=303)


@router.post("/patients/{patient_id}/messages", dependencies=[Csrf])
def send_message(
    patient_id: str,
    request: Request,
    who: Writer,
    text: Annotated[str, Form(max_length=FIELD_MAX)] = "",
) -> Response:
    """A short message shown at the patient's home after its next sync."""
    may_see(request, who, patient_id, write=True)
    with db.engine_of(request).begin() as conn:
        try:
            cleaned = plans.check_message(text)
        except ValueError as problem:
            audit(conn, who, "web view patient", patient_id, f"message refused: {problem}")
            return _render(request, conn, patient_id, 422, message_error=str(problem), message_text=text)
        message = plans.add_message(conn, patient_id, _author(who), cleaned, db.now_iso(conn))
        audit(conn, who, "send message", patient_id, f"message {message.id}")
    return RedirectResponse(f"{patient_url(patient_id)}?saved=message#messages", status_code=303)


# -- reports ----------------------------------------------------------------------------------------


@router.get("/patients/{patient_id}/report")
def report(
    patient_id: str,
    request: Request,
    who: WebUser,
    format: str = "pdf",  # noqa: A002 - the API's own parameter name
    start: Annotated[str, Query(alias="from", max_length=40)] = "",
    end: Annotated[str, Query(alias="to", max_length=40)] = "",
    pseudonymize: bool = False,
) -> Response:
    """The API's report (``clinic.api_reports``: same code, same audit line) from the page's form; a
    wrong date or an empty period comes back on the page, at the form."""
    may_see(request, who, patient_id)
    values = {"format": format, "from": start, "to": end, "pseudonymize": pseudonymize}
    try:
        if format not in FORMATS:
            raise ClinicError(f"unknown report format {format!r}; use one of {', '.join(FORMATS)}")
        return patient_report(patient_id, request, who, format, start or None, end or None, pseudonymize)  # type: ignore[arg-type]
    except ClinicError as problem:
        status = problem.status
        message = str(problem)
    with db.engine_of(request).begin() as conn:
        audit(conn, who, "web view patient", patient_id, f"report refused: {message}")
        return _render(request, conn, patient_id, status, report_error=message, report_values=values)

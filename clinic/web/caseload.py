"""The caseload: every patient the user may see, one row each, patients with alerts first.

It must stay fast for a physio with hundreds of patients and years of sessions, so it reads only
``session_facts`` (by patient and day, on their index: the few weeks before each patient's last
session), the current plan versions and the devices; never the synced rows' JSON bodies. What the
rows and alerts say is computed by ``clinic.alerts`` from those values.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.engine import Connection

from clinic import alerts
from clinic.auth import audit
from clinic.db import engine_of, now
from clinic.patients import visible_patients
from clinic.tables import devices, patients, plan_versions, session_facts
from clinic.web.deps import WebUser
from clinic.web.render import page

router = APIRouter(include_in_schema=False)

#: the filter menu: value -> label
SHOW = {"all": "All patients", "alerts": "With alerts", "idle": f"No session for {alerts.IDLE_DAYS}+ days"}
#: patients per query (bounded IN lists on both engines)
CHUNK = 500

#: what a fact's missing value reads as (the other columns are NOT NULL, or may be None in a Fact)
_FACT_DEFAULTS = {"started_at": "", "kind": "physical"}


@router.get("/caseload", response_class=HTMLResponse)
def caseload(
    request: Request,
    who: WebUser,
    show: Annotated[str, Query(max_length=20)] = "all",
    q: Annotated[str, Query(max_length=100)] = "",
) -> HTMLResponse:
    show = show if show in SHOW else "all"
    with engine_of(request).begin() as conn:
        today = now(conn).date()
        rows = caseload_rows(conn, who, today)
        shown = filter_rows(rows, show, q)
        audit(conn, who, "read caseload", None, f"{len(shown)} of {len(rows)} patients shown")
    return page(
        request,
        "caseload.html",
        rows=shown,
        total=len(rows),
        with_alerts=sum(1 for r in rows if r.alerts),
        show=show,
        shows=SHOW,
        q=q,
        today=today,
        label=alerts.movement_label,
        short_date=alerts.short_date,
    )


def filter_rows(rows: Sequence[alerts.CaseloadRow], show: str, q: str) -> list[alerts.CaseloadRow]:
    """The rows the filter menu and the search box (part of a patient id, any case) leave."""
    words = q.strip().lower().split()
    found = [r for r in rows if all(w in r.patient_id.lower() for w in words)]
    if show == "alerts":
        return [r for r in found if r.alerts]
    if show == "idle":
        return [r for r in found if r.idle]
    return found


def caseload_rows(conn: Connection, who: Any, today: date) -> list[alerts.CaseloadRow]:
    """One row per patient ``who`` may see, alerts first (the caller audits the view, in one row)."""
    listed = visible_patients(conn, who, audit_each=False)
    patients = [alerts.Patient(p.id, p.physio, p.team, p.created_at) for p in listed]
    ids = [p.id for p in patients]
    facts = _facts(conn, ids, today)
    plans = _plans(conn, ids)
    homes = _devices(conn, ids)
    rows = [alerts.caseload_row(p, facts.get(p.id, []), plans.get(p.id), homes.get(p.id, []), today) for p in patients]
    return alerts.sort_rows(rows)


def _chunks(ids: Sequence[str]) -> list[Sequence[str]]:
    return [ids[start : start + CHUNK] for start in range(0, len(ids), CHUNK)]


def _last_days(conn: Connection, ids: Sequence[str]) -> dict[str, str]:
    """Each patient's last session day: one look at the (patient, day) index per patient, where a
    GROUP BY over the patients read every fact of their years."""
    f, p = session_facts, patients
    last = sa.select(sa.func.max(f.c.day)).where(f.c.patient_id == p.c.id).scalar_subquery()
    found: dict[str, str] = {}
    for chunk in _chunks(ids):
        query = sa.select(p.c.id, last).where(p.c.id.in_(chunk))
        found.update({str(patient): str(day) for patient, day in conn.execute(query) if day})
    return found


def _facts(conn: Connection, ids: Sequence[str], today: date) -> dict[str, list[alerts.Fact]]:
    """Each patient's facts from ``WINDOW_DAYS`` before their last session (or before today, when that
    is earlier): patients sharing a start day are read together."""
    by_start: dict[str, list[str]] = {}
    for patient, last in _last_days(conn, ids).items():
        try:
            newest = min(date.fromisoformat(last[:10]), today)
        except ValueError:
            newest = today
        start = (newest - timedelta(days=alerts.WINDOW_DAYS)).isoformat()
        by_start.setdefault(start, []).append(patient)
    f = session_facts
    found: dict[str, list[alerts.Fact]] = {}
    for start, group in by_start.items():
        for chunk in _chunks(group):
            query = sa.select(f.c.patient_id, *_fact_columns()).where(f.c.patient_id.in_(chunk), f.c.day >= start)
            for patient, *values in conn.execute(query).all():
                found.setdefault(patient, []).append(alerts.Fact(*values))
    return found


def _fact_columns() -> list[Any]:
    """The columns of ``alerts.Fact`` in its fields' order, missing values filled in by the database:
    a caseload reads about 20,000 facts, and one Fact made by keyword with its values converted in
    Python cost more than the query."""
    columns = []
    for name in alerts.Fact._fields:
        column = session_facts.c[name]
        default = _FACT_DEFAULTS.get(name)
        columns.append(column if default is None else sa.func.coalesce(column, default))
    return columns


def _plans(conn: Connection, ids: Sequence[str]) -> dict[str, alerts.PlanInfo]:
    """Each patient's current plan: the newest version not overruled by a conflict (a home's change
    the clinic's version won over is kept, with the conflict written on it, but is not followed)."""
    pv = plan_versions
    found: dict[str, alerts.PlanInfo] = {}
    for chunk in _chunks(ids):
        newest = (
            sa.select(sa.func.max(pv.c.version).label("version"), pv.c.patient_id)
            .where(pv.c.patient_id.in_(chunk), pv.c.conflict.is_(None))
            .group_by(pv.c.patient_id)
            .subquery()
        )
        query = sa.select(pv.c.patient_id, pv.c.body, pv.c.sessions_per_week).join(
            newest, sa.and_(newest.c.patient_id == pv.c.patient_id, newest.c.version == pv.c.version)
        )
        for row in conn.execute(query):
            try:
                body = json.loads(row.body)
            except ValueError:
                body = {}
            found[str(row.patient_id)] = alerts.plan_info(body if isinstance(body, dict) else {}, row.sessions_per_week)
    return found


def _devices(conn: Connection, ids: Sequence[str]) -> dict[str, list[alerts.DeviceInfo]]:
    d = devices
    found: dict[str, list[alerts.DeviceInfo]] = {}
    for chunk in _chunks(ids):
        query = sa.select(d.c.patient_id, d.c.name, d.c.last_seen, d.c.revoked_at).where(d.c.patient_id.in_(chunk))
        for row in conn.execute(query):
            info = alerts.DeviceInfo(str(row.name), row.last_seen, row.revoked_at is not None)
            found.setdefault(str(row.patient_id), []).append(info)
    return found

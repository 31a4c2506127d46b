"""The admin's pages: the accounts (add one with a role and team, disable one) and the audit log
(newest first, filtered by patient and actor, 100 rows a page). Admins only; anyone else gets 403.

Every change is written to the audit log in the transaction that makes it, and so is every reading
of the log (naming the patient it was filtered by): who looked at whose history is itself history.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from clinic import accounts
from clinic.auth import Principal, audit
from clinic.db import engine_of
from clinic.errors import ClinicError, Conflict, NotFound
from clinic.tables import audit_log, users
from clinic.web.deps import Csrf, staff
from clinic.web.render import page

router = APIRouter(include_in_schema=False)
Admin = Annotated[Principal, Depends(staff("admin"))]
#: rows of the audit log on one page
AUDIT_PAGE = 100
#: a form field is read whole and checked with a sentence at the field, not a bare 422
FIELD_MAX = 2000


# -- accounts ----------------------------------------------------------------------------------------


def _users_page(
    request: Request,
    status: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    done: str | None = None,
) -> HTMLResponse:
    with engine_of(request).begin() as conn:
        found = accounts.list_users(conn)
    return page(
        request,
        "admin_users.html",
        status=status,
        users=found,
        roles=accounts.ROLES,
        errors=errors or {},
        values=values or {"role": "physio"},
        done=done,
        min_password=accounts.MIN_PASSWORD,
    )


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, _who: Admin, added: str | None = None, disabled: str | None = None) -> HTMLResponse:
    done = f"Added {added}." if added else f"Disabled {disabled}." if disabled else None
    return _users_page(request, done=done)


def _sentence(error: Exception) -> str:
    text = str(error)
    return text[:1].upper() + text[1:] + "."


def _check_new_user(email: str, role: str, password: str, again: str) -> dict[str, str]:
    """The problems of the form, one sentence per field (empty when it can be saved)."""
    errors: dict[str, str] = {}
    for field, check in (
        ("email", lambda: accounts.normalise_email(email)),
        ("role", lambda: accounts.check_role(role)),
        ("password", lambda: accounts.check_password(password)),
    ):
        try:
            check()
        except ClinicError as error:
            errors[field] = _sentence(error)
    if "password" not in errors and password != again:
        errors["password_again"] = "The two passwords differ: type the same password twice."
    return errors


@router.post("/admin/users", response_class=HTMLResponse, dependencies=[Csrf])
def add_user(
    request: Request,
    who: Admin,
    email: Annotated[str, Form(max_length=FIELD_MAX)] = "",
    role: Annotated[str, Form(max_length=FIELD_MAX)] = "",
    team: Annotated[str, Form(max_length=FIELD_MAX)] = "",
    password: Annotated[str, Form(max_length=FIELD_MAX)] = "",
    password_again: Annotated[str, Form(max_length=FIELD_MAX)] = "",
) -> Response:
    values = {"email": email, "role": role, "team": team}  # never the passwords
    errors = _check_new_user(email, role, password, password_again)
    if len(team.strip()) > 100:
        errors["team"] = "A team's name has at most 100 characters."
    if not errors:
        try:
            with engine_of(request).begin() as conn:
                made = accounts.add_user(conn, email, role, password, team)
                in_team = f" in {made.team}" if made.team else ""
                audit(conn, who, "add user", None, f"{made.email} as {made.role}{in_team}")
        except Conflict as taken:
            errors["email"] = _sentence(taken)
        else:
            return RedirectResponse("/admin/users?" + urlencode({"added": made.email}), status_code=303)
    return _users_page(request, status=400, errors=errors, values=values)


@router.post("/admin/users/{user_id}/disable", dependencies=[Csrf])
def disable_user(request: Request, who: Admin, user_id: int) -> Response:
    with engine_of(request).begin() as conn:
        email = conn.execute(sa.select(users.c.email).where(users.c.id == user_id)).scalar()
        if email is None:
            raise NotFound(f"there is no account number {user_id}")
        if email == who.name:
            raise ClinicError("you cannot disable your own account: another admin can")
        accounts.disable(conn, email)
        audit(conn, who, "disable user", None, email)
    return RedirectResponse("/admin/users?" + urlencode({"disabled": email}), status_code=303)


# -- the audit log -----------------------------------------------------------------------------------


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    who: Admin,
    patient: Annotated[str, Query(max_length=200)] = "",
    actor: Annotated[str, Query(max_length=320)] = "",
    page_number: Annotated[int, Query(alias="page", ge=1, le=1_000_000)] = 1,
) -> HTMLResponse:
    patient, actor = patient.strip(), actor.strip()
    query = sa.select(audit_log).order_by(audit_log.c.id.desc())
    if patient:
        query = query.where(audit_log.c.patient_id == patient)
    if actor:
        query = query.where(audit_log.c.actor == actor.lower() if "@" in actor else audit_log.c.actor == actor)
    with engine_of(request).begin() as conn:
        # one more row than shown tells whether there is a next page
        rows = conn.execute(query.offset((page_number - 1) * AUDIT_PAGE).limit(AUDIT_PAGE + 1)).mappings().all()
        detail = "; ".join(f"{k}={v}" for k, v in (("actor", actor), ("page", page_number)) if v and v != 1)
        audit(conn, who, "web view audit log", patient or None, detail or None)
    filters = {k: v for k, v in (("patient", patient), ("actor", actor)) if v}

    def link(number: int) -> str:
        return "/admin/audit?" + urlencode({**filters, "page": number})

    return page(
        request,
        "admin_audit.html",
        entries=[dict(r) for r in rows[:AUDIT_PAGE]],
        patient=patient,
        actor=actor,
        page_number=page_number,
        first=(page_number - 1) * AUDIT_PAGE + 1,
        newer=link(page_number - 1) if page_number > 1 else None,
        older=link(page_number + 1) if len(rows) > AUDIT_PAGE else None,
    )

"""What a page handler asks for: the signed-in user (else a redirect to the login page), a role,
a patient it may see, and a checked CSRF token on every form it takes."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request

from clinic.auth import Principal, patient_access
from clinic.db import engine_of
from clinic.errors import ClinicError, Forbidden
from clinic.web import sessions


class LoginRequired(ClinicError):
    """No valid session: the web app answers with a redirect to the login page."""

    status = 303

    def __init__(self, next_path: str) -> None:
        super().__init__("please log in")
        self.location = f"/login?next={quote(next_path, safe='/')}"


def web_user(request: Request) -> Principal:
    """The signed-in user; LoginRequired (a redirect to /login) without a valid session cookie."""
    token = request.cookies.get(sessions.COOKIE)
    if token:
        with engine_of(request).begin() as conn:
            found = sessions.resume(conn, token)
        if found is not None:
            request.state.web = found
            return found.who
    raise LoginRequired(request.url.path + (f"?{request.url.query}" if request.url.query else ""))


def staff(*roles: str):  # type: ignore[no-untyped-def]
    """Dependency factory: the signed-in user with one of ``roles`` (any, when none), else 403."""

    def dependency(who: Annotated[Principal, Depends(web_user)]) -> Principal:
        if roles and who.role not in roles:
            raise Forbidden(f"this page needs the role {' or '.join(roles)}; you are {who.role}")
        return who

    return dependency


WebUser = Annotated[Principal, Depends(web_user)]


async def check_csrf(request: Request, _who: Annotated[Principal, Depends(web_user)]) -> None:
    """Refuses (403) a form without this session's CSRF token (field ``csrf``)."""
    form = await request.form()
    web = getattr(request.state, "web", None)
    if web is None or not sessions.csrf_ok(web.token, str(form.get("csrf") or "")):
        raise Forbidden("this form has expired or did not come from this site: reload the page and try again")


Csrf = Depends(check_csrf)


def may_see(request: Request, who: Principal, patient_id: str, write: bool = False) -> None:
    """403/404 unless the user may read (or change) this patient, as the API decides."""
    with engine_of(request).begin() as conn:
        patient_access(conn, who, patient_id, write)

"""The login page, logging in and out, and the front door (``/`` goes to the caseload)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from clinic import accounts, ratelimit
from clinic.api_accounts import client_address
from clinic.auth import audit
from clinic.db import engine_of
from clinic.web import sessions
from clinic.web.deps import Csrf, WebUser
from clinic.web.render import page

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/caseload"
    return target


@router.get("/", response_class=RedirectResponse)
def front(_who: WebUser) -> RedirectResponse:
    return RedirectResponse("/caseload", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> HTMLResponse:  # noqa: A002
    return page(request, "login.html", next=_safe_next(next), error=None, email="")


@router.post("/login")
def log_in(
    request: Request,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/caseload",  # noqa: A002
) -> Response:
    key = ratelimit.LOGIN.key(email.strip().lower(), client_address(request))
    with engine_of(request).begin() as conn:
        problem: str | None = None
        if ratelimit.exceeded(conn, ratelimit.LOGIN, key):
            found, problem = None, "Too many failed logins. Wait 15 minutes and try again."
        else:
            found = accounts.authenticate(conn, email, password)
            problem = None if found else "Wrong email or password."
            if found is None:
                ratelimit.hit(conn, ratelimit.LOGIN, key)
    if found is None:
        return page(request, "login.html", status=401, next=_safe_next(next), error=problem, email=email)
    with engine_of(request).begin() as conn:
        token = sessions.start(conn, found.id)
        audit(conn, _principal(found), "web login", None, None)
    answer = RedirectResponse(_safe_next(next), status_code=303)
    answer.set_cookie(
        sessions.COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return answer


@router.post("/logout", dependencies=[Csrf])
def log_out(request: Request, who: WebUser) -> Response:
    token = request.cookies.get(sessions.COOKIE, "")
    with engine_of(request).begin() as conn:
        sessions.end(conn, token)
        audit(conn, who, "web logout", None, None)
    answer = RedirectResponse("/login", status_code=303)
    answer.delete_cookie(sessions.COOKIE, path="/")
    return answer


def _principal(user: accounts.User):  # type: ignore[no-untyped-def]
    from clinic.auth import Principal

    return Principal("user", str(user.id), user.email, user.role, user.team)
